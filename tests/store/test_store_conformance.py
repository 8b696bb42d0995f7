"""The run store's conformance suite: every test runs against SQLite and against PostgreSQL (``store_url``)."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy

import tunekit
from tunekit import Categorical, Integer, Real, tunable
from tunekit import results as results_io
from tunekit.errors import ConfigError
from tunekit.results import ExperimentResult, ResultsDocument
from tunekit.store import Store, _schema, _store, open_store, space_hash
from tunekit.trial import TrialResult, TrialState

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
EXP_A, EXP_B = "experiments/exp_a.py::tune_a", "experiments/exp_b.py::tune_b"
SPACE = {"x": {"type": "real", "low": 0.0, "high": 1.0, "log": False},
         "k": {"type": "categorical", "choices": ["a", "b", "c"]}}


# --- documents, built by hand (module level, so that spawned writer processes can build them too) -------

def make_experiment(exp_id: str, scores: list[float | None], *, direction: str = "maximize",
                    space: dict[str, Any] | None = None,
                    params: list[dict[str, Any]] | None = None) -> ExperimentResult:
    """An experiment with one trial per score (``None``: a failed trial); params cycle unless given."""
    trials = []
    for number, score in enumerate(scores):
        point = params[number] if params else {"x": round(number / 100, 4), "k": "abc"[number % 3]}
        if score is None:
            trials.append(TrialResult(number=number, params=point, state=TrialState.FAIL, duration_s=0.5,
                                      error="ValueError: boom (experiments/exp.py:3)", seed=number))
            continue
        trials.append(TrialResult(
            number=number, params=point, state=TrialState.COMPLETE, score=score, score_std=0.01,
            folds=[score, score], metrics={"fit_s": 0.25, "curve": [1.0, 2.0]}, duration_s=0.5, seed=number,
            intermediate=[(1, score), (2, score)], warm_start=number == 0))
    return ExperimentResult(id=exp_id, strategy="random", direction=direction, seed=7,
                            budget={"trials": len(trials)}, space=dict(space or SPACE), trials=trials,
                            duration_s=1.5, notes=["a note"], tolerance="2%",
                            pruner={"name": "median", "options": {"warmup": 1}})


def make_document(*experiments: ExperimentResult, commit: str = "c0ffee") -> ResultsDocument:
    return ResultsDocument(experiments=list(experiments), tunekit_version="0.1.0", created="2026-01-01T00:00:00+00:00",
                           machine_info={"node": "box", "system": "Linux", "cpu_count": 2},
                           commit_info={"id": commit, "dirty": True, "branch": "main"})


def record(store: Store, run_id: str, doc: ResultsDocument, *, minutes: int = 0, **kwargs: Any) -> bool:
    """Record ``doc`` as a run that finished ``minutes`` after T0 (and started a minute before)."""
    finished = T0 + timedelta(minutes=minutes)
    return store.record_run(doc, run_id=run_id, started=finished - timedelta(minutes=1), finished=finished,
                            **kwargs)


def tuned_document() -> ResultsDocument:
    """A real search's record: tunekit.tune on a tiny objective (defined here: the plugin would collect it
    at module level), with fold scores, metrics, reports and failed trials."""

    @tunable(space={"x": Real(-1, 1), "n": Integer(1, 4), "kind": Categorical(["a", "b"])}, strategy="random",
             trials=12, seed=5)
    def tune_store_round_trip(x, n, kind, trial):
        if n == 4:
            raise ValueError("n=4 fails")
        trial.report(x, step=1)
        return {"score": [x, x / n], "kind_is_a": kind == "a"}

    record = tunekit.tune(tune_store_round_trip, experiment_id="experiments/exp_rt.py::tune_rt")
    assert {t.state for t in record.trials} == {TrialState.COMPLETE, TrialState.FAIL}
    return make_document(record)


# --- worker processes (spawned: they import this module) --------------------------------------------------

def write_runs(url: str, root: str, barrier: Any, worker: int, runs: int) -> None:
    """Record ``runs`` runs of two 10-trial experiments, starting together with the other workers (the
    first of them creates the store's tables)."""
    barrier.wait(timeout=120)
    with open_store(url, root=Path(root)) as store:
        for i in range(runs):
            doc = make_document(make_experiment(EXP_A, [float(worker * 100 + i)] * 10),
                                make_experiment(EXP_B, [0.5] * 9 + [None]))
            assert record(store, f"w{worker}-r{i}", doc, minutes=i)


def die_mid_write(url: str, root: str) -> None:
    """Record a run and get killed (SIGKILL, as ``kill -9``) inside its transaction, after the first
    experiment's trials are written."""
    calls = []
    insert = _store._insert_trials

    def insert_then_die(*args: Any) -> None:
        calls.append(1)
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        insert(*args)

    _store._insert_trials = insert_then_die  # type: ignore[assignment]
    with open_store(url, root=Path(root)) as store:
        record(store, "doomed", make_document(make_experiment(EXP_A, [0.1, 0.2]), make_experiment(EXP_B, [0.3])))


def _as_dict(doc: ResultsDocument | None) -> dict[str, Any]:
    assert doc is not None
    return results_io.to_dict(doc)


def _spawn(target: Any, *args: Any) -> multiprocessing.process.BaseProcess:
    process = multiprocessing.get_context("spawn").Process(target=target, args=args)
    process.start()
    return process


# --- the suite ---------------------------------------------------------------------------------------------

class TestStoreConformance:
    """What every store must do, whatever its database."""

    @pytest.fixture
    def store(self, store_url: str, tmp_path: Path) -> Any:
        with open_store(store_url, root=tmp_path) as store:
            yield store

    def test_a_new_store_is_at_the_current_schema_and_empty(self, store: Store) -> None:
        assert store.schema_version() == _schema.SCHEMA_VERSION
        assert store.runs() == [] and store.run_ids() == set() and store.experiment_history(EXP_A) == []
        assert store.document("nothing") is None and store.best_configurations(EXP_A, "0" * 16, 3) == []

    def test_a_recorded_run_reads_back_as_recorded(self, store: Store) -> None:
        doc = tuned_document()
        doc.run_id = "run-1"  # the run the document names is the run it is recorded as
        started, finished = T0, T0 + timedelta(seconds=90)
        assert doc.experiments[0].source_hash  # the record's own digest of the objective's source
        assert store.record_run(doc, started=started, finished=finished, user="ada", space_hashes={})
        assert _as_dict(store.document("run-1")) == results_io.to_dict(doc)

        (summary,) = store.runs()
        exp = doc.experiments[0]
        best = exp.best
        assert best is not None and best.folds is not None
        assert (summary.run_id, summary.started, summary.finished, summary.user, summary.machine) == (
            "run-1", started, finished, "ada", "box")
        assert (summary.commit, summary.dirty, summary.branch, summary.tunekit_version) == ("c0ffee", True, "main",
                                                                                          "0.1.0")
        assert summary.best_scores == {exp.id: best.score}
        (stored,) = store.experiment_history(exp.id)
        assert stored.space_hash == space_hash(exp.space) and stored.source_hash == exp.source_hash
        assert (stored.direction, stored.status, stored.strategy, stored.trial_count) == (
            "maximize", "passed", "random", 12)
        assert (stored.best_score, stored.best_score_std, stored.best_folds, stored.best_params) == (
            best.score, best.score_std, tuple(best.folds), best.params)
        assert (stored.commit, stored.dirty, stored.branch, stored.finished) == ("c0ffee", True, "main", finished)

    def test_a_source_hash_given_for_an_experiment_wins_over_the_records_own(self, store: Store) -> None:
        doc = make_document(make_experiment(EXP_A, [0.1, 0.2]))
        doc.experiments[0].source_hash = "0123456789abcdef"
        assert record(store, "run-1", doc, source_hashes={EXP_A: "fedcba9876543210"})
        assert [h.source_hash for h in store.experiment_history(EXP_A)] == ["fedcba9876543210"]

    def test_recording_a_run_id_again_changes_nothing(self, store: Store) -> None:
        first = make_document(make_experiment(EXP_A, [0.1, 0.2]))
        assert record(store, "run-1", first, user="ada")
        assert not record(store, "run-1", make_document(make_experiment(EXP_A, [0.9])), user="bob", minutes=5)
        assert [r.user for r in store.runs()] == ["ada"]
        first.run_id = "run-1"  # a document that named no run reads back named by its ID in the store
        assert _as_dict(store.document("run-1")) == results_io.to_dict(first)

    def test_a_run_needs_an_id(self, store: Store) -> None:
        with pytest.raises(ValueError, match="record_run\\(\\) needs a run ID: the document has none"):
            store.record_run(make_document(), started=T0, finished=T0)
        assert store.runs() == []

    def test_history_is_oldest_first_and_only_the_runs_of_the_experiment(self, store: Store) -> None:
        for run_id, minutes, exps in [("late", 30, [EXP_A, EXP_B]), ("early", 10, [EXP_A]), ("only-b", 20, [EXP_B]),
                                      ("middle", 20, [EXP_A])]:
            record(store, run_id, make_document(*(make_experiment(e, [minutes / 100]) for e in exps)),
                   minutes=minutes)
        assert [h.run_id for h in store.experiment_history(EXP_A)] == ["early", "middle", "late"]
        assert [h.run_id for h in store.experiment_history(EXP_B)] == ["only-b", "late"]
        assert [r.run_id for r in store.runs()] == ["early", "middle", "only-b", "late"]
        assert [(r.run_id, dict(r.best_scores)) for r in store.runs([EXP_B])] == [
            ("only-b", {EXP_B: 0.2}), ("late", {EXP_B: 0.3})]

    def test_a_run_without_a_complete_trial_has_no_best(self, store: Store) -> None:
        record(store, "r", make_document(make_experiment(EXP_A, [None, None])))
        (stored,) = store.experiment_history(EXP_A)
        assert (stored.best_score, stored.best_params, stored.best_folds) == (None, None, None)
        assert store.runs()[0].best_scores == {EXP_A: None}

    def test_best_configurations_are_the_best_distinct_points_of_that_space(self, store: Store) -> None:
        p = [{"x": 0.1, "k": "a"}, {"x": 0.2, "k": "b"}, {"x": 0.3, "k": "c"}]
        record(store, "r1", make_document(make_experiment(EXP_A, [0.5, 0.9, None], params=p)), minutes=1)
        # the same point again, keys in another order; a better point under another space is left out
        record(store, "r2", make_document(make_experiment(EXP_A, [0.95, 0.7], params=[{"k": "b", "x": 0.2}, p[2]])),
               minutes=2)
        other = {**SPACE, "x": {"type": "real", "low": 0.0, "high": 2.0, "log": False}}
        record(store, "r3", make_document(make_experiment(EXP_A, [5.0], params=[{"x": 1.5, "k": "a"}], space=other)),
               minutes=3)
        best = store.best_configurations(EXP_A, space_hash(SPACE), 2)
        assert best == [p[1], p[2]]
        assert store.best_configurations(EXP_A, space_hash(SPACE), 10) == [p[1], p[2], p[0]]
        assert store.best_configurations(EXP_A, space_hash(other), 10) == [{"x": 1.5, "k": "a"}]
        assert store.best_configurations(EXP_B, space_hash(SPACE), 10) == []
        assert store.best_configurations(EXP_A, space_hash(SPACE), 0) == []

    def test_best_recorded_is_the_best_score_of_that_space_and_direction_and_who_found_it(self, store: Store) -> None:
        record(store, "r1", make_document(make_experiment(EXP_A, [0.5, 0.9]), commit="aaa"), minutes=1)
        record(store, "r2", make_document(make_experiment(EXP_A, [0.9, 0.7]), commit="bbb"), minutes=2)  # a tie
        record(store, "r3", make_document(make_experiment(EXP_A, [0.2]), commit="ccc"), minutes=3)
        other = {**SPACE, "x": {"type": "real", "low": 0.0, "high": 2.0, "log": False}}
        record(store, "r4", make_document(make_experiment(EXP_A, [5.0], space=other)), minutes=4)
        record(store, "r5", make_document(make_experiment(EXP_A, [0.1], direction="minimize")), minutes=5)
        record(store, "r6", make_document(make_experiment(EXP_B, [None])), minutes=6)
        found = store.best_recorded([(EXP_A, space_hash(SPACE), "maximize"), (EXP_B, space_hash(SPACE), "maximize")])
        assert list(found) == [EXP_A]  # EXP_B never completed a trial
        best = found[EXP_A]
        assert (best.score, best.run_id, best.commit) == (0.9, "r1", "aaa")  # the earliest of the tie
        assert best.finished == T0 + timedelta(minutes=1)
        assert store.best_recorded([(EXP_A, space_hash(SPACE), "minimize")])[EXP_A].score == 0.1
        assert store.best_recorded([(EXP_A, space_hash(other), "maximize")])[EXP_A].run_id == "r4"
        assert store.best_recorded([(EXP_A, "0" * 16, "maximize")]) == {}

    def test_best_recorded_compares_only_scores_of_the_same_first_objective(self, store: Store) -> None:
        def experiment(objectives: dict[str, str], score: float) -> ExperimentResult:
            exp = make_experiment(EXP_A, [score])
            trial = dataclasses.replace(exp.trials[0], values={name: score for name in objectives})
            return dataclasses.replace(exp, objectives=objectives, trials=[trial])

        record(store, "acc", make_document(experiment({"acc": "maximize", "speed": "maximize"}, 0.9)), minutes=1)
        record(store, "speed", make_document(experiment({"speed": "maximize", "acc": "maximize"}, 5.0)), minutes=2)
        searched = (EXP_A, space_hash(SPACE), "maximize")
        assert store.best_recorded([(*searched, "acc")])[EXP_A].run_id == "acc"  # not the speed of 5.0
        assert store.best_recorded([(*searched, "speed")])[EXP_A].run_id == "speed"
        assert store.best_recorded([(*searched, None)]) == {}  # a single score measured neither
        assert store.best_recorded([searched])[EXP_A].score == 5.0  # without a name, every run counts

    def test_best_configurations_come_from_runs_that_scored_the_latest_runs_first_objective(self, store: Store
                                                                                          ) -> None:
        def experiment(objectives: dict[str, str], scores: list[float], x: list[float]) -> ExperimentResult:
            exp = make_experiment(EXP_A, scores, params=[{"x": v, "k": "a"} for v in x])
            trials = [dataclasses.replace(t, values={name: t.score for name in objectives}) for t in exp.trials]
            return dataclasses.replace(exp, objectives=objectives, trials=trials)

        both = {"acc": "maximize", "speed": "maximize"}
        record(store, "acc", make_document(experiment(both, [0.9, 0.8], [0.1, 0.2])), minutes=1)
        reordered = dict(reversed(both.items()))
        record(store, "speed", make_document(experiment(reordered, [50.0], [0.3])), minutes=2)
        assert store.best_configurations(EXP_A, space_hash(SPACE), 5) == [{"x": 0.3, "k": "a"}]  # speed only
        record(store, "acc again", make_document(experiment(both, [0.7], [0.4])), minutes=3)
        assert store.best_configurations(EXP_A, space_hash(SPACE), 5) == [  # accuracy only, never speed's 50
            {"x": 0.1, "k": "a"}, {"x": 0.2, "k": "a"}, {"x": 0.4, "k": "a"}]

    def test_best_configurations_follow_the_direction_of_the_latest_run(self, store: Store) -> None:
        p = [{"x": 0.1, "k": "a"}, {"x": 0.2, "k": "b"}]
        record(store, "max", make_document(make_experiment(EXP_A, [0.0, 9.0], params=p)), minutes=1)
        record(store, "min", make_document(make_experiment(EXP_A, [3.0, 1.0], params=p, direction="minimize")),
               minutes=2)
        assert store.best_configurations(EXP_A, space_hash(SPACE), 5) == [p[1], p[0]]
        assert [h.direction for h in store.experiment_history(EXP_A)] == ["maximize", "minimize"]

    def test_an_error_inside_the_transaction_leaves_no_part_of_the_run(self, store: Store,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
        calls = []
        insert = _store._insert_trials

        def insert_then_fail(*args: Any) -> None:
            calls.append(1)
            if len(calls) == 2:
                raise RuntimeError("disk on fire")
            insert(*args)

        monkeypatch.setattr(_store, "_insert_trials", insert_then_fail)
        doc = make_document(make_experiment(EXP_A, [0.1]), make_experiment(EXP_B, [0.2]))
        with pytest.raises(RuntimeError, match="disk on fire"):
            record(store, "run-1", doc)
        assert store.runs() == [] and store.experiment_history(EXP_A) == [] and store.document("run-1") is None
        monkeypatch.undo()
        assert record(store, "run-1", doc) and [r.run_id for r in store.runs()] == ["run-1"]

    @pytest.mark.slow
    def test_a_writer_killed_mid_transaction_leaves_no_part_of_the_run(self, store_url: str, store: Store,
                                                                       tmp_path: Path) -> None:
        process = _spawn(die_mid_write, store_url, str(tmp_path))
        process.join(120)
        assert process.exitcode == -signal.SIGKILL
        assert store.runs() == [] and store.experiment_history(EXP_A) == [] and store.document("doomed") is None
        doc = make_document(make_experiment(EXP_A, [0.1]))
        assert record(store, "doomed", doc) and store.run_ids() == {"doomed"}

    @pytest.mark.slow
    def test_concurrent_writers_lose_nothing(self, store_url: str, tmp_path: Path) -> None:
        workers, runs = 4, 5
        barrier = multiprocessing.get_context("spawn").Barrier(workers)
        processes = [_spawn(write_runs, store_url, str(tmp_path), barrier, w, runs) for w in range(workers)]
        for process in processes:
            process.join(180)
        assert [p.exitcode for p in processes] == [0] * workers  # a "database is locked" would fail a writer
        store = open_store(store_url, root=tmp_path)
        assert store.run_ids() == {f"w{w}-r{i}" for w in range(workers) for i in range(runs)}
        for run_id in store.run_ids():
            doc = store.document(run_id)
            assert doc is not None and [len(e.trials) for e in doc.experiments] == [10, 10]
        assert len(store.experiment_history(EXP_A)) == workers * runs
        store.close()

    def test_an_empty_or_version_0_database_is_upgraded(self, store_url: str, tmp_path: Path) -> None:
        from tunekit.store._url import resolve_url

        engine = sqlalchemy.create_engine(resolve_url(store_url, root=tmp_path))
        with engine.begin() as conn:  # a version table at 0, and a table of somebody else's
            conn.exec_driver_sql("CREATE TABLE tunekit_schema (version INTEGER NOT NULL, upgraded VARCHAR NOT NULL)")
            conn.exec_driver_sql("INSERT INTO tunekit_schema VALUES (0, 'then')")
            conn.exec_driver_sql("CREATE TABLE other (x INTEGER)")
        with open_store(store_url, root=tmp_path) as store:
            assert store.schema_version() == _schema.SCHEMA_VERSION and store.upgrade() == _schema.SCHEMA_VERSION
            assert record(store, "r", make_document(make_experiment(EXP_A, [0.1])))
        with engine.connect() as conn:
            assert sorted(sqlalchemy.inspect(conn).get_table_names()) == [
                "other", "tunekit_experiments", "tunekit_runs", "tunekit_schema", "tunekit_trials"]
            versions = conn.exec_driver_sql("SELECT version FROM tunekit_schema").scalars().all()
            assert versions == [_schema.SCHEMA_VERSION]
        engine.dispose()

    def test_upgrades_go_step_by_step_and_a_newer_store_is_refused(self, store: Store, store_url: str, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
        record(store, "r", make_document(make_experiment(EXP_A, [0.1])))
        applied = []
        monkeypatch.setattr(_schema, "SCHEMA_VERSION", 4)
        monkeypatch.setitem(_schema.MIGRATIONS, 3, lambda conn: applied.append(3))
        monkeypatch.setitem(_schema.MIGRATIONS, 4, lambda conn: applied.append(4))
        assert store.upgrade() == 2 and applied == [3, 4] and store.schema_version() == 4
        assert store.upgrade() == 4 and applied == [3, 4]
        monkeypatch.undo()
        with pytest.raises(ConfigError, match=r"schema version 4, newer than this tunekit's \(2\): upgrade tunekit"):
            open_store(store_url, root=tmp_path)
