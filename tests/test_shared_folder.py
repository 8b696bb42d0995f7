"""A project folder shared by concurrent runs: each run keeps its own results file, nothing is dropped."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tunekit import results

EXPERIMENT = """
import time
from tunekit import tunable, Real

@tunable(space={{"x": Real(0, 1)}}, strategy="random", trials=6, seed={seed})
def tune_{name}(x):
    time.sleep(0.1)
    return x
"""


@pytest.mark.slow
def test_concurrent_runs_of_different_experiments_each_keep_their_results(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.tunekit]\n")
    (tmp_path / "experiments").mkdir()
    for seed, name in enumerate(("a", "b")):
        (tmp_path / "experiments" / f"exp_{name}.py").write_text(EXPERIMENT.format(seed=seed, name=name))
    runs = [subprocess.Popen([sys.executable, "-m", "tunekit", "-q", f"experiments/exp_{name}.py"], cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for name in ("a", "b")]
    outputs = [run.communicate(timeout=120)[0].decode() for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    documents = [results.load(path) for path in sorted((tmp_path / ".tunekit" / "runs").glob("*.json"))]
    assert sorted(e.id for d in documents for e in d.experiments) == [
        "experiments/exp_a.py::tune_a", "experiments/exp_b.py::tune_b"]
    assert len({d.run_id for d in documents}) == 2 and all(d.run_id for d in documents)
    latest = json.loads((tmp_path / ".tunekit" / "results.json").read_text())
    assert latest["run_id"] in {d.run_id for d in documents}  # the latest is whichever run wrote last
    assert all(f"run: .tunekit/runs/{d.run_id}.json" in "".join(outputs) for d in documents)


TOGETHER = """
import os, time
from pathlib import Path
from tunekit import tunable, Real

@tunable(space={"x": Real(0, 1)}, strategy="random", trials=6, seed=0)
def tune_a(x):
    # Every trial waits until two runs have started one: the runs overlap, whatever the machine's speed.
    gate = Path(__file__).parent / "started.txt"
    with gate.open("a") as f:
        f.write(f"{os.getpid()}\\n")
    deadline = time.time() + 60
    while len(set(gate.read_text().split())) < 2 and time.time() < deadline:
        time.sleep(0.02)
    return x
"""


@pytest.mark.slow
def test_two_teammates_run_one_experiment_at_once_and_history_and_warm_start_see_both(tmp_path: Path) -> None:
    """The team story end to end: both runs of one experiment at once finish and are recorded on their commit
    (one journals beside the other), and a warm start continues from the best trial either of them found."""
    (tmp_path / "pyproject.toml").write_text("[tool.tunekit]\n")
    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "exp_a.py").write_text(TOGETHER)
    (tmp_path / ".gitignore").write_text(".tunekit/\nexperiments/started.txt\n*.json\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "experiments"]):
        subprocess.run([*git, *args], cwd=tmp_path, check=True)
    runs = [subprocess.Popen([sys.executable, "-m", "tunekit", "--seed", str(seed), "--json", f"{seed}.json"],
                             cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for seed in (1, 2)]
    outputs = [run.communicate(timeout=120)[0].decode() for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert sum("another run is searching this experiment now: journaled to" in out for out in outputs) == 1, outputs
    records = [results.load(tmp_path / f"{seed}.json").experiments[0] for seed in (1, 2)]
    bests = [max(t.score or 0 for t in record.trials) for record in records]

    history = subprocess.run([sys.executable, "-m", "tunekit", "history", "--json"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=120)
    assert history.returncode == 0, history.stderr
    (series,) = json.loads(history.stdout)["experiments"]
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True).stdout
    assert [(p["commit"], p["runs"]) for p in series["points"]] == [(commit.strip(), 2)]
    assert series["points"][0]["best_score"] == pytest.approx(sum(bests) / 2)  # the median of the two runs

    warm = subprocess.run([sys.executable, "-m", "tunekit", "--warm-start", "history", "--trials", "4", "--seed", "3",
                           "--json", "warm.json"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert warm.returncode == 0, warm.stdout + warm.stderr
    first = results.load(tmp_path / "warm.json").experiments[0].trials[0]
    best = max((t for record in records for t in record.trials), key=lambda t: t.score or 0)
    assert first.warm_start and first.params == best.params and first.score == max(bests)


@pytest.mark.slow
def test_a_partial_run_updates_its_experiments_and_keeps_the_others_latest_records(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.tunekit]\n")
    (tmp_path / "experiments").mkdir()
    for seed, name in enumerate(("a", "b", "c")):
        (tmp_path / "experiments" / f"exp_{name}.py").write_text(
            EXPERIMENT.format(seed=seed, name=name).replace("time.sleep(0.1)", "pass"))
    latest = tmp_path / ".tunekit" / "results.json"

    def tunekit(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "tunekit", "--store", "none", *args], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode in (0, 1), done.stdout + done.stderr
        return done.stdout

    tunekit()
    full = results.load(latest)
    out = tunekit("-k", "tune_a", "--seed", "7")
    assert "(and 2 experiment(s) this run left alone, kept from earlier runs)" in out
    partial = results.load(latest)
    by_id = {e.id: e for e in partial.experiments}
    assert by_id["experiments/exp_a.py::tune_a"].from_run is None and by_id["experiments/exp_a.py::tune_a"].seed == 7
    for name in ("b", "c"):
        kept = by_id[f"experiments/exp_{name}.py::tune_{name}"]
        assert kept.from_run == full.run_id and kept.trials == full.get(kept.id).trials
    tunekit("-k", "tune_a", "--json", "only.json")
    assert [e.id for e in results.load(tmp_path / "only.json").experiments] == ["experiments/exp_a.py::tune_a"]
    (tmp_path / "experiments" / "exp_c.py").unlink()  # a deleted experiment is not kept
    tunekit("experiments/exp_a.py")
    assert sorted(e.id for e in results.load(latest).experiments) == [
        "experiments/exp_a.py::tune_a", "experiments/exp_b.py::tune_b"]
    tunekit()
    assert all(e.from_run is None for e in results.load(latest).experiments)
