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
