"""The ask/tell interface every search strategy implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from tunekit.space import Space
from tunekit.trial import TrialState

__all__ = ["Observation", "Strategy"]


@dataclass(frozen=True)
class Observation:
    """What a strategy learns from one finished trial.

    ``loss`` is the value to *minimise* (the search negates maximised scores), or ``None`` when the trial
    failed; a pruned trial carries its last reported loss. ``warm_start`` marks one of the experiment's
    start points (``@tunable(start=...)``), which the strategy did not propose.

    In an experiment with several objectives, a complete trial also carries ``losses``, one per objective
    in declared order, each to minimise (``loss`` is the first), and ``violation``: how far it is from
    meeting the experiment's limits (the sum of each missed limit's shortfall relative to the limit; 0 when
    feasible). A strategy that knows nothing of them optimises ``loss`` alone.

    ``intermediate`` holds the ``(step, loss)`` pairs the trial reported while running (``trial.report``),
    in step order, each a loss to minimise like ``loss``: what a multi-fidelity strategy learns from a trial
    the pruner stopped early. Empty when the trial reported nothing.
    """

    params: dict[str, Any]
    state: TrialState
    loss: float | None
    warm_start: bool = False
    losses: tuple[float, ...] | None = None
    violation: float = 0.0
    intermediate: tuple[tuple[int, float], ...] = ()


class Strategy(ABC):
    """Proposes parameter sets (``ask``) and learns from finished trials (``tell``).

    A strategy is seeded and deterministic: the same seed and the same observations give the same
    proposals. It never evaluates anything and never imports pytest; the search loop owns the ordering.

    Args:
        space: The validated search space.
        seed: Seed of every random choice the strategy makes.
        budget: Total number of trials the search will ask for, when known.
    """

    #: The name experiments use to select the strategy (``strategy="grid"``).
    name: ClassVar[str]
    #: ``True`` when proposals never depend on observations (grid, random): the search may then ask one
    #: trial whenever a worker frees up instead of waiting for whole batches, and gets the same trials.
    history_free: ClassVar[bool] = False
    #: ``True`` when the strategy wants to be asked one trial whenever a worker frees up, with what has
    #: finished so far, rather than in whole batches (a multi-fidelity strategy: pruned trials free their
    #: workers early). Its proposals then depend on the order in which parallel trials finish.
    asynchronous: ClassVar[bool] = False

    def __init__(self, space: Space, *, seed: int = 0, budget: int | None = None) -> None:
        self.space = space
        self.seed = seed
        self.budget = budget
        self.n_asked = 0

    @abstractmethod
    def ask(self, n: int = 1) -> list[dict[str, Any]]:
        """Return up to ``n`` new parameter sets; fewer, or none, when the strategy is exhausted."""

    # Deliberately not abstract: strategies that ignore observations (grid, random) need not override it.
    def tell(self, observations: Sequence[Observation]) -> None:  # noqa: B027
        """Learn from finished trials (in trial-number order). The default ignores them."""

    def restore(self, observations: Sequence[Observation]) -> None:
        """Rebuild the state reached after proposing and learning ``observations`` (for resume).

        The search also calls it with the experiment's start points (``warm_start=True``), once they are
        evaluated and before the first :meth:`ask`, and a resumed search with every trial so far, start
        points first. By default start points take the first proposal slots, as if the strategy had
        proposed them: an initial design or first generation is that much shorter. Strategies that
        must not count them as their own (grid) tell them apart by ``warm_start``.
        """
        self.n_asked = len(observations)
        self.tell(observations)

    @property
    def max_trials(self) -> int | None:
        """How many distinct proposals the strategy can make at most (``None``: unlimited)."""
        return None
