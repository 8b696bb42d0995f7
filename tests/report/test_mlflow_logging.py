"""MLflow logging: checked against a fake ``mlflow`` module (the suite does not install MLflow), and
against the real one when it is installed."""

from __future__ import annotations

import sys
import types
from collections import namedtuple
from typing import ClassVar

import pytest

from tunekit.tracking import TrackingError, log_to_mlflow, require_mlflow
from tunekit.trial import TrialState

Metric = namedtuple("Metric", "key value timestamp step")
Param = namedtuple("Param", "key value")
RunTag = namedtuple("RunTag", "key value")


class FakeClient:
    """Records what tunekit asks of ``MlflowClient``."""

    instances: ClassVar[list[FakeClient]] = []

    def __init__(self, tracking_uri=None):
        self.tracking_uri = tracking_uri
        self.experiments: dict[str, str] = {"tunekit": "0"}
        self.runs: dict[str, dict] = {}
        FakeClient.instances.append(self)

    def get_experiment_by_name(self, name):
        eid = self.experiments.get(name)
        return None if eid is None else types.SimpleNamespace(experiment_id=eid)

    def create_experiment(self, name):
        self.experiments[name] = str(len(self.experiments))
        return self.experiments[name]

    def create_run(self, experiment_id, tags=None, run_name=None):
        run_id = f"run{len(self.runs)}"
        self.runs[run_id] = {"experiment": experiment_id, "tags": dict(tags or {}), "name": run_name,
                             "metrics": [], "params": {}, "status": None}
        return types.SimpleNamespace(info=types.SimpleNamespace(run_id=run_id))

    def log_batch(self, run_id, metrics=(), params=(), tags=()):
        assert len(metrics) <= 1000 and len(params) <= 100
        self.runs[run_id]["metrics"] += list(metrics)
        self.runs[run_id]["params"].update({p.key: p.value for p in params})

    def set_terminated(self, run_id, status=None):
        self.runs[run_id]["status"] = status


@pytest.fixture
def fake_mlflow(monkeypatch):
    FakeClient.instances.clear()
    mlflow = types.ModuleType("mlflow")
    tracking = types.ModuleType("mlflow.tracking")
    tracking.MlflowClient = FakeClient
    entities = types.ModuleType("mlflow.entities")
    entities.Metric, entities.Param, entities.RunTag = Metric, Param, RunTag
    mlflow.tracking, mlflow.entities = tracking, entities
    for name, module in (("mlflow", mlflow), ("mlflow.tracking", tracking), ("mlflow.entities", entities)):
        monkeypatch.setitem(sys.modules, name, module)
    return FakeClient


def sample(craft):
    trials = [craft.trial(0, folds=[0.8, 0.9], params={"C": 1.0, "depth": 2, "kernel": "rbf"},
                          metrics={"train_score": 0.99, "note": "x"}, intermediate=[(1, 0.5), (2, 0.7)]),
              craft.trial(1, state=TrialState.PRUNED, params={"C": 2.0, "depth": 3, "kernel": "linear"},
                          metrics={"intermediate": [[1, 0.2]]}),
              craft.trial(2, params={"C": 3.0, "depth": 4, "kernel": "rbf"}, error="ValueError: boom")]
    return craft.doc(craft.experiment(trials, id="experiments/exp_a.py::tune_a"),
                     craft.experiment([craft.trial(0, 1.5)], id="experiments/exp_b.py::tune_b", direction="minimize"))


def test_one_parent_run_per_experiment_and_a_child_per_trial(craft, fake_mlflow):
    parents = log_to_mlflow(sample(craft), "file:///somewhere/mlruns")
    client = fake_mlflow.instances[-1]
    assert client.tracking_uri == "file:///somewhere/mlruns"
    assert list(parents) == ["experiments/exp_a.py::tune_a", "experiments/exp_b.py::tune_b"]
    runs = client.runs
    parent = runs[parents["experiments/exp_a.py::tune_a"]]
    assert parent["name"] == "experiments/exp_a.py::tune_a" and "mlflow.parentRunId" not in parent["tags"]
    assert parent["params"]["strategy"] == "random" and parent["params"]["best.C"] == "1.0"
    assert {m.key: m.value for m in parent["metrics"]}["best_score"] == pytest.approx(0.85)
    assert parent["tags"]["mlflow.source.git.commit"] == "0123456789abcdef" and parent["status"] == "FINISHED"
    children = [r for r in runs.values() if r["tags"].get("mlflow.parentRunId") == parents[
        "experiments/exp_a.py::tune_a"]]
    assert [c["name"] for c in children] == ["trial 0", "trial 1", "trial 2"]
    assert [c["status"] for c in children] == ["FINISHED", "KILLED", "FAILED"]
    assert children[0]["params"] == {"C": "1.0", "depth": "2", "kernel": "rbf"}
    metrics = {(m.key, m.step): m.value for m in children[0]["metrics"]}
    assert metrics[("score", 0)] == pytest.approx(0.85) and metrics[("train_score", 0)] == 0.99
    assert metrics[("fold_0", 0)] == 0.8 and metrics[("fold_1", 0)] == 0.9
    assert metrics[("intermediate", 1)] == 0.5 and metrics[("intermediate", 2)] == 0.7  # a history by step
    pruned = {(m.key, m.step): m.value for m in children[1]["metrics"]}
    assert pruned[("intermediate", 1)] == 0.2 and ("intermediate", 0) not in pruned  # from metrics["intermediate"]
    assert ("note", 0) not in metrics  # text metrics are not metrics
    assert children[2]["tags"]["tunekit.error"] == "ValueError: boom"
    assert {r["experiment"] for r in runs.values()} == {"0"}  # the existing "tunekit" experiment, reused
    assert len(runs) == 2 + 3 + 1


