"""Asynchronous successive halving (ASHA): keep the best 1/rf of the trials at each rung."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from tunekit.errors import SpecError
from tunekit.pruners.base import History, Pruner, check_int, is_nan, reports_until

__all__ = ["SuccessiveHalvingPruner", "is_promotable", "rung_value"]


def rung_value(reports: Mapping[int, float], rung_step: int) -> float | None:
    """The loss a trial brought to the rung at ``rung_step``: its report at the first step >= the rung.

    ``None`` when the trial never got that far. NaN counts as the worst possible loss.
    """
    reached = [s for s in reports if s >= rung_step]
    if not reached:
        return None
    value = float(reports[min(reached)])
    return math.inf if is_nan(value) else value


def is_promotable(value: float, competitors: list[float], reduction_factor: int) -> bool:
    """Whether ``value`` is among the best ``len/rf`` losses of the rung (itself included).

    With fewer than ``rf`` trials at the rung, only the best one goes on: trials cannot be paused until
    enough of them arrive, so this is the decision the synchronous algorithm would most likely make.
    """
    ranked = sorted([*competitors, value])
    keep = max(len(ranked) // reduction_factor, 1)
    return value <= ranked[keep - 1]


class SuccessiveHalvingPruner(Pruner):
    """Asynchronous successive halving, as in ASHA (Li et al., 2020) and Optuna's pruner.

    Rung ``k`` sits at step ``min_resource * reduction_factor ** (min_early_stopping_rate + k)``. When a
    trial first reaches a rung it goes on only if its loss is among the best ``1 / reduction_factor`` of
    all trials that reached that rung so far (including itself); with fewer than ``reduction_factor``
    trials there, it must be the best. Decisions use the trials available now, so the pruner works with
    parallel workers and never waits; a promotion is never revisited.

    Steps are resource units: an experiment declares its resource by reporting ``step`` = epochs /
    trees / samples consumed so far (1 after the first epoch), and ``max_resource`` is the full budget of
    one trial. A trial that reports only some steps is judged at its first report at or past each rung
    (ask after every report: a rung crossed by a report without a check is not judged later).

    Args:
        min_resource: Resource every trial gets before its first rung.
        reduction_factor: ``rf``: the rungs are ``rf`` times apart and keep the best ``1/rf``; >= 2.
        min_early_stopping_rate: Skip this many of the lowest rungs (Hyperband's bracket index).
        max_resource: The full budget of a trial, if known: no rung is placed at or above it, so a trial
            that consumed its whole budget is never pruned at its last report. ``None``: unbounded.
    """

    name = "asha"

    def __init__(self, *, min_resource: int = 1, reduction_factor: int = 3, min_early_stopping_rate: int = 0,
                 max_resource: int | None = None) -> None:
        self.min_resource = check_int(self.name, "min_resource", min_resource, minimum=1)
        self.reduction_factor = check_int(self.name, "reduction_factor", reduction_factor, minimum=2)
        self.min_early_stopping_rate = check_int(self.name, "min_early_stopping_rate", min_early_stopping_rate,
                                                 minimum=0)
        self.max_resource = None if max_resource is None else check_int(
            self.name, "max_resource", max_resource, minimum=1)
        if self.max_resource is not None and self.max_resource <= self.min_resource:
            raise SpecError(f"pruner {self.name!r}: max_resource must be greater than min_resource "
                            f"({self.min_resource}), got {self.max_resource}")

    @property
    def options(self) -> dict[str, Any]:
        return {"min_resource": self.min_resource, "reduction_factor": self.reduction_factor,
                "min_early_stopping_rate": self.min_early_stopping_rate, "max_resource": self.max_resource}

    def rung_steps(self, up_to: int) -> Iterator[int]:
        """The steps of the rungs at or below ``up_to`` (and below ``max_resource``), lowest first."""
        rung = self.min_resource * self.reduction_factor ** self.min_early_stopping_rate
        while rung <= up_to and (self.max_resource is None or rung < self.max_resource):
            yield rung
            rung *= self.reduction_factor

    def should_prune(self, trial_number: int, step: int, history: History) -> bool:
        own = reports_until(history, trial_number, step)
        if step not in own:
            return False
        previous = max((s for s in own if s < step), default=-1)
        for rung in self.rung_steps(step):
            if rung <= previous:
                continue  # decided at an earlier report
            value = math.inf if is_nan(own[step]) else own[step]  # diverged: the worst loss, not an error
            competitors = [v for number, reports in history.items() if number != trial_number
                           for v in [rung_value(reports, rung)] if v is not None]
            if not is_promotable(value, competitors, self.reduction_factor):
                return True
        return False
