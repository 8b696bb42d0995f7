"""The several-objectives benchmark in a tiny configuration, so that it cannot rot."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import pytest

from benchmarks.multiobjective import PROBLEMS, front_hypervolume, render, run_benchmark, summary, verdicts

TUNEKIT = ["tunekit-evolution", "tunekit-bayes", "tunekit-random"]


def test_zdt_problems_reach_their_known_fronts() -> None:
    # on the front (x1..x5 = 0, g = 1): ZDT1 f2 = 1 - sqrt(f1), ZDT2 1 - f1^2, ZDT3 with the sine term
    at = {f"x{i}": 0.0 for i in range(6)} | {"x0": 0.25}
    assert PROBLEMS["zdt1"].losses(at) == pytest.approx((0.25, 0.5))
    assert PROBLEMS["zdt2"].losses(at) == pytest.approx((0.25, 0.9375))
    assert PROBLEMS["zdt3"].losses(at) == pytest.approx((0.25, 0.5 - 0.25 * math.sin(2.5 * math.pi)))
    worst = {f"x{i}": 1.0 for i in range(6)} | {"x0": 0.0}
    assert PROBLEMS["zdt1"].losses(worst) == pytest.approx((0.0, 10.0))


def test_a_tiny_run_writes_its_json_and_section(tmp_path: Path) -> None:
    raw = tmp_path / "results" / "multiobjective.json"
    results = run_benchmark(problems=["zdt1"], contenders=TUNEKIT, seeds=2, trials=12, log=io.StringIO(), raw=raw)
    saved = json.loads(raw.read_text())
    assert saved["finished"] is True and saved["trials"] == 12
    runs = saved["runs"]["zdt1"]
    assert {c: [r["seed"] for r in runs[c]] for c in TUNEKIT} == {c: [0, 1] for c in TUNEKIT}
    for contender in TUNEKIT:
        for run in runs[contender]:
            assert len(run["losses"]) == 12
            points = [tuple(p) for p in run["losses"]]
            assert run["hypervolume"] == pytest.approx(front_hypervolume(points, (1.1, 11.0)))
            assert 0 < run["hypervolume"] <= 1.1 * 11.0
    table = summary(results)
    assert set(table["zdt1"]) == set(TUNEKIT)
    section = render(results)
    assert "| zdt1 (convex front) | (1.1, 11.0) |" in section and "tunekit-bayes" in section
    assert verdicts(results) == []  # no Optuna contender ran: nothing to compare with


def test_optuna_contenders_run_and_agree_on_the_hypervolume(tmp_path: Path) -> None:
    pytest.importorskip("optuna", reason="the Optuna contenders need the bench extra")
    results = run_benchmark(problems=["zdt2"], contenders=["tunekit-evolution", "optuna-nsga2", "optuna-tpe"],
                            seeds=1, trials=12, log=io.StringIO(), raw=tmp_path / "mo.json")
    for runs in results["runs"]["zdt2"].values():
        assert runs[0]["hypervolume"] == pytest.approx(runs[0]["hypervolume_optuna"], abs=1e-9)
    assert len(verdicts(results)) == 2
