"""Executors: where trials run. ``make_executor`` picks one from the run's settings."""

from __future__ import annotations

from tunekit.errors import SpecError
from tunekit.executors.base import Executor, Objective, evaluate
from tunekit.executors.serial import SerialExecutor

__all__ = ["Executor", "Objective", "SerialExecutor", "evaluate", "make_executor"]


def make_executor(*, workers: int | str | None = None, trial_timeout: float | None = None,
                  dask: str | None = None) -> Executor:
    """The executor for an experiment: in-process and serial unless workers, a timeout or Dask are asked for."""
    if workers in (None, 1) and trial_timeout is None and dask is None:
        return SerialExecutor()
    raise SpecError("parallel workers, trial timeouts and Dask are not available in this version")
