"""The runner called directly: search, failure, judgement, re-check, interruption and resume, no pytest item."""

from __future__ import annotations

import dataclasses
import errno
import os
from types import SimpleNamespace

import pytest

from tunekit import Real, TrialPruned, journal, tunable
from tunekit.api import get_spec
from tunekit.errors import ExperimentFailed, ExperimentInterrupted, ExperimentSkipped
from tunekit.executors import SerialExecutor
from tunekit.journal import journal_path, read_journal
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

    @tunable(space={"x": Real(0, 1)}, strategy="random", trials=3)
    def tune_self_pruned(x):
        raise TrialPruned()

    @tunable(space={"x": Real(0, 1)}, strategy="random", trials=3, pruner="median")
    def tune_all_pruned(x, trial):
        trial.report(x)
        raise TrialPruned()

    return SimpleNamespace(square=tune_square, broken=tune_broken, self_pruned=tune_self_pruned,
                           all_pruned=tune_all_pruned)


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


def test_every_trial_pruned_says_whether_a_pruner_or_the_objective_did_it():
    assert run(experiment(EXP.self_pruned)).error == (
        "no trial completed: all 3 were pruned (the experiment has no pruner: the objective raised TrialPruned "
        "itself)")
    assert run(experiment(EXP.all_pruned)).error == (
        "no trial completed: all 3 were pruned (is the pruner too aggressive?)")


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


def _full_disk(monkeypatch, call: str, failing: int) -> None:
    """Make the journal's ``failing``-th ``call`` ("write" or "fsync"; 1: the header, k + 2: trial k's line)
    fail as on a full disk. A failed fsync may leave the line in the file; a failed write does not."""
    calls = []
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def counted(real):
        def call_(*args):
            calls.append(args)
            if len(calls) == failing:
                raise full
            return real(*args)
        return call_

    if call == "fsync":
        monkeypatch.setattr(journal.os, "fsync", counted(os.fsync))
        return
    real_init = journal.Journal.__init__

    class FullDisk:  # the journal's file, whose write fails
        def __init__(self, handle):
            self._handle, self.write = handle, counted(handle.write)

        def __getattr__(self, name):
            return getattr(self._handle, name)

    def init(self, path, handle, lock=None):
        real_init(self, path, FullDisk(handle), lock)

    monkeypatch.setattr(journal.Journal, "__init__", init)


@pytest.mark.parametrize("call", ["write", "fsync"])
@pytest.mark.parametrize("failing", [4, 8], ids=["trial-2", "end-line"])
def test_a_full_disk_stops_the_search_and_fails_it_keeping_every_finished_trial(tmp_path, monkeypatch, call,
                                                                               failing):
    fresh = run(experiment(EXP.square, offset=1.0))
    path = journal_path(tmp_path, "exp_run.py::tune")
    with monkeypatch.context() as patch:
        _full_disk(patch, call, failing)
        record = run(experiment(EXP.square, offset=1.0), journal_dir=tmp_path, root=tmp_path)
    assert record.status == "failed" and record.stop_reason == "interrupted"
    assert record.error == f"exp_run.py::tune: cannot write its journal {path.name}: [Errno 28] No space left on device"
    assert str(failure_of(record)) == record.error
    # The search stops at the failed line: every trial finished by then is in the record.
    finished = min(failing - 1, 6)
    assert [(t.params, t.seed, t.score) for t in record.trials] == [
        (t.params, t.seed, t.score) for t in fresh.trials[:finished]]
    contents = read_journal(path)  # nothing journaled before the failure is lost
    journaled = len(contents.trials)
    assert [t.number for t in contents.trials] == list(range(journaled))
    assert journaled == failing - 2 or (call == "fsync" and journaled == failing - 1)
    assert call == "fsync" or not contents.finished

    resumed = run(experiment(EXP.square, offset=1.0), RunOptions(resume=True), journal_dir=tmp_path, root=tmp_path)
    assert resumed.status == "passed" and f"resumed: {journaled} trials from the journal" in resumed.notes
    assert [(t.params, t.seed, t.score) for t in resumed.trials] == [(t.params, t.seed, t.score) for t in fresh.trials]


@pytest.mark.parametrize("call", ["write", "fsync"])
def test_a_full_disk_when_the_journal_starts_fails_the_experiment_with_one_line(tmp_path, monkeypatch, call):
    _full_disk(monkeypatch, call, 1)
    with pytest.raises(ExperimentFailed, match=(r"^exp_run.py::tune: cannot write its journal sub/exp_run\.py_tune-"
                                                r"\w+\.jsonl: \[Errno 28\] No space left on device$")):
        run(experiment(EXP.square, offset=1.0), journal_dir=tmp_path / "sub", root=tmp_path)


