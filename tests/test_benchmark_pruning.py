"""The early-stopping benchmark runs end to end on a tiny configuration and re-renders from its JSON."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from benchmarks import pruning


def _installed_arms(epochs: int) -> list[str]:
    """Every arm whose library is installed: Optuna's comes with the bench extra, not the test extra."""
    optuna = importlib.util.find_spec("optuna") is not None
    return [arm for arm, (strategy, _) in pruning.arms(epochs).items() if optuna or not strategy.startswith("optuna")]


def test_tiny_benchmark_runs_every_arm_and_rerenders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    names = _installed_arms(9)
    argv = ["--tasks", "sgd", "--seeds", "1", "--full-trials", "6", "--epochs", "9", "--jobs", "1", "--arms",
            ",".join(names), "--out", str(tmp_path)]
    assert pruning.main(argv) == 0
    raw = json.loads((tmp_path / "pruning_results.json").read_text())
    assert set(raw["runs"]["sgd"]) == set(names)
    full = raw["runs"]["sgd"]["bayes-full"][0]
    assert full["epochs"] == 6 * 9 and full["complete"] == 6
    for arm, [run] in raw["runs"]["sgd"].items():
        if arm != "bayes-full":  # a quarter of full training's resource, spent to the last step
            assert run["epochs"] == int(6 * 9 * pruning.RESOURCE_FRACTION), arm
            assert sum(run["steps_per_trial"]) == run["epochs"]
    assert set(raw["share_study"]["sgd"][0]) == {"asha", "hyperband", "hyperband without its last bracket"}
    report = (tmp_path / "RESULTS-pruning.md").read_text()
    assert "### Targets" in report and "bohb+asha, sgd" in report
    assert pruning.main(["--report-only", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "RESULTS-pruning.md").read_text() == report


def test_synchronous_hyperband_design_share() -> None:
    # R = 27, rf = 3: brackets of 27, 12, 6 and 4 configurations; the last trains its 4 fully
    assert pruning.synchronous_share(27, [3]) == 1.0
    assert pruning.synchronous_share(27) == pytest.approx(0.27, abs=0.005)