def test_a_new_experiment_name_is_created(craft, fake_mlflow):
    log_to_mlflow(sample(craft), experiment_name="mine")
    client = fake_mlflow.instances[-1]
    assert client.tracking_uri is None and client.experiments["mine"] == "1"
    assert {r["experiment"] for r in client.runs.values()} == {"1"}


def test_missing_mlflow_is_one_clear_error(craft, monkeypatch):
    monkeypatch.setitem(sys.modules, "mlflow", None)
    with pytest.raises(TrackingError, match=r"^MLflow logging needs mlflow: pip install 'tunekit\[mlflow\]'$"):
        log_to_mlflow(sample(craft))
    with pytest.raises(TrackingError, match=r"needs mlflow"):
        require_mlflow()


def test_tracker_errors_become_one_line(craft, fake_mlflow, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise RuntimeError("connection refused\nlong traceback text")

    monkeypatch.setattr(FakeClient, "create_run", refuse)
    with pytest.raises(TrackingError, match=r"^MLflow logging to http://x failed: connection refused$"):
        log_to_mlflow(sample(craft), "http://x")


def test_real_mlflow_round_trip(craft, tmp_path, monkeypatch):
    pytest.importorskip("mlflow", reason="MLflow is optional; this runs where tunekit[mlflow] is installed")
    from mlflow.tracking import MlflowClient

    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # MLflow 3 keeps the file store behind this switch
    uri = (tmp_path / "mlruns").as_uri()
    parents = log_to_mlflow(sample(craft), uri)
    client = MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name("tunekit")
    runs = client.search_runs([experiment.experiment_id], max_results=100)
    assert len(runs) == 6
    children = [r for r in runs if r.data.tags.get("mlflow.parentRunId") == parents["experiments/exp_a.py::tune_a"]]
    assert sorted(r.info.run_name for r in children) == ["trial 0", "trial 1", "trial 2"]
    first = next(r for r in children if r.info.run_name == "trial 0")
    assert first.data.params == {"C": "1.0", "depth": "2", "kernel": "rbf"}
    assert first.data.metrics["score"] == pytest.approx(0.85)
    history = client.get_metric_history(first.info.run_id, "intermediate")
    assert sorted((m.step, m.value) for m in history) == [(1, 0.5), (2, 0.7)]
    assert sorted(r.info.status for r in children) == ["FAILED", "FINISHED", "KILLED"]


def test_a_conditional_search_logs_each_trials_active_params_only(craft, fake_mlflow, conditional_record):
    parents = log_to_mlflow(craft.doc(conditional_record))
    runs = fake_mlflow.instances[-1].runs
    parent = runs[parents[conditional_record.id]]
    best = conditional_record.best
    assert {k for k in parent["params"] if k.startswith("best.")} == {f"best.{k}" for k in best.params}
    children = sorted((r for r in runs.values() if r["tags"].get("mlflow.parentRunId") == parents[
        conditional_record.id]), key=lambda r: int(r["tags"]["tunekit.trial"]))
    assert len(children) == 30
    for child, trial in zip(children, sorted(conditional_record.trials, key=lambda t: t.number), strict=True):
        assert child["params"] == {k: str(v) for k, v in trial.params.items()}  # nothing for inactive ones
    assert {len(c["params"]) for c in children} == {2, 4}  # a k-NN or forest trial has 2, an SVC trial 4


def test_several_objectives_log_each_value_the_selected_trial_and_the_front(craft, fake_mlflow):
    from dataclasses import replace

    objectives = {"accuracy": "maximize", "seconds": "minimize"}
    trials = [replace(craft.trial(i, acc, params={"C": float(i), "depth": 2, "kernel": "rbf"}),
                      values={"accuracy": acc, "seconds": secs})
              for i, (acc, secs) in enumerate([(0.8, 1.0), (0.9, 3.0), (0.95, 9.0)])]
    exp = replace(craft.experiment(trials, id="experiments/exp_mo.py::tune_mo"), objectives=objectives,
                  limits={"seconds": 5.0})
    parents = log_to_mlflow(craft.doc(exp))
    runs = fake_mlflow.instances[-1].runs
    parent = runs[parents["experiments/exp_mo.py::tune_mo"]]
    metrics = {m.key: m.value for m in parent["metrics"]}
    assert metrics["selected.accuracy"] == 0.9 and metrics["selected.seconds"] == 3.0
    assert metrics["pareto_front_size"] == 2.0 and metrics["hypervolume"] == pytest.approx(exp.hypervolume)
    assert parent["tags"]["tunekit.selected_trial"] == "1"
    assert parent["tags"]["tunekit.objectives"] == "accuracy (maximize), seconds (minimize)"
    assert parent["tags"]["tunekit.limits"] == "seconds 5"
    children = [r for r in runs.values() if r["tags"].get("mlflow.parentRunId") == parents[exp.id]]
    assert [{m.key: m.value for m in c["metrics"]}["values.seconds"] for c in children] == [1.0, 3.0, 9.0]
