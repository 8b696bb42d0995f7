"""The conformance suite every search strategy must pass, built-in or third-party.

Subclass :class:`StrategyConformance` in a test module and set ``strategy_class``; pytest collects the
inherited tests::

    from tunekit.testing import StrategyConformance
    from my_package import MyStrategy

    class TestMyStrategy(StrategyConformance):
        strategy_class = MyStrategy
        strategy_kwargs = {"population": 8}   # optional constructor arguments

The checks drive the strategy through its ask/tell interface only, as the search loop does: proposals
respect every dimension's bounds and exact type, a seed reproduces them, failed and pruned trials are
survived, exhaustion is reported, resuming with ``restore()`` continues exactly where an uninterrupted
search would (warm-start points included), and batches for parallel workers are well formed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np
import pytest

from tunekit.space import Categorical, Integer, Real, Space
from tunekit.strategies.base import Observation, Strategy
from tunekit.trial import TrialState

__all__ = ["StrategyConformance", "conditional_space", "constrained_space", "every_kind_space", "params_key",
           "run_strategy", "two_objective_observation", "wide_mixed_space"]

Objective = Callable[[int, dict[str, Any]], Observation]


def every_kind_space() -> Space:
    """A space with one dimension of every kind: linear and log reals and integers, mixed categoricals."""
    return Space({
        "real": Real(-2.0, 3.0),
        "real_log": Real(1e-5, 1e-1, log=True),
        "integer": Integer(-3, 7),
        "integer_log": Integer(1, 1024, log=True),
        "choice": Categorical(["a", 1, 2.5, True, None]),
    })


def wide_mixed_space(size: int = 20) -> Space:
    """A ``size``-dimensional space cycling through every dimension kind."""
    kinds: list[Any] = [
        lambda i: Real(-1.0, 1.0 + i),
        lambda i: Real(1e-4, 10.0 ** (i % 3), log=True),
        lambda i: Integer(0, 5 + i),
        lambda i: Integer(1, 100 * (i + 1), log=True),
        lambda i: Categorical(["x", "y", None, False, 3][: 2 + i % 4]),
    ]
    return Space({f"p{i}": kinds[i % len(kinds)](i) for i in range(size)})


def conditional_space() -> Space:
    """A model choice whose branches have parameters of their own, with a chain (``degree`` under ``kernel``
    under ``model``), a parameter shared by two branches and one that is always active."""
    return Space({
        "model": Categorical(["svc", "knn", "forest"]),
        "kernel": Categorical(["rbf", "poly"]).when(model="svc"),
        "degree": Integer(2, 5).when(kernel="poly"),
        "C": Real(1e-3, 1e3, log=True).when(model="svc"),
        "k": Integer(1, 30).when(model=["knn"]),
        "depth": Integer(1, 12).when(model=["forest", "knn"]),
        "scale": Real(0.0, 1.0),
    })


def _no_deep_knn(params: dict[str, Any]) -> bool:
    return not (params["model"] == "knn" and params.get("depth", 0) > 6)


def _small_sum(params: dict[str, Any]) -> bool:
    return params["a"] + params["b"] <= 6


def constrained_space() -> Space:
    """A conditional space with a constraint on it, and a flat one where most of the box is forbidden."""
    return Space(dict(conditional_space()), constraints=[_no_deep_knn])


def small_sum_space() -> Space:
    """Two integers whose sum must stay at most 6: 21 of the 100 grid points are allowed."""
    return Space({"a": Integer(0, 9), "b": Integer(0, 9)}, constraints=[_small_sum])


def params_key(params: dict[str, Any]) -> tuple[Any, ...]:
    """A comparable form of a parameter set that tells ``1``, ``1.0`` and ``True`` apart."""
    return tuple((name, type(value).__name__, repr(value)) for name, value in params.items())


def _numeric_loss(space: Space, params: dict[str, Any]) -> float:
    """A deterministic, smooth-ish loss over any space: distance to a fixed point of the unit cube."""
    return float(sum((space[name].to_unit(value) - 0.3) ** 2 for name, value in params.items()))


def two_objective_observation(space: Space, params: dict[str, Any], *, limit: float | None = None) -> Observation:
    """A complete trial of a two-objective experiment whose objectives conflict: the distance to one corner of
    the unit cube and to the opposite one (so every point between is on the front). With ``limit``, the second
    loss must stay at most it: ``violation`` says by how much a trial misses (relative to the limit)."""
    units = [space[name].to_unit(value) for name, value in params.items()]
    losses = (float(sum(u ** 2 for u in units)), float(sum((1 - u) ** 2 for u in units)))
    violation = 0.0 if limit is None else max(0.0, losses[1] - limit) / limit
    return Observation(params, TrialState.COMPLETE, losses[0], losses=losses, violation=violation)


def run_strategy(strategy: Strategy, trials: int, *, batch: int = 1,
                 objective: Objective | None = None) -> list[Observation]:
    """Drive ``strategy`` like the search loop does and return the observations in trial order.

    ``objective(number, params)`` returns the observation of trial ``number``; the default completes
    every trial with a deterministic loss.
    """
    def complete(number: int, params: dict[str, Any]) -> Observation:
        return Observation(params, TrialState.COMPLETE, _numeric_loss(strategy.space, params))

    objective = objective or complete
    observations: list[Observation] = []
    while len(observations) < trials:
        proposals = strategy.ask(min(batch, trials - len(observations)))
        if not proposals:
            break
        finished = [objective(len(observations) + i, params) for i, params in enumerate(proposals)]
        observations += finished
        strategy.tell(finished)
    return observations


class StrategyConformance:
    """The tests every strategy passes; subclass it and set ``strategy_class``.

    Attributes:
        strategy_class: The strategy under test.
        strategy_kwargs: Extra keyword arguments for its constructor.
        trials: Trials per search in these checks; small, so that model-based strategies stay fast.
    """

    strategy_class: ClassVar[type[Strategy]]
    strategy_kwargs: ClassVar[dict[str, Any]] = {}
    trials: ClassVar[int] = 10

    def make(self, space: Space, *, seed: int = 0, budget: int | None = None) -> Strategy:
        """Build the strategy under test."""
        return self.strategy_class(space, seed=seed, budget=budget, **self.strategy_kwargs)

    def check_proposal(self, space: Space, params: dict[str, Any]) -> None:
        """Fail unless ``params`` names every active dimension once, in space order, with a legal value of the
        exact type, and the constraints allow it."""
        assert isinstance(params, dict), f"a proposal must be a dict, got {type(params).__name__}"
        active = space.active_names(params)
        assert list(params) == active, f"proposal names {list(params)}, the active dimensions are {active}"
        assert space.allowed(params), f"{params} is forbidden by the space's constraints"
        for name, value in params.items():
            dim = space[name]
            assert dim.contains(value), f"{name}={value!r} is not a legal value of {dim!r}"
            expected = dim.cast(value)
            assert type(value) is type(expected) and value == expected, \
                f"{name}={value!r} is a {type(value).__name__}, not {type(expected).__name__}"

    # -- interface --------------------------------------------------------------------------------

    def test_has_registrable_name(self) -> None:
        assert isinstance(self.strategy_class.name, str) and self.strategy_class.name

    def test_ask_zero_returns_nothing(self) -> None:
        strategy = self.make(every_kind_space(), budget=self.trials)
        assert strategy.ask(0) == []

    # -- bounds and types -------------------------------------------------------------------------

    def test_respects_bounds_and_types_of_every_dimension_kind(self) -> None:
        space = every_kind_space()
        observations = run_strategy(self.make(space, budget=self.trials), self.trials)
        assert observations, "the strategy proposed nothing"
        for obs in observations:
            self.check_proposal(space, obs.params)

    def test_twenty_dimensional_mixed_space(self) -> None:
        space = wide_mixed_space(20)
        observations = run_strategy(self.make(space, seed=3, budget=self.trials), self.trials, batch=2)
        assert len(observations) == self.trials
        for obs in observations:
            self.check_proposal(space, obs.params)

    @pytest.mark.parametrize("space", [Space({"only": Categorical(["only"])}),
                                       Space({"n": Integer(1, 2)}),
                                       Space({"only": Categorical([None]), "flag": Categorical([True, False])})],
                             ids=["one-choice", "two-integers", "constant-and-bool"])
    def test_tiny_discrete_spaces(self, space: Space) -> None:
        strategy = self.make(space, budget=self.trials)
        observations = run_strategy(strategy, self.trials)
        assert observations
        for obs in observations:
            self.check_proposal(space, obs.params)
        if strategy.max_trials is not None:
            assert len(observations) <= strategy.max_trials
            assert strategy.ask(1) == [], "an exhausted strategy must return no proposals"

    # -- conditional and constrained spaces ----------------------------------------------------------

    @pytest.mark.parametrize("batch", [1, 3])
    def test_conditional_space_proposes_only_active_parameters(self, batch: int) -> None:
        space = conditional_space()
        observations = run_strategy(self.make(space, seed=2, budget=2 * self.trials), 2 * self.trials, batch=batch)
        assert observations, "the strategy proposed nothing"
        for obs in observations:
            self.check_proposal(space, obs.params)

    @pytest.mark.parametrize("make_space", [constrained_space, small_sum_space], ids=["conditional", "sum"])
    def test_constrained_space_never_proposes_a_forbidden_combination(self, make_space: Callable[[], Space]) -> None:
        space = make_space()
        strategy = self.make(space, seed=5, budget=2 * self.trials)
        observations = run_strategy(strategy, 2 * self.trials, batch=2)
        assert observations
        for obs in observations:
            self.check_proposal(space, obs.params)
        if strategy.max_trials is not None:
            assert len({params_key(o.params) for o in observations}) == len(observations)

    def test_conditional_space_restores_like_an_uninterrupted_search(self) -> None:
        space = constrained_space()
        uninterrupted = self.make(space, seed=6, budget=self.trials + 3)
        observations = run_strategy(uninterrupted, self.trials)
        resumed = self.make(space, seed=6, budget=self.trials + 3)
        resumed.restore(observations)
        assert [params_key(p) for p in resumed.ask(3)] == [params_key(p) for p in uninterrupted.ask(3)]

    # -- reproducibility --------------------------------------------------------------------------

    def test_same_seed_same_proposals(self) -> None:
        space = every_kind_space()
        first = run_strategy(self.make(space, seed=7, budget=self.trials), self.trials, batch=3)
        second = run_strategy(self.make(space, seed=7, budget=self.trials), self.trials, batch=3)
        assert [params_key(o.params) for o in first] == [params_key(o.params) for o in second]

    def test_different_seeds_differ(self) -> None:
        space = Space({"x": Real(0.0, 1.0), "y": Real(1e-3, 1e3, log=True), "n": Integer(0, 1000)})
        first = run_strategy(self.make(space, seed=1, budget=self.trials), self.trials)
        second = run_strategy(self.make(space, seed=2, budget=self.trials), self.trials)
        assert [params_key(o.params) for o in first] != [params_key(o.params) for o in second]

    # -- robustness -------------------------------------------------------------------------------

    def test_survives_failed_and_pruned_trials(self) -> None:
        space = every_kind_space()

        def flaky(number: int, params: dict[str, Any]) -> Observation:
            loss = _numeric_loss(space, params)
            if number % 3 == 0:
                return Observation(params, TrialState.FAIL, None)
            if number % 3 == 1:
                return Observation(params, TrialState.PRUNED, loss + 1.0)
            return Observation(params, TrialState.COMPLETE, loss)

        observations = run_strategy(self.make(space, budget=self.trials), self.trials, objective=flaky)
        assert len(observations) == self.trials or self.make(space).max_trials is not None
        for obs in observations:
            self.check_proposal(space, obs.params)

    def test_two_objectives_with_a_limit_pruned_and_failed_trials(self) -> None:
        # Observations of an experiment with several objectives carry losses and a limit violation; a
        # strategy that ignores them still proposes legal, reproducible parameter sets.
        space = every_kind_space()

        def objective(number: int, params: dict[str, Any]) -> Observation:
            if number % 5 == 3:
                return Observation(params, TrialState.FAIL, None)
            if number % 5 == 4:
                return Observation(params, TrialState.PRUNED, 1.0)
            return two_objective_observation(space, params, limit=1.0)

        uninterrupted = self.make(space, seed=2, budget=self.trials + 3)
        first = run_strategy(uninterrupted, self.trials, objective=objective)
        assert len(first) == self.trials or self.make(space).max_trials is not None
        for obs in first:
            self.check_proposal(space, obs.params)
        again = run_strategy(self.make(space, seed=2, budget=self.trials + 3), self.trials, objective=objective)
        assert [params_key(o.params) for o in again] == [params_key(o.params) for o in first]
        resumed = self.make(space, seed=2, budget=self.trials + 3)
        resumed.restore(first)
        assert [params_key(p) for p in resumed.ask(3)] == [params_key(p) for p in uninterrupted.ask(3)]

    def test_survives_every_trial_failing(self) -> None:
        space = every_kind_space()
        observations = run_strategy(self.make(space, budget=self.trials), self.trials,
                                    objective=lambda n, p: Observation(p, TrialState.FAIL, None))
        assert observations
        for obs in observations:
            self.check_proposal(space, obs.params)

    def test_learns_from_observations_it_did_not_propose(self) -> None:
        space = every_kind_space()
        rng = np.random.default_rng(123)
        foreign = [Observation(p, TrialState.COMPLETE, _numeric_loss(space, p))
                   for p in (space.sample(rng) for _ in range(6))]
        foreign.append(Observation(space.sample(rng), TrialState.FAIL, None))
        strategy = self.make(space, budget=self.trials)
        strategy.tell(foreign)  # warm-start points, told before anything was asked
        for obs in run_strategy(strategy, 4):
            self.check_proposal(space, obs.params)

    # -- budget and exhaustion --------------------------------------------------------------------

    def test_stops_on_budget_or_exhaustion(self) -> None:
        space = Space({"n": Integer(0, 3), "c": Categorical(["a", "b"])})  # 8 points
        for budget in (3, 20):
            strategy = self.make(space, budget=budget)
            observations = run_strategy(strategy, budget, batch=2)
            limit = strategy.max_trials
            if limit is None:
                assert len(observations) == budget
            else:
                assert len(observations) == min(budget, limit)
                assert len({params_key(o.params) for o in observations}) == len(observations), \
                    "a strategy with max_trials must not repeat itself"
                assert strategy.ask(3) == []

    def test_ask_never_returns_more_than_asked(self) -> None:
        strategy = self.make(every_kind_space(), budget=self.trials)
        for n in (1, 2, 5):
            proposals = strategy.ask(n)
            assert len(proposals) <= n

    # -- resume and parallelism -------------------------------------------------------------------

    def test_restore_continues_like_an_uninterrupted_search(self) -> None:
        space = every_kind_space()
        uninterrupted = self.make(space, seed=5, budget=self.trials + 3)
        observations = run_strategy(uninterrupted, self.trials)
        resumed = self.make(space, seed=5, budget=self.trials + 3)
        resumed.restore(observations)
        assert resumed.n_asked == len(observations)
        assert [params_key(p) for p in resumed.ask(3)] == [params_key(p) for p in uninterrupted.ask(3)]

    def test_start_points_are_restored_before_the_first_proposal_and_on_resume(self) -> None:
        # A warm-started search: the start points are evaluated, then restored (flagged warm_start)
        # before the first ask; a resumed one restores them together with the strategy's own trials.
        space = every_kind_space()
        rng = np.random.default_rng(321)
        start = [Observation(p, TrialState.COMPLETE, _numeric_loss(space, p), warm_start=True)
                 for p in (space.sample(rng) for _ in range(3))]
        start.append(Observation(space.sample(rng), TrialState.FAIL, None, warm_start=True))
        uninterrupted = self.make(space, seed=4, budget=self.trials + 3)
        uninterrupted.restore(start)
        own = run_strategy(uninterrupted, self.trials - len(start))
        assert own, "the strategy proposed nothing after its start points"
        for obs in own:
            self.check_proposal(space, obs.params)
        resumed = self.make(space, seed=4, budget=self.trials + 3)
        resumed.restore(start + own)
        assert [params_key(p) for p in resumed.ask(3)] == [params_key(p) for p in uninterrupted.ask(3)]

    def test_batch_ask(self) -> None:
        space = Space({"x": Real(0.0, 1.0), "y": Real(1e-3, 1e3, log=True), "c": Categorical(["a", None])})
        strategy = self.make(space, seed=11, budget=self.trials)
        run_strategy(strategy, self.trials // 2)
        before = strategy.n_asked
        batch = strategy.ask(4)
        assert 0 < len(batch) <= 4 and strategy.n_asked == before + len(batch)
        for params in batch:
            self.check_proposal(space, params)
        assert len({params_key(p) for p in batch}) == len(batch), "a batch must not repeat a proposal"
        again = self.make(space, seed=11, budget=self.trials)
        run_strategy(again, self.trials // 2)
        assert [params_key(p) for p in again.ask(4)] == [params_key(p) for p in batch]
