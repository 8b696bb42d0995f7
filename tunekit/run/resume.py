"""An experiment's journal: opened fresh, or reopened to resume the search it recorded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tunekit.errors import ExperimentFailed
from tunekit.journal import Journal, read_journal
from tunekit.trial import TrialResult

__all__ = ["open_journal"]


def _changed(recorded: Any, current: dict[str, Any]) -> list[str]:
    """The fingerprint fields that differ (fields only the journal has count too: start points removed)."""
    if not isinstance(recorded, dict):
        return list(current)
    dropped = [k for k in recorded if k not in current]
    return [k for k in [*current, *dropped] if recorded.get(k) != current.get(k)]


def open_journal(path: Path, *, experiment_id: str, fingerprint: dict[str, Any], resume: bool, budget: int,
                 root: Path) -> tuple[Journal, list[TrialResult]]:
    """The experiment's journal, and the trials to restore from it when resuming.

    Without ``resume`` (or without a journal to resume) a new journal replaces any old one. When resuming,
    the journal must have been written for the same search (``fingerprint``); the longest gap-free prefix
    of its trials, up to ``budget``, is restored and later trials are run again.
    """
    if not (resume and path.exists()):
        return Journal.create(path, experiment_id=experiment_id, fingerprint=fingerprint), []
    contents = read_journal(path)
    recorded = contents.header.get("fingerprint")
    if recorded != fingerprint:
        shown = path.relative_to(root) if path.is_relative_to(root) else path
        raise ExperimentFailed(
            f"{experiment_id}: cannot resume: its journal ({shown}) was written for another search "
            f"({', '.join(_changed(recorded, fingerprint)) or 'header'} changed); "
            "run without --resume to start afresh")
    restored: list[TrialResult] = []
    for trial in contents.trials:
        if trial.number != len(restored) or len(restored) == budget:
            break
        restored.append(trial)
    return Journal.reopen(path), restored
