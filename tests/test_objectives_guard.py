"""The baseline guard of an experiment with several objectives: the selected trial, one verdict per objective."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from tunekit import Integer, tunable
from tunekit.api import get_spec
from tunekit.compare import Verdict, compare_experiment, compare_objectives
from tunekit.report.verdicts import format_verdicts
from tunekit.results import RECHECK_STRATEGY, ExperimentResult
from tunekit.trial import TrialResult, TrialState

OBJECTIVES = {"accuracy": "maximize", "seconds": "minimize"}


def record(values: list[tuple[float, float]], *, limits: dict[str, float] | None = None,
           tolerances: dict[str, str] | None = None, strategy: str = "random") -> ExperimentResult:
    trials = [TrialResult(number=i, params={"n": i}, state=TrialState.COMPLETE, score=acc,
                          values={"accuracy": acc, "seconds": secs}) for i, (acc, secs) in enumerate(values)]
    return ExperimentResult(id="exp.py::tune_n", strategy=strategy, direction="maximize", seed=0,
                            budget={"trials": len(trials)}, space={}, trials=trials, objectives=dict(OBJECTIVES),
                            limits=limits or {}, objective_tolerances=tolerances or {})


def test_the_score_is_judged_on_the_selected_trial() -> None:
    # the most accurate trial (0.95) is beyond the limit: the selected one (0.9) is what the baseline holds
    baseline = record([(0.9, 1.0), (0.95, 9.0)], limits={"seconds": 5.0})
    current = record([(0.85, 1.0), (0.95, 9.0)], limits={"seconds": 5.0})
    row = compare_experiment(baseline, current)
    assert (row.baseline, row.current, row.verdict) == (0.9, 0.85, Verdict.REGRESSED)
    assert row.reason().startswith("regressed: accuracy dropped from 0.9 to 0.85 ")  # named, not "score"


def test_a_run_in_which_no_complete_trial_meets_the_limits_says_so() -> None:
    baseline = record([(0.9, 1.0)], limits={"seconds": 5.0})
    row = compare_experiment(baseline, record([(0.95, 9.0), (0.97, 8.0)], limits={"seconds": 5.0}))
    assert row.verdict is Verdict.REGRESSED
    assert row.reason() == "regressed: no accuracy (no complete trial met the limits; the baseline's was 0.9)"
    failed = record([], limits={"seconds": 5.0})
    assert "(no trial completed;" in compare_experiment(baseline, failed).reason()


def test_each_objective_with_a_tolerance_gets_a_verdict() -> None:
    baseline = record([(0.9, 2.0)])
    slower = record([(0.9, 2.4)], tolerances={"seconds": "25%"})
    assert [(r.objective, r.verdict) for r in compare_objectives(baseline, slower)] == [("seconds", Verdict.UNCHANGED)]
    much_slower = record([(0.9, 3.0)], tolerances={"seconds": "25%"})
    (row,) = compare_objectives(baseline, much_slower)
    assert row.verdict is Verdict.REGRESSED
    assert row.reason() == "regressed: seconds rose from 2 to 3 (delta +1, allowed 0.5 by tol 25%)"
    assert "tune_n [seconds]" in format_verdicts([compare_experiment(baseline, much_slower), row])
    faster = record([(0.9, 1.0)], tolerances={"seconds": "25%"})
    assert compare_objectives(baseline, faster)[0].verdict is Verdict.IMPROVED
    assert compare_objectives(baseline, record([(0.9, 9.0)])) == []  # no tolerance: not guarded


def test_an_objective_the_baseline_lacks_is_new_and_a_recheck_is_judged_by_its_mean() -> None:
    baseline = record([(0.9, 2.0)])
    baseline.objectives = {"accuracy": "maximize", "seconds": "maximize"}
    current = record([(0.9, 2.0)], tolerances={"seconds": "0.1"})
    assert compare_objectives(baseline, current)[0].verdict is Verdict.NEW
    recheck = record([(0.9, 2.0), (0.9, 2.3)], tolerances={"seconds": "0.1"}, strategy=RECHECK_STRATEGY)
    (row,) = compare_objectives(record([(0.9, 2.0)]), recheck)
    assert (row.current, row.verdict) == (pytest.approx(2.15), Verdict.REGRESSED)


@pytest.mark.parametrize(("tolerance", "message"), [
    ({"seconds": "x"}, "tolerance['seconds']: expected an absolute difference"),
    ({"size": "1%"}, "tolerance['size']: not an objective (objectives: accuracy, seconds)"),
])
def test_a_bad_tolerance_per_objective_names_it(tolerance: dict[str, str], message: str) -> None:
    def f(n: int) -> dict[str, float]:
        return {}

    spec = get_spec(tunable(space={"n": Integer(1, 3)}, objectives=OBJECTIVES, tolerance=tolerance)(f))
    assert spec is not None and spec.error is not None and spec.error.startswith(message)
    plain = get_spec(tunable(space={"n": Integer(1, 3)}, tolerance={"accuracy": 0.1})(lambda n: n))
    assert plain is not None and plain.error == "tolerance: a dict of tolerances per objective needs objectives={...}"


def test_the_first_objectives_tolerance_is_the_scores() -> None:
    def f(n: int) -> dict[str, float]:
        return {}

    spec = get_spec(tunable(space={"n": Integer(1, 3)}, objectives=OBJECTIVES,
                            tolerance={"accuracy": 0.01, "seconds": "50%"})(f))
    assert spec is not None and spec.error is None
    assert (spec.tolerance, spec.objective_tolerances) == ("0.01", {"seconds": "50%"})


EXPERIMENT = """
import os
from tunekit import Integer, tunable

