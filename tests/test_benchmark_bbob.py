"""The broad benchmark (python -m benchmarks.strategies --suite bbob): ranks, clipped scores, and its run cache."""

from __future__ import annotations

import io
import json
import math
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

import tunekit
from benchmarks.ranking import TARGET, average_ranks, clipped_score, summarise_group, summarise_problem
from benchmarks.run_cache import CachedRun, RunCache, code_fingerprint
from benchmarks.suite_report import render
from benchmarks.suite_run import SuiteConfig, open_caches, plan_tasks, run_tasks

CONTENDERS = ("tunekit-random", "tunekit-grid")
CODES = {c: "code-1" for c in CONTENDERS}


def test_average_ranks_share_tied_places() -> None:
    assert average_ranks([3.0, 1.0, 3.0, 2.0]) == [3.5, 1.0, 3.5, 2.0]
    assert average_ranks([5.0, 5.0, 5.0]) == [2.0, 2.0, 2.0]
    assert average_ranks([]) == []


def test_clipped_score_is_clipped_at_minus_one_and_undefined_at_the_optimum() -> None:
    assert clipped_score(best=0.0, reference=10.0, optimum=0.0) == 1.0
    assert clipped_score(best=10.0, reference=10.0, optimum=0.0) == 0.0
    assert clipped_score(best=15.0, reference=10.0, optimum=0.0) == -0.5
    assert clipped_score(best=1e6, reference=10.0, optimum=0.0) == -1.0
    assert math.isnan(clipped_score(best=1.0, reference=0.0, optimum=0.0))


def test_problem_summary_ranks_medians_ties_solved_runs_and_clips_per_run() -> None:
    best = {
        "tunekit-random": [3.0, 1.0, 2.0],  # median 2: the reference
        "a": [1.0 + 1e-12, 1.0 + 5e-9, 9.0],  # median within TARGET of the optimum 1.0
        "b": [1.0, 1.0, 1.0],  # the optimum exactly: ties with a
        "c": [1e9, 1e9, 0.0 + 1.5],  # two hopeless runs, clipped to -1 each
    }
    s = summarise_problem("p", "g", 50, best, reference="tunekit-random", optimum=1.0)
    assert s.median_best == {"tunekit-random": 2.0, "a": 1.0 + 5e-9, "b": 1.0, "c": 1e9}
    assert s.rank == {"tunekit-random": 3.0, "a": 1.5, "b": 1.5, "c": 4.0}
    assert s.score["b"] == 1.0 and s.score["tunekit-random"] == 0.0
    assert s.score["c"] == -1.0  # median of (-1, -1, 0.5), not a huge negative mean
    assert s.worse_than_reference == {"tunekit-random": False, "a": False, "b": False, "c": True}
    assert s.seeds == 3


def test_problem_summary_without_a_known_optimum_uses_the_best_loss_found() -> None:
    s = summarise_problem("p", "g", 50, {"tunekit-random": [0.3, 0.3], "x": [0.1, 0.2]},
                          reference="tunekit-random", optimum=None)
    assert s.optimum == 0.1
    assert s.score["x"] == pytest.approx(0.75)  # median of clipped (1.0, 0.5)


def test_problem_summary_needs_the_same_seeds_for_every_contender() -> None:
    with pytest.raises(ValueError, match="same, non-zero number of seeds"):
        summarise_problem("p", "g", 50, {"tunekit-random": [1.0], "x": [1.0, 2.0]}, reference="tunekit-random",
                          optimum=0.0)


def test_group_summary_means_ranks_and_scores_and_counts_worse_problems() -> None:
    one = summarise_problem("p1", "g", 50, {"r": [2.0], "x": [3.0]}, reference="r", optimum=0.0)
    two = summarise_problem("p2", "g", 50, {"r": [0.0], "x": [0.0]}, reference="r", optimum=0.0)
    group = summarise_group("g", [one, two], ["r", "x"])
    assert group.problems == 2
    assert group.mean_rank == {"r": 1.25, "x": 1.75}
    assert group.mean_score == {"r": 0.0, "x": -0.5}  # p2's NaN score (random search solved it) left out
    assert group.worse_than_reference == {"r": 0, "x": 1}
    assert TARGET == 1e-8


