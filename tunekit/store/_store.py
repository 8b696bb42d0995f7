"""The store itself: record a run atomically, read runs, an experiment's history and its best configurations."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from types import TracebackType
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import URL, Connection, Engine, RowMapping
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from tunekit.results import ResultsDocument
from tunekit.store import _engine, _rows, _schema
from tunekit.store._records import RecordedBest, RunSummary, StoredExperiment, canonical_json
from tunekit.store._schema import experiments, runs, trials

__all__ = ["Store"]


class Store:
    """Every recorded run of a project, in SQLite or PostgreSQL. Open one with :func:`tunekit.store.open_store`.

    Each method is one transaction. Writes are atomic (a run is there with all its trials, or not at
    all) and idempotent (recording a run ID again changes nothing), so they can be retried safely.
    Failures of the database are :class:`~tunekit.errors.OutputError` lines naming the store.
    """

    def __init__(self, url: URL) -> None:
        self.url = url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)
        self._engine: Engine = _engine.make_engine(url)

    # --- lifecycle ----------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the store's connections."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    def schema_version(self) -> int:
        """The database's schema version (0 for an empty database)."""
        with self._reading("read the schema version") as conn:
            return _schema.read_version(conn)

    def upgrade(self) -> int:
        """Bring the database to this tunekit's schema, step by step; return the version it was at.

        A no-op (and no write lock) when it is there already; concurrent upgrades wait for one another.
        """
        found = self.schema_version()
        if found == _schema.SCHEMA_VERSION:
            return found
        try:
            with _engine.upgrading(self._engine) as conn:
                return _schema.upgrade(conn, _rows.utc_text(datetime.now(timezone.utc)))
        except SQLAlchemyError as exc:
            raise _engine.unavailable(self.url, "upgrade the schema", exc) from None

    # --- writing ------------------------------------------------------------------------------------

    def record_run(self, document: ResultsDocument, *, run_id: str | None = None, started: datetime,
                   finished: datetime,
                   user: str | None = None, branch: str | None = None,
                   space_hashes: Mapping[str, str] | None = None,
                   source_hashes: Mapping[str, str] | None = None) -> bool:
        """Record ``document`` as run ``run_id``, all of it in one transaction.

        Args:
            document: The run's results, as results files hold them.
            run_id: The run's unique ID (by default ``document.run_id``); one recorded already makes this
                a no-op.
            started, finished: When the run began and ended (naive times are local).
            user: Who ran it.
            branch: The git branch; by default ``document.commit_info["branch"]``.
            space_hashes, source_hashes: Per experiment ID, digests of its space and objective's source;
                a missing space hash is computed from the record's space, a missing source hash is the
                record's own ``source_hash`` (null in results written before it existed).

        Returns:
            Whether the run was recorded now (``False``: it was there already).

        Raises:
            ValueError: Neither ``run_id`` nor ``document.run_id`` names the run.
            OutputError: The database cannot be written.
        """
        run_id = run_id or document.run_id
        if not run_id:
            raise ValueError("record_run() needs a run ID: the document has none")
        rows = _rows.run_rows(document, run_id=run_id, started=started, finished=finished,
                              recorded=datetime.now(timezone.utc), user=user, branch=branch,
                              space_hashes=space_hashes or {}, source_hashes=source_hashes or {})
        try:
            with _engine.write(self._engine) as conn:
                if _has_run(conn, run_id):
                    return False
                _insert(conn, rows)
        except IntegrityError as exc:
            # Another writer recorded the same run between our check and our insert (PostgreSQL).
            if self.has_run(run_id):
                return False
            raise _engine.unavailable(self.url, f"record run {run_id}", exc) from None
        except SQLAlchemyError as exc:
            raise _engine.unavailable(self.url, f"record run {run_id}", exc) from None
        return True

    # --- reading ------------------------------------------------------------------------------------

    def has_run(self, run_id: str) -> bool:
        """Whether run ``run_id`` is recorded."""
        with self._reading("read runs") as conn:
            return _has_run(conn, run_id)

    def run_ids(self) -> set[str]:
        """The IDs of every recorded run."""
        with self._reading("read runs") as conn:
            return set(conn.execute(select(runs.c.run_id)).scalars())

    def runs(self, experiment_ids: Sequence[str] | None = None) -> list[RunSummary]:
        """Every run, oldest first (by finish time), with each experiment's best score.

        With ``experiment_ids``, only the runs that ran one of them, and only their best scores.
        """
        query = (select(runs, experiments.c.experiment_id, experiments.c.best_score)
                 .join(experiments, experiments.c.run_id == runs.c.run_id, isouter=True)
                 .order_by(runs.c.finished, runs.c.run_id, experiments.c.position))
        if experiment_ids is not None:
            query = query.where(experiments.c.experiment_id.in_(list(experiment_ids)))
        summaries: dict[str, tuple[RowMapping, dict[str, float | None]]] = {}
        with self._reading("read runs") as conn:
            for row in conn.execute(query).mappings():
                _, best = summaries.setdefault(row["run_id"], (row, {}))
                if row["experiment_id"] is not None:
                    best[row["experiment_id"]] = row["best_score"]
        return [_rows.run_summary(run, best) for run, best in summaries.values()]

    def experiment_history(self, experiment_id: str) -> list[StoredExperiment]:
        """Each run's record of ``experiment_id`` (a pytest node ID), oldest first."""
        query = (select(experiments, runs.c.started, runs.c.finished, runs.c.commit_id, runs.c.commit_dirty,
                        runs.c.branch)
                 .join(runs, runs.c.run_id == experiments.c.run_id)
                 .where(experiments.c.experiment_id == experiment_id)
                 .order_by(runs.c.finished, runs.c.run_id))
        with self._reading("read the history") as conn:
            return [_rows.stored_experiment(row) for row in conn.execute(query).mappings()]

    def best_configurations(self, experiment_id: str, space_hash: str, k: int) -> list[dict[str, Any]]:
        """The ``k`` best distinct parameter sets ever recorded for ``experiment_id`` over the space
        ``space_hash``, best first (on ties, the earliest): the points a warm start would begin from.

        Scores are compared in the direction and on the first objective of the latest run of that experiment
        and space; runs that optimised the other way or scored another objective are left out.
        """
        if k <= 0:
            return []
        scope = ((experiments.c.experiment_id == experiment_id) & (experiments.c.space_hash == space_hash))
        latest = (select(experiments.c.direction, experiments.c.objectives)
                  .join(runs, runs.c.run_id == experiments.c.run_id)
                  .where(scope).order_by(runs.c.finished.desc(), runs.c.run_id.desc()).limit(1))
        with self._reading("read the history") as conn:
            newest = conn.execute(latest).first()
            if newest is None:
                return []
            direction, measured = newest.direction, _rows.score_name(newest.objectives)
            comparable = [row.id for row in conn.execute(
                select(experiments.c.id, experiments.c.objectives).where(scope, experiments.c.direction == direction))
                if _rows.score_name(row.objectives) == measured]
            score = trials.c.score.desc() if direction == "maximize" else trials.c.score.asc()
            query = (select(trials.c.params)
                     .join(experiments, experiments.c.id == trials.c.experiment)
                     .join(runs, runs.c.run_id == experiments.c.run_id)
                     .where(experiments.c.id.in_(comparable), trials.c.state == "COMPLETE",
                            trials.c.score.is_not(None))
                     .order_by(score, runs.c.finished, runs.c.run_id, trials.c.number))
            return _distinct(conn.execute(query).scalars(), k)

    def best_recorded(self, searches: Iterable[tuple[str, str, str] | tuple[str, str, str, str | None]]
                      ) -> dict[str, RecordedBest]:
        """Per experiment ID, the best score recorded for it over its space, of each ``(experiment_id,
        space_hash, direction[, score_name])`` in ``searches``; experiments without a recorded score are left out.

        Only runs in ``direction`` count; given ``score_name`` (the first objective's name, ``None`` for a
        single score), only runs whose score measured it, so a reordered ``objectives=`` never compares
        seconds with accuracy. On ties the earliest run wins (it found the score first).
        """
        found: dict[str, RecordedBest] = {}
        with self._reading("read the best recorded scores") as conn:
            for experiment_id, space, direction, *named in searches:
                score = (experiments.c.best_score.desc() if direction == "maximize"
                         else experiments.c.best_score.asc())
                query = (select(experiments.c.best_score, experiments.c.objectives, runs.c.run_id, runs.c.commit_id,
                                runs.c.finished)
                         .join(runs, runs.c.run_id == experiments.c.run_id)
                         .where(experiments.c.experiment_id == experiment_id, experiments.c.space_hash == space,
                                experiments.c.direction == direction, experiments.c.best_score.is_not(None))
                         .order_by(score, runs.c.finished, runs.c.run_id))
                for row in conn.execute(query):
                    if named and _rows.score_name(row.objectives) != named[0]:
                        continue
                    found[experiment_id] = RecordedBest(score=row.best_score, run_id=row.run_id,
                                                        commit=row.commit_id, finished=_rows.parse_time(row.finished))
                    break
        return found

    def document(self, run_id: str) -> ResultsDocument | None:
        """The results document run ``run_id`` was recorded from, every trial included, or ``None``.

        Its ``run_id`` is the run's ID in the store (also for a document that had none, such as an import).
        """
        with self._reading("read a run") as conn:
            run = conn.execute(select(runs).where(runs.c.run_id == run_id)).mappings().first()
            if run is None:
                return None
            records = []
            rows = conn.execute(select(experiments).where(experiments.c.run_id == run_id)
                                .order_by(experiments.c.position)).mappings().all()
            for row in rows:
                trial_rows = conn.execute(select(trials).where(trials.c.experiment == row["id"])
                                          .order_by(trials.c.number)).mappings().all()
                records.append(_rows.experiment_result(row, trial_rows))
        return _rows.document(run, records)

    # --- helpers ------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _reading(self, action: str) -> Iterator[Connection]:
        """A read transaction whose database errors become one OutputError line saying what failed."""
        try:
            with _engine.read(self._engine) as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise _engine.unavailable(self.url, action, exc) from None


