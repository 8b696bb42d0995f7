"""Pareto dominance, non-dominated sorting, crowding distance and hypervolume on plain vectors.

Every function here minimises every coordinate: callers turn maximised objectives into losses first
(:func:`as_losses`). Nothing here knows trials or results; :mod:`tunekit.results` applies it to them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

__all__ = ["as_losses", "crowding_distance", "dominates", "hypervolume", "is_feasible", "non_dominated",
           "non_dominated_sort"]

Point = Sequence[float]


def as_losses(values: Mapping[str, float], objectives: Mapping[str, str]) -> tuple[float, ...]:
    """``values`` in the order of ``objectives``, maximised ones negated, so that smaller is better."""
    return tuple(-values[name] if direction == "maximize" else values[name] for name, direction in objectives.items())


def is_feasible(values: Mapping[str, float], objectives: Mapping[str, str], limits: Mapping[str, float]) -> bool:
    """Whether ``values`` meet every limit: at most it for a minimised objective, at least it for a maximised one."""
    return all(values[name] >= limit if objectives[name] == "maximize" else values[name] <= limit
               for name, limit in limits.items())


def dominates(a: Point, b: Point) -> bool:
    """Whether ``a`` is no worse than ``b`` everywhere and better somewhere."""
    return all(x <= y for x, y in zip(a, b, strict=True)) and any(x < y for x, y in zip(a, b, strict=True))


def non_dominated(points: Sequence[Point]) -> list[int]:
    """Indices of the points no other point dominates, in index order (equal points are all kept)."""
    return [i for i, p in enumerate(points) if not any(dominates(q, p) for q in points)]


def non_dominated_sort(points: Sequence[Point]) -> list[list[int]]:
    """The points' indices split into fronts: the non-dominated ones first, then those only they dominate..."""
    dominated_by: list[list[int]] = [[] for _ in points]  # i -> the points i dominates
    count = [0] * len(points)  # how many points dominate i
    for i, p in enumerate(points):
        for j in range(i + 1, len(points)):
            if dominates(p, points[j]):
                dominated_by[i].append(j)
                count[j] += 1
            elif dominates(points[j], p):
                dominated_by[j].append(i)
                count[i] += 1
    fronts: list[list[int]] = []
    current = [i for i in range(len(points)) if count[i] == 0]
    while current:
        fronts.append(current)
        following = []
        for i in current:
            for j in dominated_by[i]:
                count[j] -= 1
                if count[j] == 0:
                    following.append(j)
        current = sorted(following)
    return fronts


def crowding_distance(points: Sequence[Point]) -> list[float]:
    """NSGA-II's crowding distance of each point within its front: infinite at each objective's extremes."""
    n = len(points)
    if n == 0:
        return []
    distance = [0.0] * n
    for k in range(len(points[0])):
        order = sorted(range(n), key=lambda i: (points[i][k], i))
        low, high = points[order[0]][k], points[order[-1]][k]
        distance[order[0]] = distance[order[-1]] = math.inf
        if high == low:
            continue
        for before, here, after in zip(order, order[1:], order[2:], strict=False):
            distance[here] += (points[after][k] - points[before][k]) / (high - low)
    return distance


def hypervolume(points: Sequence[Point], reference: Point) -> float:
    """The volume dominated by ``points`` and bounded by ``reference`` (2 or 3 objectives).

    Points that do not dominate the reference point strictly in every coordinate add nothing.
    """
    dims = len(reference)
    if dims not in (2, 3):
        raise ValueError(f"hypervolume: 2 or 3 objectives, got {dims}")
    inside = [tuple(p) for p in points if all(x < r for x, r in zip(p, reference, strict=True))]
    if dims == 2:
        return _hypervolume_2d(inside, (reference[0], reference[1]))
    # Sweep the third coordinate: between consecutive levels the volume is a 2-D area times the height.
    inside.sort(key=lambda p: p[2])
    volume = 0.0
    for i, point in enumerate(inside):
        top = inside[i + 1][2] if i + 1 < len(inside) else reference[2]
        if top > point[2]:
            volume += _hypervolume_2d([(p[0], p[1]) for p in inside[:i + 1]], (reference[0], reference[1])) * (
                top - point[2])
    return volume


def _hypervolume_2d(points: Sequence[tuple[float, ...]], reference: tuple[float, float]) -> float:
    area, best_y = 0.0, reference[1]
    for x, y in sorted((p[0], p[1]) for p in points):
        if y < best_y:
            area += (reference[0] - x) * (best_y - y)
            best_y = y
    return area
