"""--warm-start history: a search begins from the best configurations the run store holds for it."""

from __future__ import annotations

import json
import sys
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
    result.stderr.fnmatch_lines(["ERROR: --warm-start: expected one of history, none, got 'yesterday'"])


def test_an_experiment_can_declare_start_history_and_a_run_can_turn_it_off(project: Path, run_tunekit) -> None:
    experiment = project / "experiments" / "exp_x.py"
    experiment.write_text(EXPERIMENT.format(trials=6, seed=1))
    assert run_tunekit("--json", "first.json").ret == 0
    best = sorted(_trials(project / "first.json"), key=lambda t: -t["score"])[:3]
    experiment.write_text(EXPERIMENT.format(trials=6, seed=1).replace("seed=1)", 'seed=1, start="history")'))
    declared = run_tunekit("--json", "second.json")
    assert declared.ret == 0, declared.stdout.str()
    declared.stdout.fnmatch_lines(["note: *tune_x: warm start: 3 best configurations from the run store's history"])
    assert [t["params"] for t in _trials(project / "second.json")[:3]] == [t["params"] for t in best]
    off = run_tunekit("--warm-start", "none", "--json", "third.json")
    assert off.ret == 0
    assert "warm start" not in off.stdout.str()
    assert not any(t["warm_start"] for t in _trials(project / "third.json"))


def test_a_resumed_search_keeps_the_start_points_it_began_with(project: Path, run_tunekit) -> None:
    """The store changes between the run and its resume (the run itself is recorded): the journal decides."""
    (project / "experiments" / "exp_x.py").write_text(EXPERIMENT.format(trials=8, seed=1))
    assert run_tunekit("--json", "first.json").ret == 0
    short = run_tunekit("--warm-start", "history", "--seed", "5", "--trials", "6", "--json", "short.json")
    assert short.ret == 0, short.stdout.str()
    resumed = run_tunekit("--warm-start", "history", "--seed", "5", "--trials", "10", "--resume",
                          "--json", "resumed.json")
    assert resumed.ret == 0, resumed.stdout.str() + resumed.stderr.str()
    resumed.stdout.fnmatch_lines(["note: *tune_x: resumed: 6 trials from the journal"])
    first_six = _trials(project / "short.json")
    assert _trials(project / "resumed.json")[:6] == first_six
    assert [t["warm_start"] for t in first_six] == [True, True, True, False, False, False]


def test_tune_warm_starts_from_the_store_the_command_records_in(pytester: pytest.Pytester, run_tunekit) -> None:
    pytester.makepyprojecttoml("[tool.tunekit]\nstore = \"sqlite:///team.sqlite\"\n")
    pytester.mkdir("experiments")
    (pytester.path / "experiments" / "exp_x.py").write_text(EXPERIMENT.format(trials=6, seed=1))
    assert run_tunekit("--json", "first.json").ret == 0
    best = sorted(_trials(pytester.path / "first.json"), key=lambda t: -t["score"])[:2]
    pytester.makepyfile(script="""
        import json, sys
        sys.path.insert(0, "experiments")
        import tunekit
        from exp_x import tune_x

        record = tunekit.tune(tune_x, trials=4, seed=3, warm_start="history")
        print("STARTS", json.dumps([t.params for t in record.trials if t.warm_start]))
        print("NOTES", json.dumps(record.notes))
        """)
    result = pytester.run(sys.executable, "script.py")
    assert result.ret == 0, result.stderr.str()
    starts = json.loads(result.stdout.str().split("STARTS ", 1)[1].splitlines()[0])
    assert starts == [t["params"] for t in best]
