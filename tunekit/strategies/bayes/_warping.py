"""The monotone transform of the losses that the Gaussian process is fitted on."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["warp"]

#: Losses are log-warped when their sample skewness exceeds this ("highly skewed" by the usual rule).
_HEAVY_TAIL = 1.0


def warp(losses: Sequence[float]) -> list[float]:
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
