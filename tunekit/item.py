"""The pytest item of one experiment: fixtures set up by pytest, then the whole search as its test body."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest

from tunekit import results as results_io
from tunekit.api import DEFAULT_TRIALS, TRIAL_ARGUMENT, TunableSpec, too_many_start_points
from tunekit.compare import DEFAULT_TOLERANCE, Tolerance, Verdict, compare_experiment
from tunekit.errors import SpecError, TunekitError
from tunekit.executors import Objective
from tunekit.journal import Journal, fingerprint, journal_path, read_journal
from tunekit.options import JOURNAL_DIR, RunOptions
from tunekit.report.leaderboard import format_score
from tunekit.results import ExperimentResult, ExperimentStatus
from tunekit.search import (
    SearchInterrupted,
    SearchOutcome,
    StopReason,
    StopRules,
    run_fixed,
    run_search,
)
from tunekit.strategies import default_strategy, get_strategy
from tunekit.trial import Trial, TrialResult, TrialState, describe_exception, trial_seed

__all__ = ["RECHECK_STRATEGY", "RESULT_PROPERTY", "ExperimentFailed", "TunableItem"]

#: Key of the ``user_properties`` entry that carries an experiment's JSON record to the controller.
RESULT_PROPERTY = "tunekit.result"
#: The ``strategy`` of a record made by ``--recheck`` (re-evaluations of a baseline's best parameters).
RECHECK_STRATEGY = "recheck"


class ExperimentFailed(TunekitError):
    """An experiment failed as a whole; reported as one line, not a traceback."""

    def __init__(self, message: str, traceback_text: str | None = None) -> None:
        super().__init__(message)
        self.traceback_text = traceback_text


@dataclass(frozen=True)
class Settings:
    """An experiment's search as it will run: decorator values, command-line overrides and defaults."""

    strategy: str
    trials: int
    seed: int
    direction: str
    tolerance: Tolerance
    notes: tuple[str, ...]


def resolve_settings(spec: TunableSpec, options: RunOptions) -> Settings:
    """Apply command-line overrides and defaults to ``spec``."""
    spec = spec.with_overrides(strategy=options.strategy, trials=options.trials, seed=options.seed)
    space = spec.space
    assert space is not None  # invalid specs never become items
    name = spec.strategy or default_strategy(space, spec.trials)
    budget = spec.trials or DEFAULT_TRIALS
    notes = []
    if name == "grid":
        # Start points on the grid are not evaluated twice; those off it are trials on top of the grid.
        size = space.grid_size
        off_grid = sum(space.grid_index(point) is None for point in spec.start)
        whole = size + off_grid
        described = f"{size} points" + (f" (and {off_grid} start points off it)" if off_grid else "")
        budget = whole if spec.trials is None else budget
        if budget < whole:
            notes.append(f"grid has {described} but the budget is {budget} trials: "
                         f"evaluated a seeded subset (--trials {whole} for the whole grid)")
        elif budget > whole:
            notes.append(f"grid has only {described}: {whole} trials instead of {budget}")
            budget = whole
    if len(spec.start) > budget:
        raise SpecError(too_many_start_points(len(spec.start), budget))
    tolerance = Tolerance.parse(spec.tolerance) if spec.tolerance else options.tolerance or DEFAULT_TOLERANCE
    return Settings(strategy=name, trials=budget, seed=spec.seed if spec.seed is not None else 0,
                    direction=spec.direction, tolerance=tolerance, notes=tuple(notes))


_EARLY_STOP_NOTES = {
    StopReason.TARGET: "stopped early: the target score {stop.target:g} was reached after {n} trials",
    StopReason.PATIENCE: "stopped early: no better score in the last {stop.patience} trials ({n} trials run)",
    StopReason.TIMEOUT: "stopped early: the search timeout of {stop.timeout:g} s ran out after {n} trials",
    StopReason.EXHAUSTED: "stopped after {n} trials: the strategy had nothing left to propose",
}


