"""The ``tunekit`` command: default paths, pinned root, and every documented exit code."""

from __future__ import annotations

import json
import os

import pytest

EXPERIMENT = """
from tunekit import tunable, Real

@tunable(space={"x": Real(0, 1)}, strategy="random", trials=4, seed=1)
def tune_x(x, shift):
    return x + shift
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyprojecttoml("[tool.tunekit]\npaths = ['experiments']\n")
    pytester.mkdir("experiments")
    (pytester.path / "experiments" / "conftest.py").write_text(
        "import pytest\n@pytest.fixture\ndef shift():\n    return 1.0\n")
    (pytester.path / "experiments" / "exp_x.py").write_text(EXPERIMENT)
    return pytester


def _ids(path) -> list[str]:
    return [e["id"] for e in json.loads(path.read_text())["experiments"]]


def test_runs_experiments_folder_by_default(project: pytest.Pytester, run_tunekit) -> None:
    result = run_tunekit()
    assert result.ret == 0
    result.stdout.fnmatch_lines(["experiments/exp_x.py::tune_x 4/4 trials best * PASSED*",
                                 "*tunekit leaderboard*", "tune_x *max*random*4/4*", "results: *"])
    result.stdout.no_fnmatch_line("*warning*")  # e.g. that pytest could not rewrite a plugin imported too early
    assert _ids(project.path / ".tunekit" / "results.json") == ["experiments/exp_x.py::tune_x"]


def test_node_ids_do_not_depend_on_the_working_directory(project: pytest.Pytester, run_tunekit,
                                                         tmp_path_factory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    runs = {
        "root": run_tunekit("experiments", "--json", str(project.path / "a.json")),
        "inside": run_tunekit(".", "--json", str(project.path / "b.json"), cwd=str(project.path / "experiments")),
        "outside": run_tunekit(str(project.path / "experiments"), "--json", str(project.path / "c.json"),
                               cwd=str(elsewhere)),
    }
    assert {name: r.ret for name, r in runs.items()} == {"root": 0, "inside": 0, "outside": 0}
    expected = ["experiments/exp_x.py::tune_x"]
    assert _ids(project.path / "a.json") == _ids(project.path / "b.json") == _ids(project.path / "c.json") == expected
    # and the default results file lands at the project root, not in the working directory
    run_tunekit(".", cwd=str(project.path / "experiments"))
    assert (project.path / ".tunekit" / "results.json").exists()
    assert not (project.path / "experiments" / ".tunekit").exists()


def test_the_root_comes_from_the_paths_to_run_never_from_an_options_value(project: pytest.Pytester, run_tunekit,
                                                                          tmp_path_factory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "pyproject.toml").write_text("[tool.tunekit]\n")
    assert run_tunekit("--save-baseline", str(elsewhere / "base.json")).ret == 0
    for args in (["--baseline", str(elsewhere / "base.json")], ["--junitxml", str(elsewhere / "junit.xml")],
                 ["-k", "tune_x", "--json", str(elsewhere / "r.json")]):
        result = run_tunekit(*args)
        assert result.ret == 0, result.stdout.str()
        result.stdout.fnmatch_lines([f"rootdir: {project.path}"])
        assert _ids(project.path / ".tunekit" / "results.json" if "--json" not in args else elsewhere / "r.json") == [
            "experiments/exp_x.py::tune_x"]
    assert not (elsewhere / ".tunekit").exists()


def test_collect_only_quiet(project: pytest.Pytester, run_tunekit) -> None:
    result = run_tunekit("--collect-only", "-q")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["experiments/exp_x.py::tune_x", "*1 test collected*"])


def test_invalid_experiment_is_one_line_and_others_still_run(project: pytest.Pytester, run_tunekit) -> None:
    (project.path / "experiments" / "exp_bad.py").write_text(
        "from tunekit import tunable, Real\n"
        "@tunable(space={'lr': Real(1.0, 0.1)})\n"
        "def tune_bad(lr):\n    return lr\n"
        "@tunable(space={'lr': Real(0.1, 1.0)}, trials=2)\n"
        "def tune_good(lr):\n    return lr\n")
    result = run_tunekit()
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([
        "experiments/exp_bad.py::tune_bad: space['lr']: Real(1.0, 0.1): low (1.0) must be less than high (0.1)"])
    result.stdout.no_fnmatch_line("*Traceback*")
    assert _ids(project.path / ".tunekit" / "results.json") == [
        "experiments/exp_bad.py::tune_good", "experiments/exp_x.py::tune_x"]


def test_exit_1_when_an_experiment_fails(project: pytest.Pytester, run_tunekit) -> None:
    (project.path / "experiments" / "exp_fail.py").write_text(
        "from tunekit import tunable, Real\n"
        "@tunable(space={'x': Real(0, 1)}, trials=2)\n"
        "def tune_fail(x):\n    raise RuntimeError('no data')\n")
    result = run_tunekit("-x")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*RuntimeError: no data (experiments/exp_fail.py:4)*"])
    result.stdout.fnmatch_lines(["*stopping after 1 failures*"])  # -x works


def test_exit_2_on_interrupt_keeps_finished_trials(project: pytest.Pytester, run_tunekit) -> None:
    (project.path / "experiments" / "exp_x.py").write_text(
        "import os, signal\nfrom tunekit import tunable, Real\n"
        "@tunable(space={'x': Real(0, 1)}, strategy='random', trials=50)\n"
        "def tune_x(x, trial):\n"
        "    if trial.number == 5:\n        os.kill(os.getpid(), signal.SIGINT)\n"
        "    return x\n")
    result = run_tunekit()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*tunekit leaderboard*", "*KeyboardInterrupt*"])
    data = json.loads((project.path / ".tunekit" / "results.json").read_text())
    (experiment,) = data["experiments"]
    assert experiment["status"] == "interrupted" and experiment["stop_reason"] == "interrupted"
    assert [t["number"] for t in experiment["trials"]] == [0, 1, 2, 3, 4]


def test_exit_3_on_internal_error(project: pytest.Pytester, run_tunekit) -> None:
    (project.path / "experiments" / "conftest.py").write_text(
        "def pytest_collection_modifyitems(items):\n    raise RuntimeError('plugin bug')\n")
    result = run_tunekit()
    assert result.ret == pytest.ExitCode.INTERNAL_ERROR


@pytest.mark.parametrize(("args", "message"), [
    (["--trials", "abc"], "ERROR: --trials: expected an integer >= 1, got 'abc'"),
    (["--trials", "0"], "ERROR: --trials: expected an integer >= 1, got '0'"),
    (["--seed", "-1"], "ERROR: --seed: expected an integer >= 0, got '-1'"),
    (["--json", ""], "ERROR: --json: expected a file path, got ''"),
    (["--store", "foo://bar"], "ERROR: --store: unsupported database 'foo' (expected sqlite:///PATH, *)"),
    (["--store", "store.sqlite"], "ERROR: --store: not a database URL (expected sqlite:///PATH, *)"),
    (["--seed", str(2**70)], "ERROR: --seed: expected an integer from 0 to 2**63 - 1, got '1180591620717411303424'"),
    (["--top", "x"], "ERROR: --top: expected an integer >= 1, got 'x'"),
    (["--strategy", "annealing"], "ERROR: --strategy: expected one of *, got 'annealing'"),
    (["--json", "pyproject.toml/results.json"], ("ERROR: --json *pyproject.toml/results.json: cannot write: "
                                                "*pyproject.toml is not a directory")),
    (["missing_dir/"], "ERROR: file or directory not found: missing_dir/"),
    pytest.param(["--json", "/proc/results.json"],
                 "ERROR: --json /proc/results.json: cannot write: /proc refuses new files (*)",
                 marks=pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="Linux's /proc"), id="proc"),
])
def test_exit_4_on_usage_errors(project: pytest.Pytester, run_tunekit, args: list[str], message: str) -> None:
    result = run_tunekit(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


@pytest.mark.parametrize("toml, message", [
    ("[tool.tunekit]\npaths = 3\n", "[[]tool.tunekit[]] paths: expected a list of strings, got 3"),
    ("[tool]\ntunekit = 3\n", "[[]tool.tunekit[]] must be a table, got tunekit = 3"),
    # a typo: pytest would search the whole project instead (and with two paths, skip the missing one)
    ("[tool.tunekit]\npaths = ['experiment']\n", "[[]tool.tunekit[]] paths: 'experiment' matches nothing under *"),
    ("[tool.tunekit]\npaths = ['experiments', 'more/exp_*.py']\n",
     "[[]tool.tunekit[]] paths: 'more/exp_*.py' matches nothing under * (paths: experiments, more/exp_*.py)"),
])
def test_exit_4_on_bad_tool_config(project: pytest.Pytester, run_tunekit, toml: str, message: str) -> None:
    project.makepyprojecttoml(toml)
    result = run_tunekit()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: *pyproject.toml: {message}"])
    assert len(result.stderr.lines) == 1


def test_declared_paths_are_not_checked_when_the_command_names_what_to_run(project: pytest.Pytester,
                                                                           run_tunekit) -> None:
    project.makepyprojecttoml("[tool.tunekit]\npaths = ['experiment']\n")
    assert run_tunekit("experiments", "--collect-only").ret == pytest.ExitCode.OK


def test_exit_5_when_nothing_is_collected(pytester: pytest.Pytester, run_tunekit) -> None:
    pytester.mkdir("experiments")
    result = run_tunekit()
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_version_names_tunekit_and_what_it_runs_on() -> None:
    import subprocess
    import sys

    import tunekit

    done = subprocess.run([sys.executable, "-m", "tunekit", "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.startswith(f"tunekit {tunekit.__version__} (pytest ")
    assert "scikit-learn" in done.stdout and "scikit-optimize" in done.stdout


def test_help_starts_with_tunekit_options_and_subcommands_then_pytests() -> None:
    import subprocess
    import sys

    from tunekit.commands import SUBCOMMANDS

    done = subprocess.run([sys.executable, "-m", "tunekit", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "usage: tunekit [PATHS or NODE IDS] [options] [pytest options]"
    text = done.stdout
    assert text.index("tunekit options:") < text.index("  --strategy NAME") < text.index("subcommands")
    assert all(f"  tunekit {name} " in text for name in SUBCOMMANDS)
    assert text.index("subcommands") < text.index("pytest's options") < text.index("-k EXPRESSION")
    assert text.count("--strategy") == 1 and "pytest.main()" not in text


def test_a_reader_that_goes_away_is_no_internal_error() -> None:
    """``tunekit --help | head -1``: the pipe is closed before everything is written."""
    import os
    import subprocess
    import sys

    read_end, write_end = os.pipe()
    os.close(read_end)  # every write to the pipe now fails with EPIPE, as after `head` exits
    try:
        done = subprocess.run([sys.executable, "-m", "tunekit", "--help"], stdout=write_end, stderr=subprocess.PIPE,
                              timeout=60)
    finally:
        os.close(write_end)
    assert done.returncode == 1
    assert b"Traceback" not in done.stderr and b"INTERNAL ERROR" not in done.stderr, done.stderr.decode()


def test_pytest_never_warns_that_it_cannot_rewrite_tunekit(pytester: pytest.Pytester) -> None:
    """The command imports tunekit before pytest starts; a regular install then lists it for assertion
    rewriting, which pytest can no longer do: the package opts out instead of warning on every run."""
    pytester.makeconftest("""
        import tunekit, tunekit.plugin  # imported first, as the tunekit command does
        import pytest

        pytest.register_assert_rewrite("tunekit", "tunekit.plugin")  # what a regular install's entry point does
    """)
    pytester.makepyfile(test_nothing="def test_nothing():\n    pass\n")
    result = pytester.runpytest_subprocess("-W", "error::pytest.PytestAssertRewriteWarning", "-p", "no:tunekit.plugin")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    assert "PytestAssertRewriteWarning" not in result.stdout.str() + result.stderr.str()
