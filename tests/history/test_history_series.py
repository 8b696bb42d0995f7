"""Building a series from stored runs: one point per branch commit, medians and spreads, segments."""

from __future__ import annotations

import statistics
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tunekit.history import CommitInfo, branch_commits, build_series
from tunekit.store import StoredExperiment

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def run(commit: str | None, score: float | None, minute: int, *, space: str = "s1", source: str | None = "x",
        std: float | None = 0.4, folds: int = 4) -> StoredExperiment:
    at = T0 + timedelta(minutes=minute)
    return StoredExperiment(
        run_id=f"r{minute}", experiment_id="e.py::t", started=at, finished=at, commit=commit, dirty=False,
        branch="main", space_hash=space, source_hash=source, strategy="random", direction="maximize",
        status="complete", trial_count=3, best_score=score, best_score_std=None if score is None else std,
        best_folds=None if score is None else (score,) * folds, best_params=None)


def branch(*shas: str) -> list[CommitInfo]:
    return [CommitInfo(sha, f"2026-01-0{i + 1}T00:00:00+00:00", "ada") for i, sha in enumerate(shas)]


def test_points_follow_the_branch_and_summarise_the_runs_of_each_commit() -> None:
    history = [run("b", 0.70, 0), run("a", 0.50, 1), run("b", 0.74, 2), run("b", 0.72, 3), run("z", 0.9, 4),
               run(None, 0.9, 5), run("a", None, 6)]
    series = build_series("e.py::t", history, branch("a", "b", "c"))
    assert [(p.commit, p.runs, p.best_score) for p in series.points] == [("a", 1, 0.50), ("b", 3, 0.72)]
    b = series.points[1]
    assert b.spread == statistics.stdev([0.70, 0.74, 0.72])
    assert b.fold_noise == 0.2  # 0.4 / sqrt(4 folds)
    assert (b.date, b.author) == ("2026-01-02T00:00:00+00:00", "ada")
    assert series.points[0].spread is None
    assert (series.off_branch, series.unscored) == (2, 1)


def test_a_changed_space_or_source_starts_a_new_segment() -> None:
    history = [run("a", 1.0, 0), run("b", 1.0, 1, space="s2"), run("c", 1.0, 2, space="s2"),
               run("d", 1.0, 3, space="s2", source="y")]
    series = build_series("e.py::t", history, branch("a", "b", "c", "d"))
    assert [[p.commit for p in s.points] for s in series.segments] == [["a"], ["b", "c"], ["d"]]
    assert [(s.space_hash, s.source_hash) for s in series.segments] == [("s1", "x"), ("s2", "x"), ("s2", "y")]


def test_outside_git_commits_are_ordered_by_their_first_run() -> None:
    series = build_series("e.py::t", [run("b", 2.0, 0), run("a", 1.0, 1), run("b", 3.0, 2)], None)
    assert [(p.commit, p.best_score, p.author) for p in series.points] == [("b", 2.5, None), ("a", 1.0, None)]
    assert series.points[0].date == T0.isoformat()


def test_no_history_is_an_empty_series() -> None:
    assert build_series("e.py::t", [], None).segments == ()


def test_branch_commits_outside_git_is_none(tmp_path: Path) -> None:
    assert branch_commits(tmp_path) is None


def test_a_reordered_first_objective_or_a_flipped_direction_starts_a_new_segment() -> None:
    # the objectives may come from a module constant: the source hash alone does not see the reorder
    accuracy = run("a", 0.9, 0)
    history = [replace(accuracy, score_name="accuracy"), replace(run("b", 0.2, 1), score_name="seconds"),
               replace(run("c", 0.3, 2), score_name="seconds"),
               replace(run("c", 0.25, 3), score_name="seconds", direction="minimize")]
    series = build_series("e.py::t", history, branch("a", "b", "c"))
    assert [[(p.commit, p.best_score) for p in s.points] for s in series.segments] == [
        [("a", 0.9)], [("b", 0.2)], [("c", 0.25)]]  # at c, only the latest run's search counts
    assert [(s.score_name, s.direction) for s in series.segments] == [
        ("accuracy", "maximize"), ("seconds", "maximize"), ("seconds", "minimize")]
