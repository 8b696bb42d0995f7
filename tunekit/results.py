"""Results records and their versioned JSON form (schema ``tunekit.results/1``).

Records are dataclasses inside tunekit; JSON exists only at the edges: :func:`dump` writes a document
atomically and :func:`load` reads one back, rejecting anything malformed with an error naming the field.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tunekit import pareto
from tunekit.errors import ResultsError, SpaceError
from tunekit.space import Space
from tunekit.trial import TrialResult, TrialState

__all__ = [
    "RECHECK_STRATEGY",
    "SCHEMA",
    "ExperimentResult",
    "ExperimentStatus",
    "ResultsDocument",
    "StopReason",
    "best_trial",
    "default_reference",
    "dump",
    "dumps",
    "experiment_from_dict",
    "experiment_to_dict",
    "feasible_trials",
    "from_dict",
    "front_hypervolume",
    "is_better",
    "load",
    "loads",
    "pareto_front",
    "ranked_trials",
    "read_trial",
    "selected_trial",
    "to_dict",
    "trial_to_dict",
    "write_atomic",
]

SCHEMA = "tunekit.results/1"


class StopReason:
    """Why a search ended, as written to results files and shown on the leaderboard."""

    BUDGET = "budget"
    EXHAUSTED = "exhausted"  # the strategy had nothing left to propose (a grid smaller than the budget)
    INTERRUPTED = "interrupted"
    TIMEOUT = "timeout"  # the experiment's wall-time limit
    PATIENCE = "patience"  # no improvement in the last N trials
    TARGET = "target"  # the score reached the experiment's target
    ALL = (BUDGET, EXHAUSTED, INTERRUPTED, TIMEOUT, PATIENCE, TARGET)


#: The ``strategy`` of a record made by ``--recheck``: re-evaluations of a baseline's best parameters, under
#: the current space, whose ranges may have changed since.
RECHECK_STRATEGY = "recheck"


class ExperimentStatus:
    """Values of an experiment's ``status`` field."""

    PASSED = "passed"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    ALL = (PASSED, FAILED, INTERRUPTED)


def _rank_key(direction: str) -> Callable[[TrialResult], tuple[float, int]]:
    """Sort key putting the best score first and, on ties, the earliest trial."""
    sign = -1.0 if direction == "maximize" else 1.0

    def key(trial: TrialResult) -> tuple[float, int]:
        assert trial.score is not None, "only complete trials are ranked"
        return sign * trial.score, trial.number

    return key


def _complete(trials: Iterable[TrialResult]) -> list[TrialResult]:
    return [t for t in trials if t.state is TrialState.COMPLETE and t.score is not None]


def ranked_trials(trials: Iterable[TrialResult], direction: str) -> list[TrialResult]:
    """The complete trials, best first (the earliest one on ties)."""
    return sorted(_complete(trials), key=_rank_key(direction))


def best_trial(trials: Iterable[TrialResult], direction: str) -> TrialResult | None:
    """The complete trial with the best score (the earliest one on ties), or ``None``."""
    return min(_complete(trials), key=_rank_key(direction), default=None)


def is_better(candidate: TrialResult, best: TrialResult | None, direction: str) -> bool:
    """Whether ``candidate`` is a complete trial that :func:`best_trial` would pick over ``best``."""
    if not _complete([candidate]):
        return False
    key = _rank_key(direction)
    return best is None or key(candidate) < key(best)


def feasible_trials(trials: Iterable[TrialResult], objectives: Mapping[str, str],
                    limits: Mapping[str, float]) -> list[TrialResult]:
    """The complete trials with every objective's value that meet every limit, in the given order."""
    return [t for t in _complete(trials) if t.values is not None and set(t.values) == set(objectives)
            and pareto.is_feasible(t.values, objectives, limits)]


def pareto_front(trials: Iterable[TrialResult], objectives: Mapping[str, str],
                 limits: Mapping[str, float]) -> list[TrialResult]:
    """The feasible complete trials that no other feasible complete trial dominates, by trial number."""
    feasible = sorted(feasible_trials(trials, objectives, limits), key=lambda t: t.number)
    losses = [pareto.as_losses(t.values or {}, objectives) for t in feasible]
    return [feasible[i] for i in pareto.non_dominated(losses)]


def selected_trial(trials: Iterable[TrialResult], objectives: Mapping[str, str],
                   limits: Mapping[str, float]) -> TrialResult | None:
    """The feasible complete trial with the best first objective (the earliest on ties), or ``None``."""
    direction = next(iter(objectives.values()), "maximize")
    return best_trial(feasible_trials(trials, objectives, limits), direction)


