"""The Pareto front's hypervolume: the reference point a baseline keeps, its JSON form, and its verdict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tunekit.compare import Verdict, compare_hypervolume, compare_objectives, with_baseline_reference
from tunekit.errors import ResultsError
from tunekit.report.verdicts import format_verdicts
from tunekit.results import (
    RECHECK_STRATEGY,
    ExperimentResult,
    ResultsDocument,
    default_reference,
    dumps,
    loads,
)
from tunekit.trial import TrialResult, TrialState

OBJECTIVES = {"accuracy": "maximize", "seconds": "minimize"}


def record(values: list[tuple[float, float]], *, limits: dict[str, float] | None = None,
           tolerances: dict[str, str] | None = None, strategy: str = "random") -> ExperimentResult:
    trials = [TrialResult(number=i, params={"n": i}, state=TrialState.COMPLETE, score=acc,
                          values={"accuracy": acc, "seconds": secs}) for i, (acc, secs) in enumerate(values)]
    return ExperimentResult(id="exp.py::tune_n", strategy=strategy, direction="maximize", seed=0,
                            budget={"trials": len(trials)}, space={"n": {"type": "integer", "low": 0, "high": 9}},
                            trials=trials, objectives=dict(OBJECTIVES),
                            limits=limits or {}, objective_tolerances=tolerances or {})


def test_the_default_reference_is_each_limit_or_a_tenth_of_the_range_beyond_the_worst_feasible_value() -> None:
    exp = record([(0.8, 1.0), (0.9, 3.0), (0.95, 9.0)], limits={"seconds": 5.0})
    # seconds: its limit; accuracy: the feasible trials range over 0.8-0.9, so 0.8 - 0.01
    assert exp.reference == pytest.approx({"accuracy": 0.79, "seconds": 5.0})
    # the front (0.8, 1) and (0.9, 3) from (0.79, 5): 0.01 * 4 + 0.1 * 2
    assert exp.hypervolume == pytest.approx(0.24)
    assert default_reference(exp.trials, OBJECTIVES, {"seconds": 0.5}) is None  # nothing feasible to take it from
    single = record([(0.5, 2.0)])
    assert single.reference == pytest.approx({"accuracy": 0.45, "seconds": 2.2})  # a tenth of the value itself
    # limits for every objective: the reference needs no feasible trial (none is here: the front is empty)
    assert record([(0.5, 2.0)], limits={"accuracy": 0.6, "seconds": 1.0}).hypervolume == 0.0
    plain = ExperimentResult(id="e", strategy="random", direction="maximize", seed=0, budget={}, space={}, trials=[])
    assert plain.reference is None and plain.hypervolume is None


def _document(exp: ExperimentResult) -> ResultsDocument:
    return ResultsDocument(experiments=[exp], created="2026-01-01T00:00:00+00:00")


def test_results_record_the_reference_and_hypervolume_and_check_them_on_load() -> None:
    exp = record([(0.8, 1.0), (0.9, 3.0)], limits={"seconds": 5.0})
    data = json.loads(dumps(_document(exp)))
    assert data["experiments"][0]["hypervolume"] == {"reference": {"accuracy": pytest.approx(0.79), "seconds": 5.0},
                                                     "value": pytest.approx(0.24)}
    loaded = loads(json.dumps(data)).experiments[0]
    assert loaded.hypervolume_reference == data["experiments"][0]["hypervolume"]["reference"]
    data["experiments"][0]["hypervolume"]["value"] = 0.5
    with pytest.raises(ResultsError, match=r"experiments\[0\]\.hypervolume\.value: does not match the front"):
        loads(json.dumps(data))
    del data["experiments"][0]["hypervolume"]["reference"]["seconds"]
    with pytest.raises(ResultsError, match=r"experiments\[0\]\.hypervolume\.reference: expected a number for each"):
        loads(json.dumps(data))
    del data["experiments"][0]["hypervolume"]
    assert loads(json.dumps(data)).experiments[0].hypervolume == pytest.approx(0.24)  # older files: the default


def test_a_drop_beyond_the_hypervolume_tolerance_regresses_measured_from_the_baselines_reference() -> None:
    baseline = record([(0.8, 1.0), (0.9, 3.0)], limits={"seconds": 5.0})
    # the current run's own default reference would differ (its accuracies span 0.85-0.9): the baseline's is used
    worse = record([(0.85, 3.0), (0.88, 4.0)], limits={"seconds": 5.0}, tolerances={"hypervolume": "10%"})
    row = compare_hypervolume(baseline, worse)
    assert row is not None and row.objective == "hypervolume"
    # from (0.79, 5): 0.09 * 1 + 0.06 * 1
    assert (row.baseline, row.current) == (pytest.approx(0.24), pytest.approx(0.15))
    assert row.verdict is Verdict.REGRESSED
    assert row.reason() == "regressed: hypervolume dropped from 0.24 to 0.15 (delta -0.09, allowed 0.024 by tol 10%)"
    assert "tune_n [hypervolume]" in format_verdicts([row])
    close = record([(0.8, 1.0), (0.9, 3.2)], limits={"seconds": 5.0}, tolerances={"hypervolume": "10%"})
    assert compare_hypervolume(baseline, close).verdict is Verdict.UNCHANGED  # type: ignore[union-attr]
    better = record([(0.8, 0.2), (0.95, 3.0)], limits={"seconds": 5.0}, tolerances={"hypervolume": "10%"})
    assert compare_hypervolume(baseline, better).verdict is Verdict.IMPROVED  # type: ignore[union-attr]
    assert compare_objectives(baseline, worse)[-1] == row  # next to the objectives' rows


def test_the_hypervolume_is_guarded_only_when_declared_and_never_for_a_recheck() -> None:
    baseline = record([(0.8, 1.0), (0.9, 3.0)])
    assert compare_hypervolume(baseline, record([(0.5, 9.0)])) is None
    recheck = record([(0.9, 3.0), (0.9, 3.1)], tolerances={"hypervolume": "1%"}, strategy=RECHECK_STRATEGY)
    assert compare_hypervolume(baseline, recheck) is None
    renamed = record([(0.8, 1.0)], tolerances={"hypervolume": "1%"})
    renamed.objectives = {"accuracy": "maximize", "minutes": "minimize"}
    renamed.trials = [TrialResult(number=0, params={"n": 0}, state=TrialState.COMPLETE, score=0.8,
                                  values={"accuracy": 0.8, "minutes": 1.0})]
    assert compare_hypervolume(baseline, renamed).verdict is Verdict.NEW  # type: ignore[union-attr]


def test_a_run_compared_with_a_baseline_keeps_its_reference() -> None:
    baseline = record([(0.8, 1.0), (0.9, 3.0)])
    current = record([(0.7, 0.5), (0.95, 6.0)])
    kept = with_baseline_reference(current, baseline)
    assert kept.reference == baseline.reference and current.hypervolume_reference == {}
    assert with_baseline_reference(current, None) is current


EXPERIMENT = """
import os
from tunekit import Integer, tunable

