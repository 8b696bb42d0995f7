"""``tunekit export RESULTS.json --csv PATH``: one row per trial, one column per parameter and metric."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tunekit import results as results_io
from tunekit.commands import run_subcommand
from tunekit.trial import TrialState


def sample(craft):
    a = craft.experiment([
        craft.trial(1, 0.25, params={"C": 0.1, "depth": 3, "kernel": "linear"},
                    metrics={"train_score": [0.9, 1.0], "intermediate": [0, 0.1]}, intermediate=[(1, 0.2), (2, 0.3)]),
        craft.trial(0, folds=[0.5, 0.7], params={"C": 1e-3, "depth": 2, "kernel": "rbf"}, metrics={"fit": 1.5}),
        craft.trial(2, params={"C": 1.0, "depth": 4, "kernel": "a,\"b\"\nc"}, error="ValueError: x, \"y\""),
        craft.trial(3, state=TrialState.PRUNED, params={"C": 2.0, "depth": 5, "kernel": "rbf"}),
    ], id="experiments/exp_a.py::tune_a",
        space={**craft.SPACE, "kernel": {"type": "categorical", "choices": ["rbf", "linear", "a,\"b\"\nc"]}})
    b = craft.experiment([craft.trial(0, 3.0, params={"alpha": True})], id="experiments/exp_b.py::tune_b",
                         space={"alpha": {"type": "categorical", "choices": [True, False]}})
    return craft.doc(a, b)


def read(text):
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_every_trial_is_a_row_with_its_params_and_metrics(craft, tmp_path, capsys):
    results = tmp_path / "results.json"
    results_io.dump(sample(craft), results)
    out = tmp_path / "out" / "trials.csv"
    assert run_subcommand("export", [str(results), "--csv", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"csv: {out} (5 trials)"
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ("id,number,state,score,score_std,duration_s,error,seed,intermediate,"
                                    "params.C,params.depth,"
                                    "params.kernel,params.alpha,metrics.train_score,metrics.intermediate,metrics.fit")
    rows = read(text)
    assert [(r["id"][-6:], r["number"], r["state"]) for r in rows] == [
        ("tune_a", "0", "COMPLETE"), ("tune_a", "1", "COMPLETE"), ("tune_a", "2", "FAIL"), ("tune_a", "3", "PRUNED"),
        ("tune_b", "0", "COMPLETE")]
    first = rows[0]
    assert float(first["score"]) == pytest.approx(0.6) and float(first["score_std"]) == pytest.approx(0.1)
    assert first["params.C"] == "0.001" and first["params.depth"] == "2" and first["metrics.fit"] == "1.5"
    assert first["metrics.train_score"] == "" and first["params.alpha"] == ""  # not this trial's: empty
    assert json.loads(rows[1]["metrics.train_score"]) == [0.9, 1.0]
    assert json.loads(rows[1]["metrics.intermediate"]) == [0, 0.1]  # a metric of that name stays a metric
    assert json.loads(rows[1]["intermediate"]) == [[1, 0.2], [2, 0.3]] and rows[0]["intermediate"] == ""
    assert rows[2]["params.kernel"] == "a,\"b\"\nc" and rows[2]["error"] == "ValueError: x, \"y\""  # quoted
    assert rows[2]["score"] == "" and rows[3]["score"] == ""
    assert rows[4]["params.alpha"] == "True" and rows[4]["params.C"] == ""


def test_full_precision_and_standard_output(craft, tmp_path, capsys):
    doc = craft.doc(craft.experiment([craft.trial(0, 0.1 + 0.2)]))
    results_io.dump(doc, tmp_path / "r.json")
    assert run_subcommand("export", [str(tmp_path / "r.json"), "--csv", "-"]) == 0
    rows = read(capsys.readouterr().out)
    assert float(rows[0]["score"]) == 0.1 + 0.2  # repr, not a rounded display


@pytest.mark.parametrize("args, message", [
    (["r.json"], "the following arguments are required: --csv"),
    (["missing.json", "--csv", "x.csv"], "missing.json: no such file"),
    (["r.json", "--csv", "r.json/x.csv"], "r.json/x.csv: cannot write the CSV"),
])
def test_export_usage_errors_exit_4(craft, tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    results_io.dump(sample(craft), tmp_path / "r.json")
    assert run_subcommand("export", args) == 4
    err = capsys.readouterr().err
    assert err.startswith("ERROR: ") and message in err


def test_text_that_a_spreadsheet_would_run_is_made_inert(craft, tmp_path, capsys):
    formulas = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"]
    space = {"kernel": {"type": "categorical", "choices": formulas}, "x": {"type": "real", "low": -5.0, "high": 5.0}}
    trials = [craft.trial(i, -1.5, params={"kernel": f, "x": -2.5}, metrics={"=HYPERLINK(1)": "-bad"})
              for i, f in enumerate(formulas)]
    trials.append(craft.trial(len(formulas), params={"kernel": "=1+1", "x": 0.5}, error="=cmd|' /C calc'!A0"))
    results = tmp_path / "r.json"
    results_io.dump(craft.doc(craft.experiment(trials, id="-exp.py::tune", space=space)), results)
    assert run_subcommand("export", [str(results), "--csv", "-"]) == 0
    text = capsys.readouterr().out
    rows = read(text)
    assert [row["params.kernel"] for row in rows[:-1]] == ["'" + f for f in formulas]
    assert rows[-1]["error"] == "'=cmd|' /C calc'!A0" and rows[0]["id"] == "'-exp.py::tune"
    assert rows[0]["metrics.=HYPERLINK(1)"] == "'-bad"
    # numbers stay numbers, negative ones included
    assert rows[0]["score"] == "-1.5" and rows[0]["params.x"] == "-2.5"
    for row in csv.reader(io.StringIO(text, newline="")):
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")) and (
                not cell.startswith("-") or float(cell) < 0), cell


def test_each_objective_of_an_experiment_with_several_is_a_column(tmp_path, capsys):
    from tunekit.results import ExperimentResult, ResultsDocument
    from tunekit.trial import TrialResult

    trials = [TrialResult(number=0, params={"n": 1}, state=TrialState.COMPLETE, score=0.5,
                          values={"accuracy": 0.5, "seconds": 2.0}),
              TrialResult(number=1, params={"n": 2}, state=TrialState.FAIL, error="boom")]
    several = ExperimentResult(id="exp.py::tune_n", strategy="random", direction="maximize", seed=0,
                               budget={"trials": 2}, space={"n": {"type": "integer", "low": 1, "high": 3,
                                                                  "log": False}}, trials=trials,
                               objectives={"accuracy": "maximize", "seconds": "minimize"})
    results = tmp_path / "results.json"
    results_io.dump(ResultsDocument(experiments=[several]), results)
    assert run_subcommand("export", [str(results), "--csv", "-"]) == 0
    rows = read(capsys.readouterr().out)
    assert [(r["values.accuracy"], r["values.seconds"]) for r in rows] == [("0.5", "2.0"), ("", "")]


def test_a_file_without_objectives_has_no_values_columns(craft, tmp_path, capsys):
    results = tmp_path / "results.json"
    results_io.dump(sample(craft), results)
    assert run_subcommand("export", [str(results), "--csv", "-"]) == 0
    assert not [h for h in capsys.readouterr().out.splitlines()[0].split(",") if h.startswith("values.")]
