"""The records a store reads back: small frozen dataclasses, and the hash that keys a search space.

Nothing here imports SQLAlchemy, so code that only handles these records never pays for it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["RecordedBest", "RunSummary", "StoredExperiment", "canonical_json", "space_hash"]


def canonical_json(value: Any) -> str:
    """JSON text with sorted keys and no spaces: equal values give equal text (for hashes and comparisons)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def space_hash(space: Mapping[str, Any]) -> str:
    """A short, stable digest of a search space as results files write it (``experiment.space``).

    Two runs with the same hash searched the same space, so their trials can warm-start one another; keys
    that only change how results are shown (``hard_bounds``) are left out.
    """
    from tunekit.space import searched

    return hashlib.sha256(canonical_json(searched(space)).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class RunSummary:
    """One recorded run: who ran it, where, from which commit, and each experiment's best score.

    ``best_scores`` maps an experiment's node ID to its best score (``None`` when no trial completed).
    """

    run_id: str
    started: datetime
    finished: datetime
    user: str | None
    machine: str | None
    tunekit_version: str
    commit: str | None
    dirty: bool | None
    branch: str | None
    best_scores: Mapping[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredExperiment:
    """One experiment as one run recorded it: where it came from, how it searched, and its best trial."""

    run_id: str
    experiment_id: str
    started: datetime
    finished: datetime
    commit: str | None
    dirty: bool | None
    branch: str | None
    space_hash: str
    source_hash: str | None
    strategy: str
    direction: str
    status: str
    trial_count: int
    best_score: float | None
    best_score_std: float | None
    best_folds: tuple[float, ...] | None
    best_params: Mapping[str, Any] | None
    #: The first objective's name when the experiment has several (what ``best_score`` measured), else ``None``.
    score_name: str | None = None


@dataclass(frozen=True)
class RecordedBest:
    """The best score the store holds for one experiment and space: which run found it, on which commit."""

    score: float
    run_id: str
    commit: str | None
    finished: datetime
