"""Experiments with several objectives: declaring them, what the objective returns, and their records."""

from __future__ import annotations

import copy
import json

import pytest

from tunekit import Categorical, Integer, tunable
from tunekit.api import get_spec
from tunekit.results import (
    ExperimentResult,
    ResultsDocument,
    dumps,
    experiment_to_dict,
    loads,
    read_trial,
    trial_to_dict,
)
from tunekit.run import tune
from tunekit.trial import ObjectiveValueError, Trial, TrialPruned, TrialResult, TrialState, parse_objectives

OBJECTIVES = {"accuracy": "maximize", "seconds": "minimize"}

# --- declaring ---------------------------------------------------------------------------------------


def _spec_error(**kwargs: object) -> str | None:
    def f(n: int) -> float:
        return 0.0

    spec = get_spec(tunable(space={"n": Integer(1, 5)}, **kwargs)(f))  # type: ignore[arg-type]
    assert spec is not None
    return spec.error


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"objectives": {"accuracy": "up"}}, ("objectives['accuracy']: unknown direction 'up' (accepted: maximize, "
                                         "minimize)")),
    ({"objectives": {}}, "objectives: empty: name at least one"),
    ({"objectives": ["accuracy"]}, "objectives: expected a dict of name -> 'maximize' or 'minimize'"),
    ({"objectives": OBJECTIVES, "limits": {"size": 3}}, ("limits['size']: not an objective (objectives: "
                                                        "accuracy, seconds)")),
    ({"objectives": OBJECTIVES, "limits": {"seconds": "2"}}, "limits['seconds']: expected a finite number"),
    ({"objectives": OBJECTIVES, "direction": "minimize"}, "direction: not with objectives="),
    ({"limits": {"seconds": 2.0}}, "limits: need objectives="),
    ({"objectives": {"accuracy": "maximize", "hypervolume": "maximize"}},
     "objectives['hypervolume']: the name is reserved for the Pareto front's hypervolume"),
])
def test_a_bad_declaration_is_a_one_line_error_naming_the_field(kwargs: dict[str, object], message: str) -> None:
    error = _spec_error(**kwargs)
    assert error is not None and error.startswith(message)
    assert "\n" not in error


def test_the_first_objective_gives_the_direction() -> None:
    def f(n: int) -> dict[str, float]:
        return {}

    spec = get_spec(tunable(space={"n": Integer(1, 5)}, objectives={"loss": "minimize", "acc": "maximize"},
                            limits={"acc": 0.5})(f))
    assert spec is not None and spec.error is None
    assert spec.direction == "minimize"
    assert spec.objectives == {"loss": "minimize", "acc": "maximize"} and spec.limits == {"acc": 0.5}


# --- what the objective returns ----------------------------------------------------------------------

def test_each_objective_is_a_number_or_fold_scores_and_other_keys_are_metrics() -> None:
    out = parse_objectives({"seconds": 2, "accuracy": [0.8, 0.9], "size": 10}, list(OBJECTIVES))
    assert out.values == {"accuracy": pytest.approx(0.85), "seconds": 2.0}
    assert out.score == pytest.approx(0.85) and out.folds == [0.8, 0.9] and out.score_std == pytest.approx(0.05)
    assert out.metrics == {"size": 10.0}