class LiveLine:
    """Progress of the running experiment on its line of the verbose terminal output."""

    def __init__(self, item: pytest.Item, budget: int) -> None:
        self.budget = budget
        self.reporter = item.config.pluginmanager.get_plugin("terminalreporter")
        self.capture = item.config.pluginmanager.get_plugin("capturemanager")
        verbose = self.reporter is not None and getattr(self.reporter, "showlongtestinfo", False)
        self.enabled = verbose and not hasattr(item.config, "workerinput")
        self.live = self.enabled and getattr(self.reporter, "isatty", False)
        prefix = getattr(self.reporter, "currentfspath", None) if self.enabled else None
        self.prefix = prefix if isinstance(prefix, str) else ""
        self.last = 0.0

    def _write(self, text: str) -> None:
        width = getattr(self.reporter._tw, "fullwidth", 80)
        room = width - len(self.prefix) - 16  # leave room for " PASSED [100%]"
        if room < 12:
            return
        text = text[:room]
        if self.capture is not None:
            with self.capture.global_and_fixture_disabled():
                self.reporter.write(text, flush=True)
        else:
            self.reporter.write(text, flush=True)

    def update(self, best: TrialResult | None, done: int) -> None:
        if not self.live or not self.prefix:
            return
        now = time.monotonic()
        if now - self.last < 0.1 and done < self.budget:
            return
        self.last = now
        best_text = f" best {format_score(best.score, best.score_std)} (#{best.number})" if best else ""
        self._write(f"\r{self.prefix}trial {done}/{self.budget}{best_text}\x1b[K")

    def finish(self, record: ExperimentResult) -> None:
        if not self.enabled:
            return
        best = record.best
        text = (f"{record.count(TrialState.COMPLETE)}/{record.budget['trials']} "
                f"best {format_score(best.score, best.score_std) if best else '-'} {record.duration_s:.1f}s ")
        self._write(f"\r{self.prefix}{text}\x1b[K" if self.live and self.prefix else text)