def test_run_cache_round_trip_code_check_and_budget_free_prefix(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    cache = RunCache(path, "optuna-tpe", budget_free=True)
    cache.put("p", 100, 0, CachedRun([5.0, 4.0, 3.0] + [2.0] * 97, "optuna 1", 1.0, 0.5))
    cache.save()
    assert not list(tmp_path.glob("*.tmp")) and json.loads(path.read_text())["contender"] == "optuna-tpe"

    loaded = RunCache(path, "optuna-tpe", budget_free=True)
    short = loaded.get("p", 2, 0)
    assert short is not None and short.losses == [5.0, 4.0]
    assert loaded.get("p", 2, 0, "optuna 2") is None  # made by other code
    assert loaded.get("p", 2, 1) is None
    assert RunCache(path, "optuna-tpe").get("p", 2, 0) is None  # a budget-aware contender needs its own run
    with pytest.raises(SystemExit, match="not a run cache of tunekit-bayes"):
        RunCache(path, "tunekit-bayes")


def _config(seeds: int) -> SuiteConfig:
    return SuiteConfig(functions=(), dimensions=(), classic=("branin", "rosenbrock5"), classic_seeds=seeds,
                       budget=6, contenders=CONTENDERS)


def test_runs_resume_from_the_cache_and_rerun_only_stale_code(tmp_path: Path) -> None:
    caches = open_caches(tmp_path, CONTENDERS)
    tasks = plan_tasks(_config(1), caches, CODES)
    assert [(t.problem, t.contender) for t in tasks] == [  # problem by problem
        ("branin", "tunekit-random"), ("branin", "tunekit-grid"),
        ("rosenbrock5", "tunekit-random"), ("rosenbrock5", "tunekit-grid")]
    assert run_tasks(tasks, caches, CODES, workers=1, log=io.StringIO()) == 4
    saved = json.loads((tmp_path / "tunekit-random.json").read_text())
    saved["runs"]["branin/6/0"]["cpu_s"] = -1.0  # a marker: kept, not recomputed
    (tmp_path / "tunekit-random.json").write_text(json.dumps(saved))

    caches = open_caches(tmp_path, CONTENDERS)  # a new process: everything comes from the files
    assert plan_tasks(_config(1), caches, CODES) == []
    more = plan_tasks(_config(2), caches, CODES)
    assert {(t.problem, t.seed) for t in more} == {("branin", 1), ("rosenbrock5", 1)}
    run_tasks(more, caches, CODES, workers=2, log=io.StringIO())
    kept = open_caches(tmp_path, CONTENDERS)["tunekit-random"].get("branin", 6, 0)
    assert kept is not None and kept.cpu_s == -1.0

    before = {key: run.losses for key, run in caches["tunekit-grid"].runs.items()}
    changed = {**CODES, "tunekit-grid": "code-2"}
    stale = plan_tasks(_config(2), caches, changed, contenders=("tunekit-grid",), only_complete=True)
    assert {t.contender for t in stale} == {"tunekit-grid"} and len(stale) == 4
    run_tasks(stale, caches, changed, workers=1, log=io.StringIO())
    rerun = open_caches(tmp_path, CONTENDERS)["tunekit-grid"]
    assert rerun.codes() == {"code-2": 4}
    assert {key: run.losses for key, run in rerun.runs.items()} == before  # deterministic per seed


class _StopAfter(io.StringIO):
    """A log that interrupts the benchmark after ``lines`` finished runs, like Ctrl-C would."""

    def __init__(self, lines: int) -> None:
        super().__init__()
        self.lines = lines

    def write(self, text: str) -> int:
        self.lines -= text.count("regret=")
        if self.lines < 0:
            raise KeyboardInterrupt
        return super().write(text)


def test_an_interrupted_run_keeps_what_finished_and_the_report_says_partial(tmp_path: Path) -> None:
    caches = open_caches(tmp_path, CONTENDERS)
    tasks = plan_tasks(_config(2), caches, CODES)
    with pytest.raises(KeyboardInterrupt):
        run_tasks(tasks, caches, CODES, workers=1, log=_StopAfter(3), checkpoint_every=100)
    reopened = open_caches(tmp_path, CONTENDERS)
    # the fourth run was stored before its log line interrupted: saved on the way out, no checkpoint due
    assert sum(len(c.runs) for c in reopened.values()) == 4
    left = plan_tasks(_config(2), reopened, CODES)
    assert len(left) == len(tasks) - 4

    report = render(_config(2), reopened)
    assert "**PARTIAL: 1 of 2 problems complete at budget 6" in report
    assert "| branin |" in report and "| rosenbrock5 |" not in report


def test_problems_a_contender_has_not_finished_are_ranked_among_the_others(tmp_path: Path) -> None:
    three = (*CONTENDERS, "tunekit-evolution")
    config = replace(_config(1), contenders=three)
    caches = open_caches(tmp_path, three)
    run_tasks(plan_tasks(config, caches, dict.fromkeys(three, "code-1"), contenders=CONTENDERS), caches,
              dict.fromkeys(three, "code-1"), workers=1, log=io.StringIO())
    report = render(config, caches)
    assert "**PARTIAL: 0 of 2 problems complete at budget 6" in report
    partial = report.split("## Budget 6, problems without tunekit-evolution: ranked among the other 2")[1]
    ranks = partial.split("### Mean normalised score")[0]
    assert "(1 = best of 2;" in ranks and "| tunekit-grid |" in ranks and "| tunekit-random |" in ranks
    assert "tunekit-evolution |" not in partial.split("\n## ")[0]


def test_bbob_problems_have_cocos_optimum() -> None:
    pytest.importorskip("cocoex", reason="the BBOB suite needs the bench extra (coco-experiment)")
    import numpy as np

    from benchmarks.bbob import bbob_names, bbob_problem, group_of

    names = bbob_names((1, 21), (2,), (1,))
    assert names == ["bbob_f001_i01_d02", "bbob_f021_i01_d02"]
    rng = np.random.default_rng(0)
    for name in names:
        problem = bbob_problem(name)
        assert problem.optimum == round(problem.optimum, 2)  # COCO's f_opt has two decimals
        assert all(problem.loss({"x0": a, "x1": b}) > problem.optimum for a, b in rng.uniform(-5, 5, (50, 2)))
    assert group_of(21) == "multimodal, weak global structure"


def test_a_strategys_cached_runs_go_stale_only_when_code_it_uses_changes(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "tunekit"
    shutil.copytree(Path(tunekit.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(tunekit, "__file__", str(copy / "__init__.py"))
    names = ("tunekit-bayes", "tunekit-evolution", "tunekit-random")
    before = {name: code_fingerprint(name) for name in names}

    def changed(path: str) -> set[str]:
        nonlocal before
        with (copy / path).open("a") as source:
            source.write("\n# changed\n")
        after = {name: code_fingerprint(name) for name in names}
        stale = {name for name in names if after[name] != before[name]}
        before = after
        return stale

    assert changed("strategies/evolution.py") == {"tunekit-evolution"}
    assert changed("pareto.py") == {"tunekit-evolution"}
    assert changed("strategies/bayes/_acquisition.py") == {"tunekit-bayes"}
    assert changed("space.py") == set(names)
    assert changed("cli.py") == set()
