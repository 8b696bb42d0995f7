"""The per-experiment journal: every finished trial appended (flushed and fsynced) as one JSON line.

A crash or ``kill -9`` loses at most the trials in flight; ``--resume`` rebuilds the search from the
journal. Line 1 is a header identifying the search; an ``end`` line marks a search that finished.
Damage is :class:`JournalDamaged` (naming the line), an OS error on the file :class:`JournalUnavailable`.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from tunekit.errors import JournalBusy, JournalDamaged, JournalUnavailable, ResultsError
from tunekit.results import read_trial, trial_to_dict
from tunekit.trial import TrialResult

__all__ = [
    "JOURNAL_SCHEMA",
    "Journal",
    "JournalContents",
    "JournalLock",
    "fingerprint",
    "journal_path",
    "read_journal",
    "source_digest",
]

JOURNAL_SCHEMA = "tunekit.journal/1"


def journal_path(directory: Path, experiment_id: str) -> Path:
    """A file name for ``experiment_id`` that is safe on every file system and unique per node ID."""
    readable = re.sub(r"[^A-Za-z0-9_.-]+", "_", experiment_id)[-80:]
    digest = hashlib.sha256(experiment_id.encode()).hexdigest()[:10]
    return directory / f"{readable}-{digest}.jsonl"


def source_digest(fn: Callable[..., Any]) -> str:
    """16 hex digits of the SHA-256 of ``fn``'s source (its qualified name when the source is unavailable)."""
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):
        source = getattr(fn, "__qualname__", repr(fn))
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def fingerprint(*, space: dict[str, Any], strategy: str, direction: str, seed: int,
                objective: Callable[..., Any], start: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """What must not change for a journal to be resumed: the search and the objective's source.

    The budget is left out on purpose, so that a finished or interrupted search can be extended. Start
    points are in only when there are some, so that journals written before they existed still resume.
    """
    print_ = {"space": space, "strategy": strategy, "direction": direction, "seed": seed,
              "objective": source_digest(objective)}
    if start:
        print_["start"] = [dict(point) for point in start]
    return print_


@dataclass
class JournalContents:
    """What a journal holds: its header, the trials in number order, and whether the search finished.

    ``lines[i]`` is the line (1-based) of ``trials[i]``'s record, for messages naming it.
    """

    header: dict[str, Any]
    trials: list[TrialResult]
    finished: bool
    lines: list[int] = field(default_factory=list)


def read_journal(path: Path) -> JournalContents:
    """Read a journal; a torn last line (a crash mid-write) is ignored, any other damage is an error.

    Raises:
        JournalDamaged: A line that is not what tunekit writes (names the line).
        JournalUnavailable: The file cannot be read (a directory, no permission).
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise JournalUnavailable(path, "read", exc) from None
    complete = data.split(b"\n")[:-1]  # everything before the final newline; the remainder is a torn write
    if not complete:
        raise JournalDamaged(path, 1, "journal is empty")
    records = []
    for number, raw in enumerate(complete, 1):
        try:
            record = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise JournalDamaged(path, number, "journal line is not valid UTF-8") from None
        except (ValueError, RecursionError):
            raise JournalDamaged(path, number, "journal line is not valid JSON") from None
        if not isinstance(record, dict):
            raise JournalDamaged(path, number, "journal line is not an object")
        records.append(record)
    header = records[0]
    if header.get("type") != "header" or header.get("schema") != JOURNAL_SCHEMA:
        raise JournalDamaged(path, 1, f"not a tunekit journal (expected schema {JOURNAL_SCHEMA!r})")
    trials: dict[int, tuple[int, TrialResult]] = {}
    for number, record in enumerate(records[1:], 2):
        kind = record.get("type")
        if kind == "trial":
            source = f"{path}:{number}"
            try:
                trial = read_trial(record.get("trial"), source)
            except ResultsError as exc:
                raise JournalDamaged(path, number, str(exc).removeprefix(f"{source}: ")) from None
            trials[trial.number] = (number, trial)  # a trial re-run after a resume replaces its earlier record
        elif kind != "end":
            raise JournalDamaged(path, number, f"unknown journal line type {kind!r}")
    finished = len(records) > 1 and records[-1].get("type") == "end"
    ordered = [trials[n] for n in sorted(trials)]
    return JournalContents(header=header, trials=[t for _, t in ordered], finished=finished,
                           lines=[line for line, _ in ordered])


class JournalLock:
    """One run's exclusive hold on an experiment's journal, so that two runs of one experiment at once never
    write (or resume) the same journal: an advisory ``flock`` on ``<journal>.lock``, released when the run
    closes the journal or its process ends, even by ``kill -9``.

    Where the platform has no ``flock`` (Windows) or the file system refuses it, the journal is not locked.
    """

    def __init__(self, handle: IO[str] | None) -> None:
        self._handle = handle

    @classmethod
    def acquire(cls, path: Path) -> JournalLock:
        """Lock the journal at ``path``; raise :class:`JournalBusy` when another run holds it."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return cls(None)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = path.with_name(path.name + ".lock").open("a", encoding="utf-8")
        except OSError as exc:
            raise JournalUnavailable(path, "write", exc) from None
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise JournalBusy(path) from None
        except OSError:  # a file system without locks (some network mounts): run unlocked
            handle.close()
            return cls(None)
        return cls(handle)

    def release(self) -> None:
        """Let another run take the journal."""
        if self._handle is not None:
            self._handle.close()  # closing the file releases the flock
            self._handle = None


class Journal:
    """An open journal file; :meth:`append` returns only once the line is on disk.

    Every OS error on the file (a full disk, a read-only folder, a directory in its place) is raised as
    :class:`JournalUnavailable` naming the file.
    """

    def __init__(self, path: Path, handle: IO[str], lock: JournalLock | None = None) -> None:
        self.path = path
        self._handle = handle
        self._lock = lock

    @classmethod
    def create(cls, path: Path, *, experiment_id: str, fingerprint: dict[str, Any],
               lock: JournalLock | None = None) -> Journal:
        """Start a new journal at ``path``, replacing any previous one; it releases ``lock`` when closed."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            journal = cls(path, path.open("w", encoding="utf-8"), lock)
        except OSError as exc:
            raise JournalUnavailable(path, "write", exc) from None
        try:
            journal._write({"type": "header", "schema": JOURNAL_SCHEMA, "id": experiment_id,
                            "fingerprint": fingerprint})
        except JournalUnavailable:
            journal.close()
            raise
        return journal

    @classmethod
    def reopen(cls, path: Path, *, lock: JournalLock | None = None) -> Journal:
        """Continue an existing journal (after dropping a torn last line, if any); it releases ``lock``."""
        try:
            data = path.read_bytes()
            if not data.endswith(b"\n"):
                with path.open("r+b") as handle:
                    handle.truncate(data.rfind(b"\n") + 1)
            return cls(path, path.open("a", encoding="utf-8"), lock)
        except OSError as exc:
            raise JournalUnavailable(path, "write", exc) from None

    def _write(self, record: dict[str, Any]) -> None:
        try:
            self._handle.write(json.dumps(record, allow_nan=False) + "\n")
            self._handle.flush()
            os.fsync(self._handle.fileno())
        except OSError as exc:
            raise JournalUnavailable(self.path, "write", exc) from None

    def append(self, trial: TrialResult) -> None:
        """Record one finished trial durably."""
        self._write({"type": "trial", "trial": trial_to_dict(trial)})

    def finish(self, status: str) -> None:
        """Mark the search as finished; a journal without this line can be resumed."""
        self._write({"type": "end", "status": status})

    def close(self) -> None:
        """Close the file. Never raises: every line was flushed and fsynced when written, so a failing close
        loses nothing (after a failed write it would only repeat that error, and a torn last line is read as
        a crash mid-write)."""
        try:
            self._handle.close()
        except OSError:
            pass
        if self._lock is not None:
            self._lock.release()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
