"""The executor interface and the function every executor runs for one trial."""

from __future__ import annotations

import time
import traceback
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from tunekit.trial import (
    ObjectiveValueError,
    Trial,
    TrialResult,
    TrialState,
    describe_exception,
    parse_objective_value,
)

__all__ = ["Executor", "Objective", "evaluate"]

#: What an executor calls: the experiment's function bound to its fixtures, taking the trial handle.
Objective = Callable[[Trial], Any]


def evaluate(objective: Objective, trial: Trial) -> TrialResult:
    """Run one trial and record its outcome; every exception except an interrupt becomes a FAIL."""
    start = time.perf_counter()
    try:
        outcome = parse_objective_value(objective(trial))
    except ObjectiveValueError as exc:
        return TrialResult(number=trial.number, params=trial.params, state=TrialState.FAIL,
                           duration_s=time.perf_counter() - start, error=str(exc), seed=trial.seed)
    except Exception as exc:  # the objective is user code: any error fails only this trial
        return TrialResult(number=trial.number, params=trial.params, state=TrialState.FAIL,
                           duration_s=time.perf_counter() - start, error=describe_exception(exc),
                           seed=trial.seed, traceback="".join(traceback.format_exception(exc)))
    return TrialResult(number=trial.number, params=trial.params, state=TrialState.COMPLETE,
                       score=outcome.score, score_std=outcome.score_std, folds=outcome.folds,
                       metrics=outcome.metrics, duration_s=time.perf_counter() - start, seed=trial.seed)


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

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release workers; the default has none."""