#: How far beyond the worst feasible value the default reference point lies, as a share of the values' range.
REFERENCE_MARGIN = 0.1


def default_reference(trials: Iterable[TrialResult], objectives: Mapping[str, str],
                      limits: Mapping[str, float]) -> dict[str, float] | None:
    """A reference point for the hypervolume: each objective's limit where it has one, else its worst value
    among the feasible trials moved a tenth of their range further (of the value itself when they all agree,
    1 when that is 0), so that every feasible trial counts. ``None`` when an objective has neither."""
    feasible = feasible_trials(trials, objectives, limits)
    reference: dict[str, float] = {}
    for name, direction in objectives.items():
        if name in limits:
            reference[name] = float(limits[name])
            continue
        values = [t.values[name] for t in feasible if t.values is not None]
        if not values:
            return None
        span = max(values) - min(values) or abs(values[0]) or 1.0
        reference[name] = (min(values) - REFERENCE_MARGIN * span if direction == "maximize"
                           else max(values) + REFERENCE_MARGIN * span)
    return reference if all(map(math.isfinite, reference.values())) else None


def front_hypervolume(trials: Iterable[TrialResult], objectives: Mapping[str, str], limits: Mapping[str, float],
                      reference: Mapping[str, float]) -> float:
    """The hypervolume of the Pareto front of ``trials`` with respect to ``reference`` (objective name ->
    coordinate), in the objectives' own units; a trial no better than the reference in every objective adds
    nothing."""
    front = pareto_front(trials, objectives, limits)
    return pareto.hypervolume([pareto.as_losses(t.values or {}, objectives) for t in front],
                              pareto.as_losses(reference, objectives))


@dataclass
class ExperimentResult:
    """One experiment's search: its settings, every trial, and how it ended."""

    id: str
    strategy: str
    direction: str
    seed: int
    budget: dict[str, Any]
    space: dict[str, Any]
    trials: list[TrialResult]
    status: str = ExperimentStatus.PASSED
    duration_s: float = 0.0
    stop_reason: str = "budget"
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    tolerance: str | None = None
    pruner: dict[str, Any] | None = None
    #: A digest of the experiment function's source: a changed objective starts a new series in the store.
    source_hash: str | None = None
    #: The kinds of hint the experiment silenced (``@tunable(hints=...)``); ``["*"]``: every kind.
    quiet_hints: list[str] = field(default_factory=list)
    #: In the latest-results file, the run an experiment's record was kept from when a later, partial run
    #: (``-k``, ``-x``, node IDs) did not run it; ``None`` for a record of the run that wrote the file.
    from_run: str | None = None
    #: Objective name -> direction of an experiment with several objectives (empty for a single score); the
    #: first one's values are the trials' scores.
    objectives: dict[str, str] = field(default_factory=dict)
    #: Objective name -> the value a feasible trial reaches (at most it when minimised, at least when maximised).
    limits: dict[str, float] = field(default_factory=dict)
    #: Objective name -> the declared tolerance (``"0.01"``, ``"2%"``) of each objective after the first that a
    #: baseline guards; the first objective's is ``tolerance``.
    objective_tolerances: dict[str, str] = field(default_factory=dict)
    #: Objective name -> the reference point's coordinate that the front's hypervolume is measured from (a
    #: baseline's, kept by the runs compared with it); empty: :func:`default_reference` of the trials.
    hypervolume_reference: dict[str, float] = field(default_factory=dict)

    @property
    def score_name(self) -> str | None:
        """The first objective's name, which the trials' ``score`` measures; ``None`` for a single score."""
        return next(iter(self.objectives), None)

    @property
    def best(self) -> TrialResult | None:
        """The best complete trial, or ``None`` when no trial completed."""
        return best_trial(self.trials, self.direction)

    @property
    def pareto_front(self) -> list[TrialResult]:
        """The non-dominated feasible complete trials by trial number (empty without ``objectives``)."""
        return pareto_front(self.trials, self.objectives, self.limits) if self.objectives else []

    @property
    def selected(self) -> TrialResult | None:
        """The feasible complete trial with the best first objective; without ``objectives``, :attr:`best`."""
        return selected_trial(self.trials, self.objectives, self.limits) if self.objectives else self.best

    @property
    def reference(self) -> dict[str, float] | None:
        """The hypervolume's reference point: the recorded one, else :func:`default_reference` (``None``
        without one: a single objective, more than three, or no feasible trial to take it from)."""
        if not 2 <= len(self.objectives) <= 3:
            return None
        return dict(self.hypervolume_reference) or default_reference(self.trials, self.objectives, self.limits)

    @property
    def hypervolume(self) -> float | None:
        """The hypervolume of the Pareto front with respect to :attr:`reference` (``None`` without one)."""
        reference = self.reference
        if reference is None:
            return None
        value = front_hypervolume(self.trials, self.objectives, self.limits, reference)
        return value if math.isfinite(value) else None

    def count(self, state: TrialState) -> int:
        """Number of trials that ended in ``state``."""
        return sum(t.state is state for t in self.trials)

    def ranked(self) -> list[TrialResult]:
        """Complete trials, best first."""
        return ranked_trials(self.trials, self.direction)


