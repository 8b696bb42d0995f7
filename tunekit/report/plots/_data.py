"""What each plot shows, computed from an experiment record by pure functions (no drawing here).

Every function takes an :class:`~tunekit.results.ExperimentResult` and returns a small frozen dataclass,
or ``None`` when the plot would be empty; :mod:`tunekit.report.plots._figures` turns them into figures.
A conditional parameter (one with a ``when``) is absent from the trials where it is inactive: a slice shows
the trials that have it, and parallel coordinates put the others at an "(inactive)" position on its axis.
Log axes get their ticks here (:func:`log_ticks`), all labelled in one notation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tunekit.results import ExperimentResult
from tunekit.trial import TrialResult, TrialState

__all__ = [
    "INACTIVE_LABEL",
    "INTERMEDIATE_METRIC",
    "AxisTicks",
    "EdfData",
    "HistoryData",
    "IntermediateCurve",
    "IntermediateData",
    "ParallelAxis",
    "ParallelData",
    "SliceData",
    "condition_label",
    "edf_data",
    "history_data",
    "intermediate_data",
    "linear_ticks",
    "log_ticks",
    "parallel_data",
    "parse_intermediate",
    "pruned_value",
    "slice_data",
    "tick_labels",
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


def _on_axis(value: Any, log: bool) -> bool:
    """Whether a numeric parameter's value can be drawn on its axis (a number; positive on a log axis)."""
    return _is_number(value) and (not log or value > 0)


def pruned_value(trial: TrialResult) -> float | None:
    """The value a pruned trial is drawn at: its recorded score (the last value it reported), else the last
    of its intermediate values; ``None`` when it reported nothing."""
    if _is_number(trial.score):
        return float(trial.score)  # type: ignore[arg-type]
    points = trial_intermediate(trial)
    return points[-1][1] if points else None


def _pruned(exp: ExperimentResult) -> list[tuple[TrialResult, float]]:
    """The pruned trials that can be drawn, with the value they are drawn at, in trial order."""
    found = []
    for trial in sorted(exp.trials, key=lambda t: t.number):
        if trial.state is TrialState.PRUNED:
            value = pruned_value(trial)
            if value is not None:
                found.append((trial, value))
    return found


def _params_label(trial: TrialResult) -> str:
    return ", ".join(f"{k}={value_label(v)}" for k, v in trial.params.items())


# --- log axis ticks -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class AxisTicks:
    """Where an axis puts its ticks (``values``, in the data's own units) and what they say (``labels``)."""

    values: list[float]
    labels: list[str]


#: Tick values inside this range are written plainly (0.001, 0.5, 2000); an axis with any tick outside it
#: writes every tick in exponent form (1e-6, 5e-5, 1e5), so one axis never mixes notations.
PLAIN_RANGE = (1e-3, 1e4)


def _exponent_label(value: float) -> str:
    exponent = math.floor(math.log10(abs(value)))
    mantissa = float(f"{abs(value) / 10.0 ** exponent:.3g}")
    if mantissa >= 10:  # 9.9995 rounds to 10
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{'-' if value < 0 else ''}{mantissa:g}e{exponent}"


def tick_labels(values: list[float]) -> list[str]:
    """Labels for ticks, all in one notation: plain when every non-zero value lies within
    :data:`PLAIN_RANGE`, exponent form (``1e-6``, ``2.5e3``) otherwise."""
    low, high = PLAIN_RANGE
    plain = all(v == 0 or low * (1 - 1e-9) <= abs(v) <= high * (1 + 1e-9) for v in values)
    if plain:
        return [f"{v:.6g}" for v in values]
    return ["0" if v == 0 else _exponent_label(v) for v in values]


def _round_inwards(value: float, *, up: bool) -> float:
    quantum = 10.0 ** (math.floor(math.log10(value)) - 2)
    steps = value / quantum
    return float(f"{(math.ceil(steps - 1e-9) if up else math.floor(steps + 1e-9)) * quantum:.3g}")


def log_ticks(low: float, high: float, *, most: int = 8) -> AxisTicks:
    """Ticks for a log axis from ``low`` to ``high`` (both > 0): the powers of ten inside when there are
    three or more (every other one, or sparser, past ``most``), else 1-2-5 steps, else 1-9 steps, else the
    ends; labels by :func:`tick_labels`."""
    if not (low > 0 and high > low):
        ends = [v for v in (low, high) if v > 0] or [1.0]
        return AxisTicks(values=ends, labels=tick_labels(ends))
    first, last = math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1
    values: list[float] = []
    for mantissas, enough in (((1,), 3), ((1, 2, 5), 2), ((1, 2, 3, 4, 5, 6, 7, 8, 9), 2)):
        values = [v for e in range(first, last + 1) for m in mantissas
                  if low * (1 - 1e-9) <= (v := float(f"{m}e{e}")) <= high * (1 + 1e-9)]
        if len(values) >= enough:
            break
    if len(values) < 2:  # a narrow range: its ends, rounded inwards to 3 significant digits
        values = [_round_inwards(low, up=True), _round_inwards(high, up=False)]
    if len(values) > most:
        step = math.ceil(len(values) / most)
        values = values[::step]
    return AxisTicks(values=values, labels=tick_labels(values))


# --- optimization history ------------------------------------------------------------------------------

