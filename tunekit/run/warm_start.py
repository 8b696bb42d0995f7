"""Warm starts from the run store: a search begins from the best configurations recorded for it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from tunekit.api import check_start
from tunekit.errors import TunekitError
from tunekit.journal import read_journal
from tunekit.run.settings import Settings
from tunekit.space import Space
from tunekit.store import NO_STORE

__all__ = ["journaled_start", "with_history_start"]


def journaled_start(path: Path) -> tuple[dict[str, Any], ...] | None:
    """The start points the search journaled at ``path`` began from, or ``None`` without a readable journal.

    A resumed search must start from the same points as the run it continues, not from what the store
    holds now (which may include that very run), or its journal would belong to another search.
    """
    try:
        header = read_journal(path).header
    except (TunekitError, OSError):
        return None  # resuming it reports why
    recorded = header.get("fingerprint")
    start = recorded.get("start", []) if isinstance(recorded, dict) else None
    if not isinstance(start, list):
        return None
    return tuple(dict(point) for point in start if isinstance(point, dict))


def with_history_start(settings: Settings, *, experiment_id: str, space: Space, store: str | None,
                       root: Path) -> Settings:
    """``settings`` with the best configurations the store holds for this experiment and space added to its
    start points, up to half the budget (the search itself keeps the other half).

    A store that cannot be read is a note, not a failure: the search then starts as it would have.
    """
    room = settings.trials // 2 - len(settings.start)
    if room <= 0:
        return settings
    if store == NO_STORE:
        return settings.with_note("no warm start from history: the run store is 'none'")
    from tunekit.store import open_store, space_hash  # SQLAlchemy loads only here

    try:
        with open_store(store, root=root) as opened:
            found = opened.best_configurations(experiment_id, space_hash(space.to_dict()), room + len(settings.start))
    except TunekitError as exc:
        return settings.with_note(f"no warm start from history: {exc}")
    known = [dict(point) for point in settings.start]
    fresh: list[dict[str, Any]] = [p for p in found if p not in known and all(n in space for n in p)][:room]
    try:
        points = check_start([*known, *fresh], space, None)
    except TunekitError as exc:  # recorded for this space hash, so legal; a hand-edited store is not
        return settings.with_note(f"no warm start from history: {exc}")
    if not fresh:
        return settings.with_note("no warm start from history: the run store has no run of this search yet")
    return replace(settings, start=points).with_note(
        f"warm start: {len(fresh)} best configurations from the run store's history")
