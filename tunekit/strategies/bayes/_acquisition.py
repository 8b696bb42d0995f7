"""Maximise an acquisition function over a search space encoded in the unit cube.

Random candidates alone rarely land close to the incumbent once a space has more than a few
dimensions, so the maximiser adds candidates perturbed around the best observations and then refines
the best candidates by local moves with a shrinking step. Pure numpy: the caller supplies the
acquisition function and the ``snap`` that maps any point of the cube to the nearest valid encoding
(integers rounded, categoricals one-hot).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

__all__ = ["maximise_acquisition"]

Function = Callable[[np.ndarray], np.ndarray]


def _perturb(centres: np.ndarray, count: int, step: float | np.ndarray, rng: np.random.Generator,
             snap: Function) -> np.ndarray:
    """``count`` Gaussian moves around each centre (rows), each dimension moved with probability
    ``min(1, 5 / dims)`` and at least one moved, so that high-dimensional moves stay local."""
    dims = centres.shape[1]
    base = np.repeat(centres, count, axis=0)
    moved = rng.random(base.shape) < min(1.0, 5.0 / dims)
    moved[np.arange(len(base)), rng.integers(0, dims, len(base))] = True
    noise = rng.normal(0.0, 1.0, base.shape) * step
    return snap(np.clip(base + moved * noise, 0.0, 1.0))


def maximise_acquisition(acquisition: Function, snap: Function, n_dims: int, anchors: np.ndarray,
                         rng: np.random.Generator, *, n_random: int = 1000, n_around: int = 100,
                         n_starts: int = 5, n_moves: int = 32, rounds: int = 10,
                         step: float | np.ndarray = 0.1, sobol: bool = False) -> np.ndarray:
    """Return the encoded point with the highest ``acquisition`` value found.

    Args:
        acquisition: Values of the acquisition function (higher is better) at the rows of its input.
        snap: Maps rows of ``[0, 1]^n_dims`` to the nearest valid encodings.
        n_dims: Number of encoded columns.
        anchors: Encoded points to search around (the best observations, best first); may be empty.
        rng: Source of the random candidates and moves.
        n_random: Uniform random candidates.
        n_around: Candidates perturbed around each anchor.
        n_starts: Best candidates refined by local moves.
        n_moves: Moves tried around each refined point per round.
        rounds: Rounds of local moves; a point's step halves after a round that did not improve it.
        step: Standard deviation of the first moves, in unit-cube coordinates (a scalar or one per
            column).
        sobol: Draw the random candidates from a scrambled Sobol sequence (seeded by ``rng``) rather
            than uniformly.
    """
    if sobol:
        from scipy.stats import qmc

        # a whole power of two keeps the sequence's balance (1024 for the default 1000)
        uniform = qmc.Sobol(n_dims, seed=rng).random_base2(max(0, math.ceil(math.log2(n_random))))
    else:
        uniform = rng.random((n_random, n_dims))
    candidates = [snap(uniform)]
    if len(anchors):
        candidates.append(_perturb(anchors, n_around, step, rng, snap))
    points = np.concatenate(candidates)
    values = acquisition(points)
    order = np.argsort(-values, kind="stable")
    best = points[order[:n_starts]]
    best_values = values[order[:n_starts]]
    # One step size per refined point: kept after a successful round, halved after a failed one.
    steps = np.ones((len(best), 1)) * step
    for _ in range(rounds):
        moves = _perturb(best, n_moves, np.repeat(steps, n_moves, axis=0), rng, snap)
        move_values = acquisition(moves).reshape(len(best), n_moves)
        winner = np.argmax(move_values, axis=1)
        better = move_values[np.arange(len(best)), winner] > best_values
        best[better] = moves.reshape(len(best), n_moves, n_dims)[better, winner[better]]
        best_values[better] = move_values[better, winner[better]]
        steps[~better] /= 2
    return best[int(np.argmax(best_values))]
