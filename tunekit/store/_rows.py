"""Between records and rows: a results document as the rows of one run, and rows back as records.

Serialising happens here, before a write transaction starts, so a writer holds the database's lock only
for the inserts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from tunekit.results import ExperimentResult, ResultsDocument
from tunekit.store._records import RunSummary, StoredExperiment, space_hash
from tunekit.trial import TrialResult, TrialState

if TYPE_CHECKING:
    from sqlalchemy.engine import RowMapping

__all__ = ["RunRows", "document", "experiment_result", "parse_time", "run_rows", "run_summary",
           "stored_experiment", "utc_text"]


@dataclass(frozen=True)
class RunRows:
    """The rows of one run: the run's, then each experiment's with its trials'."""

    run: dict[str, Any]
    experiments: list[tuple[dict[str, Any], list[dict[str, Any]]]]


def utc_text(moment: datetime) -> str:
    """``moment`` in UTC as fixed-width ISO 8601 text, so that text order is time order (naive means local)."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


#: One encoder for every value: ``json.dumps`` with options builds a new one per call, the bulk of the time
#: it takes to serialise a 1,000-trial run.
_encode = json.JSONEncoder(allow_nan=False).encode


def _json(value: Any) -> str | None:
    return None if value is None else _encode(value)


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _trial_row(trial: TrialResult) -> dict[str, Any]:
    return {
        "number": trial.number, "params": _encode(trial.params), "state": trial.state.value,
        "score": trial.score, "score_std": trial.score_std, "folds": _json(trial.folds),
        "metrics": _encode(trial.metrics) if trial.metrics else "{}", "duration_s": round(trial.duration_s, 6),
        "error": trial.error, "seed": trial.seed, "warm_start": trial.warm_start,
        "intermediate": None if trial.intermediate is None else _json([[s, v] for s, v in trial.intermediate]),
        "objective_values": _json(trial.values),
    }


def _experiment_row(exp: ExperimentResult, position: int, *, space: str, source: str | None) -> dict[str, Any]:
    best = exp.best
    return {
        "position": position, "experiment_id": exp.id, "space_hash": space, "source_hash": source,
        "strategy": exp.strategy, "direction": exp.direction, "seed": exp.seed, "budget": _json(dict(exp.budget)),
        "space": _json(dict(exp.space)), "pruner": _json(exp.pruner), "tolerance": exp.tolerance,
        "status": exp.status, "stop_reason": exp.stop_reason, "duration_s": round(exp.duration_s, 6),
        "error": exp.error, "notes": _json(list(exp.notes)), "trial_count": len(exp.trials),
        "best_number": None if best is None else best.number,
        "best_score": None if best is None else best.score,
        "best_score_std": None if best is None else best.score_std,
        "best_folds": None if best is None else _json(best.folds),
        "best_params": None if best is None else _json(dict(best.params)),
        "objectives": _objectives_json(exp),
    }


def _objectives_json(exp: ExperimentResult) -> str | None:
    """What an experiment with several objectives declared, and the reference point it measured from."""
    if not exp.objectives:
        return None
    return _encode({"objectives": dict(exp.objectives), "limits": dict(exp.limits),
                    "objective_tolerances": dict(exp.objective_tolerances),
                    "hypervolume_reference": exp.reference or {}})


def run_rows(doc: ResultsDocument, *, run_id: str, started: datetime, finished: datetime, recorded: datetime,
             user: str | None, branch: str | None, space_hashes: Mapping[str, str],
             source_hashes: Mapping[str, str]) -> RunRows:
    """The rows recording ``doc`` as run ``run_id``; a space hash not given is computed from the record."""
    commit = doc.commit_info
    run = {
        "run_id": run_id, "started": utc_text(started), "finished": utc_text(finished),
        "recorded": utc_text(recorded), "created": doc.created, "user": user,
        "machine": doc.machine_info.get("node"), "machine_info": _json(dict(doc.machine_info)),
        "tunekit_version": doc.tunekit_version, "commit_id": commit.get("id"), "commit_dirty": commit.get("dirty"),
        "branch": branch if branch is not None else commit.get("branch"),
    }
    experiments = [
        (_experiment_row(exp, position, space=space_hashes.get(exp.id) or space_hash(exp.space),
                         source=source_hashes.get(exp.id) or exp.source_hash),
         [_trial_row(t) for t in exp.trials])
        for position, exp in enumerate(doc.experiments)]
    return RunRows(run, experiments)


def run_summary(run: RowMapping, best_scores: Mapping[str, float | None]) -> RunSummary:
    return RunSummary(
        run_id=run["run_id"], started=parse_time(run["started"]), finished=parse_time(run["finished"]),
        user=run["user"], machine=run["machine"], tunekit_version=run["tunekit_version"],
        commit=run["commit_id"], dirty=run["commit_dirty"], branch=run["branch"], best_scores=dict(best_scores))


def stored_experiment(row: RowMapping) -> StoredExperiment:
    """A joined experiment-and-run row as a record."""
    folds = _load(row["best_folds"])
    return StoredExperiment(
        run_id=row["run_id"], experiment_id=row["experiment_id"], started=parse_time(row["started"]),
        finished=parse_time(row["finished"]), commit=row["commit_id"], dirty=row["commit_dirty"],
        branch=row["branch"], space_hash=row["space_hash"], source_hash=row["source_hash"],
        strategy=row["strategy"], direction=row["direction"], status=row["status"],
        trial_count=row["trial_count"], best_score=row["best_score"], best_score_std=row["best_score_std"],
        best_folds=None if folds is None else tuple(folds), best_params=_load(row["best_params"]),
        score_name=score_name(row["objectives"]))


def _trial(row: RowMapping) -> TrialResult:
    intermediate = _load(row["intermediate"])
    return TrialResult(
        number=row["number"], params=_load(row["params"]), state=TrialState(row["state"]), score=row["score"],
        score_std=row["score_std"], folds=_load(row["folds"]), metrics=_load(row["metrics"]),
        duration_s=row["duration_s"], error=row["error"], seed=row["seed"], warm_start=bool(row["warm_start"]),
        intermediate=None if intermediate is None else [(s, v) for s, v in intermediate],
        values=_load(row["objective_values"]))


def score_name(objectives: str | None) -> str | None:
    """The first objective's name from an experiment row's ``objectives`` column: what its score measured
    (``None`` for a single score)."""
    declared = (_load(objectives) or {}).get("objectives") or {}
    return next(iter(declared), None)


def experiment_result(row: RowMapping, trial_rows: Sequence[RowMapping]) -> ExperimentResult:
    declared = _load(row["objectives"]) or {}
    return ExperimentResult(
        id=row["experiment_id"], strategy=row["strategy"], direction=row["direction"], seed=row["seed"],
        budget=_load(row["budget"]), space=_load(row["space"]), trials=[_trial(t) for t in trial_rows],
        status=row["status"], duration_s=row["duration_s"], stop_reason=row["stop_reason"], error=row["error"],
        notes=_load(row["notes"]), tolerance=row["tolerance"], pruner=_load(row["pruner"]),
        source_hash=row["source_hash"], objectives=declared.get("objectives", {}), limits=declared.get("limits", {}),
        objective_tolerances=declared.get("objective_tolerances", {}),
        hypervolume_reference=declared.get("hypervolume_reference", {}))


def document(run: RowMapping, experiments: Sequence[ExperimentResult]) -> ResultsDocument:
    """The results document a run was recorded from (``commit_info`` always has ``id``, ``dirty``, ``branch``)."""
    return ResultsDocument(
        experiments=list(experiments), tunekit_version=run["tunekit_version"], created=run["created"],
        run_id=run["run_id"],
        machine_info=_load(run["machine_info"]),
        commit_info={"id": run["commit_id"], "dirty": run["commit_dirty"], "branch": run["branch"]})