@tunable(space={"n": Integer(1, 6)}, strategy="grid", objectives={"accuracy": "maximize", "seconds": "minimize"},
         tolerance={"accuracy": 0.01, "seconds": "20%"})
def tune_slow(n):
    # SLOWER=1 makes every configuration take twice as long: accuracy is unchanged
    return {"accuracy": 1 - 1 / n, "seconds": n * (2 if os.environ.get("SLOWER") else 1)}
"""


def test_a_slower_pipeline_fails_the_guard_on_its_time_objective(pytester: pytest.Pytester,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(exp_slow=EXPERIMENT)
    saved = pytester.runpytest("exp_slow.py", "--save-baseline", "baseline.json")
    assert saved.ret == pytest.ExitCode.OK
    same = pytester.runpytest("exp_slow.py", "--baseline", "baseline.json")
    assert same.ret == pytest.ExitCode.OK
    same.stdout.fnmatch_lines(["tune_slow *unchanged", "tune_slow ?seconds? *unchanged"])
    monkeypatch.setenv("SLOWER", "1")
    for args in (["--baseline", "baseline.json"], ["--recheck", "baseline.json"]):
        result = pytester.runpytest("exp_slow.py", *args)
        assert result.ret == pytest.ExitCode.TESTS_FAILED, args
        result.stdout.fnmatch_lines(["FAILED *regressed: seconds rose from 6 to 12 (delta +6, allowed 1.2 by tol 20%)",
                                     "*tunekit verdicts*", "tune_slow ?seconds? *REGRESSED"])
        result.stdout.no_fnmatch_line("*Traceback*")


def test_reordered_objectives_make_the_score_new_not_a_comparison_of_two_objectives() -> None:
    baseline = record([(0.9, 2.0), (0.8, 1.0)])
    reordered = record([(0.9, 2.0), (0.8, 1.0)])
    reordered.objectives = {"seconds": "minimize", "accuracy": "maximize"}
    reordered.direction = "minimize"
    reordered.trials = [replace(t, score=(t.values or {})["seconds"]) for t in reordered.trials]
    row = compare_experiment(baseline, reordered)
    assert (row.verdict, row.baseline) == (Verdict.NEW, None)  # not accuracy 0.9 against seconds 1.0
    flipped = record([(0.9, 2.0)])
    flipped.direction = "minimize"
    assert compare_experiment(record([(0.9, 2.0)]), flipped).verdict is Verdict.NEW
    # the fastest trial is selected now, the most accurate one was: their accuracies are not compared either
    reordered.objective_tolerances = {"accuracy": "0.01"}
    assert [(r.objective, r.verdict) for r in compare_objectives(baseline, reordered)] == [("accuracy", Verdict.NEW)]


REORDERED = """
import os
from tunekit import Integer, tunable

OBJECTIVES = {"accuracy": "maximize", "seconds": "minimize"}
if os.environ.get("SECONDS_FIRST"):
    OBJECTIVES = {"seconds": "minimize", "accuracy": "maximize"}

@tunable(space={"n": Integer(1, 6)}, strategy="grid", objectives=OBJECTIVES,
         tolerance={"accuracy": 0.01, "seconds": "10%"})
def tune_order(n):
    return {"accuracy": 1 - 1 / n, "seconds": n / 10}
"""


def test_a_run_whose_first_objective_changed_is_new_against_the_baseline(
        pytester: pytest.Pytester, run_tunekit: Callable[..., pytest.RunResult],
        monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(exp_order=REORDERED)
    assert run_tunekit("exp_order.py", "--save-baseline", "baseline.json").ret == pytest.ExitCode.OK
    monkeypatch.setenv("SECONDS_FIRST", "1")
    result = run_tunekit("exp_order.py", "--baseline", "baseline.json")
    assert result.ret == pytest.ExitCode.OK
    # the baseline's score is accuracy (0.8333), this run's seconds (0.1): they are not compared, nor is the
    # accuracy of the trial each selects (the most accurate then, the fastest now)
    result.stdout.fnmatch_lines(["*tunekit verdicts*", "tune_order * new", "tune_order ?accuracy? * new"])
    result.stdout.no_fnmatch_line("tune_order *improved*")
