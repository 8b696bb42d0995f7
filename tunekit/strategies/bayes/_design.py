"""The initial design: a seeded Latin hypercube over the free dimensions."""

from __future__ import annotations

from typing import Any

import numpy as np

from tunekit.strategies.bayes._encoding import Encoding

__all__ = ["latin_hypercube"]


def latin_hypercube(encoding: Encoding, size: int, seed: int) -> list[dict[str, Any]]:
    """``size`` points in space order: each free dimension's unit range (:meth:`Dimension.to_unit`, so
    log dimensions in log space) is cut into ``size`` equal slices and every slice is used once; in a
    conditional space each point keeps its active parameters."""
    space = encoding.space
    rng = np.random.default_rng([seed, 0x1D])
    unit = np.stack([(rng.permutation(size) + rng.random(size)) / size for _ in encoding.free], 1)
    points = [{**{name: space[name].from_unit(u) for name, u in zip(encoding.free, row, strict=True)},
               **encoding.fixed} for row in unit]
    return [space.restrict(point) for point in points]
