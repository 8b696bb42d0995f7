"""Diagnostics: one-line hints about a finished search (shown under the leaderboard and in reports).

Each check looks at one experiment record and returns a hint or nothing. :func:`diagnose` runs them in
order of importance: broken trials first (nothing else is trustworthy while many fail), then limits that few
trials meet (with several objectives), a search space that is too narrow, a search that has not converged,
over- or underfitting, and fold noise. The thresholds are the module constants below, so they are documented
in one place.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any

from tunekit.results import ExperimentResult
from tunekit.trial import TrialResult, TrialState

__all__ = [
    "EDGE_FRACTION",
    "FAILED_FRACTION",
    "FEASIBLE_FRACTION",
    "HINT_KINDS",
    "LAST_FRACTION",
    "MIN_TRIALS_CONVERGENCE",
    "MIN_TRIALS_EDGE",
    "OVERFIT_GAP",
    "STEEP_FRACTION",
    "STEEP_STEPS",
    "UNDERFIT_MAXIMIZE",
    "UNDERFIT_MINIMIZE",
    "diagnose",
    "diagnose_by_kind",
]

#: More than this share of failed trials (timeouts included) is worth a hint.
FAILED_FRACTION = 0.20
#: A best value within this share of the range from a bound (in the range's own scale: log ranges in
#: log space) is "at the bound".
EDGE_FRACTION = 0.05
#: The edge check needs this many complete trials (one lucky trial says little).
MIN_TRIALS_EDGE = 3
#: Convergence checks need this many complete trials.
MIN_TRIALS_CONVERGENCE = 10
#: The best trial came among the last ``LAST_FRACTION`` of the trials: not converged.
LAST_FRACTION = 0.10
#: Still improving: the last quarter of the trials brought at least this share of the total improvement,
#: in at least ``STEEP_STEPS`` separate improvements (one lucky draw is not a trend).
STEEP_FRACTION = 0.25
STEEP_STEPS = 2
#: Overfitting: the train score beats the validation score by more than this share of the larger one.
OVERFIT_GAP = 0.10
#: Underfitting, for scores in [0, 1] only (accuracy, AUC, R², error rates): a train score this poor.
UNDERFIT_MAXIMIZE = 0.6
UNDERFIT_MINIMIZE = 0.4
_TRAIN_METRIC = "train_score"
#: With limits, fewer than this share of the complete trials meeting them is worth a hint.
FEASIBLE_FRACTION = 0.20


def _complete(exp: ExperimentResult) -> list[TrialResult]:
    return sorted((t for t in exp.trials if t.state is TrialState.COMPLETE and t.score is not None),
                  key=lambda t: t.number)


def _reference(exp: ExperimentResult) -> TrialResult | None:
    """The trial the hints judge: the best one, or with several objectives the selected one (the best first
    objective among the trials that meet the limits)."""
    return exp.selected if exp.objectives else exp.best


def _fmt(value: float) -> str:
    text = f"{value:.3g}"
    if "e" in text:  # 1e+03 -> 1e3, 1e-05 -> 1e-5
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text


def _short(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


# --- the checks ---------------------------------------------------------------------------------------

def check_failures(exp: ExperimentResult) -> list[str]:
    """Many failed trials (timeouts included); not when every trial failed (that is the experiment's error)."""
    total = len(exp.trials)
    failed = [t for t in exp.trials if t.state is TrialState.FAIL]
    if not total or not failed or len(failed) == total or len(failed) / total <= FAILED_FRACTION:
        return []
    timed_out = sum("timed out" in (t.error or "").lower() or "timeout" in (t.error or "").lower() for t in failed)
    text = f"{len(failed)} of {total} trials failed ({len(failed) / total:.0%})"
    if timed_out:
        text += f", {timed_out} of them timed out"
    errors = Counter(t.error for t in failed if t.error)
    if errors:
        error, count = errors.most_common(1)[0]
        text += f"; most common error ({count}x): {_short(error)}"
    return [text]


def check_edges(exp: ExperimentResult) -> list[str]:
    """The best value of a numeric parameter sits at a bound of its range: the optimum may lie outside."""
    best = _reference(exp)
    if best is None or len(_complete(exp)) < MIN_TRIALS_EDGE:
        return []
    hints = []
    for name, dim in exp.space.items():
        value = best.params.get(name)
        if dim.get("type") not in ("real", "integer") or isinstance(value, bool) or not isinstance(
                value, (int, float)):
            continue
        low, high, log = float(dim["low"]), float(dim["high"]), bool(dim.get("log"))
        if dim.get("type") == "integer" and high - low < 2:
            continue  # two values: "the edge" is every value
        if log and value <= 0:
            continue
        scale: Callable[[float], float] = math.log if log else float
        position = (scale(float(value)) - scale(low)) / (scale(high) - scale(low))
        hard = dim.get("hard_bounds")  # the user says the range cannot widen there (a fraction, a count from 1)
        if position <= EDGE_FRACTION and hard not in (True, "low"):
            side, bound, where = "lower", low, "below"
        elif position >= 1 - EDGE_FRACTION and hard not in (True, "high"):
            side, bound, where = "upper", high, "above"
        else:
            continue
        text = f"{name} best at {side} bound {_fmt(bound)}"
        if not math.isclose(float(value), bound, rel_tol=1e-9):
            text += f" (best {_fmt(float(value))})"
        hints.append(f"{text}: widen the range {where} it")
    return hints


def _suggested_budget(exp: ExperimentResult) -> int:
    return 2 * max(len(exp.trials), int(exp.budget.get("trials", 0) or 0))


def check_convergence(exp: ExperimentResult) -> list[str]:
    """The best trial came last, or the best score was still improving fast at the end; with two or three
    objectives, the Pareto front's hypervolume was still growing fast at the end."""
    if 2 <= len(exp.objectives) <= 3:
        return _front_convergence(exp)
    complete = _complete(exp)
    best = exp.best
    if exp.strategy == "grid" or best is None or len(complete) < MIN_TRIALS_CONVERGENCE:
        return []  # a grid's order is systematic: a late best says nothing about convergence
    if exp.stop_reason == "target":
        return []  # the search stopped on purpose at its best trial
    finished = sorted(t.number for t in exp.trials)
    position = finished.index(best.number)
    more = f"run more trials (e.g. --trials {_suggested_budget(exp)})"
    if position >= math.ceil((1 - LAST_FRACTION) * len(finished)):
        return [(f"not converged: the best trial (#{best.number}) came in the last {LAST_FRACTION:.0%} "
                f"of {len(finished)} trials: {more}")]
    better = max if exp.direction == "maximize" else min
    running: list[float] = []
    for trial in complete:
        score = float(trial.score)  # type: ignore[arg-type]
        running.append(score if not running else better(running[-1], score))
    start = math.floor(0.75 * (len(running) - 1))
    total = abs(running[-1] - running[0])
    recent = abs(running[-1] - running[start])
    steps = sum(b != a for a, b in zip(running[start:], running[start + 1:], strict=False))
    if total > 0 and recent / total >= STEEP_FRACTION and steps >= STEEP_STEPS:
        return [(f"still improving: the last quarter of the trials brought {recent / total:.0%} of the "
                f"improvement: {more}")]
    return []


def _front_convergence(exp: ExperimentResult) -> list[str]:
    """The last quarter of the trials brought a large share of the front's hypervolume, in several steps (a
    front gains trials all along, so a late member alone says nothing)."""
    from tunekit.report.plots._pareto import hypervolume_data

    if exp.strategy == "grid" or len(_complete(exp)) < MIN_TRIALS_CONVERGENCE:
        return []
    curve = hypervolume_data(exp)
    if curve is None or len(curve.values) < MIN_TRIALS_CONVERGENCE:
        return []
    values = curve.values
    start = math.floor(0.75 * (len(values) - 1))
    total, recent = values[-1] - values[0], values[-1] - values[start]
    steps = sum(b != a for a, b in zip(values[start:], values[start + 1:], strict=False))
    if total > 0 and recent / total >= STEEP_FRACTION and steps >= STEEP_STEPS:
        return [(f"still improving: the last quarter of the trials brought {recent / total:.0%} of the Pareto "
                 f"front's hypervolume: run more trials (e.g. --trials {_suggested_budget(exp)})")]
    return []


def check_limits(exp: ExperimentResult) -> list[str]:
    """With limits, few or no complete trials meet them: the search spends its trials where nothing is selected."""
    complete = [t for t in _complete(exp) if t.values is not None]
    if not exp.limits or len(complete) < MIN_TRIALS_EDGE:
        return []
    feasible = [t for t in complete if _meets(exp, t)]
    if len(feasible) >= FEASIBLE_FRACTION * len(complete):
        return []
    missed = Counter(name for t in complete for name in exp.limits if not _meets(exp, t, name))
    name, count = missed.most_common(1)[0]
    limit = f"{name} {'>=' if exp.objectives[name] == 'maximize' else '<='} {_fmt(exp.limits[name])}"
    if not feasible:
        return [(f"limits: none of the {len(complete)} complete trials meets the limits ({count} miss {limit}): "
                 "nothing is selected; loosen the limit or move the space towards it")]
    verb = "meets" if len(feasible) == 1 else "meet"
    return [(f"limits: only {len(feasible)} of {len(complete)} complete trials {verb} the limits ({count} miss "
             f"{limit}): loosen the limit or move the space towards it")]


def _meets(exp: ExperimentResult, trial: TrialResult, only: str | None = None) -> bool:
    values = trial.values or {}
    return all(values[name] >= limit if exp.objectives[name] == "maximize" else values[name] <= limit
               for name, limit in exp.limits.items() if only is None or name == only)


def _mean(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and math.isfinite(value):
        return float(value)
    if isinstance(value, list) and value and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in value):
        return sum(value) / len(value)
    return None


def check_fit(exp: ExperimentResult) -> list[str]:
    """Over- or underfitting of the best trial, from a ``train_score`` metric (a number or fold scores).

    Overfitting: the train score beats the validation score by more than :data:`OVERFIT_GAP` of the larger
    of the two (in absolute value). Underfitting, only for scores within [0, 1]: a train score below
    :data:`UNDERFIT_MAXIMIZE` when maximizing (above :data:`UNDERFIT_MINIMIZE` when minimizing).
    """
    best = _reference(exp)
    if best is None or best.score is None:
        return []
    train = _mean(best.metrics.get(_TRAIN_METRIC))
    if train is None:
        return []
    valid = best.score
    gap = train - valid if exp.direction == "maximize" else valid - train  # > 0: train is better
    scale = max(abs(train), abs(valid))
    if scale > 0 and gap / scale > OVERFIT_GAP:
        return [(f"overfitting: the best trial's train_score {train:.4g} vs validation {valid:.4g} "
                f"(gap {gap / scale:.0%}): regularise more, or move the ranges toward simpler models")]
    if 0 <= train <= 1 and 0 <= valid <= 1:
        poor = train < UNDERFIT_MAXIMIZE if exp.direction == "maximize" else train > UNDERFIT_MINIMIZE
        if poor:
            return [(f"underfitting: the best trial's train_score is only {train:.4g} (validation {valid:.4g}): "
                    f"the model cannot fit even its training data; allow more capacity")]
    return []


def check_fold_noise(exp: ExperimentResult) -> list[str]:
    """The best trial's fold std exceeds the gap to the 5th best (2nd with fewer): the top are a tie."""
    ranked = exp.ranked()
    if len(ranked) < 2:
        return []
    best = ranked[0]
    if not best.score_std or best.score is None:
        return []
    other = ranked[min(5, len(ranked)) - 1]
    gap = abs(best.score - other.score)  # type: ignore[operator]
    if best.score_std <= gap:
        return []
    rank = min(5, len(ranked))
    ordinal = {2: "2nd", 3: "3rd"}.get(rank, f"{rank}th")
    return [(f"fold noise: the best trial's fold std ({best.score_std:.3g}) exceeds its lead over the {ordinal} "
            f"best ({gap:.3g}): the top {rank} are indistinguishable; use more folds or repeated CV to pick one")]


#: The checks, most important first, by the kind of hint each gives (what ``@tunable(hints=...)`` names).
CHECKS: dict[str, Callable[[ExperimentResult], list[str]]] = {
    "failures": check_failures, "limits": check_limits, "bounds": check_edges, "convergence": check_convergence,
    "fit": check_fit, "fold_noise": check_fold_noise}
#: The kinds of hint, in the order they are shown.
HINT_KINDS = tuple(CHECKS)


def diagnose_by_kind(experiment: ExperimentResult) -> list[tuple[str, str]]:
    """``(kind, hint)`` pairs about ``experiment`` worth a user's attention, most important first, without the
    kinds it silenced. A check that trips over an unexpected record is skipped: a hint is never worth breaking
    a run's summary."""
    quiet = set(experiment.quiet_hints)
    hints: list[tuple[str, str]] = []
    for kind, check in CHECKS.items():
        if "*" in quiet or kind in quiet:
            continue
        try:
            hints += [(kind, hint) for hint in check(experiment)]
        except Exception:  # noqa: BLE001 - see the docstring
            continue
    return hints


def diagnose(experiment: ExperimentResult) -> list[str]:
    """Hints about ``experiment`` worth a user's attention, most important first (see :func:`diagnose_by_kind`)."""
    return [hint for _, hint in diagnose_by_kind(experiment)]
