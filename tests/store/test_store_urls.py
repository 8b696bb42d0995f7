"""Opening a store: the default file, SQLite paths, PostgreSQL URLs, and one-line errors for the rest."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tunekit.errors import ConfigError, OutputError
from tunekit.store import open_store
from tunekit.store._url import display, resolve_url


def test_the_default_store_is_a_sqlite_file_under_the_project_root(tmp_path: Path) -> None:
    with open_store(None, root=tmp_path) as store:
        assert store.url == f"sqlite:///{tmp_path}/.tunekit/store.sqlite"
    assert (tmp_path / ".tunekit" / "store.sqlite").is_file()


def test_sqlite_paths_are_relative_to_the_root_unless_absolute(tmp_path: Path) -> None:
    assert resolve_url("sqlite:///runs/all.db", root=tmp_path).database == str(tmp_path / "runs" / "all.db")
    assert (tmp_path / "runs").is_dir()  # the folder is made
    absolute = tmp_path / "elsewhere" / "s.db"
    assert resolve_url(f"sqlite:///{absolute}", root=Path("/nowhere")).database == str(absolute)


@pytest.mark.parametrize("url", ["postgresql://u:pw@db.example:5433/runs", "postgres://u:pw@db.example:5433/runs",
                                 "postgresql+psycopg://u:pw@db.example:5433/runs"])
def test_postgresql_goes_through_psycopg_3(url: str, tmp_path: Path) -> None:
    pytest.importorskip("psycopg")
    resolved = resolve_url(url, root=tmp_path)
    assert resolved.render_as_string(hide_password=False) == "postgresql+psycopg://u:pw@db.example:5433/runs"


@pytest.mark.parametrize("url, message", [
    ("mysql://u@host/db", "store URL 'mysql://u@host/db': unsupported database 'mysql' (expected sqlite:///PATH"),
    ("not a url", "store URL 'not a url': not a database URL (expected sqlite:///PATH or postgresql://"),
    ("sqlite://", "store URL 'sqlite://': needs a file path (sqlite:///PATH, relative to"),
    ("sqlite:///:memory:", "needs a file path"),
    ("postgresql://u:secret@host", "store URL 'postgresql://u:***@host': names no database"),
])
def test_a_bad_url_is_one_config_error_line(url: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        open_store(url, root=tmp_path)
    assert message in str(caught.value) and "\n" not in str(caught.value) and "secret" not in str(caught.value)


def test_a_missing_driver_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "psycopg" else real(name, *a))
    with pytest.raises(ConfigError, match=r"the PostgreSQL driver psycopg 3 is not installed \(pip install "
                                          r"'tunekit\[postgres\]'\)"):
        open_store("postgresql://u:pw@host/db", root=tmp_path)


def test_a_server_out_of_reach_is_one_output_error_line(tmp_path: Path) -> None:
    pytest.importorskip("psycopg")
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(OutputError) as caught:
        open_store(f"postgresql://u:secret@127.0.0.1:{port}/db?connect_timeout=5", root=tmp_path)
    text = str(caught.value)
    assert text.startswith(f"store postgresql://u:***@127.0.0.1:{port}/db") and "cannot read the schema version" in text
    assert "\n" not in text and "secret" not in text


def test_a_store_that_cannot_be_written_is_one_output_error_line(tmp_path: Path) -> None:
    folder = tmp_path / "file-not-folder"
    folder.write_text("")
    with pytest.raises(OutputError, match="cannot create the store's folder"):
        open_store(f"sqlite:///{folder}/store.sqlite", root=tmp_path)
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"not a database" * 100)
    with pytest.raises(OutputError, match=r"store sqlite:///.*garbage.sqlite: cannot .*: file is not a database"):
        open_store(f"sqlite:///{garbage}", root=tmp_path)


def test_passwords_are_hidden_in_messages() -> None:
    assert display("postgresql://me:s3cr:et@host:5432/db") == "postgresql://me:***@host:5432/db"
    assert display("sqlite:///x.db") == "sqlite:///x.db"


def test_importing_tunekit_and_the_store_package_does_not_import_sqlalchemy() -> None:
    code = "import sys, tunekit, tunekit.store, tunekit.commands.store; print('sqlalchemy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
