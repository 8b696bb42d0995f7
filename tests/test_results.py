"""Results records and their JSON form: lossless round trips, atomic writes, and a loader that refuses
malformed documents with an error naming the offending field."""

from __future__ import annotations

import contextlib
import copy
import json
import math
import os
import re
import stat
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, assume, given, settings
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
#: What an objective's returned dict may hold besides the score (see ``parse_objective_value``).
_metric_values = st.one_of(_scalar, st.lists(_float, max_size=4))
_STOP_REASONS = ["budget", "exhausted", "interrupted", "timeout", "patience", "target"]


def _legal_values(dimension):
    """Values of one dimension of a space as results files describe it."""
    if dimension["type"] == "real":
        return st.floats(min_value=dimension["low"], max_value=dimension["high"])
    if dimension["type"] == "integer":
        return st.integers(dimension["low"], dimension["high"])
    return st.sampled_from(dimension["choices"])


def _params(space):
    return st.fixed_dictionaries({name: _legal_values(dim) for name, dim in space.items()})


@st.composite
def _intermediate(draw):
    steps = sorted(draw(st.lists(st.integers(0, 10**9), unique=True, min_size=1, max_size=5)))
    return [(step, draw(_float)) for step in steps]


@st.composite
def trials(draw, number, space):
    state = draw(st.sampled_from(_STATES))
    score = {TrialState.COMPLETE: _float, TrialState.PRUNED: st.one_of(st.none(), _float),
             TrialState.FAIL: st.none()}[state]
    return TrialResult(
        number=number,
        params=draw(_params(space)),
        state=state,
        score=draw(score),
        score_std=draw(st.one_of(st.none(), st.floats(min_value=0, max_value=1e300))),
        folds=draw(st.one_of(st.none(), st.lists(_float, min_size=1, max_size=5))),
        metrics=draw(st.dictionaries(st.text(max_size=6), _metric_values, max_size=4)),
        duration_s=draw(st.floats(min_value=0, max_value=1e7)),
        error=draw(st.one_of(st.none(), st.text(max_size=20))),
        seed=draw(st.one_of(st.none(), st.integers(0, 2**63 - 1))),
        intermediate=draw(st.one_of(st.none(), _intermediate())),
        warm_start=draw(st.booleans()),
    )


def _with_values(draw, trial, objectives):
    """``trial`` of an experiment with ``objectives``: a complete one gets every objective's value, the first its
    score (values on a small grid, so that ties and dominated trials are common)."""
    if not objectives or trial.state is not TrialState.COMPLETE:
        return trial
    first, *others = objectives
    values = {first: trial.score, **{name: float(draw(st.integers(0, 3))) for name in others}}
    return TrialResult(**{**trial.__dict__, "values": values})


@st.composite
def experiments(draw, exp_id):
    numbers = draw(st.lists(st.integers(0, 10**6), unique=True, max_size=6))
    space = draw(_spaces)
    direction = draw(st.sampled_from(["maximize", "minimize"]))
    objectives = {}
    if draw(st.booleans()):  # an experiment with several objectives, the first one's direction the experiment's
        others = draw(st.lists(st.sampled_from(["seconds", "size", "memory"]), unique=True, min_size=1, max_size=2))
        objectives = {"accuracy": direction, **{name: draw(st.sampled_from(["maximize", "minimize"]))
                                                for name in others}}
    limits = draw(st.dictionaries(st.sampled_from(list(objectives)), st.integers(0, 3).map(float))) if (
        objectives) else {}
    return ExperimentResult(
        id=exp_id,
        strategy=draw(st.sampled_from(["grid", "random", "bayes"])),
        direction=direction,
        objectives=objectives,
        limits=limits,
        objective_tolerances=draw(st.dictionaries(st.sampled_from(list(objectives)[1:]),
                                                  st.sampled_from(["0.01", "2%"]))) if objectives else {},
        seed=draw(st.integers(0, 2**32)),
        budget=draw(st.fixed_dictionaries({"trials": st.integers(1, 1000)})),
        space=space,
        trials=[_with_values(draw, draw(trials(n, space)), objectives) for n in numbers],
        status=draw(st.sampled_from(ExperimentStatus.ALL)),
        duration_s=draw(st.floats(min_value=0, max_value=1e7)),
        stop_reason=draw(st.sampled_from(_STOP_REASONS)),
        error=draw(st.one_of(st.none(), st.text(max_size=20))),
        notes=draw(st.lists(st.text(max_size=10), max_size=3)),
        tolerance=draw(st.one_of(st.none(), st.sampled_from(["0.01", "2%"]))),
        pruner=draw(st.one_of(st.none(), st.fixed_dictionaries(
            {"name": st.sampled_from(["asha", "median", "none"]), "options": json_objects}))),
    )


