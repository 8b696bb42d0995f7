"""One experiment's stored runs as a series: a point per commit of the branch, split where the search changed.

Pure: the runs and the branch's commits come in, small frozen records go out.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from tunekit.history.git import CommitInfo
from tunekit.store import StoredExperiment

__all__ = ["Point", "Segment", "Series", "build_series"]


@dataclass(frozen=True)
class Point:
    """The runs of one commit, summarised.

    ``best_score`` is the median of the runs' best scores, ``spread`` their standard deviation (``None``
    with one run), ``fold_noise`` the median standard error of the best's mean over its folds
    (``score_std / sqrt(folds)``; ``None`` when the runs recorded no fold spread).
    """

    commit: str
    date: str | None
    author: str | None
    runs: int
    best_score: float
    spread: float | None
    fold_noise: float | None


@dataclass(frozen=True)
class Segment:
    """Consecutive points that searched the same space with the same objective source, and scored the same
    measure (first objective, ``None`` for a single score) in the same direction."""

    space_hash: str
    source_hash: str | None
    points: tuple[Point, ...]
    score_name: str | None = None
    direction: str = "maximize"


@dataclass(frozen=True)
class Series:
    """One experiment's points, oldest first, in segments; ``off_branch`` counts the runs left out because
    their commit is not on the branch (or unknown), ``unscored`` those without a completed trial."""

    experiment_id: str
    direction: str
    segments: tuple[Segment, ...]
    off_branch: int = 0
    unscored: int = 0

    @property
    def points(self) -> list[Point]:
        """Every point, oldest first, across segments."""
        return [p for segment in self.segments for p in segment.points]


def _fold_noise(run: StoredExperiment) -> float | None:
    if run.best_score_std is None:
        return None
    folds = len(run.best_folds) if run.best_folds else 1
    return run.best_score_std / math.sqrt(max(folds, 1))


def _point(commit: str, date: str | None, author: str | None, runs: Sequence[StoredExperiment]) -> Point:
    scores = [r.best_score for r in runs if r.best_score is not None]
    noises = [n for n in (_fold_noise(r) for r in runs) if n is not None]
    return Point(commit=commit, date=date, author=author, runs=len(scores),
                 best_score=statistics.median(scores),
                 spread=statistics.stdev(scores) if len(scores) > 1 else None,
                 fold_noise=statistics.median(noises) if noises else None)


def _search(run: StoredExperiment) -> tuple[str, str | None, str | None, str]:
    """What must stay the same for two runs' best scores to lie on one line."""
    return run.space_hash, run.source_hash, run.score_name, run.direction


def _segment(key: tuple[str, str | None, str | None, str], points: list[Point]) -> Segment:
    space_hash, source_hash, score_name, direction = key
    return Segment(space_hash, source_hash, tuple(points), score_name, direction)


def build_series(experiment_id: str, history: Sequence[StoredExperiment],
                 commits: Sequence[CommitInfo] | None) -> Series:
    """The series of ``history`` (one experiment's runs, oldest first) along ``commits`` (the branch, oldest
    first; ``None`` outside git: commits in the order of their first run, dated by it).

    A commit's runs are those with its latest run's search: space and source hashes, first objective and
    direction (older runs of another search at the same commit are left out); a point whose search differs
    from the previous point's starts a new segment, so a reordered ``objectives=`` or a flipped direction
    never puts seconds and accuracy on one line. The direction is the latest run's.
    """
    scored = [r for r in history if r.best_score is not None]
    unscored = len(history) - len(scored)
    by_commit: dict[str, list[StoredExperiment]] = {}
    off_branch = 0
    for run in scored:
        if run.commit is None:
            off_branch += 1
            continue
        by_commit.setdefault(run.commit, []).append(run)
    if commits is None:
        order: list[tuple[str, str | None, str | None]] = [
            (sha, runs[0].started.isoformat(), None) for sha, runs in by_commit.items()]
        order.sort(key=lambda item: min(r.started for r in by_commit[item[0]]))
    else:
        order = [(c.sha, c.date, c.author) for c in commits if c.sha in by_commit]
        off_branch += sum(len(runs) for runs in by_commit.values()) - sum(len(by_commit[s]) for s, _, _ in order)
    segments: list[Segment] = []
    current: list[Point] = []
    key: tuple[str, str | None, str | None, str] | None = None
    for sha, date, author in order:
        runs = by_commit[sha]
        here = _search(runs[-1])
        same = [r for r in runs if _search(r) == here]
        if key is not None and here != key:
            segments.append(_segment(key, current))
            current = []
        key = here
        current.append(_point(sha, date, author, same))
    if key is not None:
        segments.append(_segment(key, current))
    direction = scored[-1].direction if scored else (history[-1].direction if history else "maximize")
    return Series(experiment_id, direction, tuple(segments), off_branch=off_branch, unscored=unscored)
