"""BOHB's model for early-stopped searches: a density-ratio (TPE-like) model fitted on the highest rung with
enough results, learning from every report of the trials a pruner stopped (numpy only)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tunekit.errors import SpecError
from tunekit.space import Categorical, Space
from tunekit.strategies.base import Observation, Strategy
from tunekit.trial import TrialState

__all__ = ["BOHBStrategy"]


@dataclass(frozen=True)
class _Record:
    """One finished trial as the model sees it: its reports and how it ended."""

    params: dict[str, Any]
    reports: dict[int, float]  # step -> loss (NaN already the worst)
    final: float | None  # the loss of a complete trial (reached every budget), else None
    failed: bool

    def value_at(self, budget: int | None) -> float | None:
        """The loss the trial brought to ``budget`` (``None``: the final budget), or ``None`` if it never got
        there: its report at the first step at or past the budget, as the pruners judge rungs."""
        if budget is not None:
            reached = [s for s in self.reports if s >= budget]
            if reached:
                return self.reports[min(reached)]
        if self.final is not None:
            return self.final
        if self.failed and not self.reports:
            return math.inf  # failed before reporting: as bad as it gets, at any budget
        return None


def _truncated_normal_pdf(x: np.ndarray, mean: np.ndarray, width: np.ndarray) -> np.ndarray:
    """Density at ``x`` of normals centred on ``mean`` with std ``width``, truncated to [0, 1]."""
    z = (x - mean) / width
    mass = 0.5 * (_erf((1.0 - mean) / (width * math.sqrt(2))) - _erf(-mean / (width * math.sqrt(2))))
    return np.exp(-0.5 * z * z) / (width * math.sqrt(2 * math.pi) * np.maximum(mass, 1e-12))


def _erf(x: np.ndarray) -> np.ndarray:
    return np.vectorize(math.erf, otypes=[float])(x)


class BOHBStrategy(Strategy):
    """Multi-fidelity model-based search, the model half of BOHB (Falkner et al., ICML 2018).

    Pair it with the ``asha`` or ``hyperband`` pruner: the pruner decides which trials stop at which
    resource level (rung), this strategy decides what to try next. Every trial's reports
    (``trial.report(value, step)``) are kept, pruned trials' included. For each proposal the model is fitted
    on the *highest budget* (a reported step) that at least ``2 * min_points`` trials reached, each trial
    taking the value it reported at the first step at or past that budget (as the pruners judge rungs); a
    complete trial counts at every budget with its final value. The model is shared by all of Hyperband's
    brackets. Those trials are split into the best ``top_fraction`` (at least ``min_points``) and the
    rest (also at least ``min_points``, as in BOHB's reference implementation, hpbandster: a "rest" of a
    couple of points is a density so narrow that the ratio mostly steers away from them), a kernel density
    is fitted on each (a product of truncated normals on the unit scale of each numeric dimension, log
    dimensions in log space, and Aitchison-Aitken kernels for categoricals, with normal-reference
    bandwidths), and the proposal is the best of ``n_candidates`` draws from the good density, widened by
    ``bandwidth_factor``, by the ratio good / rest. A fraction ``random_fraction`` of proposals (and every
    proposal until some budget has enough results) are random draws, which keeps BOHB's guarantee of
    Hyperband's worst case.

    Why a density model rather than tunekit's Gaussian process: a multi-fidelity search has many cheap
    low-budget results (ASHA's first rung holds every trial), the density costs O(trials) per proposal
    where the process is cubic, and it handles categorical and conditional dimensions natively. With
    conditional spaces, a density only uses the trials where a dimension is active (elsewhere it is
    uniform); a candidate draws its parents first and the parameters they activate, and a constraint that
    forbids a candidate sends the search to the next candidate (a random allowed draw when none is).

    Proposal ``k`` depends only on a generator seeded with ``(seed, k)`` and the observations told before
    it, so a restored search continues exactly like an uninterrupted one. The strategy is
    :attr:`~Strategy.asynchronous`: with parallel workers the search asks it one trial whenever a worker
    frees up (a pruned trial frees its worker early), so such a search depends on the order in which
    trials finish, as ASHA's decisions do; a serial search is reproduced exactly.

    Args:
        space: The validated search space.
        seed: Seed of every random choice.
        budget: Total number of trials, when known (unused: the model needs no initial design size).
        random_fraction: Share of proposals drawn at random, in [0, 1].
        top_fraction: Share of a budget's results that make the "good" density, in (0, 1).
        min_points: Results each density (good and rest) needs at least (default: number of dimensions + 1).
        n_candidates: Draws from the good density among which the best ratio is proposed.
        bandwidth_factor: How much wider than the fitted bandwidths the candidates are drawn.
        min_bandwidth: Smallest bandwidth of any dimension (keeps a collapsed density exploring).
    """

    name = "bohb"
    asynchronous = True

    def __init__(self, space: Space, *, seed: int = 0, budget: int | None = None, random_fraction: float = 1 / 3,
                 top_fraction: float = 0.15, min_points: int | None = None, n_candidates: int = 64,
                 bandwidth_factor: float = 3.0, min_bandwidth: float = 1e-3) -> None:
        super().__init__(space, seed=seed, budget=budget)
        for option, value, low, high in (("random_fraction", random_fraction, 0.0, 1.0),
                                         ("top_fraction", top_fraction, 1e-9, 1.0 - 1e-9),
                                         ("min_bandwidth", min_bandwidth, 1e-9, 1.0)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
                raise SpecError(f"{option}: expected a number in [{low:g}, {high:g}], got {value!r}")
        if min_points is not None and (isinstance(min_points, bool) or not isinstance(min_points, int)
                                       or min_points < 1):
            raise SpecError(f"min_points: expected a positive integer, got {min_points!r}")
        if isinstance(n_candidates, bool) or not isinstance(n_candidates, int) or n_candidates < 1:
            raise SpecError(f"n_candidates: expected a positive integer, got {n_candidates!r}")
        if isinstance(bandwidth_factor, bool) or not isinstance(bandwidth_factor, (int, float)) \
                or bandwidth_factor <= 0:
            raise SpecError(f"bandwidth_factor: expected a positive number, got {bandwidth_factor!r}")
        self.random_fraction = float(random_fraction)
        self.top_fraction = float(top_fraction)
        self.min_points = min_points if min_points is not None else len(space) + 1
        self.n_candidates = n_candidates
        self.bandwidth_factor = float(bandwidth_factor)
        self.min_bandwidth = float(min_bandwidth)
        self._names = list(space)
        self._records: list[_Record] = []

    # -- learning ------------------------------------------------------------------------------------

    def tell(self, observations: Sequence[Observation]) -> None:
        """Record finished trials, whoever proposed them, with every report they made."""
        for obs in observations:
            if not self.space.contains(obs.params):
                continue  # e.g. a resumed trial of an older space
            reports = {int(step): (math.inf if math.isnan(loss) else float(loss))
                       for step, loss in obs.intermediate}
            loss = None if obs.state is TrialState.FAIL or obs.loss is None else float(obs.loss)
            if loss is not None and math.isnan(loss):
                loss = math.inf
            final = loss if obs.state is TrialState.COMPLETE else None
            if obs.state is TrialState.PRUNED and loss is not None and not reports:
                reports = {0: loss}  # pruned without reports: its last value, at the lowest step
            self._records.append(_Record(dict(obs.params), reports, final, failed=loss is None))

    def restore(self, observations: Sequence[Observation]) -> None:
        """Continue after ``observations`` as if this strategy had proposed and been told them."""
        self._records = []
        super().restore(observations)

    # -- the model -----------------------------------------------------------------------------------

    def model_budget(self) -> tuple[int | None, list[tuple[dict[str, Any], float]]] | None:
        """The budget the model is fitted on and its ``(params, loss)`` results, best first (ties: earliest);
        ``None`` while no budget has ``2 * min_points`` results with one finite loss."""
        steps = sorted({s for record in self._records for s in record.reports}, reverse=True)
        budgets: list[int | None] = [*steps] if steps else [None]
        for budget in budgets:
            results = [(i, r.params, v) for i, r in enumerate(self._records)
                       for v in [r.value_at(budget)] if v is not None]
            if len(results) >= 2 * self.min_points and any(math.isfinite(v) for _, _, v in results):
                results.sort(key=lambda item: (item[2], item[0]))
                return budget, [(params, loss) for _, params, loss in results]
        return None

    def _encode(self, points: Sequence[dict[str, Any]]) -> np.ndarray:
        """Each point's unit-scale position per dimension (a categorical's index), NaN where inactive."""
        rows = np.full((len(points), len(self._names)), np.nan)
        for i, params in enumerate(points):
            for j, name in enumerate(self._names):
                if name in params:
                    dim = self.space[name]
                    rows[i, j] = dim.index(params[name]) if isinstance(dim, Categorical) else dim.to_unit(params[name])
        return rows

    def _bandwidths(self, data: np.ndarray) -> np.ndarray:
        """Normal-reference bandwidths per dimension (unit scale; for a categorical, the probability mass
        the kernel spreads over the other choices)."""
        widths = np.empty(len(self._names))
        dims = len(self._names)
        for j, name in enumerate(self._names):
            column = data[:, j][~np.isnan(data[:, j])]
            n = max(len(column), 1)
            factor = n ** (-1.0 / (dims + 4))
            if isinstance(self.space[name], Categorical):
                widths[j] = min(0.5, factor * 0.5)
            else:
                std = float(np.std(column)) if len(column) > 1 else 0.3
                widths[j] = 1.06 * max(std, 0.05) * factor
            widths[j] = max(widths[j], self.min_bandwidth)
        return widths

    def _density(self, candidates: np.ndarray, data: np.ndarray, widths: np.ndarray) -> np.ndarray:
        """The product-kernel density of ``data`` at each candidate (dimensions inactive in a candidate are
        left out; a data point where a dimension is inactive contributes the uniform density there)."""
        total = np.ones((len(candidates), len(data)))
        for j, name in enumerate(self._names):
            x = candidates[:, j][:, None]
            s = data[:, j][None, :]
            dim = self.space[name]
            if isinstance(dim, Categorical):
                k = len(dim.choices)
                if k == 1:
                    continue
                kernel = np.where(x == s, 1.0 - widths[j], widths[j] / (k - 1)) * k  # relative to uniform
            else:
                kernel = _truncated_normal_pdf(x, np.nan_to_num(s, nan=0.5), np.full_like(s, widths[j]))
            kernel = np.where(np.isnan(s), 1.0, kernel)
            total *= np.where(np.isnan(x), 1.0, kernel)
        return total.mean(axis=1)

    def _draw(self, good: list[dict[str, Any]], good_rows: np.ndarray, widths: np.ndarray,
              rng: np.random.Generator) -> dict[str, Any]:
        """One candidate from the good density, widened: around a random good point, parents first."""
        centre = int(rng.integers(len(good)))
        drawn: dict[str, Any] = {}
        for name in self.space.parents_first:
            if not self.space.is_active(name, drawn):
                continue
            j = self._names.index(name)
            dim = self.space[name]
            anchor = good_rows[centre, j]
            if math.isnan(anchor):
                drawn[name] = dim.sample(rng)
            elif isinstance(dim, Categorical):
                keep = rng.random() >= min(1.0, widths[j] * self.bandwidth_factor)
                drawn[name] = dim.choices[int(anchor)] if keep else dim.sample(rng)
            else:
                width = widths[j] * self.bandwidth_factor
                u = anchor + width * rng.standard_normal()
                for _ in range(20):  # truncated to the unit interval by rejection, then clipped
                    if 0.0 <= u <= 1.0:
                        break
                    u = anchor + width * rng.standard_normal()
                drawn[name] = dim.from_unit(min(max(u, 0.0), 1.0))
        return {name: drawn[name] for name in self._names if name in drawn}

    def _model_point(self, results: list[tuple[dict[str, Any], float]], rng: np.random.Generator) -> dict[str, Any]:
        # hpbandster's split: the best top_fraction, at least min_points, and at least min_points left for the rest
        n_good = min(max(self.min_points, int(self.top_fraction * len(results))), len(results) - self.min_points)
        good = [params for params, _ in results[:n_good]]
        rest = [params for params, _ in results[n_good:]]
        good_rows, rest_rows = self._encode(good), self._encode(rest)
        good_widths, rest_widths = self._bandwidths(good_rows), self._bandwidths(rest_rows)
        candidates = [self._draw(good, good_rows, good_widths, rng) for _ in range(self.n_candidates)]
        if self.space.constraints:
            candidates = [c for c in candidates if self.space.allowed(c)]
            if not candidates:
                return self.space.sample(rng)
        encoded = self._encode(candidates)
        ratio = self._density(encoded, good_rows, good_widths) / np.maximum(
            self._density(encoded, rest_rows, rest_widths), 1e-300)
        return candidates[int(np.argmax(ratio))]

    # -- proposing -----------------------------------------------------------------------------------

    def ask(self, n: int = 1) -> list[dict[str, Any]]:
        """Return ``n`` proposals, each a random draw or the model's best candidate (see the class)."""
        fitted = self.model_budget()
        proposals = []
        for number in range(self.n_asked, self.n_asked + n):
            rng = np.random.default_rng([self.seed, number])
            explore = rng.random() < self.random_fraction
            if fitted is None or explore:
                proposals.append(self.space.sample(rng))
            else:
                proposals.append(self._model_point(fitted[1], rng))
        self.n_asked += n
        return proposals
