"""``tunekit history`` benchmark: how well change detection finds a step, how often noise alone is flagged,
and how long the command takes over a large store.

1. A 40-commit series scoring about 80 with fold noise (score_std 1.0 over 5 folds, so 0.45 a point) and a
   2-point drop injected at commit 25, over 20 seeds: hit rate at the right commit (and anywhere else).
2. 20 unchanged 40-commit series x 20 seeds with the same noise: false flags.
3. ``tunekit history --json`` over 1,000 runs of 10 experiments (100 commits, 10 runs each) on SQLite, in
   process and as the ``tunekit`` command (best of 3; target: under 1 s).

Run from the repository root: ``python -m benchmarks.history``; writes ``benchmarks/RESULTS-history.md``.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tunekit.commands import run_subcommand
from tunekit.history import Point, Segment, Series, detect_changes
from tunekit.results import ExperimentResult, ResultsDocument
from tunekit.store import open_store
from tunekit.trial import TrialResult, TrialState

HERE = Path(__file__).resolve().parent
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
SPACE = {"x": {"type": "real", "low": 0.0, "high": 1.0, "log": False}}
SEEDS, COMMITS, DROP_AT, DROP, FOLD_STD, FOLDS = 20, 40, 25, 2.0, 1.0, 5
STORE_COMMITS, RUNS_PER_COMMIT, EXPERIMENTS = 100, 10, 10


def synthetic(seed: int, *, drop_at: int | None) -> Series:
    rng = random.Random(seed)
    noise = FOLD_STD / FOLDS ** 0.5
    points = tuple(Point(f"c{i:02d}", None, None, 1,
                         rng.gauss(80.0 - (DROP if drop_at is not None and i >= drop_at else 0.0), noise), None,
                         noise) for i in range(COMMITS))
    return Series("bench", "maximize", (Segment("s", None, points),))


def detection() -> dict[str, int]:
    hits = elsewhere = missed = 0
    for seed in range(SEEDS):
        commits = [c.commit for c in detect_changes(synthetic(seed, drop_at=DROP_AT))]
        hits += f"c{DROP_AT}" in commits
        elsewhere += sum(c != f"c{DROP_AT}" for c in commits)
        missed += f"c{DROP_AT}" not in commits
    false_flags = sum(len(detect_changes(synthetic(seed * 1000 + i, drop_at=None)))
                      for seed in range(SEEDS) for i in range(20))
    return {"hits": hits, "elsewhere": elsewhere, "missed": missed, "false_flags": false_flags}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def make_project(root: Path) -> None:
    (root / "pyproject.toml").write_text("[tool.tunekit]\n")
    git(root, "init", "-q", "-b", "main")
    for i in range(STORE_COMMITS):
        git(root, "-c", "user.name=Bench", "-c", "user.email=b@example.org", "commit", "-q", "--allow-empty",
            "-m", f"c{i}")
    shas = git(root, "rev-list", "--first-parent", "--reverse", "HEAD").split()
    rng = random.Random(0)
    with open_store(None, root=root) as store:
        for i, sha in enumerate(shas):
            for r in range(RUNS_PER_COMMIT):
                experiments = []
                for e in range(EXPERIMENTS):
                    score = 80.0 + rng.gauss(0, 0.45)
                    trial = TrialResult(number=0, params={"x": 0.5}, state=TrialState.COMPLETE, score=score,
                                        score_std=1.0, folds=[score] * 5, duration_s=1.0)
                    experiments.append(ExperimentResult(
                        id=f"experiments/exp_{e}.py::tune", strategy="random", direction="maximize", seed=0,
                        budget={"trials": 1}, space=SPACE, trials=[trial], duration_s=1.0))
                at = T0 + timedelta(minutes=i * RUNS_PER_COMMIT + r)
                doc = ResultsDocument(experiments=experiments, tunekit_version="0.1.0", created=at.isoformat(),
                                      commit_info={"id": sha, "dirty": False, "branch": "main"})
                store.record_run(doc, run_id=f"run-{i}-{r}", started=at, finished=at)


def best_of_3(action: Callable[[], None]) -> float:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def timing() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        make_project(root)
        cwd = os.getcwd()
        os.chdir(root)
        try:
            def in_process() -> None:
                with contextlib.redirect_stdout(io.StringIO()):
                    assert run_subcommand("history", ["--json"]) == 0

            def command() -> None:
                subprocess.run([sys.executable, "-m", "tunekit", "history", "--json"], check=True,
                               capture_output=True, env={**os.environ, "PYTHONPATH": cwd})

            return {"in_process": best_of_3(in_process), "command": best_of_3(command)}
        finally:
            os.chdir(cwd)


def main() -> None:
    found = detection()
    times = timing()
    lines = [
        "## `tunekit history`: change detection and speed",
        "",
        f"`python -m benchmarks.history` ({os.cpu_count()} CPUs).",
        "",
        (f"Detection (window 8 points, z = 4): a {COMMITS}-commit series around 80 with fold noise "
        f"(score_std {FOLD_STD} over {FOLDS} folds: {FOLD_STD / FOLDS ** 0.5:.2f} a point) and a {DROP}-point "
        f"drop at commit {DROP_AT}, {SEEDS} seeds; the same series unchanged, 20 x {SEEDS} seeds:"),
        "",
        "| drop flagged at its commit | flags elsewhere | missed | false flags on unchanged series |",
        "| --- | --- | --- | --- |",
        (f"| {found['hits']}/{SEEDS} | {found['elsewhere']} | {found['missed']} | {found['false_flags']} in "
        f"{20 * SEEDS} series |"),
        "",
        (f"`tunekit history --json` over {STORE_COMMITS * RUNS_PER_COMMIT:,} runs of {EXPERIMENTS} experiments "
        f"({STORE_COMMITS} commits x {RUNS_PER_COMMIT} runs) on SQLite, best of 3; target: under 1 s:"),
        "",
        "| in process | `python -m tunekit history --json` |",
        "| --- | --- |",
        f"| {times['in_process']:.3f} s | {times['command']:.3f} s |",
        "",
    ]
    (HERE / "RESULTS-history.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
