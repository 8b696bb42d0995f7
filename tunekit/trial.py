"""The trial handle an objective receives, trial states, and the record of a finished trial."""

from __future__ import annotations

import math
import numbers
import os
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np

from tunekit.errors import ObjectiveValueError, TrialPruned

__all__ = [
    "ObjectiveValueError",
    "Reporter",
    "Trial",
    "TrialPruned",
    "TrialResult",
    "TrialState",
    "describe_exception",
    "parse_objective_value",
    "parse_objectives",
    "trial_seed",
]


class TrialState(str, Enum):
    """Where a trial ended up; the string values are the ones written to results files."""

    COMPLETE = "COMPLETE"
    PRUNED = "PRUNED"
    FAIL = "FAIL"
    RUNNING = "RUNNING"


def trial_seed(seed: int, number: int) -> int:
    """Derive trial ``number``'s own seed from the experiment seed, independently of execution order."""
    return int(np.random.SeedSequence([seed, number]).generate_state(1)[0] >> 1)



#: Decides, from a trial's report (step, score), whether it should stop; installed by the search loop.
Reporter = Callable[[int, float], bool]


@dataclass(init=False)
class Trial:
    """The handle an objective gets when it declares a ``trial`` argument.

    Attributes:
        number: Position of the trial in the search, from 0.
        params: The parameter set being evaluated.
        seed: A seed of the trial's own, to pass as ``random_state`` so reruns are reproducible.

    ``reporter`` (keyword only) is what the search loop attaches to decide on each :meth:`report`: it gets
    the step and the value and answers whether the trial should stop. Without one, reports are only
    recorded and :meth:`should_prune` stays ``False``.
    """

    number: int
    params: dict[str, Any]
    seed: int
    _reporter: Reporter | None = field(repr=False, compare=False)
    _reports: list[tuple[int, float]] = field(repr=False, compare=False)
    _prune: bool = field(repr=False, compare=False)

    def __init__(self, number: int, params: dict[str, Any], seed: int, *, reporter: Reporter | None = None) -> None:
        self.number, self.params, self.seed = number, params, seed
        self._reporter = reporter
        self._reports = []
        self._prune = False

    def report(self, value: Any, step: int | None = None) -> None:
        """Report an intermediate score (same direction as the final one) at ``step``.

        ``step`` counts the resource spent so far (epochs, trees, samples, or the fold index when reporting
        per cross-validation fold); it must increase and defaults to one more than the previous report's,
        starting at 1 (one unit of resource spent at the first report).
        Afterwards :meth:`should_prune` says whether the experiment's pruner wants the trial stopped.
        """
        self.record_report(value, step, "trial.report() value")

    def record_report(self, value: Any, step: int | None, what: str) -> None:
        """:meth:`report`, with ``what`` naming the value in an error (a generator objective's yielded value)."""
        if step is None:
            step = self._reports[-1][0] + 1 if self._reports else 1
        if isinstance(step, bool) or not isinstance(step, numbers.Integral) or step < 0:
            raise ObjectiveValueError(f"trial.report() step must be a non-negative integer, got {step!r}")
        if self._reports and step <= self._reports[-1][0]:
            raise ObjectiveValueError(f"trial.report() steps must increase: {step} after {self._reports[-1][0]}")
        number = _as_number(value, f"{what} at step {step}")
        self._reports.append((int(step), number))
        if self._reporter is not None:
            self._prune = bool(self._reporter(int(step), number))

    def should_prune(self) -> bool:
        """Whether the pruner asked, at the last report, to stop this trial (return, or raise TrialPruned)."""
        return self._prune

    @property
    def intermediate(self) -> list[tuple[int, float]]:
        """The (step, value) pairs reported so far."""
        return list(self._reports)

    @property
    def has_reporter(self) -> bool:
        """Whether a reporter decides on this trial's reports (so :meth:`should_prune` can become true)."""
        return self._reporter is not None

    def ask_reporter(self, step: int, value: float) -> bool:
        """The attached reporter's verdict on a report made elsewhere (``False`` without a reporter).

        An executor running the trial in another process forwards that process's reports here; they are
        not recorded on this handle: the trial's result carries them back.
        """
        return self._reporter is not None and bool(self._reporter(step, value))

    def with_reporter(self, reporter: Reporter | None) -> Trial:
        """A copy of this trial (its reports and verdict so far included) that reports to ``reporter``."""
        copy = Trial(number=self.number, params=self.params, seed=self.seed, reporter=reporter)
        copy._reports = list(self._reports)
        copy._prune = self._prune
        return copy

    def detached(self) -> Trial:
        """A copy without reporter, to send to another process: the reporter talks to this process's search
        loop (and may not pickle); an executor that prunes from there attaches one of its own."""
        return self.with_reporter(None)

    def __getstate__(self) -> dict[str, Any]:
        # A safety net for a trial pickled as it is: the copy sent elsewhere gets no reporter (see detached).
        state = dict(self.__dict__)
        state["_reporter"] = None
        return state


