"""The one question every pruner answers: should this running trial stop now?"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from tunekit.errors import SpecError

__all__ = ["History", "Pruner", "reports_until"]

#: ``history[t][s]``: the loss trial ``t`` reported at step ``s`` (lower is better).
History = Mapping[int, Mapping[int, float]]


class Pruner(ABC):
    """Decides, from the values trials reported while running, whether one of them should stop early.

    A pruner never sees parameters or trial states, only reported losses: the search loop negates
    maximised scores, so lower is always better. Steps are *resource units*: an experiment declares its
    resource by reporting ``step`` = epochs / trees / samples consumed so far (1 after the first epoch),
    and ``max_resource`` (where a pruner has one) is the full budget of one trial.

    Every built-in pruner is a pure function of ``(trial_number, step, history)``, so decisions are
    reproducible and the pruner can be copied to workers. Options are keyword-only and validated at
    construction (a :class:`~tunekit.errors.SpecError` names the option and the accepted values).
    """

    #: The name experiments use to select the pruner (``pruner="asha"``, ``--pruner asha``).
    name: ClassVar[str]

    def __init__(self, **options: Any) -> None:
        if options:
            raise SpecError(f"pruner {self.name!r}: unknown option {min(options)!r}")

    @abstractmethod
    def should_prune(self, trial_number: int, step: int, history: History) -> bool:
        """Whether trial ``trial_number``, which has just reported at ``step``, should stop.

        Args:
            trial_number: The asking trial.
            step: The step it just reported (resource consumed so far).
            history: ``history[t][s]`` = loss (lower is better) reported by trial ``t`` at step ``s``, for
                every trial so far (finished, pruned or still running), including the asking trial's own
                reports up to and including ``step``.

        Returns:
            ``True`` when the trial should stop now.
        """

    @property
    def options(self) -> dict[str, Any]:
        """The options this pruner was built with (for results files and messages)."""
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self.options.items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pruner) and type(other) is type(self) and other.options == self.options

    def __hash__(self) -> int:
        return hash((type(self), tuple(sorted(self.options.items(), key=lambda kv: kv[0]))))


def reports_until(history: History, trial_number: int, step: int) -> dict[int, float]:
    """The asking trial's own reports up to and including ``step``, as ``{step: loss}`` in step order."""
    own = history.get(trial_number, {})
    return {s: float(own[s]) for s in sorted(own) if s <= step}


def is_nan(value: float) -> bool:
    return isinstance(value, float) and math.isnan(value)


def check_int(pruner: str, option: str, value: Any, *, minimum: int) -> int:
    """``value`` as an int >= ``minimum``, or a :class:`SpecError` naming the pruner and the option."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SpecError(f"pruner {pruner!r}: {option} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_float(pruner: str, option: str, value: Any, *, minimum: float) -> float:
    """``value`` as a finite float >= ``minimum``, or a :class:`SpecError` naming the option."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value < minimum:
        raise SpecError(f"pruner {pruner!r}: {option} must be a finite number >= {minimum:g}, got {value!r}")
    return float(value)
