"""Decisions of the patience pruner (Keras EarlyStopping semantics) on crafted learning curves."""

from __future__ import annotations

import math

from tunekit.pruners import PatiencePruner


def _decisions(pruner: PatiencePruner, losses: list[float]) -> list[bool]:
    """The pruner's answer after each report of one trial (steps 1..n), alone in the search."""
    curve = {s + 1: loss for s, loss in enumerate(losses)}
    return [pruner.should_prune(0, s, {0: curve}) for s in curve]


def test_prunes_at_the_patience_th_report_without_improvement() -> None:
    assert _decisions(PatiencePruner(patience=3), [5, 4, 4, 4.5, 4]) == [False, False, False, False, True]
    assert _decisions(PatiencePruner(patience=1), [5, 6]) == [False, True]


def test_an_improvement_resets_the_count() -> None:
    assert _decisions(PatiencePruner(patience=2), [5, 6, 4, 6, 3, 6, 7]) == \
        [False, False, False, False, False, False, True]


def test_min_delta_small_improvements_do_not_count() -> None:
    # Best stays 1.0: 0.99, 0.98, 0.97 are not 0.05 better.
    assert _decisions(PatiencePruner(patience=3, min_delta=0.05), [1.0, 0.99, 0.98, 0.97]) == \
        [False, False, False, True]
    assert _decisions(PatiencePruner(patience=3, min_delta=0.05), [1.0, 0.99, 0.94, 0.93]) == \
        [False, False, False, False]


def test_nan_never_improves() -> None:
    assert _decisions(PatiencePruner(patience=2), [1.0, math.nan, math.nan]) == [False, False, True]
    assert _decisions(PatiencePruner(patience=1), [math.nan]) == [True]


def test_other_trials_do_not_matter() -> None:
    pruner = PatiencePruner(patience=2)
    history = {0: {1: 0.0, 2: 0.0, 3: 0.0}, 1: {1: 5.0, 2: 4.0}}
    assert pruner.should_prune(1, 2, history) is False
    assert pruner.should_prune(1, 1, history) is False  # only reports up to the asked step count
