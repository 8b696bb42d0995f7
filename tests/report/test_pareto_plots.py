"""The Pareto-front and hypervolume plots of experiments with several objectives: their data, figures and report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tunekit import pareto
from tunekit.report.html import render_report
from tunekit.report.plots import (
    BASELINE_FRONT_NAME,
    DOMINATED_NAME,
    FRONT_NAME,
    INFEASIBLE_NAME,
    hypervolume_data,
    hypervolume_figure,
    pareto_data,
    pareto_figure,
)
from tunekit.results import ExperimentResult, ResultsDocument
from tunekit.trial import TrialResult, TrialState

OBJECTIVES = {"accuracy": "maximize", "seconds": "minimize"}


def experiment(values: list[tuple[float, ...]], *, objectives: dict[str, str] | None = None,
               limits: dict[str, float] | None = None, failed: tuple[int, ...] = ()) -> ExperimentResult:
    objectives = objectives or OBJECTIVES
    trials = []
    for i, row in enumerate(values):
        if i in failed:
            trials.append(TrialResult(number=i, params={"n": i}, state=TrialState.FAIL, error="boom"))
        else:
            trials.append(TrialResult(number=i, params={"n": i}, state=TrialState.COMPLETE, score=row[0],
                                      values=dict(zip(objectives, row, strict=True))))
    return ExperimentResult(id="exp.py::tune", strategy="random", direction=next(iter(objectives.values())), seed=0,
                            budget={"trials": len(trials)}, space={"n": {"type": "integer", "low": 0, "high": 99}},
                            trials=trials, objectives=objectives, limits=limits or {})


def test_the_trials_are_split_into_front_dominated_and_infeasible() -> None:
    exp = experiment([(0.8, 1.0), (0.7, 2.0), (0.9, 3.0), (0.95, 9.0), (0.85, 0.5)], limits={"seconds": 5.0})
    (data,) = pareto_data(exp)
    assert (data.x_name, data.y_name, data.limits) == ("accuracy", "seconds", (None, 5.0))
    assert data.front.numbers == [4, 2]  # by accuracy: (0.85, 0.5) then (0.9, 3)
    assert data.dominated.numbers == [0, 1] and data.infeasible.numbers == [3]
    assert data.selected == 2 and data.baseline_front is None
    figure = pareto_figure(data)
    names = [trace["name"] for trace in figure["data"]]
    assert names == [INFEASIBLE_NAME, DOMINATED_NAME, FRONT_NAME, "selected (#2)"]
    assert figure["layout"]["xaxis"]["title"]["text"] == "accuracy (max)"
    assert figure["layout"]["yaxis"]["title"]["text"] == "seconds (min, &lt;= 5)"
    json.dumps(figure)


def test_three_objectives_give_one_plot_per_pair_and_one_objective_none() -> None:
    three = {"accuracy": "maximize", "seconds": "minimize", "size": "minimize"}
    exp = experiment([(0.8, 1.0, 5.0), (0.9, 2.0, 1.0), (0.7, 3.0, 9.0)], objectives=three)
    plots = pareto_data(exp)
    assert [(d.x_name, d.y_name) for d in plots] == [("accuracy", "seconds"), ("accuracy", "size"),
                                                     ("seconds", "size")]
    assert all(d.front.numbers and d.dominated.numbers == [2] for d in plots)
    single = ExperimentResult(id="e", strategy="random", direction="maximize", seed=0, budget={}, space={},
                              trials=[TrialResult(number=0, params={}, state=TrialState.COMPLETE, score=1.0)])
    assert pareto_data(single) == [] and hypervolume_data(single) is None


def test_the_baseline_front_is_overlaid_and_its_reference_measures_the_curve() -> None:
    baseline = experiment([(0.8, 1.0), (0.9, 3.0)])
    exp = experiment([(0.7, 0.5), (0.85, 2.0), (0.95, 6.0)])
    (data,) = pareto_data(exp, baseline)
    assert data.baseline_front is not None and data.baseline_front.numbers == [0, 1]
    assert BASELINE_FRONT_NAME in [trace["name"] for trace in pareto_figure(data)["data"]]
    curve = hypervolume_data(exp, baseline)
    assert curve is not None and curve.reference == baseline.reference and curve.baseline == pytest.approx(
        baseline.hypervolume)
    assert [t["name"] for t in hypervolume_figure(curve)["data"]] == ["hypervolume", f"baseline ({curve.baseline:.4g})"]
    other = experiment([(0.7, 0.5)], objectives={"accuracy": "maximize", "minutes": "minimize"})
    assert pareto_data(other, baseline)[0].baseline_front is None  # other objectives: nothing to overlay


values = st.tuples(st.integers(0, 20).map(float), st.integers(0, 20).map(float))


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(values, min_size=1, max_size=25), failed=st.sets(st.integers(0, 24), max_size=4),
       limit=st.sampled_from([None, 12.0]))
def test_the_hypervolume_curve_never_falls_and_ends_at_the_fronts(rows: list[tuple[float, float]], failed: set[int],
                                                                  limit: float | None) -> None:
    exp = experiment(rows, limits=None if limit is None else {"seconds": limit}, failed=tuple(failed))
    curve = hypervolume_data(exp)
    if exp.reference is None:
        assert curve is None
        return
    assert curve is not None and curve.numbers == list(range(len(rows)))
    assert all(b >= a for a, b in zip(curve.values, curve.values[1:], strict=False))
    assert curve.values[-1] == pytest.approx(exp.hypervolume)
    # and every prefix's value is the hypervolume of that prefix's front, computed from scratch
    for k in range(len(rows)):
        prefix = experiment(rows[:k + 1], limits=exp.limits, failed=tuple(i for i in failed if i <= k))
        front = [pareto.as_losses(t.values or {}, OBJECTIVES) for t in prefix.pareto_front]
        assert curve.values[k] == pytest.approx(pareto.hypervolume(front, pareto.as_losses(curve.reference,
                                                                                           OBJECTIVES)))


def _figures(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="tunekit-figures">(.*?)</script>', page, re.S)
    assert match is not None
    return json.loads(match.group(1))


def test_the_report_draws_the_front_and_the_hypervolume_and_overlays_the_baseline() -> None:
    exp = experiment([(0.8, 1.0), (0.7, 2.0), (0.9, 3.0), (0.95, 9.0)], limits={"seconds": 5.0})
    page = render_report(ResultsDocument(experiments=[exp]))
    figures = _figures(page)
    assert {"fig-0-pareto-0", "fig-0-hypervolume"} <= set(figures)
    assert "Pareto front: accuracy and seconds" in page and "Hypervolume over the trials" in page
    compared = render_report(ResultsDocument(experiments=[exp]),
                             baseline=ResultsDocument(experiments=[experiment([(0.85, 2.0), (0.9, 4.0)])]))
    names = [trace["name"] for trace in _figures(compared)["fig-0-pareto-0"]["data"]]
    assert BASELINE_FRONT_NAME in names


def test_the_report_names_the_selected_trial_when_the_best_score_misses_a_limit() -> None:
    exp = experiment([(0.8, 1.0), (0.7, 2.0), (0.95, 9.0)], limits={"seconds": 5.0})
    page = render_report(ResultsDocument(experiments=[exp]))
    assert "(trial #2)" in page  # the best accuracy, 9 seconds
    assert "selected #0: accuracy=0.8, seconds=1; Pareto front: 1 trial" in page
    nothing = render_report(ResultsDocument(experiments=[experiment([(0.95, 9.0)], limits={"seconds": 5.0})]))
    assert "no feasible trial" in nothing


EXPERIMENT = """
from tunekit import Categorical, tunable