def test_a_journal_folder_that_cannot_be_made_fails_the_experiment_with_one_line(tmp_path):
    (tmp_path / "journal").write_text("a file where the folder should be")
    with pytest.raises(ExperimentFailed, match=r"^exp_run.py::tune: cannot write its journal "
                                               r"journal/exp_run\.py_tune-\w+\.jsonl: \[Errno \d+\] [^:]+$"):
        run(experiment(EXP.square, offset=1.0), journal_dir=tmp_path / "journal", root=tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions that apply (not root)")
def test_a_read_only_journal_folder_fails_the_experiment_with_one_line(tmp_path):
    folder = tmp_path / "journal"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ExperimentFailed, match=r"cannot write its journal .*: \[Errno 13\] Permission denied$"):
            run(experiment(EXP.square, offset=1.0), journal_dir=folder, root=tmp_path)
    finally:
        folder.chmod(0o700)


def test_resume_reruns_a_trial_journaled_as_running_and_refuses_one_outside_the_space(tmp_path):
    fresh = run(experiment(EXP.square, offset=1.0))
    run(experiment(EXP.square, offset=1.0), RunOptions(trials=4), journal_dir=tmp_path)
    path = journal_path(tmp_path, "exp_run.py::tune")
    lines = path.read_text().splitlines()
    lines[-2] = lines[-2].replace('"COMPLETE"', '"RUNNING"')  # trial 3, in flight when the run stopped
    path.write_text("\n".join(lines[:-1]) + "\n")
    resumed = run(experiment(EXP.square, offset=1.0), RunOptions(resume=True), journal_dir=tmp_path, root=tmp_path)
    assert "resumed: 3 trials from the journal" in resumed.notes
    assert [(t.params, t.seed, t.score) for t in resumed.trials] == [(t.params, t.seed, t.score) for t in fresh.trials]

    lines = path.read_text().splitlines()
    lines[2] = lines[2].replace('"x": ', '"x": -', 1)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ExperimentFailed, match=(r"^exp_run.py::tune: cannot resume \(run without --resume to start "
                                                r"afresh\): exp_run\.py_tune-\w+\.jsonl:3: params\['x'\]: "
                                                r"-0\.\d+ is outside Real\(0\.0, 1\.0\)$")):
        run(experiment(EXP.square, offset=1.0), RunOptions(resume=True), journal_dir=tmp_path, root=tmp_path)


def test_recheck_refuses_a_baseline_whose_best_is_outside_todays_space():
    saved = run(experiment(EXP.square, offset=1.0))
    moved = dataclasses.replace(saved, trials=[dataclasses.replace(t, params={"x": 5.0}) for t in saved.trials])
    document = ResultsDocument(experiments=[moved])
    with pytest.raises(ExperimentFailed, match=r"the baseline's best x=5\.0 is outside the space's Real\(0\.0, 1\.0\): "
                                               r"save a new baseline"):
        run(experiment(EXP.square, offset=1.0), RunOptions(recheck=document, baseline=document))


def test_a_second_run_of_an_experiment_whose_journal_is_held_runs_on_a_journal_of_its_own(tmp_path):
    """A fresh search goes on beside the run holding the journal; a resume of it is refused with one line."""
    from tunekit.journal import JournalLock, journal_path, read_journal

    exp = experiment(EXP.square, offset=1.0)
    held = journal_path(tmp_path, exp.id)
    lock = JournalLock.acquire(held)  # another run searching this experiment
    try:
        with pytest.raises(ExperimentFailed, match=r"^exp_run\.py::tune: another tunekit run is searching this "
                                                   r"experiment now \(its journal .*\.jsonl is locked\): wait for it "
                                                   r"to finish, then --resume again$"):
            run(exp, RunOptions(resume=True), journal_dir=tmp_path, root=tmp_path)
        beside = run(exp, journal_dir=tmp_path, root=tmp_path)
    finally:
        lock.release()
    assert beside.status == "passed"
    (side,) = [p for p in tmp_path.glob("*.jsonl") if p != held]
    assert side.name.startswith(held.stem + ".") and len(read_journal(side).trials) == len(beside.trials)
    assert f"another run is searching this experiment now: journaled to {side.name} instead" in beside.notes
    assert not held.exists()  # the other run's journal is untouched
    assert run(exp, journal_dir=tmp_path, root=tmp_path).status == "passed"  # released: runs again
    assert run(exp, RunOptions(resume=True, trials=8), journal_dir=tmp_path, root=tmp_path).status == "passed"
