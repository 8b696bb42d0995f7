"""The acquisition maximiser: random candidates, moves around anchors, and valid encodings only."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tunekit.strategies.bayes._acquisition import maximise_acquisition


def _peak(centre: np.ndarray, width: float):
    return lambda X: np.exp(-np.sum((X - centre) ** 2, axis=1) / (2 * width ** 2))


def _identity(X: np.ndarray) -> np.ndarray:
    return X


def test_local_moves_find_a_narrow_peak_that_random_candidates_miss() -> None:
    dims = 10
    centre = np.full(dims, 0.3)
    acquisition = _peak(centre, 0.02)
    anchor = np.clip(centre + 0.05, 0, 1)[None, :]
    found = maximise_acquisition(acquisition, _identity, dims, anchor, np.random.default_rng(0))
    random_only = maximise_acquisition(acquisition, _identity, dims, np.empty((0, dims)),
                                       np.random.default_rng(0), rounds=0)
    assert np.max(np.abs(found - centre)) < 0.02
    assert acquisition(found[None, :])[0] > 100 * acquisition(random_only[None, :])[0]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_anchors=st.integers(0, 4))
def test_proposals_are_snapped_in_bounds_and_reproducible(seed: int, n_anchors: int) -> None:
    def snap(X: np.ndarray) -> np.ndarray:  # column 0 takes 5 levels, columns 1-3 are one-hot
        X = X.copy()
        X[:, 0] = np.round(X[:, 0] * 4) / 4
        block = np.zeros((len(X), 3))
        block[np.arange(len(X)), np.argmax(X[:, 1:4], axis=1)] = 1.0
        X[:, 1:4] = block
        return X

    anchors = snap(np.random.default_rng(seed).random((n_anchors, 5)))
    acquisition = _peak(np.array([0.6, 0.0, 1.0, 0.0, 0.9]), 0.3)
    first = maximise_acquisition(acquisition, snap, 5, anchors, np.random.default_rng(seed))
    second = maximise_acquisition(acquisition, snap, 5, anchors, np.random.default_rng(seed))
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(first, snap(first[None, :])[0])
    assert np.all((first >= 0) & (first <= 1))
