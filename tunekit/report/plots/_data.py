"""What each plot shows, computed from an experiment record by pure functions (no drawing here).

Every function takes an :class:`~tunekit.results.ExperimentResult` and returns a small frozen dataclass,
or ``None`` when the plot would be empty; :mod:`tunekit.report.plots._figures` turns them into figures.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tunekit.results import ExperimentResult
from tunekit.trial import TrialResult, TrialState

__all__ = [
    "INTERMEDIATE_METRIC",
    "HistoryData",
    "IntermediateCurve",
    "IntermediateData",
    "ParallelAxis",
    "ParallelData",
    "SliceData",
    "history_data",
    "intermediate_data",
    "parallel_data",
    "parse_intermediate",
    "slice_data",
    "value_label",
]

#: Metric key under which a trial may carry its intermediate values (what a pruner looked at).
INTERMEDIATE_METRIC = "intermediate"


def value_label(value: Any) -> str:
    """A parameter value as shown on axes and in hover text (4 significant digits for floats)."""
    if isinstance(value, float):
        return f"{value:.4g}"
    if value is None:
        return "None"
    return str(value)


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
    """Score against one parameter's value, over the complete trials.

    Numeric parameters carry numbers in ``values`` and their range; categorical ones carry labels, and
    ``categories`` lists every choice in declaration order (so an axis shows untried choices too).
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


def slice_data(exp: ExperimentResult) -> list[SliceData]:
    """One slice per parameter of the space (trials missing the parameter are left out)."""
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
            best_score=best.score if best is not None and best in trials else None))
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

@dataclass(frozen=True)
class ParallelAxis:
    """One vertical axis: values already encoded as numbers (log10 for log ranges, choice index for
    categories), with the ticks that show the real values."""

    name: str
    values: list[float]
    low: float
    high: float
    tickvals: list[float] | None
    ticktext: list[str] | None


@dataclass(frozen=True)
class ParallelData:
    """Complete trials as lines through one axis per parameter, coloured by score."""

    direction: str
    axes: list[ParallelAxis]
    scores: list[float]
    numbers: list[int]


def _log_ticks(low: float, high: float) -> tuple[list[float], list[str]]:
    """Ticks at the powers of ten inside [low, high] (or at the ends when there are fewer than two)."""
    first, last = math.ceil(math.log10(low) - 1e-9), math.floor(math.log10(high) + 1e-9)
    exponents = list(range(first, last + 1))
    if len(exponents) < 2:
        values = [low, high]
        return [math.log10(v) for v in values], [f"{v:.3g}" for v in values]
    return [float(e) for e in exponents], [f"1e{e}" if abs(e) > 2 else f"{10.0 ** e:g}" for e in exponents]


def _encode_axis(name: str, dim: Mapping[str, Any], trials: list[TrialResult]) -> ParallelAxis:
    raw = [t.params.get(name) for t in trials]
    if dim.get("type") == "categorical":
        labels = [value_label(c) for c in dim.get("choices", [])]
        shown = [value_label(v) for v in raw]
        labels += sorted({v for v in shown if v not in labels})
        index = {label: i for i, label in enumerate(labels)}
        return ParallelAxis(name=name, values=[float(index[v]) for v in shown], low=-0.25,
                            high=len(labels) - 0.75, tickvals=[float(i) for i in range(len(labels))],
                            ticktext=labels)
    low, high = float(dim["low"]), float(dim["high"])
    if dim.get("log"):
        log_vals, log_text = _log_ticks(low, high)
        return ParallelAxis(name=f"{name} (log)", values=[math.log10(float(v)) for v in raw],  # type: ignore[arg-type]
                            low=math.log10(low), high=math.log10(high), tickvals=log_vals, ticktext=log_text)
    tickvals: list[float] | None = None
    ticktext: list[str] | None = None
    if dim.get("type") == "integer":  # whole-number ticks: 2, 4, 7, 9, 12 rather than 4.5 or 9.5
        ticks = sorted({round(low + (high - low) * k / 4) for k in range(5)})
        tickvals, ticktext = [float(t) for t in ticks], [str(t) for t in ticks]
    return ParallelAxis(name=name, values=[float(v) for v in raw], low=low, high=high,  # type: ignore[arg-type]
                        tickvals=tickvals, ticktext=ticktext)


def parallel_data(exp: ExperimentResult) -> ParallelData | None:
    """Parallel coordinates of the complete trials, or ``None`` without any."""
    names = list(exp.space)

    def usable(trial: TrialResult) -> bool:
        for name in names:
            if name not in trial.params:
                return False
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
