"""The evolutionary strategy with several objectives: NSGA-II's population order and search quality."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

import pytest

from tunekit.pareto import hypervolume, non_dominated
from tunekit.space import Integer, Real, Space
from tunekit.strategies import EvolutionStrategy, RandomStrategy
from tunekit.strategies.base import Observation, Strategy
from tunekit.testing.strategies import (
    conditional_space,
    constrained_space,
    every_kind_space,
    params_key,
    run_strategy,
    two_objective_observation,
)
from tunekit.trial import TrialState

ZDT1_SPACE = Space({f"x{i}": Real(0.0, 1.0) for i in range(6)})


def zdt1(number: int, params: dict[str, Any]) -> Observation:
    x = list(params.values())
    g = 1 + 9 * sum(x[1:]) / (len(x) - 1)
    losses = (x[0], g * (1 - (x[0] / g) ** 0.5))
    return Observation(params, TrialState.COMPLETE, losses[0], losses=losses)


def observation(losses: tuple[float, float], violation: float = 0.0) -> Observation:
    return Observation({"x": losses[0]}, TrialState.COMPLETE, losses[0], losses=losses, violation=violation)


def test_the_population_puts_feasible_fronts_first_extremes_first_then_the_least_infeasible() -> None:
    strategy = EvolutionStrategy(Space({"x": Real(-10.0, 10.0)}), population_size=5)
    told = [observation((0.0, 4.0)), observation((1.0, 3.0)), observation((2.0, 2.0)), observation((4.0, 0.0)),
            observation((3.0, 3.5)), observation((-1.0, -1.0), violation=0.5), observation((5.0, 5.0), violation=0.1)]
    strategy.tell(told)
    order = [obs.losses for obs in strategy.population]
    # the front (0,4) (1,3) (2,2) (4,0): its extremes first, then (2,2), more isolated than (1,3); (3,3.5) and
    # both infeasible trials do not fit in a population of 5 ... except that (3, 3.5) is the second front
    assert order[:2] == [(0.0, 4.0), (4.0, 0.0)]
    assert order[2:4] == [(2.0, 2.0), (1.0, 3.0)]
    assert order[4] == (3.0, 3.5)
    bigger = EvolutionStrategy(Space({"x": Real(-10.0, 10.0)}), population_size=10)
    bigger.tell(told)
    assert [obs.violation for obs in bigger.population][-2:] == [0.1, 0.5]


def test_pruned_and_failed_trials_never_enter_a_several_objectives_population() -> None:
    strategy = EvolutionStrategy(Space({"x": Real(-10.0, 10.0)}), population_size=4)
    strategy.tell([observation((1.0, 1.0)), Observation({"x": 0.0}, TrialState.PRUNED, 0.0, losses=(0.0, 0.0)),
                   Observation({"x": 1.0}, TrialState.FAIL, None)])
    assert [obs.losses for obs in strategy.population] == [(1.0, 1.0)]


def _hypervolume(strategy: Strategy, trials: int) -> float:
    points = [obs.losses or () for obs in run_strategy(strategy, trials, batch=4, objective=zdt1)]
    return hypervolume([points[i] for i in non_dominated(points)], (1.1, 11.0))


def test_nsga_ii_reaches_a_larger_hypervolume_than_random_search_on_zdt1() -> None:
    evolved = [_hypervolume(EvolutionStrategy(ZDT1_SPACE, seed=s, budget=200), 200) for s in range(3)]
    drawn = [_hypervolume(RandomStrategy(ZDT1_SPACE, seed=s, budget=200), 200) for s in range(3)]
    assert statistics.mean(evolved) > statistics.mean(drawn)
    assert min(evolved) > min(drawn)


def test_several_objectives_keep_a_smaller_population_by_default() -> None:
    six = EvolutionStrategy(ZDT1_SPACE, budget=100)
    assert (six.population_size, six.several_population_size) == (12, 8)
    assert EvolutionStrategy(Space({f"x{i}": Real(0.0, 1.0) for i in range(3)})).several_population_size == 8
    thirty = EvolutionStrategy(Space({f"x{i}": Real(0.0, 1.0) for i in range(30)}))
    assert (thirty.population_size, thirty.several_population_size) == (40, 30)
    small_budget = EvolutionStrategy(ZDT1_SPACE, budget=20)
    assert (small_budget.population_size, small_budget.several_population_size) == (5, 5)
    explicit = EvolutionStrategy(ZDT1_SPACE, population_size=10)
    assert (explicit.population_size, explicit.several_population_size) == (10, 10)
    # the first generation is population_size random draws either way; then the population holds 8 parents
    observations = run_strategy(six, 40, objective=zdt1)
    assert len(six.population) == 8
    assert all(obs.params in [o.params for o in observations] for obs in six.population)
    one = EvolutionStrategy(ZDT1_SPACE, budget=100)
    run_strategy(one, 40)
    assert len(one.population) == 12


def test_the_several_objectives_population_size_leaves_single_objective_proposals_alone() -> None:
    space = every_kind_space()
    default = EvolutionStrategy(space, seed=3, budget=60)
    other = EvolutionStrategy(space, seed=3, budget=60)
    other.several_population_size = 2
    assert ([params_key(o.params) for o in run_strategy(default, 60, batch=3)]
            == [params_key(o.params) for o in run_strategy(other, 60, batch=3)])


@pytest.mark.parametrize("make_space", [every_kind_space, conditional_space, constrained_space])
@pytest.mark.parametrize("seed", [0, 1])
def test_children_of_a_several_objectives_population_are_legal(make_space: Callable[[], Space], seed: int) -> None:
    space = make_space()
    strategy = EvolutionStrategy(space, seed=seed, budget=80)
    observations = run_strategy(strategy, 80, batch=2,
                                objective=lambda n, p: two_objective_observation(space, p, limit=1.5))
    assert len(strategy.population) <= strategy.several_population_size < strategy.population_size
    assert len({params_key(o.params) for o in observations}) == len(observations)
    for obs in observations:
        assert space.contains(obs.params) and space.allowed(obs.params)
        for name, value in obs.params.items():
            dim = space[name]
            if isinstance(dim, Integer):
                assert type(value) is int and dim.low <= value <= dim.high
            elif isinstance(dim, Real):
                assert type(value) is float and dim.low <= value <= dim.high