@dataclass(frozen=True)
class TrialResult:
    """The outcome of one trial, as recorded in results files (plain Python values only)."""

    number: int
    params: dict[str, Any]
    state: TrialState
    score: float | None = None
    score_std: float | None = None
    folds: list[float] | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    duration_s: float = 0.0
    error: str | None = None
    seed: int | None = None
    #: The (step, value) pairs the trial reported (``trial.report`` or a generator's yields), or ``None``.
    intermediate: list[tuple[int, float]] | None = None
    #: Whether the trial evaluated one of the experiment's start points (``@tunable(start=...)``).
    warm_start: bool = False
    #: Every objective's value (the mean of its folds) when the experiment declares several; ``score`` is the
    #: first one's. ``None`` for a single-objective experiment and for trials that did not complete.
    values: dict[str, float] | None = None
    #: Formatted traceback of a failed trial, kept in memory for ``--tb`` (never written to results).
    traceback: str | None = field(default=None, repr=False, compare=False)



@dataclass(frozen=True)
class Outcome:
    """The score (and what came with it) extracted from an objective's return value."""

    score: float
    score_std: float | None
    folds: list[float] | None
    metrics: dict[str, Any]
    values: dict[str, float] | None = None


def _as_number(value: Any, what: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ObjectiveValueError(f"{what} must be a number, got {type(value).__name__} {value!r:.60}")
    try:
        number = float(value)
    except OverflowError:
        raise ObjectiveValueError(f"{what} is too large for a float") from None
    if not math.isfinite(number):
        raise ObjectiveValueError(f"{what} is {number}")
    return number


def _is_sequence(value: Any) -> bool:
    return isinstance(value, np.ndarray) or (
        isinstance(value, Sequence) and not isinstance(value, (str, bytes)))


def _flat(value: Any, what: str, items: str = "numbers") -> list[Any]:
    """The items of a sequence of numbers; a nested (2-D or deeper) one is an error, not silently flattened."""
    array = np.asarray(value, dtype=object)
    if array.ndim > 1:
        raise ObjectiveValueError(f"{what} must be a flat sequence of {items}, got a {array.ndim}-D array of "
                                  f"shape {array.shape}")
    return list(array.ravel().tolist())


def _as_scores(value: Any, what: str) -> tuple[float, float | None, list[float] | None]:
    if _is_sequence(value):
        values = _flat(value, what, "fold scores")
        if not values:
            raise ObjectiveValueError(f"{what} is an empty sequence of fold scores")
        folds = [_as_number(v, f"{what} fold {i}") for i, v in enumerate(values)]
        with np.errstate(over="ignore", invalid="ignore"):
            mean, std = np.mean(folds), np.std(folds)
        return _as_number(mean, f"{what} mean of folds"), _as_number(std, f"{what} std of folds"), folds
    if value is None:
        raise ObjectiveValueError(f"{what} is None (did the objective forget to return?)")
    return _as_number(value, what), None, None


def _as_metric(value: Any, name: str) -> Any:
    if value is None or isinstance(value, (str, bool)):
        return value
    if _is_sequence(value):
        return [_as_number(v, f"metric {name!r}") for v in _flat(value, f"metric {name!r}")]
    return _as_number(value, f"metric {name!r}")


def parse_objective_value(value: Any) -> Outcome:
    """Turn an objective's return value into a score.

    Accepts a number, a sequence of fold scores (their mean is the score), or a mapping with ``"score"``
    (or scikit-learn ``cross_validate``'s ``"test_score"``) plus extra metrics. Raises
    :class:`ObjectiveValueError` with the reason for anything else, NaN and infinity included. An
    :class:`Outcome` (what :func:`parse_objectives` made of a multi-objective return value) is returned as is.
    """
    if isinstance(value, Outcome):
        return value
    metrics: dict[str, Any] = {}
    if isinstance(value, Mapping):
        key = "score" if "score" in value else "test_score" if "test_score" in value else None
        if key is None:
            raise ObjectiveValueError(f"returned dict has no 'score' key (keys: {sorted(map(str, value))})")
        for name, metric in value.items():
            if name != key:
                metrics[str(name)] = _as_metric(metric, str(name))
        value = value[key]
    score, std, folds = _as_scores(value, "score")
    return Outcome(score=score, score_std=std, folds=folds, metrics=metrics)


def parse_objectives(value: Any, names: Sequence[str]) -> Outcome:
    """Turn the return value of an experiment with several objectives into its values and score.

    ``value`` must be a mapping with a number or fold scores under each of ``names``; the score (and its
    spread and folds) is the first objective's, its other keys are metrics. Raises
    :class:`ObjectiveValueError` naming what is missing or wrong.
    """
    listed = ", ".join(names)
    if not isinstance(value, Mapping):
        raise ObjectiveValueError(f"the experiment has objectives {listed}: return a dict with those keys, got "
                                  f"{type(value).__name__} {value!r:.60}")
    missing = [name for name in names if name not in value]
    if missing:
        raise ObjectiveValueError(f"returned dict has no {missing[0]!r} key (objectives: {listed}; keys: "
                                  f"{sorted(map(str, value))})")
    values: dict[str, float] = {}
    first: tuple[float, float | None, list[float] | None] | None = None
    for name in names:
        scores = _as_scores(value[name], f"objective {name!r}")
        values[name] = scores[0]
        first = first or scores
    assert first is not None, "an experiment declares at least one objective"
    metrics = {str(key): _as_metric(metric, str(key)) for key, metric in value.items() if key not in values}
    return Outcome(score=first[0], score_std=first[1], folds=first[2], metrics=metrics, values=values)


def _user_frame(tb: list[traceback.FrameSummary]) -> traceback.FrameSummary | None:
    """The deepest frame outside tunekit and installed libraries: where the user's code failed."""
    package_dir = os.path.dirname(__file__)
    library_dirs = tuple(p for p in sys.path if "site-packages" in p or "dist-packages" in p)
    stdlib = os.path.dirname(os.__file__)
    for frame in reversed(tb):
        name = frame.filename
        if name.startswith((package_dir, stdlib, "<", *library_dirs)):
            continue
        return frame
    return tb[-1] if tb else None


def describe_exception(exc: BaseException) -> str:
    """One line naming the exception, its message and the file and line of user code that raised it."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    frame = _user_frame(traceback.extract_tb(exc.__traceback__))
    if frame is not None:
        try:
            where = os.path.relpath(frame.filename)
        except ValueError:  # another drive on Windows
            where = frame.filename
        if where.startswith(".."):
            where = frame.filename
        text += f" ({where}:{frame.lineno})"
    return text