class TunableItem(pytest.Function):
    """One experiment: pytest sets up its fixtures, then ``runtest`` runs its whole search."""

    def __init__(self, *, spec: TunableSpec, experiment: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec
        self.experiment = experiment
        self.add_marker("tunable")

    def reportinfo(self) -> tuple[Any, int | None, str]:
        path, lineno, _ = super().reportinfo()
        return path, lineno, f"{self.name} (experiment)"

    def setup(self) -> None:
        try:
            super().setup()
        except (pytest.skip.Exception, pytest.fail.Exception, KeyboardInterrupt):
            raise
        except Exception as exc:
            if self.config.getoption("tbstyle", "auto") not in ("auto", "line", "no"):
                raise
            raise ExperimentFailed(f"{self.nodeid}: fixture setup failed: {describe_exception(exc)}") from exc

    def _bind_objective(self) -> Objective:
        fixtures = {name: self.funcargs[name] for name in self.spec.fixture_names}
        fn, takes_trial = self.experiment, self.spec.takes_trial

        def objective(trial: Trial) -> Any:
            kwargs = {**fixtures, **trial.params}
            if takes_trial:
                kwargs[TRIAL_ARGUMENT] = trial
            return fn(**kwargs)

        return objective

    @property
    def options(self) -> RunOptions:
        from tunekit.session import session_state

        return session_state(self.config).options

    def runtest(self) -> None:
        from tunekit.session import session_state

        options = self.options
        try:
            settings = resolve_settings(self.spec, options)
            executor = session_state(self.config).executor_for(
                workers=self.spec.with_overrides(workers=options.workers).workers,
                trial_timeout=options.trial_timeout or self.spec.trial_timeout, dask=options.dask)
        except TunekitError as exc:
            raise ExperimentFailed(f"{self.nodeid}: {exc}") from None
        try:
            if options.recheck is not None:
                record = self._recheck(settings, executor)
            else:
                record = self._search(settings, executor)
        except SearchInterrupted as interrupt:
            # An interrupted item makes no report: hand the partial record to the controller directly.
            settings = getattr(interrupt, "settings", settings)
            session_state(self.config).add(self._record(settings, interrupt.outcome, ExperimentStatus.INTERRUPTED))
            raise KeyboardInterrupt from None
        except TunekitError as exc:
            if isinstance(exc, ExperimentFailed):
                raise
            raise ExperimentFailed(f"{self.nodeid}: {exc}") from None
        failure = self._judge(record, settings, options)
        self.user_properties.append((RESULT_PROPERTY, json.dumps(results_io.experiment_to_dict(record))))
        if failure is not None:
            raise failure

    def _record(self, settings: Settings, outcome: SearchOutcome, status: str,
                strategy: str | None = None) -> ExperimentResult:
        assert self.spec.space is not None
        pruner = None if strategy else (self.options.pruner or self.spec.pruner)
        return ExperimentResult(
            id=self.nodeid, strategy=strategy or settings.strategy, direction=settings.direction,
            seed=settings.seed, budget={"trials": len(outcome.trials) if strategy else settings.trials},
            space=self.spec.space.to_dict(), trials=outcome.trials, status=status, duration_s=outcome.duration_s,
            stop_reason=outcome.stop_reason, notes=list(settings.notes), tolerance=self.spec.tolerance,
            pruner=None if pruner is None else {"name": pruner.name, "options": dict(pruner.options)})

    def _open_journal(self, settings: Settings) -> tuple[Journal, list[TrialResult]]:
        """The experiment's journal, and the trials to restore from it when resuming."""
        assert self.spec.space is not None
        path = journal_path(self.config.rootpath / JOURNAL_DIR, self.nodeid)
        print_ = fingerprint(space=self.spec.space.to_dict(), strategy=settings.strategy,
                             direction=settings.direction, seed=settings.seed, objective=self.experiment,
                             start=self.spec.start)
        if not (self.options.resume and path.exists()):
            return Journal.create(path, experiment_id=self.nodeid, fingerprint=print_), []
        contents = read_journal(path)
        recorded = contents.header.get("fingerprint")
        if recorded != print_:
            dropped = [k for k in recorded if k not in print_] if isinstance(recorded, dict) else []  # start=
            changed = [k for k in [*print_, *dropped]
                       if not isinstance(recorded, dict) or recorded.get(k) != print_.get(k)]
            raise ExperimentFailed(
                f"{self.nodeid}: cannot resume: its journal ({path.relative_to(self.config.rootpath)}) was "
                f"written for another search "
                f"({', '.join(changed) or 'header'} changed); run without --resume to start afresh")
        restored = []
        for trial in contents.trials:  # the longest gap-free prefix: later trials are re-run
            if trial.number != len(restored) or len(restored) == settings.trials:
                break
            restored.append(trial)
        return Journal.reopen(path), restored

    def _search(self, settings: Settings, executor: Any) -> ExperimentResult:
        assert self.spec.space is not None
        strategy = get_strategy(settings.strategy)(self.spec.space, seed=settings.seed, budget=settings.trials)
        journal, restored = self._open_journal(settings)
        if restored:
            settings = replace(settings, notes=(*settings.notes, f"resumed: {len(restored)} trials from the journal"))
        live = LiveLine(self, settings.trials)

        def on_trial(result: TrialResult, best: TrialResult | None, done: int) -> None:
            journal.append(result)  # on disk before the next trial is proposed
            live.update(best, done)

        spec, options = self.spec, self.options
        stop = StopRules(timeout=options.search_timeout or spec.timeout, patience=spec.patience, target=spec.target)
        try:
            outcome = run_search(self._bind_objective(), strategy, trials=settings.trials,
                                 direction=settings.direction, seed=settings.seed, executor=executor,
                                 on_trial=on_trial, restored=restored, pruner=options.pruner or spec.pruner,
                                 stop=stop, start_points=spec.start)
            journal.finish(ExperimentStatus.PASSED)  # the search ran to its end: nothing left to resume
        except SearchInterrupted as interrupt:
            interrupt.settings = settings  # type: ignore[attr-defined]
            raise
        finally:
            journal.close()
        early = _EARLY_STOP_NOTES.get(outcome.stop_reason)
        if early is not None:
            note = early.format(n=len(outcome.trials), stop=stop)
            settings = replace(settings, notes=(*settings.notes, note))
        best = results_io.best_trial(outcome.trials, settings.direction)
        if best is not None and best.warm_start and len(outcome.trials) > len(spec.start):
            note = f"the best trial (#{best.number}) is a start point: no proposal of the search beat it"
            settings = replace(settings, notes=(*settings.notes, note))
        record = self._record(settings, outcome, ExperimentStatus.PASSED)
        live.finish(record)
        return record

    def _recheck(self, settings: Settings, executor: Any) -> ExperimentResult:
        options = self.options
        assert options.recheck is not None and self.spec.space is not None
        baseline = options.recheck.get(self.nodeid)
        if baseline is None or baseline.best is None:
            pytest.skip("not in the baseline: a new experiment, nothing to re-check")
        best = baseline.best
        if set(best.params) != set(self.spec.space):
            raise ExperimentFailed(f"{self.nodeid}: the baseline's best parameters {sorted(best.params)} do not "
                                   f"match the space {sorted(self.spec.space)}: save a new baseline")
        # The first evaluation reuses the baseline trial's own seed, so an unchanged deterministic
        # pipeline reproduces the baseline exactly; --seed (or further repeats) draws fresh seeds.
        seeds = [trial_seed(options.seed if options.seed is not None else baseline.seed, best.number + k)
                 for k in range(options.repeats)]
        if options.seed is None and best.seed is not None:
            seeds[0] = best.seed
        outcome = run_fixed(self._bind_objective(), best.params, seeds, executor=executor)
        return self._record(settings, outcome, ExperimentStatus.PASSED, strategy=RECHECK_STRATEGY)

    def _judge(self, record: ExperimentResult, settings: Settings, options: RunOptions) -> ExperimentFailed | None:
        """Fail the experiment when every trial failed, or when it regressed against the baseline."""
        if record.best is None:
            failures = [t for t in record.trials if t.state is TrialState.FAIL]
            first = failures[0] if failures else None
            pruned = record.count(TrialState.PRUNED)
            if not failures:
                reason = f"no trial completed: all {pruned} were pruned (is the pruner too aggressive?)"
            elif pruned:
                reason = f"no trial completed: {len(failures)} failed, {pruned} were pruned"
            else:
                reason = f"all {len(record.trials)} trials failed"
            if first is not None and first.error:
                reason += f"; first error (trial {first.number}): {first.error}"
            record.status, record.error = ExperimentStatus.FAILED, reason
            return ExperimentFailed(reason, first.traceback if first else None)
        if options.baseline is not None:
            comparison = compare_experiment(options.baseline.get(self.nodeid), record, settings.tolerance)
            if comparison.verdict is Verdict.REGRESSED:
                record.status, record.error = ExperimentStatus.FAILED, comparison.reason()
                return ExperimentFailed(comparison.reason())
        return None

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> Any:  # type: ignore[override]
        error = excinfo.value
        if isinstance(error, TunekitError):
            message = str(error)
            wants_traceback = self.config.getoption("tbstyle", "auto") not in ("auto", "no", "line")
            if wants_traceback and isinstance(error, ExperimentFailed) and error.traceback_text:
                message += "\n\n" + error.traceback_text
            return message
        return super().repr_failure(excinfo)

    def _repr_failure_py(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        # Setup errors (a failing fixture) are formatted here rather than by repr_failure: keep them one line.
        if isinstance(excinfo.value, TunekitError):
            return str(excinfo.value)
        return super()._repr_failure_py(excinfo, style=style)
