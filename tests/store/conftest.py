"""Stores to test against: a SQLite file per test, and a fresh schema of the PostgreSQL database that
TUNEKIT_TEST_POSTGRES names (``eval "$(bash .ci/postgres.sh)"``). Without that variable the PostgreSQL
tests skip, except in CI (``CI=true``), where they fail: CI must test both dialects."""

from __future__ import annotations

import importlib.util
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

POSTGRES_ENV = "TUNEKIT_TEST_POSTGRES"


def _unavailable(message: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true needs the PostgreSQL tests: {message}", pytrace=False)
    pytest.skip(message)


def postgres_server() -> str:
    """The test server's URL; skips (fails in CI) without one, or without the driver."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        _unavailable(f"{POSTGRES_ENV} is unset: start a server with: eval \"$(bash .ci/postgres.sh)\"")
    if importlib.util.find_spec("psycopg") is None:
        _unavailable("psycopg 3 is not installed: pip install 'tunekit[postgres]'")
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose tables land in a schema of their own, dropped afterwards (tests may run in parallel)."""
    import sqlalchemy

    server = postgres_server()
    name = "t_" + uuid.uuid4().hex[:12]
    admin = sqlalchemy.create_engine(server.replace("postgresql://", "postgresql+psycopg://", 1),
                                     isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {name}")
        yield f"{server}{'&' if '?' in server else '?'}options=-csearch_path%3D{name}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each dialect in turn: the conformance suite runs once against SQLite and once against PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return str(request.getfixturevalue("postgres_url"))
