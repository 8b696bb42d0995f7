"""The Gaussian-process strategy: its settings, the ask/tell bookkeeping and model-based proposals."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from tunekit.errors import SpecError
from tunekit.space import Space
from tunekit.strategies.base import Observation, Strategy
from tunekit.strategies.bayes._acquisition import maximise_acquisition
from tunekit.strategies.bayes._design import latin_hypercube
from tunekit.strategies.bayes._encoding import Encoding
from tunekit.strategies.bayes._gaussian_process import (
    estimate_hyperparameters,
    fast_gaussian_process,
    gaussian_process_params,
    quiet_backend,
)
from tunekit.strategies.bayes._scalarise import draw_weights, tchebycheff
from tunekit.strategies.bayes._threads import one_blas_thread
from tunekit.strategies.bayes._warping import warp
from tunekit.trial import TrialState

__all__ = ["BayesStrategy"]

_ACQ_FUNCS = ("EI", "LCB", "PI", "gp_hedge")
_ACQ_OPTIMIZERS = ("local", "sampling", "lbfgs")


def _param_key(params: dict[str, Any]) -> tuple[Any, ...]:
    """A hashable key that tells ``1``, ``1.0`` and ``True`` apart (dict equality does not)."""
    return tuple((name, type(value).__name__, value) for name, value in params.items())


def _row_key_list(X: np.ndarray) -> list[bytes]:
    """One key per row of ``X``, equal for rows equal to 12 decimals (``-0.0`` and ``0.0`` alike)."""
    rounded = np.ascontiguousarray(np.round(np.asarray(X, dtype=float), 12) + 0.0)
    return [row.tobytes() for row in rounded]


def _row_keys(X: np.ndarray) -> set[bytes]:
    return set(_row_key_list(X))


def _derived_seed(*entropy: int) -> int:
    return int(np.random.SeedSequence(list(entropy)).generate_state(1)[0] >> 1)


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
    from one model of the finished trials: each proposal maximises the acquisition damped near the
    trials still running and the batch's earlier proposals (a local penalty, half a length scale wide),
    so the batch spreads out; the first proposal of a batch is the one a single ``ask`` would make.
    (The constant liar, which told each proposal the best loss seen, scored 0.10 lower with four
    workers than with one on the BBOB tuning subset, the penalty 0.03: ``benchmarks/BAYES_BBOB.md``.)
    With ``acq_func="LCB"`` and skopt's maximisers a batch still uses the constant liar.

    When the losses have a heavy upper tail, the process is fitted on ``log(1 + (loss - best) / s)``
    (``s``: the median distance to the best loss), an increasing transform that keeps a few huge
    losses from dominating the fit.

    Failed trials are told with the worst loss seen so far rather than skipped: a configuration that
    crashes (out of memory, diverging training) usually crashes again, and a skipped failure leaves the
    acquisition function unchanged, so the same point would be proposed again and again.

    With several objectives (observations carrying ``losses``), each proposal fits the process on the
    augmented Tchebycheff scalarisation of the normalised losses under weights drawn for that proposal from
    the seed (ParEGO), so that successive proposals aim at different parts of the Pareto front; a trial that
    misses a limit scores worse than every feasible one, by its violation (see ``_scalarise``). The kernel's
    hyperparameters are estimated on the equal-weights scalarisation.

    The acquisition search leaves out points already observed, running or proposed (rows equal to 12
    decimals), so a small discrete space is not sampled twice while points are left; once every allowed
    point is taken it searches all of them again.

    Proposals depend only on the seed, the trial number and the observations told so far, so a resumed
    search (:meth:`restore`) continues exactly as an uninterrupted one would. To keep the cost of a
    proposal low as trials accumulate, the kernel's hyperparameters are re-estimated on every
    observation up to ``full_refit_until`` and then only when the number of observations has grown by
    ``refit_growth``; in between, the last estimate is reused as is. Each estimate starts afresh (the
    kernel's defaults and one random restart) on at most ``refit_sample`` observations, a seeded random
    sample of them when there are more: its cost stays bounded however long the search, and a resumed
    search makes only the estimate in force rather than replaying every earlier one.

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
        refit_sample: Estimate them on at most this many observations (a seeded random sample of the
            observations when there are more); the Gaussian process itself is fitted on all of them.
    """

    name = "bayes"
    #: Random restarts of each hyperparameter estimate, besides the run from the kernel's defaults.
    _RESTARTS = 1
    # Switches of the acquisition search measured by ``benchmarks.bayes_bbob`` (see BAYES_BBOB.md).
    #: Observations the acquisition search perturbs around.
    _N_ANCHORS = 5
    #: How those are chosen: "best" (the best ones), "diverse" (the best, then the best ones at least
    #: ``_ANCHOR_DISTANCE`` away from every anchor chosen, in unit-cube distance over sqrt(dims)).
    _ANCHORS = "best"
    _ANCHOR_DISTANCE = 0.1
    #: ``xi`` in units of the loss the model is fitted on ("absolute") or of its standard deviation ("std").
    _XI_SCALE = "absolute"
    #: Every this many model-based proposals, one maximises the lower confidence bound with this kappa
    #: instead of the acquisition function (0: never).
    _EXPLORE_EVERY = 0
    _EXPLORE_KAPPA = 4.0
    #: Global candidates of the acquisition search: "uniform" or "sobol" (scrambled, seeded).
    _GLOBAL = "uniform"
    #: Step of the local moves: 0.1 in the unit cube (0), or this times each column's length scale,
    #: within [0.01, _STEP_MAX] (a trust region that follows the model).
    _STEP_SCALE = 0.0
    _STEP_MAX = 0.3
    #: How a batch's earlier proposals (and trials still running) are accounted for while the next one is
    #: chosen: a local penalty on the acquisition ("penalise", EI and PI only), or a lie they are told:
    #: the best loss seen ("min"), the worst ("max"), or, within a batch, the model's mean ("mean").
    _LIE = "penalise"
    #: With ``_LIE = "penalise"``: no lie, the acquisition is damped within this many length scales of
    #: the trials running and the batch's earlier proposals.
    _PENALTY_RADIUS = 0.5
    #: Rate of the Gamma(1.1, rate) prior on the noise variance of normalised losses (see ``log_prior``).
    _NOISE_RATE = 30.0

    def __init__(self, space: Space, *, seed: int = 0, budget: int | None = None,
                 n_initial_points: int | None = None, acq_func: str = "EI",
                 acq_optimizer: str = "local", n_candidates: int = 1000,
                 xi: float = 0.0, kernel_priors: bool = True,
                 full_refit_until: int = 10, refit_growth: float = 1.15, refit_sample: int = 128) -> None:
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
        if not isinstance(refit_sample, int) or isinstance(refit_sample, bool) or refit_sample < 2:
            raise SpecError(f"refit_sample: expected an integer >= 2, got {refit_sample!r}")
        self._encoding = Encoding(space)
        if n_initial_points is None:
            n_initial_points = min(10, len(self._encoding.free) + 3)
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
        self.refit_sample = refit_sample
        self._observations: list[Observation] = []
        self._pending: list[dict[str, Any]] = []
        self._design: list[dict[str, Any]] | None = None
        #: The estimate in force: (re-estimation point, hyperparameters), see :meth:`_hyperparameters`.
        self._hyper: tuple[int, Any] | None = None
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
        self._hyper = None
        super().restore(observations)

    # -- proposing -----------------------------------------------------------------------------------

    def ask(self, n: int = 1) -> list[dict[str, Any]]:
        """Return ``n`` proposals: design points first, then model-based ones (a batch spread by a local penalty)."""
        if not self._encoding.free:  # every dimension has a single value: nothing to search
            self.n_asked += n
            return [self.space.restrict(self._encoding.fixed) for _ in range(n)]
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
            elif objectives := self._objectives(self._observations):
                # ParEGO: each proposal fits the model on a scalarisation with weights of its own
                for _ in range(rest):
                    weights = draw_weights(objectives, self.seed, self.n_asked + len(proposals))
                    xs, ys = self._training_data(self._observations, weights)
                    proposals += self._model_points(1, self._pending + proposals, xs, ys)
            else:
                proposals += self._model_points(rest, self._pending + proposals, xs, ys)
        if self.space.constraints:  # a proposal the constraints forbid is replaced by an allowed draw
            proposals = [point if self.space.allowed(point) else self.space.sample(
                np.random.default_rng([self.seed, 0xC0, self.n_asked + i])) for i, point in enumerate(proposals)]
        self.n_asked += len(proposals)
        self._pending += proposals
        return proposals

    def _design_point(self, number: int) -> dict[str, Any]:
        if self._design is None:
            self._design = latin_hypercube(self._encoding, self.n_initial_points, self.seed)
        return dict(self._design[number])

    def _training_data(self, observations: Sequence[Observation],
                       weights: np.ndarray | None = None) -> tuple[list[list[Any]], list[float]]:
        """The encoded rows and losses the Gaussian process is fitted on; failed trials get the worst loss.

        With several objectives the losses are the augmented Tchebycheff scalarisation under ``weights``
        (equal weights when ``None``) of the complete trials' losses; trials without them (failed, pruned)
        get the worst.
        """
        usable = self._scalarised(observations, weights) if self._objectives(observations) else [
            float(o.loss) if o.state is not TrialState.FAIL and o.loss is not None and math.isfinite(o.loss)
            else None for o in observations]
        losses = [loss for loss in usable if loss is not None]
        worst = max(losses) if losses else None
        xs, ys = [], []
        for obs, usable_loss in zip(observations, usable, strict=True):
            if usable_loss is not None:
                loss = usable_loss
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

    @staticmethod
    def _objectives(observations: Sequence[Observation]) -> int:
        """How many objectives the observations carry losses of (0: a single objective)."""
        for obs in observations:
            if obs.losses is not None and len(obs.losses) > 1:
                return len(obs.losses)
        return 0

    def _scalarised(self, observations: Sequence[Observation], weights: np.ndarray | None) -> list[float | None]:
        """Each observation's scalarised loss (``None``: no finite losses of every objective)."""
        k = self._objectives(observations)
        complete = [i for i, o in enumerate(observations) if o.state is TrialState.COMPLETE and o.losses is not None
                    and len(o.losses) == k and all(map(math.isfinite, o.losses)) and math.isfinite(o.violation)]
        result: list[float | None] = [None] * len(observations)
        if complete:
            scores = tchebycheff([observations[i].losses or () for i in complete],
                                 [observations[i].violation for i in complete],
                                 np.full(k, 1.0 / k) if weights is None else weights)
            for i, score in zip(complete, scores, strict=True):
                result[i] = float(score)
        return result

    def _row(self, params: dict[str, Any]) -> list[Any] | None:
        """``params`` encoded for the backend, or ``None`` outside the space (memoised: checking
        containment took 15 ms per proposal at 100 trials)."""
        key = _param_key(params)
        if key not in self._rows:
            self._rows[key] = self._encoding.encode(params) if self.space.contains(params) else None
        return self._rows[key]

    def _gp_parameters(self) -> dict[str, Any]:
        """The Gaussian process's parameters (built once per strategy)."""
        if self._gp_params is None:
            self._gp_params = gaussian_process_params(self._encoding.normalized(), self.kernel_priors)
        return self._gp_params

    def _new_gp(self, random_state: int) -> Any:
        """A fresh, unfitted Gaussian process."""
        return fast_gaussian_process()(**{**self._gp_parameters(), "random_state": random_state})

    def _refit_point(self, n_observations: int) -> int:
        """The re-estimation point in force after ``n_observations``."""
        if n_observations <= self.full_refit_until or self.refit_growth == 1.0:
            return n_observations
        point = self.full_refit_until
        while True:
            following = max(point + 1, math.ceil(point * self.refit_growth))
            if following > n_observations:
                return point
            point = following

    def _hyperparameters(self, n_observations: int) -> Any:
        """Kernel hyperparameters estimated on the first observations (``None``: not enough data).

        Each estimate is a function of those observations and the seed alone: it starts from the
        kernel's defaults plus random restarts, never from an earlier estimate, and uses at most
        ``refit_sample`` observations (a seeded sample of them when there are more). A restored strategy
        therefore makes only the estimate in force, at a cost that does not grow with the trials, and
        gets the very one an uninterrupted search made.
        """
        point = self._refit_point(n_observations)
        if self._hyper is not None and self._hyper[0] == point:
            return self._hyper[1]
        xs, ys = self._training_data(self._observations[:point])
        result = None
        if len(xs) >= 2:
            X = np.asarray(self._encoding.normalized().transform(xs), dtype=float)
            y = np.asarray(warp(ys))
            if len(X) > self.refit_sample:
                rng = np.random.default_rng([self.seed, 0x5A, point])
                keep = np.sort(rng.choice(len(X), self.refit_sample, replace=False))
                X, y = X[keep], y[keep]
            signal, noise = estimate_hyperparameters(self._gp_parameters(), X, y, priors=self.kernel_priors,
                                                     restarts=self._RESTARTS, seed=_derived_seed(self.seed, point),
                                                     noise_rate=self._NOISE_RATE)
            result = (signal, max(noise, 1e-5))
        self._hyper = (point, result)
        return result

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
        with one_blas_thread(), quiet_backend():
            if self.acq_optimizer == "local":
                return self._local_points(count, pending, xs, ys)
            return self._skopt_points(count, pending, xs, ys)

    def _local_points(self, count: int, pending: list[dict[str, Any]], xs: list[list[Any]],
                      ys: list[float]) -> list[dict[str, Any]]:
        """Maximise the acquisition with :func:`maximise_acquisition`, one proposal at a time.

        With the local penalty (``_LIE = "penalise"``, EI and PI) see :meth:`_penalised_points`; otherwise
        each proposal after the first is chosen with the earlier ones told a lie (the best loss so far by
        default), as are trials still running from an earlier ``ask``.
        """
        space = self._encoding.normalized()

        def encoded(points: list[dict[str, Any]]) -> np.ndarray:
            return np.asarray(space.transform([self._encoding.encode(p) for p in points]), dtype=float)

        observed = np.asarray(space.transform(xs), dtype=float)
        anchors = self._anchors(observed, ys)
        if self._LIE == "penalise" and self.acq_func in ("EI", "PI"):
            return self._penalised_points(count, encoded(pending) if pending else observed[:0], observed, ys,
                                          anchors)
        X = np.concatenate([observed, encoded(pending)]) if pending else observed
        lie = max(ys) if self._LIE == "max" else min(ys)
        y = warp(ys + [lie] * len(pending))  # the lie: the best loss so far
        rng = np.random.default_rng([self.seed, 0xAC, self.n_asked])
        proposals: list[dict[str, Any]] = []
        for _ in range(count):
            gp = self._estimator(_derived_seed(self.seed, self.n_asked, len(proposals)))
            gp.fit(X, y)
            number = self.n_asked + len(proposals) - self.n_initial_points
            explore = self._EXPLORE_EVERY > 0 and number % self._EXPLORE_EVERY == self._EXPLORE_EVERY - 1
            acquisition = (self._lower_bound(gp, self._EXPLORE_KAPPA) if explore
                           else self._acquisition(gp, min(y), float(np.std(y))))
            point = self._maximise(acquisition, X, anchors, rng, self._step(gp, X.shape[1]))
            proposals.append(self._encoding.decode(space.inverse_transform(point[None, :])[0]))
            X = np.concatenate([X, encoded(proposals[-1:])])
            if self._LIE == "mean":
                y = [*y, float(gp.predict(X[-1:])[0])]
            else:
                y = warp(ys + [lie] * (len(pending) + len(proposals)))
        return proposals

    def _maximise(self, acquisition: Any, taken: np.ndarray, anchors: np.ndarray, rng: np.random.Generator,
                  step: float | np.ndarray) -> np.ndarray:
        """The encoded point that maximises ``acquisition`` among the allowed rows not in ``taken``.

        Rows already observed, running or proposed are left out, so that a small discrete space is not
        sampled twice where a new point is left; when the search found only such rows (every allowed
        point is taken) it runs again over all allowed rows.
        """
        def search(function: Any) -> np.ndarray:
            return maximise_acquisition(function, self._encoding.snapper(), taken.shape[1], anchors, rng,
                                        n_random=self.n_candidates, step=step, sobol=self._GLOBAL == "sobol")

        point = search(self._allowed_only(acquisition, taken))
        if _row_keys(point[None, :]) & _row_keys(taken):
            point = search(self._allowed_only(acquisition))
        return point

    def _allowed_only(self, acquisition: Any, taken: np.ndarray | None = None) -> Any:
        """``acquisition`` at minus infinity on the rows the constraints forbid and on the rows equal (to 12
        decimals) to one of ``taken`` (as is without constraints and nothing taken)."""
        keys = _row_keys(taken) if taken is not None else set()
        if not self.space.constraints and not keys:
            return acquisition

        def masked(X: np.ndarray) -> np.ndarray:
            values = np.asarray(acquisition(X), dtype=float).copy()
            values[~self._encoding.allowed(X)] = -np.inf
            if keys:
                values[[key in keys for key in _row_key_list(X)]] = -np.inf
            return values

        return masked

    def _penalised_points(self, count: int, running: np.ndarray, observed: np.ndarray, ys: list[float],
                          anchors: np.ndarray) -> list[dict[str, Any]]:
        """A batch from one model fitted on the finished trials: each proposal maximises the acquisition
        times a penalty that vanishes at the trials still running and the batch's earlier proposals
        (``1 - exp(-d^2 / 2)``, ``d`` the distance in units of ``_PENALTY_RADIUS`` length scales)."""
        space = self._encoding.normalized()
        y = warp(ys)
        gp = self._estimator(_derived_seed(self.seed, self.n_asked, 0))
        gp.fit(observed, y)
        radius = self._PENALTY_RADIUS * np.broadcast_to(self._length_scales(gp, observed.shape[1]),
                                                        (observed.shape[1],))
        base = self._acquisition(gp, min(y), float(np.std(y)))
        rng = np.random.default_rng([self.seed, 0xAC, self.n_asked])
        centres = list(running)
        proposals: list[dict[str, Any]] = []
        for _ in range(count):
            fixed = np.asarray(centres)

            def acquisition(X: np.ndarray, fixed: np.ndarray = fixed) -> np.ndarray:
                values = np.asarray(base(X), dtype=float)
                for centre in fixed:
                    values = values * -np.expm1(-0.5 * np.sum(((X - centre) / radius) ** 2, axis=1))
                return values

            taken = np.concatenate([observed, fixed.reshape(-1, observed.shape[1])])
            point = self._maximise(acquisition, taken, anchors, rng, self._step(gp, observed.shape[1]))
            centres.append(point)
            proposals.append(self._encoding.decode(space.inverse_transform(point[None, :])[0]))
        return proposals

    @staticmethod
    def _length_scales(gp: Any, columns: int) -> np.ndarray:
        """The fitted length scales per column (0.1 each where the kernel has none: categorical spaces)."""
        scales = np.atleast_1d(getattr(getattr(getattr(gp.kernel_, "k1", None), "k2", None), "length_scale",
                                       0.1)).astype(float)
        return scales if len(scales) in (1, columns) else np.full(columns, 0.1)

    def _step(self, gp: Any, columns: int) -> float | np.ndarray:
        """The first step of the local moves: fixed, or proportional to the fitted length scales."""
        if self._STEP_SCALE <= 0:
            return 0.1
        scales = np.broadcast_to(self._length_scales(gp, columns), (columns,))
        return np.clip(self._STEP_SCALE * scales, 0.01, self._STEP_MAX)

    def _anchors(self, observed: np.ndarray, ys: list[float]) -> np.ndarray:
        """The observations the acquisition search perturbs around, best first."""
        order = np.argsort(ys, kind="stable")
        if self._ANCHORS == "best":
            return observed[order[:self._N_ANCHORS]]
        chosen: list[int] = []
        radius = self._ANCHOR_DISTANCE * math.sqrt(observed.shape[1])
        for i in order:
            if all(np.linalg.norm(observed[i] - observed[j]) >= radius for j in chosen):
                chosen.append(int(i))
                if len(chosen) == self._N_ANCHORS:
                    break
        return observed[chosen]

    def _acquisition(self, gp: Any, y_opt: float, y_std: float = 1.0) -> Any:
        """The acquisition function as "higher is better" values at the rows of its input."""
        from skopt.acquisition import gaussian_ei, gaussian_lcb, gaussian_pi

        xi = self.xi * (y_std if self._XI_SCALE == "std" else 1.0)
        if self.acq_func == "EI":
            return lambda X: gaussian_ei(X, gp, y_opt=y_opt, xi=xi)
        if self.acq_func == "PI":
            return lambda X: gaussian_pi(X, gp, y_opt=y_opt, xi=xi)
        return lambda X: -gaussian_lcb(X, gp)

    @staticmethod
    def _lower_bound(gp: Any, kappa: float) -> Any:
        from skopt.acquisition import gaussian_lcb

        return lambda X: -gaussian_lcb(X, gp, kappa=kappa)

    def _skopt_points(self, count: int, pending: list[dict[str, Any]], xs: list[list[Any]],
                      ys: list[float]) -> list[dict[str, Any]]:
        """Proposals from skopt's own ``Optimizer`` (``acq_optimizer`` "sampling" or "lbfgs")."""
        from skopt import Optimizer

        # Running trials are told the best loss so far ("constant liar", as skopt's cl_min does).
        lie = min(ys)
        xs = xs + [self._encoding.encode(p) for p in pending]
        ys = warp(ys + [lie] * len(pending))
        random_state = _derived_seed(self.seed, self.n_asked)
        optimizer = Optimizer(
            self._encoding.dimensions(),
            base_estimator=self._estimator(random_state),
            n_initial_points=0, acq_func=self.acq_func, acq_optimizer=self.acq_optimizer,
            acq_optimizer_kwargs={"n_points": self.n_candidates, "n_restarts_optimizer": 5},
            random_state=random_state)
        optimizer.tell(xs, ys)
        rows = [optimizer.ask()] if count == 1 else optimizer.ask(n_points=count, strategy="cl_min")
        return [self._encoding.decode(row) for row in rows]
