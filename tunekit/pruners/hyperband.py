"""Hyperband: several successive-halving brackets of different aggressiveness, trials spread over them."""

from __future__ import annotations

import math
import zlib
from typing import Any

from tunekit.errors import SpecError
from tunekit.pruners.base import History, Pruner, check_int
from tunekit.pruners.successive_halving import SuccessiveHalvingPruner

__all__ = ["HyperbandPruner"]


class HyperbandPruner(Pruner):
    """Hyperband (Li et al., 2018) on top of asynchronous successive halving, as Optuna does it.

    There are ``n = floor(log_rf(max_resource / min_resource)) + 1`` brackets. Bracket ``b`` is a
    :class:`SuccessiveHalvingPruner` with ``min_early_stopping_rate = b``: bracket 0 judges trials at
    ``min_resource`` already, the last bracket lets them run to ``max_resource``. Each trial is assigned
    to one bracket deterministically from its trial number and ``seed`` (a CRC32 hash), with weights
    proportional to the number of configurations Hyperband gives each bracket
    (``ceil(n * rf**s / (s + 1))``, ``s = n - 1 - b``), and is compared only with trials of its bracket.

    Steps are resource units: an experiment declares its resource by reporting ``step`` = epochs /
    trees / samples consumed so far (1 after the first epoch); ``max_resource`` is the full budget of one
    trial. No rung is placed at or above ``max_resource``, so a trial that used its whole budget is never
    pruned at its last report.

    Args:
        min_resource: Resource every trial gets before its first rung.
        max_resource: The full budget of one trial, or ``"auto"``: the largest step any trial has
            reported so far. ``"auto"`` is exact once one trial has finished (the first trial of a serial
            search is never pruned: it is alone); with parallel workers give it explicitly, or early
            trials are spread over fewer brackets than later ones.
        reduction_factor: ``rf`` of every bracket; >= 2.
        seed: Seed of the bracket assignment.
    """

    name = "hyperband"

    def __init__(self, *, min_resource: int = 1, max_resource: int | str = "auto", reduction_factor: int = 3,
                 seed: int = 0) -> None:
        self.min_resource = check_int(self.name, "min_resource", min_resource, minimum=1)
        self.reduction_factor = check_int(self.name, "reduction_factor", reduction_factor, minimum=2)
        self.seed = check_int(self.name, "seed", seed, minimum=0)
        if max_resource == "auto":
            self.max_resource: int | str = "auto"
        else:
            if isinstance(max_resource, bool) or not isinstance(max_resource, int) \
                    or max_resource <= self.min_resource:
                raise SpecError(f"pruner {self.name!r}: max_resource must be 'auto' or an integer greater "
                                f"than min_resource ({self.min_resource}), got {max_resource!r}")
            self.max_resource = int(max_resource)

    @property
    def options(self) -> dict[str, Any]:
        return {"min_resource": self.min_resource, "max_resource": self.max_resource,
                "reduction_factor": self.reduction_factor, "seed": self.seed}

    def n_brackets(self, max_resource: int) -> int:
        """``floor(log_rf(max_resource / min_resource)) + 1``, computed exactly in integers."""
        n, rung = 1, self.min_resource * self.reduction_factor
        while rung <= max_resource:
            n += 1
            rung *= self.reduction_factor
        return n

    def bracket_budgets(self, max_resource: int) -> list[int]:
        """How many configurations Hyperband gives each bracket, bracket 0 (most aggressive) first."""
        n = self.n_brackets(max_resource)
        return [math.ceil(n * self.reduction_factor ** (n - 1 - b) / (n - b)) for b in range(n)]

    def bracket_of(self, trial_number: int, max_resource: int) -> int:
        """The bracket trial ``trial_number`` belongs to (deterministic, independent of the others)."""
        budgets = self.bracket_budgets(max_resource)
        ticket = zlib.crc32(f"{self.seed}:{trial_number}".encode()) % sum(budgets)
        for bracket, budget in enumerate(budgets):
            if ticket < budget:
                return bracket
            ticket -= budget
        raise AssertionError("unreachable")  # pragma: no cover

    def _resolve_max_resource(self, history: History) -> int | None:
        if self.max_resource != "auto":
            return int(self.max_resource)
        steps = [s for reports in history.values() for s in reports]
        return max(steps) if steps and max(steps) > self.min_resource else None

    def should_prune(self, trial_number: int, step: int, history: History) -> bool:
        max_resource = self._resolve_max_resource(history)
        if max_resource is None:
            return False
        bracket = self.bracket_of(trial_number, max_resource)
        same_bracket = {number: reports for number, reports in history.items()
                        if number == trial_number or self.bracket_of(number, max_resource) == bracket}
        halving = SuccessiveHalvingPruner(min_resource=self.min_resource, reduction_factor=self.reduction_factor,
                                          min_early_stopping_rate=bracket, max_resource=max_resource)
        return halving.should_prune(trial_number, step, same_bracket)
