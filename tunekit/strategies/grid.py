"""Grid search: every combination of the dimensions' grid points."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tunekit.space import Space
from tunekit.strategies.base import Strategy

__all__ = ["GridStrategy"]


class GridStrategy(Strategy):
    """Enumerate the grid in order, the last dimension varying fastest.

    When the budget is smaller than the grid, a seeded random subset of the grid (kept in grid order) is
    evaluated instead of its first rows, so that every dimension's range is still covered.
    """

    name = "grid"
    history_free = True

    def __init__(self, space: Space, *, seed: int = 0, budget: int | None = None) -> None:
        super().__init__(space, seed=seed, budget=budget)
        self._axes = [(name, space[name].grid_points()) for name in space]
        self.grid_size = math.prod(len(points) for _, points in self._axes)
        if budget is not None and budget < self.grid_size:
            rng = np.random.default_rng(seed)
            self._order: Any = np.sort(rng.choice(self.grid_size, size=budget, replace=False))
        else:
            self._order = None

    @property
    def max_trials(self) -> int:
        return self.grid_size if self._order is None else len(self._order)

    def _combination(self, index: int) -> dict[str, Any]:
        params = {}
        for name, points in reversed(self._axes):
            index, position = divmod(index, len(points))
            params[name] = points[position]
        return {name: params[name] for name, _ in self._axes}

    def ask(self, n: int = 1) -> list[dict[str, Any]]:
        stop = min(self.n_asked + n, self.max_trials)
        indices = range(self.n_asked, stop)
        if self._order is not None:
            indices = [int(self._order[i]) for i in indices]  # type: ignore[assignment]
        self.n_asked = max(self.n_asked, stop)
        return [self._combination(i) for i in indices]
