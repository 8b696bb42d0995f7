"""A store of every run: SQLite under the project root by default, PostgreSQL for a team.

:func:`open_store` opens (and creates or upgrades) one; :class:`Store` records runs and reads them back as
:class:`RunSummary` and :class:`StoredExperiment` records. SQLAlchemy is imported only when a store is
opened, so ``import tunekit`` (and this package) stays without it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tunekit.errors import ConfigError
from tunekit.store._records import RecordedBest, RunSummary, StoredExperiment, space_hash
from tunekit.store._url import DEFAULT_PATH

if TYPE_CHECKING:
    from tunekit.store._store import Store

__all__ = ["DEFAULT_PATH", "NO_STORE", "RecordedBest", "RunSummary", "Store", "StoredExperiment", "open_store",
           "space_hash", "store_url"]


#: ``--store none`` (or ``TUNEKIT_STORE=none``, ``store = "none"``): runs are not recorded.
NO_STORE = "none"


def store_url(given: str | None, configured: str | None) -> str | None:
    """The project's store: ``given`` (``--store``), else ``TUNEKIT_STORE``, else ``configured`` (``[tool.tunekit]
    store``); ``None`` for the default SQLite file, :data:`NO_STORE` for no store. One rule for runs and commands."""
    return given or os.environ.get("TUNEKIT_STORE") or configured


def open_store(url: str | None, *, root: Path) -> Store:
    """Open the store at ``url`` (``None``: ``sqlite:///<root>/.tunekit/store.sqlite``), at the current schema.

    ``sqlite:///PATH`` is relative to ``root`` unless absolute; ``postgresql://USER:PASSWORD@HOST:PORT/DB``
    needs the ``postgres`` extra (psycopg 3). An empty or older database is upgraded on the way.

    Raises:
        ConfigError: A malformed or unsupported URL, a missing driver, a store newer than this tunekit.
        OutputError: The database cannot be reached, created or upgraded.
    """
    try:
        from tunekit.store._store import Store
        from tunekit.store._url import resolve_url
    except ImportError as exc:  # pragma: no cover - SQLAlchemy is a dependency; a broken install says so
        raise ConfigError(f"the run store needs SQLAlchemy 2 ({exc}): pip install 'sqlalchemy>=2.0'") from None
    store = Store(resolve_url(url, root=root))
    try:
        store.upgrade()
    except BaseException:
        store.close()
        raise
    return store


def __getattr__(name: str) -> Any:
    # ``Store`` is public, but importing it imports SQLAlchemy: only on first use.
    if name == "Store":
        from tunekit.store._store import Store

        return Store
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
