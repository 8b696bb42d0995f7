"""The strategy benchmark's --resume keeps the saved runs and runs only the missing ones."""

from __future__ import annotations

import io
import json
from pathlib import Path

from benchmarks.strategies import run_benchmark

CONTENDERS = ["tunekit-random", "tunekit-grid"]


def _run(raw: Path, seeds: int, resume: bool) -> dict:
    return run_benchmark(seeds=seeds, sklearn_seeds=0, budget=5, overhead_trials=3, jobs=1,
                         contenders=CONTENDERS, problems=["branin"], log=io.StringIO(), raw=raw,
                         resume=resume)


def test_resume_adds_missing_seeds_and_keeps_saved_runs(tmp_path: Path) -> None:
    raw = tmp_path / "results" / "strategies.json"
    first = _run(raw, seeds=1, resume=False)
    saved = json.loads(raw.read_text())
    saved["runs"]["branin"]["tunekit-random"][0]["wall_s"] = -1.0  # a marker: kept, not recomputed
    raw.write_text(json.dumps(saved))

    resumed = _run(raw, seeds=2, resume=True)

    runs = resumed["runs"]["branin"]
    assert {c: [r["seed"] for r in runs[c]] for c in CONTENDERS} == {c: [0, 1] for c in CONTENDERS}
    assert runs["tunekit-random"][0]["wall_s"] == -1.0
    assert runs["tunekit-random"][0]["losses"] == first["runs"]["branin"]["tunekit-random"][0]["losses"]
    assert resumed["overhead"] == saved["overhead"]  # measured once, not again
    assert resumed["created"] == saved["created"] and "resumed" in resumed
    assert json.loads(raw.read_text())["finished"] is True
