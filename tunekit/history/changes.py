"""Noise-aware change detection along a series: a step is flagged where the score moved by more than
``z`` standard errors of the difference between the medians of the points just before and just after it.

The noise of one point is the larger of two estimates, so that neither a too-small fold spread nor a
too-quiet history hides it:

* the model: ``sqrt(mean(fold_noise**2) + mean(spread**2))`` over the segment, the standard error of a best
  score's mean over its folds plus the run-to-run variance of commits run more than once;
* the scatter actually seen, from the differences ``d`` between consecutive points: the smaller of
  ``sqrt(mean(d**2) / 2)`` (von Neumann's estimator) and ``sqrt(median(d**2) / (2 * 0.4549))`` (robust to a step).

The median of ``m`` points has a standard error of about ``1.2533 * noise / sqrt(m)`` (exactly ``noise``
for one point). Consecutive flagged commits are one change, placed where a single step fits the points around them best
(least absolute deviation from each side's median).

A segment without any measured noise is exact when most of its consecutive scores are equal (a seeded
experiment on one hold-out score, one run per commit: the same code gives the same score): there every
move is a change, at the commit that made it. Without noise or that evidence (a short series) nothing is
flagged. Inspired by asv's step detection; nothing of its code.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from tunekit.history.series import Point, Segment, Series

__all__ = ["DEFAULT_WINDOW", "DEFAULT_Z", "Change", "detect_changes", "segment_noise"]

#: Points compared on either side of a commit.
DEFAULT_WINDOW = 8
#: Standard errors a difference must exceed to be a change.
DEFAULT_Z = 4.0
#: Twice the median of a chi-squared variable with one degree of freedom: median(d**2) = this * sigma**2.
_CHI2_MEDIAN = 2 * 0.4549
#: Consecutive points of an exact segment (no measured noise) that tell it apart from a short one.
_EXACT_POINTS = 4


@dataclass(frozen=True)
class Change:
    """A step at ``commit``: ``kind`` is ``"regression"`` or ``"improvement"`` (per the direction),
    ``before``/``after`` the medians of the windows around it, ``noise`` one point's noise."""

    kind: str
    commit: str
    before: float
    after: float
    noise: float

    @property
    def delta(self) -> float:
        """``after - before``."""
        return self.after - self.before


def segment_noise(points: Sequence[Point]) -> float:
    """One point's noise in ``points``: the larger of the fold/run model and the scatter seen (0 if neither)."""
    folds = [p.fold_noise ** 2 for p in points if p.fold_noise is not None]
    runs = [p.spread ** 2 for p in points if p.spread is not None]
    model = math.sqrt((statistics.fmean(folds) if folds else 0.0) + (statistics.fmean(runs) if runs else 0.0))
    squares = [(b.best_score - a.best_score) ** 2 for a, b in itertools.pairwise(points)]
    if len(squares) < 3:
        return model
    # The mean of the squares is efficient but one step inflates it on a short series; their median is
    # robust but noisy. The smaller of the two is a floor that neither a step nor chance raises much.
    seen = min(math.sqrt(statistics.fmean(squares) / 2.0), math.sqrt(statistics.median(squares) / _CHI2_MEDIAN))
    return max(model, seen)


def _median_se(noise: float, m: int) -> float:
    return noise if m == 1 else 1.2533 * noise / math.sqrt(m)


def _segment_changes(segment: Segment, direction: str, window: int, z: float) -> list[Change]:
    points = segment.points
    noise = segment_noise(points)
    if noise <= 0.0:
        return _exact_changes(points, direction) if len(points) >= _EXACT_POINTS else []
    # (k, |delta| / se) for every commit whose step stands out of the noise.
    flagged: list[tuple[int, float]] = []
    for k in range(2, len(points)):
        before = [p.best_score for p in points[max(0, k - window):k]]
        after = [p.best_score for p in points[k:k + window]]
        b, a = statistics.median(before), statistics.median(after)
        se = math.hypot(_median_se(noise, len(before)), _median_se(noise, len(after)))
        if abs(a - b) > z * se:
            flagged.append((k, abs(a - b) / se))
    changes: list[Change] = []
    cluster: list[int] = []
    for k in [item[0] for item in flagged] + [-10]:
        if cluster and k != cluster[-1] + 1:
            step = _locate(points, cluster, window)
            b = statistics.median(p.best_score for p in points[max(0, step - window):step])
            a = statistics.median(p.best_score for p in points[step:step + window])
            worse = a < b if direction == "maximize" else a > b
            changes.append(Change("regression" if worse else "improvement", points[step].commit, b, a, noise))
            cluster = []
        cluster.append(k)
    return changes


def _moved(before: float, after: float) -> bool:
    """Whether two scores differ by more than floating-point round-off."""
    return abs(after - before) > 1e-9 * max(1.0, abs(before), abs(after))


def _exact_changes(points: Sequence[Point], direction: str) -> list[Change]:
    """Every move of a segment whose scores have no measured noise (see the module's docstring): no fold
    or run spread, and most consecutive scores equal, since the robust scatter estimate is then zero."""
    changes = []
    for a, b in itertools.pairwise(points):
        if _moved(a.best_score, b.best_score):
            worse = b.best_score < a.best_score if direction == "maximize" else b.best_score > a.best_score
            changes.append(Change("regression" if worse else "improvement", b.commit, a.best_score, b.best_score,
                                  0.0))
    return changes


def _locate(points: Sequence[Point], cluster: Sequence[int], window: int) -> int:
    """The commit of ``cluster`` where one step best fits the points around it: the split with the least
    total absolute deviation from each side's median (the medians' windows alone place it poorly)."""
    region = [p.best_score for p in points[max(0, cluster[0] - window):cluster[-1] + window]]
    offset = max(0, cluster[0] - window)

    def cost(k: int) -> float:
        left, right = region[:k - offset], region[k - offset:]
        return (sum(abs(x - statistics.median(left)) for x in left)
                + sum(abs(x - statistics.median(right)) for x in right))

    return min(cluster, key=cost)


def detect_changes(series: Series, *, window: int = DEFAULT_WINDOW, z: float = DEFAULT_Z) -> list[Change]:
    """The changes of ``series``, oldest first; a segment boundary (a changed search) is never a change.

    A commit needs two points before it in its segment to be judged; the newest commit is judged on its own
    point against the ``window`` before it.
    """
    if window < 1 or z <= 0:
        raise ValueError(f"detect_changes(): window must be >= 1 and z > 0, got window={window}, z={z}")
    return [c for segment in series.segments for c in _segment_changes(segment, series.direction, window, z)]
