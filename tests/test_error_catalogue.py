"""Bad inputs of docs/errors.md not covered elsewhere: broken files, fixtures, outputs and journals."""

from __future__ import annotations

import pytest

GOOD = ("from tunekit import tunable, Real\n@tunable(space={'x': Real(0, 1)}, strategy='random', trials=2)\n"
        "def tune_ok(x):\n    return x\n")


@pytest.mark.parametrize(("source", "message"), [
    ("import not_a_module_anywhere\n",
     "exp_bad.py: cannot import: ModuleNotFoundError: No module named 'not_a_module_anywhere' (exp_bad.py:1)"),
    ("x = {}['missing']\n", "exp_bad.py: cannot import: KeyError: 'missing' (exp_bad.py:1)"),
    ("def broken(:\n    pass\n", "exp_bad.py: cannot import: SyntaxError: invalid syntax (exp_bad.py:1)"),
])
def test_experiment_file_that_does_not_import(pytester: pytest.Pytester, source: str, message: str) -> None:
    pytester.makepyfile(exp_bad=source, exp_good=GOOD)
    result = pytester.runpytest("--continue-on-collection-errors", "exp_bad.py", "exp_good.py")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([message])
    result.stdout.no_fnmatch_line("*Traceback*")
    result.assert_outcomes(passed=1, errors=1)
    verbose = pytester.runpytest("--continue-on-collection-errors", "exp_bad.py", "--tb=long")
    assert "Error" in verbose.stdout.str() and message not in verbose.stdout.str()  # the full report instead


@pytest.mark.parametrize("source, message", [
    ("import pytest\n\ndef broken(:\n", ("experiments/conftest.py: cannot import: SyntaxError: invalid syntax "
                                          "(experiments/conftest.py:3)")),
    ("import pytest\nDATA = {}['missing']\n", ("experiments/conftest.py: cannot import: KeyError: 'missing' "
                                                "(experiments/conftest.py:2)")),
])
def test_a_broken_conftest_is_one_line_and_exit_4(pytester: pytest.Pytester, run_tunekit, source: str,
                                                  message: str) -> None:
    pytester.makepyprojecttoml("[tool.tunekit]\n")
    pytester.mkdir("experiments")
    (pytester.path / "experiments" / "conftest.py").write_text(source)
    (pytester.path / "experiments" / "exp_good.py").write_text(GOOD)
    result = run_tunekit()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert [line for line in result.stderr.lines if line] == [f"ERROR: {message}"]
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    verbose = run_tunekit("--tb=short")
    assert verbose.ret == pytest.ExitCode.USAGE_ERROR and "ImportError while loading conftest" in verbose.stderr.str()


def test_a_broken_conftest_in_a_sub_folder_is_one_line_and_the_other_folders_run(pytester: pytest.Pytester,
                                                                                  run_tunekit) -> None:
    pytester.makepyprojecttoml("[tool.tunekit]\n")
    for folder in ("a", "b"):
        (pytester.path / "experiments" / folder).mkdir(parents=True)
        experiment = GOOD.replace("tune_ok", f"tune_{folder}")
        (pytester.path / "experiments" / folder / f"exp_{folder}.py").write_text(experiment)
    (pytester.path / "experiments" / "a" / "conftest.py").write_text("import pytest\nDATA = {}['missing']\n")
    result = run_tunekit()
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([
        "experiments/a/conftest.py: cannot import: KeyError: 'missing' (experiments/a/conftest.py:2)",
        "*tunekit leaderboard*", "tune_b *"])
    assert "in <module>" not in result.stdout.str()  # no traceback
    assert "in <module>" in run_tunekit("--tb=short").stdout.str()  # pytest's report, when asked for


