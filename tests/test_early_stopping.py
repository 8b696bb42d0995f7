"""Early stopping end to end: reports, generator and handle styles, per-fold pruning, search-level stops."""

from __future__ import annotations

import json
import pickle

import pytest

from tunekit import TrialState
from tunekit.executors import evaluate
from tunekit.trial import Trial

CURVES = """
from tunekit import tunable, Real, TrialPruned

def curve(lr, epochs):
    value = 0.0
    for epoch in range(epochs):
        value += lr * (1 - value)
        yield epoch, value

@tunable(space={"lr": Real(1e-3, 1, log=True)}, strategy="random", trials=24, pruner="median", seed=1)
def tune_generator(lr):
    try:
        for epoch, value in curve(lr, 20):
            yield value
    finally:
        with open("closed.log", "a") as log:
            log.write(f"{lr}\\n")

@tunable(space={"lr": Real(1e-3, 1, log=True)}, strategy="random", trials=24, pruner="asha", seed=1)
def tune_handle(lr, trial):
    for epoch, value in curve(lr, 27):
        trial.report(value, step=epoch + 1)
        if trial.should_prune():
            raise TrialPruned()
    return value
"""


def _experiments(pytester: pytest.Pytester, path: str = ".tunekit/results.json") -> dict[str, dict]:
    return {e["id"].split("::")[1]: e for e in json.loads((pytester.path / path).read_text())["experiments"]}


def test_generator_and_handle_styles_prune_and_record_reports(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(exp_curves=CURVES)
    result = pytester.runpytest("exp_curves.py")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["tune_generator*random*/24, * pruned*", "tune_handle*random*/24, * pruned*"])
    experiments = _experiments(pytester)
    for name, steps in (("tune_generator", 20), ("tune_handle", 27)):
        trials = experiments[name]["trials"]
        pruned = [t for t in trials if t["state"] == "PRUNED"]
        complete = [t for t in trials if t["state"] == "COMPLETE"]
        assert pruned and complete, name
        assert all(len(t["intermediate"]) < steps and t["score"] == t["intermediate"][-1][1] for t in pruned)
        assert all(len(t["intermediate"]) == steps for t in complete)
        assert experiments[name]["best"]["number"] in {t["number"] for t in complete}
    # every generator was closed (its finally ran), pruned or not
    assert len((pytester.path / "closed.log").read_text().split()) == 24


def test_command_line_pruner_overrides_and_none_disables(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(exp_curves=CURVES)
    assert pytester.runpytest("exp_curves.py", "--pruner", "none", "--json", "none.json").ret == 0
    states = {t["state"] for e in _experiments(pytester, "none.json").values() for t in e["trials"]}
    assert states == {"COMPLETE"}
    assert pytester.runpytest("exp_curves.py", "--pruner", "patience:patience=3,min_delta=0.0001",
                              "--json", "patience.json").ret == 0
    assert any(t["state"] == "PRUNED" for t in _experiments(pytester, "patience.json")["tune_handle"]["trials"])
    bad = pytester.runpytest("exp_curves.py", "--pruner", "annealing")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["ERROR: --pruner: *annealing*"])


