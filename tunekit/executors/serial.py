"""Evaluate trials one after the other in the current process."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tunekit.executors.base import Executor, Objective, evaluate
from tunekit.trial import Trial, TrialResult

__all__ = ["SerialExecutor"]


class SerialExecutor(Executor):
    """The default executor: no processes, no pickling, exceptions and interrupts behave as usual."""

    capacity = 1

    def run(self, objective: Objective, trials: Iterable[Trial]) -> Iterator[TrialResult]:
        for trial in trials:
            yield evaluate(objective, trial)
