"""The runner called directly: search, failure, judgement, re-check, interruption and resume, no pytest item."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

from tunekit import Real, tunable
from tunekit.api import get_spec
from tunekit.errors import ExperimentFailed, ExperimentInterrupted, ExperimentSkipped
from tunekit.executors import SerialExecutor
from tunekit.results import ResultsDocument
from tunekit.run import (
    RECHECK_STRATEGY,
    Experiment,
    RunOptions,
    bind_objective,
    failure_of,
    judge,
    run_experiment,
)
from tunekit.trial import TrialState


def experiments():
    """The experiments of these tests (made in a function: pytest with tunekit's plugin would collect them)."""

    @tunable(space={"x": Real(0, 1)}, strategy="random", trials=6, seed=1)
    def tune_square(x, offset):
        return offset - (x - 0.3) ** 2

    @tunable(space={"x": Real(0, 1)}, strategy="random", trials=3)
    def tune_broken(x):
        return 1 / 0

    return SimpleNamespace(square=tune_square, broken=tune_broken)


EXP = experiments()


def experiment(fn, id="exp_run.py::tune", **fixtures):
    spec = get_spec(fn)
    return Experiment(id=id, spec=spec, objective=bind_objective(fn, spec, fixtures), function=fn)


def run(exp, options=None, **kwargs):
    return run_experiment(exp, options or RunOptions(), executors=lambda settings: SerialExecutor(), **kwargs)


def test_a_search_returns_its_record():
    record = run(experiment(EXP.square, offset=1.0))
    assert record.status == "passed" and record.strategy == "random" and record.seed == 1
    assert [t.number for t in record.trials] == list(range(6))
    assert all(t.state is TrialState.COMPLETE and t.score <= 1.0 for t in record.trials)
    assert record.best.score == max(t.score for t in record.trials)
    assert record.budget == {"trials": 6} and record.space["x"]["type"] == "real"


def test_the_same_seed_gives_the_same_trials_and_options_override():
    first, second = run(experiment(EXP.square, offset=0.0)), run(experiment(EXP.square, offset=0.0))
    assert [(t.params, t.seed, t.score) for t in first.trials] == [(t.params, t.seed, t.score) for t in second.trials]
    other = run(experiment(EXP.square, offset=0.0), RunOptions(seed=2, trials=4))
    assert len(other.trials) == 4 and other.trials[0].params != first.trials[0].params


def test_every_trial_failing_fails_the_record_with_the_first_error_and_its_traceback():
    record = run(experiment(EXP.broken))
    assert record.status == "failed"
    assert record.error.startswith("all 3 trials failed; first error (trial 0): ZeroDivisionError: division by zero")
    failure = failure_of(record)
    assert isinstance(failure, ExperimentFailed) and str(failure) == record.error
    assert "ZeroDivisionError" in failure.traceback_text


def test_judge_returns_a_new_record_and_leaves_the_given_one_alone():
    record = run(experiment(EXP.square, offset=1.0))
    assert failure_of(record) is None
    better = dataclasses.replace(record, trials=[dataclasses.replace(t, score=t.score + 1) for t in record.trials])
    baseline = ResultsDocument(experiments=[better])
    judged = judge(record, baseline)
    assert judged.status == "failed" and "regressed" in judged.error
    assert record.status == "passed" and record.error is None
    assert judge(record, ResultsDocument(experiments=[record])) is record


def test_a_regression_against_the_options_baseline_fails_the_experiment():
    baseline = ResultsDocument(experiments=[run(experiment(EXP.square, offset=1.0))])
    record = run(experiment(EXP.square, offset=0.5), RunOptions(baseline=baseline))
    assert record.status == "failed" and "regressed" in record.error
    assert failure_of(record).traceback_text is None


def test_recheck_reevaluates_the_baselines_best_with_its_seed():
    saved = run(experiment(EXP.square, offset=1.0))
    options = RunOptions(recheck=ResultsDocument(experiments=[saved]), baseline=ResultsDocument(experiments=[saved]))
    record = run(experiment(EXP.square, offset=1.0), options)
    assert record.strategy == RECHECK_STRATEGY and record.status == "passed"
    assert [(t.params, t.seed, t.score) for t in record.trials] == [
        (saved.best.params, saved.best.seed, saved.best.score)]
    with pytest.raises(ExperimentSkipped, match="not in the baseline"):
        run(experiment(EXP.square, id="other.py::tune", offset=1.0), options)


def test_settings_that_cannot_run_are_one_experiment_failure_naming_it():
    @tunable(space={"x": Real(0, 1)}, trials=2, start=[{"x": 0.1}, {"x": 0.2}])
    def tune_start(x):
        return x

    with pytest.raises(ExperimentFailed, match=r"^exp_run.py::tune: start: 2 start points do not fit in a budget "
                                               r"of 1 trials"):
        run(experiment(tune_start), RunOptions(trials=1))


def test_ctrl_c_raises_with_the_finished_trials_in_the_record():
    @tunable(space={"x": Real(0, 1)}, strategy="random", trials=10)
    def tune_stops(x, trial):
        if trial.number == 3:
            raise KeyboardInterrupt
        return x

    with pytest.raises(ExperimentInterrupted) as info:
        run(experiment(tune_stops))
    record = info.value.record
    assert record.status == "interrupted" and [t.number for t in record.trials] == [0, 1, 2]
    assert isinstance(info.value, KeyboardInterrupt)


def test_resume_restores_the_journaled_trials_and_continues_as_a_fresh_run_would(tmp_path):
    fresh = run(experiment(EXP.square, offset=1.0), RunOptions(trials=6))
    run(experiment(EXP.square, offset=1.0), RunOptions(trials=3), journal_dir=tmp_path)
    resumed = run(experiment(EXP.square, offset=1.0), RunOptions(trials=6, resume=True), journal_dir=tmp_path,
                  root=tmp_path)
    assert "resumed: 3 trials from the journal" in resumed.notes
    assert [(t.params, t.seed, t.score) for t in resumed.trials] == [(t.params, t.seed, t.score) for t in fresh.trials]


def test_resume_refuses_a_journal_of_another_search(tmp_path):
    run(experiment(EXP.square, offset=1.0), RunOptions(trials=2), journal_dir=tmp_path)
    with pytest.raises(ExperimentFailed, match=r"cannot resume: its journal \(.*\.jsonl\) was written for another "
                                               r"search \(seed changed\)"):
        run(experiment(EXP.square, offset=1.0), RunOptions(seed=7, resume=True), journal_dir=tmp_path,
            root=tmp_path)


def test_progress_is_told_the_budget_each_trial_and_the_end():
    seen = []

    class Recorder:
        def started(self, budget):
            seen.append(("started", budget))

        def trial_done(self, best, done):
            seen.append(("trial", done))

        def finished(self, record):
            seen.append(("finished", len(record.trials)))

    run(experiment(EXP.square, offset=1.0), RunOptions(trials=2), progress=Recorder())
    assert seen == [("started", 2), ("trial", 1), ("trial", 2), ("finished", 2)]
