"""Early stopping on a trial's own learning curve: stop when it has stopped improving."""

from __future__ import annotations

from typing import Any

from tunekit.pruners.base import History, Pruner, check_float, check_int, is_nan, reports_until

__all__ = ["PatiencePruner"]


class PatiencePruner(Pruner):
    """Prune a trial whose loss has not improved by more than ``min_delta`` for ``patience`` reports.

    The rule of Keras' ``EarlyStopping``: a report improves when its loss is below the best loss so far
    minus ``min_delta`` (the best is updated only by such improvements); the trial is pruned at the
    ``patience``-th consecutive report that does not improve. A NaN loss never improves. Only the trial's
    own reports matter, so this pruner -- unlike the others -- may stop a trial that is alone in the
    search.

    Steps are resource units: an experiment declares its resource by reporting ``step`` = epochs /
    trees / samples consumed so far; ``patience`` counts reports, not steps.

    Args:
        patience: Number of consecutive non-improving reports that stops the trial; >= 1.
        min_delta: Smallest decrease of the loss that counts as an improvement; >= 0.
    """

    name = "patience"

    def __init__(self, *, patience: int, min_delta: float = 0.0) -> None:
        self.patience = check_int(self.name, "patience", patience, minimum=1)
        self.min_delta = check_float(self.name, "min_delta", min_delta, minimum=0.0)

    @property
    def options(self) -> dict[str, Any]:
        return {"patience": self.patience, "min_delta": self.min_delta}

    def should_prune(self, trial_number: int, step: int, history: History) -> bool:
        best, waited = float("inf"), 0
        for loss in reports_until(history, trial_number, step).values():
            if not is_nan(loss) and loss < best - self.min_delta:
                best, waited = loss, 0
            else:
                waited += 1
        return waited >= self.patience
