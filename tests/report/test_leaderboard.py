"""The terminal leaderboard, and its "best ever" column from the run store."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tunekit.report.leaderboard import best_ever_text, format_leaderboard
from tunekit.results import ExperimentResult
from tunekit.store import RecordedBest
from tunekit.trial import TrialResult, TrialState

WHEN = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)


def experiment(scores: list[float], direction: str = "maximize") -> ExperimentResult:
    trials = [TrialResult(number=i, params={"x": float(i)}, state=TrialState.COMPLETE, score=s, duration_s=0.1)
              for i, s in enumerate(scores)]
    return ExperimentResult(id="experiments/exp.py::tune_x", strategy="random", direction=direction, seed=0,
                            budget={"trials": len(trials)}, space={"x": {"type": "real", "low": 0, "high": 9,
                                                                          "log": False}},
                            trials=trials, duration_s=1.0)


@pytest.mark.parametrize(("direction", "scores", "recorded", "expected"), [
    ("maximize", [0.5, 0.8], 0.9, "0.9 @1a2b3c4"),
    ("maximize", [0.5, 0.9], 0.9, "this run"),  # a tie is this run's too
    ("maximize", [0.95], 0.9, "this run"),
    ("minimize", [0.5], 0.4, "0.4 @1a2b3c4"),
    ("minimize", [0.3], 0.4, "this run"),
])
def test_best_ever_names_the_commit_that_found_it_unless_this_run_did(direction: str, scores: list[float],
                                                                       recorded: float, expected: str) -> None:
    best = RecordedBest(score=recorded, run_id="r1", commit="1a2b3c4d5e6f", finished=WHEN)
    assert best_ever_text(experiment(scores, direction), best) == expected


def test_best_ever_without_a_commit_gives_the_date_and_without_a_record_this_run() -> None:
    exp = experiment([0.5])
    assert best_ever_text(exp, RecordedBest(score=0.75, run_id="r1", commit=None, finished=WHEN)) == "0.75 @2026-11-30"
    assert best_ever_text(exp, None) == "this run"
    failed = ExperimentResult(id=exp.id, strategy="random", direction="maximize", seed=0, budget={"trials": 0},
                              space=exp.space, trials=[], duration_s=0.0)
    assert best_ever_text(failed, None) == "-"


def test_the_column_is_there_only_when_the_store_was_read_and_a_line_says_it_where_it_does_not_fit() -> None:
    exp = experiment([0.5])
    assert "best ever" not in format_leaderboard([exp], width=120)
    recorded = {exp.id: RecordedBest(0.75, "r1", "1a2b3c4", WHEN)}
    shown = format_leaderboard([exp], width=120, recorded_best=recorded)
    header, _, row = shown.splitlines()
    assert header.split()[:4] == ["experiment", "best", "best", "ever"]
    assert row.split()[:4] == ["tune_x", "0.5", "0.75", "@1a2b3c4"]
    narrow = format_leaderboard([exp], width=80, recorded_best=recorded).splitlines()
    assert "ever" not in narrow[0] and narrow[-1] == "best ever: tune_x: 0.75 @1a2b3c4"
    assert max(map(len, narrow)) <= 80
    assert "best ever" not in format_leaderboard([exp], width=80, recorded_best={})  # this run is the best


def test_trial_counts_are_spelled_out() -> None:
    exp = experiment([0.5, 0.6])
    exp.trials.append(TrialResult(number=2, params={"x": 2.0}, state=TrialState.PRUNED, score=0.1, duration_s=0.1))
    exp.trials.append(TrialResult(number=3, params={"x": 3.0}, state=TrialState.FAIL, duration_s=0.1, error="boom"))
    exp.budget["trials"] = 4
    row = format_leaderboard([exp], width=120).splitlines()[2]
    assert "2/4, 1 pruned, 1 failed" in row


def test_top_trials_show_enough_digits_to_tell_scores_apart() -> None:
    from tunekit.report.leaderboard import format_top_trials

    exp = experiment([0.978912, 0.978934, 0.97, 0.978934])
    rows = format_top_trials(exp, 3, width=120).splitlines()[2:]
    assert [row.split()[2] for row in rows] == ["0.97893", "0.97893", "0.97891"]  # a tie stays a tie
    assert format_top_trials(experiment([0.5, 0.25]), 2).splitlines()[2].split()[2] == "0.5"
