"""Reports of a conditional search: every consumer of results copes with parameters absent from some trials.

The record is a real random search (``conditional_record`` in conftest.py): a model choice between an SVC
(``kernel``, ``C``, and ``degree`` or ``gamma`` by kernel), a k-NN (``k``) and a forest (``depth``).
"""

from __future__ import annotations

import csv
import html
import io
import math

import plotly.graph_objects as go
import pytest

from tunekit import results as results_io
from tunekit.commands import run_subcommand
from tunekit.report.html import dimension_text, render_report
from tunekit.report.importance import param_importance
from tunekit.report.leaderboard import format_leaderboard, format_params, format_top_trials
from tunekit.report.plots import (
    INACTIVE_LABEL,
    history_data,
    parallel_data,
    parallel_figure,
    slice_data,
    slice_figure,
)
from tunekit.space import Space
from tunekit.trial import TrialState

BRANCH_PARAMS = ["kernel", "degree", "C", "gamma", "k", "depth"]


def with_param(exp, name):
    return [t for t in exp.trials if name in t.params]


def test_the_record_has_every_branch_and_only_active_parameters(conditional, conditional_record):
    """What the other tests rely on: a real record where each branch parameter is absent from most trials."""
    space = Space(conditional.space())
    assert conditional_record.space == space.to_dict() and len(conditional_record.trials) == 30
    assert all(list(t.params) == space.active_names(t.params) for t in conditional_record.trials)
    for name in BRANCH_PARAMS:
        assert 0 < len(with_param(conditional_record, name)) < 30, name
    assert conditional_record.space["degree"]["when"] == {"kernel": ["poly"]}


# --- importance ----------------------------------------------------------------------------------------

def test_importance_keeps_every_complete_trial(conditional_record):
    result = param_importance(conditional_record)
    assert result is not None and result.trials == 30  # no trial has every parameter: all would be dropped
    assert sorted(result.names) == sorted(conditional_record.space)
    assert sum(result.importances) == pytest.approx(1.0) and min(result.importances) >= 0.0
    assert param_importance(conditional_record) == result  # seeded


def test_whether_a_branch_parameter_was_active_counts_for_its_parent(conditional):
    """The score depends on the model only: the branch parameters' activity must not make them look important."""
    exp = conditional.tune(lambda model, **_: {"svc": 0.8, "knn": 0.7, "forest": 0.65}[model])
    result = param_importance(exp)
    shares = dict(zip(result.names, result.importances, strict=True))
    assert shares["model"] > 0.9
    assert all(shares[name] < 0.05 for name in BRANCH_PARAMS), shares


def test_a_parameter_that_matters_in_its_branch_stands_out(conditional):
    def knn_depends_on_k(model, k, **_):
        return 0.9 - 0.02 * k if model == "knn" else {"svc": 0.75, "forest": 0.7}[model]

    result = param_importance(conditional.tune(knn_depends_on_k))
    shares = dict(zip(result.names, result.importances, strict=True))
    assert result.names[0] == "k" and shares["k"] > 0.5, shares
    assert all(shares[name] < 0.05 for name in BRANCH_PARAMS if name != "k"), shares


# --- plot data -----------------------------------------------------------------------------------------

def test_slices_hold_the_trials_of_their_parameter_and_say_how_many(conditional_record):
    slices = {s.name: s for s in slice_data(conditional_record)}
    assert list(slices) == list(conditional_record.space)
    assert slices["model"].trials == slices["model"].complete == 30 and slices["model"].condition == ""
    degree = slices["degree"]
    poly = with_param(conditional_record, "degree")
    assert degree.numbers == [t.number for t in poly] and degree.values == [t.params["degree"] for t in poly]
    assert (degree.trials, degree.complete, degree.condition) == (len(poly), 30, "kernel='poly'")
    kernel = slices["kernel"]
    assert kernel.categories == ["rbf", "poly"] and "None" not in kernel.values  # no made-up category
    best = conditional_record.best
    for s in slices.values():  # the star only where the best trial has the parameter
        assert (s.best_score is not None) == (s.name in best.params), s.name
    title = slice_figure(degree)["layout"]["xaxis"]["title"]["text"]
    assert title == f"degree (when kernel='poly': {len(poly)} of 30 trials)"
    assert slice_figure(slices["model"])["layout"]["xaxis"]["title"]["text"] == "model"
    assert slice_figure(slices["C"])["layout"]["xaxis"]["title"]["text"].startswith(
        "C (log scale) (when model='svc': ")
    for s in slices.values():
        go.Figure(slice_figure(s))


