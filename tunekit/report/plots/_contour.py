"""What the contour plot shows: the score over the two most important parameters, between the trials.

The pair is the first usable one in the importance ranking (:mod:`tunekit.report.importance`): the two
most important parameters when both were active together in enough complete trials and took at least two
values there. The score between the trials is interpolated simply, by inverse-distance weighting in the
space's own scale (log ranges as log10, each range scaled to [0, 1]); a categorical axis takes its
categories as they are, and a cell is interpolated from the trials of its category only (none: no value).
A conditional parameter is absent from some trials: the plot uses the trials where both parameters are.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tunekit.report.plots._data import (
    AxisTicks,
    _complete,
    _on_axis,
    condition_label,
    log_ticks,
    value_label,
)
from tunekit.results import ExperimentResult
from tunekit.trial import TrialResult

__all__ = ["CONTOUR_MIN_PAIR_TRIALS", "ContourAxis", "ContourData", "ContourSkipped", "contour_data"]

#: Fewest complete trials with both parameters for a contour (fewer shows the interpolation, not the data).
CONTOUR_MIN_PAIR_TRIALS = 5
#: Grid points along a numeric axis.
_GRID = 40


@dataclass(frozen=True)
class ContourAxis:
    """One axis of the contour: its grid (numbers in the parameter's units, or category labels) and each
    shown trial's value. A log range carries its ``ticks``; a categorical axis its categories as ``grid``."""

    name: str
    kind: str  # "real", "integer" or "categorical"
    log: bool
    grid: list[Any]
    values: list[Any]
    low: float | None
    high: float | None
    ticks: AxisTicks | None
    condition: str


@dataclass(frozen=True)
class ContourData:
    """The interpolated score on the grid of two parameters, and the trials it comes from.

    ``z[j][i]`` is the score at ``y.grid[j]`` and ``x.grid[i]`` (``None`` where nothing is known: a
    category no shown trial has). ``numbers`` and ``scores`` are the shown trials', ``complete`` the
    experiment's complete trials (a conditional pair shows fewer).
    """

    direction: str
    x: ContourAxis
    y: ContourAxis
    z: list[list[float | None]]
    scores: list[float]
    numbers: list[int]
    best_number: int | None
    complete: int

    @property
    def trials(self) -> int:
        """How many trials the contour is interpolated from."""
        return len(self.numbers)


@dataclass(frozen=True)
class ContourSkipped:
    """Why an experiment has no contour plot (one short sentence)."""

    reason: str


def _usable(name: str, dim: Mapping[str, Any], trial: TrialResult) -> bool:
    if name not in trial.params:
        return False
    return dim.get("type") == "categorical" or _on_axis(trial.params[name], bool(dim.get("log")))


def _axis(name: str, dim: Mapping[str, Any], trials: list[TrialResult]) -> tuple[ContourAxis, np.ndarray,
                                                                                 np.ndarray]:
    """The axis, and the trials' and the grid's coordinates: in [0, 1] on a numeric axis, the category's
    index on a categorical one."""
    raw = [t.params[name] for t in trials]
    if dim.get("type") == "categorical":
        labels = [value_label(c) for c in dim.get("choices", [])]
        shown = [value_label(v) for v in raw]
        labels += sorted({v for v in shown if v not in labels})
        index = {label: i for i, label in enumerate(labels)}
        axis = ContourAxis(name=name, kind="categorical", log=False, grid=labels, values=shown, low=None,
                           high=None, ticks=None, condition=condition_label(dim))
        return axis, np.array([index[v] for v in shown], dtype=float), np.arange(len(labels), dtype=float)
    log = bool(dim.get("log"))
    low, high = float(dim["low"]), float(dim["high"])
    scale = math.log10 if log else float
    start, span = scale(low), (scale(high) - scale(low)) or 1.0
    if dim.get("type") == "integer" and high - low < _GRID:
        grid = [float(v) for v in range(math.ceil(low), math.floor(high) + 1)]
    else:
        grid = [10.0 ** g if log else float(g) for g in np.linspace(scale(low), scale(high), _GRID)]
    axis = ContourAxis(name=name, kind=str(dim.get("type")), log=log, grid=grid, values=raw, low=low, high=high,
                       ticks=log_ticks(low, high) if log else None, condition=condition_label(dim))
    coords = np.array([(scale(float(v)) - start) / span for v in raw])
    return axis, coords, np.array([(scale(g) - start) / span for g in grid])


def _interpolate(x: tuple[bool, np.ndarray, np.ndarray], y: tuple[bool, np.ndarray, np.ndarray],
                 scores: np.ndarray) -> list[list[float | None]]:
    """Inverse-distance weighting (power 2) on the grid; a categorical axis (``True`` first) only matches
    its own category. A grid point on a trial takes the mean of the trials there."""
    (x_cat, x_at, x_grid), (y_cat, y_at, y_grid) = x, y
    rows: list[list[float | None]] = []
    for y_point in y_grid:  # one grid row at a time: (columns, trials) arrays stay small with many trials
        dx = x_grid[:, None] - x_at
        dy = np.broadcast_to(y_point - y_at, dx.shape)
        same = np.ones(dx.shape, dtype=bool)
        squared = np.zeros(dx.shape)
        for categorical, delta in ((x_cat, dx), (y_cat, dy)):
            if categorical:
                same &= delta == 0
            else:
                squared += delta ** 2
        hits = same & (squared < 1e-18)
        weights = np.where(same, 1.0 / np.maximum(squared, 1e-18), 0.0)
        weights = np.where(hits.any(axis=-1, keepdims=True), hits.astype(float), weights)
        total = weights.sum(axis=-1)
        values = (weights * scores).sum(axis=-1) / np.where(total > 0, total, 1.0)
        rows.append([float(v) if w > 0 else None for v, w in zip(values, total, strict=True)])
    return rows


def contour_data(exp: ExperimentResult, ranking: Sequence[str] | None = None) -> ContourData | ContourSkipped:
    """The contour of ``exp`` over the first usable pair of ``ranking`` (the parameters, most important
    first; by default :func:`~tunekit.report.importance.param_importance`'s), or why there is none."""
    space = exp.space
    if len(space) < 2:
        return ContourSkipped("Needs two parameters: this search has one.")
    if ranking is None:
        from tunekit.report.importance import MIN_TRIALS, param_importance

        importance = param_importance(exp)
        if importance is None:
            return ContourSkipped(f"Drawn from {MIN_TRIALS} complete trials on: it needs the importance ranking.")
        ranking = importance.names
    names = [n for n in ranking if n in space]
    complete = _complete(exp)
    for j in range(1, len(names)):
        for i in range(j):
            first, second = names[i], names[j]
            trials = [t for t in complete if _usable(first, space[first], t) and _usable(second, space[second], t)]
            if len(trials) < CONTOUR_MIN_PAIR_TRIALS or any(
                    len({value_label(t.params[n]) for t in trials}) < 2 for n in (first, second)):
                continue
            x_axis, x_at, x_grid = _axis(first, space[first], trials)
            y_axis, y_at, y_grid = _axis(second, space[second], trials)
            scores = np.array([float(t.score) for t in trials])  # type: ignore[arg-type]
            z = _interpolate((x_axis.kind == "categorical", x_at, x_grid),
                             (y_axis.kind == "categorical", y_at, y_grid), scores)
            best = exp.best
            return ContourData(direction=exp.direction, x=x_axis, y=y_axis, z=z, scores=scores.tolist(),
                               numbers=[t.number for t in trials],
                               best_number=best.number if best is not None and best in trials else None,
                               complete=len(complete))
    return ContourSkipped(f"No two parameters were searched together in at least {CONTOUR_MIN_PAIR_TRIALS} "
                          "complete trials with two values each.")
