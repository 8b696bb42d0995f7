"""Readable plots: log ticks in one notation, importance labels that fit, start points and pruned trials marked,
and the contour and EDF plots (their data, then the figure specs, validated by plotly itself)."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tunekit.report.html import render_report
from tunekit.report.importance import ParamImportance
from tunekit.report.plots import (
    IMPORTANCE_TITLE,
    LABEL_LINE,
    PRUNED_NAME,
    START_NAME,
    ContourData,
    ContourSkipped,
    contour_data,
    contour_figure,
    edf_data,
    edf_figure,
    history_data,
    history_figure,
    importance_figure,
    log_ticks,
    parallel_data,
    parallel_figure,
    slice_data,
    slice_figure,
    tick_labels,
    wrap_label,
)
from tunekit.trial import TrialState


def notation(labels: list[str]) -> set[str]:
    return {"exponent" if "e" in label else "plain" for label in labels if label != "0"}


# --- log axes ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("low, high, labels", [
    (1e-6, 1e-3, ["1e-6", "1e-5", "1e-4", "1e-3"]),  # what plotly wrote as 1µ, 10µ, 100µ, 0.001
    (1e-3, 1e3, ["0.001", "0.01", "0.1", "1", "10", "100", "1000"]),
    (1e-3, 1e5, ["1e-3", "1e-1", "1e1", "1e3", "1e5"]),  # 9 powers: every other one, all in exponent form
    (5e-5, 5e-4, ["5e-5", "1e-4", "2e-4", "5e-4"]),  # under a decade: 1-2-5 steps
    (1.0, 10.0, ["1", "2", "5", "10"]),
    (0.3, 0.45, ["0.3", "0.4"]),
])
def test_log_ticks_are_written_in_one_notation(low, high, labels):
    ticks = log_ticks(low, high)
    assert ticks.labels == labels
    assert [float(label) for label in ticks.labels] == pytest.approx(ticks.values)


@given(st.floats(-12, 12), st.floats(0.05, 14))
def test_log_ticks_any_range(log_low, decades):
    low, high = 10.0 ** log_low, 10.0 ** (log_low + decades)
    ticks = log_ticks(low, high)
    assert 2 <= len(ticks.values) <= 9 and ticks.values == sorted(ticks.values)
    assert all(low * (1 - 1e-6) <= v <= high * (1 + 1e-6) for v in ticks.values)
    assert len(notation(ticks.labels)) == 1  # never 1e-5 beside 0.001
    assert all(math.isclose(float(label), v, rel_tol=5e-3) for label, v in zip(ticks.labels, ticks.values,
                                                                              strict=True))


def test_tick_labels_switch_notation_for_the_whole_axis():
    assert tick_labels([0.001, 0.01, 10000.0]) == ["0.001", "0.01", "10000"]
    assert tick_labels([0.0001, 0.01, 1.0]) == ["1e-4", "1e-2", "1e0"]
    assert tick_labels([1.0, 100000.0]) == ["1e0", "1e5"]


def log_experiment(craft, n=12, **extra):
    space = {"lr": {"type": "real", "low": 1e-6, "high": 1e-3, "log": True},
             "depth": {"type": "integer", "low": 1, "high": 10, "log": False}}
    trials = [craft.trial(i, 1.0 - (math.log10(10.0 ** (-6 + 3 * i / (n - 1))) + 4.5) ** 2 / 10 - 0.01 * (i % 4),
                          params={"lr": 10.0 ** (-6 + 3 * i / (n - 1)), "depth": 1 + (i * 7) % 10})
              for i in range(n)]
    return craft.experiment(trials, space=space, **extra)


def test_log_axes_get_explicit_ticks_in_slices_parallel_and_contour(craft):
    exp = log_experiment(craft)
    lr = next(s for s in slice_data(exp) if s.name == "lr")
    assert lr.ticks is not None and lr.ticks.labels == ["1e-6", "1e-5", "1e-4", "1e-3"]
    xaxis = slice_figure(lr)["layout"]["xaxis"]
    assert xaxis["type"] == "log" and xaxis["tickmode"] == "array"
    assert xaxis["tickvals"] == lr.ticks.values and xaxis["ticktext"] == lr.ticks.labels
    axis = next(a for a in parallel_data(exp).axes if a.name == "lr (log)")
    assert axis.ticktext == ["1e-6", "1e-5", "1e-4", "1e-3"] and axis.tickvals == pytest.approx([-6, -5, -4, -3])
    contour = contour_data(exp, ["lr", "depth"])
    assert isinstance(contour, ContourData)
    xaxis = contour_figure(contour)["layout"]["xaxis"]
    assert xaxis["type"] == "log" and xaxis["ticktext"] == ["1e-6", "1e-5", "1e-4", "1e-3"]
    depth = next(s for s in slice_data(exp) if s.name == "depth")
    assert depth.ticks is None and "tickvals" not in slice_figure(depth)["layout"]["xaxis"]


# --- importance labels ---------------------------------------------------------------------------------

LONG_NAMES = ["classifier__estimator__learning_rate_init", "preprocessing.scaler.with_mean", "C",
              "averyveryverylongparameternamewithoutanybreaks"]


def test_wrap_label_breaks_at_separators_and_keeps_every_character():
    assert wrap_label("C") == ["C"]
    lines = wrap_label("classifier__estimator__learning_rate_init")
    assert lines == ["classifier__", "estimator__learning_", "rate_init"]
    for name in LONG_NAMES:
        lines = wrap_label(name)
        assert "".join(lines) == name and all(len(line) <= LABEL_LINE for line in lines)


def test_importance_margin_fits_the_longest_label(craft):
    data = ParamImportance(names=LONG_NAMES, importances=[0.5, 0.3, 0.15, 0.05], trials=20)
    figure = importance_figure(data)
    go.Figure(figure)
    labels = figure["data"][0]["y"]
    assert [label.replace("<br>", "") for label in labels] == list(reversed(LONG_NAMES))  # nothing cut off
    longest = max(len(line) for label in labels for line in label.split("<br>"))
    assert longest <= LABEL_LINE
    # 12 px system-ui: no character is wider than about 7 px; the margin holds the longest line and a gap.
    assert figure["layout"]["margin"]["l"] >= 7 * longest + 10
    assert figure["layout"]["yaxis"]["automargin"] is False  # the margin is ours, not resized on redraw
    assert figure["layout"]["xaxis"]["title"]["text"] == IMPORTANCE_TITLE and len(IMPORTANCE_TITLE) <= 32
    lines = max(label.count("<br>") + 1 for label in labels)
    assert figure["layout"]["height"] >= 80 + (12 + 14 * lines) * len(LONG_NAMES)  # room for wrapped labels
    short = importance_figure(ParamImportance(names=["C", "k"], importances=[0.6, 0.4], trials=9))
    assert short["layout"]["margin"]["l"] < 40  # short names keep a narrow margin


# --- start points and pruned trials --------------------------------------------------------------------

def marked_experiment(craft, direction="maximize"):
    from dataclasses import replace

    trials = [craft.trial(i, 0.5 + 0.02 * i, params={"C": 10.0 ** (i % 5 - 2), "depth": 1 + i % 9,
                                                      "kernel": ["rbf", "linear"][i % 2]}) for i in range(8)]
    trials[0] = replace(trials[0], warm_start=True)
    trials[1] = replace(trials[1], warm_start=True)
    pruned = replace(craft.trial(8, state=TrialState.PRUNED, params={"C": 0.1, "depth": 3, "kernel": "rbf"}),
                     score=0.99)  # pruned trials carry their last reported value (better than any: ignored)
    quiet = craft.trial(9, state=TrialState.PRUNED, params={"C": 1.0, "depth": 2, "kernel": "linear"},
                        intermediate=[(0, 0.2), (1, 0.3)])
    silent = craft.trial(10, state=TrialState.PRUNED, params={"C": 1.0, "depth": 2, "kernel": "linear"})
    return craft.experiment([*trials, pruned, quiet, silent], direction=direction)


def test_history_marks_start_points_and_pruned_trials(craft):
    data = history_data(marked_experiment(craft))
    assert data.warm_start == [True, True] + [False] * 6 and data.starts == 2
    assert data.pruned == 3 and data.pruned_numbers == [8, 9] and data.pruned_values == [0.99, 0.3]
    assert data.best_so_far[-1] == pytest.approx(0.64) and data.best_number == 7  # pruned values never count
    figure = history_figure(data)
    go.Figure(figure)
    traces = {t["name"]: t for t in figure["data"]}
    assert traces["trial score"]["x"] == [2, 3, 4, 5, 6, 7]
    assert traces[START_NAME]["x"] == [0, 1] and traces[START_NAME]["marker"]["symbol"] == "diamond"
    assert traces[PRUNED_NAME]["x"] == [8, 9] and traces[PRUNED_NAME]["y"] == [0.99, 0.3]
    assert traces[PRUNED_NAME]["marker"]["symbol"].startswith("x")
    assert "(pruned)" in traces[PRUNED_NAME]["text"][0] and "(start point)" in traces[START_NAME]["text"][0]
    assert traces[START_NAME]["marker"]["color"] != traces["trial score"]["marker"]["color"]
    plain = history_figure(history_data(craft.experiment([craft.trial(0, 1.0), craft.trial(1, 2.0)])))
    assert [t["name"] for t in plain["data"]] == ["trial score", "best so far", "best (#1)"]  # no empty legend


def test_slices_mark_start_points_and_pruned_trials_with_a_legend(craft):
    slices = {s.name: s for s in slice_data(marked_experiment(craft))}
    depth = slices["depth"]
    assert depth.warm_start[:2] == [True, True] and depth.pruned_numbers == [8, 9]
    assert depth.pruned_values == [3, 2] and depth.pruned_scores == [0.99, 0.3]
    assert slices["kernel"].pruned_values == ["rbf", "linear"]
    figure = slice_figure(depth)
    go.Figure(figure)
    traces = {t["name"]: t for t in figure["data"]}
    assert traces[START_NAME]["x"] == [1, 2] and traces[PRUNED_NAME]["x"] == [3, 2]
    assert traces["trials"]["x"] == [3, 4, 5, 6, 7, 8]  # start points drawn once, as diamonds
    assert figure["layout"]["showlegend"] is True and figure["layout"]["margin"]["t"] >= 25
    assert traces[START_NAME].get("showlegend", True) and traces[PRUNED_NAME].get("showlegend", True)
    plain = slice_figure(slice_data(craft.experiment([craft.trial(0, 1.0), craft.trial(1, 2.0)]))[0])
    assert plain["layout"]["showlegend"] is False


# --- contour ---------------------------------------------------------------------------------------------

def grid_experiment(craft, direction="maximize"):
    """C and depth matter, kernel does not; the trials sit on grid points of both numeric axes."""
    trials = []
    for i in range(20):
        C, depth = 10.0 ** (i % 5 - 2), 1 + (i * 3) % 10
        trials.append(craft.trial(i, math.log10(C) + 0.1 * depth,
                                  params={"C": C, "depth": depth, "kernel": ["rbf", "linear"][i % 2]}))
    return craft.experiment(trials, direction=direction)


def test_contour_of_two_numeric_parameters_goes_through_the_trials(craft):
    exp = grid_experiment(craft)
    data = contour_data(exp)  # ranked by param_importance: C first, then depth
    assert isinstance(data, ContourData) and (data.x.name, data.y.name) == ("C", "depth")
    assert data.trials == data.complete == 20 and data.best_number == exp.best.number
    assert data.x.log and data.x.grid[0] == pytest.approx(1e-3) and data.x.grid[-1] == pytest.approx(1e3)
    assert data.y.grid == [float(d) for d in range(1, 11)]  # an integer axis: its whole numbers
    assert len(data.z) == len(data.y.grid) and all(len(row) == len(data.x.grid) for row in data.z)
    values = [v for row in data.z for v in row]
    assert None not in values and min(values) >= min(data.scores) - 1e-9 and max(values) <= max(data.scores) + 1e-9
    # A grid point on a trial takes its score: C=1e-3..1e3 has 40 points, 10^-2 is not one; depth is.
    for trial in exp.trials:
        j = data.y.grid.index(float(trial.params["depth"]))
        i = min(range(len(data.x.grid)), key=lambda k: abs(math.log10(data.x.grid[k]) - math.log10(trial.params["C"])))
        if math.isclose(data.x.grid[i], trial.params["C"], rel_tol=1e-9):
            assert data.z[j][i] == pytest.approx(trial.score)
    figure = contour_figure(data)
    go.Figure(figure)
    assert figure["data"][0]["type"] == "contour" and figure["data"][0]["reversescale"] is False
    assert figure["data"][1]["x"] == data.x.values and figure["data"][2]["marker"]["symbol"] == "star"
    assert contour_figure(contour_data(grid_experiment(craft, "minimize")))["data"][0]["reversescale"] is True


def test_contour_with_a_categorical_axis_is_a_heatmap_of_its_categories(craft):
    exp = grid_experiment(craft)
    data = contour_data(exp, ["kernel", "depth", "C"])
    assert (data.x.name, data.y.name) == ("kernel", "depth") and data.x.grid == ["rbf", "linear"]
    # depth = 1 + 3i mod 10 with kernel = i mod 2: each cell is interpolated within its own kernel only
    for j, depth in enumerate(data.y.grid):
        for i, kernel in enumerate(data.x.grid):
            same = [t.score for t in exp.trials if t.params["kernel"] == kernel and t.params["depth"] == depth]
            if same:
                assert data.z[j][i] == pytest.approx(sum(same) / len(same))
    figure = contour_figure(data)
    go.Figure(figure)
    assert figure["data"][0]["type"] == "heatmap" and figure["layout"]["xaxis"]["type"] == "category"
    space = dict(craft.SPACE, kernel={"type": "categorical", "choices": ["rbf", "linear", "poly"]})
    both = craft.experiment(exp.trials, space=space)
    categories = contour_data(both, ["kernel", "depth"])
    assert categories.x.grid == ["rbf", "linear", "poly"] and all(row[2] is None for row in categories.z)
    go.Figure(contour_figure(categories))


def test_contour_of_a_conditional_pair_uses_the_trials_with_both(conditional_record):
    data = contour_data(conditional_record, ["C", "gamma", "model"])
    both = [t for t in conditional_record.trials if "C" in t.params and "gamma" in t.params]
    if len(both) >= 5:
        assert (data.x.name, data.y.name) == ("C", "gamma") and data.numbers == [t.number for t in both]
        assert data.trials < data.complete == 30 and data.x.condition == "model='svc'"
        annotation = contour_figure(data)["layout"]["annotations"][0]["text"]
        assert annotation == f"{len(both)} of 30 complete trials have both parameters"
    assert len(both) >= 5  # what the record holds (seeded): 7 SVC trials with the rbf kernel
    again = contour_data(conditional_record, ["k", "depth", "C", "gamma", "model"])  # never together: next pairs
    assert isinstance(again, ContourData) and (again.x.name, again.y.name) == ("C", "gamma")
    go.Figure(contour_figure(again))
    # k and depth never meet, and model has one value where k is (knn) or depth is (forest): nothing to draw
    assert isinstance(contour_data(conditional_record, ["k", "depth", "model"]), ContourSkipped)


def test_contour_says_why_it_is_missing(craft):
    one = craft.experiment([craft.trial(i, float(i), params={"C": 1.0 + i}) for i in range(9)],
                           space={"C": craft.SPACE["C"]})
    assert contour_data(one) == ContourSkipped("Needs two parameters: this search has one.")
    few = contour_data(craft.experiment([craft.trial(i, float(i)) for i in range(3)]))
    assert isinstance(few, ContourSkipped) and "8 complete trials" in few.reason
    flat = [craft.trial(i, float(i), params={"C": 1.0, "depth": 2, "kernel": "rbf"}) for i in range(9)]
    same = contour_data(craft.experiment(flat), ["C", "depth", "kernel"])  # one value each: nothing to draw
    assert isinstance(same, ContourSkipped) and "two values each" in same.reason


# --- EDF -------------------------------------------------------------------------------------------------

def test_edf_counts_the_trials_at_least_as_good_in_the_experiments_direction(craft):
    trials = [craft.trial(0, 1.0), craft.trial(1, 2.0), craft.trial(2, 2.0), craft.trial(3, 3.0), craft.trial(4),
              craft.trial(5, state=TrialState.PRUNED)]
    up = edf_data(craft.experiment(trials))
    assert up.scores == [1.0, 2.0, 3.0] and up.shares == [1.0, 0.75, 0.25] and up.trials == 4
    down = edf_data(craft.experiment(trials, direction="minimize"))
    assert down.scores == [1.0, 2.0, 3.0] and down.shares == [0.25, 0.75, 1.0]
    assert edf_data(craft.experiment([craft.trial(0)])) is None
    for data, shape in ((up, "vh"), (down, "hv")):
        figure = edf_figure(data)
        go.Figure(figure)
        assert figure["data"][0]["line"]["shape"] == shape and figure["data"][0]["y"] == data.shares
    assert "higher is better" in edf_figure(up)["layout"]["xaxis"]["title"]["text"]


# --- in the report -------------------------------------------------------------------------------------

def test_report_draws_contour_and_edf_or_says_why_not(craft):
    text = render_report(craft.doc(grid_experiment(craft)))
    assert 'data-plot="contour"' in text and 'data-plot="edf"' in text
    assert "Contour: C and depth" in text and "Empirical distribution of the scores" in text
    few = render_report(craft.doc(craft.experiment([craft.trial(i, float(i)) for i in range(3)])))
    assert 'data-plot="contour"' not in few and 'data-plot="edf"' in few
    assert "Drawn from 8 complete trials on: it needs the importance ranking." in few
    marked = render_report(craft.doc(marked_experiment(craft)))
    assert "Diamonds are start points (warm start), crosses pruned trials" in marked


def test_parallel_axis_names_wrap_to_the_room_of_each_axis(craft):
    space = {name: {"type": "integer", "low": 1, "high": 10, "log": False} for name in LONG_NAMES}
    trials = [craft.trial(i, float(i), params=dict.fromkeys(LONG_NAMES, 1 + i)) for i in range(3)]
    figure = parallel_figure(parallel_data(craft.experiment(trials, space=space)))
    go.Figure(figure)
    names = [a["text"] for a in figure["layout"]["annotations"] if a.get("yanchor") == "bottom"]
    lines = [[line.removeprefix("<b>").removesuffix("</b>") for line in name.split("<br>")] for name in names]
    assert ["".join(parts) for parts in lines] == [*LONG_NAMES, "score"]
    width = max(len(line) for parts in lines for line in parts)
    assert width * 7.2 * len(names) <= 1000  # five axes over about 1,000 px: no name runs into the next one
    assert figure["layout"]["margin"]["t"] >= 40 + 15 * (max(map(len, lines)) - 1)
