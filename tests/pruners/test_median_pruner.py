"""Decisions of the median stopping rule on crafted report sequences (Optuna's MedianPruner semantics)."""

from __future__ import annotations

import math

import pytest

from tunekit.pruners import MedianPruner


def _finished(values_at_step: list[float], steps: int = 10) -> dict[int, dict[int, float]]:
    """Trials 0..n-1 that reported the same loss at every step 0..steps-1."""
    return {t: {s: v for s in range(steps)} for t, v in enumerate(values_at_step)}


def _ask(pruner: MedianPruner, history: dict[int, dict[int, float]], own: dict[int, float]) -> bool:
    number = max(history, default=-1) + 1
    return pruner.should_prune(number, max(own), {**history, number: own})


@pytest.mark.parametrize(("loss", "pruned"), [(3.5, True), (3.0, False), (2.9, False), (100.0, True)])
def test_worse_than_the_median_at_the_step_is_pruned(loss: float, pruned: bool) -> None:
    history = _finished([1.0, 2.0, 3.0, 4.0, 5.0])
    assert _ask(MedianPruner(), history, {0: loss}) is pruned


def test_median_of_an_even_count_interpolates() -> None:
    history = _finished([1.0, 2.0, 4.0, 5.0, 6.0, 7.0])  # median 4.5
    assert _ask(MedianPruner(), history, {0: 4.4}) is False
    assert _ask(MedianPruner(), history, {0: 4.6}) is True


def test_the_trials_best_value_so_far_is_compared() -> None:
    # Optuna compares the trial's best intermediate value, so a single bad step after a good one is tolerated.
    history = _finished([1.0, 2.0, 3.0, 4.0, 5.0])
    assert _ask(MedianPruner(), history, {0: 1.0, 1: 50.0}) is False
    assert _ask(MedianPruner(), history, {0: 50.0, 1: 3.5}) is True


def test_no_pruning_before_n_startup_trials() -> None:
    history = _finished([1.0, 2.0, 3.0, 4.0])
    assert _ask(MedianPruner(), history, {0: 100.0}) is False
    assert _ask(MedianPruner(n_startup_trials=4), history, {0: 100.0}) is True
    assert _ask(MedianPruner(n_startup_trials=0), {}, {0: 100.0}) is False  # alone: nothing to compare


def test_running_and_pruned_trials_count_but_only_at_the_steps_they_reported() -> None:
    history = _finished([1.0, 2.0, 3.0], steps=10)
    history[3] = {0: 9.0, 1: 9.0}  # pruned at step 1
    history[4] = {0: 9.0}  # still running
    pruner = MedianPruner(n_startup_trials=5)
    assert _ask(pruner, history, {0: 3.5}) is True  # step 0: median of 1, 2, 3, 9, 9 is 3
    # Step 2: only trials 0-2 reported it, median 2 (with the 9s it would be 3).
    assert _ask(pruner, history, {0: 3.5, 1: 3.5, 2: 2.5}) is True


def test_no_pruning_during_warmup() -> None:
    history = _finished([1.0, 2.0, 3.0, 4.0, 5.0])
    pruner = MedianPruner(n_warmup_steps=3)
    own = {s: 100.0 for s in range(6)}
    decisions = [_ask(pruner, history, {s: own[s] for s in range(k + 1)}) for k in range(6)]
    assert decisions == [False, False, False, True, True, True]


def test_interval_steps_check_every_k_steps_after_warmup() -> None:
    history = _finished([1.0, 2.0, 3.0, 4.0, 5.0], steps=12)
    pruner = MedianPruner(n_warmup_steps=2, interval_steps=3)
    decisions = [_ask(pruner, history, {s: 100.0 for s in range(k + 1)}) for k in range(12)]
    assert [k for k, pruned in enumerate(decisions) if pruned] == [2, 5, 8, 11]


def test_a_check_point_without_a_report_is_made_at_the_next_report() -> None:
    history = _finished([1.0, 2.0, 3.0, 4.0, 5.0], steps=12)
    pruner = MedianPruner(interval_steps=3)
    assert _ask(pruner, history, {0: 100.0, 2: 100.0, 4: 100.0}) is True  # check point 3 was skipped
    assert _ask(pruner, history, {0: 100.0, 3: 100.0, 4: 100.0}) is False  # 3 was checked already


def test_n_min_trials_at_the_step() -> None:
    history = _finished([1.0, 2.0, 3.0, 4.0, 5.0], steps=1)
    history.update({5: {0: 1.0, 1: 1.0}, 6: {0: 1.0, 1: 1.0}})
    own = {0: 1.0, 1: 50.0}
    assert _ask(MedianPruner(n_min_trials=2), history, own) is False  # best 1.0 is not worse
    own = {0: 50.0, 1: 50.0}
    assert _ask(MedianPruner(n_min_trials=2), history, own) is True
    assert _ask(MedianPruner(n_min_trials=3), history, own) is False  # only two trials reported step 1


def test_nobody_else_at_the_step_means_no_pruning() -> None:
    history = _finished([1.0, 2.0, 3.0, 4.0, 5.0], steps=3)
    assert _ask(MedianPruner(), history, {s: 100.0 for s in range(5)}) is False


def test_nan_losses() -> None:
    history = _finished([1.0, 2.0, 3.0, 4.0, 5.0])
    assert _ask(MedianPruner(), history, {0: math.nan}) is True  # diverged
    assert _ask(MedianPruner(), history, {0: 1.0, 1: math.nan}) is False  # best so far is 1.0
    history[5] = {0: math.nan}  # ignored: the median stays 3
    assert _ask(MedianPruner(), history, {0: 3.0}) is False


def test_asking_at_a_step_without_own_reports() -> None:
    assert MedianPruner(n_startup_trials=0).should_prune(9, 0, _finished([1.0, 2.0])) is False
