"""Running experiments: results file, seeds and overrides, failing trials, leaderboard, exit codes."""

from __future__ import annotations

import json

import pytest

from tunekit import TrialState
from tunekit.results import SCHEMA

GOOD = """
from tunekit import tunable, Real, Integer, Categorical

@tunable(space={"lr": Real(1e-4, 1e-1, log=True), "depth": Integer(2, 8), "act": Categorical(["relu", "tanh"])},
         strategy="random", trials=6, direction="minimize", seed=3)
def tune_model(lr, depth, act, trial):
    return [lr * depth + (0.5 if act == "relu" else 0.0) + 0.01 * fold for fold in range(3)]

@tunable(space={"n": Integer(1, 4), "flag": Categorical([True, False])}, strategy="grid")
def tune_grid(n, flag):
    return {"score": n + (10 if flag else 0), "train_score": n + 1.0, "note": "ok"}
"""


def test_results_file_matches_the_schema(pytester: pytest.Pytester, load_results) -> None:
    pytester.makepyfile(exp_good=GOOD)
    result = pytester.runpytest("exp_good.py")
    assert result.ret == pytest.ExitCode.OK
    raw = json.loads((pytester.path / ".tunekit" / "results.json").read_text())
    assert raw["schema"] == SCHEMA
    assert {"tunekit_version", "created", "machine_info", "commit_info", "experiments"} <= set(raw)
    model = raw["experiments"][0]
    assert model["id"] == "exp_good.py::tune_model"
    assert (model["strategy"], model["direction"], model["seed"], model["budget"]) == (
        "random", "minimize", 3, {"trials": 6})
    assert model["space"]["lr"] == {"type": "real", "low": 1e-4, "high": 0.1, "log": True}
    assert len(model["trials"]) == 6 and model["status"] == "passed"
    first = model["trials"][0]
    assert len(first["folds"]) == 3 and first["score"] == pytest.approx(sum(first["folds"]) / 3)
    assert first["state"] == "COMPLETE" and first["error"] is None and first["duration_s"] >= 0
    best = min(model["trials"], key=lambda t: t["score"])
    assert model["best"]["number"] == best["number"] and model["best"]["score_std"] is not None

    doc = load_results()
    grid = doc.get("exp_good.py::tune_grid")
    assert grid.strategy == "grid" and len(grid.trials) == 8  # 4 x 2, the whole grid
    assert grid.best.params == {"n": 4, "flag": True}
    assert grid.trials[0].metrics == {"train_score": 2.0, "note": "ok"}


def test_same_seed_same_trials_and_cli_overrides(pytester: pytest.Pytester, load_results) -> None:
    pytester.makepyfile(exp_good=GOOD)
    pytester.runpytest("exp_good.py", "--json", "one.json").assert_outcomes(passed=2)
    pytester.runpytest("exp_good.py", "--json", "two.json").assert_outcomes(passed=2)
    one, two = load_results("one.json"), load_results("two.json")
    for a, b in zip(one.experiments, two.experiments, strict=False):
        assert [(t.params, t.score, t.seed) for t in a.trials] == [(t.params, t.score, t.seed) for t in b.trials]

    pytester.runpytest("exp_good.py", "--json", "three.json", "--seed", "4", "--trials", "3",
                       "--strategy", "random").assert_outcomes(passed=2)
    three = load_results("three.json")
    assert all(e.seed == 4 and len(e.trials) == 3 and e.strategy == "random" for e in three.experiments)
    assert [t.params for t in three.experiments[0].trials] != [t.params for t in one.experiments[0].trials][:3]


def test_failing_trials_are_recorded_and_the_search_goes_on(pytester: pytest.Pytester, load_results) -> None:
    pytester.makepyfile(exp_flaky="""
        import math
        from tunekit import tunable, Categorical

        @tunable(space={"kind": Categorical(["ok", "raise", "nan", "none", "text", "inf"])}, strategy="grid")
        def tune_flaky(kind):
            if kind == "raise":
                raise ValueError("bad value")
            return {"ok": 1.0, "nan": math.nan, "none": None, "text": "high", "inf": math.inf}[kind]
    """)
    result = pytester.runpytest("exp_flaky.py")
    assert result.ret == pytest.ExitCode.OK
    trials = {t.params["kind"]: t for t in load_results().experiments[0].trials}
    assert trials["ok"].state is TrialState.COMPLETE
    assert [trials[k].state for k in ("raise", "nan", "none", "text", "inf")] == [TrialState.FAIL] * 5
    assert trials["raise"].error.startswith("ValueError: bad value (") and "exp_flaky.py:7)" in trials["raise"].error
    assert "nan" in trials["nan"].error and "None" in trials["none"].error and "inf" in trials["inf"].error
    assert "must be a number" in trials["text"].error


