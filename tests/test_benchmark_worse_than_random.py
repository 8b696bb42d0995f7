"""The more-seeds check of the broad benchmark's "worse than random search" (python -m benchmarks.worse_than_random)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.worse_than_random import compare, main, report


def test_a_contender_worse_on_every_pair_is_worse_beyond_noise() -> None:
    verdict = compare("p", losses=[2.0, 3.0, 4.0, 5.0, 6.0, 7.0], reference=[0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    assert verdict.p_better == 0.0
    assert verdict.significantly_worse and verdict.worse_median and verdict.worse_at_benchmark_seeds


def test_three_unlucky_seeds_are_not_a_verdict_when_the_others_disagree() -> None:
    # the first three seeds (the broad benchmark's) say worse; the twenty-one say better
    losses = [5.0, 6.0, 7.0] + [0.1] * 18
    reference = [1.0, 2.0, 3.0] + [1.0] * 18
    verdict = compare("p", losses, reference)
    assert verdict.worse_at_benchmark_seeds
    assert not verdict.worse_median and not verdict.significantly_worse
    assert verdict.p_better == pytest.approx((18 * 21 + 0) / (21 * 21))


def test_regrets_below_the_target_tie() -> None:
    verdict = compare("p", losses=[1e-12, 1e-10], reference=[1e-9, 0.0])
    assert verdict.p_better == 0.5
    assert not verdict.worse_median


def test_the_report_counts_each_rule_and_bolds_what_is_worse_beyond_noise() -> None:
    worse = compare("bbob_f021_i01_d02", [2.0, 3.0, 4.0, 5.0, 6.0, 7.0], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    fine = compare("bbob_f001_i01_d02", [0.1] * 6, [1.0] * 6)
    text = report([worse, fine], "tunekit-bayes", 6, 50, "python -m benchmarks.worse_than_random")
    assert "the broad benchmark's count): **1**" in text
    assert "not corrected for the 2 tests): **1**" in text
    assert "| **bbob_f021_i01_d02** |" in text
    assert "bbob_f001_i01_d02" not in text


def test_the_command_runs_only_what_is_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("cocoex", reason="the BBOB suite needs the bench extra (coco-experiment)")
    args = ["--functions", "1", "--dimensions", "2", "--instances", "1", "--seeds", "3", "--workers", "1",
            "--budget", "12", "--out", str(tmp_path)]
    assert main(args) == 0
    assert "6 runs to do" in capsys.readouterr().out
    saved = json.loads((tmp_path / "results" / "worse_than_random.json").read_text())
    assert len(saved["runs"]) == 6 and all(run["regret"] >= 0 for run in saved["runs"].values())
    assert main(args) == 0
    assert "0 runs to do" in capsys.readouterr().out
    assert "Problems: 1; budget 12;" in (tmp_path / "RESULTS-worse-than-random.md").read_text()


def test_classic_problems_are_judged_on_the_broad_benchmarks_five_seeds_first(tmp_path: Path) -> None:
    args = ["--functions", "--classic", "branin", "--seeds", "7", "--workers", "1", "--budget", "8",
            "--out", str(tmp_path)]
    assert main(args) == 0
    saved = json.loads((tmp_path / "results" / "worse_than_random.json").read_text())
    assert sorted(saved["runs"]) == sorted(f"{c}/branin/8/{seed}" for c in ("tunekit-bayes", "tunekit-random")
                                           for seed in range(7))
    assert "Problems: 1; budget 8; seeds 0..6" in (tmp_path / "RESULTS-worse-than-random.md").read_text()
    assert main([*args[:2], "rosenbrock5", *args[3:]]) == 0  # another problem: the report has both
    assert "Problems: 2; budget 8; seeds 0..6" in (tmp_path / "RESULTS-worse-than-random.md").read_text()
    verdict = compare("branin", [1.0] * 5 + [9.0, 9.0], [2.0] * 7, first=5)
    assert (verdict.first, verdict.median_first, verdict.worse_at_benchmark_seeds) == (5, 1.0, False)