_MACHINE_TEXT = ["node", "system", "release", "machine", "python_implementation", "python_version"]
_COMMIT_KEYS = ["id", "dirty", "branch"]


def _with_extra_keys(documented, known):
    """The documented keys (each maybe absent) plus undocumented ones of any JSON value (fields get added)."""
    extra = json_objects.map(lambda d: {k: v for k, v in d.items() if k not in known})
    return st.tuples(st.fixed_dictionaries({}, optional=documented), extra).map(lambda p: {**p[1], **p[0]})


_machine_info = _with_extra_keys(
    {**{key: st.text(max_size=8) for key in _MACHINE_TEXT},
     "cpu_count": st.one_of(st.none(), st.integers(1, 1024)),
     "libraries": st.dictionaries(st.text(max_size=8), st.one_of(st.none(), st.text(max_size=8)), max_size=3)},
    {*_MACHINE_TEXT, "cpu_count", "libraries"})
_commit_info = _with_extra_keys(
    {"id": st.one_of(st.none(), st.text(max_size=40)), "dirty": st.one_of(st.none(), st.booleans()),
     "branch": st.one_of(st.none(), st.text(max_size=8))},
    set(_COMMIT_KEYS))


@st.composite
def documents(draw):
    ids = draw(st.lists(st.text(min_size=1, max_size=12), unique=True, max_size=3))
    return ResultsDocument(
        experiments=[draw(experiments(i)) for i in ids],
        tunekit_version=draw(st.text(max_size=8)),
        created=draw(st.text(max_size=25)),
        machine_info=draw(_machine_info),
        commit_info=draw(_commit_info),
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
                _trial(2, TrialState.PRUNED, 0.3, intermediate=[(1, 0.5), (2, 0.3)]),
                _trial(3, TrialState.COMPLETE, 0.9, duration_s=1.25, seed=99)],
        duration_s=3.5, tolerance="2%", pruner={"name": "median", "options": {"warmup": 1}})
    exp_b = ExperimentResult(
        id="experiments/exp_knn.py::knn", strategy="grid", direction="minimize", seed=0,
        budget={"trials": 1}, space={"k": {"type": "integer", "low": 1, "high": 5}},
        trials=[TrialResult(number=0, params={"k": 2}, state=TrialState.FAIL, error="boom")],
        status=ExperimentStatus.FAILED,
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


def _t2(d):
    return _tr(d, 2)


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
    # --- checks of issue 13 (item 8): every documented field, typed and in range ---
    # provenance
    pytest.param(lambda d: d["machine_info"].update(cpu_count="8"), "machine_info.cpu_count",
                 "expected a positive integer or null", id="cpu-count-str"),
    pytest.param(lambda d: d["machine_info"].update(cpu_count=0), "machine_info.cpu_count",
                 "expected a positive integer or null", id="cpu-count-zero"),
    pytest.param(lambda d: d["machine_info"].update(node=5), "machine_info.node", "expected a string",
                 id="machine-node-number"),
    pytest.param(lambda d: d["machine_info"].update(python_version=None), "machine_info.python_version",
                 "expected a string", id="machine-python-version-null"),
    pytest.param(lambda d: d["machine_info"].update(libraries=["numpy"]), "machine_info.libraries",
                 "expected an object", id="machine-libraries-array"),
    pytest.param(lambda d: d["machine_info"].update(libraries={"numpy": 2}), "machine_info.libraries.numpy",
                 "expected a version string or null", id="machine-library-version-number"),
    pytest.param(lambda d: d["commit_info"].update(id=123), "commit_info.id", "expected a string or null",
                 id="commit-id-number"),
    pytest.param(lambda d: d["commit_info"].update(dirty="yes"), "commit_info.dirty",
                 "expected a boolean or null", id="commit-dirty-str"),
    pytest.param(lambda d: d["commit_info"].update(branch=["main"]), "commit_info.branch",
                 "expected a string or null", id="commit-branch-array"),
    # experiment settings
    pytest.param(_set(_e0, "seed", -1), "experiments[0].seed", "expected an integer >= 0", id="seed-negative"),
    pytest.param(_set(_e0, "budget", {}), "experiments[0].budget.trials", "missing", id="budget-no-trials"),
    pytest.param(_set(_e0, "budget", {"trials": 0}), "experiments[0].budget.trials",
                 "expected a positive integer, got integer 0", id="budget-zero"),
    pytest.param(_set(_e0, "budget", {"trials": -3}), "experiments[0].budget.trials",
                 "expected a positive integer", id="budget-negative"),
    pytest.param(_set(_e0, "budget", {"trials": 4.0}), "experiments[0].budget.trials",
                 "expected a positive integer, got number 4.0", id="budget-float"),
    pytest.param(_set(_e0, "budget", {"trials": "4"}), "experiments[0].budget.trials",
                 "expected a positive integer", id="budget-str"),
    pytest.param(_set(_e0, "budget", {"trials": True}), "experiments[0].budget.trials",
                 "expected a positive integer", id="budget-bool"),
    pytest.param(lambda d: _e0(d).update(status="interrupted", budget={"trials": 0}),
                 "experiments[0].budget.trials", "expected a positive integer", id="budget-zero-with-trials"),
    pytest.param(_set(_e0, "stop_reason", "done"), "experiments[0].stop_reason",
                 "expected one of budget, exhausted, interrupted, timeout, patience, target", id="bad-stop-reason"),
    pytest.param(_set(_e0, "stop_reason", None), "experiments[0].stop_reason", "one of", id="stop-reason-null"),
    pytest.param(_set(_e0, "tolerance", 0.01), "experiments[0].tolerance", "expected a string or null",
                 id="tolerance-number"),
    pytest.param(_set(_e0, "pruner", "median"), "experiments[0].pruner", "expected an object or null",
                 id="pruner-str"),
    pytest.param(lambda d: _e0(d)["pruner"].update(name=3), "experiments[0].pruner.name",
                 "expected a non-empty string", id="pruner-name-number"),
    pytest.param(lambda d: _e0(d)["pruner"].update(name=""), "experiments[0].pruner.name",
                 "expected a non-empty string", id="pruner-name-empty"),
    pytest.param(lambda d: _e0(d)["pruner"].pop("name"), "experiments[0].pruner.name", "missing",
                 id="pruner-no-name"),
    pytest.param(lambda d: _e0(d)["pruner"].update(options=["warmup", 1]), "experiments[0].pruner.options",
                 "expected an object", id="pruner-options-array"),
    pytest.param(lambda d: _e0(d)["pruner"].update(options=None), "experiments[0].pruner.options",
                 "expected an object", id="pruner-options-null"),
    pytest.param(lambda d: _e0(d)["pruner"].pop("options"), "experiments[0].pruner.options", "missing",
                 id="pruner-no-options"),
    # best agrees with its trial field by field
    pytest.param(lambda d: _e0(d)["best"].update(score=0.5), "experiments[0].best.score",
                 "does not match trial 3 (expected 0.9, got 0.5)", id="best-score-differs"),
    pytest.param(lambda d: _e0(d)["best"].update(score_std=0.1), "experiments[0].best.score_std",
                 "does not match trial 3 (expected null, got 0.1)", id="best-score-std-differs"),
    pytest.param(lambda d: _e0(d)["best"]["params"].update(lr=0.5), "experiments[0].best.params",
                 "does not match trial 3", id="best-params-differ"),
    pytest.param(lambda d: _e0(d)["best"]["params"].update(lr=0.4000000001), "experiments[0].best.params",
                 '"lr": 0.4', id="best-params-differ-slightly"),
    pytest.param(lambda d: _e0(d)["best"].pop("score"), "experiments[0].best.score", "missing",
                 id="best-no-score"),
    pytest.param(lambda d: _e0(d)["best"].pop("params"), "experiments[0].best.params", "missing",
                 id="best-no-params"),
    pytest.param(lambda d: _e0(d)["best"].update(score="0.9"), "experiments[0].best.score",
                 "expected a finite number", id="best-score-str"),
    pytest.param(lambda d: _e0(d)["best"].update(score_std=-1), "experiments[0].best.score_std",
                 "expected a non-negative finite number or null", id="best-score-std-negative"),
    # trial parameters against the experiment's space
    pytest.param(lambda d: _t0(d)["params"].pop("lr"), "experiments[0].trials[0].params",
                 "missing parameter 'lr' of the space", id="param-missing"),
    pytest.param(lambda d: _t0(d)["params"].update(depth=3), "experiments[0].trials[0].params.depth",
                 "not a parameter of the space (parameters: lr, kernel)", id="param-unknown"),
    pytest.param(lambda d: _t0(d)["params"].update(lr=2.0), "experiments[0].trials[0].params.lr",
                 "expected a value of Real(0.001, 1.0, log=True), got number 2.0", id="param-out-of-range"),
    pytest.param(lambda d: _t0(d)["params"].update(lr="0.1"), "experiments[0].trials[0].params.lr",
                 'expected a value of Real(0.001, 1.0, log=True), got string "0.1"', id="param-wrong-type"),
    pytest.param(lambda d: _t1(d)["params"].update(kernel="poly"), "experiments[0].trials[1].params.kernel",
                 "expected a value of Categorical(['rbf', 'linear']), got string \"poly\"", id="param-not-a-choice"),
    pytest.param(lambda d: _tr(d, 0, 1)["params"].update(k=2.0), "experiments[1].trials[0].params.k",
                 "expected a value of Integer(1, 5), got number 2.0", id="param-float-for-integer"),
    pytest.param(lambda d: _tr(d, 0, 1)["params"].update(k=True), "experiments[1].trials[0].params.k",
                 "expected a value of Integer(1, 5), got boolean true", id="param-bool-for-integer"),
    pytest.param(lambda d: _tr(d, 0, 1)["params"].update(k=6), "experiments[1].trials[0].params.k",
                 "expected a value of Integer(1, 5), got integer 6", id="param-integer-above-high"),
    pytest.param(lambda d: _tr(d, 2)["params"].update(lr=0.0001), "experiments[0].trials[2].params.lr",
                 "expected a value of Real(", id="param-below-low-pruned-trial"),
    # trial values
    pytest.param(_set(_t1, "score", 0.5), "experiments[0].trials[1].score",
                 "expected null (a FAIL trial has no score), got 0.5", id="fail-with-score"),
    pytest.param(_set(_t0, "score_std", -0.01), "experiments[0].trials[0].score_std",
                 "expected a non-negative finite number or null", id="score-std-negative"),
    pytest.param(_set(_t0, "folds", [[0.75], [0.85]]), "experiments[0].trials[0].folds", "finite numbers",
                 id="folds-nested"),
    pytest.param(_set(_t0, "folds", [0.75, None]), "experiments[0].trials[0].folds", "finite numbers",
                 id="folds-null-item"),
    pytest.param(_set(_t0, "folds", [0.75, True]), "experiments[0].trials[0].folds", "finite numbers",
                 id="folds-bool-item"),
    pytest.param(_set(_t0, "folds", [10**400]), "experiments[0].trials[0].folds", "finite numbers",
                 id="folds-huge-integer"),
    pytest.param(lambda d: _t0(d)["metrics"].update(f1={"macro": 0.7}), "experiments[0].trials[0].metrics.f1",
                 "expected a string, boolean, null, finite number or flat array of finite numbers, got object",
                 id="metric-object"),
    pytest.param(lambda d: _t0(d)["metrics"].update(f1=[[0.7]]), "experiments[0].trials[0].metrics.f1",
                 "flat array of finite numbers, got array", id="metric-nested-array"),
    pytest.param(lambda d: _t0(d)["metrics"].update(f1=[0.7, "x"]), "experiments[0].trials[0].metrics.f1",
                 "flat array of finite numbers", id="metric-array-of-strings"),
    pytest.param(lambda d: _t0(d)["metrics"].update(f1=10**400), "experiments[0].trials[0].metrics.f1",
                 "finite number", id="metric-huge-integer"),
    pytest.param(_set(_t0, "seed", -1), "experiments[0].trials[0].seed", "an integer or null (an integer >= 0)",
                 id="trial-seed-negative"),
    pytest.param(_set(_t0, "seed", "99"), "experiments[0].trials[0].seed", "an integer or null",
                 id="trial-seed-str"),
    pytest.param(_set(_t0, "number", True), "experiments[0].trials[0].number", "non-negative integer",
                 id="number-bool"),
    pytest.param(_set(_t2, "intermediate", "x"),
                 "experiments[0].trials[2].intermediate", "an array or null", id="intermediate-str"),
    pytest.param(_set(_t2, "intermediate", [[1, 0.5], [1, 0.3]]),
                 "experiments[0].trials[2].intermediate[1]", "steps must increase: step 1 after step 1",
                 id="intermediate-repeated-step"),
    pytest.param(_set(_t2, "intermediate", [[2, 0.5], [1, 0.3]]),
                 "experiments[0].trials[2].intermediate[1]", "steps must increase: step 1 after step 2",
                 id="intermediate-decreasing-step"),
    pytest.param(_set(_t2, "intermediate", [[-1, 0.5]]),
                 "experiments[0].trials[2].intermediate[0]", "a non-negative integer step", id="intermediate-negative"),
    pytest.param(_set(_t2, "intermediate", [[1.5, 0.5]]),
                 "experiments[0].trials[2].intermediate[0]", "integer step", id="intermediate-float-step"),
    pytest.param(_set(_t2, "intermediate", [[True, 0.5]]),
                 "experiments[0].trials[2].intermediate[0]", "integer step", id="intermediate-bool-step"),
    pytest.param(_set(_t2, "intermediate", [[1, "0.5"]]),
                 "experiments[0].trials[2].intermediate[0]", "a finite number", id="intermediate-str-value"),
    pytest.param(_set(_t2, "intermediate", [[1, 0.5, 2]]),
                 "experiments[0].trials[2].intermediate[0]", "expected [step, value]", id="intermediate-triple"),
    pytest.param(_set(_t2, "intermediate", [{"step": 1, "value": 0.5}]),
                 "experiments[0].trials[2].intermediate[0]", "expected [step, value]", id="intermediate-object"),
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


@pytest.mark.parametrize("value, shown", [("null", "null"), ("true", "boolean"), ("3", "integer 3")])
def test_a_wrong_value_is_shown_once(value: str, shown: str) -> None:
    with pytest.raises(ResultsError) as info:
        results.loads(f'{{"schema": "tunekit.results/1", "experiments": {value}}}', source="x.json")
    assert str(info.value).endswith(f"experiments: expected an array, got {shown}")  # not "got null null"


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


_NON_FINITE_PLACES = [
    pytest.param(lambda d, x: _t0(d).update(score=x), "experiments[0].trials[0].score", id="score"),
    pytest.param(lambda d, x: _t0(d).update(score_std=x), "experiments[0].trials[0].score_std", id="score_std"),
    pytest.param(lambda d, x: _t0(d).update(folds=[0.75, x]), "experiments[0].trials[0].folds", id="folds"),
    pytest.param(lambda d, x: _t0(d)["metrics"].update(f1=x), "experiments[0].trials[0].metrics.f1", id="metric"),
    pytest.param(lambda d, x: _t0(d)["metrics"].update(f1=[0.5, x]), "experiments[0].trials[0].metrics.f1",
                 id="metric-array-item"),
    pytest.param(lambda d, x: _t0(d).update(duration_s=x), "experiments[0].trials[0].duration_s",
                 id="trial-duration"),
    pytest.param(lambda d, x: _t2(d).update(intermediate=[[1, x]]), "experiments[0].trials[2].intermediate[0]",
                 id="intermediate-value"),
    pytest.param(lambda d, x: _e0(d).update(duration_s=x), "experiments[0].duration_s", id="experiment-duration"),
    pytest.param(lambda d, x: _e0(d)["best"].update(score=x), "experiments[0].best.score", id="best-score"),
    pytest.param(lambda d, x: _t0(d)["params"].update(lr=x), "experiments[0].trials[0].params.lr", id="param"),
]


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize(("place", "path"), _NON_FINITE_PLACES)
def test_non_finite_numbers_are_rejected_naming_the_field(place, path, value):
    """Strict JSON text cannot hold them, but a parsed document handed to from_dict can."""
    data = _valid()
    place(data, value)
    with pytest.raises(ResultsError) as info:
        results.from_dict(data, source="obj")
    message = str(info.value)
    assert message.startswith(f"obj: {path}: "), message
    assert "finite" in message or "expected a string, number, boolean or null" in message, message


def _recheck_record(data, params):
    exp = _e0(data)
    exp.update(strategy="recheck", budget={"trials": 1}, pruner=None)
    exp["trials"] = [{**exp["trials"][3], "number": 0, "params": params}]
    exp["best"] = {**exp["best"], "number": 0, "params": params}
    return data


def test_a_recheck_record_may_hold_values_the_current_space_no_longer_contains():
    """--recheck re-evaluates a baseline's best parameters under today's space, whose ranges may have
    changed: the record it writes must load, though its parameter names still have to match."""
    data = _recheck_record(_valid(), {"lr": 2.0, "kernel": "poly"})
    exp = results.from_dict(data).experiments[0]
    assert exp.strategy == "recheck" and exp.best.params == {"lr": 2.0, "kernel": "poly"}
    with pytest.raises(ResultsError, match=r"^x: experiments\[0\]\.trials\[0\]\.params: missing parameter 'kernel'"):
        results.from_dict(_recheck_record(_valid(), {"lr": 2.0}), source="x")
    # Any other strategy is held to the space.
    data["experiments"][0]["strategy"] = "random"
    with pytest.raises(ResultsError, match=r"^x: experiments\[0\]\.trials\[0\]\.params\.lr: expected a value of"):
        results.from_dict(data, source="x")


def test_a_record_interrupted_before_its_first_trial_may_have_a_budget_of_zero():
    """A --recheck interrupted before its first re-evaluation records the trials it ran as its budget: 0."""
    data = _valid()
    _e1(data).update(status="interrupted", stop_reason="interrupted", budget={"trials": 0}, trials=[], best=None)
    assert results.from_dict(data).experiments[1].budget == {"trials": 0}
    _e1(data)["status"] = "failed"
    with pytest.raises(ResultsError, match=r"experiments\[1\]\.budget\.trials: expected a positive integer"):
        results.from_dict(data)


def test_fields_written_before_they_existed_are_optional():
    """Optional on read: what older files lack (and an empty provenance)."""
    data = _valid()
    for key in ("machine_info", "commit_info", "created", "tunekit_version"):
        del data[key]
    for exp in data["experiments"]:
        for key in ("pruner", "tolerance", "stop_reason", "notes", "error", "duration_s"):
            del exp[key]
        for trial in exp["trials"]:
            for key in ("intermediate", "warm_start", "seed", "metrics", "folds", "score_std", "error"):
                del trial[key]
    doc = results.from_dict(data)
    assert doc.experiments[0].pruner is None and doc.experiments[0].stop_reason == "budget"
    assert doc.experiments[0].trials[2].intermediate is None


def test_read_trial_and_experiment_from_dict_check_the_same_fields():
    trial = _t1(_valid())
    trial["score"] = 0.5
    with pytest.raises(ResultsError, match=r"^j:3: trial\.score: expected null \(a FAIL trial has no score\)"):
        results.read_trial(trial, "j:3")
    trial = _t2(_valid())
    trial["intermediate"] = [[3, 0.1], [2, 0.2]]
    with pytest.raises(ResultsError, match=r"^<trial>: trial\.intermediate\[1\]: steps must increase"):
        results.read_trial(trial)
    exp = _e0(_valid())
    exp["trials"][0]["params"]["lr"] = 5.0
    with pytest.raises(ResultsError, match=r"^<experiment>: experiment\.trials\[0\]\.params\.lr: expected a value"):
        results.experiment_from_dict(exp)
    exp = _e0(_valid())
    exp["pruner"]["options"] = "warmup=1"
    with pytest.raises(ResultsError, match=r"experiment\.pruner\.options: expected an object, got string"):
        results.experiment_from_dict(exp)


def test_a_baseline_with_out_of_space_best_params_is_refused_at_load(tmp_path):
    """--recheck reads the baseline through load: parameters outside the space stop there, naming the field."""
    data = _valid()
    for holder in (_t0(data), _tr(data, 3), _e0(data)["best"]):
        holder["params"]["lr"] = 3.0
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ResultsError) as info:
        results.load(path)
    assert str(info.value) == (f"{path}: experiments[0].trials[0].params.lr: expected a value of "
                               "Real(0.001, 1.0, log=True), got number 3.0")


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


