"""--warm-start history: a search begins from the best configurations the run store holds for it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

EXPERIMENT = """
from tunekit import tunable, Real, Integer

@tunable(space={{"x": Real(0, 1), "n": Integer(1, 5)}}, strategy="random", trials={trials}, seed={seed})
def tune_x(x, n):
    return x * n
"""


def _trials(path: Path) -> list[dict]:
    (experiment,) = json.loads(path.read_text())["experiments"]
    return experiment["trials"]


@pytest.fixture
def project(pytester: pytest.Pytester) -> Path:
    pytester.makepyprojecttoml("[tool.tunekit]\n")
    pytester.mkdir("experiments")
    return pytester.path


def test_a_search_starts_from_the_best_configurations_of_earlier_runs(project: Path, run_tunekit) -> None:
    experiment = project / "experiments" / "exp_x.py"
    experiment.write_text(EXPERIMENT.format(trials=6, seed=1))
    assert run_tunekit("--json", "first.json").ret == 0
    best = sorted(_trials(project / "first.json"), key=lambda t: -t["score"])[:4]
    result = run_tunekit("--warm-start", "history", "--seed", "9", "--trials", "8", "--json", "second.json")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(["note: *tune_x: warm start: 4 best configurations from the run store's history"])
    second = _trials(project / "second.json")
    assert [t["params"] for t in second[:4]] == [t["params"] for t in best]  # half the budget, best first
    assert all(t["warm_start"] for t in second[:4]) and not any(t["warm_start"] for t in second[4:])


def test_without_history_or_without_a_store_the_search_starts_as_usual(project: Path, run_tunekit) -> None:
    (project / "experiments" / "exp_x.py").write_text(EXPERIMENT.format(trials=4, seed=1))
    result = run_tunekit("--warm-start", "history", "--json", "a.json")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["note: *: no warm start from history: the run store has no run of this search yet"])
    none = run_tunekit("--warm-start", "history", "--store", "none", "--json", "b.json")
    none.stdout.fnmatch_lines(["note: *: no warm start from history: the run store is 'none'"])
    assert not any(t["warm_start"] for t in _trials(project / "a.json") + _trials(project / "b.json"))


def test_an_unknown_warm_start_source_is_a_usage_error(project: Path, run_tunekit) -> None:
    result = run_tunekit("--warm-start", "yesterday")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --warm-start: expected one of history, got 'yesterday'"])
