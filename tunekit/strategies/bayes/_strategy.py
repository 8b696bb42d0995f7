"""Bayesian optimisation with a Gaussian process, through scikit-optimize's ``Optimizer``.

This module is the only place that knows about scikit-optimize (imported lazily, so that ``import
tunekit`` stays fast); replacing the backend touches this file alone.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from tunekit.errors import SpecError
from tunekit.space import Categorical, Dimension, Integer, Real, Space
from tunekit.strategies._acquisition import maximise_acquisition
from tunekit.strategies._unit import from_unit
from tunekit.strategies.base import Observation, Strategy
from tunekit.trial import TrialState

__all__ = ["BayesStrategy"]

_ACQ_FUNCS = ("EI", "LCB", "PI", "gp_hedge")
_ACQ_OPTIMIZERS = ("local", "sampling", "lbfgs")


def _param_key(params: dict[str, Any]) -> tuple[Any, ...]:
    """A hashable key that tells ``1``, ``1.0`` and ``True`` apart (dict equality does not)."""
    return tuple((name, type(value).__name__, value) for name, value in params.items())


def _derived_seed(*entropy: int) -> int:
    return int(np.random.SeedSequence(list(entropy)).generate_state(1)[0] >> 1)


_fast_gp_class: Any = None


@contextmanager
def _quiet_backend() -> Iterator[None]:
    """Silence the backend's expected warnings, and only those (deprecations still show)."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        # hyperparameters at a bound of their range: expected with few observations
        warnings.simplefilter("ignore", ConvergenceWarning)
        # repeated points: expected on small discrete spaces, where every point gets evaluated
        warnings.filterwarnings("ignore", message="The objective has been evaluated")
        warnings.filterwarnings("ignore", message="Predicted variances smaller than 0")
        yield


def _fast_gp() -> Any:
    """skopt's Gaussian process with a faster predictive standard deviation.

    skopt computes the variance with a three-operand ``einsum`` that does not use BLAS: at 100
    observations and 2000 candidates it took 50 ms of the 60 ms a proposal cost. Two matrix products give
    the same numbers in about 2 ms. Gradients (``acq_optimizer="lbfgs"``) still go through skopt.
    """
    global _fast_gp_class
    if _fast_gp_class is None:
        from skopt.learning import GaussianProcessRegressor

        class FastGaussianProcess(GaussianProcessRegressor):  # type: ignore[misc]
            def predict(self, X: Any, return_std: bool = False, return_cov: bool = False,
                        return_mean_grad: bool = False, return_std_grad: bool = False) -> Any:
                if (not return_std or return_cov or return_mean_grad or return_std_grad
                        or not hasattr(self, "X_train_")):
                    return super().predict(X, return_std=return_std, return_cov=return_cov,
                                           return_mean_grad=return_mean_grad,
                                           return_std_grad=return_std_grad)
                X = np.asarray(X, dtype=float)
                k_trans = self.kernel_(X, self.X_train_)
                mean = self.y_train_std_ * (k_trans @ self.alpha_) + self.y_train_mean_
                var = self.kernel_.diag(X) - np.einsum("ij,ij->i", k_trans @ self.K_inv_, k_trans)
                std = np.sqrt(np.maximum(var, 0.0) * self.y_train_std_ ** 2)
                return mean, std

        _fast_gp_class = FastGaussianProcess
    return _fast_gp_class


def _log_prior(theta: np.ndarray) -> tuple[float, np.ndarray]:
    """Log density (up to a constant) and gradient of the prior on the kernel's log-hyperparameters.

    ``theta`` is ``[log amplitude, log length scales..., log noise]`` (the kernel of
    :func:`_gaussian_process_params`). The priors are Optuna ``GPSampler``'s: ``-(l^2 + 1/l^2) / 10`` for each
    length scale ``l`` (inputs live in the unit cube, so scales far from 1 need evidence),
    Gamma(2, 1) on the amplitude and Gamma(1.1, 30) on the noise variance (the targets are normalised).
    Without them the likelihood alone drove length scales to their bounds on Ackley-10 (0.017 and 100
    in the same fit), and the model then fitted every point and predicted nothing.
    """
    amplitude, scales, noise = np.exp(theta[0]), np.exp(2 * theta[1:-1]), np.exp(theta[-1])
    value = (-0.1 * float(np.sum(scales + 1 / scales)) + theta[0] - amplitude
             + 0.1 * theta[-1] - 30 * noise)
    grad = np.concatenate([[1 - amplitude], -0.2 * (scales - 1 / scales), [0.1 - 30 * noise]])
    return value, grad


