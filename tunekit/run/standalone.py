"""Run one ``@tunable`` function from a notebook or a script, without pytest: :func:`tunekit.tune`."""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tunekit import validation
from tunekit.api import get_spec
from tunekit.compare import Tolerance
from tunekit.config import find_project_root, load_tool_config
from tunekit.errors import SpecError
from tunekit.executors import Executor, make_executor
from tunekit.results import ExperimentResult, ResultsDocument
from tunekit.results import load as load_results
from tunekit.run.experiment import Experiment, bind_objective, run_experiment
from tunekit.run.options import RunOptions
from tunekit.run.settings import Settings
from tunekit.store import store_url

__all__ = ["default_experiment_id", "tune"]


def _source_file(fn: Callable[..., Any]) -> Path | None:
    try:
        source = Path(inspect.getsourcefile(fn) or "")
    except TypeError:
        return None
    return source if source.name else None


def _project_root(fn: Callable[..., Any]) -> Path:
    """The project ``fn`` belongs to (its file's), else the current directory's."""
    source = _source_file(fn)
    return find_project_root(source.parent if source is not None else Path.cwd())


def default_experiment_id(fn: Callable[..., Any]) -> str:
    """The ID ``tunekit`` would give ``fn``: its file relative to the project root, ``::``, its name.

    So results of :func:`tune` compare with baselines saved by the ``tunekit`` command.
    """
    source = _source_file(fn)
    if source is None:
        return f"{fn.__module__}::{fn.__qualname__}"
    return f"{Path(os.path.relpath(source, _project_root(fn))).as_posix()}::{fn.__name__}"


def _baseline(value: str | os.PathLike[str] | ResultsDocument | None) -> ResultsDocument | None:
    if value is None or isinstance(value, ResultsDocument):
        return value
    return load_results(value)


def tune(fn: Callable[..., Any], /, *, fixtures: Mapping[str, Any] | None = None, strategy: str | None = None,
         trials: int | None = None, seed: int | None = None, workers: int | str | None = None,
         trial_timeout: float | None = None, pruner: Any = None, timeout: float | None = None,
         dask: str | None = None, journal: str | os.PathLike[str] | None = None, resume: bool = False,
         baseline: str | os.PathLike[str] | ResultsDocument | None = None, tolerance: float | str | None = None,
         experiment_id: str | None = None, warm_start: str | None = None, store: str | None = None,
         **fixture_values: Any) -> ExperimentResult:
    """Run the search of a ``@tunable`` function and return its record, as ``tunekit`` would for one experiment.

    Fixtures are given as keyword arguments named like the function's parameters (``digits=(X, y)``), or
    in ``fixtures`` for a fixture whose name is also one of the options below. The options override the
    decorator, like the command line's: ``trials=5`` shortens the search.

    Args:
        fn: A function decorated with :func:`tunekit.tunable`.
        fixtures: Values of the function's non-space parameters, by name.
        strategy: Search strategy (``--strategy``).
        trials: Trial budget (``--trials``).
        seed: Search seed (``--seed``); the same seed gives the same trials.
        workers: Trials at once in worker processes, or ``"auto"`` (``--workers``).
        trial_timeout: Seconds after which a trial is stopped and recorded as failed.
        pruner: Early stopping, as ``@tunable(pruner=...)`` takes it.
        timeout: Wall-time limit of the whole search, in seconds (``--search-timeout``).
        dask: A Dask scheduler address, or ``"local"``.
        journal: A directory for the experiment's journal (each finished trial is appended to it).
        resume: Continue the search recorded in ``journal`` instead of starting afresh.
        baseline: A results document (or its path) to judge the record against.
        tolerance: Allowed worsening against ``baseline`` when the experiment declares none.
        experiment_id: The record's ID; by default the ID ``tunekit`` gives the function.
        warm_start: ``"history"``: start from the best configurations the run store holds for this experiment
            and space (``--warm-start``); ``"none"``: not even when the decorator says ``start="history"``.
        store: The run store a warm start reads (``--store``); by default the one ``tunekit`` records in.
            ``tune()`` itself records nothing there: its record is returned.

    Returns:
        The experiment's record: status ``passed``, or ``failed`` with the reason in ``error`` when no
        trial completed, it regressed against ``baseline``, or its journal could not be written mid-search
        (the trials finished until then are in the record).

    Raises:
        SpecError: ``fn`` is not a valid ``@tunable`` function, an option is invalid, a fixture is missing.
        ExperimentFailed: The experiment cannot run as set up (e.g. a journal of another search).
        ExperimentInterrupted: Ctrl-C; its ``record`` holds every trial finished so far.
    """
    spec = get_spec(fn)
    if spec is None:
        raise SpecError(f"tune() needs a function decorated with @tunable, got {fn!r:.80}")
    identity = experiment_id or default_experiment_id(fn)
    if spec.error is not None:
        raise SpecError(f"{identity}: {spec.error}")
    given = {**(fixtures or {}), **fixture_values}
    unknown = sorted(set(given) - set(spec.fixture_names))
    if unknown:
        raise SpecError(f"{identity}: {unknown[0]!r} is not a fixture parameter of the function "
                        f"(fixtures: {', '.join(spec.fixture_names) or 'none'})")
    missing = [name for name in spec.fixture_names if name not in given]
    if missing:
        raise SpecError(f"{identity}: parameter {missing[0]!r} is neither in the space nor given: "
                        f"pass {missing[0]}=... to tune()")
    if resume and journal is None:
        raise SpecError("resume: needs journal=DIRECTORY, where the search to resume was journaled")
    if pruner is not None:
        from tunekit.pruners import as_pruner

        pruner = as_pruner(pruner)
    loaded = _baseline(baseline)
    root = _project_root(fn)
    warm_start = validation.warm_start("warm_start", warm_start)
    store = validation.store_url("store", store)
    if warm_start == "history" or (warm_start is None and spec.start_from == "history"):
        store = store_url(store, load_tool_config(root).store)
    options = RunOptions(
        strategy=validation.strategy_name("strategy", strategy), trials=validation.count("trials", trials),
        seed=validation.seed("seed", seed), workers=validation.workers("workers", workers),
        trial_timeout=validation.seconds("trial_timeout", trial_timeout), dask=dask, pruner=pruner,
        search_timeout=validation.seconds("timeout", timeout), resume=resume, baseline=loaded,
        tolerance=None if tolerance is None else Tolerance.parse(tolerance), warm_start=warm_start, store=store)
    experiment = Experiment(id=identity, spec=spec, objective=bind_objective(fn, spec, given), function=fn)
    executors: list[Executor] = []

    def executor_for(settings: Settings) -> Executor:
        executors.append(make_executor(workers=settings.workers, trial_timeout=settings.trial_timeout,
                                       dask=settings.dask))
        return executors[-1]

    journal_dir = None if journal is None else Path(journal)
    try:
        return run_experiment(experiment, options, executors=executor_for, journal_dir=journal_dir, root=root)
    finally:
        for executor in executors:
            executor.close()
