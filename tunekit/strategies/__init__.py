"""Search strategies, looked up by name; third parties register theirs in the
``tunekit.strategies`` entry-point group (``name = "package.module:StrategyClass"``)."""

from __future__ import annotations

from tunekit._registry import Registry
from tunekit.space import Space
from tunekit.strategies.base import Observation, Strategy
from tunekit.strategies.bayes import BayesStrategy
from tunekit.strategies.bohb import BOHBStrategy
from tunekit.strategies.evolution import EvolutionStrategy
from tunekit.strategies.grid import GridStrategy
from tunekit.strategies.random import RandomStrategy

__all__ = [
    "ENTRY_POINT_GROUP",
    "MAX_BAYES_TRIALS",
    "SMALL_GRID",
    "BOHBStrategy",
    "BayesStrategy",
    "EvolutionStrategy",
    "GridStrategy",
    "Observation",
    "RandomStrategy",
    "Strategy",
    "available_strategies",
    "default_strategy",
    "get_strategy",
    "register_strategy",
]

ENTRY_POINT_GROUP = "tunekit.strategies"
_registry: Registry[type[Strategy]] = Registry(
    "strategy", Strategy, ENTRY_POINT_GROUP,
    (GridStrategy, RandomStrategy, BayesStrategy, EvolutionStrategy, BOHBStrategy))
#: Fully discrete spaces with at most this many grid points are searched by grid by default.
SMALL_GRID = 64
#: Above this many trials the Gaussian process (cubic in the trials) is no longer the default.
MAX_BAYES_TRIALS = 200


def register_strategy(cls: type[Strategy]) -> type[Strategy]:
    """Make ``cls`` available under ``cls.name`` (usable as a class decorator)."""
    return _registry.register(cls)


def available_strategies() -> list[str]:
    """Names of every registered strategy, built-in ones and those of installed plugins."""
    return _registry.names()


def get_strategy(name: str) -> type[Strategy]:
    """Return the strategy class registered under ``name``; raise :class:`SpecError` listing the names."""
    return _registry.get(name)


def default_strategy(space: Space, trials: int | None) -> str:
    """Pick the strategy an experiment gets when it names none.

    1. ``"grid"`` when every dimension is integer or categorical and the whole grid fits the budget
       (``SMALL_GRID`` points when the budget is unknown): the search is then exhaustive.
    2. ``"bayes"`` when the budget is at most ``MAX_BAYES_TRIALS`` (or unknown): a Gaussian process
       makes the most of few expensive trials, and its cost per proposal stays small at that size.
    3. ``"evolution"`` for larger budgets, where fitting a Gaussian process on every trial would cost
       more than it saves and a population-based search scales linearly.
    """
    if space.is_discrete and space.grid_size <= (trials if trials is not None else SMALL_GRID):
        return "grid"
    if trials is None or trials <= MAX_BAYES_TRIALS:
        return "bayes"
    return "evolution"