def test_parallel_coordinates_show_every_trial_with_inactive_positions(conditional_record):
    data = parallel_data(conditional_record)
    assert data is not None and data.numbers == [t.number for t in conditional_record.trials]  # all 30
    axes = {a.name: a for a in data.axes}
    assert list(axes) == ["model", "kernel", "degree", "C (log)", "gamma", "k", "depth"]
    assert axes["model"].inactive is None and axes["model"].ticktext == ["svc", "knn", "forest"]
    for axis_name, name in (("kernel", "kernel"), ("degree", "degree"), ("C (log)", "C"), ("gamma", "gamma"),
                            ("k", "k"), ("depth", "depth")):
        axis = axes[axis_name]
        has = [name in t.params for t in conditional_record.trials]
        assert axis.inactive is not None and axis.low <= axis.inactive < min(axis.tickvals[1:]), axis_name
        assert axis.ticktext[0] == INACTIVE_LABEL and axis.tickvals[0] == axis.inactive, axis_name  # at the bottom
        assert all((v == axis.inactive) != here for v, here in zip(axis.values, has, strict=True)), axis_name
        assert all(v > axis.inactive for v, here in zip(axis.values, has, strict=True) if here), axis_name
    assert axes["kernel"].ticktext == [INACTIVE_LABEL, "rbf", "poly"] and axes["kernel"].inactive == -1.0
    assert axes["C (log)"].inactive == pytest.approx(-2 - 0.15 * 4)  # below log10(0.01), 15% of the range
    assert axes["C (log)"].ticktext == [INACTIVE_LABEL, "0.01", "0.1", "1", "10", "100"]
    assert axes["gamma"].ticktext == [INACTIVE_LABEL, "0", "0.5", "1", "1.5", "2"]  # a real range gets ticks too
    assert axes["degree"].ticktext == [INACTIVE_LABEL, "2", "3", "4", "5"]
    for trial, k in zip(conditional_record.trials, axes["k"].values, strict=True):
        if "k" in trial.params:
            assert k == trial.params["k"]

    figure = parallel_figure(data)
    go.Figure(figure)
    lines = [t for t in figure["data"] if t["mode"] == "lines+markers"]
    assert sum(t["y"].count(None) for t in lines) == 30  # one line per trial, every branch drawn
    degree_at = [y for t in lines for y in t["y"][2::len(data.axes) + 2]]  # each line's point on the degree axis
    assert sorted(degree_at).count(0.0) == 30 - len(with_param(conditional_record, "degree"))
    ticks = [a["text"] for a in figure["layout"]["annotations"] if a.get("x") == 2 and a.get("yanchor") != "bottom"]
    assert ticks[0] == INACTIVE_LABEL


def test_history_hover_lists_only_the_parameters_a_trial_has(conditional_record):
    history = history_data(conditional_record)
    for trial, label in zip(conditional_record.trials, history.labels, strict=True):
        assert [part.split("=")[0] for part in label.split(", ")] == list(trial.params)


def test_a_trial_with_a_value_that_cannot_be_drawn_is_left_out_but_absence_is_not(craft):
    space = {"model": {"type": "categorical", "choices": ["a", "b"]},
             "C": {"type": "real", "low": 0.1, "high": 10.0, "log": True, "when": {"model": ["a"]}}}
    trials = [craft.trial(0, 1.0, params={"model": "a", "C": 1.0}), craft.trial(1, 2.0, params={"model": "b"}),
              craft.trial(2, 3.0, params={"model": "a", "C": -1.0})]  # a hand-edited record
    data = parallel_data(craft.experiment(trials, space=space))
    assert data.numbers == [0, 1] and data.axes[1].values == [0.0, data.axes[1].inactive]


