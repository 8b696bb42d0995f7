"""Store URLs: the default SQLite file under the project root, SQLite paths, and PostgreSQL through psycopg 3.

Every mistake is one :class:`~tunekit.errors.ConfigError` line naming the URL (its password hidden).
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import TYPE_CHECKING

from tunekit.errors import ConfigError, OutputError

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

__all__ = ["DEFAULT_PATH", "display", "resolve_url"]

#: Where the default store lives, relative to the project root.
DEFAULT_PATH = Path(".tunekit") / "store.sqlite"

_ACCEPTED = "sqlite:///PATH or postgresql://USER@HOST:PORT/DATABASE"
_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")


def display(url: str) -> str:
    """``url`` without its password, for messages."""
    return _PASSWORD.sub(r"\1***@", url)


def resolve_url(url: str | None, *, root: Path) -> URL:
    """The SQLAlchemy URL of a store: ``None`` is ``<root>/.tunekit/store.sqlite``, relative SQLite paths are
    relative to ``root``, ``postgresql://`` uses psycopg 3. Creates the SQLite file's folder.

    Raises:
        ConfigError: the URL is malformed, of an unsupported database, or its driver is not installed.
        OutputError: the SQLite file's folder cannot be created.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    text = f"sqlite:///{root / DEFAULT_PATH}" if url is None else url.strip()
    try:
        parsed = make_url(text)
    except (ArgumentError, ValueError):
        raise ConfigError(f"store URL {display(text)!r}: not a database URL (expected {_ACCEPTED})") from None
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        return _sqlite(parsed, text, root)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
        return _postgresql(parsed, text)
    raise ConfigError(f"store URL {display(text)!r}: unsupported database {parsed.drivername!r} "
                      f"(expected {_ACCEPTED})")


def _sqlite(parsed: URL, text: str, root: Path) -> URL:
    if not parsed.database or parsed.database == ":memory:" or parsed.database.startswith("file:"):
        raise ConfigError(f"store URL {text!r}: needs a file path (sqlite:///PATH, relative to {root})")
    path = Path(parsed.database).expanduser()
    path = path if path.is_absolute() else root / path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{path.parent}: cannot create the store's folder: {exc.strerror or exc}") from None
    return parsed.set(drivername="sqlite+pysqlite", database=str(path))


def _postgresql(parsed: URL, text: str) -> URL:
    if not parsed.database:
        raise ConfigError(f"store URL {display(text)!r}: names no database (expected {_ACCEPTED})")
    if importlib.util.find_spec("psycopg") is None:
        raise ConfigError(f"store URL {display(text)!r}: the PostgreSQL driver psycopg 3 is not installed "
                          f"(pip install 'tunekit[postgres]')")
    return parsed.set(drivername="postgresql+psycopg")