# --- 6c. fuzz: one broken field in any document the writer makes is rejected, naming that field -----------
# Each break edits a JSON record in place and returns (path below the record, fragment of the message), or
# None where it does not apply to that record.

def _illegal_value(dimension):
    return {"real": dimension.get("high", 0) + 1.0, "integer": dimension.get("high", 0) + 1}.get(
        dimension["type"], "not one of the choices")


def _first_dimension(space):
    return next(iter(space.items()))


def _break_param_value(trial, space):
    name, dimension = _first_dimension(space)
    trial["params"][name] = _illegal_value(dimension)
    return f"params.{name}", "expected a value of"


def _break_param_missing(trial, space):
    name, _ = _first_dimension(space)
    del trial["params"][name]
    return "params", f"missing parameter {name!r} of the space"


def _break_param_unknown(trial, space):
    trial["params"]["zz_extra"] = 1
    return "params.zz_extra", "not a parameter of the space"


def _break_fail_score(trial, space):
    trial.update(state="FAIL", score=1.0)
    return "score", "a FAIL trial has no score"


def _break_complete_score(trial, space):
    trial.update(state="COMPLETE", score=math.nan)
    return "score", "finite number"


def _setter(key, value, suffix, fragment):
    def mutate(record, *_):
        record[key] = copy.deepcopy(value)
        return suffix, fragment
    return mutate