def test_pruning_per_cross_validation_fold(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(exp_folds="""
        import numpy as np
        from sklearn.datasets import load_breast_cancer
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold
        from tunekit import tunable, Real, TrialPruned

        X, y = load_breast_cancer(return_X_y=True)

        @tunable(space={"C": Real(1e-6, 1e2, log=True)}, strategy="random", trials=12, seed=0,
                 pruner="median:n_startup_trials=2")
        def tune_folds(C, trial):
            scores = []
            for k, (train, test) in enumerate(StratifiedKFold(5, shuffle=True, random_state=0).split(X, y)):
                model = LogisticRegression(C=C, max_iter=200).fit(X[train], y[train])
                scores.append(model.score(X[test], y[test]))
                trial.report(float(np.mean(scores)), step=k)  # fold k is step k
                if trial.should_prune():
                    raise TrialPruned()
            return scores
    """)
    result = pytester.runpytest("exp_folds.py", "-W", "ignore")
    assert result.ret == 0
    trials = _experiments(pytester)["tune_folds"]["trials"]
    pruned = [t for t in trials if t["state"] == "PRUNED"]
    assert pruned, "tiny C values should be pruned after their first folds"
    assert all([s for s, _ in t["intermediate"]] == list(range(len(t["intermediate"]))) for t in trials)
    assert all(len(t["folds"]) == 5 for t in trials if t["state"] == "COMPLETE")


@pytest.mark.parametrize(("decorator", "reason", "note"), [
    ("target=0.95", "target", "stopped early: the target score 0.95 was reached after * trials"),
    ("patience=5, direction='minimize'", "patience",
     "stopped early: no better score in the last 5 trials (* trials run)"),
    ("timeout=0.3", "timeout", "stopped early: the search timeout of 0.3 s ran out after * trials"),
])
def test_search_level_stops(pytester: pytest.Pytester, decorator: str, reason: str, note: str) -> None:
    pytester.makepyfile(exp_stop=f"""
        import time
        from tunekit import tunable, Real

        @tunable(space={{"x": Real(0, 1)}}, strategy="random", trials=500, {decorator})
        def tune_stop(x):
            time.sleep(0.01)
            return x
    """)
    result = pytester.runpytest("exp_stop.py")
    assert result.ret == 0
    result.stdout.fnmatch_lines([f"note: exp_stop.py::tune_stop: {note}"])
    experiment = _experiments(pytester)["tune_stop"]
    assert experiment["stop_reason"] == reason and len(experiment["trials"]) < 500
    scores = [t["score"] for t in experiment["trials"]]
    if reason == "target":
        assert scores[-1] >= 0.95 and all(s < 0.95 for s in scores[:-1])
    if reason == "patience":
        best = scores.index(min(scores))
        assert len(scores) - 1 - best == 5


@pytest.mark.parametrize(("decorator", "message"), [
    ("pruner='annealing'", "pruner*annealing*"),
    ("pruner=3", "pruner: expected a name such as 'asha', a Pruner or None, got int"),
    ("timeout=-1", "timeout: expected a positive number of seconds, got -1"),
    ("patience=0", "patience: expected a positive integer, got 0"),
    ("target='high'", "target: expected a finite number, got 'high'"),
])
def test_bad_early_stopping_declarations(pytester: pytest.Pytester, decorator: str, message: str) -> None:
    pytester.makepyfile(exp_bad=f"""
        from tunekit import tunable, Real
        @tunable(space={{"x": Real(0, 1)}}, {decorator})
        def tune_bad(x):
            return x
    """)
    result = pytester.runpytest("exp_bad.py")
    result.stdout.fnmatch_lines([f"exp_bad.py::tune_bad: {message}"])


def test_bad_reports_fail_the_trial_with_a_reason() -> None:
    def objective(trial: Trial) -> float:
        trial.report(0.5, step=3)
        trial.report(0.6, step=2)
        return 1.0

    result = evaluate(objective, Trial(number=0, params={}, seed=0))
    assert result.state is TrialState.FAIL and "steps must increase: 2 after 3" in result.error
    nan = evaluate(lambda t: t.report(float("nan")), Trial(number=0, params={}, seed=0))
    assert nan.state is TrialState.FAIL and "nan" in nan.error


def test_returning_after_should_prune_is_pruned_and_ignoring_it_is_complete() -> None:
    def stops(trial: Trial) -> float:
        trial.report(0.1, step=0)
        if trial.should_prune():
            return 0.1
        return 0.9

    def ignores(trial: Trial) -> float:
        trial.report(0.1, step=0)
        trial.report(0.9, step=1)
        return 0.9

    always = Trial(number=0, params={}, seed=0, reporter=lambda step, value: True)
    assert evaluate(stops, always).state is TrialState.PRUNED
    never = Trial(number=0, params={}, seed=0, reporter=lambda step, value: step == 0)
    finished = evaluate(ignores, never)  # told to stop at step 0, but the last report said go on
    assert finished.state is TrialState.COMPLETE and finished.intermediate == [(0, 0.1), (1, 0.9)]


# --- the trial's reporter: what the search loop and the executors attach, copy and consult -------------

def test_the_reporter_decides_should_prune_and_without_one_nothing_prunes() -> None:
    heard: list[tuple[int, float]] = []

    def reporter(step: int, value: float) -> bool:
        heard.append((step, value))
        return value > 0.5

    trial = Trial(number=0, params={}, seed=0, reporter=reporter)
    assert trial.has_reporter
    trial.report(0.4)
    assert not trial.should_prune()
    trial.report(0.6)
    assert trial.should_prune() and heard == [(1, 0.4), (2, 0.6)] == trial.intermediate
    alone = Trial(number=0, params={}, seed=0)
    alone.report(0.6)
    assert not alone.has_reporter and not alone.should_prune() and alone.intermediate == [(1, 0.6)]
    with pytest.raises(TypeError):
        Trial(0, {}, 0, reporter)  # type: ignore[call-arg]  # keyword only


def test_a_detached_copy_keeps_the_trial_and_its_reports_but_not_the_reporter() -> None:
    heard: list[int] = []

    def reporter(step: int, value: float) -> bool:
        heard.append(step)
        return True

    trial = Trial(number=3, params={"x": 1}, seed=7, reporter=reporter)
    trial.report(0.1)
    copy = trial.detached()
    assert copy == trial and repr(copy) == repr(trial) == "Trial(number=3, params={'x': 1}, seed=7)"
    assert copy.intermediate == [(1, 0.1)] and copy.should_prune()  # the verdict so far travels too
    assert not copy.has_reporter and not copy.ask_reporter(2, 0.2)
    copy.report(0.2)
    assert copy.intermediate == [(1, 0.1), (2, 0.2)]
    assert trial.intermediate == [(1, 0.1)] and heard == [1]  # the original neither sees nor records it
    sent = pickle.loads(pickle.dumps(copy))
    assert sent == copy and sent.intermediate == copy.intermediate and not sent.has_reporter


def test_a_trial_pickled_with_its_reporter_arrives_without_it() -> None:
    trial = Trial(number=0, params={}, seed=0, reporter=lambda step, value: True)
    trial.report(0.5)
    arrived = pickle.loads(pickle.dumps(trial))
    assert arrived == trial and arrived.intermediate == [(1, 0.5)] and not arrived.has_reporter
    assert trial.has_reporter


def test_with_reporter_attaches_a_new_reporter_to_a_copy() -> None:
    heard: list[tuple[int, float]] = []

    def forward(step: int, value: float) -> bool:
        heard.append((step, value))
        return step >= 2

    received = Trial(number=1, params={}, seed=1)
    received.report(0.3)
    pruned = received.with_reporter(forward)
    assert pruned.has_reporter and not received.has_reporter
    pruned.report(0.4)
    assert pruned.should_prune() and heard == [(2, 0.4)] and pruned.intermediate == [(1, 0.3), (2, 0.4)]
    assert received.intermediate == [(1, 0.3)]


def test_ask_reporter_answers_for_a_report_made_elsewhere_without_recording_it() -> None:
    trial = Trial(number=0, params={}, seed=0, reporter=lambda step, value: value < 0.5)
    assert trial.ask_reporter(1, 0.2) is True and trial.ask_reporter(2, 0.8) is False
    assert trial.intermediate == [] and not trial.should_prune()


def _yields_nan_fourth(trial: Trial):
    yield from (0.1, 0.2, 0.3, float("nan"))


def _reports_nan_third(trial: Trial) -> float:
    trial.report(0.1)
    trial.report(0.2, step=5)
    trial.report(float("nan"))
    return 1.0


@pytest.mark.parametrize("objective, error", [
    (_yields_nan_fourth, "the generator's yielded value at step 4 is nan"),
    (_reports_nan_third, "trial.report() value at step 6 is nan"),
])
def test_a_bad_intermediate_value_names_its_step(objective, error: str) -> None:
    result = evaluate(objective, Trial(number=0, params={}, seed=0))
    assert (result.state, result.error) == (TrialState.FAIL, error)
