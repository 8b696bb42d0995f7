"""The store keeps what an experiment with several objectives recorded, and upgrades a version-1 database."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy

from tunekit import results
from tunekit.results import ExperimentResult, ResultsDocument
from tunekit.store import _schema, open_store
from tunekit.trial import TrialResult, TrialState

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
OBJECTIVES = {"accuracy": "maximize", "seconds": "minimize"}


def several_objectives() -> ExperimentResult:
    trials = [TrialResult(number=i, params={"n": i + 1}, state=TrialState.COMPLETE, score=acc, folds=[acc, acc],
                          values={"accuracy": acc, "seconds": secs})
              for i, (acc, secs) in enumerate([(0.8, 1.0), (0.9, 3.0), (0.95, 9.0), (0.7, 2.0)])]
    trials.append(TrialResult(number=4, params={"n": 5}, state=TrialState.FAIL, error="boom"))
    return ExperimentResult(id="experiments/exp_mo.py::tune_mo", strategy="evolution", direction="maximize", seed=0,
                            budget={"trials": 5}, space={"n": {"type": "integer", "low": 1, "high": 9, "log": False}},
                            trials=trials, objectives=dict(OBJECTIVES), limits={"seconds": 5.0},
                            objective_tolerances={"seconds": "20%", "hypervolume": "5%"},
                            hypervolume_reference={"accuracy": 0.5, "seconds": 5.0})


def _document(*experiments: ExperimentResult) -> ResultsDocument:
    return ResultsDocument(experiments=list(experiments), tunekit_version="0.1.0", created="2026-01-01T00:00:00+00:00",
                           commit_info={"id": "c0ffee", "dirty": False, "branch": "main"})


def test_a_run_with_several_objectives_reads_back_whole(store_url: str, tmp_path: Path) -> None:
    doc = _document(several_objectives())
    with open_store(store_url, root=tmp_path) as store:
        assert store.record_run(doc, run_id="r", started=T0, finished=T0 + timedelta(minutes=1))
        back = store.document("r")
        (stored,) = store.experiment_history("experiments/exp_mo.py::tune_mo")
    assert stored.score_name == "accuracy"  # what its best score measured: history keeps measures apart
    assert back is not None
    (exp,) = back.experiments
    original = doc.experiments[0]
    assert (exp.objectives, exp.limits, exp.objective_tolerances) == (
        original.objectives, original.limits, original.objective_tolerances)
    assert [t.values for t in exp.trials] == [t.values for t in original.trials]
    assert exp.hypervolume_reference == {"accuracy": 0.5, "seconds": 5.0}
    assert [t.number for t in exp.pareto_front] == [0, 1] and exp.selected is not None and exp.selected.number == 1
    # the document as written to a file is the one recorded: it loads (and so validates) unchanged
    assert results.to_dict(results.loads(results.dumps(back)))["experiments"] == results.to_dict(doc)["experiments"]


def test_a_single_objective_leaves_the_new_columns_null(store_url: str, tmp_path: Path) -> None:
    single = ExperimentResult(id="experiments/exp_one.py::tune_one", strategy="random", direction="maximize", seed=0,
                              budget={"trials": 1}, space={"n": {"type": "integer", "low": 1, "high": 9, "log": False}},
                              trials=[TrialResult(number=0, params={"n": 1}, state=TrialState.COMPLETE, score=0.5)])
    with open_store(store_url, root=tmp_path) as store:
        store.record_run(_document(single), run_id="r", started=T0, finished=T0)
        back = store.document("r")
        assert store.experiment_history(single.id)[0].score_name is None
    assert back is not None and back.experiments[0].objectives == {} and back.experiments[0].trials[0].values is None


def test_a_version_1_database_is_upgraded_keeping_its_runs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as conn:  # a database as tunekit with schema version 1 left it, with one run
        _schema.MIGRATIONS[1](conn)
        conn.execute(sqlalchemy.text("INSERT INTO tunekit_schema VALUES (1, 'then')"))
    with open_store(url, root=tmp_path) as old:  # upgrades on the way
        assert old.schema_version() == _schema.SCHEMA_VERSION == 2
        old.record_run(_document(several_objectives()), run_id="r", started=T0, finished=T0)
        back = old.document("r")
    assert back is not None and back.experiments[0].objectives == OBJECTIVES
    with engine.connect() as conn:
        columns = {c["name"] for c in sqlalchemy.inspect(conn).get_columns("tunekit_trials")}
    assert "objective_values" in columns
    engine.dispose()