def _break_values(trial, space):
    if trial["state"] != "COMPLETE":
        trial["values"] = {"accuracy": 1.0}
        return "values", "only a COMPLETE trial has objective values"
    trial["values"] = {**trial.get("values", {}), "accuracy": math.inf}
    return "values.accuracy", "expected a finite number"


TRIAL_BREAKS = [
    _break_values,
    _break_param_value, _break_param_missing, _break_param_unknown, _break_fail_score, _break_complete_score,
    _setter("score_std", -1.0, "score_std", "non-negative finite number or null"),
    _setter("score_std", math.inf, "score_std", "non-negative finite number or null"),
    _setter("duration_s", -0.5, "duration_s", "non-negative finite number"),
    _setter("folds", [0.5, [0.5]], "folds", "finite numbers"),
    _setter("folds", [math.nan], "folds", "finite numbers"),
    _setter("seed", -1, "seed", "an integer or null (an integer >= 0)"),
    _setter("metrics", {"m": math.inf}, "metrics.m", "finite number"),
    _setter("metrics", {"m": [[1.0]]}, "metrics.m", "flat array of finite numbers"),
    _setter("metrics", {"m": {"a": 1}}, "metrics.m", "flat array of finite numbers"),
    _setter("intermediate", [[2, 0.0], [2, 1.0]], "intermediate[1]", "steps must increase"),
    _setter("intermediate", [[-1, 0.0]], "intermediate[0]", "non-negative integer step"),
    _setter("intermediate", [[1, math.inf]], "intermediate[0]", "finite number"),
]


