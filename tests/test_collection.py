"""Collection: experiments become pytest items with stable node IDs, fixtures and selection."""

from __future__ import annotations

import pytest

EXPERIMENT = """
from tunekit import tunable, Real, Categorical

@tunable(space={"x": Real(0, 1), "k": Categorical(["a", "b"])}, strategy="random", trials=3)
def tune_alpha(x, k, offset):
    return x + offset

@tunable(space={"x": Real(0, 1)}, strategy="random", trials=2)
def anything_goes(x):
    return x

def test_plain():
    assert True
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyprojecttoml("[tool.tunekit]\npaths = ['experiments']\n")
    pytester.mkdir("experiments")
    pytester.makeconftest("import pytest\n@pytest.fixture\ndef offset():\n    return 10.0\n")
    (pytester.path / "experiments" / "exp_alpha.py").write_text(EXPERIMENT)
    (pytester.path / "experiments" / "beta_exp.py").write_text(
        "from tunekit import tunable, Integer\n"
        "@tunable(space={'n': Integer(1, 3)})\n"
        "def tune_beta(n, scale):\n    return n * scale\n")
    (pytester.path / "experiments" / "conftest.py").write_text(
        "import pytest\n@pytest.fixture\ndef scale():\n    return 2\n")
    (pytester.path / "experiments" / "helpers.py").write_text(
        "from tunekit import tunable, Real\n"
        "@tunable(space={'x': Real(0, 1)})\ndef tune_not_collected(x):\n    return x\n")
    return pytester


def test_collect_only_lists_experiments_by_node_id(project: pytest.Pytester) -> None:
    result = project.runpytest("experiments", "--collect-only", "-q")
    result.stdout.fnmatch_lines([
        "experiments/beta_exp.py::tune_beta",
        "experiments/exp_alpha.py::tune_alpha",
        "experiments/exp_alpha.py::anything_goes",
        "experiments/exp_alpha.py::test_plain",
    ])
    result.stdout.no_fnmatch_line("*tune_not_collected*")
    assert result.ret == pytest.ExitCode.OK


def test_fixtures_come_from_conftest_files_at_every_level(project: pytest.Pytester, load_results) -> None:
    result = project.runpytest("experiments")
    result.assert_outcomes(passed=4)
    doc = load_results()
    alpha = doc.get("experiments/exp_alpha.py::tune_alpha")
    beta = doc.get("experiments/beta_exp.py::tune_beta")
    assert all(t.score == pytest.approx(t.params["x"] + 10.0) for t in alpha.trials)  # root conftest
    assert [t.score for t in beta.trials] == [2.0, 4.0, 6.0]  # experiments/conftest.py


def test_keyword_and_marker_selection(project: pytest.Pytester) -> None:
    result = project.runpytest("experiments", "-k", "alpha and not plain", "--collect-only", "-q")
    result.stdout.fnmatch_lines(["experiments/exp_alpha.py::tune_alpha",
                                 "experiments/exp_alpha.py::anything_goes"])
    result.stdout.no_fnmatch_line("*tune_beta*")
    result = project.runpytest("experiments", "-m", "tunable", "--collect-only", "-q")
    result.stdout.no_fnmatch_line("*test_plain*")
    result.stdout.fnmatch_lines(["*3/4 tests collected (1 deselected)*"])


def test_select_one_node_id(project: pytest.Pytester, load_results) -> None:
    result = project.runpytest("experiments/exp_alpha.py::anything_goes")
    result.assert_outcomes(passed=1)
    assert [e.id for e in load_results().experiments] == ["experiments/exp_alpha.py::anything_goes"]


def test_files_pattern_from_pyproject(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml("[tool.tunekit]\nfiles = ['study_*.py']\n")
    pytester.mkdir("experiments")
    source = "from tunekit import tunable, Real\n@tunable(space={'x': Real(0, 1)})\ndef tune(x):\n    return x\n"
    (pytester.path / "experiments" / "study_one.py").write_text(source)
    (pytester.path / "experiments" / "exp_two.py").write_text(source)
    result = pytester.runpytest("experiments", "--collect-only", "-q")
    result.stdout.fnmatch_lines(["experiments/study_one.py::tune"])
    result.stdout.no_fnmatch_line("*exp_two*")


def test_experiment_imported_elsewhere_is_collected_once(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(exp_base="from tunekit import tunable, Real\n"
                                 "@tunable(space={'x': Real(0, 1)})\ndef tune(x):\n    return x\n",
                        exp_reuse="from exp_base import tune\n")
    result = pytester.runpytest("--collect-only", "-q", "exp_base.py", "exp_reuse.py")
    result.stdout.fnmatch_lines(["exp_base.py::tune", "*1 test collected*"])