@tunable(space={"n": Integer(1, 8)}, strategy="grid", objectives={"accuracy": "maximize", "seconds": "minimize"},
         limits={"seconds": 10}, tolerance={"seconds": "50%%", "hypervolume": "%(tolerance)s"})
def tune_front(n):
    # WORSE=1 costs the larger models some accuracy: the selected trial and its time are unchanged, the front shrinks
    accuracy = 1 - 1 / (n + 1) - (0.02 * n if os.environ.get("WORSE") and n > 2 else 0)
    return {"accuracy": accuracy if n != 8 else 1 - 1 / 9, "seconds": float(n)}
"""


def test_the_tunekit_command_guards_the_hypervolume(run_tunekit, pytester: pytest.Pytester,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyprojecttoml("[tool.tunekit]\n")
    pytester.mkdir("experiments")
    source = pytester.path / "experiments" / "exp_front.py"
    source.write_text(EXPERIMENT % {"tolerance": "5%"})
    saved = run_tunekit("--save-baseline", "baseline.json")
    assert saved.ret == pytest.ExitCode.OK, saved.stdout.str()
    stored = json.loads(Path(pytester.path / "baseline.json").read_text())["experiments"][0]["hypervolume"]
    assert stored["reference"] == {"accuracy": pytest.approx(0.5 - 0.1 * (8 / 9 - 0.5)), "seconds": 10.0}
    same = run_tunekit("--baseline", "baseline.json")
    assert same.ret == pytest.ExitCode.OK, same.stdout.str()
    same.stdout.fnmatch_lines(["*tunekit verdicts*", "tune_front *unchanged", "tune_front ?seconds? *unchanged",
                               "tune_front ?hypervolume? *unchanged"])
    monkeypatch.setenv("WORSE", "1")
    worse = run_tunekit("--baseline", "baseline.json", "--json", "worse.json")
    assert worse.ret == pytest.ExitCode.TESTS_FAILED, worse.stdout.str()
    worse.stdout.fnmatch_lines(["*regressed: hypervolume dropped from * to * (delta -*, allowed * by tol 5%)*",
                                "*tunekit verdicts*", "tune_front *unchanged", "tune_front ?hypervolume? *REGRESSED"])
    worse.stdout.no_fnmatch_line("*Traceback*")
    kept = json.loads(Path(pytester.path / "worse.json").read_text())["experiments"][0]["hypervolume"]
    assert kept["reference"] == stored["reference"] and kept["value"] < stored["value"]
    source.write_text(EXPERIMENT % {"tolerance": "90%"})  # a loose tolerance lets the same drop through
    loose = run_tunekit("--baseline", "baseline.json")
    assert loose.ret == pytest.ExitCode.OK, loose.stdout.str()
    loose.stdout.fnmatch_lines(["tune_front ?hypervolume? *unchanged"])