def _break_best_score_std(exp):
    if exp["best"] is None:
        return None
    exp["best"]["score_std"] = 1.0 if exp["best"]["score_std"] is None else None
    return "best.score_std", "does not match trial"


def _break_best_params(exp):
    if exp["best"] is None:
        return None
    exp["best"]["params"] = {}
    return "best.params", "does not match trial"


def _break_pruner(key, value, fragment):
    def mutate(exp):
        exp["pruner"] = {"name": "asha", "options": {}, key: value}
        return f"pruner.{key}", fragment
    return mutate


def _break_front(exp):
    if "objectives" not in exp:
        exp["pareto_front"] = []
        return "pareto_front", "unexpected: the experiment has no objectives"
    exp["pareto_front"] = [*exp["pareto_front"], 10**7]
    return "pareto_front", "does not match the trials"


def _break_selected(exp):
    if "objectives" not in exp:
        return None
    exp["selected"] = 10**7
    return "selected", "does not match the trials"


def _break_objective_direction(exp):
    if "objectives" not in exp:
        return None
    first = next(iter(exp["objectives"]))
    exp["objectives"][first] = "minimize" if exp["direction"] == "maximize" else "maximize"
    return "objectives", "the first objective's direction must be the experiment's"


def _break_a_trials_values(exp):
    if "objectives" not in exp:
        return None
    complete = [i for i, t in enumerate(exp["trials"]) if t["state"] == "COMPLETE"]
    if not complete:
        return None
    exp["trials"][complete[0]]["values"].popitem()
    return f"trials[{complete[0]}].values", "expected a value for each objective"


