"""The pure data behind each plot, and the figure specs drawn from it (validated by plotly itself)."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import pytest

from tunekit.report.importance import param_importance
from tunekit.report.plots import (
    history_data,
    history_figure,
    importance_figure,
    intermediate_data,
    intermediate_figure,
    parallel_data,
    parallel_figure,
    parse_intermediate,
    slice_data,
    slice_figure,
)
from tunekit.trial import TrialState


def test_history_keeps_the_running_best_in_the_experiments_direction(craft):
    trials = [craft.trial(0, 3.0), craft.trial(1, 5.0), craft.trial(2), craft.trial(3, 1.0), craft.trial(4, 2.0)]
    up = history_data(craft.experiment(trials))
    assert up.numbers == [0, 1, 3, 4] and up.scores == [3.0, 5.0, 1.0, 2.0]
    assert up.best_so_far == [3.0, 5.0, 5.0, 5.0] and up.best_number == 1 and up.failed == 1
    down = history_data(craft.experiment(trials, direction="minimize"))
    assert down.best_so_far == [3.0, 3.0, 1.0, 1.0] and down.best_number == 3
    assert history_data(craft.experiment([craft.trial(0)])) is None


def test_slices_follow_the_space_and_its_scale(craft):
    trials = [craft.trial(i, float(i),
                          params={"C": 10.0 ** (i - 2), "depth": i + 1, "kernel": ["rbf", "linear"][i % 2]})
              for i in range(4)]
    slices = {s.name: s for s in slice_data(craft.experiment(trials))}
    assert list(slices) == ["C", "depth", "kernel"]
    assert slices["C"].log and (slices["C"].low, slices["C"].high) == (1e-3, 1e3)
    assert slices["C"].values == [0.01, 0.1, 1.0, 10.0] and slices["C"].best_value == 10.0
    assert slices["C"].best_score == 3.0
    assert not slices["depth"].log and slices["depth"].values == [1, 2, 3, 4]
    assert slices["kernel"].categories == ["rbf", "linear"] and slices["kernel"].values == ["rbf", "linear"] * 2
    figure = slice_figure(slices["C"])
    assert figure["layout"]["xaxis"]["type"] == "log"
    assert figure["layout"]["xaxis"]["range"][0] < -3 < 3 < figure["layout"]["xaxis"]["range"][1]
    assert slice_figure(slices["kernel"])["layout"]["xaxis"]["type"] == "category"
    assert "type" not in slice_figure(slices["depth"])["layout"]["xaxis"]


@pytest.mark.parametrize("raw, expected", [
    ([[0, 0.5], [2, 0.7], [1, 0.6]], [(0.0, 0.5), (1.0, 0.6), (2.0, 0.7)]),
    ([0.5, 0.6], [(0.0, 0.5), (1.0, 0.6)]),
    ([], None), ("x", None), ([[0, float("nan")]], None), ([[0, 1, 2]], None), ([[0, "a"]], None), (None, None),
])
def test_intermediate_values_format(raw, expected):
    assert parse_intermediate(raw) == expected


def test_intermediate_plot_only_when_a_pruned_trial_reported_values(craft):
    # The trial's own field (trial.report) and, for objectives that return them, metrics["intermediate"].
    complete = craft.trial(0, 0.9, metrics={"intermediate": [[1, 0.5], [2, 0.7], [3, 0.9]]})
    pruned = craft.trial(1, state=TrialState.PRUNED, intermediate=[(2, 0.5), (1, 0.4)],
                         metrics={"intermediate": [[9, 9.0]]})  # the field wins
    assert intermediate_data(craft.experiment([complete, craft.trial(1, state=TrialState.PRUNED)])) is None
    data = intermediate_data(craft.experiment([complete, pruned]))
    assert [c.number for c in data.curves] == [0, 1] and data.pruned == 1
    assert data.curves[1].steps == [1.0, 2.0] and data.curves[1].values == [0.4, 0.5]
    figure = intermediate_figure(data)
    assert [t["name"] for t in figure["data"]] == ["complete trials", "pruned trials"]
    assert figure["data"][0]["x"] == [1.0, 2.0, 3.0, None]  # curves split by gaps, one trace per state


def test_parallel_coordinates_encode_log_and_categories(craft):
    trials = [craft.trial(0, 0.1, params={"C": 0.01, "depth": 2, "kernel": "linear"}),
              craft.trial(1, 0.2, params={"C": 100.0, "depth": 9, "kernel": "rbf"}), craft.trial(2)]
    data = parallel_data(craft.experiment(trials))
    axes = {a.name: a for a in data.axes}
    assert axes["C (log)"].values == pytest.approx([-2.0, 2.0])
    assert (axes["C (log)"].low, axes["C (log)"].high) == pytest.approx((-3.0, 3.0))
    assert axes["C (log)"].ticktext == ["0.001", "0.01", "0.1", "1", "10", "100", "1000"]  # one notation
    assert axes["kernel"].values == [1.0, 0.0] and axes["kernel"].ticktext == ["rbf", "linear"]
    assert axes["depth"].ticktext == ["1", "3", "6", "8", "10"]  # whole numbers on an integer axis
    assert data.scores == [0.1, 0.2] and data.numbers == [0, 1]
    figure = parallel_figure(data)
    labels = [a["text"] for a in figure["layout"]["annotations"] if a.get("yanchor") == "bottom"]
    assert labels == ["<b>C (log)</b>", "<b>depth</b>", "<b>kernel</b>", "<b>score</b>"]
    lines = [t for t in figure["data"] if t["mode"] == "lines+markers"]
    # Worst band first, best last (drawn on top); y is each axis' value scaled to [0, 1].
    # (categories are padded by a quarter step, so "rbf" and "linear" sit at 1/6 and 5/6)
    assert [t["y"] for t in lines] == [[pytest.approx(1 / 6), 1 / 9, pytest.approx(5 / 6), 0.0, None],
                                       [pytest.approx(5 / 6), 8 / 9, pytest.approx(1 / 6), 1.0, None]]
    assert lines[-1]["line"]["color"] == "#fde725"  # yellow: the best score
    flipped = parallel_figure(parallel_data(craft.experiment(trials, direction="minimize")))
    assert [t for t in flipped["data"] if t["mode"] == "lines+markers"][-1]["y"][-2] == 0.0  # lowest is best
    assert flipped["data"][-1]["marker"]["reversescale"] is True


def test_importance_finds_the_parameter_that_matters_and_is_seeded(craft):
    trials = []
    for i in range(40):
        C = 10.0 ** ((i * 7 % 13) / 2 - 3)
        depth = 1 + (i * 5) % 10
        kernel = ["rbf", "linear"][i % 2]
        trials.append(craft.trial(i, math.log10(C) + 0.01 * depth, params={"C": C, "depth": depth, "kernel": kernel}))
    exp = craft.experiment(trials)
    result = param_importance(exp)
    assert result.names[0] == "C" and result.importances[0] > 0.8
    assert sum(result.importances) == pytest.approx(1.0) and result.trials == 40
    assert param_importance(exp) == result  # seeded: the same trials give the same importances
    assert param_importance(craft.experiment(trials[:3])) is None  # too few trials
    one_param = craft.experiment([craft.trial(i, float(i), params={"C": 1.0 + i}) for i in range(9)],
                                 space={"C": craft.SPACE["C"]})
    assert param_importance(one_param) is None
    flat = param_importance(craft.experiment([craft.trial(i, 1.0, params=t.params) for i, t in enumerate(trials)]))
    assert flat.importances == [0.0, 0.0, 0.0]


def test_every_figure_spec_is_valid_plotly(craft):
    trials = [craft.trial(i, 0.5 + 0.01 * i, params={"C": 10.0 ** (i % 5 - 2), "depth": 1 + i % 9,
                                                      "kernel": ["rbf", "linear"][i % 2]},
                          intermediate=[(s, 0.1 * s) for s in range(3)]) for i in range(8)]
    trials.append(craft.trial(8, state=TrialState.PRUNED, intermediate=[(0, 0.1)]))
    exp = craft.experiment(trials)
    specs = [history_figure(history_data(exp)), importance_figure(param_importance(exp)),
             intermediate_figure(intermediate_data(exp)), parallel_figure(parallel_data(exp))]
    specs += [slice_figure(s) for s in slice_data(exp)]
    for spec in specs:
        go.Figure(spec)  # raises ValueError on any property plotly does not know