def _map_optimizer(obj_func: Any, initial_theta: np.ndarray, bounds: np.ndarray) -> tuple[Any, float]:
    """Maximise likelihood times prior (scikit-learn's hook for a custom hyperparameter optimiser)."""
    from scipy.optimize import minimize

    def negative_log_posterior(theta: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = obj_func(theta, eval_gradient=True)
        prior, prior_grad = _log_prior(theta)
        return value - prior, grad - prior_grad

    result = minimize(negative_log_posterior, initial_theta, jac=True, method="L-BFGS-B", bounds=bounds)
    return result.x, float(result.fun)


def _gaussian_process_params(space: Any, priors: bool) -> dict[str, Any]:
    """Parameters of the estimator ``gp_minimize`` uses (skopt's ``cook_estimator("GP")``) and, with
    ``priors``, hyperparameters estimated with the priors of :func:`_log_prior`."""
    from skopt.utils import cook_estimator

    reference = cook_estimator("GP", space=space, random_state=0, noise="gaussian")
    params = dict(reference.get_params(deep=False))
    if priors:
        params["optimizer"] = _map_optimizer
    return params


_controller: Any = None


def _one_blas_thread() -> Any:
    """A context in which BLAS runs single-threaded (the controller is built once: building one scans
    every loaded library, which took 19 ms per proposal)."""
    global _controller
    if _controller is None:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")


#: Losses are log-warped when their sample skewness exceeds this ("highly skewed" by the usual rule).
_HEAVY_TAIL = 1.0


def _warp(losses: Sequence[float]) -> list[float]:
    """A monotone, scale-free transform of the losses the Gaussian process is fitted on.

    When the losses have a heavy upper tail, ``log(1 + (y - min) / s)`` with ``s`` the median distance
    to the best loss, else the losses as they are. Heavy upper tails
    (Rosenbrock's thousands next to values near zero, a diverged training run) no longer dominate the
    fit, and since the transform is increasing the best points stay the best.
    """
    values = np.asarray(losses, dtype=float)
    gaps = values - values.min()
    scale = float(np.median(gaps))
    spread = float(values.std())
    skewness = float(np.mean((values - values.mean()) ** 3)) / spread ** 3 if spread > 0 else 0.0
    if scale <= 0.0 or skewness <= _HEAVY_TAIL:
        return values.tolist()  # no heavy upper tail: the raw losses fit best (Hartmann-6)
    return np.log1p(gaps / scale).tolist()


class BayesStrategy(Strategy):
    """Gaussian-process Bayesian optimisation on scikit-optimize's Gaussian process and acquisitions.

    The first ``n_initial_points`` trials are a seeded Latin hypercube design; after that each proposal
    maximises an acquisition function of a Gaussian process (Matérn 5/2 kernel with one length scale per
    dimension, a constant amplitude and a white-noise term, fitted on normalised inputs: log dimensions
    in log space, categoricals one-hot). The kernel's hyperparameters are estimated with weak priors
    that keep length scales near the size of the unit cube unless the data say otherwise. The
    acquisition is maximised over random candidates plus moves around the best observations, refined by
    local moves (``acq_optimizer="local"``); skopt's ``Optimizer`` with its own ``"sampling"`` or
    ``"lbfgs"`` maximiser is the alternative. A batch of ``n`` proposals for parallel workers is made
    with the constant-liar rule: each proposal is temporarily told the best loss seen, so the next one
    looks elsewhere; proposals still running from an earlier ``ask`` are handled the same way.

    When the losses have a heavy upper tail, the process is fitted on ``log(1 + (loss - best) / s)``
    (``s``: the median distance to the best loss), an increasing transform that keeps a few huge
    losses from dominating the fit.

    Failed trials are told with the worst loss seen so far rather than skipped: a configuration that
    crashes (out of memory, diverging training) usually crashes again, and a skipped failure leaves the
    acquisition function unchanged, so the same point would be proposed again and again.

    Proposals depend only on the seed, the trial number and the observations told so far, so a resumed
    search (:meth:`restore`) continues exactly as an uninterrupted one would. To keep the cost of a
    proposal low as trials accumulate, the kernel's hyperparameters are re-estimated from scratch (with
    restarts) on every observation up to ``full_refit_until`` and then only when the number of
    observations has grown by ``refit_growth``; in between, the last estimate is reused as is.

    Args:
        space: The validated search space.
        seed: Seed of the design, the candidate sampling and the model's restarts.
        budget: Total number of trials, when known (caps the initial design at a third of it).
        n_initial_points: Size of the initial design (default: ``min(10, number of dimensions + 3)``).
        acq_func: Acquisition function: ``"EI"``, ``"LCB"``, ``"PI"`` or ``"gp_hedge"``.
        acq_optimizer: ``"local"`` (random candidates, then local moves), or skopt's ``"sampling"``
            (best of ``n_candidates`` random points) or ``"lbfgs"``.
        n_candidates: Random points on which the acquisition function is evaluated first.
        xi: Improvement over the best loss that ``"EI"`` and ``"PI"`` ignore, in units of the loss
            the model is fitted on (skopt's default is 0.01; 0 measured better, being scale-free).
        kernel_priors: Estimate the kernel's hyperparameters with priors (maximum a posteriori)
            rather than by maximum likelihood.
        full_refit_until: Re-estimate the hyperparameters on every observation up to this many.
        refit_growth: After that, re-estimate them when the observations grew by this factor.
    """

    name = "bayes"

    def __init__(self, space: Space, *, seed: int = 0, budget: int | None = None,
                 n_initial_points: int | None = None, acq_func: str = "EI",
                 acq_optimizer: str = "local", n_candidates: int = 1000,
                 xi: float = 0.0, kernel_priors: bool = True,
                 full_refit_until: int = 10, refit_growth: float = 1.15) -> None:
        super().__init__(space, seed=seed, budget=budget)
        if acq_func not in _ACQ_FUNCS:
            raise SpecError(f"acq_func: expected one of {', '.join(_ACQ_FUNCS)}, got {acq_func!r}")
        if acq_optimizer not in _ACQ_OPTIMIZERS:
            raise SpecError(f"acq_optimizer: expected one of {', '.join(_ACQ_OPTIMIZERS)}, "
                            f"got {acq_optimizer!r}")
        if acq_optimizer == "local" and acq_func == "gp_hedge":
            raise SpecError("acq_func: 'gp_hedge' needs acq_optimizer='sampling' or 'lbfgs'")
        if not isinstance(n_candidates, int) or n_candidates < 1:
            raise SpecError(f"n_candidates: expected a positive integer, got {n_candidates!r}")
        if not (isinstance(xi, (int, float)) and not isinstance(xi, bool) and xi >= 0):
            raise SpecError(f"xi: expected a number >= 0, got {xi!r}")
        if not isinstance(kernel_priors, bool):
            raise SpecError(f"kernel_priors: expected True or False, got {kernel_priors!r}")
        if not isinstance(full_refit_until, int) or full_refit_until < 2:
            raise SpecError(f"full_refit_until: expected an integer >= 2, got {full_refit_until!r}")
        if not (isinstance(refit_growth, (int, float)) and refit_growth >= 1.0):
            raise SpecError(f"refit_growth: expected a number >= 1, got {refit_growth!r}")
        # A categorical with one choice is a constant: the backend cannot encode it, and need not.
        self._fixed = {name: dim.choices[0] for name, dim in space.items()
                       if isinstance(dim, Categorical) and len(dim.choices) == 1}
        self._free = [name for name in space if name not in self._fixed]
        if n_initial_points is None:
            n_initial_points = min(10, len(self._free) + 3)
            if budget is not None:
                n_initial_points = max(2, min(n_initial_points, budget // 3))
        if not isinstance(n_initial_points, int) or n_initial_points < 1:
            raise SpecError(f"n_initial_points: expected a positive integer, got {n_initial_points!r}")
        self.n_initial_points = n_initial_points
        self.acq_func = acq_func
        self.acq_optimizer = acq_optimizer
        self.n_candidates = n_candidates
        self.xi = float(xi)
        self.kernel_priors = kernel_priors
        self.full_refit_until = full_refit_until
        self.refit_growth = float(refit_growth)
        self._observations: list[Observation] = []
        self._pending: list[dict[str, Any]] = []
        self._design: list[dict[str, Any]] | None = None
        self._hyper_cache: dict[int, Any] = {}
        self._dims: list[Any] | None = None
        self._normalized: Any = None
        self._snap: Any = None
        self._rows: dict[tuple[Any, ...], list[Any] | None] = {}
        self._gp_params: dict[str, Any] | None = None

    # -- learning ------------------------------------------------------------------------------------

    def tell(self, observations: Sequence[Observation]) -> None:
        """Record finished trials, whoever proposed them; they count from the next :meth:`ask` on."""
        for obs in observations:
            self._observations.append(obs)
            key = _param_key(obs.params)
            for i, pending in enumerate(self._pending):
                if _param_key(pending) == key:
                    del self._pending[i]
                    break

    def restore(self, observations: Sequence[Observation]) -> None:
        """Continue after ``observations`` as if this strategy had proposed and been told them."""
        self._observations = []
        self._pending = []
        self._hyper_cache = {}
        super().restore(observations)

    # -- proposing -----------------------------------------------------------------------------------

    def ask(self, n: int = 1) -> list[dict[str, Any]]:
        """Return ``n`` proposals: design points first, then model-based ones (constant liar)."""
        if not self._free:  # every dimension has a single choice: nothing to search
            self.n_asked += n
            return [dict(self._fixed) for _ in range(n)]
        proposals: list[dict[str, Any]] = []
        xs, ys = self._training_data(self._observations)
        n_usable = len(xs)
        while (len(proposals) < n and self.n_asked + len(proposals) < self.n_initial_points
               and n_usable < self.n_initial_points):
            proposals.append(self._design_point(self.n_asked + len(proposals)))
        rest = n - len(proposals)
        if rest > 0:
            if n_usable < 2:  # nothing to fit yet (every trial failed): keep exploring at random
                rng = np.random.default_rng([self.seed, self.n_asked + len(proposals)])
                proposals += [self.space.sample(rng) for _ in range(rest)]
            else:
                proposals += self._model_points(rest, self._pending + proposals, xs, ys)
        self.n_asked += len(proposals)
        self._pending += proposals
        return proposals

    def _design_point(self, number: int) -> dict[str, Any]:
        if self._design is None:
            # A Latin hypercube: each dimension's range is cut into n_initial_points equal slices
            # (in log space for log dimensions) and every slice is used once.
            rng = np.random.default_rng([self.seed, 0x1D])
            size = self.n_initial_points
            unit = np.stack([(rng.permutation(size) + rng.random(size)) / size for _ in self._free], 1)
            self._design = [
                {**{name: from_unit(self.space[name], u) for name, u in zip(self._free, row)},
                 **self._fixed} for row in unit]
        params = self._design[number]
        return {name: params[name] for name in self.space}

    def _training_data(self, observations: Sequence[Observation]) -> tuple[list[list[Any]], list[float]]:
        losses = [o.loss for o in observations if o.state is not TrialState.FAIL and o.loss is not None
                  and math.isfinite(o.loss)]
        worst = max(losses) if losses else None
        xs, ys = [], []
        for obs in observations:
            if obs.state is not TrialState.FAIL and obs.loss is not None and math.isfinite(obs.loss):
                loss = float(obs.loss)
            elif worst is not None:
                loss = worst
            else:
                continue
            row = self._row(obs.params)
            if row is None:
                continue  # a resumed point outside the space (changed since) cannot be encoded
            xs.append(row)
            ys.append(loss)
        return xs, ys

    def _row(self, params: dict[str, Any]) -> list[Any] | None:
        """``params`` encoded for the backend, or ``None`` outside the space (memoised: checking
        containment took 15 ms per proposal at 100 trials)."""
        key = _param_key(params)
        if key not in self._rows:
            self._rows[key] = self._encode(params) if self.space.contains(params) else None
        return self._rows[key]

    def _new_gp(self, random_state: int) -> Any:
        """A fresh, unfitted Gaussian process (its parameters are built once per strategy)."""
        if self._gp_params is None:
            self._gp_params = _gaussian_process_params(self._normalized_space(), self.kernel_priors)
        return _fast_gp()(**{**self._gp_params, "random_state": random_state})

    def _encode(self, params: dict[str, Any]) -> list[Any]:
        row: list[Any] = []
        for name in self._free:
            dim, value = self.space[name], params[name]
            if isinstance(dim, Categorical):
                row.append(str(dim.index(value)))  # tokens: skopt cannot mix types or hold None
            else:
                row.append(value)
        return row

    def _decode(self, row: Sequence[Any]) -> dict[str, Any]:
        values: dict[str, Any] = dict(self._fixed)
        for name, raw in zip(self._free, row):
            dim = self.space[name]
            if isinstance(dim, Categorical):
                values[name] = dim.choices[int(raw)]
            elif isinstance(dim, Integer):
                values[name] = int(min(max(round(float(raw)), dim.low), dim.high))
            else:
                assert isinstance(dim, Real)
                values[name] = float(min(max(float(raw), dim.low), dim.high))
        return {name: values[name] for name in self.space}

    def _skopt_dimensions(self) -> list[Any]:
        if self._dims is None:
            from skopt import space as sk

            dims: list[Any] = []
            for name in self._free:
                dim: Dimension = self.space[name]
                if isinstance(dim, Categorical):
                    dims.append(sk.Categorical([str(i) for i in range(len(dim.choices))], name=name))
                elif isinstance(dim, Integer):
                    dims.append(sk.Integer(dim.low, dim.high, name=name,
                                           prior="log-uniform" if dim.log else "uniform"))
                else:
                    assert isinstance(dim, Real)
                    dims.append(sk.Real(dim.low, dim.high, name=name,
                                        prior="log-uniform" if dim.log else "uniform"))
            self._dims = dims
        return self._dims

    def _refit_points(self, n_observations: int) -> tuple[int, int | None]:
        """The re-estimation point in force after ``n_observations`` and the one before it."""
        if n_observations <= self.full_refit_until or self.refit_growth == 1.0:
            return n_observations, (n_observations - 1 if n_observations > 1 else None)
        previous, point = self.full_refit_until - 1, self.full_refit_until
        while True:
            following = max(point + 1, math.ceil(point * self.refit_growth))
            if following > n_observations:
                return point, previous
            previous, point = point, following

    def _hyperparameters(self, n_observations: int) -> Any:
        """Kernel hyperparameters estimated on the first observations (``None``: not enough data).

        Each estimate starts from the previous one plus one random restart, which converges in a few
        iterations; the chain depends only on the observations, so a restored strategy rebuilds it.
        """
        point, previous = self._refit_points(n_observations)
        if point in self._hyper_cache:
            return self._hyper_cache[point]
        start = self._hyperparameters(previous) if previous is not None else None
        xs, ys = self._training_data(self._observations[:point])
        if len(xs) < 2:
            result = start
        else:
            from skopt.learning.gaussian_process.kernels import WhiteKernel

            space = self._normalized_space()
            gp = self._new_gp(_derived_seed(self.seed, point))
            if start is not None:
                signal, noise = start
                gp.set_params(kernel=signal + WhiteKernel(noise_level=noise), n_restarts_optimizer=1)
            with _quiet_backend():
                gp.fit(space.transform(xs), _warp(ys))
            result = (gp.kernel_.k1, max(float(gp.noise_ or 0.0), 1e-5))
        self._hyper_cache[point] = result
        return result

    def _normalized_space(self) -> Any:
        if self._normalized is None:
            from skopt.utils import normalize_dimensions

            self._normalized = normalize_dimensions(self._skopt_dimensions())
        return self._normalized

    def _estimator(self, random_state: int) -> Any:
        """A Gaussian process with the hyperparameters in force, fitted without re-estimating them."""
        from skopt.learning.gaussian_process.kernels import WhiteKernel

        gp = self._new_gp(random_state)
        hyper = self._hyperparameters(len(self._observations))
        if hyper is not None:
            signal, noise = hyper
            gp.set_params(kernel=signal + WhiteKernel(noise_level=noise), optimizer=None)
        return gp

    def _model_points(self, count: int, pending: list[dict[str, Any]], xs: list[list[Any]],
                      ys: list[float]) -> list[dict[str, Any]]:
        """``count`` proposals from the model fitted on ``xs, ys`` (the training data), ``pending`` running."""
        # Small matrices: multi-threaded BLAS only adds synchronisation cost (4x slower measured).
        with _one_blas_thread(), _quiet_backend():
            if self.acq_optimizer == "local":
                return self._local_points(count, pending, xs, ys)
            return self._skopt_points(count, pending, xs, ys)

    def _local_points(self, count: int, pending: list[dict[str, Any]], xs: list[list[Any]],
                      ys: list[float]) -> list[dict[str, Any]]:
        """Maximise the acquisition with :func:`maximise_acquisition`, one proposal at a time.

        Each proposal after the first is chosen with the earlier ones told the best loss so far
        (constant liar), as are trials still running from an earlier ``ask``.
        """
        space = self._normalized_space()

        def encoded(points: list[dict[str, Any]]) -> np.ndarray:
            return np.asarray(space.transform([self._encode(p) for p in points]), dtype=float)

        observed = np.asarray(space.transform(xs), dtype=float)
        anchors = observed[np.argsort(ys, kind="stable")[:5]]
        X = np.concatenate([observed, encoded(pending)]) if pending else observed
        y = _warp(ys + [min(ys)] * len(pending))  # the lie: the best loss so far
        rng = np.random.default_rng([self.seed, 0xAC, self.n_asked])
        proposals: list[dict[str, Any]] = []
        for _ in range(count):
            gp = self._estimator(_derived_seed(self.seed, self.n_asked, len(proposals)))
            gp.fit(X, y)
            point = maximise_acquisition(self._acquisition(gp, min(y)), self._snapper(),
                                         X.shape[1], anchors, rng, n_random=self.n_candidates)
            proposals.append(self._decode(space.inverse_transform(point[None, :])[0]))
            X = np.concatenate([X, encoded(proposals[-1:])])
            y = _warp(ys + [min(ys)] * (len(pending) + len(proposals)))
        return proposals

    def _acquisition(self, gp: Any, y_opt: float) -> Any:
        """The acquisition function as "higher is better" values at the rows of its input."""
        from skopt.acquisition import gaussian_ei, gaussian_lcb, gaussian_pi

        if self.acq_func == "EI":
            return lambda X: gaussian_ei(X, gp, y_opt=y_opt, xi=self.xi)
        if self.acq_func == "PI":
            return lambda X: gaussian_pi(X, gp, y_opt=y_opt, xi=self.xi)
        return lambda X: -gaussian_lcb(X, gp)

    def _snapper(self) -> Any:
        """A function that maps rows of the unit cube to the nearest valid encodings of points."""
        if self._snap is None:
            from skopt.space import Categorical as SkCategorical
            from skopt.space import Integer as SkInteger

            columns: list[tuple[int, int, Any]] = []
            start = 0
            for dim in self._normalized_space().dimensions:
                columns.append((start, start + dim.transformed_size, dim))
                start += dim.transformed_size

            def snap(X: np.ndarray) -> np.ndarray:
                X = X.copy()
                for begin, end, dim in columns:
                    if isinstance(dim, SkCategorical):
                        if end - begin == 1:  # two choices share one 0/1 column
                            X[:, begin] = np.round(X[:, begin])
                        else:
                            block = np.zeros((len(X), end - begin))
                            block[np.arange(len(X)), np.argmax(X[:, begin:end], axis=1)] = 1.0
                            X[:, begin:end] = block
                    elif isinstance(dim, SkInteger):
                        X[:, begin] = np.asarray(dim.transform(dim.inverse_transform(X[:, begin])),
                                                 dtype=float)
                return X

            self._snap = snap
        return self._snap

    def _skopt_points(self, count: int, pending: list[dict[str, Any]], xs: list[list[Any]],
                      ys: list[float]) -> list[dict[str, Any]]:
        """Proposals from skopt's own ``Optimizer`` (``acq_optimizer`` "sampling" or "lbfgs")."""
        from skopt import Optimizer

        # Running trials are told the best loss so far ("constant liar", as skopt's cl_min does).
        lie = min(ys)
        xs = xs + [self._encode(p) for p in pending]
        ys = _warp(ys + [lie] * len(pending))
        random_state = _derived_seed(self.seed, self.n_asked)
        optimizer = Optimizer(
            self._skopt_dimensions(),
            base_estimator=self._estimator(random_state),
            n_initial_points=0, acq_func=self.acq_func, acq_optimizer=self.acq_optimizer,
            acq_optimizer_kwargs={"n_points": self.n_candidates, "n_restarts_optimizer": 5},
            random_state=random_state)
        optimizer.tell(xs, ys)
        rows = [optimizer.ask()] if count == 1 else optimizer.ask(n_points=count, strategy="cl_min")
        return [self._decode(row) for row in rows]
