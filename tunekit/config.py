"""Project settings from ``[tool.tunekit]`` in pyproject.toml, and the project root that anchors node IDs."""

from __future__ import annotations

import glob
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tunekit.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["DEFAULT_FILES", "DEFAULT_PATHS", "ToolConfig", "find_project_root", "load_tool_config"]

DEFAULT_PATHS = ("experiments",)
DEFAULT_FILES = ("exp_*.py", "*_exp.py")
_ROOT_MARKERS = ("pyproject.toml", "pytest.ini", "setup.cfg", "tox.ini", ".git")


@dataclass(frozen=True)
class ToolConfig:
    """The ``[tool.tunekit]`` table: default experiment paths, experiment file patterns and the run store."""

    paths: tuple[str, ...] = DEFAULT_PATHS
    files: tuple[str, ...] = DEFAULT_FILES
    source: Path | None = None
    #: The run store's URL (``--store`` and ``TUNEKIT_STORE`` come first); ``None``: the default SQLite file.
    store: str | None = None
    #: Whether ``paths`` was written in the table (rather than the default).
    paths_declared: bool = False

    def check_paths(self, root: Path) -> None:
        """Raise :class:`ConfigError` for a declared path (or glob) that matches nothing under ``root``: pytest
        would skip it silently, or search the whole project when none matches."""
        if not self.paths_declared:
            return
        for path in self.paths:
            if not glob.glob(str(root / path)):
                raise ConfigError(f"{self.source}: [tool.tunekit] paths: {path!r} matches nothing under {root} "
                                  f"(paths: {', '.join(self.paths)})")


def _read_table(pyproject: Path) -> dict[str, Any] | None:
    try:
        with pyproject.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{pyproject}: cannot read: {exc}") from None
    tool = data.get("tool", {})
    table = tool.get("tunekit") if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.tunekit] must be a table, got tunekit = {table!r}")
    return table


def find_project_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` with a ``[tool.tunekit]`` table, else the nearest with
    a project marker (pyproject.toml, pytest.ini, setup.cfg, tox.ini, .git), else ``start`` itself.

    Node IDs are relative to this root, so they are the same whichever directory tunekit runs from.
    """
    start = start.resolve()
    candidates = [start, *start.parents]
    for directory in candidates:
        if _read_table(directory / "pyproject.toml") is not None:
            return directory
    for directory in candidates:
        if any((directory / marker).exists() for marker in _ROOT_MARKERS):
            return directory
    return start


def _string_list(table: dict[str, Any], key: str, default: Sequence[str], source: Path) -> tuple[str, ...]:
    value = table.get(key, list(default))
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{source}: [tool.tunekit] {key}: expected a list of strings, got {value!r}")
    return tuple(value)


def load_tool_config(root: Path) -> ToolConfig:
    """Read ``[tool.tunekit]`` from ``root/pyproject.toml``; defaults when there is none."""
    source = root / "pyproject.toml"
    table = _read_table(source)
    if table is None:
        return ToolConfig()
    unknown = sorted(set(table) - {"paths", "files", "store"})
    if unknown:
        raise ConfigError(f"{source}: [tool.tunekit] unknown key {unknown[0]!r} (accepted: paths, files, store)")
    store = table.get("store")
    if store is not None and (not isinstance(store, str) or not store):
        raise ConfigError(f"{source}: [tool.tunekit] store: expected a URL string, got {store!r}")
    return ToolConfig(paths=_string_list(table, "paths", DEFAULT_PATHS, source),
                      files=_string_list(table, "files", DEFAULT_FILES, source), source=source, store=store,
                      paths_declared="paths" in table)
