"""Plots of an experiment with several objectives: its Pareto front and its hypervolume over the trials.

Pure functions of the records, like :mod:`tunekit.report.plots._data`: :func:`pareto_data` returns the trials
of one pair of objectives split into the front, the dominated and the infeasible ones (and a baseline's front
to overlay); :func:`hypervolume_data` the front's hypervolume after each trial. Nothing is drawn here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

from tunekit import pareto
from tunekit.results import ExperimentResult, feasible_trials
from tunekit.trial import TrialResult, TrialState

__all__ = ["HypervolumeData", "ParetoData", "ParetoPoints", "hypervolume_data", "pareto_data"]


@dataclass(frozen=True)
class ParetoPoints:
    """Trials drawn alike: their numbers and their values of the plot's two objectives."""

    numbers: list[int]
    x: list[float]
    y: list[float]


@dataclass(frozen=True)
class ParetoData:
    """Two objectives of an experiment's trials: the Pareto front (by the first axis), the feasible trials it
    dominates, the infeasible ones, the selected trial, and the baseline's front when one is given.

    With three objectives there is one of these per pair, and the front is the experiment's (non-dominated
    in all three), so a front trial may look dominated in one pair.
    """

    x_name: str
    y_name: str
    x_direction: str
    y_direction: str
    front: ParetoPoints
    dominated: ParetoPoints
    infeasible: ParetoPoints
    selected: int | None
    baseline_front: ParetoPoints | None = None
    limits: tuple[float | None, float | None] = (None, None)


@dataclass(frozen=True)
class HypervolumeData:
    """The front's hypervolume after each trial (by trial number, from the first trial on), measured from
    ``reference``; the baseline's hypervolume from the same point, when a baseline with the same objectives
    is given."""

    numbers: list[int]
    values: list[float]
    reference: dict[str, float]
    baseline: float | None = None


def _points(trials: list[TrialResult], x: str, y: str) -> ParetoPoints:
    return ParetoPoints([t.number for t in trials], [float((t.values or {})[x]) for t in trials],
                        [float((t.values or {})[y]) for t in trials])


def _with_values(exp: ExperimentResult) -> list[TrialResult]:
    return sorted((t for t in exp.trials if t.state is TrialState.COMPLETE and t.values is not None
                   and set(t.values) == set(exp.objectives)), key=lambda t: t.number)


def _same_objectives(exp: ExperimentResult, baseline: ExperimentResult | None) -> ExperimentResult | None:
    return baseline if baseline is not None and baseline.objectives == exp.objectives else None


def pareto_data(exp: ExperimentResult, baseline: ExperimentResult | None = None) -> list[ParetoData]:
    """One plot's data per pair of objectives (one for two objectives, three for three); none with fewer
    than two objectives, more than three, or no complete trial. ``baseline`` (the same experiment in a
    baseline, with the same objectives) adds its front."""
    if not 2 <= len(exp.objectives) <= 3:
        return []
    trials = _with_values(exp)
    if not trials:
        return []
    front = exp.pareto_front
    front_numbers = {t.number for t in front}
    feasible = {t.number for t in feasible_trials(trials, exp.objectives, exp.limits)}
    dominated = [t for t in trials if t.number in feasible and t.number not in front_numbers]
    infeasible = [t for t in trials if t.number not in feasible]
    selected = exp.selected
    reference = _same_objectives(exp, baseline)
    plots = []
    for x, y in combinations(exp.objectives, 2):
        ordered = sorted(front, key=lambda t: ((t.values or {})[x], t.number))
        plots.append(ParetoData(
            x_name=x, y_name=y, x_direction=exp.objectives[x], y_direction=exp.objectives[y],
            front=_points(ordered, x, y), dominated=_points(dominated, x, y),
            infeasible=_points(infeasible, x, y), selected=None if selected is None else selected.number,
            baseline_front=None if reference is None else _points(
                sorted(reference.pareto_front, key=lambda t: ((t.values or {})[x], t.number)), x, y),
            limits=(exp.limits.get(x), exp.limits.get(y))))
    return plots


def hypervolume_data(exp: ExperimentResult, baseline: ExperimentResult | None = None) -> HypervolumeData | None:
    """The hypervolume of the feasible trials' front after each trial, from the baseline's reference point
    when a baseline with the same objectives is given (so that its hypervolume is a level to compare with),
    else from the experiment's own; ``None`` without a reference point or trials, or when the volume overflows."""
    same = _same_objectives(exp, baseline)
    reference = (same.reference if same is not None else None) or exp.reference
    if reference is None or not exp.trials:
        return None
    ref_point = pareto.as_losses(reference, exp.objectives)
    feasible = {t.number for t in feasible_trials(exp.trials, exp.objectives, exp.limits)}
    front: list[tuple[float, ...]] = []
    numbers, values = [], []
    volume = 0.0
    for trial in sorted(exp.trials, key=lambda t: t.number):
        if trial.number in feasible:
            point = pareto.as_losses(trial.values or {}, exp.objectives)
            if not any(pareto.dominates(p, point) or p == point for p in front):
                # the front is kept small and exact: a new point drops the ones it dominates
                front = [p for p in front if not pareto.dominates(point, p)] + [point]
                volume = pareto.hypervolume(front, ref_point)
        numbers.append(trial.number)
        values.append(volume)
    before = None
    if same is not None:
        before = pareto.hypervolume([pareto.as_losses(t.values or {}, same.objectives) for t in same.pareto_front],
                                    ref_point)
    if not all(map(math.isfinite, [*values, *([] if before is None else [before])])):
        return None  # values near the float range overflow the volume: nothing to draw (the results record none)
    return HypervolumeData(numbers, values, dict(reference), before)
