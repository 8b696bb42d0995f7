"""The bayes study on the BBOB tuning subset (python -m benchmarks.bayes_bbob): variants and their runs."""

from __future__ import annotations

from benchmarks.bayes_bbob import VARIANTS, Variant, _run
from benchmarks.problems import PROBLEMS


def test_a_variant_sets_its_switches_on_a_subclass_and_leaves_the_strategy_alone() -> None:
    from tunekit.strategies import BayesStrategy

    space = PROBLEMS["branin"].space
    variant = Variant({"n_initial_points": 4}, {"_ANCHORS": "diverse"})
    strategy = variant.strategy(space, seed=0, budget=10)
    assert isinstance(strategy, BayesStrategy) and strategy._ANCHORS == "diverse"
    assert strategy.n_initial_points == 4
    assert BayesStrategy._ANCHORS == "best"
    assert variant.describe() == "n_initial_points=4, _ANCHORS='diverse'"
    assert VARIANTS["default"].describe() == "—"


def test_batched_runs_use_the_whole_budget_and_repeat_exactly() -> None:
    problem = PROBLEMS["branin"]
    variant = Variant(batch=4)
    best, _ = _run(variant, problem, seed=1, budget=14)
    again, _ = _run(variant, problem, seed=1, budget=14)
    assert best == again
    assert best >= problem.optimum
