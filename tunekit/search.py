"""The search loop: ask the strategy, evaluate with the executor, tell the strategy, stop on budget."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from tunekit.executors import Executor, Objective, SerialExecutor
from tunekit.pruners import Pruner
from tunekit.strategies import Observation, Strategy
from tunekit.trial import Trial, TrialResult, TrialState, trial_seed

__all__ = ["run_search", "run_fixed", "StopRules", "Pruning", "is_better", "SearchOutcome", "SearchInterrupted", "observation_of", "StopReason"]


class StopReason:
    """Why a search ended, as written to results files and shown on the leaderboard."""

    BUDGET = "budget"
    EXHAUSTED = "exhausted"  # the strategy had nothing left to propose (a grid smaller than the budget)
    INTERRUPTED = "interrupted"
    TIMEOUT = "timeout"  # the experiment's wall-time limit
    PATIENCE = "patience"  # no improvement in the last N trials
    TARGET = "target"  # the score reached the experiment's target


@dataclass(frozen=True)
class StopRules:
    """Search-level stopping: a wall-time limit, patience in trials, and a target score (direction-aware)."""

    timeout: float | None = None
    patience: int | None = None
    target: float | None = None

    def check(self, best: TrialResult | None, last_number: int, elapsed: float, direction: str) -> str | None:
        """The reason to stop now, given the best complete trial so far and the last trial's number."""
        sign = 1.0 if direction == "maximize" else -1.0
        if self.target is not None and best is not None and sign * (best.score - self.target) >= 0:  # type: ignore[operator]
            return StopReason.TARGET
        if self.patience is not None and best is not None and last_number - best.number >= self.patience:
            return StopReason.PATIENCE
        if self.timeout is not None and elapsed >= self.timeout:
            return StopReason.TIMEOUT
        return None


def is_better(candidate: TrialResult, best: TrialResult | None, direction: str) -> bool:
    """Whether ``candidate`` is a complete trial that beats ``best`` (the earlier trial wins ties)."""
    if candidate.state is not TrialState.COMPLETE or candidate.score is None:
        return False
    if best is None or best.score is None:
        return True
    sign = 1.0 if direction == "maximize" else -1.0
    return sign * candidate.score > sign * best.score or (
        candidate.score == best.score and candidate.number < best.number)


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


class SearchInterrupted(KeyboardInterrupt):
    """Raised on Ctrl-C; carries the trials finished so far so that nothing computed is lost."""

    def __init__(self, outcome: SearchOutcome) -> None:
        super().__init__("search interrupted")
        self.outcome = outcome


def observation_of(result: TrialResult, direction: str) -> Observation:
    """What the strategy learns from ``result``: a loss to minimise, whatever the direction."""
    loss = None
    if result.state is not TrialState.FAIL and result.score is not None:
        loss = -result.score if direction == "maximize" else result.score
    return Observation(params=result.params, state=result.state, loss=loss)


def _stream(objective: Objective, strategy: Strategy, executor: Executor, *, seed: int, trials: int,
            direction: str, results: list[TrialResult], best: TrialResult | None, pruning: Pruning | None,
            stop: StopRules, start: float,
            on_trial: Callable[[TrialResult, TrialResult | None, int], None] | None,
            ) -> tuple[str, TrialResult | None]:
    """Search asking one trial whenever the executor has a free worker; return (stop reason, best).

    ``Executor.run`` takes the next trial only after yielding a result, so the stop rules and the strategy
    have seen every finished trial before each proposal. ``results`` is extended in place.
    """
    state: dict[str, Any] = {"best": best, "reason": StopReason.BUDGET,
                             "last": results[-1].number if results else -1}

    def proposals() -> Iterator[Trial]:
        for number in range(len(results), trials):
            if results:
                reason = stop.check(state["best"], state["last"], time.perf_counter() - start, direction)
                if reason is not None:
                    state["reason"] = reason
                    return
            asked = strategy.ask(1)
            if not asked:
                state["reason"] = StopReason.EXHAUSTED
                return
            yield Trial(number=number, params=asked[0], seed=trial_seed(seed, number),
                        _reporter=None if pruning is None else pruning.reporter_for(number))

    for result in executor.run(objective, proposals()):
        if pruning is not None:
            pruning.record(result)
        results.append(result)
        state["best"] = result if is_better(result, state["best"], direction) else state["best"]
        state["last"] = max(state["last"], result.number)
        if on_trial is not None:
            on_trial(result, state["best"], len(results))
        strategy.tell([observation_of(result, direction)])
    results.sort(key=lambda r: r.number)
    return state["reason"], state["best"]


