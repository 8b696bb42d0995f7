"""``tunekit history`` end to end: runs recorded in a SQLite store, a real git repository, JSON and exit codes."""

from __future__ import annotations

import json
import random
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tunekit.commands import run_subcommand
from tunekit.results import ExperimentResult, ResultsDocument
from tunekit.store import open_store
from tunekit.trial import TrialResult, TrialState

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
SPACE = {"x": {"type": "real", "low": 0.0, "high": 1.0, "log": False}}
EXP_A, EXP_B = "experiments/exp_a.py::tune_a", "experiments/exp_b.py::tune_b"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def document(commit: str, scores: dict[str, float], *, folds: bool = True) -> ResultsDocument:
    experiments = []
    for exp_id, score in scores.items():
        trial = TrialResult(number=0, params={"x": 0.5}, state=TrialState.COMPLETE, score=score,
                            score_std=1.0 if folds else None, folds=[score] * 5 if folds else None, duration_s=1.0)
        experiments.append(ExperimentResult(id=exp_id, strategy="random", direction="maximize", seed=0,
                                            budget={"trials": 1}, space=SPACE, trials=[trial], duration_s=1.0))
    return ResultsDocument(experiments=experiments, tunekit_version="0.1.0", created=T0.isoformat(),
                           commit_info={"id": commit, "dirty": False, "branch": "main"})


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository of 40 empty commits as the working directory, without a store yet."""
    (tmp_path / "pyproject.toml").write_text("[tool.tunekit]\n")
    git(tmp_path, "init", "-q", "-b", "main")
    for i in range(40):
        git(tmp_path, "-c", "user.name=Ada", "-c", "user.email=ada@example.org", "commit", "-q",
            "--allow-empty", "-m", f"commit {i}")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TUNEKIT_STORE", raising=False)
    return tmp_path


def record(root: Path, *, drop_at: int | None, seed: int = 1) -> list[str]:
    """Record one run per commit (A drops by 5 from ``drop_at`` on, B stays), plus a run off the branch."""
    shas = git(root, "rev-list", "--first-parent", "--reverse", "HEAD").split()
    rng = random.Random(seed)
    with open_store(None, root=root) as store:
        for i, sha in enumerate(shas):
            a = 80.0 - (5.0 if drop_at is not None and i >= drop_at else 0.0) + rng.gauss(0, 0.45)
            at = T0 + timedelta(minutes=i)
            store.record_run(document(sha, {EXP_A: a, EXP_B: 50.0 + rng.gauss(0, 0.45)}),
                             run_id=f"run-{i}", started=at, finished=at)
        store.record_run(document("f" * 40, {EXP_A: 10.0}), run_id="off", started=T0, finished=T0)
    return shas


def test_json_lists_points_along_the_branch_and_the_regression(project: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    shas = record(project, drop_at=30)
    assert run_subcommand("history", ["--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["schema"] == "tunekit.history/1"
    assert [e["id"] for e in out["experiments"]] == [EXP_A, EXP_B]
    a, b = out["experiments"]
    assert a["direction"] == "maximize"
    assert [p["commit"] for p in a["points"]] == shas
    assert a["points"][0]["runs"] == 1 and a["points"][0]["date"].startswith("20")
    assert a["off_branch"] == 1
    assert [(c["kind"], c["commit"]) for c in a["changes"]] == [("regression", shas[30])]
    assert a["changes"][0]["before"] > a["changes"][0]["after"] + 4
    assert b["changes"] == []


def test_fail_on_regression_fails_only_when_the_newest_commit_regressed(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shas = record(project, drop_at=39)
    assert run_subcommand("history", [EXP_A, "--fail-on-regression"]) == 1
    captured = capsys.readouterr()
    assert f"REGRESSED {EXP_A} at {shas[39][:10]}" in captured.err
    assert "REGRESSION" in captured.out and "1 run from commits not on this branch" in captured.out
    assert run_subcommand("history", ["experiments/exp_b.py", "--fail-on-regression"]) == 0
    assert run_subcommand("history", ["-k", "exp_a"]) == 0  # without the flag, a report only


def test_a_seeded_hold_out_score_regressing_at_the_newest_commit_fails(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # one exact score per commit (no folds, no scatter): the drop at the newest commit is a regression
    shas = git(project, "rev-list", "--first-parent", "--reverse", "HEAD").split()
    with open_store(None, root=project) as store:
        for i, sha in enumerate(shas):
            score = 0.5 if i < 30 else 0.895 if i < 35 else 0.695 if i < 39 else 0.295
            at = T0 + timedelta(minutes=i)
            store.record_run(document(sha, {EXP_A: score}, folds=False), run_id=f"run-{i}", started=at, finished=at)
    assert run_subcommand("history", [EXP_A, "--fail-on-regression", "--json"]) == 1
    changes = json.loads(capsys.readouterr().out)["experiments"][0]["changes"]
    assert [(c["kind"], c["commit"]) for c in changes] == [
        ("improvement", shas[30]), ("regression", shas[35]), ("regression", shas[39])]
    assert run_subcommand("history", [EXP_A]) == 0
    table = capsys.readouterr().out
    assert "+0.395" in table and "-0.2" in table  # the change column keeps its sign


def test_runs_only_off_the_branch_are_said_to_be_so(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open_store(None, root=project) as store:
        store.record_run(document("f" * 40, {EXP_A: 1.0}), run_id="off", started=T0, finished=T0)
    assert run_subcommand("history", [EXP_A]) == 0
    out = capsys.readouterr().out
    assert "(1 run from commits not on this branch left out)" in out
    assert "no run on a commit of this branch" in out and "no run with a completed trial" not in out


def test_an_older_regression_does_not_fail(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record(project, drop_at=20)
    assert run_subcommand("history", ["--fail-on-regression", "--json"]) == 0


def test_an_unknown_experiment_or_argument_is_exit_code_4(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record(project, drop_at=None)
    assert run_subcommand("history", ["nope.py"]) == 4
    assert run_subcommand("history", ["--bogus"]) == 4
    assert "no recorded experiment matches nope.py" in capsys.readouterr().err


def test_an_empty_store_says_so(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_subcommand("history", ["--store", "sqlite:///other.sqlite"]) == 0
    assert "no runs recorded" in capsys.readouterr().out


def test_html_writes_a_page_with_a_chart_per_experiment(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record(project, drop_at=30)
    assert run_subcommand("history", ["--html", "out/history.html", "--json"]) == 0
    page = (project / "out" / "history.html").read_text()
    assert page.count("Plotly.newPlot(") == 2
    assert "regression" in page and "tune_a" in page
