"""Brackets of the Hyperband pruner: their number, budgets, the assignment of trials, and isolation."""

from __future__ import annotations

from collections import Counter

import pytest

from tunekit.pruners import HyperbandPruner, SuccessiveHalvingPruner


def _curve(loss: float, steps: int) -> dict[int, float]:
    return {s: loss for s in range(1, steps + 1)}


@pytest.mark.parametrize(("max_resource", "rf", "n"), [(2, 3, 1), (3, 3, 2), (26, 3, 3), (27, 3, 4), (30, 3, 4),
                                                      (81, 3, 5), (16, 2, 5), (100, 10, 3)])
def test_number_of_brackets(max_resource: int, rf: int, n: int) -> None:
    assert HyperbandPruner(max_resource=max_resource, reduction_factor=rf).n_brackets(max_resource) == n


def test_bracket_budgets_follow_hyperband() -> None:
    # n = 4 brackets, s = 3..0: ceil(4 * 3**s / (s + 1)) -- Hyperband's n_i, most aggressive first.
    assert HyperbandPruner(max_resource=27).bracket_budgets(27) == [27, 12, 6, 4]


def test_assignment_is_deterministic_and_proportional_to_the_budgets() -> None:
    pruner = HyperbandPruner(max_resource=27)
    brackets = [pruner.bracket_of(t, 27) for t in range(4900)]
    assert brackets == [HyperbandPruner(max_resource=27).bracket_of(t, 27) for t in range(4900)]
    counts = Counter(brackets)
    for bracket, budget in enumerate([27, 12, 6, 4]):
        assert counts[bracket] / 4900 == pytest.approx(budget / 49, abs=0.02)
    other_seed = [HyperbandPruner(max_resource=27, seed=1).bracket_of(t, 27) for t in range(100)]
    assert other_seed != brackets[:100]


def _trials_in(pruner: HyperbandPruner, bracket: int, count: int, max_resource: int = 27) -> list[int]:
    found = [t for t in range(10_000) if pruner.bracket_of(t, max_resource) == bracket]
    return found[:count]


def test_trials_are_compared_only_within_their_bracket() -> None:
    pruner = HyperbandPruner(max_resource=27)
    first, second, third = _trials_in(pruner, 0, 3)
    strangers = _trials_in(pruner, 1, 8)
    history = {t: _curve(0.01, 27) for t in strangers}  # much better, but in bracket 1
    history[first] = _curve(0.5, 27)
    history[second] = {1: 0.4}
    assert pruner.should_prune(second, 1, history) is False  # best of its bracket at rung 1
    history[third] = {1: 0.6}
    assert pruner.should_prune(third, 1, history) is True


def test_a_bracket_behaves_like_successive_halving_with_its_rate() -> None:
    pruner = HyperbandPruner(max_resource=27)
    members = _trials_in(pruner, 1, 10)
    history = {t: _curve(0.1 * i, 27) for i, t in enumerate(members[:-1])}
    asking = members[-1]
    halving = SuccessiveHalvingPruner(min_early_stopping_rate=1, max_resource=27)
    for step in range(1, 28):
        own = {**history, asking: _curve(0.45, step)}
        assert pruner.should_prune(asking, step, own) == halving.should_prune(asking, step, own)
    # Rung 1 is not a rung of bracket 1: a bad first epoch does not matter there.
    assert pruner.should_prune(asking, 1, {**history, asking: {1: 9.0}}) is False
    assert pruner.should_prune(asking, 3, {**history, asking: {1: 9.0, 2: 9.0, 3: 9.0}}) is True


def test_the_last_bracket_runs_everything_to_the_full_budget() -> None:
    pruner = HyperbandPruner(max_resource=27)
    members = _trials_in(pruner, 3, 10)
    history = {t: _curve(0.0, 27) for t in members[:-1]}
    asking = members[-1]
    assert not any(pruner.should_prune(asking, s, {**history, asking: _curve(1.0, s)}) for s in range(1, 28))


def test_auto_max_resource_comes_from_the_reports() -> None:
    pruner = HyperbandPruner()
    assert pruner.should_prune(0, 1, {0: {1: 1.0}}) is False  # nothing known yet
    history = {0: _curve(0.1, 27)}
    explicit = HyperbandPruner(max_resource=27)
    for t in range(1, 40):
        own = {**history, t: {1: 0.5}}
        assert pruner.should_prune(t, 1, own) == explicit.should_prune(t, 1, own)
