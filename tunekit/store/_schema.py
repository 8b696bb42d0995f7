"""The store's tables and their version: ``upgrade`` brings any older database to :data:`SCHEMA_VERSION`.

Version 0 is an empty database. Each migration takes one version to the next and is frozen once released:
a later schema adds a migration (``MIGRATIONS[2]``), it never edits an earlier one. Tables carry a
``tunekit_`` prefix so that a team's PostgreSQL database can hold them next to others.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.engine import Connection

from tunekit.errors import ConfigError

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "experiments", "metadata", "read_version", "runs", "schema",
           "trials", "upgrade"]

#: The version this tunekit writes and reads.
SCHEMA_VERSION = 2


def _define_v1(meta: MetaData) -> tuple[Table, Table, Table, Table]:
    """The tables of schema version 1. Times are UTC ISO 8601 text (they sort as text); JSON is text."""
    version = Table(
        "tunekit_schema", meta,
        Column("version", Integer, nullable=False),
        Column("upgraded", String, nullable=False),
    )
    run = Table(
        "tunekit_runs", meta,
        Column("run_id", String, primary_key=True),
        Column("started", String, nullable=False),
        Column("finished", String, nullable=False),
        Column("recorded", String, nullable=False),
        Column("created", String, nullable=False),  # the results document's own time stamp
        Column("user", String),
        Column("machine", String),
        Column("machine_info", Text, nullable=False),
        Column("tunekit_version", String, nullable=False),
        Column("commit_id", String),
        Column("commit_dirty", Boolean(create_constraint=False)),
        Column("branch", String),
        Index("ix_tunekit_runs_finished", "finished"),
    )
    experiment = Table(
        "tunekit_experiments", meta,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("run_id", String, ForeignKey("tunekit_runs.run_id", ondelete="CASCADE"), nullable=False),
        Column("position", Integer, nullable=False),  # collection order within the run
        Column("experiment_id", String, nullable=False),  # the pytest node ID
        Column("space_hash", String, nullable=False),
        Column("source_hash", String),
        Column("strategy", String, nullable=False),
        Column("direction", String, nullable=False),
        Column("seed", BigInteger, nullable=False),
        Column("budget", Text, nullable=False),
        Column("space", Text, nullable=False),
        Column("pruner", Text),
        Column("tolerance", String),
        Column("status", String, nullable=False),
        Column("stop_reason", String, nullable=False),
        Column("duration_s", Double, nullable=False),
        Column("error", Text),
        Column("notes", Text, nullable=False),
        Column("trial_count", Integer, nullable=False),
        Column("best_number", Integer),
        Column("best_score", Double),
        Column("best_score_std", Double),
        Column("best_folds", Text),
        Column("best_params", Text),
        UniqueConstraint("run_id", "experiment_id", name="uq_tunekit_experiments_run"),
        Index("ix_tunekit_experiments_node", "experiment_id"),
        Index("ix_tunekit_experiments_node_space", "experiment_id", "space_hash"),
    )
    trial = Table(
        "tunekit_trials", meta,
        Column("experiment", Integer, ForeignKey("tunekit_experiments.id", ondelete="CASCADE"),
               primary_key=True),
        Column("number", Integer, primary_key=True, autoincrement=False),
        Column("params", Text, nullable=False),
        Column("state", String, nullable=False),
        Column("score", Double),
        Column("score_std", Double),
        Column("folds", Text),
        Column("metrics", Text, nullable=False),
        Column("duration_s", Double, nullable=False),
        Column("error", Text),
        Column("seed", BigInteger),
        Column("intermediate", Text),
        Column("warm_start", Boolean(create_constraint=False), nullable=False),
    )
    return version, run, experiment, trial


#: Columns schema version 2 adds for experiments with several objectives: (table, column), both JSON text,
#: null for a single objective. An experiment's holds its objectives, limits, tolerances of the objectives
#: after the first and hypervolume reference point; a trial's, its value of each objective.
_V2_COLUMNS = (("tunekit_experiments", "objectives"), ("tunekit_trials", "objective_values"))


def _define_v2(meta: MetaData) -> tuple[Table, Table, Table, Table]:
    """Version 1's tables plus the columns of :data:`_V2_COLUMNS`."""
    tables = _define_v1(meta)
    by_name = {table.name: table for table in tables}
    for table, column in _V2_COLUMNS:
        by_name[table].append_column(Column(column, Text))
    return tables


#: The current schema, which queries use.
metadata = MetaData()
schema, runs, experiments, trials = _define_v2(metadata)


def _to_v1(conn: Connection) -> None:
    meta = MetaData()
    _define_v1(meta)
    meta.create_all(conn)


def _to_v2(conn: Connection) -> None:
    for table, column in _V2_COLUMNS:
        conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")


#: ``MIGRATIONS[n]`` takes a database at version ``n - 1`` to version ``n``.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _to_v1, 2: _to_v2}


def read_version(conn: Connection) -> int:
    """The database's schema version: 0 when it has no version table (or an empty one)."""
    if not conn.dialect.has_table(conn, schema.name):
        return 0
    return int(conn.execute(select(func.max(schema.c.version))).scalar() or 0)


def upgrade(conn: Connection, now: str) -> int:
    """Apply every migration the database lacks, in order, inside the caller's (write) transaction.

    Returns the version the database was at. A database newer than this tunekit is a ConfigError: an
    older tunekit must not write what it does not understand.
    """
    found = read_version(conn)
    if found > SCHEMA_VERSION:
        raise ConfigError(f"the store has schema version {found}, newer than this tunekit's "
                          f"({SCHEMA_VERSION}): upgrade tunekit")
    for version in range(found + 1, SCHEMA_VERSION + 1):
        MIGRATIONS[version](conn)
        conn.execute(schema.delete())
        conn.execute(schema.insert().values(version=version, upgraded=now))
    return found
