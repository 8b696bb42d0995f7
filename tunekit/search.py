"""The search loop: ask the strategy, evaluate with the executor, tell the strategy, stop on budget."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from tunekit.errors import SearchInterrupted
from tunekit.executors import Executor, Objective, SerialExecutor
from tunekit.pareto import as_losses
from tunekit.pruners import Pruner
from tunekit.results import StopReason, is_better
from tunekit.strategies import Observation, Strategy
from tunekit.trial import Trial, TrialResult, TrialState, trial_seed

__all__ = [
    "Pruning",
    "SearchInterrupted",
    "SearchOutcome",
    "StopReason",
    "StopRules",
    "observation_of",
    "run_fixed",
    "run_search",
]




@dataclass(frozen=True)
class StopRules:
    """Search-level stopping: a wall-time limit, patience in trials, and a target score (direction-aware)."""

    timeout: float | None = None
    patience: int | None = None
    target: float | None = None

    def check(self, best: TrialResult | None, last_number: int, elapsed: float, direction: str) -> str | None:
        """The reason to stop now, given the best complete trial so far and the last trial's number."""
        sign = 1.0 if direction == "maximize" else -1.0
        if (self.target is not None and best is not None and best.score is not None
                and sign * (best.score - self.target) >= 0):
            return StopReason.TARGET
        if self.patience is not None and best is not None and last_number - best.number >= self.patience:
            return StopReason.PATIENCE
        if self.timeout is not None and elapsed >= self.timeout:
            return StopReason.TIMEOUT
        return None


class Pruning:
    """Holds every trial's reports as losses and asks the pruner about the running trial's latest one."""

    def __init__(self, pruner: Pruner, direction: str) -> None:
        self.pruner = pruner
        self.sign = -1.0 if direction == "maximize" else 1.0
        self.history: dict[int, dict[int, float]] = {}

    def reporter_for(self, number: int) -> Callable[[int, float], bool]:
        def report(step: int, value: float) -> bool:
            self.history.setdefault(number, {})[step] = self.sign * value
            return bool(self.pruner.should_prune(number, step, self.history))

        return report

    def record(self, result: TrialResult) -> None:
        """Keep a finished trial's reports (also those made in another process, which had no reporter)."""
        if result.intermediate:
            self.history[result.number] = {step: self.sign * value for step, value in result.intermediate}


@dataclass
class SearchOutcome:
    """Every finished trial in number order, why the search stopped, and how long it took."""

    trials: list[TrialResult]
    stop_reason: str
    duration_s: float



def observation_of(result: TrialResult, direction: str, objectives: Mapping[str, str] | None = None,
                   limits: Mapping[str, float] | None = None) -> Observation:
    """What the strategy learns from ``result``: a loss to minimise, whatever the direction, and with
    ``objectives`` one loss per objective and how far the trial misses ``limits``."""
    loss = None
    if result.state is not TrialState.FAIL and result.score is not None:
        loss = -result.score if direction == "maximize" else result.score
    losses, violation = None, 0.0
    if objectives and result.values is not None and set(result.values) == set(objectives):
        losses = as_losses(result.values, objectives)
        for name, limit in (limits or {}).items():
            miss = limit - result.values[name] if objectives[name] == "maximize" else result.values[name] - limit
            violation += max(0.0, miss) / max(abs(limit), 1e-12)
    sign = -1.0 if direction == "maximize" else 1.0
    intermediate = tuple((int(step), sign * float(value)) for step, value in result.intermediate or ())
    return Observation(params=result.params, state=result.state, loss=loss, warm_start=result.warm_start,
                       losses=losses, violation=violation, intermediate=intermediate)