@tunable(space={"n": Categorical(list(range(1, 13)))}, strategy="grid",
         objectives={"accuracy": "maximize", "seconds": "minimize"},
         limits={"seconds": 9})
def tune_trade_off(n):
    return {"accuracy": 1 - 1 / n - (0.1 if n %% 3 == 0 else 0), "seconds": float(n)}
"""


def test_the_tunekit_command_writes_the_plots_into_the_html_report(run_tunekit, pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml("[tool.tunekit]\n")
    pytester.mkdir("experiments")
    (pytester.path / "experiments" / "exp_trade_off.py").write_text(EXPERIMENT % {})
    saved = run_tunekit("--save-baseline", "baseline.json")
    assert saved.ret == pytest.ExitCode.OK, saved.stdout.str()
    result = run_tunekit("--baseline", "baseline.json", "--html", "report.html")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    figures = _figures(Path(pytester.path / "report.html").read_text())
    pareto_names = [trace["name"] for trace in figures["fig-0-pareto-0"]["data"]]
    assert pareto_names[:3] == [INFEASIBLE_NAME, DOMINATED_NAME, BASELINE_FRONT_NAME]
    front = next(trace for trace in figures["fig-0-pareto-0"]["data"] if trace["name"] == FRONT_NAME)
    assert front["y"] == [1.0, 2.0, 3.0, 4.0, 5.0, 7.0, 8.0]  # n = 6 and 9 are dominated; 10-12 miss the limit
    curve = figures["fig-0-hypervolume"]["data"]
    assert len(curve[0]["x"]) == 12 and curve[1]["name"].startswith("baseline")


@pytest.mark.parametrize(("directions", "shape"), [(("minimize", "minimize"), "hv"), (("minimize", "maximize"), "hv"),
                                                   (("maximize", "minimize"), "vh"), (("maximize", "maximize"), "vh")])
def test_the_fronts_staircase_bounds_what_it_dominates(directions: tuple[str, str], shape: str) -> None:
    # between two front points the boundary is at the level of the one whose box reaches over the gap: the left
    # point's when x is minimised (its box extends to the right), the right point's when x is maximised
    objectives = dict(zip(("a", "b"), directions, strict=True))
    sign = [1 if d == "minimize" else -1 for d in directions]
    exp = experiment([(sign[0] * 1.0, sign[1] * 2.0), (sign[0] * 2.0, sign[1] * 1.0)], objectives=objectives)
    (data,) = pareto_data(exp)
    front = next(t for t in pareto_figure(data)["data"] if t["name"] == FRONT_NAME)
    assert front["line"]["shape"] == shape


def test_the_reports_baseline_table_has_the_objectives_and_hypervolume_rows() -> None:
    baseline = experiment([(0.8, 1.0), (0.9, 3.0)], limits={"seconds": 5.0})
    current = experiment([(0.85, 3.0), (0.88, 4.0)], limits={"seconds": 5.0})
    current.objective_tolerances = {"seconds": "50%", "hypervolume": "10%"}
    page = render_report(ResultsDocument(experiments=[current]), baseline=ResultsDocument(experiments=[baseline]))
    table = page.split('<section id="baseline">', 1)[1].split("</section>", 1)[0]
    assert "exp.py::tune [seconds]" in table and "exp.py::tune [hypervolume]" in table
    assert table.count('class="verdict regressed"') == 2  # the score (0.9 -> 0.88) and the hypervolume


HUGE = """
from tunekit import Categorical, tunable

@tunable(space={"n": Categorical([1, 2, 3, 4])}, strategy="grid",
         objectives={"reach": "maximize", "cost": "minimize"})
def tune_huge(n):
    # finite values whose front's area overflows a float
    return {"reach": n * 1e200, "cost": -n * 1e200 if n != 4 else 0.0}
"""


def test_a_hypervolume_that_overflows_draws_no_curve_and_the_report_is_written(
        run_tunekit, pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml("[tool.tunekit]\n")
    pytester.mkdir("experiments")
    (pytester.path / "experiments" / "exp_huge.py").write_text(HUGE)
    assert run_tunekit().ret == pytest.ExitCode.OK
    result = run_tunekit("report", ".tunekit/results.json", "-o", "report.html")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    figures = _figures(Path(pytester.path / "report.html").read_text())
    assert "fig-0-pareto-0" in figures and "fig-0-hypervolume" not in figures
