"""Nothing lost: the journal survives kill -9 and Ctrl-C, and --resume completes the run exactly."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tunekit.errors import ResultsError
from tunekit.journal import Journal, fingerprint, journal_path, read_journal
from tunekit.trial import TrialResult, TrialState

# Each evaluation appends its number to evaluations.log when it finishes, so repeats can be counted. A run
# started by _start sleeps in each trial so that it can be stopped half-way; resumed and fresh runs do not.
EXPERIMENT = """
import os
import time
from tunekit import tunable, Real, Integer, Categorical

@tunable(space={{"x": Real(1e-3, 1.0, log=True), "n": Integer(1, 5), "k": Categorical(["a", "b"])}},
         strategy="{strategy}", trials=40, seed=7)
def tune_slow(x, n, k, trial):
    time.sleep(float(os.environ.get("TRIAL_SLEEP", "0")))
    with open("evaluations.log", "a") as log:
        log.write(f"{{trial.number}}\\n")
    return x * n + (0.5 if k == "a" else 0.0)
"""


def _start(cwd: Path, *args: str) -> subprocess.Popen[bytes]:
    """A run of tunekit whose trials take 0.1 s each: slow enough to be interrupted part-way."""
    return subprocess.Popen([sys.executable, "-m", "tunekit", "-q", *args], cwd=cwd,
                            env={**os.environ, "TRIAL_SLEEP": "0.1"}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _journal_lines(cwd: Path) -> int:
    files = list((cwd / ".tunekit" / "journal").glob("*.jsonl"))
    return len(files[0].read_text().splitlines()) if files else 0


def _wait_for_trials(cwd: Path, process: subprocess.Popen[bytes], count: int) -> None:
    deadline = time.monotonic() + 60
    while _journal_lines(cwd) < count + 1:
        assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
        assert time.monotonic() < deadline, "the run did not journal trials in time"
        time.sleep(0.05)


def _trials(path: Path) -> list[tuple]:
    (experiment,) = json.loads(path.read_text())["experiments"]
    return [(t["number"], t["params"], t["score"], t["seed"]) for t in experiment["trials"]]


@pytest.fixture
def project(pytester: pytest.Pytester) -> Path:
    pytester.makepyprojecttoml("[tool.tunekit]\n")
    pytester.mkdir("experiments")
    return pytester.path


@pytest.mark.slow
@pytest.mark.parametrize(("strategy", "kill", "args"), [
    ("random", signal.SIGKILL, ()), ("grid", signal.SIGKILL, ()), ("random", signal.SIGINT, ()),
    ("random", signal.SIGTERM, ()),  # what CI sends to a cancelled job
    ("random", signal.SIGTERM, ("--workers", "2")),
])
def test_resume_after_kill_completes_the_run_exactly(project: Path, strategy: str, kill: signal.Signals,
                                                     args: tuple[str, ...]) -> None:
    (project / "experiments" / "exp_slow.py").write_text(EXPERIMENT.format(strategy=strategy))
    process = _start(project, *args)
    _wait_for_trials(project, process, 8)
    process.send_signal(kill)
    output = process.communicate(timeout=60)[0].decode()
    if kill != signal.SIGKILL:  # Ctrl-C and SIGTERM: the finished trials are kept and written, exit 2
        assert process.returncode == pytest.ExitCode.INTERRUPTED, output
        assert "tunekit leaderboard" in output and "Traceback" not in output, output
        interrupted = json.loads((project / ".tunekit" / "results.json").read_text())["experiments"][0]
        assert interrupted["status"] == "interrupted" and len(interrupted["trials"]) >= 8
    else:
        assert process.returncode == -signal.SIGKILL
    journaled = read_journal(next((project / ".tunekit" / "journal").glob("*.jsonl")))
    assert not journaled.finished and len(journaled.trials) >= 8
    before = len(journaled.trials)

    resumed = subprocess.run([sys.executable, "-m", "tunekit", "--resume"], cwd=project, capture_output=True,
                             text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert f"resumed: {before} trials from the journal" in resumed.stdout
    evaluations = [int(n) for n in (project / "evaluations.log").read_text().split()]
    assert all(evaluations.count(n) == 1 for n in range(before)), "a journaled trial was evaluated again"
    assert sorted(set(evaluations)) == list(range(40))

    os.rename(project / ".tunekit" / "results.json", project / "resumed.json")
    fresh = subprocess.run([sys.executable, "-m", "tunekit", "--json", "fresh.json"], cwd=project,
                           capture_output=True, text=True, timeout=120)
    assert fresh.returncode == 0
    assert _trials(project / "resumed.json") == _trials(project / "fresh.json")


def test_resume_refuses_a_journal_of_another_search(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(exp_r="from tunekit import tunable, Real\n"
                              "@tunable(space={'x': Real(0, 1)}, strategy='random', trials=3)\n"
                              "def tune_r(x):\n    return x\n")
    assert pytester.runpytest("exp_r.py").ret == 0
    pytester.makepyfile(exp_r="from tunekit import tunable, Real\n"
                              "@tunable(space={'x': Real(0, 2)}, strategy='random', trials=3)\n"
                              "def tune_r(x):\n    return x\n")
    refused = pytester.runpytest("exp_r.py", "--resume")
    assert refused.ret == pytest.ExitCode.TESTS_FAILED
    refused.stdout.fnmatch_lines([("exp_r.py::tune_r: cannot resume: its journal (*) was written for another "
                                  "search (space, objective changed); run without --resume to start afresh")])
    assert pytester.runpytest("exp_r.py").ret == 0  # without --resume: a fresh start


def test_resume_extends_a_finished_search(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(exp_r="from tunekit import tunable, Real\n"
                              "@tunable(space={'x': Real(0, 1)}, strategy='random', trials=3)\n"
                              "def tune_r(x):\n    return x\n")
    assert pytester.runpytest("exp_r.py", "--json", "short.json").ret == 0
    assert pytester.runpytest("exp_r.py", "--resume", "--trials", "6", "--json", "long.json").ret == 0
    assert pytester.runpytest("exp_r.py", "--trials", "6", "--json", "direct.json").ret == 0
    assert _trials(pytester.path / "long.json") == _trials(pytester.path / "direct.json")
    assert _trials(pytester.path / "long.json")[:3] == _trials(pytester.path / "short.json")


def _trial(number: int) -> TrialResult:
    return TrialResult(number=number, params={"x": number / 10}, state=TrialState.COMPLETE, score=float(number),
                       seed=number)


def test_journal_tolerates_a_torn_last_line_and_rejects_other_damage(tmp_path: Path) -> None:
    path = journal_path(tmp_path, "experiments/exp_a.py::tune_a")
    print_ = fingerprint(space={}, strategy="random", direction="maximize", seed=0, objective=_trial)
    with Journal.create(path, experiment_id="x", fingerprint=print_) as journal:
        for n in range(3):
            journal.append(_trial(n))
    with path.open("a") as handle:
        handle.write('{"type": "trial", "trial": {"numb')  # a crash in the middle of a write
    contents = read_journal(path)
    assert [t.number for t in contents.trials] == [0, 1, 2] and not contents.finished
    with Journal.reopen(path) as journal:
        journal.append(_trial(3))
        journal.finish("passed")
    contents = read_journal(path)
    assert [t.number for t in contents.trials] == [0, 1, 2, 3] and contents.finished

    lines = path.read_text().splitlines()
    lines[2] = "not json"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ResultsError, match=r":3: journal line is not valid JSON"):
        read_journal(path)
    path.write_text('{"type": "header", "schema": "other"}\n')
    with pytest.raises(ResultsError, match=r":1: not a tunekit journal"):
        read_journal(path)


def test_journal_file_names_are_safe_and_distinct(tmp_path: Path) -> None:
    a = journal_path(tmp_path, "experiments/exp a.py::tune[<x>]")
    b = journal_path(tmp_path, "experiments/exp_a.py::tune_<x>_")
    assert a != b and a.parent == tmp_path and "/" not in a.name and " " not in a.name


@pytest.mark.slow
@pytest.mark.parametrize("signals", [(signal.SIGINT, signal.SIGINT), (signal.SIGTERM, signal.SIGINT, signal.SIGTERM)],
                         ids=["ctrl-c-twice", "term-int-term"])
def test_a_second_signal_is_like_the_first_and_corrupts_nothing(project: Path, signals: tuple[int, ...]) -> None:
    (project / "experiments" / "exp_slow.py").write_text(EXPERIMENT.format(strategy="random"))
    process = _start(project, "--workers", "2")
    _wait_for_trials(project, process, 5)
    for sent in signals:
        process.send_signal(sent)
        time.sleep(0.05)  # the next one lands while the first one is being handled
    output = process.communicate(timeout=30)[0].decode()
    assert process.returncode == pytest.ExitCode.INTERRUPTED, output
    assert "Traceback" not in output and "ignored: already stopping" in output, output
    journal = read_journal(next((project / ".tunekit" / "journal").glob("*.jsonl")))
    assert len(journal.trials) >= 5 and [t.number for t in journal.trials] == list(range(len(journal.trials)))
    results_file = project / ".tunekit" / "results.json"
    (experiment,) = json.loads(results_file.read_text())["experiments"]
    assert experiment["status"] == "interrupted" and len(experiment["trials"]) >= 5
    assert not list((project / ".tunekit").glob(".*.tmp")), "a temporary file was left behind"
    resumed = subprocess.run([sys.executable, "-m", "tunekit", "--resume"], cwd=project, capture_output=True,
                             text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert len(json.loads(results_file.read_text())["experiments"][0]["trials"]) == 40


# Two experiments: tune_r's journal is tampered with or broken, tune_s shows the others still run.
TRUSTED = """
from tunekit import tunable, Real, Categorical

