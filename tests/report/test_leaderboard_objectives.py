"""The leaderboard of an experiment with several objectives: its selected trial, its front, ``--top``."""

from __future__ import annotations

from tunekit.report.leaderboard import format_leaderboard, format_top_trials
from tunekit.results import ExperimentResult
from tunekit.trial import TrialResult, TrialState

# (accuracy, seconds): #0 and #2 are on the front, #1 is dominated by #0, #3 is beyond the 5-second limit.
VALUES = [(0.80, 1.0), (0.70, 2.0), (0.90, 4.0), (0.95, 9.0)]


def record(limits: dict[str, float] | None = None) -> ExperimentResult:
    trials = [TrialResult(number=i, params={"n": i}, state=TrialState.COMPLETE, score=acc, duration_s=secs,
                          values={"accuracy": acc, "seconds": secs}) for i, (acc, secs) in enumerate(VALUES)]
    trials.append(TrialResult(number=4, params={"n": 4}, state=TrialState.FAIL, error="boom"))
    return ExperimentResult(id="experiments/exp.py::tune_n", strategy="random", direction="maximize", seed=0,
                            budget={"trials": 5}, space={"n": {"type": "integer", "low": 0, "high": 9,
                                                               "log": False}},
                            trials=trials, objectives={"accuracy": "maximize", "seconds": "minimize"},
                            limits=limits or {})


def test_the_leaderboard_names_the_selected_trial_and_the_fronts_size() -> None:
    board = format_leaderboard([record({"seconds": 5.0})], width=120).splitlines()
    assert board[-1] == ("objectives: tune_n: accuracy (max), seconds (min, <= 5); selected #2: accuracy=0.9, "
                         "seconds=4; Pareto front: 2 trials")
    unlimited = format_leaderboard([record()], width=120).splitlines()[-1]
    assert "selected #3: accuracy=0.95, seconds=9; Pareto front: 3 trials" in unlimited


def test_top_lists_the_front_by_first_objective_with_the_selected_trial_marked() -> None:
    lines = format_top_trials(record({"seconds": 5.0}), 5, width=120).splitlines()
    assert lines[0] == "Pareto front: 2 trials"
    assert lines[1].split() == ["front", "trial", "accuracy", "(max)", "seconds", "(min)", "time", "params"]
    rows = [line.split() for line in lines[3:]]
    assert [row[:5] for row in rows] == [["1", "#2", "selected", "0.9", "4"], ["2", "#0", "0.8", "1", "1.0s"]]
    assert format_top_trials(record({"seconds": 5.0}), 1).splitlines()[0] == (
        "Pareto front: 2 trials, the first 1 by accuracy")


def test_top_says_why_the_front_is_empty_instead_of_an_empty_table() -> None:
    assert format_top_trials(record({"seconds": 0.5}), 5) == (
        "Pareto front: empty, no complete trial meets every limit")
    failed = record()
    failed.trials = [t for t in failed.trials if t.state is TrialState.FAIL]
    assert format_top_trials(failed, 5) == "Pareto front: empty, no complete trial"


def test_a_single_objective_leaderboard_has_no_objectives_line() -> None:
    single = record()
    single.objectives = {}
    single.trials = [TrialResult(number=t.number, params=t.params, state=t.state, score=t.score)
                     for t in single.trials]
    assert "objectives" not in format_leaderboard([single], width=120)
    assert format_top_trials(single, 2).splitlines()[0].split() == ["rank", "trial", "score", "time", "params"]


def test_the_objectives_line_wraps_to_the_width() -> None:
    lines = format_leaderboard([record({"seconds": 5.0})], width=60).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("objectives: tune_n:"))
    assert all(len(line) <= 60 for line in lines[start:])
    assert all(line.startswith("  ") for line in lines[start + 1:]) and len(lines) > start + 1
