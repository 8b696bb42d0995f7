"""Pareto dominance, sorting, crowding and hypervolume (tunekit.pareto), with property tests."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tunekit.pareto import (
    as_losses,
    crowding_distance,
    dominates,
    hypervolume,
    is_feasible,
    non_dominated,
    non_dominated_sort,
)

coordinate = st.integers(0, 20).map(float)


def points(dims: int) -> st.SearchStrategy[list[tuple[float, ...]]]:
    return st.lists(st.tuples(*[coordinate] * dims), max_size=25)


@given(st.integers(2, 3).flatmap(points))
def test_the_front_is_mutually_non_dominated_and_dominates_the_rest(pts: list[tuple[float, ...]]) -> None:
    front = non_dominated(pts)
    for i, j in itertools.product(front, front):
        assert not dominates(pts[i], pts[j])
    for k in set(range(len(pts))) - set(front):
        assert any(dominates(pts[i], pts[k]) for i in front)


@given(st.integers(2, 3).flatmap(points))
def test_a_dominated_point_is_never_on_the_front(pts: list[tuple[float, ...]]) -> None:
    front = set(non_dominated(pts))
    for i, j in itertools.product(range(len(pts)), repeat=2):
        if dominates(pts[i], pts[j]):
            assert j not in front


@given(st.integers(2, 3).flatmap(points))
def test_sorting_puts_every_point_in_one_front_dominated_only_by_earlier_fronts(pts: list[tuple[float, ...]]) -> None:
    fronts = non_dominated_sort(pts)
    assert sorted(i for front in fronts for i in front) == list(range(len(pts)))
    assert (fronts[0] if fronts else []) == non_dominated(pts)
    rank = {i: r for r, front in enumerate(fronts) for i in front}
    for i, j in itertools.product(range(len(pts)), repeat=2):
        if dominates(pts[i], pts[j]):
            assert rank[i] < rank[j]
    for r, front in enumerate(fronts[1:], 1):
        for j in front:
            assert any(dominates(pts[i], pts[j]) for i in fronts[r - 1])


@settings(max_examples=60)
@given(st.integers(2, 3).flatmap(lambda d: st.tuples(points(d), st.tuples(*[coordinate] * d))))
def test_hypervolume_never_shrinks_when_a_point_is_added(
        case: tuple[list[tuple[float, ...]], tuple[float, ...]]) -> None:
    pts, extra = case
    reference = tuple([21.0] * len(extra))
    before = hypervolume(pts, reference)
    after = hypervolume([*pts, extra], reference)
    assert after >= before - 1e-9
    if not any(dominates(p, extra) or p == extra for p in pts):
        assert after > before  # a point nothing covers adds its own corner


@given(st.integers(2, 3).flatmap(points))
def test_hypervolume_is_that_of_the_front(pts: list[tuple[float, ...]]) -> None:
    reference = tuple([21.0] * (len(pts[0]) if pts else 2))
    front = [pts[i] for i in non_dominated(pts)]
    assert hypervolume(pts, reference) == pytest.approx(hypervolume(front, reference))


def test_hypervolume_of_known_sets() -> None:
    assert hypervolume([(1.0, 1.0)], (2.0, 2.0)) == 1.0
    assert hypervolume([(0.0, 1.0), (1.0, 0.0)], (2.0, 2.0)) == 3.0
    assert hypervolume([(0.0, 0.0, 0.0)], (1.0, 2.0, 3.0)) == 6.0
    assert hypervolume([(0.0, 1.0, 1.0), (1.0, 0.0, 0.0)], (2.0, 2.0, 2.0)) == pytest.approx(2 + 4 - 1)
    assert hypervolume([(3.0, 0.0)], (2.0, 2.0)) == 0.0  # beyond the reference point
    with pytest.raises(ValueError, match="2 or 3 objectives"):
        hypervolume([(0.0,)], (1.0,))


def test_crowding_distance_is_infinite_at_the_extremes_and_larger_where_sparse() -> None:
    distance = crowding_distance([(0.0, 4.0), (1.0, 3.0), (3.0, 1.0), (3.5, 0.5), (4.0, 0.0)])
    assert math.isinf(distance[0]) and math.isinf(distance[4])
    assert distance[1] > distance[3]
    assert crowding_distance([]) == []


def test_losses_and_feasibility_follow_the_directions() -> None:
    objectives = {"accuracy": "maximize", "fit_seconds": "minimize"}
    assert as_losses({"fit_seconds": 2.0, "accuracy": 0.9}, objectives) == (-0.9, 2.0)
    assert is_feasible({"accuracy": 0.9, "fit_seconds": 2.0}, objectives, {"fit_seconds": 2.0})
    assert not is_feasible({"accuracy": 0.9, "fit_seconds": 2.1}, objectives, {"fit_seconds": 2.0})
    assert not is_feasible({"accuracy": 0.7, "fit_seconds": 1.0}, objectives, {"accuracy": 0.8})
