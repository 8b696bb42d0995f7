"""tunekit.tune: one experiment from Python, fixtures as keyword arguments, options as the command line's."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from types import SimpleNamespace

import pytest

import tunekit
from tunekit import Real, tunable
from tunekit.errors import ExperimentFailed, SpecError
from tunekit.results import ResultsDocument


def experiments():
    """Made in a function: pytest with tunekit's plugin would collect module-level experiments."""

    @tunable(space={"x": Real(-1, 1)}, strategy="random", trials=5, seed=3)
    def tune_quadratic(x, shift, trial):
        return -((x - shift) ** 2)

    @tunable(space={"x": Real(-1, 1)}, trials=2)
    def tune_trials(x, trials):
        return x * trials

    return SimpleNamespace(quadratic=tune_quadratic, trials=tune_trials)


EXP = experiments()


def test_tune_runs_the_search_with_fixtures_given_by_name():
    record = tunekit.tune(EXP.quadratic, shift=0.5)
    assert record.status == "passed" and record.strategy == "random" and len(record.trials) == 5
    assert record.id.endswith("test_tune.py::tune_quadratic")
    assert record.best.score == max(t.score for t in record.trials) <= 0


def test_options_override_the_decorator_and_the_same_seed_repeats():
    first = tunekit.tune(EXP.quadratic, shift=0.0, trials=3, seed=9)
    again = tunekit.tune(EXP.quadratic, fixtures={"shift": 0.0}, trials=3, seed=9)
    assert len(first.trials) == 3 and first.seed == 9
    assert [(t.params, t.seed, t.score) for t in first.trials] == [(t.params, t.seed, t.score) for t in again.trials]


def test_a_fixture_named_like_an_option_goes_in_fixtures():
    record = tunekit.tune(EXP.trials, fixtures={"trials": 2.0}, trials=3, experiment_id="mine")
    assert record.id == "mine" and len(record.trials) == 3


@pytest.mark.parametrize("call, message", [
    (lambda: tunekit.tune(lambda x: x), "tune() needs a function decorated with @tunable"),
    (lambda: tunekit.tune(EXP.quadratic), "parameter 'shift' is neither in the space nor given: pass shift=..."),
    (lambda: tunekit.tune(EXP.quadratic, shift=0, digits=1), "'digits' is not a fixture parameter of the function"),
    (lambda: tunekit.tune(EXP.quadratic, shift=0, trials=0), "trials: expected a positive integer, got 0"),
    (lambda: tunekit.tune(EXP.quadratic, shift=0, workers=-1), "workers: expected a positive integer or 'auto'"),
    (lambda: tunekit.tune(EXP.quadratic, shift=0, strategy="annealing"), "strategy: expected one of"),
    (lambda: tunekit.tune(EXP.quadratic, shift=0, resume=True), "resume: needs journal=DIRECTORY"),
    (lambda: tunekit.tune(EXP.quadratic, shift=0, seed=2**63), "seed: expected an integer from 0 to 2**63 - 1"),
    (lambda: tunekit.tune(EXP.quadratic, shift=0, store="mysql://u:pw@h/db"), "store: unsupported database"),
])
def test_mistakes_are_one_spec_error(call, message):
    with pytest.raises(SpecError) as info:
        call()
    assert message in str(info.value) and "\n" not in str(info.value)


def test_an_invalid_declaration_is_reported_with_the_experiment():
    @tunable(space={"x": Real(1, 0)})
    def tune_bad(x):
        return x

    with pytest.raises(SpecError, match=r"^tests/run/test_tune.py::tune_bad: space\['x'\]: Real\(1.0, 0.0\): low"):
        tunekit.tune(tune_bad)


def test_journal_and_resume_continue_a_search(tmp_path):
    tunekit.tune(EXP.quadratic, shift=0.2, trials=2, journal=tmp_path)
    resumed = tunekit.tune(EXP.quadratic, shift=0.2, trials=5, journal=tmp_path, resume=True)
    fresh = tunekit.tune(EXP.quadratic, shift=0.2, trials=5)
    assert "resumed: 2 trials from the journal" in resumed.notes
    assert [(t.params, t.score) for t in resumed.trials] == [(t.params, t.score) for t in fresh.trials]
    with pytest.raises(ExperimentFailed, match="cannot resume"):
        tunekit.tune(EXP.quadratic, shift=0.2, seed=4, journal=tmp_path, resume=True)


def test_a_baseline_judges_the_record(tmp_path):
    good = tunekit.tune(EXP.quadratic, shift=0.0)
    baseline = tmp_path / "baseline.json"
    tunekit.results.dump(ResultsDocument(experiments=[good]), baseline)
    assert tunekit.tune(EXP.quadratic, shift=0.0, baseline=baseline).status == "passed"
    worse = tunekit.tune(EXP.quadratic, shift=3.0, baseline=baseline)
    assert worse.status == "failed" and "regressed" in worse.error


@pytest.mark.slow
def test_tune_from_a_plain_script_with_workers_never_imports_pytest(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent("""
        import sys
        import tunekit
        from tunekit import Integer, Real, tunable

        @tunable(space={"x": Real(0, 1), "n": Integer(1, 4)}, strategy="random", trials=6)
        def tune_sum(x, n, offset):
            return offset + x * n

        serial = tunekit.tune(tune_sum, offset=1.0)
        parallel = tunekit.tune(tune_sum, offset=1.0, workers=2)
        assert [(t.params, t.seed, t.score) for t in serial.trials] == [
            (t.params, t.seed, t.score) for t in parallel.trials]
        print(serial.id, serial.status, len(serial.trials), "pytest" in sys.modules)
    """))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["script.py::tune_sum", "passed", "6", "False"]
