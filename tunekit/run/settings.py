"""An experiment's settings as it will run: its decorator, the run's options and the defaults, resolved once.

The precedence rules live in :func:`resolve_settings` alone, one line per value. The run's options
override what the decorator declares (``--trials 5`` shortens every search), except the tolerance: an
experiment's declared tolerance is part of what it knows about its own noise, so ``--tolerance`` only
applies to experiments that declare none.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, TypeVar

from tunekit.api import DEFAULT_TRIALS, TunableSpec, too_many_start_points
from tunekit.compare import DEFAULT_TOLERANCE, Tolerance
from tunekit.errors import SpecError
from tunekit.pruners import Pruner
from tunekit.run.options import RunOptions
from tunekit.search import StopRules
from tunekit.space import Space
from tunekit.strategies import default_strategy

__all__ = ["Settings", "resolve_settings"]

T = TypeVar("T")


def _first(*values: T | None) -> T | None:
    """The first value that is set (not ``None``)."""
    return next((v for v in values if v is not None), None)


@dataclass(frozen=True)
class Settings:
    """Everything an experiment's search runs with, after precedence and defaults."""

    strategy: str
    trials: int
    seed: int
    direction: str
    tolerance: Tolerance
    #: Whether the experiment declared its own tolerance (recorded in results, so later comparisons use it).
    declared_tolerance: str | None
    workers: int | str | None
    trial_timeout: float | None
    dask: str | None
    pruner: Pruner | None
    stop: StopRules
    start: tuple[dict[str, Any], ...]
    #: ``"history"``: start points are added from the run store (``--warm-start``, else ``start="history"``).
    warm_start: str | None = None
    notes: tuple[str, ...] = ()

    def with_note(self, note: str) -> Settings:
        """A copy with ``note`` added to what the results and the leaderboard say about the search."""
        return replace(self, notes=(*self.notes, note))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _grid_budget(space: Space, trials: int | None, start: tuple[dict[str, Any], ...]) -> tuple[int, list[str]]:
    """A grid search's budget and notes: the whole grid unless ``trials`` says otherwise.

    Start points on the grid are not evaluated twice; those off it are trials on top of the grid.
    """
    size = space.grid_size
    off_grid = sum(space.grid_index(point) is None for point in start)
    whole = size + off_grid
    described = _plural(size, "point") + (f" (and {_plural(off_grid, 'start point')} off it)" if off_grid else "")
    budget = whole if trials is None else trials
    if budget < whole:
        return budget, [(f"grid has {described} but the budget is {budget} trials: "
                        f"evaluated a seeded subset (--trials {whole} for the whole grid)")]
    if budget > whole:
        return whole, [f"grid has only {described}: {_plural(whole, 'trial')} instead of {budget}"]
    return budget, []


def resolve_settings(spec: TunableSpec, options: RunOptions) -> Settings:
    """Apply the run's options and the defaults to an experiment's declaration.

    Raises:
        SpecError: the start points do not fit the resolved budget.
    """
    space = spec.space
    if space is None:
        raise SpecError(spec.error or "the experiment has no valid space")
    trials = _first(options.trials, spec.trials)
    strategy = _first(options.strategy, spec.strategy) or default_strategy(space, trials)
    notes: list[str] = []
    if strategy == "grid":
        budget, notes = _grid_budget(space, trials, spec.start)
    else:
        budget = trials or DEFAULT_TRIALS
    if len(spec.start) > budget:
        raise SpecError(too_many_start_points(len(spec.start), budget))
    declared = spec.tolerance
    workers = options.workers if options.workers is not None else spec.workers
    pruner = _first(options.pruner, spec.pruner)
    return Settings(
        strategy=strategy,
        trials=budget,
        seed=_first(options.seed, spec.seed) or 0,
        direction=spec.direction,
        tolerance=Tolerance.parse(declared) if declared else options.tolerance or DEFAULT_TOLERANCE,
        declared_tolerance=declared,
        workers=workers,
        trial_timeout=_first(options.trial_timeout, spec.trial_timeout),
        dask=options.dask,
        pruner=pruner,
        stop=StopRules(timeout=_first(options.search_timeout, spec.timeout), patience=spec.patience,
                       target=spec.target),
        start=spec.start,
        warm_start=_first(options.warm_start, spec.start_from) if options.warm_start != "none" else None,
        notes=tuple(notes),
    )