@dataclass
class ResultsDocument:
    """A whole results file: provenance plus one record per experiment."""

    experiments: list[ExperimentResult]
    tunekit_version: str = ""
    created: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    machine_info: dict[str, Any] = field(default_factory=dict)
    commit_info: dict[str, Any] = field(default_factory=dict)
    #: The run that wrote the document (``.tunekit/runs/<run_id>.json`` keeps each run's own copy); ``""``
    #: in documents written before runs had IDs.
    run_id: str = ""

    def get(self, experiment_id: str) -> ExperimentResult | None:
        """The experiment with this node ID, or ``None``."""
        return next((e for e in self.experiments if e.id == experiment_id), None)


# --- to JSON -----------------------------------------------------------------------------------------

def trial_to_dict(trial: TrialResult) -> dict[str, Any]:
    """The JSON-ready form of one trial (shared by results files and journals)."""
    return {
        "number": trial.number, "params": dict(trial.params), "state": trial.state.value,
        "score": trial.score, "score_std": trial.score_std, "folds": trial.folds,
        "metrics": dict(trial.metrics), "duration_s": round(trial.duration_s, 6), "error": trial.error,
        "seed": trial.seed,
        "intermediate": None if trial.intermediate is None else [[s, v] for s, v in trial.intermediate],
        "warm_start": trial.warm_start,
        **({"values": dict(trial.values)} if trial.values is not None else {}),
    }


def experiment_to_dict(exp: ExperimentResult) -> dict[str, Any]:
    """The JSON-ready form of one experiment record."""
    best = exp.best
    return {
        "id": exp.id, "strategy": exp.strategy, "direction": exp.direction, "seed": exp.seed,
        "budget": dict(exp.budget), "space": dict(exp.space),
        "best": None if best is None else {"number": best.number, "params": dict(best.params),
                                           "score": best.score, "score_std": best.score_std},
        "trials": [trial_to_dict(t) for t in exp.trials],
        "status": exp.status, "duration_s": round(exp.duration_s, 6), "stop_reason": exp.stop_reason,
        "error": exp.error, "notes": list(exp.notes), "tolerance": exp.tolerance, "pruner": exp.pruner,
        **({"source_hash": exp.source_hash} if exp.source_hash else {}),
        **({"quiet_hints": list(exp.quiet_hints)} if exp.quiet_hints else {}),
        **({"from_run": exp.from_run} if exp.from_run is not None else {}),
        **(_objectives_to_dict(exp) if exp.objectives else {}),
    }


def _objectives_to_dict(exp: ExperimentResult) -> dict[str, Any]:
    selected = exp.selected
    return {"objectives": dict(exp.objectives), "limits": dict(exp.limits),
            "pareto_front": [t.number for t in exp.pareto_front],
            "selected": None if selected is None else selected.number,
            **({"objective_tolerances": dict(exp.objective_tolerances)} if exp.objective_tolerances else {}),
            **_hypervolume_to_dict(exp)}


def _hypervolume_to_dict(exp: ExperimentResult) -> dict[str, Any]:
    reference, value = exp.reference, exp.hypervolume
    if reference is None or value is None:
        return {}
    return {"hypervolume": {"reference": reference, "value": value}}


def to_dict(doc: ResultsDocument) -> dict[str, Any]:
    """The JSON-ready form of ``doc``."""
    return {
        "schema": SCHEMA, "tunekit_version": doc.tunekit_version, "created": doc.created,
        "machine_info": dict(doc.machine_info), "commit_info": dict(doc.commit_info),
        **({"run_id": doc.run_id} if doc.run_id else {}),
        "experiments": [experiment_to_dict(e) for e in doc.experiments],
    }


def dumps(doc: ResultsDocument) -> str:
    """Serialise ``doc`` to JSON text (strict: no NaN or infinity)."""
    return json.dumps(to_dict(doc), indent=2, allow_nan=False) + "\n"


