"""Engines for the two dialects, with the transactions a store needs.

SQLite: WAL (readers never wait for the writer), a busy timeout, and every write in ``BEGIN IMMEDIATE``,
so a writer takes the lock when it starts and waits for it, instead of failing with "database is locked"
when it upgrades a read lock mid-transaction. pysqlite's own BEGIN handling is switched off for that, as
SQLAlchemy's SQLite documentation recommends. PostgreSQL needs nothing special: each write is one
transaction, and concurrent schema upgrades queue on an advisory lock.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from tunekit.errors import OutputError

__all__ = ["BUSY_TIMEOUT_S", "describe", "make_engine", "read", "unavailable", "upgrading", "write"]

#: How long a SQLite writer waits for another's lock before giving up.
BUSY_TIMEOUT_S = 60.0
_WRITE = "tunekit_write"
#: Any 64-bit number, the same in every process: the key of the PostgreSQL lock schema upgrades hold.
_UPGRADE_LOCK = 0x74756E656B6974


def make_engine(url: URL) -> Engine:
    """An engine for ``url`` (already resolved by :func:`tunekit.store._url.resolve_url`)."""
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        # The busy timeout first: switching a new file to WAL takes a lock another process may hold.
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")  # durable across crashes of the process in WAL mode
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")

    return engine


@contextlib.contextmanager
def write(engine: Engine) -> Iterator[Connection]:
    """One write transaction: committed when the block ends, rolled back entirely when it raises."""
    with engine.execution_options(**{_WRITE: True}).begin() as conn:
        yield conn


@contextlib.contextmanager
def upgrading(engine: Engine) -> Iterator[Connection]:
    """The write transaction of a schema upgrade: alone on the database (PostgreSQL's DDL does not queue)."""
    with engine.execution_options(**{_WRITE: True}).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK})
        yield conn


@contextlib.contextmanager
def read(engine: Engine) -> Iterator[Connection]:
    """One read transaction: a consistent snapshot (SQLite) that never blocks a writer."""
    with engine.begin() as conn:
        yield conn


def describe(error: SQLAlchemyError) -> str:
    """The database's own message, on one line (without SQLAlchemy's statement dump and help link)."""
    origin = error.orig if isinstance(error, DBAPIError) else error
    return " ".join(str(origin).split()) or type(origin).__name__


def unavailable(where: str, action: str, error: SQLAlchemyError) -> OutputError:
    """The one-line error of a database that refused ``action``."""
    return OutputError(f"store {where}: cannot {action}: {describe(error)}")
