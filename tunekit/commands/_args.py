"""Argument parsing for subcommands: a bad argument is one ``ERROR:`` line and exit code 4, like pytest's."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

import pytest

from tunekit.errors import TunekitError

__all__ = ["ArgumentParser", "UsageError", "run_command"]


class UsageError(TunekitError):
    """A subcommand was called with bad arguments."""


class ArgumentParser(argparse.ArgumentParser):
    """An ``argparse`` parser that raises :class:`UsageError` instead of printing usage and exiting 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def run_command(body: Callable[[Sequence[str]], int], argv: Sequence[str]) -> int:
    """Run a subcommand body, turning tunekit's errors into one line on stderr and exit code 4."""
    try:
        return body(argv)
    except TunekitError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return int(pytest.ExitCode.USAGE_ERROR)
