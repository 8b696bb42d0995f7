"""The CI regression guard end to end: baselines, tolerance, re-check mode and ``tunekit compare``."""

from __future__ import annotations

import json

import pytest

from tunekit import results

# A real model whose pipeline can be broken from outside: DEGRADE=1 drops most feature columns.
EXPERIMENT = """
import os
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from tunekit import tunable, Real, Categorical

X, y = load_breast_cancer(return_X_y=True)
if os.environ.get("DEGRADE"):
    X = X[:, :2]

@tunable(space={"alpha": Real(1e-5, 1e-1, log=True), "loss": Categorical(["hinge", "log_loss"])},
         strategy="random", trials=6, seed=0)
def tune_sgd(alpha, loss, trial):
    model = make_pipeline(StandardScaler(), SGDClassifier(alpha=alpha, loss=loss, random_state=trial.seed))
    return cross_val_score(model, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0))
"""


@pytest.fixture
def baseline(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(exp_sgd=EXPERIMENT)
    result = pytester.runpytest("exp_sgd.py", "--save-baseline", "baseline.json")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["baseline: baseline.json"])
    return pytester


def test_saved_baseline_is_a_results_file(baseline: pytest.Pytester) -> None:
    saved = results.load(baseline.path / "baseline.json")
    assert [e.id for e in saved.experiments] == ["exp_sgd.py::tune_sgd"]
    assert saved.experiments[0].best.folds is not None


def test_degraded_pipeline_is_caught_by_tuning_and_by_recheck(baseline: pytest.Pytester,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEGRADE", "1")
    for args in (["--baseline", "baseline.json"], ["--recheck", "baseline.json"]):
        result = baseline.runpytest("exp_sgd.py", *args)
        assert result.ret == pytest.ExitCode.TESTS_FAILED, args
        result.stdout.fnmatch_lines(["*tunekit verdicts*", "experiment*baseline*current*delta*allowed*verdict",
                                     "tune_sgd*REGRESSED"])
        result.stdout.fnmatch_lines(["*regressed: score dropped from * to * (delta -*, allowed * by *)"])
        result.stdout.no_fnmatch_line("*Traceback*")


def test_unchanged_code_passes_twenty_rechecks_with_other_seeds(baseline: pytest.Pytester) -> None:
    verdicts = []
    for seed in range(20):
        result = baseline.runpytest("exp_sgd.py", "--recheck", "baseline.json", "--seed", str(seed),
                                    "--json", f"recheck{seed}.json")
        verdicts.append((seed, result.ret))
    assert [v for v in verdicts if v[1] != 0] == []


def test_recheck_is_one_evaluation_and_reproduces_the_baseline(baseline: pytest.Pytester) -> None:
    result = baseline.runpytest("exp_sgd.py", "--recheck", "baseline.json", "--json", "recheck.json")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["tune_sgd*unchanged"])
    base = results.load(baseline.path / "baseline.json").experiments[0]
    again = results.load(baseline.path / "recheck.json").experiments[0]
    assert again.strategy == "recheck" and len(again.trials) == 1
    assert again.trials[0].params == base.best.params and again.trials[0].score == base.best.score

    repeated = baseline.runpytest("exp_sgd.py", "--recheck", "baseline.json", "--repeats", "3",
                                  "--json", "repeated.json")
    assert repeated.ret == 0
    trials = results.load(baseline.path / "repeated.json").experiments[0].trials
    assert len(trials) == 3 and len({t.seed for t in trials}) == 3


def test_improvement_passes_and_new_and_missing_are_reported(baseline: pytest.Pytester) -> None:
    doc = json.loads((baseline.path / "baseline.json").read_text())
    doc["experiments"][0]["trials"] = [
        dict(t, score=t["score"] - 0.2, folds=[f - 0.2 for f in t["folds"]]) if t["state"] == "COMPLETE" else t
        for t in doc["experiments"][0]["trials"]]
    doc["experiments"][0]["best"]["score"] -= 0.2
    gone = json.loads(json.dumps(doc["experiments"][0]))
    gone["id"] = "exp_gone.py::tune_gone"
    doc["experiments"].append(gone)
    (baseline.path / "worse_baseline.json").write_text(json.dumps(doc))
    baseline.makepyfile(exp_new="from tunekit import tunable, Real\n"
                                "@tunable(space={'x': Real(0, 1)}, trials=2)\ndef tune_new(x):\n    return x\n")
    result = baseline.runpytest("exp_sgd.py", "exp_new.py", "--baseline", "worse_baseline.json")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*tunekit verdicts*", "tune_sgd*improved", "tune_new*new", "tune_gone*missing"])


def test_tolerance_from_decorator_and_command_line(baseline: pytest.Pytester, monkeypatch) -> None:
    monkeypatch.setenv("DEGRADE", "1")
    loose = baseline.runpytest("exp_sgd.py", "--recheck", "baseline.json", "--tolerance", "50%")
    assert loose.ret == 0
    loose.stdout.fnmatch_lines(["tune_sgd*(paired, tol 50%)*unchanged"])
    (baseline.path / "exp_sgd.py").write_text(EXPERIMENT.replace("seed=0)", "seed=0, tolerance=0.5)"))
    decorated = baseline.runpytest("exp_sgd.py", "--recheck", "baseline.json", "--tolerance", "0.0001")
    assert decorated.ret == 0  # the experiment's own tolerance wins
    decorated.stdout.fnmatch_lines(["tune_sgd*(paired, tol 0.5)*unchanged"])


