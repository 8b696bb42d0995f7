"""The shipped examples in experiments/ collect, and the model-selection example runs as documented."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_every_shipped_example_collects() -> None:
    done = subprocess.run([sys.executable, "-m", "tunekit", "experiments/", "--collect-only", "-q"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    collected = [line for line in done.stdout.splitlines() if "::" in line]
    assert len(collected) == len(list((ROOT / "experiments").glob("exp_*.py")))
    assert "experiments/exp_model_selection.py::tune_model_selection" in collected


@pytest.mark.slow
def test_the_model_selection_example_passes_only_active_parameters(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "experiments", tmp_path / "experiments")  # journals and results stay out of the checkout
    (tmp_path / "pyproject.toml").write_text("[tool.tunekit]\n")
    results = tmp_path / "results.json"
    done = subprocess.run([sys.executable, "-m", "tunekit", "experiments/exp_model_selection.py", "--trials", "12",
                           "--json", str(results)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    (experiment,) = json.loads(results.read_text())["experiments"]
    branches = {"svc": {"C", "kernel", "degree"}, "logreg": {"C", "solver", "l1_ratio"},
                "knn": {"n_neighbors", "weights"}, "forest": {"max_depth", "max_features"}}
    for trial in experiment["trials"]:
        params = trial["params"]
        assert set(params) - {"model"} <= branches[params["model"]]
        assert not (params.get("solver") == "liblinear" and params.get("l1_ratio") == 0.5)
        assert ("degree" in params) == (params.get("kernel") == "poly")
    assert experiment["space"]["degree"]["when"] == {"kernel": ["poly"], "model": ["svc"]}
    recheck = subprocess.run([sys.executable, "-m", "tunekit", "experiments/exp_model_selection.py", "--recheck",
                              str(results), "--json", str(tmp_path / "recheck.json")], cwd=tmp_path,
                             capture_output=True, text=True, timeout=300)
    assert recheck.returncode == 0, recheck.stdout + recheck.stderr  # the best's active parameters, re-evaluated
    (rechecked,) = json.loads((tmp_path / "recheck.json").read_text())["experiments"]
    assert rechecked["trials"][0]["params"] == experiment["best"]["params"]
