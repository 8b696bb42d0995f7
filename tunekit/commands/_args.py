"""What subcommands share: argument parsing whose errors are :class:`~tunekit.errors.UsageError` (exit code 4),
opening the project's run store, and choosing experiments the way a run does (node IDs, paths, ``-k``)."""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from tunekit.config import find_project_root, load_tool_config
from tunekit.errors import UsageError
from tunekit.store import NO_STORE, open_store, store_url

if TYPE_CHECKING:
    from tunekit.store import Store

__all__ = ["ArgumentParser", "open_project_store", "select_experiments"]


class ArgumentParser(argparse.ArgumentParser):
    """An ``argparse`` parser that raises :class:`UsageError` instead of printing usage and exiting 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def open_project_store(prog: str, given: str | None) -> tuple[Path, Store]:
    """The project root (from the current directory) and its run store, chosen as a run chooses it:
    ``given`` (``--store``), else ``TUNEKIT_STORE``, else ``[tool.tunekit] store``, else the SQLite file."""
    root = find_project_root(Path.cwd())
    url = store_url(given, load_tool_config(root).store)
    if url == NO_STORE:
        raise UsageError(f"{prog}: the store is 'none': give --store URL")
    return root, open_store(url, root=root)


def select_experiments(experiment_ids: Iterable[str], selectors: Sequence[str], keyword: str | None) -> list[str]:
    """The IDs matching any selector (a node ID or a prefix of one, e.g. a path) and containing ``keyword``."""
    return sorted(e for e in set(experiment_ids)
                  if (not selectors or any(e == s or e.startswith(s) for s in selectors))
                  and (keyword is None or keyword in e))
