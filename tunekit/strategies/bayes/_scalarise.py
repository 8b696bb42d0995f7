"""ParEGO's scalarisation: several objectives' losses as one loss, with weights drawn per proposal.

Each proposal of the bayes strategy in an experiment with several objectives fits its Gaussian process on
the augmented Tchebycheff scalarisation of the normalised losses under weights of its own (Knowles, 2006),
so that successive proposals aim at different parts of the Pareto front.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["RHO", "draw_weights", "tchebycheff"]

#: Weight of the sum term of the augmented Tchebycheff function (ParEGO's 0.05): it tells apart points
#: that tie on the maximum term, so that weakly dominated points score worse.
RHO = 0.05


def draw_weights(objectives: int, seed: int, number: int) -> np.ndarray:
    """The weights of proposal ``number``: uniform on the simplex, a function of the seed and the number."""
    return np.random.default_rng([seed, 0x7E, number]).dirichlet(np.ones(objectives))


def tchebycheff(losses: Sequence[Sequence[float]], violations: Sequence[float], weights: np.ndarray,
                rho: float = RHO) -> np.ndarray:
    """One loss per row of ``losses`` (rows: trials, columns: objectives to minimise).

    Each objective is scaled to [0, 1] over the feasible rows (over every row when none is feasible), then
    ``max_k(w_k f_k) + rho * sum_k(w_k f_k)``. An infeasible row (``violation > 0``) scores the worst
    feasible score plus its violation, so every feasible trial is better than every infeasible one and a
    smaller miss is better; with no feasible row the scores are the violations alone.
    """
    values = np.asarray(losses, dtype=float).reshape(len(violations), len(weights))
    violation = np.asarray(violations, dtype=float)
    feasible = violation <= 0
    if not feasible.any():
        return violation.copy()
    low = values[feasible].min(axis=0)
    span = values[feasible].max(axis=0) - low
    scaled = (values - low) / np.where(span > 0, span, 1.0)
    weighted = scaled * weights
    scores = weighted.max(axis=1) + rho * weighted.sum(axis=1)
    worst = scores[feasible].max()
    return np.where(feasible, scores, worst + violation)
