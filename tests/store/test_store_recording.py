"""Every tunekit run is recorded in the run store, and a store it cannot reach loses nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tunekit.store import open_store

EXPERIMENT = """
from tunekit import tunable, Real

@tunable(space={"x": Real(0, 1)}, strategy="random", trials=3, seed=1)
def tune_x(x):
    return x
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> Path:
    pytester.makepyprojecttoml("[tool.tunekit]\n")
    pytester.mkdir("experiments")
    (pytester.path / "experiments" / "exp_x.py").write_text(EXPERIMENT)
    return pytester.path


def test_a_run_is_recorded_in_the_default_store_with_its_provenance(project: Path, run_tunekit,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TUNEKIT_STORE", raising=False)
    first, second = run_tunekit(), run_tunekit()
    assert first.ret == second.ret == 0
    first.stdout.fnmatch_lines(["store: sqlite:///*/.tunekit/store.sqlite"])
    with open_store(None, root=project) as store:
        runs = store.runs()
        history = store.experiment_history("experiments/exp_x.py::tune_x")
    assert len(runs) == 2 and runs[0].run_id != runs[1].run_id
    assert {p.name for p in (project / ".tunekit" / "runs").iterdir()} == {f"{r.run_id}.json" for r in runs}
    assert [h.trial_count for h in history] == [3, 3] and history[0].best_score == history[1].best_score
    assert history[0].source_hash and history[0].source_hash == history[1].source_hash


def test_store_none_records_nothing(project: Path, run_tunekit) -> None:
    assert run_tunekit("--store", "none").ret == 0
    assert not (project / ".tunekit" / "store.sqlite").exists()


def test_an_unreachable_store_is_a_warning_and_sync_records_the_run_later(project: Path, run_tunekit) -> None:
    result = run_tunekit("--store", "postgresql://nobody@127.0.0.1:1/none")
    assert result.ret == 0
    result.stdout.fnmatch_lines([("warning: not recorded in the run store: *; the run is kept in "
                                 ".tunekit/runs/*.json ('tunekit store sync' records it later)")])
    (kept,) = (project / ".tunekit" / "runs").glob("*.json")
    synced = run_tunekit("store", "sync")
    assert synced.ret == 0, synced.stderr.str()
    with open_store(None, root=project) as store:
        assert [r.run_id for r in store.runs()] == [kept.stem]


def test_the_leaderboard_and_report_show_the_best_score_ever_recorded_and_its_commit(
        pytester: pytest.Pytester, project: Path, run_tunekit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    pytester.run("git", "init", "-q")
    pytester.run(*git, "add", ".")
    pytester.run(*git, "commit", "-qm", "first")
    first = run_tunekit("--trials", "6")
    assert first.ret == 0
    first.stdout.fnmatch_lines(["*best ever*", "tune_x * this run *"])
    commit = pytester.run("git", "rev-parse", "--short=7", "HEAD").stdout.str().strip()
    best = f"{max(t.score for t in pytester_results(project).experiments[0].trials):.4g}"
    worse = run_tunekit("--trials", "1", "--seed", "3", "--html", "report.html")
    assert worse.ret == 0
    worse.stdout.fnmatch_lines([f"tune_x * {best} @{commit} *"])
    monkeypatch.setenv("COLUMNS", "80")  # too narrow for the column: a line under the table says it
    narrow = run_tunekit("--trials", "1", "--seed", "3")
    narrow.stdout.fnmatch_lines([f"best ever: tune_x: {best} @{commit}"])
    html = (project / "report.html").read_text()
    assert "best ever recorded" in html and f"{best} @{commit}" in html
    plain = run_tunekit("--trials", "1", "--store", "none", "--html", "plain.html")
    assert "best ever" not in plain.stdout.str() and "best ever" not in (project / "plain.html").read_text()


def pytester_results(project: Path):
    from tunekit import results

    return results.load(project / ".tunekit" / "results.json")
