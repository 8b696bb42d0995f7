"""The optimisers compared: every tunekit strategy, Optuna (TPE, GP, CMA-ES), skopt's ``gp_minimize``, Hyperopt's TPE.

Each contender runs ``budget`` sequential trials of a problem with a seed and returns, per trial, the
loss and the optimiser's own time before that trial (the gap between the end of the previous
evaluation and the start of this one: proposal, model fitting and bookkeeping, not the objective).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tunekit.space import Categorical, Integer, Real, Space

__all__ = ["BUDGET_FREE", "CONTENDERS", "Run", "run_contender"]


@dataclass
class Run:
    """Losses and optimiser overheads (seconds) of one run, in trial order."""

    losses: list[float] = field(default_factory=list)
    overheads: list[float] = field(default_factory=list)


class _Timed:
    """Wraps a loss so that the optimiser's time between evaluations is measured."""

    def __init__(self, loss: Callable[[dict[str, Any]], float]) -> None:
        self.loss = loss
        self.run = Run()
        self._last_end = time.perf_counter()

    def __call__(self, params: dict[str, Any]) -> float:
        start = time.perf_counter()
        self.run.overheads.append(start - self._last_end)
        value = float(self.loss(params))
        self.run.losses.append(value)
        self._last_end = time.perf_counter()
        return value


def _tunekit(name: str) -> Callable[[Space, _Timed, int, int], None]:
    def run(space: Space, objective: _Timed, budget: int, seed: int) -> None:
        from tunekit.strategies import get_strategy
        from tunekit.strategies.base import Observation
        from tunekit.trial import TrialState

        strategy = get_strategy(name)(space, seed=seed, budget=budget)
        objective._last_end = time.perf_counter()
        while len(objective.run.losses) < budget:
            proposals = strategy.ask(1)
            if not proposals:
                break
            loss = objective(proposals[0])
            strategy.tell([Observation(proposals[0], TrialState.COMPLETE, loss)])

    return run


def _optuna(sampler_name: str) -> Callable[[Space, _Timed, int, int], None]:
    def run(space: Space, objective: _Timed, budget: int, seed: int) -> None:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        warnings.simplefilter("ignore")  # experimental-feature warnings
        if sampler_name == "cmaes":
            # categorical parameters fall back to random sampling, as documented; no warning per trial
            sampler: Any = optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False)
        else:
            sampler = (optuna.samplers.TPESampler(seed=seed) if sampler_name == "tpe"
                       else optuna.samplers.GPSampler(seed=seed))
        study = optuna.create_study(sampler=sampler)
        objective._last_end = time.perf_counter()
        for _ in range(budget):
            trial = study.ask()
            params: dict[str, Any] = {}
            for name, dim in space.items():
                if isinstance(dim, Real):
                    params[name] = trial.suggest_float(name, dim.low, dim.high, log=dim.log)
                elif isinstance(dim, Integer):
                    params[name] = trial.suggest_int(name, dim.low, dim.high, log=dim.log)
                else:
                    assert isinstance(dim, Categorical)
                    params[name] = trial.suggest_categorical(name, dim.choices)
            study.tell(trial, objective(params))

    return run


def _gp_minimize(space: Space, objective: _Timed, budget: int, seed: int) -> None:
    from skopt import gp_minimize
    from skopt import space as sk

    dims: list[Any] = []
    for name, dim in space.items():
        prior = "log-uniform" if getattr(dim, "log", False) else "uniform"
        if isinstance(dim, Real):
            dims.append(sk.Real(dim.low, dim.high, prior=prior, name=name))
        elif isinstance(dim, Integer):
            dims.append(sk.Integer(dim.low, dim.high, prior=prior, name=name))
        else:
            assert isinstance(dim, Categorical)
            dims.append(sk.Categorical([str(i) for i in range(len(dim.choices))], name=name))

    def decode(row: list[Any]) -> dict[str, Any]:
        params = {}
        for (name, dim), raw in zip(space.items(), row, strict=False):
            if isinstance(dim, Categorical):
                params[name] = dim.choices[int(raw)]
            elif isinstance(dim, Integer):
                params[name] = int(raw)
            else:
                params[name] = float(raw)
        return params

    objective._last_end = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gp_minimize(lambda row: objective(decode(row)), dims, n_calls=budget, random_state=seed)


def _hyperopt_tpe(space: Space, objective: _Timed, budget: int, seed: int) -> None:
    import math

    import numpy as np
    from hyperopt import fmin, hp, tpe

    dims: dict[str, Any] = {}
    for name, dim in space.items():
        if isinstance(dim, Real):
            dims[name] = (hp.loguniform(name, math.log(dim.low), math.log(dim.high)) if dim.log
                          else hp.uniform(name, dim.low, dim.high))
        elif isinstance(dim, Integer):
            # q-distributions return floats on the grid; the ends are widened by half a step so that every
            # integer gets the same share, and the value is rounded and clipped back
            dims[name] = (hp.qloguniform(name, math.log(dim.low - 0.4999), math.log(dim.high + 0.4999), 1)
                          if dim.log
                          else hp.quniform(name, dim.low - 0.4999, dim.high + 0.4999, 1))
        else:
            assert isinstance(dim, Categorical)
            dims[name] = hp.choice(name, list(range(len(dim.choices))))

    def decode(sample: dict[str, Any]) -> dict[str, Any]:
        params: dict[str, Any] = {}
        for name, dim in space.items():
            if isinstance(dim, Categorical):
                params[name] = dim.choices[int(sample[name])]
            elif isinstance(dim, Integer):
                params[name] = min(max(round(sample[name]), dim.low), dim.high)
            else:
                params[name] = float(sample[name])
        return params

    objective._last_end = time.perf_counter()
    fmin(lambda sample: objective(decode(sample)), dims, algo=tpe.suggest, max_evals=budget,
         rstate=np.random.default_rng(seed), show_progressbar=False, verbose=False)


CONTENDERS: dict[str, Callable[[Space, _Timed, int, int], None]] = {
    "tunekit-bayes": _tunekit("bayes"),
    "tunekit-evolution": _tunekit("evolution"),
    "tunekit-grid": _tunekit("grid"),
    "tunekit-random": _tunekit("random"),
    "optuna-tpe": _optuna("tpe"),
    "optuna-gp": _optuna("gp"),
    "optuna-cmaes": _optuna("cmaes"),
    "skopt-gp_minimize": _gp_minimize,
    "hyperopt-tpe": _hyperopt_tpe,
}

#: Contenders whose proposals do not depend on the budget they are given: the first ``k`` trials of a
#: longer run are the run with budget ``k`` (same seed), so one run serves every budget.
BUDGET_FREE = frozenset({"optuna-tpe", "optuna-gp", "optuna-cmaes", "skopt-gp_minimize", "hyperopt-tpe"})


def run_contender(contender: str, space: Space, loss: Callable[[dict[str, Any]], float], *,
                  budget: int, seed: int) -> Run:
    """Run ``contender`` for ``budget`` trials and return what it did."""
    objective = _Timed(loss)
    CONTENDERS[contender](space, objective, budget, seed)
    return objective.run
