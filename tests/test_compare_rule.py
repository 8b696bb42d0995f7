"""Property tests of the regression rule: direction symmetry, tolerance monotonicity, noise bands."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tunekit.compare import Tolerance, Verdict, compare_scores, noise_std_error
from tunekit.errors import SpecError

scores = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False)
tolerances = st.floats(min_value=0, max_value=10, allow_nan=False)
folds = st.lists(st.floats(min_value=-10, max_value=10, allow_nan=False), min_size=2, max_size=10)
MIRROR = {Verdict.IMPROVED: Verdict.IMPROVED, Verdict.REGRESSED: Verdict.REGRESSED,
          Verdict.UNCHANGED: Verdict.UNCHANGED}


@given(scores, scores, tolerances)
def test_direction_symmetry(baseline: float, current: float, tol: float) -> None:
    """Maximising a score and minimising its negation give the same verdict."""
    up = compare_scores(baseline, current, direction="maximize", tolerance=Tolerance(tol))
    down = compare_scores(-baseline, -current, direction="minimize", tolerance=Tolerance(tol))
    assert up.verdict is MIRROR[down.verdict]


@given(scores, scores, tolerances, tolerances)
def test_tolerance_monotonicity(baseline: float, current: float, t1: float, t2: float) -> None:
    """A looser tolerance never turns a pass into a regression, nor unchanged into improved."""
    low, high = sorted((t1, t2))
    strict = compare_scores(baseline, current, direction="maximize", tolerance=Tolerance(low))
    loose = compare_scores(baseline, current, direction="maximize", tolerance=Tolerance(high))
    if loose.verdict is Verdict.REGRESSED:
        assert strict.verdict is Verdict.REGRESSED
    if loose.verdict is Verdict.IMPROVED:
        assert strict.verdict is Verdict.IMPROVED


@given(scores, st.sampled_from(["maximize", "minimize"]), tolerances)
def test_identical_scores_are_unchanged(score: float, direction: str, tol: float) -> None:
    assert compare_scores(score, score, direction=direction, tolerance=Tolerance(tol)).verdict is Verdict.UNCHANGED


@given(scores, scores, folds, folds)
def test_noise_only_widens_the_band(baseline: float, current: float, fb: list[float], fc: list[float]) -> None:
    """With fold scores, a verdict can only soften (regressed/improved -> unchanged), never flip."""
    plain = compare_scores(baseline, current, direction="maximize")
    noisy = compare_scores(baseline, current, direction="maximize", baseline_folds=fb, current_folds=fc)
    assert noisy.verdict in (plain.verdict, Verdict.UNCHANGED)
    assert noisy.allowed >= plain.allowed


def test_worsening_direction() -> None:
    assert compare_scores(0.9, 0.8, direction="maximize").verdict is Verdict.REGRESSED
    assert compare_scores(0.9, 0.8, direction="minimize").verdict is Verdict.IMPROVED
    within, beyond = Tolerance.parse("5.1%"), Tolerance.parse("4.9%")
    assert compare_scores(10.0, 10.5, direction="minimize", tolerance=within).verdict is Verdict.UNCHANGED
    assert compare_scores(10.0, 10.5, direction="minimize", tolerance=beyond).verdict is Verdict.REGRESSED


def test_noise_band_uses_the_standard_error_of_the_difference() -> None:
    base, cur = [0.90, 0.92, 0.94, 0.96, 0.98], [0.89, 0.91, 0.93, 0.95, 0.97]
    se = noise_std_error(base, cur)
    assert se == pytest.approx(math.sqrt(2 * 0.001 / 5), rel=1e-9)  # sample variance 0.001 on each side
    small_drop = compare_scores(0.94, 0.93, direction="maximize", baseline_folds=base, current_folds=cur)
    assert small_drop.verdict is Verdict.UNCHANGED and small_drop.rule == "2 SE"
    tight = [0.940, 0.941, 0.939, 0.940, 0.940]
    big_drop = compare_scores(0.94, 0.92, direction="maximize", baseline_folds=tight,
                              current_folds=[x - 0.02 for x in tight])
    assert big_drop.verdict is Verdict.REGRESSED and "dropped from 0.94 to 0.92" in big_drop.reason()


@pytest.mark.parametrize("text", ["abc", "-1", "2%%", "", "1e400", None, True, [1]])
def test_invalid_tolerances_name_the_accepted_forms(text: object) -> None:
    with pytest.raises(SpecError, match=r"absolute difference such as 0\.01 or a relative one such as 2%"):
        Tolerance.parse(text)


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_tolerance_round_trips_through_text(value: float) -> None:
    for tol in (Tolerance(value), Tolerance(value / 100, relative=True)):
        again = Tolerance.parse(str(tol))
        assert again.relative == tol.relative and again.value == pytest.approx(tol.value, rel=1e-5, abs=1e-12)


# --- paired folds --------------------------------------------------------------------------------------

def _record(params: dict, folds: list[list[float]], strategy: str = "random", seeds: list[int] | None = None):
    from tunekit.results import ExperimentResult
    from tunekit.trial import TrialResult, TrialState

    seeds = seeds or [7] * len(folds)
    pairs = enumerate(zip(folds, seeds, strict=True))
    trials = [TrialResult(number=i, params=dict(params), state=TrialState.COMPLETE, score=sum(f) / len(f),
                          folds=f, duration_s=0.1, seed=seed) for i, (f, seed) in pairs]
    return ExperimentResult(id="exp.py::tune", strategy=strategy, direction="maximize", seed=0,
                            budget={"trials": len(trials)}, space={"C": {"type": "real", "low": 0.001, "high": 100.0,
                                                                         "log": True}},
                            trials=trials, duration_s=1.0)


NOISY = [0.95, 0.99, 0.93, 0.97, 0.96]


def test_the_same_parameters_on_the_same_folds_are_paired() -> None:
    from tunekit.compare import compare_experiment, paired_differences

    baseline = _record({"C": 1.0}, [NOISY])
    dropped = _record({"C": 1.0}, [[f - 0.02 for f in NOISY]])
    assert paired_differences(baseline, dropped) == pytest.approx([-0.02] * 5)
    verdict = compare_experiment(baseline, dropped)
    assert verdict.paired and verdict.verdict is Verdict.REGRESSED and verdict.rule == "paired floor"
    assert verdict.allowed == pytest.approx(1e-6)  # the folds agree to the last digits: the floor
    # the same drop judged as two independent samples hides in the fold spread
    elsewhere = _record({"C": 2.0}, [[f - 0.02 for f in NOISY]])
    unpaired = compare_experiment(baseline, elsewhere)
    assert not unpaired.paired and unpaired.verdict is Verdict.UNCHANGED and unpaired.rule == "2 SE"
    assert paired_differences(baseline, _record({"C": 1.0}, [NOISY[:4]])) is None  # another number of folds


def test_repeats_with_the_baselines_seed_pool_their_differences_with_students_t() -> None:
    from scipy.stats import norm, t

    from tunekit.compare import compare_experiment

    baseline = _record({"C": 1.0}, [NOISY])
    repeats = [[f + shift for f in NOISY] for shift in (-0.01, 0.01, 0.0)]
    verdict = compare_experiment(baseline, _record({"C": 1.0}, repeats, strategy="recheck"))
    differences = [-0.01] * 5 + [0.01] * 5 + [0.0] * 5
    mean = sum(differences) / 15
    sd = math.sqrt(sum((d - mean) ** 2 for d in differences) / 14)
    quantile = t.ppf(norm.cdf(2.0), 14)
    assert verdict.paired and verdict.quantile == pytest.approx(quantile)
    assert verdict.noise == pytest.approx(quantile * sd / math.sqrt(15))
    assert verdict.verdict is Verdict.UNCHANGED and verdict.rule.startswith("paired ")


def test_another_seed_is_not_paired_a_lucky_best_would_look_like_a_drop() -> None:
    from tunekit.compare import compare_experiment, paired_differences

    baseline = _record({"C": 1.0}, [NOISY], seeds=[7])
    fresh = _record({"C": 1.0}, [[f - 0.01 for f in NOISY]] * 2, strategy="recheck", seeds=[7, 8])
    assert paired_differences(baseline, fresh) is None
    assert not compare_experiment(baseline, fresh).paired


def test_floating_point_differences_between_machines_are_no_change() -> None:
    from tunekit.compare import compare_experiment

    baseline = _record({"alpha": 1.0}, [[3010.25, 2990.5, 3020.75]])
    other_blas = _record({"alpha": 1.0}, [[3010.25 - 3e-6, 2990.5 - 2e-6, 3020.75 - 4e-6]])
    verdict = compare_experiment(baseline, other_blas)
    assert verdict.paired and verdict.verdict is Verdict.UNCHANGED and verdict.rule == "paired floor"


@given(st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=2, max_size=10))
def test_identical_paired_folds_are_unchanged(values: list[float]) -> None:
    from tunekit.compare import compare_experiment

    verdict = compare_experiment(_record({"C": 1.0}, [values]), _record({"C": 1.0}, [list(values)]))
    assert verdict.paired and verdict.verdict is Verdict.UNCHANGED
