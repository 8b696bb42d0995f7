"""The per-experiment journal: every finished trial appended (flushed and fsynced) as one JSON line.

A crash or ``kill -9`` loses at most the trials in flight; ``--resume`` rebuilds the search from the
journal. Line 1 is a header identifying the search; an ``end`` line marks a search that finished.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from tunekit.errors import ResultsError
from tunekit.results import read_trial, trial_to_dict
from tunekit.trial import TrialResult

__all__ = ["JOURNAL_SCHEMA", "Journal", "JournalContents", "fingerprint", "journal_path", "read_journal"]

JOURNAL_SCHEMA = "tunekit.journal/1"


def journal_path(directory: Path, experiment_id: str) -> Path:
    """A file name for ``experiment_id`` that is safe on every file system and unique per node ID."""
    readable = re.sub(r"[^A-Za-z0-9_.-]+", "_", experiment_id)[-80:]
    digest = hashlib.sha256(experiment_id.encode()).hexdigest()[:10]
    return directory / f"{readable}-{digest}.jsonl"


def _source_digest(fn: Callable[..., Any]) -> str:
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
              "objective": _source_digest(objective)}
    if start:
        print_["start"] = [dict(point) for point in start]
    return print_


@dataclass
class JournalContents:
    """What a journal holds: its header, the trials in number order, and whether the search finished."""

    header: dict[str, Any]
    trials: list[TrialResult]
    finished: bool


def read_journal(path: Path) -> JournalContents:
    """Read a journal; a torn last line (a crash mid-write) is ignored, any other damage is an error."""
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultsError(f"{path}: cannot read journal: {exc}") from None
    complete = lines[:-1]  # everything before the final newline; the remainder is a torn write or ""
    if not complete:
        raise ResultsError(f"{path}: journal is empty")
    records = []
    for number, line in enumerate(complete, 1):
        try:
            record = json.loads(line)
        except ValueError:
            raise ResultsError(f"{path}:{number}: journal line is not valid JSON") from None
        if not isinstance(record, dict):
            raise ResultsError(f"{path}:{number}: journal line is not an object")
        records.append(record)
    header = records[0]
    if header.get("type") != "header" or header.get("schema") != JOURNAL_SCHEMA:
        raise ResultsError(f"{path}:1: not a tunekit journal (expected schema {JOURNAL_SCHEMA!r})")
    trials: dict[int, TrialResult] = {}
    for number, record in enumerate(records[1:], 2):
        kind = record.get("type")
        if kind == "trial":
            trial = read_trial(record.get("trial"), f"{path}:{number}")
            trials[trial.number] = trial  # a trial re-run after a resume replaces its earlier record
        elif kind != "end":
            raise ResultsError(f"{path}:{number}: unknown journal line type {kind!r}")
    finished = len(records) > 1 and records[-1].get("type") == "end"
    return JournalContents(header=header, trials=[trials[n] for n in sorted(trials)], finished=finished)


class Journal:
    """An open journal file; :meth:`append` returns only once the line is on disk."""

    def __init__(self, path: Path, handle: IO[str]) -> None:
        self.path = path
        self._handle = handle

    @classmethod
    def create(cls, path: Path, *, experiment_id: str, fingerprint: dict[str, Any]) -> Journal:
        """Start a new journal at ``path``, replacing any previous one."""
        path.parent.mkdir(parents=True, exist_ok=True)
        journal = cls(path, path.open("w", encoding="utf-8"))
        journal._write({"type": "header", "schema": JOURNAL_SCHEMA, "id": experiment_id,
                        "fingerprint": fingerprint})
        return journal

    @classmethod
    def reopen(cls, path: Path) -> Journal:
        """Continue an existing journal (after dropping a torn last line, if any)."""
        text = path.read_text(encoding="utf-8")
        if not text.endswith("\n"):
            with path.open("r+", encoding="utf-8") as handle:
                handle.truncate(len(text[: text.rfind("\n") + 1].encode("utf-8")))
        return cls(path, path.open("a", encoding="utf-8"))

    def _write(self, record: dict[str, Any]) -> None:
        self._handle.write(json.dumps(record, allow_nan=False) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def append(self, trial: TrialResult) -> None:
        """Record one finished trial durably."""
        self._write({"type": "trial", "trial": trial_to_dict(trial)})

    def finish(self, status: str) -> None:
        """Mark the search as finished; a journal without this line can be resumed."""
        self._write({"type": "end", "status": status})

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