def _current_umask(status_file: str = "/proc/self/status") -> int:
    """The process's umask, read without changing it where the system shows it.

    ``os.umask`` can only be read by setting it, and the umask belongs to the whole process: for an instant,
    a file another thread creates would get the temporary mask. Linux (4.7 and later) shows the umask in
    ``/proc/self/status``, so there nothing changes; elsewhere the mask is set and restored, to ``0o077``
    meanwhile so that such a file is at worst too private, never too open.
    """
    try:
        with open(status_file, encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename, so readers never see half a file.

    The file gets the mode a plain ``open(path, "w")`` would give it, ``0o666`` less the umask at the time
    of writing (``mkstemp`` alone would make it ``0o600``: shared reports would become private).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o666 & ~_current_umask())
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def dump(doc: ResultsDocument, path: str | os.PathLike[str]) -> None:
    """Write ``doc`` to ``path`` atomically; raise :class:`ResultsError` when it cannot be written."""
    try:
        write_atomic(path, dumps(doc))
    except OSError as exc:
        raise ResultsError(f"{path}: cannot write results: {exc.strerror or exc}") from None


# --- from JSON, validated ---------------------------------------------------------------------------

class _Reader:
    """Typed field access that names the offending field (``experiments[0].trials[3].state``)."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> ResultsError:
        return ResultsError(f"{self.source}: {where}: {message}")

    def obj(self, value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected an object, got {_kind(value)}")
        return value

    def get(self, data: Mapping[str, Any], key: str, where: str, check: Callable[[Any], bool],
            expected: str, *, optional: bool = False, default: Any = None) -> Any:
        path = f"{where}.{key}" if where else key
        if key not in data:
            if optional:
                return default
            raise self.fail(path, "missing")
        value = data[key]
        if not check(value):
            shown = "" if value is None or isinstance(value, bool) else _short(value)  # not "null null"
            raise self.fail(path, f"expected {expected}, got {_kind(value)} {shown}".rstrip())
        return value


def _kind(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null",
            int: "integer", float: "number"}.get(type(value), type(value).__name__)


def _short(value: Any) -> str:
    text = json.dumps(value) if isinstance(value, (str, int, float, bool, type(None))) else ""
    return text if len(text) <= 40 else text[:37] + "..."


def _show(value: Any) -> str:
    """Any JSON value, shortened (objects and arrays too)."""
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_count(v: Any) -> bool:
    return _is_int(v) and v >= 0


def _is_opt_count(v: Any) -> bool:
    return v is None or _is_count(v)


def _is_num(v: Any) -> bool:
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        return False
    try:
        return math.isfinite(float(v))
    except OverflowError:  # a JSON integer beyond the float range
        return False


def _is_opt_num(v: Any) -> bool:
    return v is None or _is_num(v)


def _is_opt_spread(v: Any) -> bool:
    return v is None or (_is_num(v) and v >= 0)


def _is_str(v: Any) -> bool:
    return isinstance(v, str)


def _is_opt_str(v: Any) -> bool:
    return v is None or isinstance(v, str)


def _is_opt_bool(v: Any) -> bool:
    return v is None or isinstance(v, bool)


def _is_obj(v: Any) -> bool:
    return isinstance(v, dict)


def _is_json_scalar(v: Any) -> bool:
    return v is None or isinstance(v, (str, bool)) or _is_num(v)


def _is_metric(v: Any) -> bool:
    # What parse_objective_value keeps of a returned dict's other keys.
    return _is_json_scalar(v) or (isinstance(v, list) and all(map(_is_num, v)))


def _one_of(values: Iterable[str]) -> tuple[Callable[[Any], bool], str]:
    allowed = tuple(values)
    return (lambda v: isinstance(v, str) and v in allowed), "one of " + ", ".join(allowed)


_MACHINE_INFO_TEXT = ("node", "system", "release", "machine", "python_implementation", "python_version")


def _read_trial(r: _Reader, data: Any, where: str) -> TrialResult:
    data = r.obj(data, where)
    number = r.get(data, "number", where, _is_count, "a non-negative integer")
    params = r.get(data, "params", where, _is_obj, "an object")
    for name in params:
        r.get(params, name, f"{where}.params", _is_json_scalar, "a string, number, boolean or null")
    state = TrialState(r.get(data, "state", where, *_one_of(s.value for s in TrialState)))
    score = r.get(data, "score", where, _is_opt_num, "a finite number or null", optional=True)
    if state is TrialState.COMPLETE and score is None:
        raise r.fail(f"{where}.score", "a COMPLETE trial needs a finite score")
    if state is TrialState.FAIL and score is not None:
        raise r.fail(f"{where}.score", f"expected null (a FAIL trial has no score), got {_short(score)}")
    folds = r.get(data, "folds", where, lambda v: v is None or (isinstance(v, list) and len(v) > 0
                                                                 and all(map(_is_num, v))),
                  "null or a non-empty array of finite numbers", optional=True)
    metrics = r.get(data, "metrics", where, _is_obj, "an object", optional=True, default={})
    for name in metrics:
        r.get(metrics, name, f"{where}.metrics", _is_metric,
              "a string, boolean, null, finite number or flat array of finite numbers")
    return TrialResult(
        number=number, params=dict(params), state=state, score=None if score is None else float(score),
        score_std=r.get(data, "score_std", where, _is_opt_spread, "a non-negative finite number or null",
                        optional=True),
        folds=None if folds is None else [float(f) for f in folds], metrics=dict(metrics),
        duration_s=float(r.get(data, "duration_s", where, lambda v: _is_num(v) and v >= 0,
                               "a non-negative finite number", optional=True, default=0.0)),
        error=r.get(data, "error", where, _is_opt_str, "a string or null", optional=True),
        seed=r.get(data, "seed", where, _is_opt_count, "an integer or null (an integer >= 0)", optional=True),
        intermediate=_read_intermediate(r, data, where),
        warm_start=r.get(data, "warm_start", where, lambda v: isinstance(v, bool), "a boolean", optional=True,
                         default=False),
        values=_read_values(r, data, where, state),
    )


def _read_values(r: _Reader, data: Mapping[str, Any], where: str, state: TrialState) -> dict[str, float] | None:
    values = r.get(data, "values", where, lambda v: v is None or _is_obj(v), "an object or null", optional=True)
    if values is None:
        return None
    if state is not TrialState.COMPLETE:
        raise r.fail(f"{where}.values", f"expected null (only a COMPLETE trial has objective values, this one is "
                                        f"{state.value})")
    for name in values:
        r.get(values, name, f"{where}.values", _is_num, "a finite number")
    return {name: float(value) for name, value in values.items()}


def _read_objectives(r: _Reader, data: Mapping[str, Any], where: str,
                     direction: str) -> tuple[dict[str, str], dict[str, float]]:
    objectives = r.get(data, "objectives", where, lambda v: _is_obj(v) and len(v) > 0,
                       "a non-empty object of objective name -> direction", optional=True, default={})
    for name in objectives:
        r.get(objectives, name, f"{where}.objectives", *_one_of(("maximize", "minimize")))
    if objectives and next(iter(objectives.values())) != direction:
        raise r.fail(f"{where}.objectives", f"the first objective's direction must be the experiment's "
                                            f"({direction})")
    limits = r.get(data, "limits", where, _is_obj, "an object", optional=True, default={})
    for name in limits:
        if name not in objectives:
            raise r.fail(f"{where}.limits.{name}", f"not an objective (objectives: {', '.join(objectives) or 'none'})")
        r.get(limits, name, f"{where}.limits", _is_num, "a finite number")
    return dict(objectives), {name: float(value) for name, value in limits.items()}


def _read_objective_tolerances(r: _Reader, data: Mapping[str, Any], where: str,
                               objectives: Mapping[str, str]) -> dict[str, str]:
    tolerances = r.get(data, "objective_tolerances", where, _is_obj, "an object", optional=True, default={})
    others = list(objectives)[1:]
    for name in tolerances:
        if name == "hypervolume" and name not in objectives and not 2 <= len(objectives) <= 3:
            raise r.fail(f"{where}.objective_tolerances.{name}",
                         "a hypervolume tolerance needs two or three objectives (the Pareto front's hypervolume)")
        if name not in others and not (name == "hypervolume" and name not in objectives):
            raise r.fail(f"{where}.objective_tolerances.{name}",
                         f"not an objective after the first (those: {', '.join(others) or 'none'})")
        r.get(tolerances, name, f"{where}.objective_tolerances", lambda v: _is_str(v) and v != "",
              "a tolerance such as \"0.01\" or \"2%\"")
    return dict(tolerances)


def _check_values(r: _Reader, exp: ExperimentResult, where: str) -> None:
    """Each trial has every objective's value exactly when it is complete in a multi-objective experiment, the
    first one its score; the recorded Pareto front and selected trial are those of the trials."""
    first = exp.score_name
    for i, trial in enumerate(exp.trials):
        at = f"{where}.trials[{i}].values"
        if first is None or trial.state is not TrialState.COMPLETE:
            if trial.values is not None:
                raise r.fail(at, "expected null (the experiment has no objectives)")
            continue
        if trial.values is None or set(trial.values) != set(exp.objectives):
            raise r.fail(at, f"expected a value for each objective ({', '.join(exp.objectives)})")
        if trial.values[first] != trial.score:
            raise r.fail(f"{at}.{first}", f"does not match the trial's score (expected {_show(trial.score)}, got "
                                          f"{_show(trial.values[first])})")


def _check_front(r: _Reader, data: Mapping[str, Any], exp: ExperimentResult, where: str) -> None:
    if not exp.objectives:
        for key in ("pareto_front", "selected"):
            if key in data:
                raise r.fail(f"{where}.{key}", "unexpected: the experiment has no objectives")
        return
    front = r.get(data, "pareto_front", where, lambda v: isinstance(v, list) and all(map(_is_count, v)),
                  "an array of trial numbers")
    expected = [t.number for t in exp.pareto_front]
    if front != expected:
        raise r.fail(f"{where}.pareto_front", f"does not match the trials (expected {_show(expected)})")
    selected = r.get(data, "selected", where, _is_opt_count, "a trial number or null")
    computed = exp.selected
    if selected != (None if computed is None else computed.number):
        raise r.fail(f"{where}.selected", "does not match the trials (expected "
                                          f"{'null' if computed is None else f'trial {computed.number}'})")


def _read_hypervolume(r: _Reader, data: Mapping[str, Any], exp: ExperimentResult, where: str) -> dict[str, float]:
    """The recorded reference point (checked to name every objective), its hypervolume checked against the
    trials'; absent (older files, a single objective): none."""
    raw = r.get(data, "hypervolume", where, _is_obj, "an object", optional=True)
    if raw is None:
        return {}
    at = f"{where}.hypervolume"
    if not 2 <= len(exp.objectives) <= 3:
        raise r.fail(at, "unexpected: the experiment has no two or three objectives")
    reference = r.get(raw, "reference", at, _is_obj, "an object of objective name -> number")
    if set(reference) != set(exp.objectives):
        raise r.fail(f"{at}.reference", f"expected a number for each objective ({', '.join(exp.objectives)})")
    for name in exp.objectives:
        r.get(reference, name, f"{at}.reference", _is_num, "a finite number")
    ordered = {name: float(reference[name]) for name in exp.objectives}
    value = r.get(raw, "value", at, lambda v: _is_num(v) and v >= 0, "a non-negative finite number")
    expected = front_hypervolume(exp.trials, exp.objectives, exp.limits, ordered)
    if not math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-12):
        raise r.fail(f"{at}.value", f"does not match the front (expected {_show(expected)})")
    return ordered


