"""The session's executors, shared by its experiments and stopped when pytest unconfigures."""

from __future__ import annotations

import pytest

from tunekit.executors import Executor, make_executor
from tunekit.run.settings import Settings

__all__ = ["POOL_KEY", "ExecutorPool"]


class ExecutorPool:
    """One executor per distinct (workers, trial timeout, Dask address): worker processes (or a Dask
    LocalCluster) start once per session (per xdist worker) instead of once per experiment."""

    def __init__(self) -> None:
        self._executors: dict[tuple[object, ...], Executor] = {}

    def executor_for(self, settings: Settings) -> Executor:
        """The executor for an experiment's settings, started on first use."""
        key = (settings.workers, settings.trial_timeout, settings.dask)
        if key not in self._executors:
            self._executors[key] = make_executor(workers=settings.workers, trial_timeout=settings.trial_timeout,
                                                 dask=settings.dask)
        return self._executors[key]

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        # Runs in xdist workers too (unlike the hooks that handle records): every pool is stopped.
        executors, self._executors = list(self._executors.values()), {}
        for executor in executors:
            executor.close()


POOL_KEY = pytest.StashKey[ExecutorPool]()