@pytest.mark.parametrize(("value", "message"), [
    (0.5, "the experiment has objectives accuracy, seconds: return a dict with those keys, got float 0.5"),
    ({"accuracy": 0.5}, "returned dict has no 'seconds' key"),
    ({"accuracy": 0.5, "seconds": float("nan")}, "objective 'seconds' is nan"),
    ({"accuracy": [], "seconds": 1}, "objective 'accuracy' is an empty sequence of fold scores"),
])
def test_a_bad_return_value_says_why(value: object, message: str) -> None:
    with pytest.raises(ObjectiveValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        parse_objectives(value, list(OBJECTIVES))


# --- through tune() and into the record --------------------------------------------------------------

def _search() -> ExperimentResult:
    # declared here, not at module level, where pytest would collect it as an experiment of its own
    @tunable(space={"n": Integer(1, 12), "kind": Categorical(["a", "b"])}, strategy="random", trials=16, seed=3,
             objectives=OBJECTIVES, limits={"seconds": 10.0})
    def trade_off(n: int, kind: str) -> dict[str, object]:
        # More work is more accurate and slower; "b" is never better: dominated whenever "a" has the same n.
        accuracy = 1 - 1 / n - (0.05 if kind == "b" else 0.0)
        return {"accuracy": accuracy, "seconds": float(n), "kind_b": kind == "b"}

    return tune(trade_off)


def test_tune_records_every_objective_the_front_and_the_selected_trial() -> None:
    record = _search()
    complete = [t for t in record.trials if t.state is TrialState.COMPLETE]
    assert complete and all(t.values is not None and set(t.values) == set(OBJECTIVES) for t in complete)
    assert all(t.values is not None and t.score == t.values["accuracy"] for t in complete)
    assert all(t.metrics == {"kind_b": t.params["kind"] == "b"} for t in complete)
    front = record.pareto_front
    assert front and all(t.params["n"] <= 10 for t in front)
    pairs = {(t.params["n"], t.params["kind"]) for t in complete}
    assert not [t for t in front if t.params["kind"] == "b" and (t.params["n"], "a") in pairs]
    assert {t.number for t in front} >= {t.number for t in complete if t.params["kind"] == "a" and
                                          t.params["n"] <= 10 and not any(
                                              u.params["n"] == t.params["n"] and u.number < t.number
                                              and u.params["kind"] == "a" for u in complete)}
    feasible = [t for t in complete if t.values is not None and t.values["seconds"] <= 10]
    selected = record.selected
    assert selected is not None and selected.score == max(t.score or 0.0 for t in feasible)
    assert selected in front
    # the best trial ignores the limit, the selected one does not
    assert record.best is not None and record.best.score == max(t.score or 0.0 for t in complete)


@pytest.mark.parametrize("stop", ["return", "return-none-dict", "raise"])
def test_a_pruned_trial_of_several_objectives_is_pruned_however_it_stops(stop: str) -> None:
    # The README's "raise TrialPruned()  # or just return": a bare return carries no objectives, and must not
    # fail the trial for it.
    @tunable(space={"x": Integer(1, 8)}, strategy="grid", pruner="asha:max_resource=4", trials=8, seed=0,
             objectives=OBJECTIVES)
    def pruned(x: int, trial: Trial) -> dict[str, float] | None:
        for step in range(1, 5):
            trial.report((9 - x) * step / 4, step=step)  # later grid points are worse: ASHA stops them
            if trial.should_prune():
                if stop == "raise":
                    raise TrialPruned()
                return None if stop == "return" else {}
        return {"accuracy": float(9 - x), "seconds": 1.0}

    record = tune(pruned)
    states = [t.state for t in record.trials]
    assert TrialState.FAIL not in states, [t.error for t in record.trials]
    assert TrialState.PRUNED in states and TrialState.COMPLETE in states
    assert all(t.values is None and t.score is not None for t in record.trials if t.state is TrialState.PRUNED)


def test_the_record_round_trips_and_a_tampered_one_is_refused() -> None:
    record = _search()
    text = dumps(ResultsDocument(experiments=[record]))
    data = json.loads(text)["experiments"][0]
    assert data["objectives"] == OBJECTIVES and data["limits"] == {"seconds": 10.0}
    assert data["pareto_front"] == [t.number for t in record.pareto_front]
    assert data["selected"] == (record.selected.number if record.selected else None)
    assert dumps(loads(text)) == text

    def refused(change: object, message: str) -> None:
        doc = json.loads(text)
        change(doc["experiments"][0])  # type: ignore[operator]
        with pytest.raises(Exception, match=message):
            loads(json.dumps(doc))

    first = next(i for i, t in enumerate(data["trials"]) if t["state"] == "COMPLETE")
    refused(lambda e: e.__setitem__("pareto_front", []), r"experiments\[0\]\.pareto_front: does not match")
    refused(lambda e: e.__setitem__("selected", 999), r"experiments\[0\]\.selected: does not match")
    refused(lambda e: e["objectives"].__setitem__("accuracy", "up"), r"objectives\.accuracy: expected one of")
    refused(lambda e: e.__setitem__("limits", {"size": 1}), r"limits\.size: not an objective")
    refused(lambda e: e["trials"][first]["values"].pop("seconds"),
            rf"trials\[{first}\]\.values: expected a value for each objective")
    refused(lambda e: e["trials"][first]["values"].__setitem__("accuracy", 7),
            rf"trials\[{first}\]\.values\.accuracy: does not match the trial's score")
    refused(lambda e: e.__setitem__("objectives", {"seconds": "minimize", "accuracy": "maximize"}),
            "the first objective's direction must be the experiment's")


def test_a_single_objective_record_gains_no_field() -> None:
    record = ExperimentResult(id="x", strategy="random", direction="maximize", seed=0, budget={"trials": 1},
                              space={"n": Integer(1, 5).to_dict()},
                              trials=[TrialResult(number=0, params={"n": 2}, state=TrialState.COMPLETE, score=1.0)])
    data = experiment_to_dict(record)
    assert not {"objectives", "limits", "pareto_front", "selected"} & set(data)
    assert "values" not in data["trials"][0]
    broken = copy.deepcopy(data)
    broken["trials"][0]["values"] = {"score": 1.0}
    doc = {"schema": "tunekit.results/1", "experiments": [broken]}
    with pytest.raises(Exception, match=r"trials\[0\]\.values: expected null \(the experiment has no objectives"):
        loads(json.dumps(doc))


def test_a_journaled_trial_keeps_its_values() -> None:
    # journals write and read trials with the results file's own functions
    trial = TrialResult(number=3, params={"n": 2}, state=TrialState.COMPLETE, score=0.5,
                        values={"accuracy": 0.5, "seconds": 2.0})
    assert read_trial(json.loads(json.dumps(trial_to_dict(trial)))) == trial
    with pytest.raises(Exception, match=r"trial\.values: expected null \(only a COMPLETE trial"):
        read_trial({**trial_to_dict(trial), "state": "FAIL", "score": None})
