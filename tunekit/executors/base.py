"""The executor interface and the function every executor runs for one trial."""

from __future__ import annotations

import copy
import inspect
import time
import traceback
from abc import ABC, abstractmethod
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import Any

from tunekit.trial import (
    ObjectiveValueError,
    Trial,
    TrialPruned,
    TrialResult,
    TrialState,
    describe_exception,
    parse_objective_value,
)

__all__ = ["Executor", "Objective", "evaluate"]

#: What an executor calls: the experiment's function bound to its fixtures, taking the trial handle.
Objective = Callable[[Trial], Any]


def _drive_generator(generator: Generator[Any, Any, Any], trial: Trial) -> Any:
    """Feed each yielded value to ``trial.report``; close the generator when the pruner says stop.

    The final value is the generator's ``return`` value, or else its last yielded value.
    """
    last: Any = None
    try:
        while True:
            last = next(generator)
            trial.record_report(last, None, "the generator's yielded value")
            if trial.should_prune():
                generator.close()
                raise TrialPruned
    except StopIteration as stop:
        if stop.value is not None:
            return stop.value
        if last is None:
            raise ObjectiveValueError("the generator yielded no value") from None
        return last


def evaluate(objective: Objective, trial: Trial) -> TrialResult:
    """Run one trial and record its outcome; every exception except an interrupt becomes a FAIL.

    A trial stopped by its pruner (a closed generator, ``TrialPruned``, or a return after
    ``should_prune()`` said so) is PRUNED with its last reported value as its score. ``SystemExit`` in the
    objective fails the trial too. The objective gets its own copy of the parameters: whatever it does
    with them, the proposed ones are recorded and the strategy's are left alone.
    """
    start = time.perf_counter()
    proposed = copy.deepcopy(trial.params)
    trial.params = copy.deepcopy(proposed)

    def result(state: TrialState, **fields: Any) -> TrialResult:
        return TrialResult(number=trial.number, params=proposed, state=state, seed=trial.seed,
                           duration_s=time.perf_counter() - start, intermediate=trial.intermediate or None,
                           **fields)

    try:
        value = objective(trial)
        if inspect.isgenerator(value):
            value = _drive_generator(value, trial)
        if trial.should_prune():
            raise TrialPruned
        outcome = parse_objective_value(value)
    except TrialPruned:
        last = trial.intermediate[-1][1] if trial.intermediate else None
        return result(TrialState.PRUNED, score=last)
    except ObjectiveValueError as exc:
        return result(TrialState.FAIL, error=str(exc))
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - user code: any error fails only this trial
        return result(TrialState.FAIL, error=describe_exception(exc),
                      traceback="".join(traceback.format_exception(exc)))
    return result(TrialState.COMPLETE, score=outcome.score, score_std=outcome.score_std, folds=outcome.folds,
                  metrics=outcome.metrics, values=outcome.values)


class Executor(ABC):
    """Evaluates trials; ``capacity`` is how many it runs at once.

    Every executor honours the same contract (``tests/executors`` checks it for each one): a result keeps
    the ``number``, ``params`` and ``seed`` of its trial; results come in any order; an exception in the
    objective, a timeout or a dead worker fails only that trial; ``KeyboardInterrupt`` propagates.
    """

    capacity: int = 1

    @abstractmethod
    def run(self, objective: Objective, trials: Iterable[Trial]) -> Iterator[TrialResult]:
        """Evaluate ``trials`` and yield their results as they finish.

        ``trials`` is consumed lazily: the next trial is taken only when a worker is free, after the
        previous result was yielded, so a generator may decide what to propose from the results so far.
        An interrupted or abandoned run stops whatever still runs for it.
        """

    def close(self) -> None:  # noqa: B027 - an optional hook: an executor without workers has none to release
        """Release workers; the default has none."""