class _Progress:
    """A search's running state: finished trials, the best so far, the highest number, pruning history.

    Both search loops (streaming and batches) make trials and record results through it, so journaling,
    pruning and the stop rules see every trial the same way.
    """

    def __init__(self, restored: Sequence[TrialResult], *, seed: int, direction: str, pruning: Pruning | None,
                 on_trial: Callable[[TrialResult, TrialResult | None, int], None] | None,
                 objectives: Mapping[str, str] | None = None, limits: Mapping[str, float] | None = None) -> None:
        self.seed, self.direction, self.pruning, self.on_trial = seed, direction, pruning, on_trial
        self.objectives, self.limits = objectives, limits
        self.results: list[TrialResult] = sorted(restored, key=lambda r: r.number)
        if [r.number for r in self.results] != list(range(len(self.results))):
            raise ValueError("restored trials must be numbered 0..k-1 without gaps")
        self.best: TrialResult | None = None
        self.last = -1
        for result in self.results:
            self._note(result)

    def _note(self, result: TrialResult) -> None:
        if self.pruning is not None:
            self.pruning.record(result)
        if is_better(result, self.best, self.direction):
            self.best = result
        self.last = max(self.last, result.number)

    def trial(self, number: int, params: dict[str, Any]) -> Trial:
        """Trial ``number``, with its own seed and, when pruning, a reporter."""
        return Trial(number=number, params=params, seed=trial_seed(self.seed, number),
                     reporter=None if self.pruning is None else self.pruning.reporter_for(number))

    def observation(self, result: TrialResult) -> Observation:
        """What the strategy learns from ``result``."""
        return observation_of(result, self.direction, self.objectives, self.limits)

    def add(self, result: TrialResult) -> None:
        """Record a finished trial and tell ``on_trial`` (which journals it before the next proposal)."""
        self._note(result)
        self.results.append(result)
        if self.on_trial is not None:
            self.on_trial(result, self.best, len(self.results))

    def stop_reason(self, stop: StopRules, start: float) -> str | None:
        """Why the stop rules end the search now, or ``None`` (never before the first trial)."""
        if not self.results:
            return None
        return stop.check(self.best, self.last, time.perf_counter() - start, self.direction)


def _stream(objective: Objective, strategy: Strategy, executor: Executor, progress: _Progress, *, trials: int,
            stop: StopRules, start: float) -> str:
    """Search asking one trial whenever the executor has a free worker; return the stop reason.

    ``Executor.run`` takes the next trial only after yielding a result, so the stop rules and the strategy
    have seen every finished trial before each proposal.
    """
    reason = StopReason.BUDGET

    def proposals() -> Iterator[Trial]:
        nonlocal reason
        for number in range(len(progress.results), trials):
            stopping = progress.stop_reason(stop, start)
            if stopping is not None:
                reason = stopping
                return
            asked = strategy.ask(1)
            if not asked:
                reason = StopReason.EXHAUSTED
                return
            yield progress.trial(number, asked[0])

    for result in executor.run(objective, proposals()):
        progress.add(result)
        strategy.tell([progress.observation(result)])
    progress.results.sort(key=lambda r: r.number)
    return reason


def _evaluate_start_points(objective: Objective, executor: Executor, progress: _Progress,
                           points: Sequence[Mapping[str, Any]], *, stop: StopRules, start: float) -> str | None:
    """Evaluate the start points not evaluated yet, as the trials of their index, all at once as far as the
    executor's workers allow; return why the stop rules ended the search, or ``None``."""
    reason = None

    def trials() -> Iterator[Trial]:
        nonlocal reason
        for number in range(len(progress.results), len(points)):
            reason = progress.stop_reason(stop, start)
            if reason is not None:
                return
            yield progress.trial(number, dict(points[number]))

    for result in executor.run(objective, trials()):
        progress.add(replace(result, warm_start=True))
    progress.results.sort(key=lambda r: r.number)
    return reason


