"""Run one experiment, fresh, resumed or re-checked, and judge its record; nothing here knows pytest.

:func:`run_experiment` returns the experiment's :class:`~tunekit.results.ExperimentResult`; a failed or
regressed experiment is a record with status ``failed`` (:func:`failure_of` turns it into the error to
report), and so is a search stopped because its journal could not be written. Ctrl-C raises
:class:`~tunekit.errors.ExperimentInterrupted` carrying the partial record.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from tunekit.api import TRIAL_ARGUMENT, TunableSpec
from tunekit.compare import (
    DEFAULT_TOLERANCE,
    Tolerance,
    Verdict,
    compare_experiment,
    compare_objectives,
    with_baseline_reference,
)
from tunekit.errors import (
    ExperimentFailed,
    ExperimentInterrupted,
    ExperimentSkipped,
    JournalUnavailable,
    TunekitError,
)
from tunekit.executors import Executor, Objective
from tunekit.journal import Journal, fingerprint, journal_path, source_digest
from tunekit.results import RECHECK_STRATEGY, ExperimentResult, ExperimentStatus, ResultsDocument
from tunekit.run.options import RunOptions
from tunekit.run.resume import journal_failure, open_journal
from tunekit.run.settings import Settings, resolve_settings
from tunekit.run.warm_start import journaled_start, with_history_start
from tunekit.search import SearchInterrupted, SearchOutcome, StopReason, run_fixed, run_search
from tunekit.space import searched
from tunekit.strategies import get_strategy
from tunekit.trial import ObjectiveValueError, Trial, TrialResult, TrialState, parse_objectives, trial_seed

__all__ = [
    "RECHECK_STRATEGY",
    "ExecutorSource",
    "Experiment",
    "Progress",
    "bind_objective",
    "failure_of",
    "judge",
    "run_experiment",
]


#: Gives the executor for an experiment's settings (a session shares one pool between experiments).
ExecutorSource = Callable[[Settings], Executor]

_EARLY_STOP_NOTES = {
    StopReason.TARGET: "stopped early: the target score {stop.target:g} was reached after {n} trials",
    StopReason.PATIENCE: "stopped early: no better score in the last {stop.patience} trials ({n} trials run)",
    StopReason.TIMEOUT: "stopped early: the search timeout of {stop.timeout:g} s ran out after {n} trials",
    StopReason.EXHAUSTED: "stopped after {n} trials: the strategy had nothing left to propose",
}


class Progress(Protocol):
    """Watches a search as it runs (the terminal's live line); every method is optional to act on."""

    def started(self, budget: int) -> None:
        """The search starts with this trial budget."""

    def trial_done(self, best: TrialResult | None, done: int) -> None:
        """A trial finished: the best trial so far and how many trials are done."""

    def finished(self, record: ExperimentResult) -> None:
        """The search ended with this record (before it is judged against a baseline)."""


@dataclass(frozen=True)
class Experiment:
    """One experiment as the runner sees it: its ID, its declaration, and its objective bound to fixtures."""

    id: str
    spec: TunableSpec
    objective: Objective
    #: The decorated function itself: its source fingerprints the journal.
    function: Callable[..., Any]


def bind_objective(function: Callable[..., Any], spec: TunableSpec, fixtures: Mapping[str, Any]) -> Objective:
    """The objective executors call: ``function`` with its fixtures, a trial's parameters and its handle."""
    bound = {name: fixtures[name] for name in spec.fixture_names}
    takes_trial = spec.takes_trial
    names = tuple(spec.objectives)

    def objective(trial: Trial) -> Any:
        kwargs = {**bound, **trial.params}
        if takes_trial:
            kwargs[TRIAL_ARGUMENT] = trial
        value = function(**kwargs)
        if not names or trial.should_prune():  # a pruned trial's return value is not read: it is PRUNED
            return value
        if inspect.isgenerator(value):
            return _objectives_at_end(value, names)
        return parse_objectives(value, names)

    return objective


def _objectives_at_end(generator: Generator[Any, Any, Any], names: tuple[str, ...]) -> Generator[Any, Any, Any]:
    """A generator objective of several objectives: its yields (the first objective's) pass through to the
    pruner, and its return value, the dict of objectives, is parsed."""
    returned = yield from generator
    if returned is None:
        raise ObjectiveValueError(f"the generator returned nothing: with objectives ({', '.join(names)}) it "
                                  "returns the dict of their values after its last yield")
    return parse_objectives(returned, names)


def _record(experiment: Experiment, settings: Settings, outcome: SearchOutcome, status: str, *,
            recheck: bool = False) -> ExperimentResult:
    assert experiment.spec.space is not None
    pruner = None if recheck else settings.pruner
    return ExperimentResult(
        id=experiment.id, strategy=RECHECK_STRATEGY if recheck else settings.strategy,
        direction=settings.direction, seed=settings.seed,
        budget={"trials": len(outcome.trials) if recheck else settings.trials},
        space=experiment.spec.space.to_dict(), trials=outcome.trials, status=status,
        duration_s=outcome.duration_s, stop_reason=outcome.stop_reason, notes=list(settings.notes),
        tolerance=settings.declared_tolerance, source_hash=source_digest(experiment.function),
        pruner=None if pruner is None else {"name": pruner.name, "options": dict(pruner.options)},
        quiet_hints=list(experiment.spec.quiet_hints), objectives=dict(experiment.spec.objectives),
        limits=dict(experiment.spec.limits), objective_tolerances=dict(experiment.spec.objective_tolerances))


def _search(experiment: Experiment, settings: Settings, options: RunOptions, executor: Executor,
            journal_dir: Path | None, root: Path, progress: Progress | None) -> ExperimentResult:
    """Search (or resume) and return the record; a journal write failure stops the search and fails the record.

    A journal that cannot be written means a crash could lose what runs next, so the search stops at the
    first failed write: the record keeps every trial finished so far (those before the failed line are in
    the journal too, for ``--resume``) and is failed with one line naming the journal and the OS error.
    """
    spec = experiment.spec
    assert spec.space is not None
    strategy = get_strategy(settings.strategy)(spec.space, seed=settings.seed, budget=settings.trials)
    journal: Journal | None = None
    restored: list[TrialResult] = []
    if journal_dir is not None:
        print_ = fingerprint(space=searched(spec.space.to_dict()), strategy=settings.strategy,
                             direction=settings.direction, seed=settings.seed, objective=experiment.function,
                             start=settings.start)
        journal, restored = open_journal(journal_path(journal_dir, experiment.id), experiment_id=experiment.id,
                                         fingerprint=print_, space=spec.space, resume=options.resume,
                                         budget=settings.trials, root=root)
    if restored:
        settings = settings.with_note(f"resumed: {len(restored)} trials from the journal")
    if journal is not None and journal_dir is not None and journal.path != journal_path(journal_dir, experiment.id):
        settings = settings.with_note(f"another run is searching this experiment now: journaled to "
                                      f"{_relative(journal.path, root)} instead")
    if progress is not None:
        progress.started(settings.trials)
    finished = list(restored)  # kept here too: a failed journal write ends run_search without its outcome

    def on_trial(result: TrialResult, best: TrialResult | None, done: int) -> None:
        finished.append(result)
        if journal is not None:
            journal.append(result)  # on disk before the next trial is proposed
        if progress is not None:
            progress.trial_done(best, done)

    began = time.perf_counter()
    try:
        outcome = run_search(experiment.objective, strategy, trials=settings.trials, direction=settings.direction,
                             seed=settings.seed, executor=executor, on_trial=on_trial, restored=restored,
                             pruner=settings.pruner, stop=settings.stop, start_points=settings.start,
                             objectives=spec.objectives, limits=spec.limits)
        if journal is not None:
            journal.finish(ExperimentStatus.PASSED)  # the search ran to its end: nothing left to resume
    except SearchInterrupted as interrupt:
        raise ExperimentInterrupted(_record(experiment, settings, interrupt.outcome,
                                            ExperimentStatus.INTERRUPTED)) from None
    except JournalUnavailable as error:
        stopped = SearchOutcome(sorted(finished, key=lambda t: t.number), StopReason.INTERRUPTED,
                                time.perf_counter() - began)
        record = replace(_record(experiment, settings, stopped, ExperimentStatus.FAILED),
                         error=journal_failure(experiment.id, error, root))
        if progress is not None:
            progress.finished(record)
        return record
    finally:
        if journal is not None:
            journal.close()
    early = _EARLY_STOP_NOTES.get(outcome.stop_reason)
    if early is not None:
        settings = settings.with_note(early.format(n=len(outcome.trials), stop=settings.stop))
    record = _record(experiment, settings, outcome, ExperimentStatus.PASSED)
    # the trial the experiment is judged by: with several objectives the selected one (it meets the limits)
    kind, chosen = ("selected", record.selected) if record.objectives else ("best", record.best)
    if chosen is not None and chosen.warm_start and len(outcome.trials) > len(settings.start):
        settings = settings.with_note(
            f"the {kind} trial (#{chosen.number}) is a start point: no proposal of the search beat it")
        record = _record(experiment, settings, outcome, ExperimentStatus.PASSED)
    if progress is not None:
        progress.finished(record)
    return record


def _recheck(experiment: Experiment, settings: Settings, options: RunOptions, baseline: ResultsDocument,
             executor: Executor) -> ExperimentResult:
    spec = experiment.spec
    assert spec.space is not None
    previous = baseline.get(experiment.id)
    if previous is None or previous.best is None:
        raise ExperimentSkipped("not in the baseline: a new experiment, nothing to re-check")
    if previous.selected is None:
        raise ExperimentSkipped("the baseline has no feasible trial (none meets the limits): nothing to re-check")
    best = previous.selected  # the best trial, or with several objectives the best feasible one
    expected = spec.space.active_names(best.params)
    if set(best.params) != set(expected):
        raise ExperimentFailed(f"{experiment.id}: the baseline's best parameters {sorted(best.params)} do not "
                               f"match the space's active ones {sorted(expected)}: save a new baseline")
    outside = [name for name, value in best.params.items() if not spec.space[name].contains(value)]
    if outside:
        name = outside[0]
        raise ExperimentFailed(f"{experiment.id}: the baseline's best {name}={best.params[name]!r} is outside the "
                               f"space's {spec.space[name]!r}: save a new baseline")
    # The first evaluation reuses the baseline trial's own seed, so an unchanged deterministic
    # pipeline reproduces the baseline exactly; --seed (or further repeats) draws fresh seeds.
    seeds = [trial_seed(options.seed if options.seed is not None else previous.seed, best.number + k)
             for k in range(options.repeats)]
    if options.seed is None and best.seed is not None:
        seeds[0] = best.seed
    try:
        outcome = run_fixed(experiment.objective, best.params, seeds, executor=executor)
    except SearchInterrupted as interrupt:
        raise ExperimentInterrupted(_record(experiment, settings, interrupt.outcome, ExperimentStatus.INTERRUPTED,
                                            recheck=True)) from None
    return _record(experiment, settings, outcome, ExperimentStatus.PASSED, recheck=True)


def _all_failed_reason(record: ExperimentResult) -> str:
    failures = [t for t in record.trials if t.state is TrialState.FAIL]
    pruned = record.count(TrialState.PRUNED)
    if not failures:
        why = ("is the pruner too aggressive?" if record.pruner else
               "the experiment has no pruner: the objective raised TrialPruned itself")
        reason = f"no trial completed: all {pruned} were pruned ({why})"
    elif pruned:
        reason = f"no trial completed: {len(failures)} failed, {pruned} were pruned"
    else:
        reason = f"all {len(record.trials)} trials failed"
    if failures and failures[0].error:
        reason += f"; first error (trial {failures[0].number}): {failures[0].error}"
    return reason


def judge(record: ExperimentResult, baseline: ResultsDocument | None,
          tolerance: Tolerance = DEFAULT_TOLERANCE) -> ExperimentResult:
    """``record`` as failed when no trial completed or when it regressed against ``baseline``, else as is (with
    several objectives, measuring its hypervolume from the baseline's reference point).

    A record that failed already (its journal could not be written) is returned as is, with its reason.
    Returns a new record; ``record`` itself is not changed.
    """
    if record.status == ExperimentStatus.FAILED:
        return record
    if record.best is None:
        return replace(record, status=ExperimentStatus.FAILED, error=_all_failed_reason(record))
    if baseline is not None:
        previous = baseline.get(record.id)
        record = with_baseline_reference(record, previous)  # a baseline saved from this run keeps the reference
        for comparison in [compare_experiment(previous, record, tolerance), *compare_objectives(previous, record)]:
            if comparison.verdict is Verdict.REGRESSED:
                return replace(record, status=ExperimentStatus.FAILED, error=comparison.reason())
    return record


def failure_of(record: ExperimentResult) -> ExperimentFailed | None:
    """The error to report for a failed record (with the first failed trial's traceback), else ``None``."""
    if record.status != ExperimentStatus.FAILED:
        return None
    first_failure = next((t for t in record.trials if t.state is TrialState.FAIL), None)
    traceback_text = first_failure.traceback if first_failure is not None and record.best is None else None
    return ExperimentFailed(record.error or "failed", traceback_text)


def _relative(path: Path, root: Path) -> Path:
    return path.relative_to(root) if path.is_relative_to(root) else path


def _history_start(experiment: Experiment, settings: Settings, options: RunOptions, journal_dir: Path | None,
                   root: Path) -> Settings:
    """``settings`` with the run store's best configurations as start points; when resuming, the journal's."""
    assert experiment.spec.space is not None  # resolve_settings checked it
    if options.resume and journal_dir is not None:
        journaled = journaled_start(journal_path(journal_dir, experiment.id))
        if journaled is not None:
            return replace(settings, start=journaled)
    return with_history_start(settings, experiment_id=experiment.id, space=experiment.spec.space,
                              store=options.store, root=root)


def run_experiment(experiment: Experiment, options: RunOptions, *, executors: ExecutorSource,
                   journal_dir: Path | None = None, root: Path | None = None,
                   progress: Progress | None = None) -> ExperimentResult:
    """Run ``experiment`` as ``options`` ask (search, resume, or re-check a baseline) and judge the record.

    Args:
        experiment: The experiment and its objective.
        options: The run's options; the experiment's own settings apply where they say nothing.
        executors: Gives the executor for the resolved settings.
        journal_dir: Where the experiment's journal goes (needed to resume); ``None`` keeps no journal.
        root: The directory journal paths are shown relative to in messages.
        progress: Told about the search as it runs.

    Raises:
        ExperimentFailed: The experiment cannot run as set up (settings, executor, journal, baseline).
        ExperimentSkipped: A re-check of an experiment that the baseline does not have.
        ExperimentInterrupted: Ctrl-C; carries the record of the trials finished so far.
    """
    try:
        settings = resolve_settings(experiment.spec, options)
        if settings.warm_start == "history" and options.recheck is None:
            settings = _history_start(experiment, settings, options, journal_dir, root or Path.cwd())
        executor = executors(settings)
        if options.recheck is not None:
            record = _recheck(experiment, settings, options, options.recheck, executor)
        else:
            record = _search(experiment, settings, options, executor, journal_dir, root or Path.cwd(), progress)
    except (ExperimentFailed, ExperimentSkipped):
        raise
    except TunekitError as exc:
        raise ExperimentFailed(f"{experiment.id}: {exc}") from None
    return judge(record, options.baseline, settings.tolerance)