def _read_intermediate(r: _Reader, data: Mapping[str, Any], where: str) -> list[tuple[int, float]] | None:
    raw = r.get(data, "intermediate", where, lambda v: v is None or isinstance(v, list), "an array or null",
                optional=True)
    if raw is None:
        return None
    pairs: list[tuple[int, float]] = []
    for i, pair in enumerate(raw):
        if not (isinstance(pair, list) and len(pair) == 2 and _is_count(pair[0]) and _is_num(pair[1])):
            raise r.fail(f"{where}.intermediate[{i}]",
                         "expected [step, value] with a non-negative integer step and a finite number")
        if pairs and pair[0] <= pairs[-1][0]:
            raise r.fail(f"{where}.intermediate[{i}]",
                         f"steps must increase: step {pair[0]} after step {pairs[-1][0]}")
        pairs.append((pair[0], float(pair[1])))
    return pairs


def _check_params(r: _Reader, params: Mapping[str, Any], space: Space, where: str, *, values: bool) -> None:
    """``params`` names every active parameter of ``space`` and no other, each (when ``values``) a legal value."""
    for name in params:
        if name not in space:
            raise r.fail(f"{where}.{name}", f"not a parameter of the space (parameters: {', '.join(space)})")
    for name, dim in space.items():
        active = space.is_active(name, params)
        if name in params and not active:
            raise r.fail(f"{where}.{name}", f"inactive here ({dim.condition_text}), so it cannot have a value")
        if not active:
            continue
        if name not in params:
            raise r.fail(where, f"missing parameter {name!r} of the space")
        if values and not dim.contains(params[name]):
            raise r.fail(f"{where}.{name}", f"expected a value of {dim!r}, got {_kind(params[name])} "
                                            f"{_short(params[name])}")


