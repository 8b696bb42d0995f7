"""Baselines and regression checks: direction-aware, noise-aware verdicts between two results.

The rule (documented in the README): let ``worse`` be how much the current score is worse than the
baseline's, in the experiment's direction. When both are the same measurement repeated (same parameters,
number of folds and trial seed: a re-check with the baseline's seed, or a search that found the same best
again), the folds are paired: the noise band is the one-sided Student-t quantile (at the false-alarm rate
of ``Z`` normal standard errors) times the standard error of the per-fold differences, ``sd(d) / sqrt(n)``,
at least :data:`PAIRED_FLOOR` of the scores (floating-point differences between machines are no change).
Otherwise, when both come with fold scores, it is ``Z`` standard errors of the difference of two
independent means, ``sqrt(s_b**2 / n_b + s_c**2 / n_c)``; without folds it is 0. The allowed worsening,
which is also the smallest worsening the check detects, is ``max(tolerance, band)``. ``worse > allowed``
is a regression, ``-worse > allowed`` an improvement, anything else is unchanged.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from tunekit.errors import SpecError
from tunekit.results import RECHECK_STRATEGY, ExperimentResult, ResultsDocument, front_hypervolume
from tunekit.trial import TrialState

__all__ = [
    "HYPERVOLUME",
    "PAIRED_FLOOR",
    "Z_SCORE",
    "Comparison",
    "Tolerance",
    "Verdict",
    "compare_documents",
    "compare_experiment",
    "compare_hypervolume",
    "compare_objectives",
    "compare_scores",
    "noise_std_error",
    "paired_differences",
    "provenance_warnings",
    "reference_value",
    "with_baseline_reference",
]

#: The key of ``tolerance={...}`` that sets the tolerance of the Pareto front's hypervolume.
HYPERVOLUME = "hypervolume"

#: Width of the noise band in standard errors (about a 2.3% one-sided false-alarm rate for normal noise).
Z_SCORE = 2.0
#: Differences this small relative to the scores are floating-point noise, never a verdict.
_FLOAT_EPSILON = 1e-9
#: The narrowest band of a paired comparison, relative to the scores: a re-run on another machine (another
#: BLAS, another thread count) differs in the last digits, which paired folds would otherwise call a change.
PAIRED_FLOOR = 1e-6
_TOLERANCE_FORMS = "an absolute difference such as 0.01 or a relative one such as 2%"


@dataclass(frozen=True)
class Tolerance:
    """How much worse a score may get before it counts as a regression: absolute or relative."""

    value: float
    relative: bool = False

    @classmethod
    def parse(cls, text: Any) -> Tolerance:
        """Parse ``0.01`` (absolute) or ``"2%"`` (relative); raise :class:`SpecError` naming the forms."""
        if isinstance(text, Tolerance):
            return text
        if isinstance(text, (int, float)) and not isinstance(text, bool):
            value, relative = float(text), False
        elif isinstance(text, str) and re.fullmatch(r"\s*[0-9.eE+-]+\s*%?\s*", text):
            stripped = text.strip()
            relative = stripped.endswith("%")
            try:
                value = float(stripped.rstrip("%").strip())
            except ValueError:
                raise SpecError(f"tolerance: expected {_TOLERANCE_FORMS}, got {text!r}") from None
        else:
            raise SpecError(f"tolerance: expected {_TOLERANCE_FORMS}, got {text!r}")
        if not math.isfinite(value) or value < 0:
            raise SpecError(f"tolerance: expected {_TOLERANCE_FORMS} (not negative), got {text!r}")
        return cls(value / 100.0 if relative else value, relative)

    def allowed(self, baseline: float) -> float:
        """The allowed worsening for a baseline score of ``baseline``."""
        return self.value * abs(baseline) if self.relative else self.value

    def __str__(self) -> str:
        return f"{self.value * 100:g}%" if self.relative else f"{self.value:g}"


DEFAULT_TOLERANCE = Tolerance(0.0)


class Verdict(str, Enum):
    """The outcome of comparing one experiment with its baseline."""

    IMPROVED = "improved"
    UNCHANGED = "unchanged"
    REGRESSED = "regressed"
    NEW = "new"
    MISSING = "missing"


@dataclass(frozen=True)
class Comparison:
    """One row of the verdict table, with the numbers behind the verdict."""

    id: str
    verdict: Verdict
    baseline: float | None = None
    current: float | None = None
    delta: float | None = None  # current - baseline
    allowed: float | None = None
    noise: float | None = None  # the noise band (a quantile times the standard error), when fold scores exist
    tolerance: Tolerance | None = None
    direction: str = "maximize"
    #: Whether the folds were paired (same parameters, same number of folds): per-fold differences judged.
    paired: bool = False
    #: The band's width in standard errors of paired differences (Student's t); ``None`` when the paired band
    #: is the floating-point floor, or the folds were not paired (then it is ``Z_SCORE``).
    quantile: float | None = None
    #: The objective after the first that this row guards (an experiment with several objectives and a
    #: tolerance for it); ``None`` for the score (the first objective).
    objective: str | None = None
    #: What the score row measures, for its message: the first objective's name (``None``: "score").
    score_name: str | None = None
    #: Why a regressed experiment has no current score, for its message.
    no_score: str = "no trial completed"

    @property
    def rule(self) -> str:
        """Which bound set ``allowed`` (the noise band or the tolerance), and whether the folds were paired."""
        if self.noise is not None and self.allowed is not None and self.noise >= self.allowed > 0:
            if self.paired:
                return "paired floor" if self.quantile is None else f"paired {self.quantile:.2g} SE"
            return f"{Z_SCORE:g} SE"
        tolerance = f"tol {self.tolerance}" if self.tolerance is not None else ""
        return f"paired, {tolerance}" if self.paired and tolerance else tolerance

    def reason(self) -> str:
        """A one-line explanation, used as the failure message of a regressed experiment."""
        if self.verdict is Verdict.REGRESSED:
            name = self.objective or self.score_name or "score"
            if self.current is None:  # every trial failed, or none met the limits
                return f"regressed: no {name} ({self.no_score}; the baseline's was {self.baseline:.6g})"
            word = "dropped" if self.direction == "maximize" else "rose"
            return (f"regressed: {name} {word} from {self.baseline:.6g} to {self.current:.6g} "
                    f"(delta {self.delta:+.4g}, allowed {self.allowed:.4g} by {self.rule})")
        return self.verdict.value


def noise_std_error(baseline_folds: Sequence[float] | None, current_folds: Sequence[float] | None) -> float | None:
    """Standard error of the difference of the two fold means, or ``None`` without two folds on each side."""
    if not baseline_folds or not current_folds or len(baseline_folds) < 2 or len(current_folds) < 2:
        return None

    def variance(values: Sequence[float]) -> float:
        mean = sum(values) / len(values)
        return sum((v - mean) ** 2 for v in values) / (len(values) - 1)

    return math.sqrt(variance(baseline_folds) / len(baseline_folds) + variance(current_folds) / len(current_folds))


def _paired_band(differences: Sequence[float]) -> tuple[float, float]:
    """The noise band of paired differences and its quantile: Student's t with n - 1 degrees of freedom at
    the one-sided false-alarm rate of ``Z_SCORE`` normal standard errors, times ``sd(d) / sqrt(n)``."""
    from scipy.stats import norm, t  # loaded only for paired verdicts

    n = len(differences)
    mean = sum(differences) / n
    sd = math.sqrt(sum((d - mean) ** 2 for d in differences) / (n - 1))
    quantile = float(t.ppf(norm.cdf(Z_SCORE), n - 1))
    return quantile * sd / math.sqrt(n), quantile


def compare_scores(baseline: float, current: float, *, direction: str, tolerance: Tolerance = DEFAULT_TOLERANCE,
                   baseline_folds: Sequence[float] | None = None, current_folds: Sequence[float] | None = None,
                   experiment_id: str = "", differences: Sequence[float] | None = None) -> Comparison:
    """Compare two scores of one experiment (see the module docstring for the rule).

    ``differences`` (current minus baseline, fold by fold, at least two) makes it a paired comparison; the
    fold scores are then not used.
    """
    sign = 1.0 if direction == "maximize" else -1.0
    worse = sign * (baseline - current)
    paired = differences is not None and len(differences) >= 2
    quantile: float | None = None
    noise: float | None
    if paired:
        assert differences is not None
        band, quantile = _paired_band(differences)
        floor = PAIRED_FLOOR * max(1.0, abs(baseline), abs(current))
        if band < floor:  # the folds agree to floating-point noise: the floor is the band
            noise, quantile = floor, None
        else:
            noise = band
    else:
        se = noise_std_error(baseline_folds, current_folds)
        noise = None if se is None else Z_SCORE * se
    epsilon = _FLOAT_EPSILON * max(1.0, abs(baseline), abs(current))
    allowed = max(tolerance.allowed(baseline), noise or 0.0, epsilon)
    if worse > allowed:
        verdict = Verdict.REGRESSED
    elif -worse > allowed:
        verdict = Verdict.IMPROVED
    else:
        verdict = Verdict.UNCHANGED
    return Comparison(id=experiment_id, verdict=verdict, baseline=baseline, current=current,
                      delta=current - baseline, allowed=allowed, noise=noise, tolerance=tolerance,
                      direction=direction, paired=paired, quantile=quantile)


def reference_folds(experiment: ExperimentResult) -> tuple[float | None, list[float] | None]:
    """The score an experiment is judged by and the fold scores behind it.

    A tuned experiment is judged by its best trial (with several objectives, its selected trial: the best
    feasible one). A re-check (several evaluations of the same parameters) by the mean of its evaluations,
    with every evaluation's folds (or scores) pooled as its noise sample.
    """
    if experiment.strategy == RECHECK_STRATEGY:
        complete = [t for t in experiment.trials if t.score is not None and t.state.value == "COMPLETE"]
        if not complete:
            return None, None
        pooled = [f for t in complete for f in (t.folds or [t.score])]  # type: ignore[list-item]
        score = sum(t.score for t in complete) / len(complete)  # type: ignore[misc]
        return score, pooled if len(pooled) >= 2 else None
    best = experiment.selected
    return (None, None) if best is None else (best.score, best.folds)


def reference_value(experiment: ExperimentResult, objective: str) -> float | None:
    """The value of ``objective`` an experiment with several objectives is judged by: its selected trial's, or
    for a re-check the mean over its complete evaluations; ``None`` when there is none."""
    if experiment.strategy == RECHECK_STRATEGY:
        values = [t.values[objective] for t in experiment.trials
                  if t.state is TrialState.COMPLETE and t.values is not None and objective in t.values]
        return sum(values) / len(values) if values else None
    selected = experiment.selected
    return None if selected is None or selected.values is None else selected.values.get(objective)


def compare_objectives(baseline: ExperimentResult | None, current: ExperimentResult | None) -> list[Comparison]:
    """One verdict per objective after the first that ``current`` declares a tolerance for, on the selected
    trial (its mean over a re-check's evaluations), against the same objective of ``baseline``.

    The first objective is the score, judged by :func:`compare_experiment`. An objective the baseline lacks
    (or minimised there and maximised now), or any when the first objective changed (it selects the trial),
    is ``new``; one without a value now, where the baseline has one, regressed.
    """
    if baseline is None or current is None:
        return []
    rows = []
    for name, text in current.objective_tolerances.items():
        if name not in current.objectives:  # HYPERVOLUME: compare_hypervolume's
            continue
        tolerance = Tolerance.parse(text)
        direction = current.objectives[name]
        # another first objective selects another trial: its values are no longer the baseline's measure
        same = baseline.objectives.get(name) == direction and _same_score(baseline, current)
        before = reference_value(baseline, name) if same else None
        now = reference_value(current, name)
        if before is None:
            rows.append(Comparison(id=current.id, verdict=Verdict.NEW, current=now, direction=direction,
                                   objective=name))
        elif now is None:
            rows.append(Comparison(id=current.id, verdict=Verdict.REGRESSED, baseline=before, direction=direction,
                                   tolerance=tolerance, allowed=tolerance.allowed(before), objective=name))
        else:
            row = compare_scores(before, now, direction=direction, tolerance=tolerance, experiment_id=current.id)
            rows.append(replace(row, objective=name))
    hypervolume = compare_hypervolume(baseline, current)
    return rows if hypervolume is None else [*rows, hypervolume]


def compare_hypervolume(baseline: ExperimentResult | None, current: ExperimentResult | None) -> Comparison | None:
    """The verdict on the hypervolume of ``current``'s Pareto front against ``baseline``'s, both measured from
    the baseline's reference point; ``None`` when there is nothing to compare (a single objective or more than
    three, a re-check on either side, no reference point), and when the experiment declared no
    ``tolerance={"hypervolume": ...}``: like an objective without a tolerance, the hypervolume is then not
    guarded. Objectives that differ from the baseline's (names or directions) make the row ``new``.
    """
    if baseline is None or current is None or not 2 <= len(current.objectives) <= 3:
        return None
    if RECHECK_STRATEGY in (baseline.strategy, current.strategy) or HYPERVOLUME not in current.objective_tolerances:
        return None  # a re-check evaluates one configuration again: it has no front to measure
    tolerance = Tolerance.parse(current.objective_tolerances[HYPERVOLUME])
    reference = baseline.reference if baseline.objectives == current.objectives else None
    now = current.hypervolume if reference is None else front_hypervolume(
        current.trials, current.objectives, current.limits, reference)
    if reference is None:
        return None if now is None else Comparison(id=current.id, verdict=Verdict.NEW, current=now,
                                                    objective=HYPERVOLUME)
    before = front_hypervolume(baseline.trials, baseline.objectives, baseline.limits, reference)
    if now is None or not math.isfinite(now) or not math.isfinite(before):
        return None
    row = compare_scores(before, now, direction="maximize", tolerance=tolerance, experiment_id=current.id)
    return replace(row, objective=HYPERVOLUME)


def with_baseline_reference(record: ExperimentResult, baseline: ExperimentResult | None) -> ExperimentResult:
    """``record`` measuring its hypervolume from ``baseline``'s reference point when both have the same
    objectives (so that a baseline saved from it keeps the reference), else ``record`` as is."""
    if (baseline is None or not record.objectives or baseline.objectives != record.objectives
            or RECHECK_STRATEGY in (baseline.strategy, record.strategy)):
        return record
    reference = baseline.reference
    return record if reference is None else replace(record, hypervolume_reference=reference)


def paired_differences(baseline: ExperimentResult, current: ExperimentResult) -> list[float] | None:
    """Current minus baseline fold by fold, when the two are the same measurement repeated: the same parameters,
    the same number of folds (at least two) and the same trial seed (the baseline's best against the current
    best, or against every evaluation of a re-check, pooled). ``None`` when they cannot be paired.

    Other seeds are not paired: the baseline's best was chosen among many trials, so its seed's luck is
    biased upwards, and the differences to a fresh seed would be biased downwards (a false alarm).
    """
    if baseline.strategy == RECHECK_STRATEGY:
        return None  # a re-check baseline is already a pooled sample
    reference = baseline.selected
    if reference is None or not reference.folds or len(reference.folds) < 2:
        return None
    if current.strategy == RECHECK_STRATEGY:
        measured = [t for t in current.trials if t.state is TrialState.COMPLETE and t.score is not None]
    else:
        measured = [current.selected] if current.selected is not None else []
    if not measured or any(t.folds is None or len(t.folds) != len(reference.folds) or t.seed != reference.seed
                           or canonical_params(t.params) != canonical_params(reference.params) for t in measured):
        return None
    return [c - b for t in measured for c, b in zip(t.folds or (), reference.folds, strict=True)]


def canonical_params(params: Mapping[str, Any]) -> tuple[tuple[str, str, str], ...]:
    """A comparable form of a parameter set: names sorted, values with their types (``1`` is not ``True``)."""
    return tuple(sorted((name, type(value).__name__, repr(value)) for name, value in params.items()))


def compare_experiment(baseline: ExperimentResult | None, current: ExperimentResult | None,
                       tolerance: Tolerance = DEFAULT_TOLERANCE) -> Comparison:
    """The verdict for one experiment ID present in the baseline, the current run, or both; ``new`` when the
    score measures something else than the baseline's (another direction or another first objective)."""
    if current is None:
        assert baseline is not None
        score, _ = reference_folds(baseline)
        return Comparison(id=baseline.id, verdict=Verdict.MISSING, baseline=score, direction=baseline.direction)
    current_score, current_folds = reference_folds(current)
    if baseline is None or reference_folds(baseline)[0] is None or not _same_score(baseline, current):
        return Comparison(id=current.id, verdict=Verdict.NEW, current=current_score, direction=current.direction)
    baseline_score, baseline_folds = reference_folds(baseline)
    assert baseline_score is not None
    score_name = current.score_name
    if current_score is None:  # every trial failed, or none met the limits: as bad as it gets
        complete = any(t.state is TrialState.COMPLETE for t in current.trials)
        return Comparison(id=current.id, verdict=Verdict.REGRESSED, baseline=baseline_score,
                          direction=current.direction, tolerance=tolerance,
                          allowed=tolerance.allowed(baseline_score), score_name=score_name,
                          no_score="no complete trial met the limits" if complete and current.limits
                          else "no trial completed")
    row = compare_scores(baseline_score, current_score, direction=current.direction, tolerance=tolerance,
                         baseline_folds=baseline_folds, current_folds=current_folds, experiment_id=current.id,
                         differences=paired_differences(baseline, current))
    return replace(row, score_name=score_name)


