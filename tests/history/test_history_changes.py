"""Change detection on synthetic series: a step is found at its commit, noise alone flags nothing."""

from __future__ import annotations

import random

import pytest

from tunekit.history import Point, Segment, Series, detect_changes


def synthetic(n: int, *, step_at: int | None = None, step: float = -2.0, seed: int = 0, fold_std: float = 1.0,
              folds: int = 5, direction: str = "maximize", segments_at: tuple[int, ...] = ()) -> Series:
    """``n`` commits scoring about 80 with fold noise (``fold_std / sqrt(folds)``), ``step`` added from
    ``step_at`` on; a new segment (another space hash) starts at each index of ``segments_at``."""
    rng = random.Random(seed)
    noise = fold_std / folds ** 0.5
    segments: list[Segment] = []
    current: list[Point] = []
    for i in range(n):
        if i in segments_at and current:
            segments.append(Segment(f"space{len(segments)}", None, tuple(current)))
            current = []
        mean = 80.0 + (step if step_at is not None and i >= step_at else 0.0)
        current.append(Point(f"c{i:02d}", None, None, 1, rng.gauss(mean, noise), None, noise))
    segments.append(Segment(f"space{len(segments)}", None, tuple(current)))
    return Series("experiments/exp.py::tune", direction, tuple(segments))


@pytest.mark.parametrize("seed", range(5))
def test_a_two_point_drop_is_a_regression_at_its_commit(seed: int) -> None:
    changes = detect_changes(synthetic(40, step_at=25, seed=seed))
    assert [(c.kind, c.commit) for c in changes] == [("regression", "c25")]
    assert changes[0].before == pytest.approx(80.0, abs=0.5)
    assert changes[0].after == pytest.approx(78.0, abs=0.5)


@pytest.mark.parametrize("seed", range(3))
def test_direction_decides_the_kind(seed: int) -> None:
    drop = detect_changes(synthetic(40, step_at=20, seed=seed, direction="minimize"))
    rise = detect_changes(synthetic(40, step_at=20, step=2.0, seed=seed))
    assert [(c.kind, c.commit) for c in drop] == [("improvement", "c20")]
    assert [(c.kind, c.commit) for c in rise] == [("improvement", "c20")]


@pytest.mark.parametrize("seed", range(5))
def test_noise_alone_flags_nothing(seed: int) -> None:
    flagged = [c for i in range(20) for c in detect_changes(synthetic(40, seed=seed * 100 + i))]
    assert flagged == []


def test_a_changed_search_breaks_the_series_instead_of_flagging() -> None:
    series = synthetic(40, step_at=25, segments_at=(25,))
    assert [len(s.points) for s in series.segments] == [25, 15]
    assert detect_changes(series) == []


def test_a_drop_at_the_newest_commit_is_flagged_there() -> None:
    changes = detect_changes(synthetic(30, step_at=29, step=-5.0))
    assert [(c.kind, c.commit) for c in changes] == [("regression", "c29")]


def test_a_flat_series_without_noise_flags_nothing() -> None:
    points = tuple(Point(f"c{i}", None, None, 1, 1.0, None, None) for i in range(10))
    assert detect_changes(Series("e", "maximize", (Segment("s", None, points),))) == []


def _exact(scores: list[float], direction: str = "maximize") -> Series:
    points = tuple(Point(f"c{i}", None, None, 1, score, None, None) for i, score in enumerate(scores))
    return Series("e", direction, (Segment("s", None, points),))


def test_every_move_of_an_exact_series_is_a_change_at_its_commit() -> None:
    # a seeded experiment on one hold-out score, one run per commit: no noise to measure, every move is real
    changes = detect_changes(_exact([0.895] * 5 + [0.695, 0.695, 0.295]))
    assert [(c.kind, c.commit, c.before, c.after) for c in changes] == [
        ("regression", "c5", 0.895, 0.695), ("regression", "c7", 0.695, 0.295)]
    assert [c.kind for c in detect_changes(_exact([3.0] * 4 + [2.0], direction="minimize"))] == ["improvement"]


def test_without_evidence_of_exactness_a_series_without_noise_flags_nothing() -> None:
    assert detect_changes(_exact([0.9, 0.7, 0.8])) == []  # too short to tell
    # as many moves as repeats: scatter is measured, and these moves are within it
    assert detect_changes(_exact([0.95, 0.96, 0.95, 0.95, 0.97, 0.95, 0.96, 0.95])) == []


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="window must be >= 1"):
        detect_changes(synthetic(5), window=0)
