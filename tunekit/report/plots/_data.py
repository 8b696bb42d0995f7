"""What each plot shows, computed from an experiment record by pure functions (no drawing here).

Every function takes an :class:`~tunekit.results.ExperimentResult` and returns a small frozen dataclass,
or ``None`` when the plot would be empty; :mod:`tunekit.report.plots._figures` turns them into figures.
A conditional parameter (one with a ``when``) is absent from the trials where it is inactive: a slice shows
the trials that have it, and parallel coordinates put the others at an "(inactive)" position on its axis.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tunekit.results import ExperimentResult
from tunekit.trial import TrialResult, TrialState

__all__ = [
    "INACTIVE_LABEL",
    "INTERMEDIATE_METRIC",
    "HistoryData",
    "IntermediateCurve",
    "IntermediateData",
    "ParallelAxis",
    "ParallelData",
    "SliceData",
    "condition_label",
    "history_data",
    "intermediate_data",
    "linear_ticks",
    "parallel_data",
    "parse_intermediate",
    "slice_data",
    "value_label",
]

#: Metric key under which a trial may carry its intermediate values (what a pruner looked at).
INTERMEDIATE_METRIC = "intermediate"
#: How an axis labels the trials in which a conditional parameter is inactive (has no value).
INACTIVE_LABEL = "(inactive)"


def value_label(value: Any) -> str:
    """A parameter value as shown on axes and in hover text (4 significant digits for floats)."""
    if isinstance(value, float):
        return f"{value:.4g}"
    if value is None:
        return "None"
    return str(value)


def condition_label(dim: Mapping[str, Any]) -> str:
    """A results-file dimension's condition as it is written in ``when(...)``: ``kernel='poly'`` or
    ``model=['svc', 'knn']``; ``""`` for a parameter that is always active."""
    when = dim.get("when")
    if not isinstance(when, Mapping) or not when:
        return ""
    parts = []
    for parent, values in when.items():
        listed = list(values) if isinstance(values, (list, tuple)) else [values]
        parts.append(f"{parent}={listed[0]!r}" if len(listed) == 1 else f"{parent}={listed!r}")
    return ", ".join(parts)


def _complete(exp: ExperimentResult) -> list[TrialResult]:
    return sorted((t for t in exp.trials if t.state is TrialState.COMPLETE and t.score is not None),
                  key=lambda t: t.number)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


# --- optimization history ------------------------------------------------------------------------------

@dataclass(frozen=True)
class HistoryData:
    """Each complete trial's score in trial order, and the best score found up to it."""

    direction: str
    numbers: list[int]
    scores: list[float]
    best_so_far: list[float]
    labels: list[str]  # the trial's parameters, for hover text
    best_number: int | None
    failed: int
    pruned: int


def history_data(exp: ExperimentResult) -> HistoryData | None:
    """The optimization history of ``exp``, or ``None`` when no trial completed."""
    complete = _complete(exp)
    if not complete:
        return None
    better = max if exp.direction == "maximize" else min
    running: list[float] = []
    for trial in complete:
        score = float(trial.score)  # type: ignore[arg-type]
        running.append(score if not running else better(running[-1], score))
    best = exp.best
    return HistoryData(
        direction=exp.direction, numbers=[t.number for t in complete],
        scores=[float(t.score) for t in complete],  # type: ignore[arg-type]
        best_so_far=running,
        labels=[", ".join(f"{k}={value_label(v)}" for k, v in t.params.items()) for t in complete],
        best_number=None if best is None else best.number,
        failed=exp.count(TrialState.FAIL), pruned=exp.count(TrialState.PRUNED))


# --- slices --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SliceData:
    """Score against one parameter's value, over the complete trials that have it.

    Numeric parameters carry numbers in ``values`` and their range; categorical ones carry labels, and
    ``categories`` lists every choice in declaration order (so an axis shows untried choices too). A
    conditional parameter's slice holds only the trials in which it was active: ``len(numbers)`` of the
    experiment's ``complete`` trials, under ``condition`` (``kernel='poly'``; ``""`` when always active).
    """

    name: str
    kind: str  # "real", "integer" or "categorical"
    log: bool
    low: float | None
    high: float | None
    categories: list[str] | None
    values: list[Any]
    scores: list[float]
    numbers: list[int]
    best_value: Any
    best_score: float | None
    condition: str = ""
    complete: int = 0

    @property
    def trials(self) -> int:
        """How many trials the slice shows."""
        return len(self.numbers)


