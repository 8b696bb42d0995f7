"""The multi-fidelity strategy through the real ``tunekit`` command: with asha and hyperband, serial and with
workers, reproducible, on a conditional and constrained space."""

from __future__ import annotations

import json

import pytest

CURVES = """
from tunekit import tunable, Real, Integer, Categorical, Branches, TrialPruned

def curve(lr, width, epochs):
    value = 0.0
    for epoch in range(epochs):
        value += lr * (1 - value) * (1 - abs(width - 20) / 40)
        yield epoch + 1, value

@tunable(space={"lr": Real(1e-3, 1, log=True), "width": Integer(1, 40)}, strategy="bohb", trials=40,
         pruner="asha:max_resource=27", seed=3)
def tune_asha(lr, width, trial):
    for step, value in curve(lr, width, 27):
        trial.report(value, step=step)
        if trial.should_prune():
            raise TrialPruned()
    return value

@tunable(space=Branches("model", wide={"lr": Real(1e-3, 1, log=True), "width": Integer(1, 40)},
                        narrow={"lr": Real(1e-3, 1, log=True)}),
         constraints=[lambda p: not (p["model"] == "wide" and p["width"] > 35)],
         strategy="bohb", trials=30, pruner="hyperband:max_resource=27", seed=4)
def tune_hyperband(model, trial, lr=0.1, width=10):
    for step, value in curve(lr, width, 27):
        trial.report(value, step=step)
        if trial.should_prune():
            return value
    return value
"""


def _experiments(pytester: pytest.Pytester) -> dict[str, dict]:
    results = json.loads((pytester.path / ".tunekit" / "results.json").read_text())
    return {e["id"].split("::")[1]: e for e in results["experiments"]}


def _check(experiments: dict[str, dict]) -> None:
    for name, trials in (("tune_asha", 40), ("tune_hyperband", 30)):
        record = experiments[name]
        assert record["strategy"] == "bohb"
        assert len(record["trials"]) == trials
        states = {t["state"] for t in record["trials"]}
        assert states <= {"COMPLETE", "PRUNED"} and "PRUNED" in states, name
        assert record["best"]["number"] in {t["number"] for t in record["trials"] if t["state"] == "COMPLETE"}
    for t in experiments["tune_hyperband"]["trials"]:
        assert not (t["params"]["model"] == "wide" and t["params"]["width"] > 35)
        assert ("width" in t["params"]) == (t["params"]["model"] == "wide")


def test_bohb_with_asha_and_hyperband_is_reproducible(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(exp_curves=CURVES)
    result = pytester.runpytest("exp_curves.py", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    result.stdout.fnmatch_lines(["*tune_asha*bohb*", "*tune_hyperband*bohb*"])
    first = _experiments(pytester)
    _check(first)
    again = pytester.runpytest("exp_curves.py", "-p", "no:cacheprovider")
    assert again.ret == pytest.ExitCode.OK
    second = _experiments(pytester)
    for name in first:
        assert [t["params"] for t in first[name]["trials"]] == [t["params"] for t in second[name]["trials"]]


def test_bohb_with_two_workers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(exp_curves=CURVES)
    result = pytester.runpytest("exp_curves.py", "--workers", "2", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    _check(_experiments(pytester))
