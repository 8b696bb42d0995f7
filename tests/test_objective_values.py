"""What an objective may return, as decided by ``tunekit.trial.parse_objective_value``.

Numbers, sequences of fold scores and dicts with ``"score"`` (or scikit-learn ``cross_validate``'s
``"test_score"``) are accepted; everything else is refused with an ``ObjectiveValueError`` saying why.
"""

from __future__ import annotations

import math
import statistics
from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tunekit.errors import TunekitError
from tunekit.trial import ObjectiveValueError, parse_objective_value

#: Fold scores whose mean and squared deviations neither overflow nor underflow a float.
_fold = st.floats(min_value=-1e100, max_value=1e100, allow_nan=False, allow_infinity=False).map(
    lambda x: 0.0 if abs(x) < 1e-100 else x)


# --- accepted ---------------------------------------------------------------------------------------

@settings(max_examples=100)
@given(value=st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-2**63, 2**63)))
def test_a_plain_number_is_the_score(value):
    out = parse_objective_value(value)
    assert type(out.score) is float
    assert out.score == float(value)
    assert out.score_std is None and out.folds is None and out.metrics == {}


@pytest.mark.parametrize("value", [np.float64(0.25), np.float32(0.25), np.int64(3), np.int8(-2),
                                   np.float16(0.5), np.uint32(7)])
def test_numpy_scalars_are_accepted_as_plain_floats(value):
    out = parse_objective_value(value)
    assert type(out.score) is float
    assert out.score == float(value)
    assert out.folds is None and out.score_std is None


@settings(max_examples=100)
@given(folds=st.lists(_fold, min_size=1, max_size=12),
       container=st.sampled_from([list, tuple, np.array]))
def test_fold_scores_give_mean_std_and_folds(folds, container):
    out = parse_objective_value(container(folds))
    assert out.folds == [float(f) for f in folds]
    assert all(type(f) is float for f in out.folds)
    scale = max(abs(f) for f in folds)  # float sums cancel: compare relative to the largest fold
    assert out.score == pytest.approx(statistics.fmean(folds), rel=1e-9, abs=1e-9 * scale)
    assert out.score_std == pytest.approx(statistics.pstdev(folds), rel=1e-6, abs=1e-6 * scale)
    assert math.isfinite(out.score) and math.isfinite(out.score_std)
    assert out.metrics == {}


def test_fold_scores_by_hand():
    out = parse_objective_value([0.8, 0.9, 1.0])
    assert out.score == pytest.approx(0.9)
    assert out.score_std == pytest.approx(math.sqrt(2 / 300))
    assert out.folds == [0.8, 0.9, 1.0]
    assert parse_objective_value((1, 3)).score == 2.0
    assert parse_objective_value(np.array([0.5])).score_std == 0.0


@settings(max_examples=80)
@given(score=st.one_of(st.floats(allow_nan=False, allow_infinity=False),
                       st.lists(_fold, min_size=1, max_size=5)),
       metrics=st.dictionaries(
           st.text(max_size=8).filter(lambda k: k not in ("score", "test_score")),
           st.one_of(st.none(), st.booleans(), st.text(max_size=5), _fold,
                     st.lists(_fold, max_size=4)),
           max_size=4))
def test_dict_with_score_and_metrics(score, metrics):
    out = parse_objective_value({"score": score, **metrics})
    expected = parse_objective_value(score)
    assert (out.score, out.score_std, out.folds) == (expected.score, expected.score_std, expected.folds)
    assert set(out.metrics) == set(metrics)
    for name, value in metrics.items():
        got = out.metrics[name]
        if isinstance(value, list):
            assert got == [float(v) for v in value]
        elif value is None or isinstance(value, (str, bool)):
            assert got is value or (got == value and type(got) is type(value))
        else:
            assert got == float(value) and type(got) is float


def test_sklearn_cross_validate_output_is_accepted():
    cv = {"fit_time": np.array([0.01, 0.02, 0.03]), "score_time": np.array([0.001, 0.001, 0.002]),
          "test_score": np.array([0.7, 0.8, 0.9])}
    out = parse_objective_value(cv)
    assert out.score == pytest.approx(0.8)
    assert out.folds == pytest.approx([0.7, 0.8, 0.9])
    assert out.score_std == pytest.approx(np.std([0.7, 0.8, 0.9]))
    assert set(out.metrics) == {"fit_time", "score_time"}
    assert out.metrics["fit_time"] == pytest.approx([0.01, 0.02, 0.03])
    assert all(type(v) is float for v in out.metrics["fit_time"])


def test_score_key_wins_over_test_score():
    out = parse_objective_value({"test_score": [0.1, 0.2], "score": 0.75})
    assert out.score == 0.75 and out.folds is None
    assert out.metrics == {"test_score": [0.1, 0.2]}


def test_any_mapping_type_is_accepted_and_metric_names_become_strings():
    out = parse_objective_value(OrderedDict([("score", 1), (3, 2.5)]))
    assert out.score == 1.0
    assert out.metrics == {"3": 2.5}


# --- refused -----------------------------------------------------------------------------------------

