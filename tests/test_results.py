"""Results records and their JSON form: lossless round trips, atomic writes, and a loader that refuses
malformed documents with an error naming the offending field."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
import stat
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tunekit import results
from tunekit.errors import ResultsError
from tunekit.results import SCHEMA, ExperimentResult, ExperimentStatus, ResultsDocument
from tunekit.trial import TrialResult, TrialState

# --- strategies ----------------------------------------------------------------------------------

_int = st.integers(-2**63, 2**63)
_float = st.floats(allow_nan=False, allow_infinity=False)
_scalar = st.one_of(st.none(), st.booleans(), _int, _float, st.text(max_size=10))
#: Any JSON value (integers kept to 64 bits; huge ones have their own test below).
json_values = st.recursive(
    _scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=12,
)
json_objects = st.dictionaries(st.text(max_size=6), json_values, max_size=4)

_spaces = st.sampled_from([
    {"lr": {"type": "real", "low": 1e-4, "high": 1.0, "log": True}},
    {"n": {"type": "integer", "low": 1, "high": 50, "log": False, "grid": [1, 10, 50]},
     "kernel": {"type": "categorical", "choices": ["rbf", "linear", None, 3, True]}},
    {"alpha": {"type": "real", "low": -1, "high": 1, "log": False, "grid": 3}},
])
_STATES = [TrialState.COMPLETE, TrialState.FAIL, TrialState.PRUNED]


@st.composite
def trials(draw, number):
    state = draw(st.sampled_from(_STATES))
    score = draw(_float if state is TrialState.COMPLETE else st.one_of(st.none(), _float))
    return TrialResult(
        number=number,
        params=draw(st.dictionaries(st.from_regex(r"[a-z]{1,5}", fullmatch=True), _scalar, max_size=3)),
        state=state,
        score=score,
        score_std=draw(st.one_of(st.none(), st.floats(min_value=0, max_value=1e300))),
        folds=draw(st.one_of(st.none(), st.lists(_float, min_size=1, max_size=5))),
        metrics=draw(json_objects),
        duration_s=draw(st.floats(min_value=0, max_value=1e7)),
        error=draw(st.one_of(st.none(), st.text(max_size=20))),
        seed=draw(st.one_of(st.none(), st.integers(0, 2**63 - 1))),
        warm_start=draw(st.booleans()),
    )


@st.composite
def experiments(draw, exp_id):
    numbers = draw(st.lists(st.integers(0, 10**6), unique=True, max_size=6))
    return ExperimentResult(
        id=exp_id,
        strategy=draw(st.sampled_from(["grid", "random", "bayes"])),
        direction=draw(st.sampled_from(["maximize", "minimize"])),
        seed=draw(st.integers(0, 2**32)),
        budget=draw(st.fixed_dictionaries({"trials": st.integers(1, 1000)})),
        space=draw(_spaces),
        trials=[draw(trials(n)) for n in numbers],
        status=draw(st.sampled_from(ExperimentStatus.ALL)),
        duration_s=draw(st.floats(min_value=0, max_value=1e7)),
        stop_reason=draw(st.sampled_from(["budget", "timeout", "grid exhausted", "error"])),
        error=draw(st.one_of(st.none(), st.text(max_size=20))),
        notes=draw(st.lists(st.text(max_size=10), max_size=3)),
    )


@st.composite
def documents(draw):
    ids = draw(st.lists(st.text(min_size=1, max_size=12), unique=True, max_size=3))
    return ResultsDocument(
        experiments=[draw(experiments(i)) for i in ids],
        tunekit_version=draw(st.text(max_size=8)),
        created=draw(st.text(max_size=25)),
        machine_info=draw(json_objects),
        commit_info=draw(json_objects),
    )


def _trial(number, state, score=None, **kw):
    return TrialResult(number=number, params={"lr": 0.1 * (number + 1), "kernel": "rbf"}, state=state,
                       score=score, **kw)


def sample_document():
    """A small valid document: two experiments with COMPLETE, FAIL and PRUNED trials."""
    exp_a = ExperimentResult(
        id="experiments/exp_svc.py::svc", strategy="random", direction="maximize", seed=3,
        budget={"trials": 4},
        space={"lr": {"type": "real", "low": 0.001, "high": 1.0, "log": True},
               "kernel": {"type": "categorical", "choices": ["rbf", "linear"]}},
        trials=[_trial(0, TrialState.COMPLETE, 0.8, score_std=0.05, folds=[0.75, 0.85], metrics={"f1": 0.7},
                       warm_start=True),
                _trial(1, TrialState.FAIL, error="ValueError: bad (exp_svc.py:12)"),
                _trial(2, TrialState.PRUNED, 0.3),
                _trial(3, TrialState.COMPLETE, 0.9, duration_s=1.25, seed=99)],
        duration_s=3.5)
    exp_b = ExperimentResult(
        id="experiments/exp_knn.py::knn", strategy="grid", direction="minimize", seed=0,
        budget={"trials": 1}, space={"k": {"type": "integer", "low": 1, "high": 5}},
        trials=[_trial(0, TrialState.FAIL, error="boom")], status=ExperimentStatus.FAILED,
        notes=["all trials failed"])
    return ResultsDocument(experiments=[exp_a, exp_b], tunekit_version="0.1.0",
                           created="2026-01-01T00:00:00+00:00", machine_info={"cpu": 8}, commit_info={})


# --- 5. round trips ------------------------------------------------------------------------------

@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents())
def test_dumps_loads_round_trip(doc):
    text = results.dumps(doc)
    loaded = results.loads(text)
    assert results.to_dict(loaded) == results.to_dict(doc)
    assert [e.id for e in loaded.experiments] == [e.id for e in doc.experiments]
    for before, after in zip(doc.experiments, loaded.experiments, strict=True):
        assert [t.state for t in after.trials] == [t.state for t in before.trials]
        assert all(isinstance(t.state, TrialState) for t in after.trials)
        assert (after.best is None) == (before.best is None)
        if before.best is not None:
            assert after.best.number == before.best.number
    # A second trip changes nothing more: the JSON text is a fixed point.
    assert results.dumps(results.loads(results.dumps(loaded))) == results.dumps(loaded)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exp=experiments("exp::one"))
def test_experiment_dict_round_trip(exp):
    data = json.loads(json.dumps(results.experiment_to_dict(exp)))
    again = results.experiment_from_dict(data)
    assert results.experiment_to_dict(again) == results.experiment_to_dict(exp)


def test_round_trip_of_the_sample_document_keeps_every_field():
    doc = sample_document()
    loaded = results.loads(results.dumps(doc))
    assert loaded.tunekit_version == "0.1.0" and loaded.machine_info == {"cpu": 8}
    exp = loaded.get("experiments/exp_svc.py::svc")
    assert exp is not None and loaded.get("nope") is None
    assert exp.best.number == 3 and exp.best.score == 0.9
    assert exp.trials[0].folds == [0.75, 0.85] and exp.trials[0].metrics == {"f1": 0.7}
    assert exp.trials[1].error == "ValueError: bad (exp_svc.py:12)"
    assert exp.trials[3].seed == 99 and exp.trials[3].duration_s == 1.25
    assert [t.warm_start for t in exp.trials] == [True, False, False, False]
    assert exp.count(TrialState.COMPLETE) == 2 and exp.count(TrialState.FAIL) == 1
    assert [t.number for t in exp.ranked()] == [3, 0]
    knn = loaded.experiments[1]
    assert knn.best is None and knn.status == "failed" and knn.notes == ["all trials failed"]
    assert loaded.experiments[0].trials == doc.experiments[0].trials


def test_warm_start_is_optional_on_read():
    """Files written before warm start existed have no ``warm_start`` field: their trials are not start points."""
    data = _valid()
    for exp in data["experiments"]:
        for trial in exp["trials"]:
            del trial["warm_start"]
    loaded = results.from_dict(data)
    assert not any(t.warm_start for e in loaded.experiments for t in e.trials)
    assert results.to_dict(loaded)["experiments"][0]["trials"][0]["warm_start"] is False


@settings(max_examples=100)
@given(scores=st.lists(st.one_of(st.none(), st.integers(-5, 5).map(float)), max_size=8),
       direction=st.sampled_from(["maximize", "minimize"]))
def test_best_is_the_earliest_trial_with_the_best_score(scores, direction):
    trial_list = [_trial(i, TrialState.FAIL if s is None else TrialState.COMPLETE, s)
                  for i, s in enumerate(scores)]
    best = results.best_trial(trial_list, direction)
    done = [(i, s) for i, s in enumerate(scores) if s is not None]
    if not done:
        assert best is None
        return
    target = (max if direction == "maximize" else min)(s for _, s in done)
    assert best.score == target
    assert best.number == min(i for i, s in done if s == target)


def test_durations_keep_microsecond_precision():
    doc = sample_document()
    exp = doc.experiments[0]
    exp.duration_s = 12.3456789
    exp.trials[0] = _trial(0, TrialState.COMPLETE, 0.8, duration_s=0.0123456789)
    loaded = results.loads(results.dumps(doc)).experiments[0]
    assert loaded.duration_s == pytest.approx(12.3456789, abs=5e-7)
    assert loaded.trials[0].duration_s == pytest.approx(0.0123456789, abs=5e-7)


def test_dumps_is_strict_json():
    text = results.dumps(sample_document())
    data = json.loads(text, parse_constant=lambda name: pytest.fail(f"non-strict JSON constant {name}"))
    assert data["schema"] == SCHEMA
    assert text.endswith("\n")


# --- 5b. atomic writes ------------------------------------------------------------------------------

def test_dump_writes_atomically_and_replaces_an_existing_file(tmp_path):
    path = tmp_path / "results.json"
    path.write_text("old contents that are not even JSON")
    doc = sample_document()
    results.dump(doc, path)
    assert sorted(os.listdir(tmp_path)) == ["results.json"]  # no temporary file left behind
    assert results.to_dict(results.load(path)) == results.to_dict(doc)
    doc.experiments.pop()
    results.dump(doc, path)
    assert sorted(os.listdir(tmp_path)) == ["results.json"]
    assert [e.id for e in results.load(path).experiments] == ["experiments/exp_svc.py::svc"]


def test_dump_creates_missing_directories(tmp_path):
    path = tmp_path / "a" / "b" / "results.json"
    results.dump(sample_document(), path)
    assert os.listdir(path.parent) == ["results.json"]
    results.load(path)


def test_failed_dump_leaves_the_old_file_intact_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    results.dump(sample_document(), path)
    before = path.read_text()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(results.os, "replace", broken_replace)
    empty = ResultsDocument(experiments=[])
    with pytest.raises(ResultsError, match="cannot write results: No space left on device"):
        results.dump(empty, path)
    assert path.read_text() == before
    assert os.listdir(tmp_path) == ["results.json"]


def test_dump_into_an_unwritable_place_raises_results_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ResultsError, match="cannot write results"):
        results.dump(sample_document(), blocker / "results.json")


# --- 5c. written files get the mode open() would give them, and the umask stays as it was -------------

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes and the umask are POSIX notions")


def _umask_in_proc_status() -> bool:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return any(line.startswith("Umask:") for line in status)
    except OSError:
        return False


@contextlib.contextmanager
def _umask(mask):
    before = os.umask(mask)
    try:
        yield
    finally:
        os.umask(before)


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@posix_only
@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002, 0o027])
def test_written_files_get_the_mode_open_would_give_them(tmp_path, mask):
    with _umask(mask):
        results.write_atomic(tmp_path / "written.json", "{}\n")
        (tmp_path / "opened.json").write_text("{}\n")
        assert os.umask(mask) == mask  # the write left the umask as it found it
    assert _mode(tmp_path / "written.json") == _mode(tmp_path / "opened.json") == 0o666 & ~mask


@posix_only
def test_the_umask_at_the_time_of_writing_counts(tmp_path):
    path = tmp_path / "results.json"
    with _umask(0o077):
        results.dump(sample_document(), path)
    assert _mode(path) == 0o600
    with _umask(0o022):
        results.dump(sample_document(), path)
    assert _mode(path) == 0o644


def test_importing_results_leaves_the_umask_alone():
    code = ("import os\n"
            "calls = []\n"
            "real = os.umask\n"
            "os.umask = lambda mask: calls.append(mask) or real(mask)\n"
            "import tunekit.results\n"
            "assert calls == [], calls\n")
    root = os.path.dirname(os.path.dirname(os.path.abspath(results.__file__)))
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(not _umask_in_proc_status(), reason="needs the Umask line of /proc/self/status (Linux 4.7+)")
def test_on_linux_the_umask_is_read_without_setting_it(tmp_path, monkeypatch):
    def no_umask(mask):
        raise AssertionError("os.umask changes the umask of every thread")

    with _umask(0o027):
        monkeypatch.setattr(results.os, "umask", no_umask)
        results.write_atomic(tmp_path / "results.json", "{}\n")
        monkeypatch.undo()
    assert _mode(tmp_path / "results.json") == 0o640


@posix_only
@pytest.mark.parametrize("status", [None, "Name:\tpython\nState:\tR (running)\n", "Umask:\tnot octal\n"])
def test_without_a_readable_umask_line_it_is_set_and_restored(tmp_path, status):
    status_file = tmp_path / "status"
    if status is not None:
        status_file.write_text(status)
    with _umask(0o027):
        assert results._current_umask(str(status_file)) == 0o027
        assert os.umask(0o027) == 0o027


# --- 6. the loader rejects malformed documents, naming the field -------------------------------------

def _valid():
    return json.loads(results.dumps(sample_document()))


def _exp(d, i=0):
    return d["experiments"][i]


def _tr(d, t, i=0):
    return d["experiments"][i]["trials"][t]


def _set(getter, key, value):
    def mutate(d):
        getter(d)[key] = value
    return mutate


def _del(getter, key):
    def mutate(d):
        del getter(d)[key]
    return mutate


def _root(d):
    return d


def _e0(d):
    return _exp(d)


def _e1(d):
    return _exp(d, 1)


def _t0(d):
    return _tr(d, 0)


def _t1(d):
    return _tr(d, 1)


MUTATIONS = [
    # document level
    pytest.param(_del(_root, "experiments"), "experiments", "missing", id="no-experiments"),
    pytest.param(_set(_root, "experiments", {}), "experiments", "expected an array", id="experiments-object"),
    pytest.param(_set(_root, "schema", "tunekit.results/2"), "schema", "tunekit.results/1", id="wrong-schema"),
    pytest.param(_del(_root, "schema"), "schema", "not a tunekit results file", id="no-schema"),
    pytest.param(_set(_root, "schema", 1), "schema", "expected", id="schema-number"),
    pytest.param(_set(_root, "created", 5), "created", "expected a string", id="created-number"),
    pytest.param(_set(_root, "tunekit_version", None), "tunekit_version", "expected a string", id="version-null"),
    pytest.param(_set(_root, "machine_info", []), "machine_info", "expected an object", id="machine-info-array"),
    pytest.param(_set(_root, "commit_info", "abc"), "commit_info", "expected an object", id="commit-info-str"),
    pytest.param(lambda d: d["experiments"].append(3), "experiments[2]", "expected an object",
                 id="experiment-not-object"),
    pytest.param(lambda d: _e1(d).update(id=_e0(d)["id"]), "experiments", "duplicate experiment id",
                 id="duplicate-experiment-ids"),
    # experiment level
    pytest.param(_set(_e0, "id", ""), "experiments[0].id", "non-empty string", id="empty-id"),
    pytest.param(_del(_e1, "id"), "experiments[1].id", "missing", id="no-id"),
    pytest.param(_set(_e0, "direction", "max"), "experiments[0].direction", "maximize", id="bad-direction"),
    pytest.param(_set(_e0, "seed", "3"), "experiments[0].seed", "expected an integer", id="seed-str"),
    pytest.param(_set(_e0, "seed", True), "experiments[0].seed", "expected an integer", id="seed-bool"),
    pytest.param(_set(_e0, "seed", 3.0), "experiments[0].seed", "expected an integer", id="seed-float"),
    pytest.param(_set(_e0, "strategy", None), "experiments[0].strategy", "expected a string", id="strategy-null"),
    pytest.param(_set(_e0, "budget", [4]), "experiments[0].budget", "expected an object", id="budget-array"),
    pytest.param(_set(_e0, "status", "ok"), "experiments[0].status", "passed", id="bad-status"),
    pytest.param(_set(_e0, "duration_s", -1), "experiments[0].duration_s", "non-negative", id="negative-duration"),
    pytest.param(_set(_e0, "notes", ["a", 1]), "experiments[0].notes", "array of strings", id="notes-mixed"),
    pytest.param(_set(_e0, "error", 1), "experiments[0].error", "a string or null", id="error-number"),
    pytest.param(_set(_e0, "space", {"lr": {"type": "real", "low": 1, "high": 0}}), "experiments[0].space",
                 "space['lr']", id="space-invalid-dimension"),
    pytest.param(_set(_e0, "space", {"lr": {"type": "real", "low": 0}}), "experiments[0].space", "high",
                 id="space-missing-bound"),
    pytest.param(_set(_e0, "space", {}), "experiments[0].space", "at least one", id="space-empty"),
    pytest.param(_set(_e0, "space", []), "experiments[0].space", "expected an object", id="space-array"),
    pytest.param(_set(_e0, "trials", {}), "experiments[0].trials", "expected an array", id="trials-object"),
    pytest.param(lambda d: _t1(d).update(number=_t0(d)["number"]), "experiments[0].trials",
                 "not unique", id="duplicate-trial-numbers"),
    # best must agree with the trials
    pytest.param(lambda d: _e0(d)["best"].update(number=0), "experiments[0].best", "expected trial 3",
                 id="best-wrong-trial"),
    pytest.param(_set(_e0, "best", None), "experiments[0].best", "expected trial 3", id="best-null"),
    pytest.param(_set(_e1, "best", {"number": 0}), "experiments[1].best", "expected null",
                 id="best-without-complete-trial"),
    pytest.param(_del(_e0, "best"), "experiments[0].best", "missing", id="no-best"),
    pytest.param(_set(_e0, "best", 3), "experiments[0].best", "an object or null", id="best-number"),
    pytest.param(lambda d: _tr(d, 3).update(score=0.1), "experiments[0].best", "expected trial 0",
                 id="score-changed-under-best"),
    # trial level
    pytest.param(lambda d: _e0(d)["trials"].__setitem__(1, "x"), "experiments[0].trials[1]",
                 "expected an object", id="trial-not-object"),
    pytest.param(_del(_t0, "state"), "experiments[0].trials[0].state", "missing", id="no-state"),
    pytest.param(_set(_t0, "state", "DONE"), "experiments[0].trials[0].state", "COMPLETE", id="bad-state"),
    pytest.param(_set(_t0, "state", "complete"), "experiments[0].trials[0].state", "COMPLETE",
                 id="lowercase-state"),
    pytest.param(_set(_t0, "state", 0), "experiments[0].trials[0].state", "one of", id="state-number"),
    pytest.param(_del(_t0, "number"), "experiments[0].trials[0].number", "missing", id="no-number"),
    pytest.param(_set(_t0, "number", -1), "experiments[0].trials[0].number", "non-negative", id="negative-number"),
    pytest.param(_set(_t0, "number", "0"), "experiments[0].trials[0].number", "non-negative", id="number-str"),
    pytest.param(_set(_t0, "number", 1.0), "experiments[0].trials[0].number", "integer", id="number-float"),
    pytest.param(_set(_t0, "score", None), "experiments[0].trials[0].score", "COMPLETE trial needs",
                 id="complete-without-score"),
    pytest.param(_set(_t0, "score", "0.8"), "experiments[0].trials[0].score", "finite number", id="score-str"),
    pytest.param(_set(_t0, "score", True), "experiments[0].trials[0].score", "finite number", id="score-bool"),
    pytest.param(_set(_t0, "score_std", "x"), "experiments[0].trials[0].score_std", "finite number",
                 id="score-std-str"),
    pytest.param(_set(_t0, "folds", []), "experiments[0].trials[0].folds", "non-empty", id="folds-empty"),
    pytest.param(_set(_t0, "folds", [0.5, "x"]), "experiments[0].trials[0].folds", "finite numbers",
                 id="folds-str"),
    pytest.param(_set(_t0, "folds", 0.5), "experiments[0].trials[0].folds", "array", id="folds-number"),
    pytest.param(_del(_t0, "params"), "experiments[0].trials[0].params", "missing", id="no-params"),
    pytest.param(_set(_t0, "params", []), "experiments[0].trials[0].params", "an object", id="params-array"),
    pytest.param(lambda d: _t0(d)["params"].update(lr=[1, 2]), "experiments[0].trials[0].params.lr",
                 "string, number, boolean or null", id="param-array"),
    pytest.param(lambda d: _t0(d)["params"].update(lr={}), "experiments[0].trials[0].params.lr",
                 "got object", id="param-object"),
    pytest.param(_set(_t0, "metrics", []), "experiments[0].trials[0].metrics", "an object", id="metrics-array"),
    pytest.param(_set(_t0, "duration_s", -0.5), "experiments[0].trials[0].duration_s", "non-negative",
                 id="trial-negative-duration"),
    pytest.param(_set(_t1, "error", ["boom"]), "experiments[0].trials[1].error", "a string or null",
                 id="trial-error-array"),
    pytest.param(_set(_t0, "seed", 1.5), "experiments[0].trials[0].seed", "an integer or null",
                 id="trial-seed-float"),
    pytest.param(_set(_t0, "warm_start", 1), "experiments[0].trials[0].warm_start", "a boolean",
                 id="trial-warm-start-number"),
    pytest.param(lambda d: _tr(d, 0, 1).update(state="RUNNING?"), "experiments[1].trials[0].state", "one of",
                 id="second-experiment-bad-state"),
]


@pytest.mark.parametrize(("mutate", "path", "fragment"), MUTATIONS)
def test_mutated_document_is_rejected_naming_the_field(mutate, path, fragment):
    data = _valid()
    results.from_dict(data)  # the unmutated document is fine
    mutate(data)
    with pytest.raises(ResultsError) as info:
        results.from_dict(data, source="base.json")
    message = str(info.value)
    assert message.startswith(f"base.json: {path}: "), message
    assert fragment in message
    # Same verdict through the text loader, which names its source the same way.
    with pytest.raises(ResultsError, match=f"^mem: {re.escape(path)}: "):
        results.loads(json.dumps(data), source="mem")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_score_text_is_rejected(constant):
    text = results.dumps(sample_document()).replace('"score": 0.8,', f'"score": {constant},', 1)
    assert constant in text
    with pytest.raises(ResultsError) as info:
        results.loads(text, source="run.json")
    message = str(info.value)
    assert message.startswith("run.json: not valid JSON")
    assert constant.lstrip("-") in message


@pytest.mark.parametrize(("text", "fragment"), [
    ("[]", "document: expected an object, got array"),
    ("42", "document: expected an object, got integer"),
    ("null", "document: expected an object, got null"),
    ('"results"', "document: expected an object, got string"),
    ("{", "not valid JSON"),
    ("", "not valid JSON"),
    ('{"schema": "tunekit.results/1", "experiments": []} trailing', "not valid JSON"),
    ("[" * 100_000, "not valid JSON"),
])
def test_non_document_text_is_rejected(text, fragment):
    with pytest.raises(ResultsError) as info:
        results.loads(text, source="x.json")
    assert str(info.value).startswith("x.json: ")
    assert fragment in str(info.value)


def test_an_empty_document_is_valid():
    doc = results.loads('{"schema": "tunekit.results/1", "experiments": []}')
    assert doc.experiments == [] and doc.machine_info == {} and doc.created == ""


def test_load_reports_missing_and_unreadable_files(tmp_path):
    missing = tmp_path / "nope.json"
    with pytest.raises(ResultsError, match="no such file") as info:
        results.load(missing)
    assert str(missing) in str(info.value)
    with pytest.raises(ResultsError, match="cannot read"):
        results.load(tmp_path)  # a directory
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ResultsError, match="cannot read"):
        results.load(binary)
    bad = tmp_path / "bad.json"
    data = _valid()
    _t0(data)["state"] = "DONE"
    bad.write_text(json.dumps(data))
    with pytest.raises(ResultsError) as info:
        results.load(bad)
    assert str(info.value).startswith(f"{bad}: experiments[0].trials[0].state: ")


@pytest.mark.parametrize("field", ["score", "duration_s", "score_std"])
def test_huge_integer_in_a_number_field_is_a_results_error(field):
    data = _valid()
    _t0(data)[field] = 10**400  # valid JSON: a 401-digit integer literal
    text = json.dumps(data)
    assert "1" + "0" * 400 in text
    with pytest.raises(ResultsError, match=f"experiments\\[0\\].trials\\[0\\].{field}"):
        results.loads(text)


@pytest.mark.parametrize("state", [[], ["COMPLETE"], {}])
def test_unhashable_state_is_a_results_error(state):
    data = _valid()
    _t0(data)["state"] = state
    with pytest.raises(ResultsError, match=r"experiments\[0\]\.trials\[0\]\.state: "):
        results.from_dict(data)


# --- 6b. fuzz: anything either loads or raises ResultsError -------------------------------------------

def _load_or_results_error(value):
    try:
        doc = results.from_dict(value)
    except ResultsError as exc:
        assert str(exc)
        return None
    # What loads is valid: it survives its own round trip.
    assert results.to_dict(results.loads(results.dumps(doc))) == results.to_dict(doc)
    return doc


@settings(max_examples=60, deadline=None)
@given(value=json_values)
def test_fuzz_arbitrary_json_is_loaded_or_rejected(value):
    _load_or_results_error(value)
    try:
        results.loads(json.dumps(value))
    except ResultsError:
        pass


@settings(max_examples=60, deadline=None)
@given(experiments=st.lists(st.one_of(json_values, json_objects), max_size=3))
def test_fuzz_documents_with_the_right_schema_are_loaded_or_rejected(experiments):
    _load_or_results_error({"schema": SCHEMA, "experiments": experiments})


def _paths(value, prefix=()):
    """Every path (tuple of keys and indices) inside a JSON value."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*prefix, i))


_VALID_PATHS = [p for p in _paths(_valid()) if p]


@settings(max_examples=150, deadline=None)
@given(path=st.sampled_from(_VALID_PATHS), action=st.sampled_from(["replace", "delete"]), new=json_values)
def test_fuzz_mutating_any_field_of_a_valid_document_is_loaded_or_rejected(path, action, new):
    data = _valid()
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    if action == "delete":
        del parent[path[-1]]
    else:
        parent[path[-1]] = copy.deepcopy(new)
    _load_or_results_error(data)


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=40))
def test_fuzz_arbitrary_text_is_loaded_or_rejected(text):
    try:
        results.loads(text)
    except ResultsError:
        pass


def test_fuzzed_paths_cover_every_trial_field():
    """Guard against the mutation fuzz silently losing its reach (e.g. if the sample document shrank)."""
    names = {p[-1] for p in _VALID_PATHS if isinstance(p[-1], str)}
    assert {"state", "score", "folds", "params", "metrics", "best", "space", "schema", "number"} <= names