@dataclass(frozen=True)
class HistoryData:
    """Each complete trial's score in trial order, and the best score found up to it.

    ``warm_start`` says, for each complete trial, whether it evaluated one of the experiment's start
    points. Pruned trials are apart (``pruned_*``), at the last value they reported, and do not count
    for the best so far; ``pruned`` counts them all, including any that reported nothing.
    """

    direction: str
    numbers: list[int]
    scores: list[float]
    best_so_far: list[float]
    labels: list[str]  # the trial's parameters, for hover text
    best_number: int | None
    failed: int
    pruned: int
    warm_start: list[bool] = field(default_factory=list)
    pruned_numbers: list[int] = field(default_factory=list)
    pruned_values: list[float] = field(default_factory=list)
    pruned_labels: list[str] = field(default_factory=list)

    @property
    def starts(self) -> int:
        """How many complete trials were start points."""
        return sum(self.warm_start)


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
    pruned = _pruned(exp)
    return HistoryData(
        direction=exp.direction, numbers=[t.number for t in complete],
        scores=[float(t.score) for t in complete],  # type: ignore[arg-type]
        best_so_far=running,
        labels=[_params_label(t) for t in complete],
        best_number=None if best is None else best.number,
        failed=exp.count(TrialState.FAIL), pruned=exp.count(TrialState.PRUNED),
        warm_start=[t.warm_start for t in complete],
        pruned_numbers=[t.number for t, _ in pruned], pruned_values=[v for _, v in pruned],
        pruned_labels=[_params_label(t) for t, _ in pruned])


# --- slices --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SliceData:
    """Score against one parameter's value, over the complete trials that have it.

    Numeric parameters carry numbers in ``values`` and their range; categorical ones carry labels, and
    ``categories`` lists every choice in declaration order (so an axis shows untried choices too). A
    conditional parameter's slice holds only the trials in which it was active: ``len(numbers)`` of the
    experiment's ``complete`` trials, under ``condition`` (``kernel='poly'``; ``""`` when always active).
    ``warm_start`` marks the complete trials that were start points; pruned trials that have the parameter
    are apart (``pruned_*``, at the last value they reported). A log range carries its ``ticks``.
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
    warm_start: list[bool] = field(default_factory=list)
    pruned_values: list[Any] = field(default_factory=list)
    pruned_scores: list[float] = field(default_factory=list)
    pruned_numbers: list[int] = field(default_factory=list)
    ticks: AxisTicks | None = None

    @property
    def trials(self) -> int:
        """How many complete trials the slice shows."""
        return len(self.numbers)


def slice_data(exp: ExperimentResult) -> list[SliceData]:
    """One slice per parameter of the space; a slice leaves out the trials that lack its parameter (where
    it was inactive), and says how many it shows of how many (``trials`` of ``complete``)."""
    complete = _complete(exp)
    all_pruned = _pruned(exp)
    best = exp.best
    slices = []
    for name, dim in exp.space.items():
        kind = str(dim.get("type"))
        log = bool(dim.get("log", False))
        trials = [t for t in complete if name in t.params]
        pruned = [(t, v) for t, v in all_pruned if name in t.params]
        ticks = None
        if kind == "categorical":
            categories = [value_label(c) for c in dim.get("choices", [])]
            values: list[Any] = [value_label(t.params[name]) for t in trials]
            pruned_values: list[Any] = [value_label(t.params[name]) for t, _ in pruned]
            categories += sorted({v for v in [*values, *pruned_values] if v not in categories})
            low = high = None
            best_value = value_label(best.params.get(name)) if best and name in best.params else None
        else:
            trials = [t for t in trials if _on_axis(t.params[name], log)]
            pruned = [(t, v) for t, v in pruned if _on_axis(t.params[name], log)]
            categories = None
            values = [t.params[name] for t in trials]
            pruned_values = [t.params[name] for t, _ in pruned]
            low, high = float(dim["low"]), float(dim["high"])
            best_value = best.params.get(name) if best else None
            if log:
                ticks = log_ticks(low, high)
        slices.append(SliceData(
            name=name, kind=kind, log=log, low=low, high=high, categories=categories,
            values=values, scores=[float(t.score) for t in trials],  # type: ignore[arg-type]
            numbers=[t.number for t in trials], best_value=best_value,
            best_score=best.score if best is not None and best in trials else None,
            condition=condition_label(dim), complete=len(complete),
            warm_start=[t.warm_start for t in trials], pruned_values=pruned_values,
            pruned_scores=[v for _, v in pruned], pruned_numbers=[t.number for t, _ in pruned], ticks=ticks))
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
    """:func:`log_ticks` at their log10 positions (a parallel axis holds log10 of a log range's values)."""
    ticks = log_ticks(low, high)
    return [math.log10(v) for v in ticks.values], ticks.labels


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


# --- empirical distribution function -------------------------------------------------------------------

@dataclass(frozen=True)
class EdfData:
    """The empirical distribution of the complete trials' scores, read in the experiment's direction.

    ``shares[i]`` is the share of the trials whose score is at least as good as ``scores[i]`` (at least
    it when maximizing, at most it when minimizing); ``scores`` are the distinct scores, ascending. A
    search that found good values often has a curve that stays high towards the good end.
    """

    direction: str
    scores: list[float]
    shares: list[float]
    trials: int


def edf_data(exp: ExperimentResult) -> EdfData | None:
    """The EDF of ``exp``'s complete trials (see :class:`EdfData`), or ``None`` without any."""
    scores = sorted(float(t.score) for t in _complete(exp))  # type: ignore[arg-type]
    if not scores:
        return None
    n = len(scores)
    distinct = sorted(set(scores))
    if exp.direction == "maximize":  # share scoring >= x
        shares = [sum(s >= x for s in scores) / n for x in distinct]
    else:  # share scoring <= x
        shares = [sum(s <= x for s in scores) / n for x in distinct]
    return EdfData(direction=exp.direction, scores=distinct, shares=shares, trials=n)