# --- the HTML report, tables, exports ------------------------------------------------------------------

def test_dimension_text_shows_the_condition(conditional):
    space = Space(conditional.space()).to_dict()
    assert dimension_text(space["degree"]) == "Integer(2, 5) when kernel='poly'"
    assert dimension_text(space["C"]) == "Real(0.01, 100.0, log=True) when model='svc'"
    assert dimension_text(space["model"]) == "Categorical(['svc', 'knn', 'forest'])"
    assert dimension_text({"type": "integer", "low": 1, "high": 4, "log": False,
                           "when": {"model": ["svc", "knn"]}}) == "Integer(1, 4) when model=['svc', 'knn']"


def test_html_report_lists_the_space_with_conditions_and_only_present_params(craft, conditional_record):
    page = render_report(craft.doc(conditional_record))
    text = html.unescape(page)
    assert "Search space: 7 parameters, 6 conditional" in text
    assert "<code>Integer(2, 5) when kernel='poly'</code>" in text
    degree_trials = len(with_param(conditional_record, "degree"))
    degree_row = ("<td><b>degree</b></td><td><code>Integer(2, 5) when kernel='poly'</code></td>"
                  f"<td>{degree_trials} of 30 trials</td>")
    model_row = "<td><b>model</b></td><td><code>Categorical(['svc', 'knn', 'forest'])</code></td><td>every trial</td>"
    assert degree_row in text and model_row in text
    top = conditional_record.ranked()[:10]
    for trial in top:  # the top trials table: each trial's own parameters, nothing for the others
        assert f"<td>{format_params(trial.params)}</td>" in text
    assert "=None" not in text
    assert 'data-plot="parallel"' in page and 'data-plot="importance"' in page


def test_terminal_tables_print_the_parameters_a_trial_has(conditional_record):
    table = format_top_trials(conditional_record, 30, width=200)
    for trial in conditional_record.ranked():
        assert format_params(trial.params) in table
    assert "None" not in table
    board = format_leaderboard([conditional_record], width=200)
    assert format_params(conditional_record.best.params) in board


def test_compare_judges_a_conditional_record(craft, conditional_record, tmp_path, capsys):
    doc = craft.doc(conditional_record)
    results_io.dump(doc, tmp_path / "r.json")
    assert run_subcommand("compare", [str(tmp_path / "r.json"), str(tmp_path / "r.json")]) == 0
    assert "unchanged" in capsys.readouterr().out


def test_csv_export_leaves_inactive_parameters_empty(craft, conditional_record, tmp_path, capsys):
    results_io.dump(craft.doc(conditional_record), tmp_path / "r.json")
    assert run_subcommand("export", [str(tmp_path / "r.json"), "--csv", "-"]) == 0
    text = capsys.readouterr().out
    header = next(csv.reader(io.StringIO(text, newline="")))
    assert [h for h in header if h.startswith("params.")] == [f"params.{n}" for n in conditional_record.space]
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == 30
    for row, trial in zip(rows, sorted(conditional_record.trials, key=lambda t: t.number), strict=True):
        for name in conditional_record.space:
            cell = row[f"params.{name}"]
            if name in trial.params:
                assert cell != "" and (cell == trial.params[name] or math.isclose(float(cell), trial.params[name]))
            else:
                assert cell == "", (trial.number, name, cell)
    assert "None" not in text


def test_failed_and_pruned_trials_of_a_branch_do_not_break_the_report(craft, conditional_record):
    """Trials that did not complete keep their own parameters too; the plots skip them, tables show them."""
    failed = craft.trial(30, state=TrialState.FAIL, params={"model": "knn", "k": 3}, error="ValueError: k")
    exp = craft.experiment([*conditional_record.trials, failed], space=conditional_record.space)
    assert param_importance(exp).trials == 30 and len(parallel_data(exp).numbers) == 30
    text = html.unescape(render_report(craft.doc(exp)))
    assert "<td>#30</td><td>model=knn, k=3</td>" in text