def slice_data(exp: ExperimentResult) -> list[SliceData]:
    """One slice per parameter of the space; a slice leaves out the trials that lack its parameter (where
    it was inactive), and says how many it shows of how many (``trials`` of ``complete``)."""
    complete = _complete(exp)
    best = exp.best
    slices = []
    for name, dim in exp.space.items():
        kind = str(dim.get("type"))
        trials = [t for t in complete if name in t.params]
        if kind == "categorical":
            categories = [value_label(c) for c in dim.get("choices", [])]
            values: list[Any] = [value_label(t.params[name]) for t in trials]
            categories += sorted({v for v in values if v not in categories})
            low = high = None
            best_value = value_label(best.params.get(name)) if best and name in best.params else None
        else:
            trials = [t for t in trials if _is_number(t.params[name])]
            categories = None
            values = [t.params[name] for t in trials]
            low, high = float(dim["low"]), float(dim["high"])
            best_value = best.params.get(name) if best else None
        slices.append(SliceData(
            name=name, kind=kind, log=bool(dim.get("log", False)), low=low, high=high, categories=categories,
            values=values, scores=[float(t.score) for t in trials],  # type: ignore[arg-type]
            numbers=[t.number for t in trials], best_value=best_value,
            best_score=best.score if best is not None and best in trials else None,
            condition=condition_label(dim), complete=len(complete)))
    return slices


# --- intermediate values ------------------------------------------------------------------------------

def parse_intermediate(raw: Any) -> list[tuple[float, float]] | None:
    """Read a trial's ``metrics["intermediate"]``: ``[[step, value], ...]`` (or a plain list of values,
    whose steps are then 0, 1, 2, ...). Anything else, or non-finite numbers, gives ``None``."""
    if not isinstance(raw, list) or not raw:
        return None
    if all(_is_number(v) for v in raw):
        return [(float(i), float(v)) for i, v in enumerate(raw)]
    points = []
    for pair in raw:
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2 and all(map(_is_number, pair))):
            return None
        points.append((float(pair[0]), float(pair[1])))
    return sorted(points)


def trial_intermediate(trial: TrialResult) -> list[tuple[float, float]] | None:
    """The (step, value) pairs a trial reported: its ``intermediate`` field (``trial.report(...)``), else a
    ``metrics["intermediate"]`` an objective returned itself (read by :func:`parse_intermediate`)."""
    recorded = getattr(trial, "intermediate", None)
    if recorded:
        return sorted((float(step), float(value)) for step, value in recorded)
    return parse_intermediate(trial.metrics.get(INTERMEDIATE_METRIC))


@dataclass(frozen=True)
class IntermediateCurve:
    """The intermediate values one trial reported, by step."""

    number: int
    state: str
    steps: list[float]
    values: list[float]


@dataclass(frozen=True)
class IntermediateData:
    """Learning curves of the trials that reported intermediate values (pruned ones stand out)."""

    direction: str
    curves: list[IntermediateCurve]

    @property
    def pruned(self) -> int:
        return sum(c.state == TrialState.PRUNED.value for c in self.curves)


def intermediate_data(exp: ExperimentResult) -> IntermediateData | None:
    """Curves of every trial with intermediate values, or ``None`` when no pruned trial has any.

    The plot is about what pruning stopped, so it is drawn only when at least one pruned trial reported
    intermediate values; complete trials are then drawn beside them for reference.
    """
    curves = []
    for trial in sorted(exp.trials, key=lambda t: t.number):
        points = trial_intermediate(trial)
        if points:
            curves.append(IntermediateCurve(number=trial.number, state=trial.state.value,
                                            steps=[p[0] for p in points], values=[p[1] for p in points]))
    if not any(c.state == TrialState.PRUNED.value for c in curves):
        return None
    return IntermediateData(direction=exp.direction, curves=curves)


# --- parallel coordinates -----------------------------------------------------------------------------

#: How far below a numeric axis's range its inactive trials sit, as a share of the range.
_INACTIVE_GAP = 0.15


@dataclass(frozen=True)
class ParallelAxis:
    """One vertical axis: values already encoded as numbers (log10 for log ranges, choice index for
    categories), with the ticks that show the real values.

    Trials in which a conditional parameter is inactive sit at ``inactive``, the bottom of the axis
    (below the range, or below the first choice), ticked :data:`INACTIVE_LABEL`; ``None`` when every
    trial has the parameter.
    """

    name: str
    values: list[float]
    low: float
    high: float
    tickvals: list[float] | None
    ticktext: list[str] | None
    inactive: float | None = None


