"""Ranks and normalised scores of contenders over many problems (pure functions of best losses).

Per problem, from each contender's best loss per seed after ``k`` trials:

- rank: contenders ranked by their median best loss (1 = best; ties share the mean of their ranks). For a
  problem with a known optimum, losses within ``TARGET`` of it count as equal, as COCO's final target
  does, so that two contenders that both solved a problem tie instead of being ordered by round-off;
- score of one run ``(R - b) / (R - opt)``, clipped at ``-1`` (``R``: the reference's median best loss,
  ``b``: the run's best loss, ``opt``: the optimum), and the problem's score the median over seeds of
  the clipped run scores. With an odd number of seeds that is the clipped score of the median run;
- worse than the reference: a median best loss above the reference's (after the ``TARGET`` floor).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["TARGET", "GroupSummary", "ProblemSummary", "average_ranks", "clipped_score", "summarise_group",
           "summarise_problem"]

#: Losses closer than this to the optimum count as the optimum when ranking (COCO's final target).
TARGET = 1e-8
#: Scores are clipped here per run, so that one hopeless run cannot outweigh many good ones.
SCORE_FLOOR = -1.0


def average_ranks(values: Sequence[float]) -> list[float]:
    """Ranks of ``values``, 1 for the smallest; tied values share the mean of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for i in order[start:end + 1]:
            ranks[i] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def clipped_score(best: float, reference: float, optimum: float) -> float:
    """``(reference - best) / (reference - optimum)`` clipped below at -1; NaN when the reference is optimal."""
    span = reference - optimum
    if span <= 0:
        return float("nan")
    return max(SCORE_FLOOR, (reference - best) / span)


@dataclass(frozen=True)
class ProblemSummary:
    """One problem after ``budget`` trials: per contender the median best loss, rank, score and verdict."""

    problem: str
    group: str
    budget: int
    seeds: int
    optimum: float
    median_best: dict[str, float]
    rank: dict[str, float]
    score: dict[str, float]
    worse_than_reference: dict[str, bool]


def summarise_problem(problem: str, group: str, budget: int, best: Mapping[str, Sequence[float]], *,
                      reference: str, optimum: float | None) -> ProblemSummary:
    """Summarise one problem from ``best[contender]``, the best losses after ``budget`` trials, one per seed.

    Every contender must have the same seeds. ``optimum`` ``None`` (unknown) uses the lowest loss any
    contender found, and no ``TARGET`` floor.
    """
    seeds = {len(values) for values in best.values()}
    if len(seeds) != 1 or 0 in seeds:
        raise ValueError(f"{problem}: every contender needs the same, non-zero number of seeds; got "
                         + ", ".join(f"{c}: {len(v)}" for c, v in best.items()))
    floor = -math.inf
    if optimum is None:
        optimum = min(min(values) for values in best.values())
    else:
        floor = optimum + TARGET
    median = {c: float(np.median(values)) for c, values in best.items()}
    floored = {c: max(m, floor) for c, m in median.items()}
    contenders = list(best)
    ranks = dict(zip(contenders, average_ranks([floored[c] for c in contenders]), strict=True))
    ref = median[reference]
    scores = {c: float(np.median([clipped_score(b, ref, optimum) for b in values])) for c, values in best.items()}
    worse = {c: floored[c] > floored[reference] for c in contenders}
    return ProblemSummary(problem, group, budget, seeds.pop(), optimum, median, ranks, scores, worse)


@dataclass(frozen=True)
class GroupSummary:
    """Means over the problems of a group, per contender."""

    group: str
    problems: int
    mean_rank: dict[str, float]
    mean_score: dict[str, float]
    worse_than_reference: dict[str, int]


def summarise_group(group: str, summaries: Iterable[ProblemSummary], contenders: Sequence[str]) -> GroupSummary:
    """Mean rank, mean score (problems with a NaN score left out) and count of worse-than-reference problems."""
    summaries = list(summaries)

    def mean(values: list[float]) -> float:
        values = [v for v in values if not math.isnan(v)]
        return float(np.mean(values)) if values else float("nan")

    return GroupSummary(
        group, len(summaries),
        {c: mean([s.rank[c] for s in summaries]) for c in contenders},
        {c: mean([s.score[c] for s in summaries]) for c in contenders},
        {c: sum(s.worse_than_reference[c] for s in summaries) for c in contenders})
