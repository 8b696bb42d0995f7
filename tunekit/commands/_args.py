"""Argument parsing for subcommands: a bad argument is a :class:`~tunekit.errors.UsageError` (exit code 4)."""

from __future__ import annotations

import argparse
from typing import NoReturn

from tunekit.errors import UsageError

__all__ = ["ArgumentParser"]


class ArgumentParser(argparse.ArgumentParser):
    """An ``argparse`` parser that raises :class:`UsageError` instead of printing usage and exiting 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")
