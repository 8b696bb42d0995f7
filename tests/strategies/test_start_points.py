"""Warm start, strategy side: what each built-in strategy does with start points restored before it asks."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tunekit.space import Categorical, Integer, Real, Space
from tunekit.strategies import (
    BayesStrategy,
    EvolutionStrategy,
    GridStrategy,
    Observation,
    RandomStrategy,
)
from tunekit.testing.strategies import params_key, run_strategy
from tunekit.trial import TrialState

SPACE = Space({"x": Real(0.0, 1.0), "y": Real(1e-3, 1e3, log=True), "c": Categorical(["a", "b", None])})
GRID = Space({"n": Integer(1, 4), "c": Categorical(["a", "b", "c"])})  # 12 points


def _start(points: list[dict[str, Any]], loss: float = 0.0) -> list[Observation]:
    return [Observation(p, TrialState.COMPLETE, loss + i, warm_start=True) for i, p in enumerate(points)]


def _keys(params_list: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [params_key(p) for p in params_list]


START = [{"x": 0.1, "y": 1.0, "c": "a"}, {"x": 0.9, "y": 0.01, "c": None}]


def test_bayes_start_points_take_the_first_design_slots() -> None:
    plain = BayesStrategy(SPACE, seed=2, n_initial_points=4)
    design = plain.ask(4)
    warm = BayesStrategy(SPACE, seed=2, n_initial_points=4)
    warm.restore(_start(START))
    # The initial design is two points shorter: rows 2 and 3 of the same design, then the model.
    assert _keys(warm.ask(2)) == _keys(design[2:])
    warm.tell(_start(design[2:], loss=5.0))  # (the flag does not matter to bayes)
    after = warm.ask(1)
    assert params_key(after[0]) not in set(_keys(design))


def test_bayes_with_a_full_design_of_start_points_proposes_from_the_model_at_once() -> None:
    points = [{"x": x, "y": 10.0 ** (3 * x - 1), "c": "a"} for x in (0.1, 0.3, 0.5, 0.7)]
    plain = BayesStrategy(SPACE, seed=2, n_initial_points=4)
    design = plain.ask(4)
    warm = BayesStrategy(SPACE, seed=2, n_initial_points=4)
    warm.restore(_start(points))
    proposal = warm.ask(1)[0]
    assert params_key(proposal) not in set(_keys(design) + _keys(points))
    again = BayesStrategy(SPACE, seed=2, n_initial_points=4)
    again.restore([Observation(o.params, o.state, -o.loss, warm_start=True) for o in _start(points)])
    assert params_key(again.ask(1)[0]) != params_key(proposal)  # the losses of start points steer the model


def test_evolution_start_points_join_the_first_generation() -> None:
    plain = EvolutionStrategy(SPACE, seed=5, population_size=4)
    first_generation = plain.ask(4)
    warm = EvolutionStrategy(SPACE, seed=5, population_size=4)
    warm.restore(_start(START))
    assert [obs.params for obs in warm.population] == START
    assert _keys(warm.ask(2)) == _keys(first_generation[2:])  # two random draws fill the generation
    warm.tell(_start(first_generation[2:], loss=10.0))
    child = warm.ask(1)[0]  # a child of the population, in which the better start points lead
    assert params_key(child) not in set(_keys(first_generation) + _keys(START))
    assert [obs.params for obs in warm.population][:2] == START


def test_random_draws_of_a_trial_number_do_not_depend_on_start_points() -> None:
    plain = RandomStrategy(SPACE, seed=9)
    draws = plain.ask(5)
    warm = RandomStrategy(SPACE, seed=9)
    warm.restore(_start(START))
    assert _keys(warm.ask(3)) == _keys(draws[2:])


def test_grid_skips_start_points_on_the_grid_and_still_covers_it() -> None:
    start = [{"n": 2, "c": "b"}, {"n": 4, "c": "a"}]
    grid = GridStrategy(GRID, seed=0, budget=12)
    grid.restore(_start(start))
    asked = run_strategy(grid, 20)
    assert len(asked) == 10 and grid.max_trials == 10 and grid.ask(1) == []
    keys = _keys(start) + [params_key(obs.params) for obs in asked]
    assert sorted(keys, key=repr) == sorted(_keys(list(GRID.grid())), key=repr)  # every point exactly once
    remaining = [p for p in GRID.grid() if p not in start]
    assert [obs.params for obs in asked] == remaining  # in grid order


def test_grid_start_points_off_the_grid_cost_budget_but_skip_nothing() -> None:
    space = Space({"n": Integer(1, 100, grid=[1, 50, 100]), "c": Categorical(["a", "b"])})
    grid = GridStrategy(space, seed=0, budget=7)
    grid.restore(_start([{"n": 7, "c": "a"}]))
    assert [obs.params for obs in run_strategy(grid, 10)] == list(space.grid())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), budget=st.integers(3, 11), cut=st.integers(0, 8))
def test_grid_subset_with_start_points_is_distinct_fits_the_budget_and_resumes(data: st.DataObject, budget: int,
                                                                             cut: int) -> None:
    points = list(GRID.grid())
    chosen = data.draw(st.lists(st.sampled_from(range(len(points))), unique=True, min_size=1, max_size=3))
    start = _start([points[i] for i in chosen])
    grid = GridStrategy(GRID, seed=3, budget=budget)
    grid.restore(start)
    own = run_strategy(grid, budget)
    assert len(own) == min(budget - len(start), len(points) - len(start))
    keys = _keys([o.params for o in start]) + _keys([o.params for o in own])
    assert len(set(keys)) == len(keys), "a grid point was evaluated twice"
    resumed = GridStrategy(GRID, seed=3, budget=budget)
    resumed.restore(start + own[:cut])
    rest = run_strategy(resumed, budget)
    assert _keys([o.params for o in rest]) == _keys([o.params for o in own[cut:]])


def test_grid_without_start_points_is_unchanged_by_restore() -> None:
    before = GridStrategy(GRID, seed=4, budget=5)
    subset = before.ask(5)
    after = GridStrategy(GRID, seed=4, budget=5)
    after.restore([Observation(p, TrialState.COMPLETE, 0.0) for p in subset[:2]])
    assert _keys(after.ask(5)) == _keys(subset[2:])


@pytest.mark.parametrize(("params", "index"), [({"n": 1, "c": "a"}, 0), ({"n": 2, "c": "b"}, 4),
                                               ({"n": 4, "c": "c"}, 11), ({"n": 5, "c": "a"}, None),
                                               ({"n": 1.0, "c": "a"}, None), ({"n": 1}, None)])
def test_space_grid_index(params: dict[str, Any], index: int | None) -> None:
    assert GRID.grid_index(params) == index
    if index is not None:
        assert list(GRID.grid())[index] == params