REJECTED = [
    pytest.param(None, "None", id="none"),
    pytest.param(float("nan"), "nan", id="nan"),
    pytest.param(np.float64("nan"), "nan", id="numpy-nan"),
    pytest.param(float("inf"), "inf", id="inf"),
    pytest.param(-float("inf"), "-inf", id="minus-inf"),
    pytest.param(True, "bool", id="bool"),
    pytest.param(np.bool_(False), "bool", id="numpy-bool"),
    pytest.param("0.9", "str", id="str"),
    pytest.param(b"0.9", "bytes", id="bytes"),
    pytest.param(1 + 2j, "complex", id="complex"),
    pytest.param(object(), "object", id="object"),
    pytest.param([], "empty", id="empty-list"),
    pytest.param((), "empty", id="empty-tuple"),
    pytest.param(np.array([]), "empty", id="empty-array"),
    pytest.param({}, "no 'score' key", id="empty-dict"),
    pytest.param({"accuracy": 0.9, "loss": 0.1}, "no 'score' key", id="dict-without-score"),
    pytest.param({"score": None}, "None", id="dict-score-none"),
    pytest.param({"score": "high"}, "str", id="dict-score-str"),
    pytest.param({"score": float("nan")}, "nan", id="dict-score-nan"),
    pytest.param({"test_score": []}, "empty", id="dict-test-score-empty"),
    pytest.param([0.5, None], "fold 1", id="fold-none"),
    pytest.param([0.5, float("nan")], "fold 1", id="fold-nan"),
    pytest.param([0.5, "0.6"], "fold 1", id="fold-str"),
    pytest.param([0.5, True], "fold 1", id="fold-bool"),
    pytest.param([[0.5], [0.6, "x"]], "fold 0", id="nested-ragged"),
    pytest.param([0.5, [0.6, "x"]], "fold 1", id="nested-non-number"),
    pytest.param({"score": 0.5, "extra": {"a": 1}}, "metric 'extra'", id="metric-dict"),
    pytest.param({"score": 0.5, "extra": float("inf")}, "metric 'extra'", id="metric-inf"),
    pytest.param({"score": 0.5, "extra": [1.0, None]}, "metric 'extra'", id="metric-list-none"),
    pytest.param({"score": 0.5, "extra": object()}, "metric 'extra'", id="metric-object"),
    # nested fold scores are refused, not silently flattened into more folds
    pytest.param([[0.9, 0.8], [0.7, 0.6]],
                 "score must be a flat sequence of fold scores, got a 2-D array of shape (2, 2)", id="nested-2d-list"),
    pytest.param(np.ones((2, 3)), "got a 2-D array of shape (2, 3)", id="2d-array"),
    pytest.param(np.ones((2, 2, 2)), "got a 3-D array", id="3d-array"),
    pytest.param({"score": [0.5, 0.6], "train_score": [[1.0, 1.0]]},
                 "metric 'train_score' must be a flat sequence of numbers, got a 2-D array", id="nested-metric"),
]


@pytest.mark.parametrize(("value", "fragment"), REJECTED)
def test_unusable_values_are_refused_with_a_reason(value, fragment):
    with pytest.raises(ObjectiveValueError) as info:
        parse_objective_value(value)
    message = str(info.value)
    assert fragment in message
    assert isinstance(info.value, TunekitError)


@settings(max_examples=100)
@given(good=st.lists(_fold, max_size=4), bad=st.sampled_from([None, float("nan"), float("inf"), "x", True]),
       position=st.integers(0, 4))
def test_one_bad_fold_spoils_the_sequence(good, bad, position):
    folds = list(good)
    position = min(position, len(folds))
    folds.insert(position, bad)
    with pytest.raises(ObjectiveValueError, match=f"fold {position}"):
        parse_objective_value(folds)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("folds", [[1e308, 1e308], [0.0, 1e200]])
def test_fold_scores_whose_summary_overflows_never_give_a_non_finite_score(folds):
    try:
        out = parse_objective_value(folds)
    except ObjectiveValueError:
        return
    assert math.isfinite(out.score) and math.isfinite(out.score_std)


def test_huge_int_is_refused_with_objective_value_error():
    with pytest.raises(ObjectiveValueError):
        parse_objective_value(10**400)


def test_an_objective_that_mutates_its_parameters_changes_neither_the_record_nor_the_proposal():
    from tunekit.executors import evaluate
    from tunekit.trial import Trial

    proposed = {"x": 0.5, "layers": [64, 32]}

    def objective(trial):
        trial.params["x"] = 99.0
        trial.params["layers"].append(16)
        return trial.params["x"]

    result = evaluate(objective, Trial(number=0, params=proposed, seed=1))
    assert result.params == {"x": 0.5, "layers": [64, 32]} and result.score == 99.0
    assert proposed == {"x": 0.5, "layers": [64, 32]}  # the strategy's own dict


@pytest.mark.parametrize(("code", "fragment"), [(None, "SystemExit"), (3, "SystemExit: 3"), ("bye", "SystemExit: bye")])
def test_sys_exit_in_an_objective_fails_only_that_trial(code, fragment):
    import sys

    from tunekit.executors import evaluate
    from tunekit.trial import Trial, TrialState

    def objective(trial):
        sys.exit(code)

    result = evaluate(objective, Trial(number=0, params={"x": 0.5}, seed=1))
    assert result.state is TrialState.FAIL and result.error.startswith(fragment)
    assert "test_objective_values.py" in result.error  # the user's file and line
