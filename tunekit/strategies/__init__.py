"""Search strategies, looked up by name; third parties register theirs in the
``tunekit.strategies`` entry-point group (``name = "package.module:StrategyClass"``)."""

from __future__ import annotations

from importlib.metadata import entry_points

from tunekit.errors import SpecError
from tunekit.space import Space
from tunekit.strategies.base import Observation, Strategy
from tunekit.strategies.bayes import BayesStrategy
from tunekit.strategies.evolution import EvolutionStrategy
from tunekit.strategies.grid import GridStrategy
from tunekit.strategies.random import RandomStrategy

__all__ = ["Strategy", "Observation", "GridStrategy", "RandomStrategy", "BayesStrategy",
           "EvolutionStrategy", "register_strategy", "available_strategies", "get_strategy",
           "default_strategy", "ENTRY_POINT_GROUP", "SMALL_GRID", "MAX_BAYES_TRIALS"]

ENTRY_POINT_GROUP = "tunekit.strategies"
_REGISTRY: dict[str, type[Strategy]] = {
    cls.name: cls for cls in (GridStrategy, RandomStrategy, BayesStrategy, EvolutionStrategy)}
_entry_points_loaded = False
#: Fully discrete spaces with at most this many grid points are searched by grid by default.
SMALL_GRID = 64
#: Above this many trials the Gaussian process (cubic in the trials) is no longer the default.
MAX_BAYES_TRIALS = 200


def register_strategy(cls: type[Strategy]) -> type[Strategy]:
    """Make ``cls`` available under ``cls.name`` (usable as a class decorator)."""
    if not (isinstance(cls, type) and issubclass(cls, Strategy)) or not isinstance(getattr(cls, "name", None), str):
        raise TypeError(f"{cls!r} must be a Strategy subclass with a string 'name'")
    _REGISTRY[cls.name] = cls
    return cls


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in _REGISTRY:
            continue
        try:
            cls = ep.load()
        except Exception as exc:  # a broken third-party package must not break tunekit
            raise SpecError(f"strategy {ep.name!r} from entry point {ep.value!r} failed to load: {exc}") from exc
        register_strategy(cls)
        _REGISTRY[ep.name] = cls


def available_strategies() -> list[str]:
    """Names of every registered strategy, built-in ones and those of installed plugins."""
    _load_entry_points()
    return sorted(_REGISTRY)


def get_strategy(name: str) -> type[Strategy]:
    """Return the strategy class registered under ``name``; raise :class:`SpecError` listing the names."""
    _load_entry_points()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise SpecError(f"strategy: expected one of {', '.join(sorted(_REGISTRY))}, got {name!r}") from None


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