def test_duplicate_experiment_names_in_one_file(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(exp_dup=GOOD + "\n\n" + GOOD.split("\n", 1)[1]
                        + "@tunable(space={'y': Real(0, 1)}, strategy='random')\n"
                                                                         "def tune_other(y):\n    return y\n")
    result = pytester.runpytest("exp_dup.py", "--continue-on-collection-errors")
    result.stdout.fnmatch_lines([("exp_dup.py::tune_ok: experiment defined 2 times (lines 3, 8): "
                                 "only the last would run; rename the others")])
    result.assert_outcomes(passed=1, errors=1)


def test_experiment_files_with_the_same_name_in_two_folders(pytester: pytest.Pytester) -> None:
    for folder in ("a", "b"):
        pytester.mkdir(folder)
        (pytester.path / folder / "exp_same.py").write_text(GOOD)
    result = pytester.runpytest("a", "b", "--continue-on-collection-errors")
    result.stdout.fnmatch_lines([("b/exp_same.py: another experiment file with the same name (*a/exp_same.py) "
                                 "was imported first: give experiment files unique names, or put an __init__.py "
                                 "in their folders")])
    result.assert_outcomes(passed=1, errors=1)


def test_failing_fixture_is_one_line_and_others_run(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("import pytest\n@pytest.fixture\ndef data():\n    raise FileNotFoundError('data.csv')\n")
    pytester.makepyfile(exp_fix=GOOD + "@tunable(space={'x': Real(0, 1)})\ndef tune_data(x, data):\n    return x\n")
    result = pytester.runpytest("exp_fix.py")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([("exp_fix.py::tune_data: fixture setup failed: FileNotFoundError: data.csv "
                                 "(conftest.py:4)")])
    result.stdout.no_fnmatch_line("*Traceback*")
    result.assert_outcomes(passed=1, errors=1)


def test_a_failing_teardown_and_a_parametrized_fixture_are_one_line_each(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("""
        import pytest

        @pytest.fixture
        def cleanup_fails():
            yield 1
            raise RuntimeError("cleanup failed")

        @pytest.fixture(params=[1, 2])
        def sizes(request):
            return request.param
    """)
    pytester.makepyfile(exp_fix=GOOD + "@tunable(space={'x': Real(0, 1)})\ndef tune_cleanup(x, cleanup_fails):\n"
                        "    return x\n\n@tunable(space={'x': Real(0, 1)})\ndef tune_sizes(x, sizes):\n    return x\n")
    result = pytester.runpytest("exp_fix.py")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([
        "exp_fix.py::tune_cleanup: fixture teardown failed: RuntimeError: cleanup failed (conftest.py:6)"])
    result.stdout.fnmatch_lines([
        ("exp_fix.py::tune_sizes: fixture 'sizes' (*conftest.py:8) has params: an experiment takes one value of each "
        "fixture; drop the params, or search the choice as a Categorical in the space")])
    for noise in ("*raise RuntimeError*", "*Requested here*", "*_pytest*"):
        result.stdout.no_fnmatch_line(noise)
    result.assert_outcomes(passed=2, errors=2)  # the search of tune_cleanup ran; its teardown erred


@pytest.mark.parametrize(("args", "message"), [
    (["--html", "exp_ok.py/report.html"], "ERROR: --html exp_ok.py/report.html: cannot write: *is not a directory"),
    (["--save-baseline", "."], "ERROR: --save-baseline .: cannot write: is a directory"),
    (["--workers", "0"], "ERROR: --workers: expected an integer >= 1, got '0'"),
    (["--trial-timeout", "soon"], "ERROR: --trial-timeout: expected a positive number of seconds, got 'soon'"),
    (["--trial-timeout", "-5"], "ERROR: --trial-timeout: expected a positive number of seconds, got '-5'"),
])
def test_bad_output_and_execution_options(pytester: pytest.Pytester, args: list[str], message: str) -> None:
    pytester.makepyfile(exp_ok=GOOD)
    result = pytester.runpytest("exp_ok.py", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_an_output_that_cannot_be_written_at_the_end_is_one_line_and_the_others_are_written(
        pytester: pytest.Pytester) -> None:
    # The folder of --json is there when the run starts, and replaced by a file while the search runs.
    pytester.mkdir("out")
    pytester.makepyfile(exp_ok="""
        import os, shutil
        from tunekit import tunable, Real

        @tunable(space={'x': Real(0, 1)}, strategy='random', trials=2)
        def tune_ok(x):
            if os.path.isdir("out"):
                shutil.rmtree("out")
                open("out", "w").close()
            return x
    """)
    result = pytester.runpytest("exp_ok.py", "--json", "out/r.json", "--save-baseline", "base.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stdout.fnmatch_lines(["*tunekit leaderboard*", "baseline: base.json",
                                 "ERROR: out/r.json: cannot write results: *"])
    assert (pytester.path / "base.json").exists()
    result.stdout.no_fnmatch_line("*Traceback*")


def test_corrupt_journal_on_resume(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(exp_ok=GOOD)
    assert pytester.runpytest("exp_ok.py").ret == 0
    (journal,) = (pytester.path / ".tunekit" / "journal").glob("*.jsonl")
    journal.write_text("garbage\n" + journal.read_text())
    result = pytester.runpytest("exp_ok.py", "--resume")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["exp_ok.py::tune_ok: *.jsonl:1: journal line is not valid JSON"])


def test_unknown_subcommand_argument(pytester: pytest.Pytester, run_tunekit) -> None:
    result = run_tunekit("compare", "--frobnicate")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert len(result.stderr.lines) == 1 and result.stderr.lines[0].startswith("ERROR: tunekit compare:")


def test_mlflow_without_mlflow_installed_fails_before_any_search(pytester: pytest.Pytester,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "mlflow", None)  # as if it were not installed
    pytester.makepyfile(exp_ok=GOOD + "open('ran.txt', 'w').close()\n")
    result = pytester.runpytest("exp_ok.py", "--mlflow")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --mlflow: *pip install 'tunekit[[]mlflow[]]'*"])
    assert not (pytester.path / "ran.txt").exists()  # refused before any experiment was even imported
