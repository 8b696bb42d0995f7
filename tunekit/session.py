"""The controller's side of a run: gathers experiment records, writes results, prints the summary.

Records arrive as JSON in the reports' ``user_properties`` (so this works under pytest-xdist too).
Nothing here raises out of a reporting hook: problems become one line and an exit code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tunekit import results as results_io
from tunekit.compare import DEFAULT_TOLERANCE, Comparison, compare_documents, provenance_warnings
from tunekit.config import ToolConfig, load_tool_config
from tunekit.errors import TunekitError
from tunekit.executors import Executor, make_executor
from tunekit.item import RESULT_PROPERTY
from tunekit.options import RunOptions
from tunekit.provenance import commit_info, machine_info, package_version
from tunekit.report import format_leaderboard, format_top_trials
from tunekit.report.diagnostics import diagnose
from tunekit.report.verdicts import format_verdicts
from tunekit.results import ExperimentResult, ExperimentStatus, ResultsDocument

__all__ = ["TunekitState", "install", "session_state"]

_STATE_KEY = pytest.StashKey["TunekitState"]()


def install(config: pytest.Config) -> TunekitState:
    """Create the run's state and register it as a plugin (so its hooks run)."""
    state = TunekitState(config)
    config.stash[_STATE_KEY] = state
    config.pluginmanager.register(state, "tunekit-state")
    return state


def session_state(config: pytest.Config) -> TunekitState:
    """The state :func:`install` created for this run."""
    return config.stash[_STATE_KEY]


def _display_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


class TunekitState:
    """Collects experiment records, writes results (and baseline, report), prints leaderboard and verdicts."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.options = RunOptions(config)
        try:
            self.tool: ToolConfig = load_tool_config(config.rootpath)
        except TunekitError as exc:
            raise pytest.UsageError(str(exc)) from None
        self.records: dict[str, ExperimentResult] = {}
        self.order: dict[str, int] = {}
        self.deselected: set[str] = set()
        self.written: list[tuple[str, Path | str]] = []
        self.errors: list[str] = []
        self.comparisons: list[Comparison] = []
        self.is_worker = hasattr(config, "workerinput")
        self._executors: dict[tuple[Any, ...], Executor] = {}

    def executor_for(self, *, workers: int | str | None, trial_timeout: float | None,
                     dask: str | None) -> Executor:
        """The session's executor for these settings, shared by its experiments: worker processes (or a
        Dask LocalCluster) start once per session (per xdist worker) instead of once per experiment."""
        key = (workers, trial_timeout, dask)
        if key not in self._executors:
            self._executors[key] = make_executor(workers=workers, trial_timeout=trial_timeout, dask=dask)
        return self._executors[key]

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        # Runs in xdist workers too (unlike the hooks that handle records): every pool is stopped.
        executors, self._executors = list(self._executors.values()), {}
        for executor in executors:
            executor.close()

    def add(self, record: ExperimentResult) -> None:
        self.records[record.id] = record

    def sorted_records(self) -> list[ExperimentResult]:
        return sorted(self.records.values(), key=lambda r: (self.order.get(r.id, len(self.order)), r.id))

    # hooks --------------------------------------------------------------------------------------------
    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.deselected.update(item.nodeid for item in items)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.order = {item.nodeid: i for i, item in enumerate(session.items)}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for name, value in report.user_properties:
            if name == RESULT_PROPERTY:
                self.add(results_io.experiment_from_dict(json.loads(value)))

    def _not_expected_here(self) -> set[str]:
        """Baseline IDs that this run did not set out to run: deselected, or in files it did not collect."""
        assert self.options.baseline is not None
        collected_files = {i.split("::", 1)[0] for i in [*self.order, *self.deselected]}
        skip = set(self.deselected)
        for exp in self.options.baseline.experiments:
            file = exp.id.split("::", 1)[0]
            if file not in collected_files and (self.config.rootpath / file).exists():
                skip.add(exp.id)
        return skip

    def _write(self, label: str, path: Path | None, write: Any) -> None:
        if path is None:
            return
        try:
            write(path)
        except (TunekitError, OSError) as exc:
            self.errors.append(f"cannot write {label} {path}: {exc}")
        else:
            self.written.append((label, path))

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.is_worker or not self.records:
            return
        options = self.options
        doc = ResultsDocument(experiments=self.sorted_records(), tunekit_version=package_version("tunekit") or "",
                              machine_info=machine_info(), commit_info=commit_info(self.config.rootpath))
        if options.baseline is not None:
            self.comparisons = compare_documents(
                options.baseline, doc, tolerance=options.tolerance or DEFAULT_TOLERANCE,
                expected_missing=self._not_expected_here())
        self._write("results", options.results_path, lambda p: results_io.dump(doc, p))
        self._write("baseline", options.save_baseline_path, lambda p: results_io.dump(doc, p))
        if options.html_path is not None:
            from tunekit.report.html import write_report

            self._write("report", options.html_path, lambda p: write_report(
                doc, p, baseline=options.baseline, baseline_label=options.baseline_label))
        if options.mlflow is not None:
            from tunekit.tracking import log_to_mlflow

            try:
                log_to_mlflow(doc, options.mlflow or None)
            except TunekitError as exc:
                self.errors.append(str(exc))
            else:
                self.written.append(("mlflow", options.mlflow or "MLflow's default tracking URI"))
        if self.errors:
            session.exitstatus = pytest.ExitCode.USAGE_ERROR
        self.document = doc

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.is_worker or not self.records:
            return
        tr = terminalreporter
        width = getattr(getattr(tr, "_tw", None), "fullwidth", 80)
        records = self.sorted_records()
        tr.write_sep("=", "tunekit leaderboard")
        for line in format_leaderboard(records, width=width).splitlines():
            tr.write_line(line)
        for record in records:
            for note in record.notes:
                tr.write_line(f"note: {record.id}: {note}")
            if record.status == ExperimentStatus.FAILED and record.error:
                tr.write_line(f"FAILED {record.id}: {record.error}", red=True)
            elif record.status == ExperimentStatus.INTERRUPTED:
                tr.write_line(f"INTERRUPTED {record.id}: {len(record.trials)} finished trials kept", yellow=True)
            for hint in diagnose(record):
                tr.write_line(f"hint: {record.id}: {hint}")
        if self.options.top:
            for record in records:
                tr.write_sep("-", f"top {self.options.top}: {record.id}")
                for line in format_top_trials(record, self.options.top, width=width).splitlines():
                    tr.write_line(line)
        if self.comparisons:
            tr.write_sep("=", "tunekit verdicts")
            for line in format_verdicts(self.comparisons).splitlines():
                tr.write_line(line)
            baseline = self.options.baseline
            assert baseline is not None
            for warning in provenance_warnings(baseline, getattr(self, "document", baseline)):
                tr.write_line(f"warning: {warning}", yellow=True)
        for label, path in self.written:
            tr.write_line(f"{label}: {_display_path(path) if isinstance(path, Path) else path}")
        for error in self.errors:
            tr.write_line(f"ERROR: {error}", red=True)
