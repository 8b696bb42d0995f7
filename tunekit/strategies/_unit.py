"""Map parameter values to and from the unit interval, one dimension at a time.

Strategies that work on numbers (the evolutionary strategy, the Bayesian strategy's initial design) use
this so that every dimension kind is handled the same way: log dimensions are scaled in log space,
integers widen by half a unit on each side so that rounding gives the end values their fair share, and a
categorical's unit value selects a choice by equal-width bins.
"""

from __future__ import annotations

import math
from typing import Any

from tunekit.space import Categorical, Dimension, Integer, Real

__all__ = ["from_unit", "to_unit"]


def _range(dim: Real | Integer) -> tuple[float, float]:
    low, high = float(dim.low), float(dim.high)
    if isinstance(dim, Integer):
        low, high = low - 0.5, high + 0.5
    if dim.log:
        return math.log(low), math.log(high)
    return low, high


def to_unit(dim: Dimension, value: Any) -> float:
    """Return where ``value`` lies in ``dim`` as a number in ``[0, 1]`` (a choice: its bin centre)."""
    if isinstance(dim, Categorical):
        return (dim.index(value) + 0.5) / len(dim.choices)
    assert isinstance(dim, (Real, Integer))
    low, high = _range(dim)
    x = math.log(value) if dim.log else float(value)
    return min(max((x - low) / (high - low), 0.0), 1.0)


def from_unit(dim: Dimension, u: float) -> Any:
    """Return the value of ``dim`` at ``u`` in ``[0, 1]`` (clipped), with the dimension's exact type."""
    u = min(max(float(u), 0.0), 1.0)
    if isinstance(dim, Categorical):
        return dim.choices[min(int(u * len(dim.choices)), len(dim.choices) - 1)]
    assert isinstance(dim, (Real, Integer))
    low, high = _range(dim)
    x = low + u * (high - low)
    if dim.log:
        x = math.exp(x)
    if isinstance(dim, Integer):
        return int(min(max(round(x), dim.low), dim.high))
    return float(min(max(x, dim.low), dim.high))
