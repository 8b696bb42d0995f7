"""Each diagnostic fires on results crafted to show the problem, and stays quiet on healthy ones."""

from __future__ import annotations

import pytest

from tunekit.report.diagnostics import diagnose


def params(C=1.0, depth=5, kernel="rbf"):
    return {"C": C, "depth": depth, "kernel": kernel}


def spread_trials(craft, n, *, best_at=None, best_params=None, direction="maximize", **best_kwargs):
    """``n`` complete trials with middling scores and C mid-range; trial ``best_at`` is the best."""
    trials = []
    for i in range(n):
        score = 0.5 + 0.01 * (i % 7)
        if i == best_at:
            score = 0.9 if direction == "maximize" else 0.1
        p = best_params if i == best_at and best_params else params(C=10 ** ((i % 5) - 2), depth=2 + i % 7)
        trials.append(craft.trial(i, score, params=p, **(best_kwargs if i == best_at else {})))
    return trials


def hints_about(hints, word):
    return [h for h in hints if word in h]


# --- failed trials ------------------------------------------------------------------------------------

def test_many_failed_trials_are_reported_with_the_commonest_error(craft):
    trials = [craft.trial(i, 0.5 + i / 100, params=params(C=1.0 + i)) for i in range(6)]
    trials += [craft.trial(6 + i, error="TimeoutError: trial timed out after 5s") for i in range(3)]
    trials += [craft.trial(9, error="ValueError: bad")]
    hints = diagnose(craft.experiment(trials))
    assert hints[0].startswith("4 of 10 trials failed (40%), 3 of them timed out")
    assert "most common error (3x): TimeoutError: trial timed out after 5s" in hints[0]


def test_a_few_failures_are_not_worth_a_hint(craft):
    trials = [craft.trial(i, 0.5 + i / 100, params=params(C=1.0 + i)) for i in range(9)]
    trials.append(craft.trial(9, error="ValueError: bad"))  # 10%: under the 20% threshold
    assert not hints_about(diagnose(craft.experiment(trials)), "failed")


# --- best value at the edge of a range -------------------------------------------------------------------

def test_best_at_the_upper_bound_of_a_log_range(craft):
    # 900 is at 99% of [1e-3, 1e3] in log space, but at 90% linearly: the check must work in log space.
    trials = spread_trials(craft, 6, best_at=3, best_params=params(C=900.0, depth=5))
    hints = diagnose(craft.experiment(trials))
    assert "C best at upper bound 1e3 (best 900): widen the range above it" in hints


def test_best_at_the_lower_bound_of_a_linear_integer_range(craft):
    trials = spread_trials(craft, 6, best_at=2, best_params=params(C=1.0, depth=1), direction="minimize")
    hints = diagnose(craft.experiment(trials, direction="minimize"))
    assert "depth best at lower bound 1: widen the range below it" in hints


def test_a_best_value_inside_the_range_is_not_at_the_edge(craft):
    # C=100 is at 83% of the log range (but 10% linearly would not matter either); depth 5 is mid-range.
    trials = spread_trials(craft, 6, best_at=3, best_params=params(C=100.0, depth=5))
    assert not hints_about(diagnose(craft.experiment(trials)), "bound")


def test_the_edge_check_waits_for_a_few_trials(craft):
    trials = [craft.trial(0, 0.9, params=params(C=1e3))]
    assert not hints_about(diagnose(craft.experiment(trials)), "bound")


# --- convergence --------------------------------------------------------------------------------------

def test_best_in_the_last_tenth_of_the_trials_is_not_converged(craft):
    trials = spread_trials(craft, 20, best_at=19)
    hints = diagnose(craft.experiment(trials))
    assert hints_about(hints, "not converged: the best trial (#19) came in the last 10% of 20 trials")
    assert hints_about(hints, "--trials 40")


def test_still_improving_steeply_at_the_end(craft):
    # Best at trial 16 of 20 (not the last 10%), but the last quarter brought most of the improvement,
    # in two steps.
    scores = [0.50, 0.51, 0.52, 0.50, 0.53, 0.51, 0.52, 0.54, 0.53, 0.55, 0.54, 0.55, 0.53, 0.54, 0.52,
              0.70, 0.80, 0.62, 0.60, 0.61]
    trials = [craft.trial(i, s, params=params(C=10 ** ((i % 5) - 2), depth=2 + i % 7)) for i, s in enumerate(scores)]
    hints = diagnose(craft.experiment(trials))
    assert hints_about(hints, "still improving: the last quarter of the trials brought")


def test_an_early_best_has_converged(craft):
    trials = spread_trials(craft, 20, best_at=3)
    hints = diagnose(craft.experiment(trials))
    assert not hints_about(hints, "converged") and not hints_about(hints, "improving")


def test_one_lucky_late_trial_is_not_a_trend(craft):
    scores = [0.50, 0.51, 0.52, 0.50, 0.53, 0.51, 0.52, 0.54, 0.53, 0.55, 0.54, 0.55, 0.53, 0.54, 0.52,
              0.52, 0.80, 0.62, 0.60, 0.61]
    trials = [craft.trial(i, s, params=params(C=10 ** ((i % 5) - 2), depth=2 + i % 7)) for i, s in enumerate(scores)]
    assert not hints_about(diagnose(craft.experiment(trials)), "improving")


def test_a_search_stopped_at_its_target_is_not_unconverged(craft):
    trials = spread_trials(craft, 20, best_at=19)
    experiment = craft.experiment(trials)
    experiment.stop_reason = "target"
    assert not hints_about(diagnose(experiment), "converged")


