"""Hints about experiments with several objectives: limits few trials meet, the front still growing, and the
selected trial (not the best first objective) for the bound and fit hints."""

from __future__ import annotations

import pytest

from tunekit.report.diagnostics import check_convergence, check_edges, check_limits, diagnose_by_kind
from tunekit.results import ExperimentResult
from tunekit.trial import TrialResult, TrialState

OBJECTIVES = {"accuracy": "maximize", "seconds": "minimize"}
SPACE = {"n": {"type": "integer", "low": 1, "high": 100, "log": False}}


def experiment(rows: list[tuple[int, float, float]], *, limits: dict[str, float] | None = None,
               strategy: str = "random") -> ExperimentResult:
    trials = [TrialResult(number=i, params={"n": n}, state=TrialState.COMPLETE, score=acc,
                          values={"accuracy": acc, "seconds": secs}) for i, (n, acc, secs) in enumerate(rows)]
    return ExperimentResult(id="exp.py::tune", strategy=strategy, direction="maximize", seed=0,
                            budget={"trials": len(trials)}, space=SPACE, trials=trials, objectives=dict(OBJECTIVES),
                            limits=limits or {})


def test_limits_that_few_trials_meet_are_named() -> None:
    rows = [(n, 0.5 + n / 200, n / 10) for n in range(10, 100, 9)]  # seconds 1.0 .. 9.1
    assert check_limits(experiment(rows, limits={"seconds": 20.0})) == []
    (hint,) = check_limits(experiment(rows, limits={"seconds": 1.5}))
    assert hint == ("limits: only 1 of 10 complete trials meets the limits (9 miss seconds <= 1.5): loosen the "
                    "limit or move the space towards it")
    more = [(n, 0.5 + n / 400, n / 10) for n in range(10, 200, 9)]  # 22 trials, seconds 1.0 .. 19.0
    (two,) = check_limits(experiment(more, limits={"seconds": 2.0}))
    assert two.startswith("limits: only 2 of 22 complete trials meet the limits (20 miss seconds <= 2)")
    (none,) = check_limits(experiment(rows, limits={"seconds": 0.5, "accuracy": 0.6}))
    assert none.startswith("limits: none of the 10 complete trials meets the limits (10 miss seconds <= 0.5)")
    assert check_limits(experiment(rows)) == []  # no limits, nothing to meet


def test_the_bound_hint_looks_at_the_selected_trial() -> None:
    # the most accurate trial (n = 100, at the upper bound) misses the limit; the selected one (n = 50) does not
    rows = [(1, 0.5, 0.1), (20, 0.6, 1.0), (50, 0.8, 2.0), (100, 0.95, 9.0)]
    assert check_edges(experiment(rows, limits={"seconds": 5.0})) == []
    assert check_edges(experiment(rows))[0].startswith("n best at upper bound 100")


@pytest.mark.parametrize(("late_gain", "hinted"), [(True, True), (False, False)])
def test_a_front_still_growing_at_the_end_is_not_converged(late_gain: bool, hinted: bool) -> None:
    rows = [(i + 1, 0.5 + 0.001 * i, 5.0 - 0.001 * i) for i in range(16)]
    if late_gain:  # the last trials push the front far out, in two steps
        rows += [(17, 0.9, 3.0), (18, 0.95, 2.0), (19, 0.5, 5.0), (20, 0.5, 5.0)]
    else:
        rows += [(17 + i, 0.5, 5.0) for i in range(4)]
    hints = check_convergence(experiment(rows))
    assert bool(hints) is hinted
    if hinted:
        assert hints[0].startswith("still improving: the last quarter of the trials brought")
        assert "of the Pareto front's hypervolume: run more trials" in hints[0]
    assert check_convergence(experiment(rows, strategy="grid")) == []


def test_the_limits_hint_comes_right_after_failures_and_can_be_silenced() -> None:
    rows = [(n, 0.5 + n / 200, n / 10) for n in range(10, 100, 9)]
    exp = experiment(rows, limits={"seconds": 1.5})
    assert [kind for kind, _ in diagnose_by_kind(exp)][:1] == ["limits"]
    exp.quiet_hints = ["limits"]
    assert "limits" not in [kind for kind, _ in diagnose_by_kind(exp)]
