"""Properties every pruner keeps, whatever the reports: hypothesis draws the histories."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from tunekit.pruners import (
    HyperbandPruner,
    MedianPruner,
    NopPruner,
    PatiencePruner,
    Pruner,
    SuccessiveHalvingPruner,
)

History = dict[int, dict[int, float]]

PRUNERS: list[Pruner] = [
    MedianPruner(), MedianPruner(n_startup_trials=0, n_warmup_steps=2, interval_steps=2),
    SuccessiveHalvingPruner(), SuccessiveHalvingPruner(min_resource=2, reduction_factor=2),
    SuccessiveHalvingPruner(min_early_stopping_rate=1, max_resource=27),
    HyperbandPruner(), HyperbandPruner(max_resource=27), HyperbandPruner(max_resource=16, reduction_factor=2),
    PatiencePruner(patience=2), NopPruner()]
#: The pruners that compare trials with each other (patience looks only at the trial's own curve).
COMPARING = [p for p in PRUNERS if not isinstance(p, PatiencePruner)]

#: Few distinct values so that ties are common; NaN included.
losses = st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.5, 1.0, 2.0, float("nan")]) | st.floats(-1e6, 1e6)
finite_losses = st.floats(-1e6, 1e6)


@st.composite
def histories(draw: st.DrawFn, values: st.SearchStrategy[float] = losses, max_trials: int = 8,
              holes: bool = True) -> History:
    """Trials 0..n-1 reporting steps 1..k_t (some every 2nd or 3rd step only) along piecewise-constant
    curves of up to six drawn values (cheap to draw, yet plateaus, ties and jumps all occur)."""
    n = draw(st.integers(1, max_trials))
    history: History = {}
    for t in range(n):
        last = draw(st.integers(1, 30))
        stride = draw(st.integers(1, 3)) if holes else 1
        steps = list(range(draw(st.integers(1, stride)), last + 1, stride)) or [last]
        pattern = draw(st.lists(values, min_size=1, max_size=6))
        history[t] = {s: pattern[i * len(pattern) // len(steps)] for i, s in enumerate(steps)}
    return history


@st.composite
def asking(draw: st.DrawFn, values: st.SearchStrategy[float] = losses) -> tuple[int, int, History]:
    """A history and a trial asking at one of its reported steps (later reports of its own cut off)."""
    history = draw(histories(values))
    trial = draw(st.sampled_from(sorted(history)))
    step = draw(st.sampled_from(sorted(history[trial])))
    history[trial] = {s: v for s, v in history[trial].items() if s <= step}
    return trial, step, history


@settings(max_examples=80, deadline=None)
@given(asking(), st.randoms(use_true_random=False))
def test_decisions_are_deterministic_given_the_history(case: tuple[int, int, History], rnd: random.Random) -> None:
    trial, step, history = case
    shuffled = list(history.items())
    rnd.shuffle(shuffled)
    reordered = {t: dict(sorted(r.items(), key=lambda kv: -kv[0])) for t, r in shuffled}
    for pruner in PRUNERS:
        first = pruner.should_prune(trial, step, history)
        assert isinstance(first, bool)
        assert pruner.should_prune(trial, step, history) is first
        assert pruner.should_prune(trial, step, reordered) is first, pruner


@settings(max_examples=100, deadline=None)
@given(asking())
def test_a_trial_alone_is_never_pruned_by_comparing_pruners(case: tuple[int, int, History]) -> None:
    trial, step, history = case
    alone = {trial: history[trial]}
    for pruner in COMPARING:
        assert pruner.should_prune(trial, step, alone) is False, pruner
    # An empty record of other trials changes nothing either.
    with_empty = {**alone, trial + 1: {}}
    for pruner in COMPARING:
        assert pruner.should_prune(trial, step, with_empty) is False, pruner


@settings(max_examples=100, deadline=None)
@given(asking())
def test_the_nop_pruner_never_prunes(case: tuple[int, int, History]) -> None:
    assert NopPruner().should_prune(*case) is False


@settings(max_examples=80, deadline=None)
@given(asking(), st.integers(0, 8), st.integers(0, 20), st.integers(1, 4))
def test_median_never_prunes_in_warmup_or_before_startup_trials(
        case: tuple[int, int, History], n_startup: int, n_warmup: int, interval: int) -> None:
    trial, step, history = case
    pruner = MedianPruner(n_startup_trials=n_startup, n_warmup_steps=n_warmup, interval_steps=interval)
    others = sum(1 for t, r in history.items() if t != trial and r)
    if step < n_warmup or others < n_startup:
        assert pruner.should_prune(trial, step, history) is False


@settings(max_examples=80, deadline=None)
@given(asking(finite_losses))
def test_median_prunes_exactly_when_the_best_so_far_is_worse_than_the_median(
        case: tuple[int, int, History]) -> None:
    trial, step, history = case
    at_step = sorted(r[step] for t, r in history.items() if t != trial and step in r)
    best = min(history[trial].values())
    if at_step:
        mid = len(at_step) // 2
        median = at_step[mid] if len(at_step) % 2 else (at_step[mid - 1] + at_step[mid]) / 2
        expected = best > median + 1e-9 * max(1.0, abs(median))
        if abs(best - median) > 1e-9 * max(1.0, abs(median)):  # away from rounding of the midpoint
            assert MedianPruner(n_startup_trials=0).should_prune(trial, step, history) is expected
    else:
        assert MedianPruner(n_startup_trials=0).should_prune(trial, step, history) is False


@settings(max_examples=100, deadline=None)
@given(histories(finite_losses, holes=False), st.integers(1, 3), st.integers(2, 4), st.integers(0, 2))
def test_asha_never_prunes_the_best_trial_at_a_rung(history: History, min_resource: int, rf: int,
                                                     rate: int) -> None:
    # Every trial reports every step, so it reaches each rung at a report of its own and is judged there
    # for that rung alone (a report that jumps over several rungs is judged at all of them).
    pruner = SuccessiveHalvingPruner(min_resource=min_resource, reduction_factor=rf,
                                     min_early_stopping_rate=rate)
    for rung in pruner.rung_steps(30):
        arrivals = {t: min(s for s in r if s >= rung) for t, r in history.items() if any(s >= rung for s in r)}
        if not arrivals:
            continue
        values = {t: history[t][s] for t, s in arrivals.items()}
        best = min(values.values())
        for t, value in values.items():
            if value == best:
                mine = {s: v for s, v in history[t].items() if s <= arrivals[t]}
                assert pruner.should_prune(t, arrivals[t], {**history, t: mine}) is False


@settings(max_examples=80, deadline=None)
@given(asking(finite_losses))
def test_a_trial_best_at_every_step_is_never_pruned(case: tuple[int, int, History]) -> None:
    trial, step, history = case
    # Make the asking trial strictly better than everybody at every step it reported.
    floor = min(v for r in history.values() for v in r.values())
    history[trial] = {s: floor - 1.0 - s for s in history[trial]}
    for pruner in COMPARING:
        assert pruner.should_prune(trial, step, history) is False, pruner


@settings(max_examples=100, deadline=None)
@given(st.lists(finite_losses, min_size=1, max_size=40), st.integers(1, 6))
def test_patience_prunes_exactly_when_the_last_n_reports_did_not_beat_the_earlier_best(
        curve: list[float], patience: int) -> None:
    history = {0: {s + 1: v for s, v in enumerate(curve)}}
    expected = len(curve) > patience and min(curve[-patience:]) >= min(curve[:-patience])
    assert PatiencePruner(patience=patience).should_prune(0, len(curve), history) is expected


@settings(max_examples=100, deadline=None)
@given(st.floats(-1e3, 1e3), st.lists(st.floats(1e-3, 10), max_size=10), st.integers(1, 6),
       st.floats(0, 10), st.floats(0, 10))
def test_patience_prunes_after_exactly_n_non_improving_reports(
        start: float, gains: list[float], patience: int, min_delta: float, worse: float) -> None:
    # Each report beats the previous one by more than min_delta, then the curve stays at or above the best.
    curve = [start]
    for gain in gains:
        curve.append(curve[-1] - min_delta - gain)
    curve += [curve[-1] + worse] * patience
    pruner = PatiencePruner(patience=patience, min_delta=min_delta)
    history = {0: {s + 1: v for s, v in enumerate(curve)}}
    decisions = [pruner.should_prune(0, s, history) for s in range(1, len(curve) + 1)]
    assert decisions == [False] * (len(curve) - 1) + [True]