@pytest.mark.parametrize("workers", ["1", "2"])
def test_misbehaving_objectives_fail_only_their_trial(run_tunekit, pytester: pytest.Pytester, load_results,
                                                      workers: str) -> None:
    pytester.makepyprojecttoml("[tool.tunekit]\n")
    pytester.mkdir("experiments")
    (pytester.path / "experiments" / "exp_rude.py").write_text("""
import sys
from tunekit import tunable, Categorical

@tunable(space={"kind": Categorical(["ok", "exit", "nested", "mutate"])}, strategy="grid")
def tune_rude(kind, trial):
    if kind == "exit":
        sys.exit("bye")
    if kind == "nested":
        return [[0.9, 0.8], [0.7, 0.6]]
    if kind == "mutate":
        trial.params["kind"] = "changed"
        return 0.5
    return 1.0
""")
    result = run_tunekit("--workers", workers)
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    trials = {t.params["kind"]: t for t in load_results().experiments[0].trials}
    assert sorted(trials) == ["exit", "mutate", "nested", "ok"]  # the proposed parameters, not the mutated ones
    assert trials["exit"].state is TrialState.FAIL and trials["exit"].error.startswith("SystemExit: bye (")
    assert trials["nested"].state is TrialState.FAIL
    assert trials["nested"].error == "score must be a flat sequence of fold scores, got a 2-D array of shape (2, 2)"
    assert trials["mutate"].state is TrialState.COMPLETE and trials["ok"].state is TrialState.COMPLETE


def test_experiment_whose_every_trial_failed_fails_with_file_and_line(pytester: pytest.Pytester,
                                                                     load_results) -> None:
    pytester.makepyfile(exp_broken="""
        from tunekit import tunable, Real

        @tunable(space={"x": Real(0, 1)}, trials=3)
        def tune_broken(x):
            return 1 / 0

        @tunable(space={"x": Real(0, 1)}, trials=2)
        def tune_fine(x):
            return x
    """)
    result = pytester.runpytest("exp_broken.py")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([("*all 3 trials failed; first error (trial 0): "
                                 "ZeroDivisionError: division by zero (exp_broken.py:5)*")])
    result.stdout.no_fnmatch_line("*Traceback*")
    doc = load_results()
    assert doc.get("exp_broken.py::tune_broken").status == "failed"
    assert doc.get("exp_broken.py::tune_fine").status == "passed"

    with_tb = pytester.runpytest("exp_broken.py", "--tb=short")
    with_tb.stdout.fnmatch_lines(["*Traceback (most recent call last)*", "*return 1 / 0*"])


def test_leaderboard_and_top_trials(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(exp_good=GOOD)
    result = pytester.runpytest("exp_good.py", "--top", "2")
    result.stdout.fnmatch_lines([
        "*tunekit leaderboard*",
        "experiment*best*dir*strategy*trials*time*best params*",
        "tune_model*min*random*6/6*",
        "tune_grid*14*max*grid*8/8*n=4,*",
        "*top 2: exp_good.py::tune_model*",
        "rank*trial*score*time*params*",
        "1 *#*",
        "2 *#*",
        "*top 2: exp_good.py::tune_grid*",
        "1 *#6*14*n=4, flag=True*",
        "results: *results.json",
    ])
    summary = result.stdout.lines[result.stdout.lines.index(next(
        line for line in result.stdout.lines if "tunekit leaderboard" in line)):]
    assert max(len(line) for line in summary if "exp_good.py" not in line and "/" not in line) <= 80


def test_grid_budget_smaller_than_grid_is_announced(pytester: pytest.Pytester, load_results) -> None:
    pytester.makepyfile(exp_grid="""
        from tunekit import tunable, Integer
        @tunable(space={"a": Integer(1, 5), "b": Integer(1, 4)}, strategy="grid", trials=6)
        def tune_grid(a, b):
            return a * b
    """)
    result = pytester.runpytest("exp_grid.py")
    result.stdout.fnmatch_lines(["*grid has 20 points but the budget is 6 trials*--trials 20*"])
    trials = load_results().experiments[0].trials
    assert len(trials) == 6 and len({(t.params["a"], t.params["b"]) for t in trials}) == 6
