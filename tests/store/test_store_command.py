"""``tunekit store import`` and ``tunekit store sync``, through the subcommand dispatcher."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from tunekit import results as results_io
from tunekit.commands import run_subcommand
from tunekit.commands.store import import_run_id
from tunekit.results import ExperimentResult, ResultsDocument
from tunekit.store import open_store
from tunekit.trial import TrialResult, TrialState

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
SPACE = {"x": {"type": "real", "low": 0.0, "high": 1.0, "log": False}}


def document(score: float, exp_id: str = "experiments/exp_a.py::tune_a") -> ResultsDocument:
    trial = TrialResult(number=0, params={"x": score}, state=TrialState.COMPLETE, score=score, duration_s=2.0)
    exp = ExperimentResult(id=exp_id, strategy="random", direction="maximize", seed=0, budget={"trials": 1},
                           space=SPACE, trials=[trial], duration_s=30.0)
    return ResultsDocument(experiments=[exp], tunekit_version="0.1.0", created="2026-02-03T04:05:06+00:00",
                           commit_info={"id": "abc", "dirty": False, "branch": "main"})


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project root (a pyproject.toml with [tool.tunekit]) as the working directory."""
    (tmp_path / "pyproject.toml").write_text("[tool.tunekit]\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_importing_files_twice_records_them_once(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, score in [("a.json", 0.1), ("b.json", 0.2)]:
        results_io.dump(document(score), project / name)
    assert run_subcommand("store", ["import", "a.json", "b.json"]) == 0
    assert "2 run(s) recorded, 0 already stored" in capsys.readouterr().out
    assert run_subcommand("store", ["import", "b.json", "a.json"]) == 0
    assert "0 run(s) recorded, 2 already stored" in capsys.readouterr().out

    expected = {import_run_id((project / n).read_bytes()) for n in ("a.json", "b.json")}
    with open_store(None, root=project) as store:
        assert store.run_ids() == expected
        summaries = store.runs()
        assert {s.finished.isoformat() for s in summaries} == {"2026-02-03T04:05:06+00:00"}  # the file's time
        assert {s.started.isoformat() for s in summaries} == {"2026-02-03T04:04:36+00:00"}  # 30 s of searching
        assert sorted(s.best_scores["experiments/exp_a.py::tune_a"] or 0 for s in summaries) == [0.1, 0.2]


def test_a_file_that_names_its_run_is_that_run_whether_imported_or_synced(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = document(0.3)
    doc.run_id = "20260203T040000Z-0badcafe"
    results_io.dump(doc, project / "results.json")
    results_io.dump(doc, project / ".tunekit" / "runs" / f"{doc.run_id}.json")
    assert run_subcommand("store", ["import", "results.json"]) == 0
    assert f"recorded results.json as run {doc.run_id}" in capsys.readouterr().out
    assert run_subcommand("store", ["sync"]) == 0
    assert "0 run(s) recorded" in capsys.readouterr().out
    with open_store(None, root=project) as store:
        (run,) = store.runs()
        assert run.run_id == doc.run_id
        assert run.started.isoformat() == "2026-02-03T04:00:00+00:00"  # from the run ID
        assert run.finished.isoformat() == "2026-02-03T04:05:06+00:00"  # the document's time


def test_sync_uploads_only_the_runs_the_store_lacks(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runs = project / ".tunekit" / "runs"
    for stem, score in [("20260101-a", 0.1), ("20260102-b", 0.2)]:
        results_io.dump(document(score), runs / f"{stem}.json")
    with open_store(None, root=project) as store:
        store.record_run(document(0.9), run_id="20260101-a", started=T0, finished=T0)
    assert run_subcommand("store", ["sync"]) == 0
    out = capsys.readouterr().out
    assert "recorded" in out and "20260102-b" in out and "20260101-a" not in out
    assert "1 run(s) recorded, 0 already stored, 0 unreadable" in out
    with open_store(None, root=project) as store:
        assert store.run_ids() == {"20260101-a", "20260102-b"}
        assert store.runs()[0].best_scores == {"experiments/exp_a.py::tune_a": 0.9}  # not overwritten
    assert run_subcommand("store", ["sync"]) == 0
    assert "0 run(s) recorded" in capsys.readouterr().out


def test_sync_with_an_explicit_store_and_no_runs_folder(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_subcommand("store", ["sync", "--store", "sqlite:///team.sqlite"]) == 0
    assert f"0 run(s) recorded, 0 already stored, 0 unreadable: sqlite:///{project}/team.sqlite" in \
        capsys.readouterr().out


def test_an_unreadable_file_is_one_error_line_and_the_others_are_recorded(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results_io.dump(document(0.1), project / "good.json")
    (project / "bad.json").write_text("{not json")
    assert run_subcommand("store", ["import", "bad.json", "missing.json", "good.json"]) == 4
    captured = capsys.readouterr()
    errors = captured.err.splitlines()
    assert len(errors) == 2 and errors[0].startswith("ERROR: bad.json: not valid JSON")
    assert errors[1].startswith("ERROR: missing.json") and "1 run(s) recorded, 0 already stored, 2 unreadable" \
        in captured.out


@pytest.mark.parametrize("argv, message", [
    (["import", "a.json", "--store", "mysql://u@h/db"], "ERROR: store URL 'mysql://u@h/db': unsupported database"),
    (["sync", "--store", "postgresql://u:pw@host"], "ERROR: store URL 'postgresql://u:***@host': names no database"),
    ([], "ERROR: tunekit store: the following arguments are required: {import,sync}"),
    (["import"], "ERROR: tunekit store import: the following arguments are required: RESULTS.json"),
])
def test_a_bad_url_or_argument_is_one_line_and_exit_code_4(project: Path, capsys: pytest.CaptureFixture[str],
                                                           argv: list[str], message: str) -> None:
    assert run_subcommand("store", argv) == 4
    captured = capsys.readouterr()
    assert captured.err.startswith(message) and captured.err.count("\n") == 1 and captured.out == ""



@pytest.mark.parametrize("where", ["environment", "pyproject"])
def test_store_commands_use_the_projects_store_like_a_run_does(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str], where: str) -> None:
    if where == "environment":
        monkeypatch.setenv("TUNEKIT_STORE", "sqlite:///team.sqlite")
    else:
        monkeypatch.delenv("TUNEKIT_STORE", raising=False)
        (project / "pyproject.toml").write_text('[tool.tunekit]\nstore = "sqlite:///team.sqlite"\n')
    results_io.dump(document(0.4), project / "a.json")
    assert run_subcommand("store", ["import", "a.json"]) == 0
    assert "team.sqlite" in capsys.readouterr().out
    with open_store("sqlite:///team.sqlite", root=project) as store:
        assert len(store.run_ids()) == 1
    assert not (project / ".tunekit" / "store.sqlite").exists()


def test_store_commands_refuse_the_none_store(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_subcommand("store", ["sync", "--store", "none"]) == 4
    assert capsys.readouterr().err == "ERROR: tunekit store sync: the store is 'none': give --store URL\n"


def _git(root: Path, *args: str) -> str:
    import subprocess

    done = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=root,
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_import_git_backfills_every_committed_version_of_a_baseline(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each version committed along the branch is one run; one that does not say where it came from is placed
    at the commit that committed it; a version deleted in between is skipped, and importing again adds nothing."""
    _git(project, "init", "-q")
    baseline = project / "baselines" / "experiments.json"
    commits = []
    for score, commit_id in [(0.5, "c0ffee1"), (0.6, None), (None, None), (0.7, "c0ffee3")]:
        if score is None:
            baseline.unlink()
            _git(project, "rm", "-q", str(baseline))
            _git(project, "commit", "-qm", "baseline removed")
            continue
        doc = document(score)
        doc.commit_info = {"id": commit_id, "dirty": True, "branch": "main"} if commit_id else {}
        results_io.dump(doc, baseline)
        _git(project, "add", ".")
        _git(project, "commit", "-qm", f"baseline {score}")
        commits.append(_git(project, "rev-parse", "HEAD"))
    results_io.dump(document(0.9), baseline)  # not committed: not imported
    assert run_subcommand("store", ["import", "--git", "baselines/experiments.json"]) == 0
    out = capsys.readouterr().out
    assert "3 run(s) recorded, 0 already stored, 0 unreadable" in out
    assert f"recorded baselines/experiments.json@{commits[0][:10]} as run import-" in out
    with open_store(None, root=project) as store:
        runs = store.runs()
    exp = "experiments/exp_a.py::tune_a"
    assert sorted((r.best_scores[exp], r.commit) for r in runs) == [
        (0.5, "c0ffee1"), (0.6, commits[1]), (0.7, "c0ffee3")]
    assert run_subcommand("store", ["import", "--git", "baselines/experiments.json"]) == 0
    assert "0 run(s) recorded, 3 already stored" in capsys.readouterr().out


def test_import_git_of_a_file_git_does_not_know_is_one_line_and_exit_4(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results_io.dump(document(0.5), project / "results.json")
    assert run_subcommand("store", ["import", "--git", "results.json"]) == 4  # not a git repository
    assert capsys.readouterr().err.startswith("ERROR: results.json: cannot read its git history")
    _git(project, "init", "-q")
    _git(project, "commit", "-q", "--allow-empty", "-m", "empty")
    assert run_subcommand("store", ["import", "--git", "results.json"]) == 4
    assert capsys.readouterr().err == (
        "ERROR: results.json: no committed version along this branch's first-parent history\n")