@pytest.mark.parametrize(("args", "message"), [
    (["--baseline", "nope.json"], "ERROR: --baseline: nope.json: no such file"),
    (["--recheck", "exp_sgd.py"], "ERROR: --recheck: exp_sgd.py: not valid JSON: *"),
    (["--baseline", "baseline.json", "--tolerance", "lots"],
     "ERROR: --tolerance: expected an absolute difference such as 0.01 or a relative one such as 2%, got 'lots'"),
    (["--repeats", "3"], "ERROR: --repeats: only meaningful with --recheck BASELINE"),
])
def test_bad_baseline_arguments_are_usage_errors(baseline: pytest.Pytester, args: list[str], message: str) -> None:
    result = baseline.runpytest("exp_sgd.py", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_baseline_from_another_machine_warns(baseline: pytest.Pytester) -> None:
    doc = json.loads((baseline.path / "baseline.json").read_text())
    doc["machine_info"]["node"] = "build-server-7"
    doc["tunekit_version"] = "0.0.1"
    (baseline.path / "other.json").write_text(json.dumps(doc))
    result = baseline.runpytest("exp_sgd.py", "--recheck", "other.json")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["warning: baseline written by tunekit 0.0.1, this is *",
                                 ("warning: baseline comes from another machine "
                                 "(node differ; node: build-server-7 vs *)")])


def test_compare_command(baseline: pytest.Pytester, run_tunekit, monkeypatch) -> None:
    same = run_tunekit("compare", "baseline.json", "baseline.json")
    assert same.ret == 0
    same.stdout.fnmatch_lines(["experiment*baseline*current*delta*allowed*verdict", "tune_sgd*unchanged"])
    monkeypatch.setenv("DEGRADE", "1")
    assert baseline.runpytest("exp_sgd.py", "--json", "degraded.json").ret == 0
    worse = run_tunekit("compare", "baseline.json", "degraded.json")
    assert worse.ret == pytest.ExitCode.TESTS_FAILED
    worse.stdout.fnmatch_lines(["tune_sgd*REGRESSED"])
    worse.stderr.fnmatch_lines(["REGRESSED exp_sgd.py::tune_sgd: regressed: score dropped from *"])
    assert run_tunekit("compare", "baseline.json", "degraded.json", "--tolerance", "90%").ret == 0
    failed = json.loads((baseline.path / "degraded.json").read_text())
    for trial in failed["experiments"][0]["trials"]:  # every trial failed: no score to compare
        trial.update(state="FAIL", score=None, score_std=None, folds=None, error="ValueError: boom")
    failed["experiments"][0]["best"] = None
    (baseline.path / "failed.json").write_text(json.dumps(failed))
    nothing = run_tunekit("compare", "baseline.json", "failed.json")
    assert nothing.ret == pytest.ExitCode.TESTS_FAILED, nothing.stderr.str()
    nothing.stderr.fnmatch_lines(["REGRESSED exp_sgd.py::tune_sgd: regressed: no score (no trial completed; *)"])
    for args, message in [(("baseline.json",), "ERROR: tunekit compare: the following arguments are required: new"),
                          (("baseline.json", "missing.json"), "ERROR: missing.json: no such file"),
                          (("baseline.json", "degraded.json", "--tolerance", "x"), "ERROR: tolerance: expected *")]:
        bad = run_tunekit("compare", *args)
        assert bad.ret == pytest.ExitCode.USAGE_ERROR
        bad.stderr.fnmatch_lines([message])


# The case: a logistic regression on fixed 5-fold splits, every fold score lowered by exactly 0.02.
SHIFTED = """
import os
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from tunekit import tunable, Real

X, y = load_breast_cancer(return_X_y=True)

@tunable(space={"C": Real(1e-3, 1e2, log=True)}, strategy="random", trials=5, seed=0)
def tune_logreg(C):
    model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=1000))
    folds = cross_val_score(model, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0))
    return folds - float(os.environ.get("SHIFT", "0"))
"""


def test_a_two_point_drop_on_every_fold_is_caught_by_the_paired_rule(pytester: pytest.Pytester,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(exp_logreg=SHIFTED)
    assert pytester.runpytest("exp_logreg.py", "--save-baseline", "baseline.json").ret == 0
    same = pytester.runpytest("exp_logreg.py", "--recheck", "baseline.json")
    assert same.ret == 0
    same.stdout.fnmatch_lines(["tune_logreg*+0 *(paired floor)*unchanged"])
    monkeypatch.setenv("SHIFT", "0.02")
    for args in (["--baseline", "baseline.json"], ["--recheck", "baseline.json"]):
        result = pytester.runpytest("exp_logreg.py", *args)
        assert result.ret == pytest.ExitCode.TESTS_FAILED, args
        result.stdout.fnmatch_lines(["tune_logreg*-0.02 *(paired floor)*REGRESSED"])
