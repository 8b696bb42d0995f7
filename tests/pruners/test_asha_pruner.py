"""Decisions of asynchronous successive halving on crafted report sequences."""

from __future__ import annotations

import math

import pytest

from tunekit.errors import SpecError
from tunekit.pruners import SuccessiveHalvingPruner
from tunekit.pruners.successive_halving import is_promotable, rung_value


def _curve(loss: float, steps: int) -> dict[int, float]:
    """A trial that reported ``loss`` after each of its first ``steps`` epochs (steps 1..steps)."""
    return {s: loss for s in range(1, steps + 1)}


def _ask(pruner: SuccessiveHalvingPruner, history: dict[int, dict[int, float]], own: dict[int, float]) -> bool:
    number = max(history, default=-1) + 1
    return pruner.should_prune(number, max(own), {**history, number: own})


def test_rungs_are_geometric() -> None:
    assert list(SuccessiveHalvingPruner().rung_steps(100)) == [1, 3, 9, 27, 81]
    assert list(SuccessiveHalvingPruner(min_resource=2, reduction_factor=2).rung_steps(40)) == [2, 4, 8, 16, 32]
    assert list(SuccessiveHalvingPruner(min_early_stopping_rate=2).rung_steps(100)) == [9, 27, 81]
    assert list(SuccessiveHalvingPruner(max_resource=27).rung_steps(100)) == [1, 3, 9]


def test_reduction_factor_one_is_invalid() -> None:
    with pytest.raises(SpecError, match="reduction_factor must be an integer >= 2, got 1"):
        SuccessiveHalvingPruner(reduction_factor=1)


def test_a_lone_trial_is_never_pruned() -> None:
    pruner = SuccessiveHalvingPruner()
    assert not any(pruner.should_prune(0, s, {0: _curve(9.0, s)}) for s in range(1, 40))


def test_with_fewer_than_rf_trials_only_the_best_goes_on() -> None:
    history = {0: _curve(0.5, 30)}
    assert _ask(SuccessiveHalvingPruner(), history, {1: 0.6}) is True
    assert _ask(SuccessiveHalvingPruner(), history, {1: 0.5}) is False  # a tie goes on
    assert _ask(SuccessiveHalvingPruner(), history, {1: 0.4}) is False


@pytest.mark.parametrize(("loss", "pruned"), [(0.1, False), (0.25, False), (0.3, False), (0.35, True), (0.9, True)])
def test_the_best_third_of_the_rung_goes_on(loss: float, pruned: bool) -> None:
    # Five trials at rung 1 plus the asker: keep 6 // 3 = 2, so the asker must be at most the 2nd best.
    history = {t: _curve(v, 30) for t, v in enumerate([0.2, 0.3, 0.4, 0.5, 0.6])}
    assert _ask(SuccessiveHalvingPruner(), history, {1: loss}) is pruned


def test_only_trials_that_reached_the_rung_compete() -> None:
    # Rung 3: trials 0 and 1 were pruned at rung 1 and never got there; only trial 2 (0.5) did.
    history = {0: _curve(0.1, 1), 1: _curve(0.1, 1), 2: _curve(0.5, 30)}
    own = {1: 0.4, 2: 0.4, 3: 0.4}
    pruner = SuccessiveHalvingPruner()
    assert _ask(pruner, history, {1: 0.4}) is True  # rung 1: 0.1, 0.1, 0.5, 0.4 -> keep the best one
    assert _ask(pruner, history, own) is False  # rung 3: 0.5 and 0.4 -> 0.4 is the best


def test_steps_between_rungs_are_never_judged() -> None:
    history = {t: _curve(0.1, 30) for t in range(9)}
    pruner = SuccessiveHalvingPruner()
    own = {1: 0.0, 2: 0.9}
    assert _ask(pruner, history, own) is False  # step 2 is no rung
    assert _ask(pruner, history, {**own, 3: 0.9}) is True  # rung 3


def test_a_promotion_is_never_revisited() -> None:
    pruner = SuccessiveHalvingPruner()
    # Trial 0 went on from rung 1 alone; since then, better trials reached rung 1.
    history = {t: _curve(0.1, 1) for t in range(1, 9)}
    history[0] = {1: 0.5, 2: 0.5}
    assert pruner.should_prune(0, 2, history) is False


def test_a_rung_skipped_by_the_reports_is_judged_at_the_next_report() -> None:
    history = {t: _curve(v, 30) for t, v in enumerate([0.2, 0.3, 0.4, 0.5, 0.6])}
    pruner = SuccessiveHalvingPruner()
    assert _ask(pruner, history, {1: 0.1, 2: 0.8, 4: 0.8}) is True  # rung 3, judged at step 4
    assert _ask(pruner, history, {1: 0.1, 2: 0.8, 4: 0.25}) is False  # 2nd best of 6 at rung 3


def test_competitors_bring_their_first_report_at_or_past_the_rung() -> None:
    assert rung_value({1: 0.5, 4: 0.3, 9: 0.2}, 3) == 0.3
    assert rung_value({1: 0.5, 2: 0.4}, 3) is None
    assert rung_value({3: math.nan}, 3) == math.inf


def test_min_early_stopping_rate_delays_the_first_rung() -> None:
    history = {t: _curve(0.1, 30) for t in range(9)}
    pruner = SuccessiveHalvingPruner(min_early_stopping_rate=1)
    assert _ask(pruner, history, {1: 0.9}) is False
    assert _ask(pruner, history, {1: 0.9, 2: 0.9, 3: 0.9}) is True


def test_no_rung_at_or_above_max_resource() -> None:
    history = {t: _curve(0.1, 9) for t in range(9)}
    own = {s: 0.0 for s in range(1, 9)}
    own[9] = 0.9
    assert _ask(SuccessiveHalvingPruner(), history, own) is True  # rung 9
    assert _ask(SuccessiveHalvingPruner(max_resource=9), history, own) is False  # the full budget


def test_nan() -> None:
    history = {0: _curve(0.5, 30)}
    assert _ask(SuccessiveHalvingPruner(), history, {1: math.nan}) is True
    assert SuccessiveHalvingPruner().should_prune(0, 1, {0: {1: math.nan}}) is False  # alone
    history = {0: {1: math.nan}}  # a diverged competitor is the worst one
    assert _ask(SuccessiveHalvingPruner(), history, {1: 1e9}) is False


def test_is_promotable() -> None:
    assert is_promotable(1.0, [], 3)
    assert not is_promotable(1.0, [0.5, 2.0], 3)
    assert is_promotable(0.6, [0.5, 0.7, 0.8, 0.9, 1.0], 3)  # keep 2 of 6
    assert is_promotable(0.6, [0.5, 0.7, 0.8], 2)  # keep 2 of 4
    assert not is_promotable(0.75, [0.5, 0.7, 0.8], 2)
