"""Subcommands of ``tunekit`` that work on saved results instead of running experiments.

Each is a module with ``main(argv) -> int``, imported only when used, and returns a pytest-style exit code.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

__all__ = ["SUBCOMMANDS", "run_subcommand"]

#: ``tunekit NAME ...`` -> module implementing it.
SUBCOMMANDS = {
    "compare": "tunekit.commands.compare",
    "report": "tunekit.commands.report",
    "export": "tunekit.commands.export",
}


def run_subcommand(name: str, argv: Sequence[str]) -> int:
    """Run subcommand ``name`` with the arguments after it."""
    module = importlib.import_module(SUBCOMMANDS[name])
    return int(module.main(list(argv)))
