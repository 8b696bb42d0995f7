"""Grid and random search strategies: complete, seeded and independent of how proposals are asked for."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from tunekit.space import Categorical, Integer, Real, Space
from tunekit.strategies import GridStrategy, Observation, RandomStrategy
from tunekit.trial import TrialState


def _key(params):
    """A hashable, type-exact key of a parameter set (``1``, ``1.0`` and ``True`` differ)."""
    return tuple((name, type(v).__name__, v) for name, v in params.items())


_dims = st.one_of(
    st.integers(2, 6).map(lambda n: Real(0.5, 4.0, grid=n)),
    st.integers(2, 6).map(lambda n: Real(1e-3, 1e2, log=True, grid=n)),
    st.integers(1, 7).map(lambda n: Integer(0, n)),
    st.integers(2, 5).map(lambda n: Integer(1, 1000, log=True, grid=n)),
    st.lists(st.one_of(st.text(max_size=3), st.integers(-3, 3), st.booleans(), st.none()),
             min_size=1, max_size=4, unique_by=lambda v: (type(v), v)).map(Categorical),
)
grid_spaces = st.dictionaries(st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True), _dims,
                              min_size=1, max_size=3).map(Space)


def _observe(params_list, start=0):
    return [Observation(params=p, state=TrialState.COMPLETE, loss=float(i))
            for i, p in enumerate(params_list, start)]


def _ask_in_batches(strategy, sizes):
    out = []
    for n in sizes:
        out.extend(strategy.ask(n))
    return out


# --- grid ---------------------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(space=grid_spaces, batch=st.integers(1, 7))
def test_grid_strategy_asks_the_whole_grid_once_then_nothing(space, batch):
    strategy = GridStrategy(space, seed=1)
    assert strategy.max_trials == space.grid_size
    asked = []
    while True:
        got = strategy.ask(batch)
        assert len(got) <= batch
        if not got:
            break
        asked.extend(got)
        assert len(asked) <= space.grid_size  # never loops forever
    assert [_key(p) for p in asked] == [_key(p) for p in space.grid()]  # complete, in grid order
    assert len({_key(p) for p in asked}) == space.grid_size
    assert strategy.ask(5) == []
    assert strategy.n_asked == space.grid_size


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(space=grid_spaces, data=st.data())
def test_grid_subset_when_the_budget_is_smaller_than_the_grid(space, data):
    size = space.grid_size
    budget = data.draw(st.integers(0, max(0, size - 1)), label="budget")
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    strategy = GridStrategy(space, seed=seed, budget=budget)
    assert strategy.max_trials == budget
    subset = strategy.ask(size + 3)
    assert len(subset) == budget
    assert strategy.ask(1) == []
    grid_keys = [_key(p) for p in space.grid()]
    keys = [_key(p) for p in subset]
    assert len(set(keys)) == budget  # distinct ...
    positions = [grid_keys.index(k) for k in keys]  # ... grid points ...
    assert positions == sorted(positions)  # ... kept in grid order
    again = GridStrategy(space, seed=seed, budget=budget)
    assert _ask_in_batches(again, [1] * (budget + 1)) == subset  # same seed, same subset


def test_grid_subset_depends_on_the_seed_and_covers_the_grid():
    space = Space({"a": Integer(0, 9), "b": Categorical(list("abcdefghij"))})
    subsets = {tuple(map(_key, GridStrategy(space, seed=s, budget=10).ask(10))) for s in range(20)}
    assert len(subsets) > 15  # different seeds pick different subsets
    # Not just the first rows of the grid: the subsets reach the whole range of the first dimension.
    firsts = {p["a"] for s in range(20) for p in GridStrategy(space, seed=s, budget=10).ask(10)}
    assert firsts == set(range(10))


def test_grid_budget_at_least_the_grid_gives_the_whole_grid():
    space = Space({"a": Integer(0, 2), "b": Categorical([True, False])})
    for budget in (None, 6, 100):
        strategy = GridStrategy(space, seed=5, budget=budget)
        assert strategy.max_trials == 6
        assert strategy.ask(100) == list(space.grid())


def test_grid_restore_continues_where_the_run_stopped():
    space = Space({"a": Integer(0, 4), "b": Categorical(["x", "y", "z"])})
    for budget in (None, 7):
        full = GridStrategy(space, seed=3, budget=budget).ask(100)
        for k in range(len(full) + 1):
            resumed = GridStrategy(space, seed=3, budget=budget)
            resumed.restore(_observe(full[:k]))
            assert resumed.ask(100) == full[k:]


def test_grid_restore_past_the_end_asks_nothing():
    space = Space({"a": Integer(0, 2)})
    strategy = GridStrategy(space, seed=0)
    # e.g. a resumed run that had more trials than points
    strategy.restore(_observe([{"a": 0}, {"a": 1}, {"a": 2}, {"a": 0}, {"a": 1}]))
    assert strategy.ask(3) == []
    assert strategy.n_asked == 5


@pytest.mark.parametrize("space", [
    Space({"a": Integer(0, 9), "b": Integer(0, 2)}),
    Space({"model": Categorical(["svc", "knn"]), "C": Categorical([1, 10, 100]).when(model="svc"),
           "k": Integer(1, 12).when(model="knn")}),
], ids=["flat", "conditional"])
@pytest.mark.parametrize("first, then", [(12, 30), (12, None), (12, 20), (5, 6)])
def test_an_extended_grid_search_evaluates_the_points_left_each_once(space, first, then):
    # `--resume --trials 30` after a 12-trial subset: the resumed order is another one; the grid goes on
    # with the points not evaluated yet instead of repeating some and never reaching others
    done = GridStrategy(space, seed=4, budget=first).ask(100)
    resumed = GridStrategy(space, seed=4, budget=then)
    resumed.restore(_observe(done))
    assert resumed.n_asked == len(done)
    more = resumed.ask(100)
    keys = [_key(p) for p in done + more]
    assert len(keys) == len(set(keys))  # nothing twice
    assert len(keys) == min(then or resumed.grid_size, resumed.grid_size)
    assert len(GridStrategy(space, seed=4, budget=then).ask(100)) == len(keys)  # as many as a fresh run


def test_a_grid_search_resumed_after_losing_a_running_trial_evaluates_it():
    # with parallel workers a trial may be lost in flight: its point is still evaluated, the others not twice
    space = Space({"a": Integer(0, 7)})
    full = GridStrategy(space, seed=0).ask(100)
    resumed = GridStrategy(space, seed=0)
    resumed.restore(_observe(full[:3] + full[4:6]))
    assert [p["a"] for p in resumed.ask(100)] == [3, 6, 7]


# --- random -------------------------------------------------------------------------------------------

MIXED = Space({
    "lr": Real(1e-5, 1.0, log=True),
    "dropout": Real(0.0, 0.9),
    "layers": Integer(1, 8),
    "width": Integer(16, 4096, log=True),
    "act": Categorical(["relu", "tanh", None, 1, True]),
})


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), sizes=st.lists(st.integers(0, 6), max_size=8))
def test_random_strategy_is_independent_of_batch_sizes(seed, sizes):
    total = sum(sizes)
    reference = RandomStrategy(MIXED, seed=seed).ask(total)
    assert len(reference) == total
    assert _ask_in_batches(RandomStrategy(MIXED, seed=seed), sizes) == reference
    assert all(MIXED.contains(p) for p in reference)


def test_random_strategy_batches_of_one_three_and_all_agree():
    one = _ask_in_batches(RandomStrategy(MIXED, seed=42), [1] * 12)
    three = _ask_in_batches(RandomStrategy(MIXED, seed=42), [3] * 4)
    whole = RandomStrategy(MIXED, seed=42).ask(12)
    assert one == three == whole
    assert len({_key(p) for p in whole}) == 12  # genuinely random: no repeats in a continuous space
    assert RandomStrategy(MIXED, seed=43).ask(12) != whole  # and the seed matters
    assert RandomStrategy(MIXED, seed=42).ask(0) == []


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), total=st.integers(1, 15), data=st.data())
def test_random_restore_continues_like_an_uninterrupted_run(seed, total, data):
    k = data.draw(st.integers(0, total), label="k")
    uninterrupted = RandomStrategy(MIXED, seed=seed).ask(total)
    first = RandomStrategy(MIXED, seed=seed)
    observed = first.ask(k)
    resumed = RandomStrategy(MIXED, seed=seed)
    resumed.restore(_observe(observed))
    assert resumed.n_asked == k
    assert observed + resumed.ask(total - k) == uninterrupted


def test_random_strategy_samples_log_dimensions_log_uniformly():
    space = Space({"lr": Real(1e-3, 1e3, log=True)})
    values = [p["lr"] for p in RandomStrategy(space, seed=0).ask(5000)]
    logs = np.log10(values)
    assert stats.kstest(logs, stats.uniform(loc=-3, scale=6).cdf).pvalue > 0.01
    linear = [p["lr"] for p in RandomStrategy(Space({"lr": Real(1e-3, 1e3)}), seed=0).ask(5000)]
    assert stats.kstest(np.log10(linear), stats.uniform(loc=-3, scale=6).cdf).pvalue < 1e-6


def test_random_strategy_draws_are_not_correlated_across_trials():
    """Per-trial generators seeded (seed, k) must still give independent draws from trial to trial."""
    values = np.array([p["x"] for p in RandomStrategy(Space({"x": Real(0, 1)}), seed=9).ask(4000)])
    assert stats.kstest(values, "uniform").pvalue > 0.01
    r, p = stats.pearsonr(values[:-1], values[1:])
    assert p > 0.01, r


@pytest.mark.parametrize("cls", [GridStrategy, RandomStrategy])
def test_ask_zero_is_empty_and_does_not_advance(cls):
    space = Space({"a": Integer(0, 3)})
    strategy = cls(space, seed=0)
    assert strategy.ask(0) == []
    assert strategy.n_asked == 0
    assert strategy.ask(1) == cls(space, seed=0).ask(1)
