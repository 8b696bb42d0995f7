"""Every error tunekit reports, each with its exit code, and the one translator from exceptions to exit codes.

Deep code raises these with their data as fields; :func:`run_translated` (the ``tunekit`` command and its
subcommands) and the pytest plugin (through :func:`translate`) turn them into one line and an exit code,
as pytest's ``wrap_session`` does. Nothing here imports pytest.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tunekit.results import ExperimentResult
    from tunekit.search import SearchOutcome

__all__ = [
    "ConfigError",
    "ExecutorError",
    "ExitCode",
    "ExperimentFailed",
    "ExperimentInterrupted",
    "ExperimentSkipped",
    "ExportError",
    "InvalidExperiment",
    "JournalBusy",
    "JournalDamaged",
    "JournalUnavailable",
    "ObjectiveValueError",
    "OutputError",
    "ReportError",
    "ResultsError",
    "SearchInterrupted",
    "SpaceError",
    "SpecError",
    "TrackingError",
    "TrialPruned",
    "TunekitError",
    "UsageError",
    "describe_os_error",
    "exit_code_for",
    "run_translated",
    "translate",
]


class ExitCode(IntEnum):
    """tunekit's exit codes: pytest's, with the same numbers (``pytest.ExitCode``) without importing pytest."""

    OK = 0
    TESTS_FAILED = 1  # an experiment failed or regressed
    INTERRUPTED = 2  # Ctrl-C: the results so far are saved
    INTERNAL_ERROR = 3
    USAGE_ERROR = 4  # a bad option, file or configuration, before anything runs
    NO_TESTS_COLLECTED = 5


class TunekitError(Exception):
    """Base class of every error tunekit reports to the user as a one-line message."""

    #: What the ``tunekit`` command exits with when this error reaches it.
    exit_code: ExitCode = ExitCode.USAGE_ERROR


class SpaceError(TunekitError, ValueError):
    """A search space or one of its dimensions is malformed."""


class SpecError(TunekitError, ValueError):
    """The arguments of ``@tunable`` (or of :func:`tunekit.tune`) are invalid."""


class UsageError(TunekitError):
    """A command-line option or a subcommand's argument is invalid; the message names the option."""


class ConfigError(TunekitError):
    """The ``[tool.tunekit]`` table of pyproject.toml cannot be read or is invalid."""


class ResultsError(TunekitError, ValueError):
    """A results or baseline document is missing, unreadable or does not validate."""


class OutputError(TunekitError):
    """A results file, baseline, report or export cannot be written."""


class ReportError(OutputError):
    """The HTML report cannot be rendered or written."""


class ExportError(OutputError):
    """An export (CSV) cannot be written."""


class TrackingError(TunekitError):
    """Logging to an experiment tracker (MLflow) is unavailable or failed."""


class ExecutorError(TunekitError):
    """Trials cannot be run as asked: no worker processes on this platform, a Dask cluster out of reach."""


class ObjectiveValueError(TunekitError):
    """An objective returned (or reported) something that is not a score; fails that trial only."""

    exit_code = ExitCode.TESTS_FAILED


class InvalidExperiment(TunekitError):
    """An experiment (or its file) cannot be collected; a collection error for it alone."""

    exit_code = ExitCode.TESTS_FAILED


class ExperimentFailed(TunekitError):
    """An experiment failed as a whole (every trial failed, it regressed, it cannot run as set up).

    ``traceback_text`` is the first failed trial's traceback, shown only when ``--tb`` asks for it.
    """

    exit_code = ExitCode.TESTS_FAILED

    def __init__(self, message: str, traceback_text: str | None = None) -> None:
        super().__init__(message)
        self.traceback_text = traceback_text


class ExperimentSkipped(TunekitError):
    """There is nothing to run for this experiment (a re-check of an experiment the baseline lacks)."""

    exit_code = ExitCode.OK


class TrialPruned(Exception):
    """Raise from an objective to stop a trial the pruner asked to stop (``trial.should_prune()``).

    Not an error: the trial is recorded as PRUNED with its last reported value.
    """


class SearchInterrupted(KeyboardInterrupt):
    """Ctrl-C during a search; ``outcome`` holds the trials finished so far so that nothing computed is lost."""

    exit_code = ExitCode.INTERRUPTED

    def __init__(self, outcome: SearchOutcome) -> None:
        super().__init__("search interrupted")
        self.outcome = outcome


class ExperimentInterrupted(KeyboardInterrupt):
    """Ctrl-C during an experiment; ``record`` holds every trial finished so far, so nothing is lost."""

    exit_code = ExitCode.INTERRUPTED

    def __init__(self, record: ExperimentResult) -> None:
        super().__init__()
        self.record = record


class JournalDamaged(ResultsError):
    """A journal that cannot be trusted: ``problem`` at line ``line`` (1-based) of ``path``."""

    def __init__(self, path: Path, line: int, problem: str) -> None:
        super().__init__(f"{path}:{line}: {problem}")
        self.path, self.line, self.problem = path, line, problem


class JournalUnavailable(TunekitError):
    """The journal file at ``path`` cannot be read or written (``action``): the OS refused with ``error``."""

    def __init__(self, path: Path, action: str, error: OSError) -> None:
        super().__init__(f"{path}: cannot {action} journal: {describe_os_error(error)}")
        self.path, self.action, self.error = path, action, error


class JournalBusy(TunekitError):
    """Another run holds the journal at ``path``: it is searching (or resuming) the same experiment now."""

    exit_code = ExitCode.TESTS_FAILED

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path}: another tunekit run is searching this experiment now")
        self.path = path


def describe_os_error(error: OSError) -> str:
    """``[Errno 28] No space left on device``: the error without the file name (messages name it already)."""
    if error.errno is not None and error.strerror:
        return f"[Errno {error.errno}] {error.strerror}"
    return str(error) or type(error).__name__


def exit_code_for(exc: BaseException) -> ExitCode:
    """The exit code an exception stands for: its own for tunekit's errors, 2 for Ctrl-C, 3 otherwise."""
    if isinstance(exc, TunekitError):
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    return ExitCode.INTERNAL_ERROR


def translate(exc: BaseException) -> tuple[ExitCode, str]:
    """The exit code and the one line to print for ``exc``."""
    code = exit_code_for(exc)
    if code is ExitCode.INTERNAL_ERROR:
        return code, "".join(traceback.format_exception(exc)).rstrip()
    return code, str(exc) or type(exc).__name__


def _silence_stdout() -> None:
    """Point stdout at the null device, so that the interpreter's last flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor behind stdout (captured): nothing to flush there
        pass


def run_translated(body: Callable[[], Any]) -> int:
    """Run ``body`` (returning an exit code) and turn whatever it raises into a message and an exit code.

    The one place where exceptions become exit codes for the ``tunekit`` command and its subcommands:
    tunekit's errors are one ``ERROR:`` line on stderr, Ctrl-C is 2, anything unexpected is 3 with its
    traceback (a bug in tunekit, not a mistake of the user).
    """
    try:
        return int(body())
    except BrokenPipeError:  # the reader went away (``tunekit ... | head``): not an error of anyone's
        _silence_stdout()
        return int(ExitCode.TESTS_FAILED)
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - the one place every error becomes a code
        code, message = translate(exc)
        prefix = "INTERNAL ERROR: " if code is ExitCode.INTERNAL_ERROR else "ERROR: "
        if not isinstance(exc, KeyboardInterrupt):
            print(prefix + message, file=sys.stderr)
        return int(code)
