"""Grid search: every combination of the dimensions' grid points."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from tunekit.space import Space
from tunekit.strategies.base import Observation, Strategy

__all__ = ["GridStrategy"]


class GridStrategy(Strategy):
    """Enumerate the grid in order, the last dimension varying fastest.

    In a conditional or constrained space the grid is the allowed combinations of the active parameters
    only (:meth:`Space.grid`), each once.

    When the budget is smaller than the grid, a seeded random subset of the grid (kept in grid order) is
    evaluated instead of its first rows, so that every dimension's range is still covered.

    Start points (observations restored with ``warm_start=True``) are trials of the budget: the grid
    skips the points equal to one of them rather than evaluating them twice, and a subset is drawn from
    the remaining points for the budget left after them.

    A resumed search continues its own order exactly. When its trials are not that order's beginning (the
    budget changed since, e.g. ``--resume --trials 30`` after 12 trials of a 30-point grid) it evaluates
    the points not yet evaluated instead, each once: a seeded subset of them for the budget left.
    """

    name = "grid"
    history_free = True

    def __init__(self, space: Space, *, seed: int = 0, budget: int | None = None) -> None:
        super().__init__(space, seed=seed, budget=budget)
        self._axes = [(name, space[name].grid_points()) for name in space]
        # A conditional or constrained grid is listed; a plain one is computed point by point.
        self._listed = None if space.is_flat else list(space.grid())
        self.grid_size = math.prod(len(points) for _, points in self._axes) if self._listed is None else len(
            self._listed)
        self._skipped: list[int] = []  # grid indices of start points, ascending
        self._order = self._choose(budget)
        self._offset = 0  # positions before this were evaluated by an earlier run with another order

    def _choose(self, room: int | None) -> Any:
        """The positions (among the points not skipped) to evaluate in a budget of ``room``; ``None``: all."""
        free = self.grid_size - len(self._skipped)
        if room is None or room >= free:
            return None
        rng = np.random.default_rng(self.seed)
        return np.sort(rng.choice(free, size=max(room, 0), replace=False))

    @property
    def max_trials(self) -> int:
        return self._offset + (self.grid_size - len(self._skipped) if self._order is None else len(self._order))

    def _combination(self, position: int) -> dict[str, Any]:
        position -= self._offset
        index = position if self._order is None else int(self._order[position])
        for skipped in self._skipped:  # the index-th point that is not skipped
            if skipped > index:
                break
            index += 1
        if self._listed is not None:
            return dict(self._listed[index])
        params = {}
        for name, points in reversed(self._axes):
            index, offset = divmod(index, len(points))
            params[name] = points[offset]
        return {name: params[name] for name, _ in self._axes}

    def ask(self, n: int = 1) -> list[dict[str, Any]]:
        stop = min(self.n_asked + n, self.max_trials)
        positions = range(self.n_asked, stop)
        self.n_asked = max(self.n_asked, stop)
        return [self._combination(p) for p in positions]

    def restore(self, observations: Sequence[Observation]) -> None:
        """Continue after ``observations``: its own proposals, and start points that it skips from now on."""
        start = [obs for obs in observations if obs.warm_start]
        own = [obs for obs in observations if not obs.warm_start]
        indices = {self.space.grid_index(obs.params) for obs in start}
        self._skipped = sorted(i for i in indices if i is not None)
        self._order = self._choose(None if self.budget is None else self.budget - len(start))
        self._offset = 0
        expected = [self.space.grid_index(self._combination(p)) for p in range(min(len(own), self.max_trials))]
        if sorted(map(self._index_key, expected)) != sorted(self._index_key(self.space.grid_index(o.params))
                                                            for o in own):
            done = {self.space.grid_index(obs.params) for obs in observations}
            self._skipped = sorted(i for i in done if i is not None)
            self._order = self._choose(None if self.budget is None else self.budget - len(observations))
            self._offset = len(own)
        super().restore(observations)
        self.n_asked = len(own)

    @staticmethod
    def _index_key(index: int | None) -> int:
        return -1 if index is None else index
