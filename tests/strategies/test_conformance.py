"""Every registered strategy passes the shipped conformance suite."""

from __future__ import annotations

from tunekit.strategies import available_strategies, get_strategy
from tunekit.testing import StrategyConformance

BUILT_IN = {"grid", "random", "bayes", "evolution", "bohb"}
# The suite checks the interface contract, not search quality: the Gaussian process re-estimates its
# hyperparameters less often here so that the suite stays fast (its defaults are tested in test_bayes).
FAST_SETTINGS = {"bayes": {"full_refit_until": 3, "refit_growth": 2.0}}


def test_every_built_in_strategy_is_checked() -> None:
    assert BUILT_IN <= set(available_strategies())
    assert {name for name in globals() if name.startswith("TestConformance_")} >= {
        f"TestConformance_{name}" for name in BUILT_IN}


# One test class per registered strategy, so that a strategy added to the registry is checked too.
for _name in available_strategies():
    globals()[f"TestConformance_{_name}"] = type(
        f"TestConformance_{_name}", (StrategyConformance,),
        {"strategy_class": get_strategy(_name), "strategy_kwargs": FAST_SETTINGS.get(_name, {})})