def run_search(objective: Objective, strategy: Strategy, *, trials: int, direction: str, seed: int,
               executor: Executor | None = None,
               on_trial: Callable[[TrialResult, TrialResult | None, int], None] | None = None,
               restored: Sequence[TrialResult] = (), pruner: Pruner | None = None,
               stop: StopRules | None = None) -> SearchOutcome:
    """Evaluate up to ``trials`` proposals of ``strategy`` and return every trial's result.

    Trial ``k`` always gets the seed ``trial_seed(seed, k)``. ``on_trial(result, best, done)`` is called
    after each finished trial (to journal it before the next proposal, and for live progress). Each trial
    costs O(1) here, however long the search.
    ``restored`` are trials 0..k-1 of an earlier run of the same search (resume): they are not evaluated
    again and the strategy rebuilds its state from them. ``pruner`` decides on intermediate reports;
    ``stop`` ends the search early. Ctrl-C raises :class:`SearchInterrupted` holding the finished trials.
    """
    executor = executor or SerialExecutor()
    pruning = Pruning(pruner, direction) if pruner is not None else None
    stop = stop or StopRules()
    results: list[TrialResult] = sorted(restored, key=lambda r: r.number)
    if [r.number for r in results] != list(range(len(results))):
        raise ValueError("restored trials must be numbered 0..k-1 without gaps")
    if results:
        strategy.restore([observation_of(r, direction) for r in results])
        for r in results:
            if pruning is not None:
                pruning.record(r)
    best: TrialResult | None = None
    for r in results:
        best = r if is_better(r, best, direction) else best
    start = time.perf_counter()
    stop_reason = StopReason.BUDGET
    try:
        if getattr(strategy, "history_free", False) and executor.capacity > 1:
            # Keep every worker busy: a new trial as soon as one finishes. The same trials as in batches,
            # since such a strategy's k-th proposal does not depend on what it observed.
            stop_reason, best = _stream(objective, strategy, executor, seed=seed, trials=trials,
                                        direction=direction, results=results, best=best, pruning=pruning,
                                        stop=stop, start=start, on_trial=on_trial)
        while len(results) < trials and stop_reason == StopReason.BUDGET:
            reason = stop.check(best, results[-1].number, time.perf_counter() - start, direction) if results else None
            if reason is not None:
                stop_reason = reason
                break
            proposals = strategy.ask(min(executor.capacity, trials - len(results)))
            if not proposals:
                stop_reason = StopReason.EXHAUSTED
                break
            batch = [Trial(number=len(results) + i, params=params, seed=trial_seed(seed, len(results) + i),
                           _reporter=None if pruning is None else pruning.reporter_for(len(results) + i))
                     for i, params in enumerate(proposals)]
            finished = []
            for result in executor.run(objective, batch):
                if pruning is not None:
                    pruning.record(result)
                best = result if is_better(result, best, direction) else best
                finished.append(result)
                results.append(result)
                if on_trial is not None:
                    on_trial(result, best, len(results))
            finished.sort(key=lambda r: r.number)
            results[len(results) - len(finished):] = finished  # the batch in number order; earlier ones already are
            strategy.tell([observation_of(r, direction) for r in finished])
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