def run_search(objective: Objective, strategy: Strategy, *, trials: int, direction: str, seed: int,
               executor: Executor | None = None,
               on_trial: Callable[[TrialResult, TrialResult | None, int], None] | None = None,
               restored: Sequence[TrialResult] = (), pruner: Pruner | None = None,
               stop: StopRules | None = None, start_points: Sequence[Mapping[str, Any]] = (),
               objectives: Mapping[str, str] | None = None, limits: Mapping[str, float] | None = None) -> SearchOutcome:
    """Evaluate up to ``trials`` proposals of ``strategy`` and return every trial's result.

    Trial ``k`` always gets the seed ``trial_seed(seed, k)``. ``on_trial(result, best, done)`` is called
    after each finished trial (to journal it before the next proposal, and for live progress). Each trial
    costs O(1) here, however long the search.
    ``start_points`` (warm start, at most ``trials``) are evaluated first, as trials 0..k-1 marked
    ``warm_start``, through the executor like any trial; the strategy is then restored with them (see
    :meth:`Strategy.restore`) before its first proposal, whatever the number of workers.
    ``restored`` are trials 0..k-1 of an earlier run of the same search (resume): they are not evaluated
    again and the strategy rebuilds its state from them. ``pruner`` decides on intermediate reports;
    ``stop`` ends the search early. ``objectives`` and ``limits`` (an experiment with several objectives)
    give the strategy each trial's losses and limit violation besides its score's loss.
    Ctrl-C raises :class:`SearchInterrupted` holding the finished trials.
    """
    if len(start_points) > trials:
        raise ValueError(f"{len(start_points)} start points do not fit in a budget of {trials} trials")
    executor = executor or SerialExecutor()
    stop = stop or StopRules()
    progress = _Progress(restored, seed=seed, direction=direction, on_trial=on_trial,
                         pruning=Pruning(pruner, direction) if pruner is not None else None,
                         objectives=objectives, limits=limits)
    results = progress.results
    start = time.perf_counter()
    stop_reason = StopReason.BUDGET
    try:
        if len(results) < len(start_points):  # a fresh search, or one interrupted among its start points
            stop_reason = _evaluate_start_points(objective, executor, progress, start_points, stop=stop,
                                                 start=start) or stop_reason
        if results:
            strategy.restore([progress.observation(r) for r in results])
        streaming = (getattr(strategy, "history_free", False) or getattr(strategy, "asynchronous", False)) \
            and executor.capacity > 1
        if streaming and stop_reason == StopReason.BUDGET:
            # Keep every worker busy: a new trial as soon as one finishes. The same trials as in batches
            # for a strategy whose k-th proposal does not depend on what it observed; an asynchronous one
            # learns from whatever finished first (as ASHA decides on whatever reached a rung first).
            stop_reason = _stream(objective, strategy, executor, progress, trials=trials, stop=stop, start=start)
        while len(results) < trials and stop_reason == StopReason.BUDGET:
            reason = progress.stop_reason(stop, start)
            if reason is not None:
                stop_reason = reason
                break
            proposals = strategy.ask(min(executor.capacity, trials - len(results)))
            if not proposals:
                stop_reason = StopReason.EXHAUSTED
                break
            before = len(results)
            batch = [progress.trial(before + i, params) for i, params in enumerate(proposals)]
            for result in executor.run(objective, batch):
                progress.add(result)
            results[before:] = sorted(results[before:], key=lambda r: r.number)  # earlier ones already are
            strategy.tell([progress.observation(r) for r in results[before:]])
    except KeyboardInterrupt:
        results.sort(key=lambda r: r.number)
        raise SearchInterrupted(SearchOutcome(results, StopReason.INTERRUPTED,
                                              time.perf_counter() - start)) from None
    return SearchOutcome(results, stop_reason, time.perf_counter() - start)


def run_fixed(objective: Objective, params: dict[str, Any], seeds: Sequence[int], *,
              executor: Executor | None = None) -> SearchOutcome:
    """Evaluate one parameter set once per seed (a re-check of a baseline's best): no strategy, no search."""
    executor = executor or SerialExecutor()
    batch = [Trial(number=i, params=dict(params), seed=seed) for i, seed in enumerate(seeds)]
    start = time.perf_counter()
    results: list[TrialResult] = []
    try:
        results.extend(executor.run(objective, batch))
    except KeyboardInterrupt:
        raise SearchInterrupted(SearchOutcome(sorted(results, key=lambda r: r.number), StopReason.INTERRUPTED,
                                              time.perf_counter() - start)) from None
    return SearchOutcome(sorted(results, key=lambda r: r.number), StopReason.BUDGET, time.perf_counter() - start)
