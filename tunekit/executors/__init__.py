"""Executors: where trials run. ``make_executor`` picks one from the run's settings.

- :class:`SerialExecutor`: in the pytest process, one trial after the other (the default);
- :class:`ProcessExecutor`: a pool of worker processes (``workers=N``, or any ``trial_timeout``);
- :class:`~tunekit.executors.dask.DaskExecutor`: a Dask cluster (``--dask ADDRESS`` or ``--dask local``),
  imported lazily because ``distributed`` is an optional extra.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from tunekit import validation
from tunekit.errors import ExecutorError
from tunekit.executors._resources import resolve_workers, usable_cpus
from tunekit.executors.base import Executor, Objective, evaluate
from tunekit.executors.process import ProcessExecutor
from tunekit.executors.serial import SerialExecutor

if TYPE_CHECKING:
    from tunekit.executors.dask import DaskExecutor

__all__ = [
    "DaskExecutor",
    "Executor",
    "ExecutorError",
    "Objective",
    "ProcessExecutor",
    "SerialExecutor",
    "evaluate",
    "make_executor",
    "resolve_workers",
    "usable_cpus",
]


def __getattr__(name: str) -> object:
    if name == "DaskExecutor":
        from tunekit.executors.dask import DaskExecutor

        return DaskExecutor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def make_executor(*, workers: int | str | None = None, trial_timeout: float | None = None,
                  dask: str | None = None) -> Executor:
    """The executor for an experiment's settings.

    Args:
        workers: Trials run at once: a positive integer or ``"auto"`` (the usable CPUs). On Dask, a cap
            on the trials in flight (default: the cluster's threads); with ``dask="local"``, the number
            of local Dask workers.
        trial_timeout: Seconds after which a trial is killed and recorded as failed. Forces worker
            processes even for ``workers=1``: only a separate process can be stopped safely.
        dask: Address of a Dask scheduler, or ``"local"`` to start a LocalCluster.

    Returns:
        A :class:`SerialExecutor` for one worker without timeout, a :class:`ProcessExecutor` otherwise,
        or a ``DaskExecutor`` when ``dask`` is given.

    Raises:
        SpecError: ``workers`` or ``trial_timeout`` is invalid.
        ExecutorError: Dask was requested but ``distributed`` is missing or the scheduler unreachable.
    """
    timeout = validation.seconds("trial_timeout", trial_timeout)
    if dask is not None:
        from tunekit.executors.dask import DaskExecutor

        return DaskExecutor(dask, workers=None if workers is None else resolve_workers(workers),
                            trial_timeout=timeout)
    count = resolve_workers(workers)
    if count == 1 and timeout is None:
        return SerialExecutor()
    if os.name != "posix":
        raise ExecutorError("worker processes and trial timeouts need Linux or macOS in this version "
                            "(on Windows: workers=1 without trial_timeout, or --dask)")
    return ProcessExecutor(count, trial_timeout=timeout)
