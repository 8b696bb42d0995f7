"""The median stopping rule: stop a trial that is doing worse than the typical trial at the same step."""

from __future__ import annotations

from typing import Any

import numpy as np

from tunekit.pruners.base import History, Pruner, check_int, is_nan, reports_until

__all__ = ["MedianPruner"]


class MedianPruner(Pruner):
    """Prune a trial whose best loss so far is worse than the median loss of the other trials at this step.

    The semantics are Optuna's ``MedianPruner``: the trial's *best* reported loss up to ``step`` is
    compared with the median of the losses the other trials reported at exactly ``step`` (trials that
    never reported that step are left out, NaN losses are ignored). Unlike Optuna, which counts only
    finished trials, every other trial in the history counts -- finished, pruned or still running --
    because the contract carries reports, not states; a trial counts towards ``n_startup_trials`` once it
    has reported anything.

    Steps are resource units: the experiment declares its resource by reporting ``step`` = epochs /
    trees / samples consumed so far, and the warm-up and interval options are in the same units.

    Args:
        n_startup_trials: No pruning until this many other trials have reported.
        n_warmup_steps: No pruning at steps below this (a trial's first ``n_warmup_steps`` units).
        interval_steps: Check only every this many steps after the warm-up (a check missed because no
            value was reported at that step is made at the next report).
        n_min_trials: No pruning unless at least this many other trials reported ``step``.
    """

    name = "median"

    def __init__(self, *, n_startup_trials: int = 5, n_warmup_steps: int = 0, interval_steps: int = 1,
                 n_min_trials: int = 1) -> None:
        self.n_startup_trials = check_int(self.name, "n_startup_trials", n_startup_trials, minimum=0)
        self.n_warmup_steps = check_int(self.name, "n_warmup_steps", n_warmup_steps, minimum=0)
        self.interval_steps = check_int(self.name, "interval_steps", interval_steps, minimum=1)
        self.n_min_trials = check_int(self.name, "n_min_trials", n_min_trials, minimum=1)

    @property
    def options(self) -> dict[str, Any]:
        return {"n_startup_trials": self.n_startup_trials, "n_warmup_steps": self.n_warmup_steps,
                "interval_steps": self.interval_steps, "n_min_trials": self.n_min_trials}

    def _is_check_step(self, step: int, own_steps: list[int]) -> bool:
        """Whether ``step`` is the first report at or after a check point (Optuna's interval rule)."""
        check_point = (step - self.n_warmup_steps) // self.interval_steps * self.interval_steps \
            + self.n_warmup_steps
        previous = own_steps[-2] if len(own_steps) >= 2 else -1
        return previous < check_point

    def should_prune(self, trial_number: int, step: int, history: History) -> bool:
        own = reports_until(history, trial_number, step)
        if not own:
            return False
        others = [reports for number, reports in history.items() if number != trial_number and reports]
        if not others or len(others) < self.n_startup_trials:
            return False
        if step < self.n_warmup_steps or not self._is_check_step(step, list(own)):
            return False
        own_values = [v for v in own.values() if not is_nan(v)]
        if not own_values:
            return True  # only NaN so far: diverged
        at_step = [float(r[step]) for r in others if step in r and not is_nan(float(r[step]))]
        if len(at_step) < max(self.n_min_trials, 1):
            return False
        return min(own_values) > float(np.median(at_step))
