"""The evolutionary strategy: type-respecting mutation, elitism, determinism, progress."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tunekit.errors import SpecError
from tunekit.space import Categorical, Integer, Real, Space
from tunekit.strategies import EvolutionStrategy, RandomStrategy
from tunekit.strategies.base import Observation
from tunekit.testing.strategies import (
    StrategyConformance,
    every_kind_space,
    params_key,
    run_strategy,
    wide_mixed_space,
)
from tunekit.trial import TrialState

SPACES = {"every-kind": every_kind_space(), "wide": wide_mixed_space(20)}


@settings(max_examples=60, deadline=None)
@given(space_name=st.sampled_from(sorted(SPACES)), seed=st.integers(0, 2**32 - 1),
       scale=st.floats(0.01, 2.0))
def test_mutation_keeps_every_value_legal_and_changes_something(space_name: str, seed: int,
                                                                scale: float) -> None:
    space = SPACES[space_name]
    strategy = EvolutionStrategy(space, seed=0, mutation_scale=scale)
    rng = np.random.default_rng(seed)
    parent = space.sample(rng)
    child = strategy.mutate(parent, rng)
    StrategyConformance().check_proposal(space, child)
    assert parent == space.sample(np.random.default_rng(seed))  # the parent itself is untouched
    changed = [name for name in space if params_key({name: child[name]}) != params_key({name: parent[name]})]
    assert len(changed) <= len(space)


def test_log_dimensions_mutate_in_log_space() -> None:
    space = Space({"lr": Real(1e-6, 1.0, log=True)})
    strategy = EvolutionStrategy(space, seed=0, mutation_scale=0.05)
    rng = np.random.default_rng(0)
    children = [strategy.mutate({"lr": 1e-5}, rng)["lr"] for _ in range(400)]
    ratios = np.log10(np.array(children) / 1e-5)
    # 5% of six decades is 0.3 decades: steps are multiplicative, symmetric in log space
    assert 0.2 < np.std(ratios) < 0.4
    assert abs(np.median(ratios)) < 0.1


def test_integer_genes_stay_integers_and_categoricals_resample() -> None:
    space = Space({"n": Integer(0, 3), "c": Categorical(["a", None, True])})
    strategy = EvolutionStrategy(space, seed=0)
    rng = np.random.default_rng(1)
    for _ in range(200):
        child = strategy.mutate({"n": 3, "c": None}, rng)
        assert type(child["n"]) is int and 0 <= child["n"] <= 3
        assert child["c"] in ("a", None, True)
        assert child != {"n": 3, "c": None}  # at least one gene always mutates


def test_elitism_keeps_the_best() -> None:
    space = Space({"x": Real(0.0, 1.0), "c": Categorical(["a", "b"])})
    strategy = EvolutionStrategy(space, seed=0, population_size=4)
    best = Observation({"x": 0.5, "c": "a"}, TrialState.COMPLETE, -10.0)
    strategy.tell([best, Observation({"x": 0.1, "c": "b"}, TrialState.FAIL, None)])
    rng = np.random.default_rng(0)
    for _ in range(10):
        strategy.tell([Observation(space.sample(rng), TrialState.COMPLETE, float(rng.random()))
                       for _ in range(5)])
        population = strategy.population
        assert population[0] is best and len(population) == 4
        assert all(obs.state is not TrialState.FAIL for obs in population)


def test_children_come_from_the_population() -> None:
    space = Space({"c": Categorical(list("abcdefgh")), **{f"x{i}": Real(0.0, 1.0) for i in range(5)}})
    strategy = EvolutionStrategy(space, seed=4, population_size=4, budget=40)
    parents = [Observation({"c": c, **{f"x{i}": 0.5 for i in range(5)}}, TrialState.COMPLETE, float(i))
               for i, c in enumerate("abcd")]
    strategy.restore(parents)
    children = strategy.ask(40)
    from_parents = sum(child["c"] in "abcd" for child in children)
    assert from_parents > 0.6 * len(children)  # only mutated categorical genes leave the parents' set


def test_deterministic_and_independent_of_batch_size() -> None:
    space = every_kind_space()
    runs = [run_strategy(EvolutionStrategy(space, seed=9, budget=60), 60, batch=batch)
            for batch in (1, 1, 4)]
    keys = [[params_key(o.params) for o in run] for run in runs]
    assert keys[0] == keys[1]
    # the first generation does not depend on the batch size
    assert keys[0][:8] == keys[2][:8]


def test_beats_random_search_on_a_sphere() -> None:
    space = Space({f"x{i}": Real(-5.0, 5.0) for i in range(6)})

    def sphere(number: int, params: dict) -> Observation:
        return Observation(params, TrialState.COMPLETE, float(sum((v - 1.0) ** 2 for v in params.values())))

    def best(strategy) -> float:
        return min(o.loss for o in run_strategy(strategy, 200, objective=sphere))

    evolution = np.mean([best(EvolutionStrategy(space, seed=s, budget=200)) for s in range(3)])
    random = np.mean([best(RandomStrategy(space, seed=s, budget=200)) for s in range(3)])
    assert evolution < 0.5 * random


@pytest.mark.parametrize("kwargs", [{"population_size": 1}, {"tournament_size": 0},
                                    {"crossover_rate": 1.5}, {"mutation_scale": 0}])
def test_bad_settings_are_rejected(kwargs: dict) -> None:
    with pytest.raises(SpecError, match=next(iter(kwargs))):
        EvolutionStrategy(every_kind_space(), **kwargs)