def _break_hypervolume_tolerance(exp):
    if "objectives" in exp:
        return None
    exp["objective_tolerances"] = {"hypervolume": "1%"}
    return "objective_tolerances.hypervolume", "a hypervolume tolerance needs two or three objectives"


EXPERIMENT_BREAKS = [
    _break_hypervolume_tolerance,
    _break_front, _break_selected, _break_objective_direction, _break_a_trials_values,
    _setter("limits", {"nothing": 1.0}, "limits.nothing", "not an objective"),
    _setter("objective_tolerances", {"nothing": "1%"}, "objective_tolerances.nothing",
            "not an objective after the first"),
    _setter("objectives", {}, "objectives", "a non-empty object"),
    _break_best_score_std, _break_best_params,
    _setter("budget", {"trials": -1}, "budget.trials", "expected a positive integer"),
    _setter("budget", {"trials": 2.5}, "budget.trials", "expected a positive integer"),
    _setter("budget", {}, "budget.trials", "missing"),
    _setter("seed", -1, "seed", "expected an integer >= 0"),
    _setter("stop_reason", "done", "stop_reason", "expected one of budget, exhausted"),
    _setter("duration_s", math.inf, "duration_s", "non-negative finite number"),
    _setter("pruner", "asha", "pruner", "expected an object or null"),
    _break_pruner("name", 3, "expected a non-empty string"),
    _break_pruner("options", [], "expected an object"),
]


