"""``tunekit runs``: who ran what, when, on which commit, with what best score, newest first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

EXPERIMENTS = """
from tunekit import tunable, Real

@tunable(space={"x": Real(0, 1)}, strategy="random", trials=3, seed=1)
def tune_x(x):
    return x

@tunable(space={"y": Real(0, 1)}, strategy="random", trials=2, seed=1, direction="minimize")
def tune_y(y):
    return y
"""


@pytest.fixture
def project(pytester: pytest.Pytester, run_tunekit, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two runs on one commit: ada ran both experiments, then bob ran tune_y alone."""
    pytester.makepyprojecttoml("[tool.tunekit]\n")
    pytester.mkdir("experiments")
    (pytester.path / "experiments" / "exp_xy.py").write_text(EXPERIMENTS)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    pytester.run("git", "init", "-q")
    pytester.run(*git, "add", ".")
    pytester.run(*git, "commit", "-qm", "first")
    for user, args in (("ada", ()), ("bob", ("-k", "tune_y"))):
        monkeypatch.setenv("LOGNAME", user)
        assert run_tunekit(*args).ret == 0
    return pytester.path


def test_runs_lists_who_ran_what_on_which_commit_newest_first(pytester: pytest.Pytester, project: Path,
                                                              run_tunekit) -> None:
    commit = pytester.run("git", "rev-parse", "HEAD").stdout.str().strip()
    result = run_tunekit("runs")
    assert result.ret == 0, result.stderr.str()
    result.stdout.fnmatch_lines([
        "finished*user*machine*commit*branch*experiment*best",
        f"* bob *{commit[:10]}*tune_y*",
        f"* ada *{commit[:10]}*tune_x*",
        "*tune_y*",
    ])
    document = json.loads(run_tunekit("runs", "--json").stdout.str())
    assert document["schema"] == "tunekit.runs/1" and document["total"] == 2
    bob, ada = document["runs"]
    assert (bob["user"], ada["user"]) == ("bob", "ada") and bob["commit"] == ada["commit"] == commit
    assert list(ada["best_scores"]) == ["experiments/exp_xy.py::tune_x", "experiments/exp_xy.py::tune_y"]
    assert list(bob["best_scores"]) == ["experiments/exp_xy.py::tune_y"]
    assert bob["finished"] > ada["finished"] and bob["run_id"] != ada["run_id"]


def test_runs_selects_experiments_like_a_run_and_limits_the_list(project: Path, run_tunekit) -> None:
    only_x = json.loads(run_tunekit("runs", "-k", "tune_x", "--json").stdout.str())
    assert [run["user"] for run in only_x["runs"]] == ["ada"]
    assert list(only_x["runs"][0]["best_scores"]) == ["experiments/exp_xy.py::tune_x"]
    by_path = json.loads(run_tunekit("runs", "experiments/exp_xy.py::tune_y", "--json").stdout.str())
    assert [run["user"] for run in by_path["runs"]] == ["bob", "ada"]
    limited = run_tunekit("runs", "--limit", "1")
    assert limited.ret == 0
    limited.stdout.fnmatch_lines(["* bob *", "(1 older runs not shown: --limit 0 shows all)"])


@pytest.fixture
def small_store(pytester: pytest.Pytester) -> Path:
    """A project whose store holds one run, recorded directly (no tunekit run needed for argument errors)."""
    from datetime import datetime, timezone

    from tunekit.results import ExperimentResult, ResultsDocument
    from tunekit.store import open_store
    from tunekit.trial import TrialResult, TrialState

    pytester.makepyprojecttoml("[tool.tunekit]\n")
    trial = TrialResult(number=0, params={"x": 0.5}, state=TrialState.COMPLETE, score=0.5, duration_s=0.1)
    record = ExperimentResult(id="experiments/exp_xy.py::tune_x", strategy="random", direction="maximize", seed=0,
                              budget={"trials": 1}, space={"x": {"type": "real", "low": 0, "high": 1, "log": False}},
                              trials=[trial])
    now = datetime.now(timezone.utc)
    with open_store(None, root=pytester.path) as store:
        store.record_run(ResultsDocument(experiments=[record], run_id="r1"), started=now, finished=now)
    return pytester.path


@pytest.mark.parametrize(("args", "message"), [
    (("experiments/nothing.py",), "ERROR: tunekit runs: no recorded experiment matches experiments/nothing.py"),
    (("--store", "none"), "ERROR: tunekit runs: the store is 'none': give --store URL"),
    (("--limit", "-1"), "ERROR: tunekit runs: --limit: expected 0 or more, got -1"),
])
def test_bad_runs_arguments_are_one_line_and_exit_4(small_store: Path, run_tunekit, args: tuple[str, ...],
                                                    message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TUNEKIT_STORE", raising=False)
    result = run_tunekit("runs", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert "Traceback" not in result.stderr.str()
