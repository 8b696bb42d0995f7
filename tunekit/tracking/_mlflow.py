"""Log a results document to MLflow: one parent run per experiment, one child run per trial.

MLflow is optional (``pip install 'tunekit[mlflow]'``) and imported only when :func:`log_to_mlflow` runs.
Only ``MlflowClient`` is used, never MLflow's global "active run" or tracking URI, so logging does not
disturb runs the user's own code may have open.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from tunekit.errors import TrackingError
from tunekit.report.plots import INTERMEDIATE_METRIC, trial_intermediate
from tunekit.results import ExperimentResult, ResultsDocument
from tunekit.trial import TrialResult, TrialState

__all__ = ["DEFAULT_EXPERIMENT_NAME", "RUN_STATUS", "TrackingError", "log_to_mlflow", "require_mlflow"]

#: The MLflow experiment that receives the runs unless another name is given.
DEFAULT_EXPERIMENT_NAME = "tunekit"
#: MLflow run status of each trial state.
RUN_STATUS = {TrialState.COMPLETE: "FINISHED", TrialState.PRUNED: "KILLED", TrialState.FAIL: "FAILED",
              TrialState.RUNNING: "RUNNING"}
_PARENT_TAG = "mlflow.parentRunId"
_RUN_NAME_TAG = "mlflow.runName"
_MAX_TAG = 5000  # MLflow's limit on a tag value
_MAX_PARAM = 6000  # ... and on a param value (500 on old servers: values this long are rare here)
_BATCH = {"metrics": 1000, "params": 100, "tags": 100}  # MLflow's log_batch limits
T = TypeVar("T")


def require_mlflow() -> None:
    """Raise :class:`TrackingError` with the install command when mlflow cannot be imported (a command
    line can check this before a long run rather than after it)."""
    try:
        import mlflow  # noqa: F401
        from mlflow.tracking import MlflowClient  # noqa: F401 - checks the client is there too
    except ImportError:
        raise TrackingError("MLflow logging needs mlflow: pip install 'tunekit[mlflow]'") from None


def _key(name: str) -> str:
    """A metric, param or tag key MLflow accepts (letters, digits, ``_ - . / space``)."""
    return re.sub(r"[^\w\-. /]", "_", name)[:250] or "_"


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


class _Logger:
    """One client, one MLflow experiment, and the entity classes of the installed MLflow."""

    def __init__(self, tracking_uri: str | None, experiment_name: str) -> None:
        from mlflow.entities import Metric, Param, RunTag
        from mlflow.tracking import MlflowClient

        self.Metric, self.Param, self.RunTag = Metric, Param, RunTag
        self.client = MlflowClient(tracking_uri=tracking_uri)
        existing = self.client.get_experiment_by_name(experiment_name)
        self.experiment_id = (existing.experiment_id if existing is not None
                              else self.client.create_experiment(experiment_name))
        self.now = int(time.time() * 1000)

    def run(self, name: str, *, parent: str | None, params: dict[str, Any], metrics: dict[str, float],
            steps: dict[str, list[tuple[float, float]]], tags: dict[str, str], status: str) -> str:
        all_tags = {**tags, _RUN_NAME_TAG: name}
        if parent is not None:
            all_tags[_PARENT_TAG] = parent
        run = self.client.create_run(self.experiment_id, tags=all_tags, run_name=name)
        run_id = run.info.run_id
        metric_list = [self.Metric(_key(k), v, self.now, 0) for k, v in metrics.items()]
        for key, points in steps.items():  # a metric history: MLflow's steps are integers
            metric_list += [self.Metric(_key(key), value, self.now, int(step)) for step, value in points]
        param_list = [self.Param(_key(k), str(v)[:_MAX_PARAM]) for k, v in params.items()]
        for batch in _chunks(metric_list, _BATCH["metrics"]):
            self.client.log_batch(run_id, metrics=list(batch))
        for batch in _chunks(param_list, _BATCH["params"]):
            self.client.log_batch(run_id, params=list(batch))
        self.client.set_terminated(run_id, status=status)
        return run_id


def _trial_fields(trial: TrialResult) -> tuple[dict[str, float], dict[str, list[tuple[float, float]]]]:
    metrics: dict[str, float] = {"duration_s": trial.duration_s}
    for name, value in (("score", trial.score), ("score_std", trial.score_std)):
        if value is not None:
            metrics[name] = value
    points = trial_intermediate(trial)
    steps = {INTERMEDIATE_METRIC: points} if points else {}
    for name, value in trial.metrics.items():
        number = _finite(value)
        if number is not None:
            metrics[name] = number
        elif name == INTERMEDIATE_METRIC:
            continue  # read above
        elif isinstance(value, list) and value and all(_finite(v) is not None for v in value):
            metrics[name] = sum(value) / len(value)  # fold values of a metric: their mean
    for i, fold in enumerate(trial.folds or []):
        metrics[f"fold_{i}"] = fold
    for name, value in (trial.values or {}).items():  # several objectives: each one's value, named as in CSV
        metrics[f"values.{name}"] = value
    return metrics, steps


def _objectives_fields(exp: ExperimentResult, metrics: dict[str, float], tags: dict[str, str]) -> None:
    """An experiment with several objectives: the selected trial's value of each, the front's size and
    hypervolume as metrics; the objectives, limits and selected trial as tags."""
    tags["tunekit.objectives"] = ", ".join(f"{name} ({direction})" for name, direction in exp.objectives.items())
    if exp.limits:
        tags["tunekit.limits"] = ", ".join(f"{name} {limit:g}" for name, limit in exp.limits.items())
    metrics["pareto_front_size"] = float(len(exp.pareto_front))
    hypervolume = exp.hypervolume
    if hypervolume is not None:
        metrics["hypervolume"] = hypervolume
    selected = exp.selected
    if selected is not None:
        tags["tunekit.selected_trial"] = str(selected.number)
        metrics.update({f"selected.{name}": value for name, value in (selected.values or {}).items()})


def _log_experiment(logger: _Logger, exp: ExperimentResult, doc: ResultsDocument) -> str:
    best = exp.best
    commit = doc.commit_info or {}
    tags = {"tunekit.experiment_id": exp.id, "tunekit.status": exp.status, "tunekit.direction": exp.direction,
            "tunekit.version": doc.tunekit_version or "", "tunekit.created": doc.created or ""}
    if commit.get("id"):
        tags["mlflow.source.git.commit"] = str(commit["id"])
    if exp.error:
        tags["tunekit.error"] = exp.error[:_MAX_TAG]
    params: dict[str, Any] = {"strategy": exp.strategy, "direction": exp.direction, "seed": exp.seed,
                              "budget_trials": exp.budget.get("trials", len(exp.trials))}
    metrics = {"trials_complete": float(exp.count(TrialState.COMPLETE)),
               "trials_failed": float(exp.count(TrialState.FAIL)),
               "trials_pruned": float(exp.count(TrialState.PRUNED)), "duration_s": exp.duration_s}
    if best is not None:
        params.update({f"best.{k}": v for k, v in best.params.items()})
        metrics["best_score"] = float(best.score)  # type: ignore[arg-type]
        if best.score_std is not None:
            metrics["best_score_std"] = best.score_std
        tags["tunekit.best_trial"] = str(best.number)
    if exp.objectives:
        _objectives_fields(exp, metrics, tags)
    status = {"passed": "FINISHED", "failed": "FAILED", "interrupted": "KILLED"}.get(exp.status, "FINISHED")
    parent = logger.run(exp.id, parent=None, params=params, metrics=metrics, steps={}, tags=tags, status=status)
    for trial in sorted(exp.trials, key=lambda t: t.number):
        trial_metrics, steps = _trial_fields(trial)
        trial_tags = {"tunekit.experiment_id": exp.id, "tunekit.trial": str(trial.number),
                      "tunekit.state": trial.state.value}
        if trial.error:
            trial_tags["tunekit.error"] = trial.error[:_MAX_TAG]
        if trial.seed is not None:
            trial_tags["tunekit.seed"] = str(trial.seed)
        logger.run(f"trial {trial.number}", parent=parent, params=dict(trial.params), metrics=trial_metrics,
                   steps=steps, tags=trial_tags, status=RUN_STATUS.get(trial.state, "FINISHED"))
    return parent


def log_to_mlflow(doc: ResultsDocument, tracking_uri: str | None = None, *,
                  experiment_name: str = DEFAULT_EXPERIMENT_NAME) -> dict[str, str]:
    """Log every experiment of ``doc`` to MLflow; return the parent run ID of each experiment ID.

    Each tunekit experiment becomes a parent run (named by its node ID) in the MLflow experiment
    ``experiment_name``, with the search settings and the best parameters (``best.NAME``) as params and the
    best score and trial counts as metrics. Each trial becomes a child run (``trial N``) with its parameters
    as params (only those it has: a conditional parameter inactive in the trial is not logged); its score,
    score_std, duration, fold scores (``fold_I``) and numeric metrics as metrics (a metric's fold values as
    their mean; the intermediate values as an ``intermediate`` metric history by step); its state, seed and
    error as tags. Pruned trials end ``KILLED``, failed ones ``FAILED``. With several objectives, each trial
    also logs each objective's value (``values.NAME``), and the parent run the selected trial's
    (``selected.NAME``), the Pareto front's size and hypervolume, and tags naming the objectives, limits and
    selected trial.

    Args:
        doc: The results to log.
        tracking_uri: Where to log; ``None`` follows MLflow's own resolution (``MLFLOW_TRACKING_URI``,
            else MLflow's default local store, which ``mlflow ui`` run in the same directory shows).
        experiment_name: The MLflow experiment to log into (created when missing).

    Raises:
        TrackingError: mlflow is not installed, or MLflow refused or could not store the runs.
    """
    require_mlflow()
    try:
        logger = _Logger(tracking_uri, experiment_name)
        return {exp.id: _log_experiment(logger, exp, doc) for exp in doc.experiments}
    except TrackingError:
        raise
    except Exception as exc:  # noqa: BLE001 - MlflowException, connection errors: one line naming the tracker
        where = tracking_uri or "MLflow's default tracking URI"
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise TrackingError(f"MLflow logging to {where} failed: {message}") from None
