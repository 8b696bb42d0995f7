"""Subcommands of ``tunekit`` that work on saved results instead of running experiments.

Each is a module with ``main(argv) -> int``, imported only when used, returning an exit code and raising
tunekit's errors, which :func:`run_subcommand` turns into one line and an exit code. None imports pytest.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from tunekit.errors import run_translated

__all__ = ["SUBCOMMANDS", "SUBCOMMAND_HELP", "run_subcommand"]

#: ``tunekit NAME ...`` -> module implementing it.
SUBCOMMANDS = {
    "compare": "tunekit.commands.compare",
    "report": "tunekit.commands.report",
    "export": "tunekit.commands.export",
    "store": "tunekit.commands.store",
    "history": "tunekit.commands.history",
    "runs": "tunekit.commands.runs",
}


#: One line per subcommand for ``tunekit --help``.
SUBCOMMAND_HELP = {
    "compare": "OLD.json NEW.json: the verdict table between two results files (exit 1 on a regression)",
    "report": "RESULTS.json: a self-contained HTML report (leaderboard, hints, plots)",
    "export": "RESULTS.json --csv PATH: every trial as a CSV row",
    "store": "import|sync: fill the run store from results files",
    "history": "each experiment's best score commit by commit, and its regressions",
    "runs": "who ran what, when, on which commit, with what best score",
}


def run_subcommand(name: str, argv: Sequence[str]) -> int:
    """Run subcommand ``name`` with the arguments after it; return its exit code (4 for a bad argument)."""
    module = importlib.import_module(SUBCOMMANDS[name])
    return run_translated(lambda: module.main(list(argv)))
