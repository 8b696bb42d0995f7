"""The one error module: each error's exit code, and the one translator from exceptions to exit codes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tunekit.errors import (
    ConfigError,
    ExitCode,
    ExperimentFailed,
    ExperimentInterrupted,
    InvalidExperiment,
    ObjectiveValueError,
    OutputError,
    ResultsError,
    SpecError,
    UsageError,
    exit_code_for,
    run_translated,
    translate,
)
from tunekit.results import ExperimentResult


def test_exit_codes_are_pytests():
    assert all(int(code) == int(pytest.ExitCode[code.name]) for code in ExitCode)


@pytest.mark.parametrize("error, code", [
    (UsageError("--trials: bad"), ExitCode.USAGE_ERROR),
    (ConfigError("pyproject.toml: bad"), ExitCode.USAGE_ERROR),
    (ResultsError("r.json: bad"), ExitCode.USAGE_ERROR),
    (SpecError("trials: bad"), ExitCode.USAGE_ERROR),
    (OutputError("cannot write"), ExitCode.USAGE_ERROR),
    (ExperimentFailed("exp.py::tune: all trials failed"), ExitCode.TESTS_FAILED),
    (InvalidExperiment("exp.py::tune: bad"), ExitCode.TESTS_FAILED),
    (ObjectiveValueError("score is nan"), ExitCode.TESTS_FAILED),
    (KeyboardInterrupt(), ExitCode.INTERRUPTED),
    (ExperimentInterrupted(ExperimentResult("e", "random", "maximize", 0, {}, {}, [])), ExitCode.INTERRUPTED),
    (RuntimeError("a bug"), ExitCode.INTERNAL_ERROR),
])
def test_each_error_carries_its_exit_code(error, code):
    assert exit_code_for(error) is code


def test_an_interrupt_keeps_its_record():
    record = ExperimentResult("e", "random", "maximize", 0, {}, {}, [])
    assert ExperimentInterrupted(record).record is record


def test_failed_experiments_keep_the_traceback_for_tb():
    assert ExperimentFailed("all failed", "Traceback ...").traceback_text == "Traceback ..."


def raises(error):
    def body():
        raise error

    return body


def test_run_translated_prints_one_error_line_and_returns_the_code(capsys):
    assert run_translated(lambda: 0) == 0
    assert run_translated(lambda: ExitCode.TESTS_FAILED) == 1
    assert run_translated(raises(UsageError("--trials: expected an integer >= 1, got 'x'"))) == 4
    assert capsys.readouterr().err == "ERROR: --trials: expected an integer >= 1, got 'x'\n"
    assert run_translated(raises(KeyboardInterrupt())) == 2
    assert capsys.readouterr().err == ""


def test_an_unexpected_exception_is_an_internal_error_with_its_traceback(capsys):
    assert run_translated(raises(RuntimeError("a bug"))) == 3
    err = capsys.readouterr().err
    assert err.startswith("INTERNAL ERROR: Traceback") and "RuntimeError: a bug" in err
    assert translate(ValueError("x"))[0] is ExitCode.INTERNAL_ERROR


@pytest.mark.slow
def test_results_only_subcommands_do_not_import_pytest(tmp_path):
    from tunekit.results import ResultsDocument, dump

    dump(ResultsDocument(experiments=[]), tmp_path / "r.json")
    code = ("import sys; from tunekit.cli import main; "
            f"rc = main(['compare', {str(tmp_path / 'r.json')!r}, {str(tmp_path / 'r.json')!r}]); "
            "rc2 = main(['export', 'missing.json', '--csv', '-']); "
            "print(rc, rc2, 'pytest' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False,
                          cwd=tmp_path)
    assert done.stdout.split()[-3:] == ["0", "4", "False"], done.stderr
    assert "ERROR: missing.json: no such file" in done.stderr
