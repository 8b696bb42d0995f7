"""The strategy registry, the entry-point group and the default rule."""

from __future__ import annotations

import sys
import types
from importlib.metadata import EntryPoint

import pytest

from tunekit import _registry, strategies
from tunekit.errors import SpecError
from tunekit.space import Categorical, Integer, Real, Space
from tunekit.strategies import (
    ENTRY_POINT_GROUP,
    MAX_BAYES_TRIALS,
    SMALL_GRID,
    BayesStrategy,
    EvolutionStrategy,
    GridStrategy,
    RandomStrategy,
    Strategy,
    available_strategies,
    default_strategy,
    get_strategy,
    register_strategy,
)


@pytest.fixture
def fresh_registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, type[Strategy]]:
    """A private copy of the registry with entry points not loaded yet."""
    registry = strategies._registry.copy()
    monkeypatch.setattr(strategies, "_registry", registry)
    return registry.classes


def _plugin_module(monkeypatch: pytest.MonkeyPatch) -> type[Strategy]:
    module = types.ModuleType("fake_tunekit_plugin")

    class Sobolish(RandomStrategy):
        name = "sobolish"

    module.Sobolish = Sobolish  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_tunekit_plugin", module)
    return Sobolish


def _fake_entry_points(monkeypatch: pytest.MonkeyPatch, *eps: EntryPoint) -> list[str]:
    groups: list[str] = []

    def entry_points(*, group: str) -> list[EntryPoint]:
        groups.append(group)
        return [ep for ep in eps if ep.group == group]

    monkeypatch.setattr(_registry, "entry_points", entry_points)
    return groups


def test_built_in_strategies_are_registered() -> None:
    assert {"grid", "random", "bayes", "evolution"} <= set(available_strategies())
    assert get_strategy("grid") is GridStrategy
    assert get_strategy("random") is RandomStrategy
    assert get_strategy("bayes") is BayesStrategy
    assert get_strategy("evolution") is EvolutionStrategy


def test_unknown_name_lists_the_accepted_ones() -> None:
    with pytest.raises(SpecError, match=r"expected one of .*bayes.*evolution.*grid.*random.*got 'nope'"):
        get_strategy("nope")


def test_entry_point_plugins_are_loaded_once(monkeypatch: pytest.MonkeyPatch,
                                             fresh_registry: dict[str, type[Strategy]]) -> None:
    plugin = _plugin_module(monkeypatch)
    groups = _fake_entry_points(monkeypatch, EntryPoint("sobolish", "fake_tunekit_plugin:Sobolish",
                                                        ENTRY_POINT_GROUP))
    assert "sobolish" in available_strategies()
    assert get_strategy("sobolish") is plugin
    assert groups == [ENTRY_POINT_GROUP]  # looked up lazily, and only once


def test_a_plugin_cannot_replace_a_built_in(monkeypatch: pytest.MonkeyPatch,
                                            fresh_registry: dict[str, type[Strategy]]) -> None:
    _plugin_module(monkeypatch)
    _fake_entry_points(monkeypatch, EntryPoint("grid", "fake_tunekit_plugin:Sobolish", ENTRY_POINT_GROUP))
    assert get_strategy("grid") is GridStrategy


def test_a_broken_plugin_is_named(monkeypatch: pytest.MonkeyPatch,
                                  fresh_registry: dict[str, type[Strategy]]) -> None:
    _fake_entry_points(monkeypatch, EntryPoint("broken", "no_such_module_xyz:Thing", ENTRY_POINT_GROUP))
    with pytest.raises(SpecError, match=r"strategy 'broken' from entry point 'no_such_module_xyz:Thing'"):
        available_strategies()


def test_register_strategy_as_decorator(fresh_registry: dict[str, type[Strategy]]) -> None:
    @register_strategy
    class Mine(RandomStrategy):
        name = "mine"

    assert fresh_registry["mine"] is Mine
    with pytest.raises(TypeError, match="Strategy subclass"):
        register_strategy(object)  # type: ignore[arg-type]


@pytest.mark.parametrize(("space", "trials", "expected"), [
    (Space({"n": Integer(1, 4), "c": Categorical(["a", "b"])}), 50, "grid"),
    (Space({"n": Integer(1, 4), "c": Categorical(["a", "b"])}), None, "grid"),
    (Space({"n": Integer(1, 4), "c": Categorical(["a", "b"])}), 5, "bayes"),  # grid larger than budget
    (Space({"x": Real(0.0, 1.0)}), 50, "bayes"),
    (Space({"x": Real(0.0, 1.0)}), None, "bayes"),
    (Space({"x": Real(0.0, 1.0)}), MAX_BAYES_TRIALS, "bayes"),
    (Space({"x": Real(0.0, 1.0)}), MAX_BAYES_TRIALS + 1, "evolution"),
    (Space({f"n{i}": Integer(0, 9) for i in range(4)}), None, "bayes"),  # 10^4 > SMALL_GRID
])
def test_default_strategy_rule(space: Space, trials: int | None, expected: str) -> None:
    assert default_strategy(space, trials) == expected
    assert SMALL_GRID < 10 ** 4