@tunable(space={"lr": Real(0.1, 1.0), "k": Categorical(["a", "b"])}, strategy="random", trials=4, seed=3)
def tune_r(lr, k, trial):
    with open("evaluations.log", "a") as log:
        log.write(f"{trial.number}\\n")
    return lr + (0.5 if k == "a" else 0.0)
"""
OTHER = """
from tunekit import tunable, Real

@tunable(space={"x": Real(0, 1)}, strategy="random", trials=3)
def tune_s(x):
    return x
"""
TUNE_R = "experiments/exp_r.py::tune_r"


@pytest.fixture
def two_experiments(project: Path) -> Path:
    (project / "experiments" / "exp_r.py").write_text(TRUSTED)
    (project / "experiments" / "exp_s.py").write_text(OTHER)
    return project


def _r_journal(project: Path) -> Path:
    return journal_path(project / ".tunekit" / "journal", TUNE_R)


def _edit(line: int, change: Callable[[dict[str, Any]], Any]) -> Callable[[list[str]], None]:
    """An edit of journal line ``line`` (1-based): ``change`` changes its record in place."""

    def edit(lines: list[str]) -> None:
        record = json.loads(lines[line - 1])
        change(record)
        lines[line - 1] = json.dumps(record)

    return edit


def _overwrite(line: int, text: str) -> Callable[[list[str]], None]:
    def edit(lines: list[str]) -> None:
        lines[line - 1] = text

    return edit


# Journal of tune_r after a full run: line 1 the header, lines 2-5 trials 0-3, line 6 the end.
@pytest.mark.parametrize(("edit", "line", "problem"), [
    (_edit(3, lambda r: r["trial"]["params"].update(lr=2.0)), 3, "params['lr']: 2.0 is outside Real(0.1, 1.0)"),
    (_edit(4, lambda r: r["trial"]["params"].update(k="c")), 4,
     "params['k']: 'c' is not one of Categorical(['a', 'b'])"),
    (_edit(2, lambda r: r["trial"]["params"].pop("k")), 2, "params: 'k' is missing"),
    (_edit(5, lambda r: r["trial"]["params"].update(z=1)), 5, "params: 'z' is not a parameter of the space"),
    (_edit(3, lambda r: r["trial"].update(state="RUNNING")), 3,
     "trial 1 never finished, yet a trial journaled after it did (line 5)"),
    (_edit(1, lambda r: r.update(id="experiments/exp_s.py::tune_s")), 1,
     "written for another experiment ('experiments/exp_s.py::tune_s')"),
    (_overwrite(3, "garbage"), 3, "journal line is not valid JSON"),
    (_edit(4, lambda r: r["trial"].update(number=-1)), 4,
     "trial.number: expected a non-negative integer, got integer -1"),
], ids=["outside-the-space", "not-a-choice", "missing-param", "unknown-param", "running-mid-journal",
        "another-experiment", "corrupt-line", "bad-field"])
def test_resume_refuses_a_journal_it_cannot_trust_naming_file_and_line(
        two_experiments: Path, run_tunekit, edit: Callable[[list[str]], None], line: int, problem: str) -> None:
    assert run_tunekit().ret == 0
    journal = _r_journal(two_experiments)
    lines = journal.read_text().splitlines()
    edit(lines)
    journal.write_text("\n".join(lines) + "\n")
    tampered = journal.read_text()

    result = run_tunekit("--resume")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    output = result.stdout.str() + result.stderr.str()
    reported = [text for text in result.stdout.lines if "cannot resume" in text and not text.startswith("FAILED")]
    assert reported == [(f"{TUNE_R}: cannot resume (run without --resume to start afresh): "
                         f".tunekit/journal/{journal.name}:{line}: {problem}")], output
    assert "Traceback" not in output and "tunekit leaderboard" in output
    result.assert_outcomes(passed=1, failed=1)  # tune_s resumed as usual
    assert journal.read_text() == tampered, "a refused journal must be left as it was"
    assert (two_experiments / "evaluations.log").read_text().split() == ["0", "1", "2", "3"]


def test_a_refused_journal_is_replaced_by_a_run_without_resume(two_experiments: Path, run_tunekit) -> None:
    assert run_tunekit().ret == 0
    journal = _r_journal(two_experiments)
    journal.write_text(journal.read_text().replace('"lr": ', '"lr": 7', 1))
    assert run_tunekit("--resume").ret == pytest.ExitCode.TESTS_FAILED
    assert run_tunekit().ret == 0
    assert run_tunekit("--resume").ret == 0


def test_resume_reruns_a_trial_left_running(two_experiments: Path, run_tunekit) -> None:
    assert run_tunekit("--json", "fresh.json").ret == 0
    journal = _r_journal(two_experiments)
    lines = journal.read_text().splitlines()
    assert json.loads(lines[-1])["type"] == "end"
    _edit(5, lambda r: r["trial"].update(state="RUNNING", score=None))(lines)  # trial 3, in flight
    journal.write_text("\n".join(lines[:-1]) + "\n")

    resumed = run_tunekit("--resume", "--json", "resumed.json")
    assert resumed.ret == 0, resumed.stdout.str()
    resumed.stdout.fnmatch_lines([f"note: {TUNE_R}: resumed: 3 trials from the journal"])
    assert (two_experiments / "evaluations.log").read_text().split() == ["0", "1", "2", "3", "3"]
    assert _trials_of(two_experiments / "resumed.json") == _trials_of(two_experiments / "fresh.json")
    assert read_journal(journal).finished and read_journal(journal).trials[3].state is TrialState.COMPLETE


def _trials_of(path: Path) -> list[tuple[Any, ...]]:
    return [(e["id"], t["number"], t["params"], t["score"], t["seed"])
            for e in json.loads(path.read_text())["experiments"] for t in e["trials"]]


def test_a_journal_path_that_is_a_directory_fails_that_experiment_alone(two_experiments: Path,
                                                                        run_tunekit) -> None:
    journal = _r_journal(two_experiments)
    journal.mkdir(parents=True)
    reason = f"[Errno {errno.EISDIR}] {os.strerror(errno.EISDIR)}"
    for args, action in [((), "write"), (("--resume",), "read")]:
        result = run_tunekit(*args)
        assert result.ret == pytest.ExitCode.TESTS_FAILED
        output = result.stdout.str() + result.stderr.str()
        reported = [text for text in result.stdout.lines if "its journal" in text and not text.startswith("FAILED")]
        assert reported == [f"{TUNE_R}: cannot {action} its journal .tunekit/journal/{journal.name}: {reason}"], output
        assert "Traceback" not in output and "tunekit leaderboard" in output
        result.assert_outcomes(passed=1, failed=1)
    (experiment,) = json.loads((two_experiments / ".tunekit" / "results.json").read_text())["experiments"]
    assert experiment["id"] == "experiments/exp_s.py::tune_s" and experiment["status"] == "passed"


@pytest.mark.slow
def test_two_runs_of_one_experiment_at_once_never_share_its_journal(project: Path) -> None:
    (project / "experiments" / "exp_slow.py").write_text(EXPERIMENT.format(strategy="random"))
    first = _start(project)
    _wait_for_trials(project, first, 3)
    second = subprocess.run([sys.executable, "-m", "tunekit", "--resume", "--json", "second.json"], cwd=project,
                            capture_output=True, text=True, timeout=120)
    assert second.returncode == pytest.ExitCode.TESTS_FAILED, second.stdout + second.stderr
    assert "another tunekit run is searching this experiment now" in second.stdout
    assert "then --resume again" in second.stdout
    output = first.communicate(timeout=120)[0].decode()
    assert first.returncode == 0, output
    journal = read_journal(next((project / ".tunekit" / "journal").glob("*.jsonl")))
    assert journal.finished and [t.number for t in journal.trials] == list(range(40))
    evaluations = [int(n) for n in (project / "evaluations.log").read_text().split()]
    assert sorted(evaluations) == list(range(40)), "a trial was computed twice"