def _provenance_setter(info, key, value, fragment):
    def mutate(doc):
        doc.setdefault(info, {})[key] = value
        return f"{info}.{key}", fragment
    return mutate


DOCUMENT_BREAKS = [
    _provenance_setter("machine_info", "cpu_count", 0, "expected a positive integer or null"),
    _provenance_setter("machine_info", "system", 1, "expected a string"),
    _provenance_setter("machine_info", "libraries", ["numpy"], "expected an object"),
    _provenance_setter("commit_info", "id", 7, "expected a string or null"),
    _provenance_setter("commit_info", "dirty", "no", "expected a boolean or null"),
]


def _assert_rejected_naming(data, path, fragment):
    with pytest.raises(ResultsError) as info:
        results.from_dict(data, source="fuzz.json")
    message = str(info.value)
    assert message.startswith(f"fuzz.json: {path}: "), message
    assert fragment in message, message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(doc=documents(), data=st.data())
def test_fuzz_one_broken_field_of_a_written_document_is_rejected_naming_it(doc, data):
    written = json.loads(results.dumps(doc))
    results.from_dict(written)  # what the writer makes from valid records loads
    level = data.draw(st.sampled_from(["document", "experiment", "trial"]))
    if level == "document":
        path, fragment = data.draw(st.sampled_from(DOCUMENT_BREAKS))(written)
        _assert_rejected_naming(written, path, fragment)
        return
    assume(written["experiments"])
    i = data.draw(st.integers(0, len(written["experiments"]) - 1))
    exp = written["experiments"][i]
    if level == "experiment":
        broken = data.draw(st.sampled_from(EXPERIMENT_BREAKS))(exp)
        assume(broken is not None)
        _assert_rejected_naming(written, f"experiments[{i}].{broken[0]}", broken[1])
        return
    assume(exp["trials"])
    j = data.draw(st.integers(0, len(exp["trials"]) - 1))
    suffix, fragment = data.draw(st.sampled_from(TRIAL_BREAKS))(exp["trials"][j], exp["space"])
    _assert_rejected_naming(written, f"experiments[{i}].trials[{j}].{suffix}", fragment)


def test_fuzzed_paths_cover_every_trial_field():
    """Guard against the mutation fuzz silently losing its reach (e.g. if the sample document shrank)."""
    names = {p[-1] for p in _VALID_PATHS if isinstance(p[-1], str)}
    assert {"state", "score", "folds", "params", "metrics", "best", "space", "schema", "number"} <= names


def test_a_run_id_round_trips_and_must_name_a_file_of_its_own():
    doc = results.ResultsDocument(experiments=[], run_id="20261203T073303Z-4e43e2af")
    assert results.loads(results.dumps(doc)).run_id == "20261203T073303Z-4e43e2af"
    assert "run_id" not in results.to_dict(results.ResultsDocument(experiments=[]))  # older files have none
    for bad in ("../etc/passwd", "", "a/b", 7):
        data = results.to_dict(doc) | {"run_id": bad}
        with pytest.raises(ResultsError, match="run_id: expected a run ID"):
            results.from_dict(data)