@dataclass(frozen=True)
class ParallelData:
    """Complete trials as lines through one axis per parameter, coloured by score."""

    direction: str
    axes: list[ParallelAxis]
    scores: list[float]
    numbers: list[int]


def linear_ticks(low: float, high: float) -> tuple[list[float], list[str]]:
    """Five evenly spaced ticks from ``low`` to ``high``, with their labels."""
    values = [low + (high - low) * k / 4 for k in range(5)]
    return values, [f"{v:.3g}" for v in values]


def _log_ticks(low: float, high: float) -> tuple[list[float], list[str]]:
    """Ticks at the powers of ten inside [low, high] (or at the ends when there are fewer than two)."""
    first, last = math.ceil(math.log10(low) - 1e-9), math.floor(math.log10(high) + 1e-9)
    exponents = list(range(first, last + 1))
    if len(exponents) < 2:
        values = [low, high]
        return [math.log10(v) for v in values], [f"{v:.3g}" for v in values]
    return [float(e) for e in exponents], [f"1e{e}" if abs(e) > 2 else f"{10.0 ** e:g}" for e in exponents]


def _encode_axis(name: str, dim: Mapping[str, Any], trials: list[TrialResult]) -> ParallelAxis:
    some_inactive = any(name not in t.params for t in trials)
    if dim.get("type") == "categorical":
        labels = [value_label(c) for c in dim.get("choices", [])]
        shown = [value_label(t.params[name]) if name in t.params else None for t in trials]
        labels += sorted({v for v in shown if v is not None and v not in labels})
        index = {label: float(i) for i, label in enumerate(labels)}
        positions = [float(i) for i in range(len(labels))]
        if not some_inactive:
            return ParallelAxis(name=name, values=[index[v] for v in shown if v is not None], low=-0.25,
                                high=len(labels) - 0.75, tickvals=positions, ticktext=labels)
        return ParallelAxis(name=name, values=[-1.0 if v is None else index[v] for v in shown], low=-1.25,
                            high=len(labels) - 0.75, tickvals=[-1.0, *positions],
                            ticktext=[INACTIVE_LABEL, *labels], inactive=-1.0)
    low, high = float(dim["low"]), float(dim["high"])
    label = name
    encode: Callable[[float], float] = float
    tickvals: list[float] | None = None
    ticktext: list[str] | None = None
    if dim.get("log"):
        tickvals, ticktext = _log_ticks(low, high)
        label, encode, low, high = f"{name} (log)", math.log10, math.log10(low), math.log10(high)
    elif dim.get("type") == "integer":  # whole-number ticks: 2, 4, 7, 9, 12 rather than 4.5 or 9.5
        ticks = sorted({round(low + (high - low) * k / 4) for k in range(5)})
        tickvals, ticktext = [float(t) for t in ticks], [str(t) for t in ticks]
    if not some_inactive:
        return ParallelAxis(name=label, values=[encode(float(t.params[name])) for t in trials], low=low, high=high,
                            tickvals=tickvals, ticktext=ticktext)
    if tickvals is None:
        tickvals, ticktext = linear_ticks(low, high)
    inactive = low - _INACTIVE_GAP * (high - low)
    return ParallelAxis(name=label, values=[encode(float(t.params[name])) if name in t.params else inactive
                                            for t in trials],
                        low=inactive, high=high, tickvals=[inactive, *tickvals],
                        ticktext=[INACTIVE_LABEL, *(ticktext or [])], inactive=inactive)


def parallel_data(exp: ExperimentResult) -> ParallelData | None:
    """Parallel coordinates of the complete trials, or ``None`` without any.

    Every complete trial is a line, whichever branch of a conditional space it took: an axis whose
    parameter the trial lacks takes it through the axis's inactive position. A trial with a value that
    cannot be placed on its axis (not a number on a numeric axis, not positive on a log one) is left out.
    """
    names = list(exp.space)

    def usable(trial: TrialResult) -> bool:
        for name in names:
            if name not in trial.params:
                continue
            value = trial.params[name]
            dim = exp.space[name]
            if dim.get("type") != "categorical" and not (
                    _is_number(value) and (not dim.get("log") or value > 0)):
                return False
        return True

    trials = [t for t in _complete(exp) if usable(t)]
    if not trials:
        return None
    return ParallelData(direction=exp.direction, axes=[_encode_axis(n, exp.space[n], trials) for n in names],
                        scores=[float(t.score) for t in trials],  # type: ignore[arg-type]
                        numbers=[t.number for t in trials])