def _has_run(conn: Connection, run_id: str) -> bool:
    return conn.execute(select(runs.c.run_id).where(runs.c.run_id == run_id)).first() is not None


def _insert(conn: Connection, rows: _rows.RunRows) -> None:
    conn.execute(runs.insert(), rows.run)
    for experiment, trial_rows in rows.experiments:
        done = conn.execute(experiments.insert().values(run_id=rows.run["run_id"], **experiment))
        key = done.inserted_primary_key
        assert key is not None, "an INSERT of one row has its primary key"
        _insert_trials(conn, key[0], trial_rows)


def _insert_trials(conn: Connection, experiment: int, trial_rows: list[dict[str, Any]]) -> None:
    # Straight to the driver's executemany, the statement compiled once for the dialect: SQLAlchemy's
    # per-row parameter processing would double the time a 1,000-trial run holds the write lock.
    if not trial_rows:
        return
    rows = [{"experiment": experiment, **row} for row in trial_rows]
    statement = trials.insert().compile(dialect=conn.dialect, column_keys=list(rows[0]))
    if statement.positiontup is not None:  # qmark (SQLite) rather than named (psycopg) parameters
        order = statement.positiontup
        conn.exec_driver_sql(str(statement), [tuple(row[key] for key in order) for row in rows])
    else:
        conn.exec_driver_sql(str(statement), rows)


def _distinct(params_texts: Iterable[str], k: int) -> list[dict[str, Any]]:
    """The first ``k`` distinct parameter sets of ``params_texts`` (JSON objects, in any key order)."""
    seen: set[str] = set()
    found: list[dict[str, Any]] = []
    for text in params_texts:
        params = json.loads(text)
        key = canonical_json(params)
        if key not in seen:
            seen.add(key)
            found.append(params)
            if len(found) == k:
                break
    return found
