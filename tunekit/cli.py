"""The ``tunekit`` command: pytest with tunekit's plugin, defaults and a pinned root directory.

Subcommands that only read results (``compare``, ``report``, ``export``) never import pytest.
"""

from __future__ import annotations

import shlex
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from tunekit.commands import SUBCOMMANDS, run_subcommand
from tunekit.config import find_project_root, load_tool_config
from tunekit.errors import run_translated

__all__ = ["build_pytest_args", "main"]

_VERBOSITY_FLAGS = ("-q", "--quiet", "-v", "--verbose", "--verbosity", "-qq", "-vv")


def _given(args: Sequence[str], *flags: str) -> bool:
    return any(a == f or a.startswith(f + "=") for a in args for f in flags)


def _path_arguments(args: Sequence[str]) -> list[str]:
    """The arguments pytest will take as paths or node IDs, never an option's value (``--baseline FILE``,
    ``--junitxml FILE``): pytest's own parser decides, with its built-in options and tunekit's declared.

    Other plugins are not loaded here (importing them before pytest.main would keep pytest from rewriting
    their asserts): the value of an option of theirs can still be taken for a path, if it names one.
    """
    from _pytest.config import get_config  # pytest.main builds the same parser; no public API gives its result

    from tunekit.plugin.options import add_options

    try:
        config = get_config(list(args))
        add_options(config._parser)
        return [str(arg) for arg in config._parser.parse_known_args(list(args)).file_or_dir]
    except Exception:  # noqa: BLE001 - pytest.main reports what is wrong with the arguments, in its words
        return [arg for arg in args if not arg.startswith("-")]


def _start_dir(args: Sequence[str]) -> Path:
    """Where to look for the project root: the first path to run that exists, else the current directory."""
    for arg in _path_arguments(args):
        candidate = Path(arg.split("::", 1)[0])
        if candidate.exists():
            return candidate if candidate.is_dir() else candidate.parent
    return Path.cwd()


def build_pytest_args(args: Sequence[str]) -> list[str]:
    """pytest's arguments for ``tunekit ARGS``: the plugin, the root, default paths, then the user's own."""
    args = list(args)
    root = find_project_root(_start_dir(args))
    tool = load_tool_config(root)
    if not _path_arguments(args):  # the declared paths are what runs
        tool.check_paths(root)
    extra = ["-p", "tunekit.plugin", "--continue-on-collection-errors",
             "-o", "testpaths=" + " ".join(shlex.quote(p) for p in tool.paths)]
    if not _given(args, "--rootdir"):
        extra.append(f"--rootdir={root}")
    if not _given(args, *_VERBOSITY_FLAGS, "--collect-only", "--co") and not any(
            a.startswith(("-q", "-v")) for a in args if not a.startswith("--")):
        extra.append("-v")
    return extra + args


class _StopOnce:
    """SIGINT and SIGTERM (what CI sends to a cancelled job) stop the run once, as Ctrl-C does: the first
    raises KeyboardInterrupt, so the finished trials are kept, the results written and the exit code is 2;
    the ones after it, while the run winds down, are ignored with a note (``kill -9`` stops at once)."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.stopping = False
        self.previous: dict[int, Any] = {}

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if not self.stopping:
            self.stopping = True
            raise KeyboardInterrupt
        sys.stderr.write(f"tunekit: {signal.Signals(signum).name} ignored: already stopping, writing the results\n")

    def __enter__(self) -> _StopOnce:
        if threading.current_thread() is threading.main_thread():
            for signum in self.SIGNALS:
                self.previous[signum] = signal.signal(signum, self.handle)
        return self

    def __exit__(self, *exc_info: object) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)


def _version() -> int:
    """``tunekit --version``: tunekit's version, then what it runs on."""
    from tunekit.provenance import package_version

    parts = [f"{name} {package_version(name) or '?'}" for name in ("pytest", "scikit-learn", "scikit-optimize")]
    print(f"tunekit {package_version('tunekit') or '?'} ({', '.join(parts)}, Python {sys.version.split()[0]})")
    return 0


def _help() -> int:
    """``tunekit --help``: tunekit's usage, options and subcommands first, then pytest's options."""
    import contextlib
    import io
    import shutil

    import pytest

    from tunekit.commands import SUBCOMMAND_HELP
    from tunekit.plugin.options import format_options

    width = shutil.get_terminal_size().columns
    subcommands = "\n".join(f"  tunekit {name:<9} {text}" for name, text in SUBCOMMAND_HELP.items())
    print("usage: tunekit [PATHS or NODE IDS] [options] [pytest options]\n"
          "       tunekit {" + ",".join(SUBCOMMAND_HELP) + "} ...\n\n"
          "Run the @tunable experiments found under PATHS (default: [tool.tunekit] paths, else experiments/),\n"
          "print a leaderboard and write the results.\n\n"
          f"tunekit options:\n{format_options(width)}\n\nsubcommands (each has its own --help):\n{subcommands}\n")
    pytests = io.StringIO()
    with contextlib.redirect_stdout(pytests):
        pytest.main(["--help", "-p", "no:tunekit.plugin"])
    text = pytests.getvalue()
    body = text.split("\n\n", 1)[1] if text.startswith("usage:") else text
    print("pytest's options (tunekit passes them to pytest):\n\n" + body.rstrip())
    return 0


def _run(args: list[str]) -> int:
    pytest_args = build_pytest_args(args)
    import pytest  # not for the subcommands: they work on results files alone

    with _StopOnce():
        return int(pytest.main(pytest_args))


def main(argv: Sequence[str] | None = None) -> int:
    """Run tunekit; return pytest's exit code (0 ok, 1 failed, 2 interrupted, 3 internal, 4 usage, 5 none)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in SUBCOMMANDS:
        return run_subcommand(args[0], args[1:])
    if "--version" in args or "-V" in args:
        return run_translated(_version)
    if "--help" in args or "-h" in args:
        return run_translated(_help)
    return run_translated(lambda: _run(args))


def console_main() -> None:
    """The ``tunekit`` console script: :func:`main`, then an exit that does not wait for what objectives left
    running (child processes are stopped, threads are not waited for; see :mod:`tunekit.leftovers`)."""
    code = main()
    from tunekit.leftovers import exit_without_leftovers

    exit_without_leftovers(code)


if __name__ == "__main__":  # pragma: no cover
    console_main()
