"""The Gaussian-process strategy: dimension mapping, batches, failures, and that it learns."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tunekit.errors import SpecError
from tunekit.space import Categorical, Integer, Real, Space
from tunekit.strategies import BayesStrategy, RandomStrategy
from tunekit.strategies.base import Observation
from tunekit.strategies.bayes._encoding import Encoding
from tunekit.testing.strategies import StrategyConformance, params_key, run_strategy
from tunekit.trial import TrialState

choice_values = st.one_of(st.text(max_size=5), st.integers(-5, 5), st.booleans(), st.none(),
                          st.floats(-10, 10, allow_nan=False))


def _unique(choices: list) -> list:
    seen, unique = set(), []
    for choice in choices:
        if (type(choice), choice) not in seen:
            seen.add((type(choice), choice))
            unique.append(choice)
    return unique


@settings(max_examples=100, deadline=None)
@given(choices=st.lists(choice_values, min_size=1, max_size=6).map(_unique), data=st.data())
def test_categorical_choices_round_trip_exactly(choices: list, data: st.DataObject) -> None:
    space = Space({"c": Categorical(choices), "x": Real(0.0, 1.0)})
    encoding = Encoding(space)
    value = data.draw(st.sampled_from(choices))
    params = {"c": value, "x": 0.25}
    decoded = encoding.decode(encoding.encode(params)) if len(choices) > 1 else {**params}
    assert params_key(decoded) == params_key(params)


def test_mixed_type_choices_including_none_and_bools_are_proposed_and_learned() -> None:
    choices = ["a", 1, 1.0, True, False, None]
    space = Space({"c": Categorical(choices), "x": Real(0.0, 1.0)})
    strategy = BayesStrategy(space, seed=0, budget=14)

    def objective(number: int, params: dict) -> Observation:
        loss = 0.0 if params["c"] is None else 1.0  # only the None choice is good
        return Observation(params, TrialState.COMPLETE, loss + params["x"])

    observations = run_strategy(strategy, 14, objective=objective)
    for obs in observations:
        StrategyConformance().check_proposal(space, obs.params)
    assert {type(o.params["c"]) for o in observations} >= {str, int, float, bool}
    assert sum(o.params["c"] is None for o in observations[-5:]) >= 3


def test_log_dimensions_map_to_log_uniform_priors() -> None:
    space = Space({"lr": Real(1e-5, 1.0, log=True), "n": Integer(1, 4096, log=True),
                   "m": Integer(0, 9), "x": Real(-1.0, 1.0)})
    dims = Encoding(space).dimensions()
    assert [d.prior for d in dims] == ["log-uniform", "log-uniform", "uniform", "uniform"]
    assert (dims[1].low, dims[1].high) == (1, 4096)


def test_initial_design_is_spread_in_log_space() -> None:
    space = Space({"lr": Real(1e-6, 1.0, log=True), "n": Integer(1, 10**6, log=True)})
    proposals = BayesStrategy(space, seed=3, n_initial_points=12).ask(12)
    for name in ("lr", "n"):
        decades = np.log10([p[name] for p in proposals])
        # a Latin hypercube in log space: one point in each twelfth of the six decades
        low, high = (-6, 0) if name == "lr" else (np.log10(0.5), np.log10(10**6 + 0.5))
        slots = np.floor((decades - low) / (high - low) * 12).astype(int)
        assert sorted(np.clip(slots, 0, 11)) == list(range(12)), name


def test_model_proposals_follow_the_log_scale() -> None:
    # The optimum is at 1e-4 in a range of 1e-6..1: a linear scale would never look there.
    space = Space({"lr": Real(1e-6, 1.0, log=True)})

    def objective(number: int, params: dict) -> Observation:
        return Observation(params, TrialState.COMPLETE, (math.log10(params["lr"]) + 4.0) ** 2)

    observations = run_strategy(BayesStrategy(space, seed=1, budget=12), 12, objective=objective)
    assert min(o.loss for o in observations) < 0.05
    assert all(type(o.params["lr"]) is float for o in observations)


def test_batch_proposals_are_distinct_deterministic_and_avoid_running_ones() -> None:
    space = Space({"x": Real(-2.0, 2.0), "y": Real(-2.0, 2.0)})

    def objective(number: int, params: dict) -> Observation:
        return Observation(params, TrialState.COMPLETE, params["x"] ** 2 + params["y"] ** 2)

    def batches(batch_size: int) -> tuple[list, list]:
        strategy = BayesStrategy(space, seed=2, budget=30)
        run_strategy(strategy, 8, objective=objective)
        first = strategy.ask(batch_size)
        second = strategy.ask(batch_size)  # the first batch is still running
        return first, second

    first, second = batches(3)
    keys = [params_key(p) for p in first + second]
    assert len(set(keys)) == 6
    again_first, again_second = batches(3)
    assert [params_key(p) for p in again_first + again_second] == keys
    for params in first + second:
        StrategyConformance().check_proposal(space, params)


def test_a_batch_starts_with_the_single_proposal_and_spreads_the_rest() -> None:
    space = Space({"x": Real(-2.0, 2.0), "y": Real(-2.0, 2.0)})

    def objective(number: int, params: dict) -> Observation:
        return Observation(params, TrialState.COMPLETE, (params["x"] - 0.5) ** 2 + params["y"] ** 2)

    def told(n: int) -> BayesStrategy:
        strategy = BayesStrategy(space, seed=4, budget=30)
        run_strategy(strategy, n, objective=objective)
        return strategy

    single = told(10).ask(1)[0]
    batch = told(10).ask(4)
    assert params_key(batch[0]) == params_key(single)
    points = np.array([[p["x"], p["y"]] for p in batch]) / 4.0  # unit-cube coordinates
    gaps = [np.linalg.norm(a - b) for i, a in enumerate(points) for b in points[i + 1:]]
    assert min(gaps) > 0.01  # the penalty keeps the batch from piling onto one point


def test_failed_trials_are_told_the_worst_loss_seen() -> None:
    space = Space({"x": Real(0.0, 1.0)})
    strategy = BayesStrategy(space)
    observations = [Observation({"x": 0.1}, TrialState.COMPLETE, 1.0),
                    Observation({"x": 0.2}, TrialState.FAIL, None),
                    Observation({"x": 0.3}, TrialState.PRUNED, 5.0),
                    Observation({"x": 0.4}, TrialState.COMPLETE, -2.0)]
    _xs, ys = strategy._training_data(observations)
    assert ys == [1.0, 5.0, 5.0, -2.0]
    # before any trial succeeded a failure carries no scale: it is left out
    assert strategy._training_data(observations[1:2]) == ([], [])


def test_learns_a_quadratic_better_than_random_search() -> None:
    space = Space({"x": Real(-10.0, 10.0)})

    def objective(number: int, params: dict) -> Observation:
        return Observation(params, TrialState.COMPLETE, (params["x"] - 3.7) ** 2)

    def best(strategy) -> float:
        return min(o.loss for o in run_strategy(strategy, 20, objective=objective))

    seeds = range(3)
    bayes = np.mean([best(BayesStrategy(space, seed=s, budget=20)) for s in seeds])
    random = np.mean([best(RandomStrategy(space, seed=s, budget=20)) for s in seeds])
    assert bayes < random
    assert bayes < 0.01


@pytest.mark.parametrize("acq_optimizer", ["sampling", "lbfgs"])
def test_skopt_acquisition_optimizers_still_learn(acq_optimizer: str) -> None:
    space = Space({"x": Real(-10.0, 10.0), "k": Integer(1, 5)})

    def objective(number: int, params: dict) -> Observation:
        return Observation(params, TrialState.COMPLETE, (params["x"] - 3.7) ** 2 + params["k"])

    def run() -> list[Observation]:
        return run_strategy(BayesStrategy(space, seed=1, budget=15, acq_optimizer=acq_optimizer,
                                          n_candidates=200), 15, objective=objective)

    first, second = run(), run()
    assert [o.params for o in first] == [o.params for o in second]
    assert all(space.contains(o.params) for o in first)
    assert min(o.loss for o in first) < 1.5


def test_log_prior_gradient_matches_finite_differences() -> None:
    from tunekit.strategies.bayes._gaussian_process import log_prior

    rng = np.random.default_rng(0)
    for _ in range(20):
        theta = rng.uniform(-3.0, 3.0, size=6)
        _, grad = log_prior(theta)
        step = 1e-6
        numeric = [(log_prior(theta + step * e)[0] - log_prior(theta - step * e)[0]) / (2 * step)
                   for e in np.eye(len(theta))]
        np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-6)


def test_hyperparameter_priors_keep_length_scales_away_from_their_bounds() -> None:
    # Ackley in 10 dimensions: maximum likelihood alone put length scales at 0.01 and 100 at once.
    space = Space({f"x{i}": Real(-32.768, 32.768) for i in range(10)})

    def ackley(number: int, params: dict) -> Observation:
        x = np.array(list(params.values()))
        value = (-20 * np.exp(-0.2 * np.sqrt(np.mean(x ** 2))) - np.exp(np.mean(np.cos(2 * np.pi * x)))
                 + 20 + np.e)
        return Observation(params, TrialState.COMPLETE, float(value))

    strategy = BayesStrategy(space, seed=0, budget=25)
    run_strategy(strategy, 25, objective=ackley)
    signal, _noise = strategy._hyperparameters(len(strategy._observations))
    scales = np.asarray(signal.k2.length_scale)
    assert np.all((scales > 0.05) & (scales < 20)), scales


def _resume_objective(number: int, params: dict) -> Observation:
    """A loss over ``_RESUME_SPACE`` with failed and pruned trials among the completed ones."""
    if number % 11 == 5:
        return Observation(params, TrialState.FAIL, None)
    loss = (params["x"] - 0.7) ** 2 + (params["y"] + 0.2) ** 2 + 0.1 * params["k"] + (params["c"] != "b")
    return Observation(params, TrialState.PRUNED if number % 7 == 3 else TrialState.COMPLETE, loss)


_RESUME_SPACE = Space({"x": Real(-2.0, 2.0), "y": Real(-2.0, 2.0), "k": Integer(1, 5),
                       "c": Categorical(["a", "b", "c"])})
# The default re-estimation schedule, and a sample small enough that sampling happens in these runs.
_RESUME_SETTINGS = {"seed": 3, "budget": 60, "refit_sample": 16}


@pytest.mark.parametrize("cut", [7, 11, 24, 41])
def test_resumed_search_proposes_exactly_what_an_uninterrupted_one_does(cut: int) -> None:
    # Cuts in the initial design, on a re-estimation point (11: the first after the ones on every trial
    # stop at 10), between two of them and past the sample size; trial for trial over five proposals.
    uninterrupted = run_strategy(BayesStrategy(_RESUME_SPACE, **_RESUME_SETTINGS), cut + 5,
                                 objective=_resume_objective)
    resumed = BayesStrategy(_RESUME_SPACE, **_RESUME_SETTINGS)
    resumed.restore(uninterrupted[:cut])
    after = []
    for number in range(cut, cut + 5):
        after.append(_resume_objective(number, resumed.ask(1)[0]))
        resumed.tell(after[-1:])
    assert [params_key(o.params) for o in after] == [params_key(o.params) for o in uninterrupted[cut:]]


def test_restore_estimates_only_the_kernel_hyperparameters_in_force(monkeypatch: pytest.MonkeyPatch) -> None:
    # Resuming once replayed every re-estimation of the search so far (each started from the previous
    # one): 35 L-BFGS runs to resume 40 trials, 67 for 400. A restored strategy now makes one estimate.
    from tunekit.strategies.bayes import _strategy

    sizes: list[int] = []
    estimate = _strategy.estimate_hyperparameters

    def counted(params: dict, X: np.ndarray, y: np.ndarray, **kwargs: object) -> object:
        sizes.append(len(X))
        return estimate(params, X, y, **kwargs)

    monkeypatch.setattr(_strategy, "estimate_hyperparameters", counted)
    strategy = BayesStrategy(_RESUME_SPACE, **_RESUME_SETTINGS)
    observations = run_strategy(strategy, 45, objective=_resume_objective)
    # after the 7-point initial design, on every trial up to 10, then at 12, 14, 17, 20, ..., 37 and 43
    assert len(sizes) == 13
    assert max(sizes) == _RESUME_SETTINGS["refit_sample"]
    sizes.clear()
    resumed = BayesStrategy(_RESUME_SPACE, **_RESUME_SETTINGS)
    resumed.restore(observations)
    resumed.ask(1)
    assert sizes == [_RESUME_SETTINGS["refit_sample"]]
    resumed.tell([_resume_objective(45, resumed.ask(1)[0])])
    assert len(sizes) == 1  # the estimate of 43 observations stays in force until 50


def test_hyperparameter_posterior_matches_scikit_learns() -> None:
    from tunekit.strategies.bayes._gaussian_process import (
        _MaternPosterior,
        fast_gaussian_process,
        gaussian_process_params,
    )

    rng = np.random.default_rng(4)
    X = rng.random((25, 3))
    y = np.sin(4 * X).sum(axis=1) + 0.05 * rng.normal(size=25)
    params = gaussian_process_params(Encoding(Space({f"x{i}": Real(0.0, 1.0) for i in range(3)})).normalized(),
                                     priors=False)
    gp = fast_gaussian_process()(**{**params, "optimizer": None}).fit(X, y)
    posterior = _MaternPosterior(X, y, priors=False, jitter=params["alpha"])
    for _ in range(10):
        theta = rng.uniform(gp.kernel_.bounds[:, 0], gp.kernel_.bounds[:, 1]) / 3
        value, grad = gp.log_marginal_likelihood(theta, eval_gradient=True)
        mine, my_grad = posterior(theta)
        np.testing.assert_allclose(mine, -value, rtol=1e-9)
        np.testing.assert_allclose(my_grad, -grad, rtol=1e-7, atol=1e-9)


@pytest.mark.slow
def test_importing_tunekit_does_not_import_skopt() -> None:
    code = "import sys, tunekit, tunekit.strategies.bayes; assert 'skopt' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"acq_func": "UCB"}, "acq_func: expected one of EI, LCB, PI, gp_hedge"),
    ({"acq_optimizer": "adam"}, "acq_optimizer"), ({"n_candidates": 0}, "n_candidates"),
    ({"acq_func": "gp_hedge"}, "acq_func: 'gp_hedge' needs acq_optimizer"),
    ({"n_initial_points": 0}, "n_initial_points"), ({"refit_growth": 0.5}, "refit_growth"),
    ({"full_refit_until": 1}, "full_refit_until"), ({"xi": -0.1}, "xi: expected a number >= 0"),
    ({"kernel_priors": "yes"}, "kernel_priors"), ({"refit_sample": 1}, "refit_sample: expected an integer >= 2")])
def test_bad_settings_are_rejected(kwargs: dict, field: str) -> None:
    with pytest.raises(SpecError, match=field):
        BayesStrategy(Space({"x": Real(0.0, 1.0)}), **kwargs)