def test_grid_search_order_says_nothing_about_convergence(craft):
    trials = spread_trials(craft, 20, best_at=19)
    assert not hints_about(diagnose(craft.experiment(trials, strategy="grid")), "converged")


# --- over- and underfitting -----------------------------------------------------------------------------

def test_overfitting_when_the_train_score_is_far_better(craft):
    trials = spread_trials(craft, 6, best_at=3)
    trials[3] = craft.trial(3, 0.85, params=params(), metrics={"train_score": [1.0, 1.0, 0.99]})  # fold values
    hints = diagnose(craft.experiment(trials))
    assert hints_about(hints, "overfitting: the best trial's train_score 0.9967 vs validation 0.85")


def test_overfitting_is_direction_aware(craft):
    # Minimizing an error: train error 10 vs validation 30 is a large gap; the reverse is not overfitting.
    best = craft.trial(3, 30.0, params=params(), metrics={"train_score": 10.0})
    others = [craft.trial(i, 100.0 + i, params=params(C=2.0 + i)) for i in range(6) if i != 3]
    hints = diagnose(craft.experiment([*others, best], direction="minimize"))
    assert hints_about(hints, "overfitting")
    reverse = [craft.trial(0, 30.0, params=params(), metrics={"train_score": 40.0})]
    assert not hints_about(diagnose(craft.experiment(reverse, direction="minimize")), "fitting")


def test_underfitting_when_both_scores_are_low(craft):
    trials = [craft.trial(0, 0.52, params=params(), metrics={"train_score": 0.55}),
              craft.trial(1, 0.50, params=params(C=2.0), metrics={"train_score": 0.52})]
    hints = diagnose(craft.experiment(trials))
    assert hints_about(hints, "underfitting: the best trial's train_score is only 0.55")


def test_a_good_fit_gets_no_fitting_hint(craft):
    trials = [craft.trial(0, 0.95, params=params(), metrics={"train_score": 0.97}),
              craft.trial(1, 0.90, params=params(C=2.0), metrics={"train_score": 0.99})]
    assert not hints_about(diagnose(craft.experiment(trials)), "fitting")
    # Without a train_score there is nothing to say either.
    assert not hints_about(diagnose(craft.experiment([craft.trial(0, 0.1, params=params())])), "fitting")


# --- fold noise ---------------------------------------------------------------------------------------

def test_fold_noise_larger_than_the_lead_over_the_fifth_best(craft):
    trials = [craft.trial(0, folds=[0.90, 0.96, 0.93], params=params(C=0.5))]  # std 0.024
    trials += [craft.trial(i, 0.92 - 0.001 * i, params=params(C=1.0 + i)) for i in range(1, 6)]
    hints = diagnose(craft.experiment(trials))
    assert hints_about(hints, "fold noise: the best trial's fold std (0.0245) exceeds its lead over the 5th best")


@pytest.mark.parametrize("n", [2, 6])
def test_a_clear_winner_has_no_fold_noise_hint(craft, n):
    trials = [craft.trial(0, folds=[0.95, 0.96, 0.955], params=params(C=0.5))]
    trials += [craft.trial(i, 0.80 - 0.001 * i, params=params(C=1.0 + i)) for i in range(1, n)]
    assert not hints_about(diagnose(craft.experiment(trials)), "fold noise")


# --- ordering and robustness ------------------------------------------------------------------------

def test_hints_come_most_important_first(craft):
    scores = [0.5 + 0.01 * i for i in range(20)]  # a steady climb: still improving at the end
    trials = [craft.trial(i, s, params=params(C=1e3 if i == 19 else 1.0 + i)) for i, s in enumerate(scores)]
    trials += [craft.trial(20 + i) for i in range(10)]  # 10 of 30 failed
    hints = diagnose(craft.experiment(trials))
    kinds = [h.split(" ")[0] for h in hints]
    assert kinds == ["10", "C", "still"], hints


def test_nothing_to_say_about_a_healthy_or_empty_search(craft):
    assert diagnose(craft.experiment([])) == []
    assert diagnose(craft.experiment([craft.trial(0), craft.trial(1)], status="failed")) == []
    assert diagnose(craft.experiment(spread_trials(craft, 12, best_at=4))) == []


# --- silencing: hard bounds and hints=... --------------------------------------------------------------

@pytest.mark.parametrize(("hard", "hinted"), [(False, True), (True, False), ("low", False), ("high", True)])
def test_a_hard_bound_gets_no_widen_hint(craft, hard, hinted):
    space = {**craft.SPACE, "depth": {"type": "integer", "low": 1, "high": 10, "log": False,
                                      **({"hard_bounds": hard} if hard else {})}}
    trials = spread_trials(craft, 6, best_at=2, best_params=params(C=1.0, depth=1))
    hints = diagnose(craft.experiment(trials, space=space))
    assert bool(hints_about(hints, "depth best at lower bound 1")) is hinted


def test_an_experiment_can_silence_every_hint_or_some_kinds(craft):
    from tunekit.report.diagnostics import diagnose_by_kind

    trials = spread_trials(craft, 6, best_at=3, best_params=params(C=900.0, depth=5))
    trials += [craft.trial(6 + i, error="ValueError: bad") for i in range(4)]
    exp = craft.experiment(trials)
    assert {kind for kind, _ in diagnose_by_kind(exp)} >= {"failures", "bounds"}
    exp.quiet_hints = ["bounds"]
    assert "bounds" not in {kind for kind, _ in diagnose_by_kind(exp)} and hints_about(diagnose(exp), "failed")
    exp.quiet_hints = ["*"]
    assert diagnose(exp) == []
