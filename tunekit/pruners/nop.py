"""The pruner that never prunes: every trial runs its full budget."""

from __future__ import annotations

from tunekit.pruners.base import History, Pruner

__all__ = ["NopPruner"]


class NopPruner(Pruner):
    """Never prune (``pruner="none"``, the default): reports are recorded, every trial runs to the end."""

    name = "none"

    def __init__(self) -> None:
        pass

    def should_prune(self, trial_number: int, step: int, history: History) -> bool:
        return False