def _same_score(baseline: ExperimentResult, current: ExperimentResult) -> bool:
    """Whether the two scores measure the same thing: the same direction and, when both declare several
    objectives, the same first objective (reordered objectives make another one the score)."""
    if baseline.direction != current.direction:
        return False
    return not (baseline.objectives and current.objectives) or baseline.score_name == current.score_name


def compare_documents(baseline: ResultsDocument, current: ResultsDocument, *,
                      tolerance: Tolerance = DEFAULT_TOLERANCE,
                      expected_missing: Iterable[str] = (), objectives: bool = False) -> list[Comparison]:
    """Verdicts for every experiment of either document, current order first, then missing ones.

    An experiment that declared its own tolerance (recorded in ``current``) is judged by it; the others by
    ``tolerance``. IDs in ``expected_missing`` (deselected on purpose) are left out instead of being
    reported missing. With ``objectives``, each experiment's row is followed by those of
    :func:`compare_objectives`.
    """
    skip = set(expected_missing)
    rows = []
    for e in current.experiments:
        rows.append(compare_experiment(baseline.get(e.id), e,
                                       Tolerance.parse(e.tolerance) if e.tolerance else tolerance))
        if objectives:
            rows += compare_objectives(baseline.get(e.id), e)
    current_ids = {e.id for e in current.experiments}
    rows += [compare_experiment(e, None) for e in baseline.experiments if e.id not in current_ids and e.id not in skip]
    return rows


def provenance_warnings(baseline: ResultsDocument, current: ResultsDocument) -> list[str]:
    """Why the baseline's numbers may not be comparable: another machine or another tunekit version."""
    warnings = []
    if baseline.tunekit_version and current.tunekit_version and baseline.tunekit_version != current.tunekit_version:
        warnings.append(f"baseline written by tunekit {baseline.tunekit_version}, this is {current.tunekit_version}")
    keys = ("node", "system", "machine", "python_version", "cpu_count", "libraries")
    differing = [k for k in keys if baseline.machine_info.get(k) != current.machine_info.get(k)
                 and k in baseline.machine_info]
    if differing:
        def show(info: Mapping[str, Any], key: str) -> str:
            value = info.get(key)
            return str(value) if key != "libraries" else ",".join(f"{k}={v}" for k, v in sorted((value or {}).items()))

        first = differing[0]
        warnings.append(f"baseline comes from another machine ({', '.join(differing)} differ; "
                        f"{first}: {show(baseline.machine_info, first)} vs {show(current.machine_info, first)})")
    return warnings
