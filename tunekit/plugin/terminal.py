"""What a run shows in the terminal: each experiment's live progress line, then leaderboard and verdicts."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from tunekit.compare import provenance_warnings
from tunekit.plugin.controller import Controller
from tunekit.report import format_leaderboard, format_top_trials
from tunekit.report.diagnostics import diagnose_by_kind
from tunekit.report.leaderboard import display_ids, format_score
from tunekit.report.verdicts import format_verdicts
from tunekit.results import ExperimentResult, ExperimentStatus
from tunekit.trial import TrialResult, TrialState

__all__ = ["LiveLine", "TerminalSummary"]


def _display_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _width(config: pytest.Config) -> int:
    """The terminal's width, through pytest's public terminal writer."""
    return config.get_terminal_writer().fullwidth


def _best_forms(score: float | None, std: float | None) -> tuple[str, ...]:
    """``best 0.9776±0.011``, or without the fold spread where that does not fit."""
    return (f"best {format_score(score, std)}", f"best {format_score(score)}")


class LiveLine:
    """Progress of the running experiment on its line of the verbose terminal output (a runner Progress)."""

    def __init__(self, item: pytest.Item) -> None:
        self.budget = 0
        self.reporter = item.config.pluginmanager.get_plugin("terminalreporter")
        self.capture = item.config.pluginmanager.get_plugin("capturemanager")
        self.config = item.config
        verbose = self.reporter is not None and getattr(self.reporter, "showlongtestinfo", False)
        self.enabled = verbose and not hasattr(item.config, "workerinput")
        self.live = self.enabled and getattr(self.reporter, "isatty", False)
        prefix = getattr(self.reporter, "currentfspath", None) if self.enabled else None
        self.prefix = prefix if isinstance(prefix, str) else ""
        self.last = 0.0

    def _fitting(self, parts: list[tuple[str, ...]]) -> str:
        """As many of ``parts`` (most important first) as fit beside the node ID and pytest's " PASSED [100%]",
        each in the longest of its forms that fits: a part is shortened or dropped whole, never cut, so no
        number is ever shown truncated."""
        room = _width(self.config) - len(self.prefix) - 16
        shown = ""
        for forms in parts:
            fits = [f"{shown} {form}" if shown else form for form in forms]
            fits = [candidate for candidate in fits if len(candidate) <= room]
            if not fits:
                break
            shown = fits[0]
        return shown

    def _write(self, text: str) -> None:
        assert self.reporter is not None  # enabled only with a terminal reporter
        if self.capture is not None:
            with self.capture.global_and_fixture_disabled():
                self.reporter.write(text, flush=True)
        else:
            self.reporter.write(text, flush=True)

    def started(self, budget: int) -> None:
        self.budget = budget

    def trial_done(self, best: TrialResult | None, done: int) -> None:
        if not self.live or not self.prefix:
            return
        now = time.monotonic()
        if now - self.last < 0.1 and done < self.budget:
            return
        self.last = now
        parts: list[tuple[str, ...]] = [(f"trial {done}/{self.budget}",)]
        if best is not None:
            parts += [_best_forms(best.score, best.score_std), (f"(#{best.number})",)]
        self._write(f"\r{self.prefix}{self._fitting(parts)}\x1b[K")

    def finished(self, record: ExperimentResult) -> None:
        if not self.enabled:
            return
        best = record.best
        parts: list[tuple[str, ...]] = [(f"{record.count(TrialState.COMPLETE)}/{record.budget['trials']} trials",),
                 _best_forms(best.score, best.score_std) if best else ("best -",), (f"{record.duration_s:.1f}s",)]
        shown = self._fitting(parts)
        if not shown:
            return
        self._write(f"\r{self.prefix}{shown} \x1b[K" if self.live and self.prefix else f"{shown} ")


def _fold_noise_lines(noisy: list[tuple[str, str]]) -> list[str]:
    """Fold noise once per run: the experiment's own hint when one has it, one line naming them all otherwise."""
    if len(noisy) <= 1:
        return [f"hint: {exp_id}: {hint}" for exp_id, hint in noisy]
    names = ", ".join(display_ids([exp_id for exp_id, _ in noisy]))
    return [(f"hint: fold noise in {len(noisy)} experiments ({names}): each best trial's fold std exceeds its lead "
            "over the next best, so their top trials are indistinguishable; use more folds or repeated CV to pick "
            "one (@tunable(hints={'fold_noise': False}) silences this)")]


class TerminalSummary:
    """Prints the leaderboard, notes, hints, verdicts and written files at the end of the run."""

    def __init__(self, controller: Controller) -> None:
        self.controller = controller

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        controller = self.controller
        if controller.is_worker or not controller.records:
            return
        tr, options = terminalreporter, controller.options
        width = _width(tr.config)
        records = controller.sorted_records()
        outputs = controller.outputs
        tr.write_sep("=", "tunekit leaderboard")
        recorded = outputs.recorded_best if outputs is not None else None
        for line in format_leaderboard(records, width=width, recorded_best=recorded).splitlines():
            tr.write_line(line)
        noisy: list[tuple[str, str]] = []
        for record in records:
            for note in record.notes:
                tr.write_line(f"note: {record.id}: {note}")
            if record.status == ExperimentStatus.FAILED and record.error:
                tr.write_line(f"FAILED {record.id}: {record.error}", red=True)
            elif record.status == ExperimentStatus.INTERRUPTED:
                tr.write_line(f"INTERRUPTED {record.id}: {len(record.trials)} finished trials kept", yellow=True)
            for kind, hint in diagnose_by_kind(record):
                if kind == "fold_noise":
                    noisy.append((record.id, hint))
                else:
                    tr.write_line(f"hint: {record.id}: {hint}")
        for line in _fold_noise_lines(noisy):
            tr.write_line(line)
        if options.top:
            for record in records:
                tr.write_sep("-", f"top {options.top}: {record.id}")
                for line in format_top_trials(record, options.top, width=width).splitlines():
                    tr.write_line(line)
        if outputs is None:
            return
        if outputs.comparisons:
            tr.write_sep("=", "tunekit verdicts")
            for line in format_verdicts(outputs.comparisons).splitlines():
                tr.write_line(line)
            assert options.baseline is not None
            for warning in provenance_warnings(options.baseline, outputs.document):
                tr.write_line(f"warning: {warning}", yellow=True)
        for label, path in outputs.written:
            kept = (f" (and {outputs.kept_earlier} experiment(s) this run left alone, kept from earlier runs)"
                    if label == "results" and outputs.kept_earlier else "")
            tr.write_line(f"{label}: {_display_path(path) if isinstance(path, Path) else path}{kept}")
        for warning in outputs.warnings:
            tr.write_line(f"warning: {warning}", yellow=True)
        for error in outputs.errors:
            tr.write_line(f"ERROR: {error}", red=True)
