"""Random search: independent draws, log dimensions sampled log-uniformly."""

from __future__ import annotations

from typing import Any

import numpy as np

from tunekit.strategies.base import Strategy

__all__ = ["RandomStrategy"]


class RandomStrategy(Strategy):
    """Draw every parameter set independently from the space's distributions.

    Trial ``k`` is drawn from a generator seeded with ``(seed, k)``, so proposals do not depend on how
    many are asked at once, on the number of workers, or on a resume in between.
    """

    name = "random"
    history_free = True

    def ask(self, n: int = 1) -> list[dict[str, Any]]:
        proposals = []
        for number in range(self.n_asked, self.n_asked + n):
            rng = np.random.default_rng([self.seed, number])
            proposals.append(self.space.sample(rng))
        self.n_asked += n
        return proposals
