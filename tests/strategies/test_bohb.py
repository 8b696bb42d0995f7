"""The multi-fidelity strategy: which budget its model uses, what it learns from pruned trials, options."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from tunekit.errors import SpecError
from tunekit.pruners import as_pruner
from tunekit.search import observation_of, run_search
from tunekit.space import Categorical, Real, Space
from tunekit.strategies import BOHBStrategy, Observation
from tunekit.trial import Trial, TrialPruned, TrialResult, TrialState


def _space() -> Space:
    return Space({"x": Real(0.0, 1.0), "c": Categorical(["a", "b"])})


def _pruned(x: float, curve: list[float]) -> Observation:
    return Observation({"x": x, "c": "a"}, TrialState.PRUNED, curve[-1],
                       intermediate=tuple(enumerate(curve, start=1)))


def test_model_uses_the_highest_budget_with_enough_results() -> None:
    strategy = BOHBStrategy(_space(), min_points=2)  # needs 4 results at a budget
    # six trials stopped after one step, four after three: the model sits at step 3
    strategy.tell([_pruned(0.1 * i, [1.0 + i]) for i in range(6)])
    strategy.tell([_pruned(0.5 + 0.1 * i, [3.0, 2.0, 1.0 + i]) for i in range(4)])
    budget, results = strategy.model_budget() or (None, [])
    assert budget == 3
    assert [round(params["x"], 2) for params, _ in results] == [0.5, 0.6, 0.7, 0.8]
    assert [loss for _, loss in results] == [1.0, 2.0, 3.0, 4.0]


def test_complete_trials_count_at_every_budget_and_failures_as_the_worst() -> None:
    strategy = BOHBStrategy(_space(), min_points=2)
    strategy.tell([_pruned(0.1, [5.0]), _pruned(0.2, [6.0]),
                   Observation({"x": 0.3, "c": "b"}, TrialState.COMPLETE, 0.5, intermediate=((1, 4.0), (2, 0.5))),
                   Observation({"x": 0.4, "c": "b"}, TrialState.FAIL, None)])
    budget, results = strategy.model_budget() or (None, [])
    assert budget == 1
    assert [loss for _, loss in results] == [4.0, 5.0, 6.0, math.inf]


def test_no_model_until_a_budget_has_enough_results_for_both_densities() -> None:
    strategy = BOHBStrategy(_space())  # 2 dimensions: d + 1 = 3 for the good density and 3 for the rest
    strategy.tell([_pruned(0.1 * i, [float(i)]) for i in range(5)])
    assert strategy.model_budget() is None
    strategy.tell([_pruned(0.9, [9.0])])
    assert strategy.model_budget() is not None


def test_a_rung_with_too_few_results_for_the_rest_density_is_skipped() -> None:
    # hpbandster fits neither density on fewer than min_points (d + 1) results: five trials at step 3 would
    # leave the rest two points, so the model sits at step 1, where all ten trials are
    strategy = BOHBStrategy(_space(), min_points=3)
    strategy.tell([_pruned(0.1 * i, [1.0 + i]) for i in range(5)])
    strategy.tell([_pruned(0.5 + 0.1 * i, [0.5, 0.4, 0.3 + i]) for i in range(5)])
    budget, results = strategy.model_budget() or (None, [])
    assert budget == 1 and len(results) == 10
    strategy.tell([_pruned(0.95, [0.5, 0.4, 0.1])])
    budget, results = strategy.model_budget() or (None, [])
    assert budget == 3 and len(results) == 6


def test_observations_carry_the_reports_as_losses() -> None:
    result = TrialResult(number=0, params={"x": 0.5}, state=TrialState.PRUNED, score=0.8,
                         intermediate=[(1, 0.7), (3, 0.8)])
    assert observation_of(result, "maximize").intermediate == ((1, -0.7), (3, -0.8))
    assert observation_of(result, "minimize").intermediate == ((1, 0.7), (3, 0.8))


def test_model_proposals_move_towards_the_good_region() -> None:
    strategy = BOHBStrategy(_space(), seed=3, random_fraction=0.0)
    rng = np.random.default_rng(0)
    strategy.tell([_pruned(float(x), [abs(float(x) - 0.8)]) for x in rng.random(30)])
    proposals = strategy.ask(20)
    assert np.median([abs(p["x"] - 0.8) for p in proposals]) < 0.1


def _objective(trial: Trial) -> float:
    value = -abs(trial.params["x"] - 0.3) - (0.2 if trial.params["c"] == "a" else 0.0)
    for epoch in range(1, 10):
        trial.report(value - 1.0 / epoch, step=epoch)
        if trial.should_prune():
            raise TrialPruned()
    return value


def test_with_asha_the_search_is_reproducible_and_beats_random_on_a_toy_problem() -> None:
    def best(strategy_name: str, seed: int) -> tuple[float, list[dict[str, Any]]]:
        from tunekit.strategies import get_strategy

        outcome = run_search(_objective, get_strategy(strategy_name)(_space(), seed=seed, budget=60), trials=60,
                             direction="maximize", seed=seed, pruner=as_pruner("asha:max_resource=9"))
        complete = [t.score for t in outcome.trials if t.state is TrialState.COMPLETE and t.score is not None]
        return max(complete), [t.params for t in outcome.trials]

    first, again = best("bohb", 1), best("bohb", 1)
    assert first[1] == again[1]
    assert np.mean([best("bohb", s)[0] for s in range(4)]) > np.mean([best("random", s)[0] for s in range(4)])


@pytest.mark.parametrize("options", [{"random_fraction": 1.5}, {"top_fraction": 0.0}, {"min_points": 0},
                                     {"n_candidates": 0}, {"bandwidth_factor": -1.0}, {"min_bandwidth": 0}])
def test_bad_options_name_the_option(options: dict[str, Any]) -> None:
    with pytest.raises(SpecError, match=next(iter(options))):
        BOHBStrategy(_space(), **options)


def test_an_asynchronous_strategy_is_asked_one_trial_whenever_a_worker_frees_up() -> None:
    from collections.abc import Iterable, Iterator

    from tunekit.executors import Executor, evaluate

    class TwoAtOnce(Executor):  # takes a second trial before yielding the first's result, as a pool would
        capacity = 2

        def run(self, objective: Any, trials: Iterable[Trial]) -> Iterator[TrialResult]:
            waiting = []
            for trial in trials:
                waiting.append(trial)
                if len(waiting) == 2:
                    yield evaluate(objective, waiting.pop(0))
            for trial in waiting:
                yield evaluate(objective, trial)

    asked: list[int] = []

    class Counting(BOHBStrategy):
        def ask(self, n: int = 1) -> list[dict[str, Any]]:
            asked.append(n)
            return super().ask(n)

    outcome = run_search(_objective, Counting(_space(), seed=0), trials=12, direction="maximize", seed=0,
                         executor=TwoAtOnce(), pruner=as_pruner("asha:max_resource=9"))
    assert len(outcome.trials) == 12 and [t.number for t in outcome.trials] == list(range(12))
    assert asked == [1] * 12