def _same_json(a: Any, b: Any) -> bool:
    """Equal values of equal JSON types (``1`` is neither ``1.0`` nor ``true``)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_json(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def _check_best(r: _Reader, data: Mapping[str, Any], exp: ExperimentResult, where: str) -> None:
    best = r.get(data, "best", where, lambda v: v is None or _is_obj(v), "an object or null")
    computed = exp.best
    if (best is None) != (computed is None) or (
            best is not None and computed is not None and best.get("number") != computed.number):
        expected = "null" if computed is None else f"trial {computed.number}"
        raise r.fail(f"{where}.best", f"does not match the trials (expected {expected})")
    if best is None or computed is None:
        return
    where = f"{where}.best"
    r.get(best, "number", where, _is_count, "a non-negative integer")
    fields = (("params", _is_obj, "an object", computed.params),
              ("score", _is_num, "a finite number", computed.score),
              ("score_std", _is_opt_spread, "a non-negative finite number or null", computed.score_std))
    for key, check, expected, value in fields:
        given = r.get(best, key, where, check, expected)
        same = _same_json(given, value) if key == "params" else given == value
        if not same:
            raise r.fail(f"{where}.{key}",
                         f"does not match trial {computed.number} (expected {_show(value)}, got {_show(given)})")


def _check_budget(r: _Reader, data: Mapping[str, Any], where: str, *, status: str, trials: int) -> dict[str, Any]:
    budget = r.get(data, "budget", where, _is_obj, "an object")
    # A --recheck interrupted before its first trial records the trials it ran: none.
    zero_ok = status == ExperimentStatus.INTERRUPTED and trials == 0
    r.get(budget, "trials", f"{where}.budget", lambda v: _is_int(v) and (v > 0 or (v == 0 and zero_ok)),
          "a positive integer")
    return dict(budget)


def _read_pruner(r: _Reader, data: Mapping[str, Any], where: str) -> dict[str, Any] | None:
    pruner = r.get(data, "pruner", where, lambda v: v is None or _is_obj(v), "an object or null", optional=True)
    if pruner is not None:
        r.get(pruner, "name", f"{where}.pruner", lambda v: _is_str(v) and v != "", "a non-empty string")
        r.get(pruner, "options", f"{where}.pruner", _is_obj, "an object")
    return pruner


def _read_experiment(r: _Reader, data: Any, where: str) -> ExperimentResult:
    data = r.obj(data, where)
    exp_id = r.get(data, "id", where, lambda v: _is_str(v) and v != "", "a non-empty string")
    direction = r.get(data, "direction", where, *_one_of(("maximize", "minimize")))
    strategy = r.get(data, "strategy", where, _is_str, "a string")
    status = r.get(data, "status", where, *_one_of(ExperimentStatus.ALL))
    space = r.get(data, "space", where, _is_obj, "an object")
    try:
        dimensions = Space.from_dict(space)
    except SpaceError as exc:
        raise r.fail(f"{where}.space", str(exc)) from None
    raw_trials = r.get(data, "trials", where, lambda v: isinstance(v, list), "an array")
    trials = [_read_trial(r, t, f"{where}.trials[{i}]") for i, t in enumerate(raw_trials)]
    for i, trial in enumerate(trials):
        _check_params(r, trial.params, dimensions, f"{where}.trials[{i}].params",
                      values=strategy != RECHECK_STRATEGY)
    numbers = [t.number for t in trials]
    if len(set(numbers)) != len(numbers):
        raise r.fail(f"{where}.trials", "trial numbers are not unique")
    exp = ExperimentResult(
        id=exp_id, strategy=strategy, direction=direction,
        seed=r.get(data, "seed", where, _is_count, "an integer >= 0"),
        budget=_check_budget(r, data, where, status=status, trials=len(trials)),
        space=space,
        trials=trials,
        status=status,
        duration_s=float(r.get(data, "duration_s", where, lambda v: _is_num(v) and v >= 0,
                               "a non-negative finite number", optional=True, default=0.0)),
        stop_reason=r.get(data, "stop_reason", where, *_one_of(StopReason.ALL), optional=True, default="budget"),
        error=r.get(data, "error", where, _is_opt_str, "a string or null", optional=True),
        notes=list(r.get(data, "notes", where, lambda v: isinstance(v, list) and all(map(_is_str, v)),
                         "an array of strings", optional=True, default=[])),
        tolerance=r.get(data, "tolerance", where, _is_opt_str, "a string or null", optional=True),
        pruner=_read_pruner(r, data, where),
        source_hash=r.get(data, "source_hash", where, lambda v: v is None or (isinstance(v, str) and _HEX.fullmatch(v)
                                                                               is not None),
                          "a hexadecimal digest or null", optional=True, default=None),
        quiet_hints=list(r.get(data, "quiet_hints", where, lambda v: isinstance(v, list) and all(map(_is_str, v)),
                               "an array of strings", optional=True, default=[])),
        from_run=r.get(data, "from_run", where, _is_opt_str, "a string or null", optional=True),
    )
    exp.objectives, exp.limits = _read_objectives(r, data, where, direction)
    exp.objective_tolerances = _read_objective_tolerances(r, data, where, exp.objectives)
    _check_values(r, exp, where)
    _check_best(r, data, exp, where)
    _check_front(r, data, exp, where)
    exp.hypervolume_reference = _read_hypervolume(r, data, exp, where)
    return exp


def _read_machine_info(r: _Reader, data: Mapping[str, Any]) -> dict[str, Any]:
    info = r.get(data, "machine_info", "", _is_obj, "an object", optional=True, default={})
    for key in _MACHINE_INFO_TEXT:
        r.get(info, key, "machine_info", _is_str, "a string", optional=True)
    r.get(info, "cpu_count", "machine_info", lambda v: v is None or (_is_int(v) and v > 0),
          "a positive integer or null", optional=True)
    libraries = r.get(info, "libraries", "machine_info", _is_obj, "an object", optional=True, default={})
    for name in libraries:
        r.get(libraries, name, "machine_info.libraries", _is_opt_str, "a version string or null")
    return dict(info)


def _read_commit_info(r: _Reader, data: Mapping[str, Any]) -> dict[str, Any]:
    info = r.get(data, "commit_info", "", _is_obj, "an object", optional=True, default={})
    r.get(info, "id", "commit_info", _is_opt_str, "a string or null", optional=True)
    r.get(info, "dirty", "commit_info", _is_opt_bool, "a boolean or null", optional=True)
    r.get(info, "branch", "commit_info", _is_opt_str, "a string or null", optional=True)
    return dict(info)


def read_trial(data: Any, source: str = "<trial>") -> TrialResult:
    """Validate and rebuild one trial written by :func:`trial_to_dict`."""
    return _read_trial(_Reader(source), data, "trial")


def experiment_from_dict(data: Any, source: str = "<experiment>") -> ExperimentResult:
    """Validate and rebuild one experiment record written by :func:`experiment_to_dict`."""
    return _read_experiment(_Reader(source), data, "experiment")


def from_dict(data: Any, source: str = "<results>") -> ResultsDocument:
    """Validate a parsed JSON document and build the records; raise :class:`ResultsError` naming the field."""
    r = _Reader(source)
    data = r.obj(data, "document")
    schema = data.get("schema")
    if schema != SCHEMA:
        raise r.fail("schema", f"expected {SCHEMA!r}, got {_short(schema) or _kind(schema)}"
                     + (" (not a tunekit results file?)" if schema is None else ""))
    raw = r.get(data, "experiments", "", lambda v: isinstance(v, list), "an array")
    experiments = [_read_experiment(r, e, f"experiments[{i}]") for i, e in enumerate(raw)]
    ids = [e.id for e in experiments]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise r.fail("experiments", f"duplicate experiment id {duplicates[0]!r}")
    return ResultsDocument(
        experiments=experiments,
        tunekit_version=r.get(data, "tunekit_version", "", _is_str, "a string", optional=True, default=""),
        created=r.get(data, "created", "", _is_str, "a string", optional=True, default=""),
        machine_info=_read_machine_info(r, data),
        commit_info=_read_commit_info(r, data),
        run_id=r.get(data, "run_id", "", lambda v: isinstance(v, str) and _RUN_ID.fullmatch(v) is not None,
                     "a run ID (letters, digits, '-', '_' and '.')", optional=True, default=""),
    )


#: A run ID names a file of its own (``.tunekit/runs/<run_id>.json``): no path separators.
_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
_HEX = re.compile(r"[0-9a-f]{8,128}")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def loads(text: str, source: str = "<results>") -> ResultsDocument:
    """Parse and validate JSON text; raise :class:`ResultsError` on any problem."""
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ResultsError(f"{source}: not valid JSON: {exc}") from None
    return from_dict(data, source)


def load(path: str | os.PathLike[str]) -> ResultsDocument:
    """Read and validate a results (or baseline) file; raise :class:`ResultsError` naming path and field."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ResultsError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultsError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    return loads(text, str(path))
