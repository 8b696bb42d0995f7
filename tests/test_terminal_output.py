"""What a run prints: the progress line fits the terminal without ever cutting a number."""

from __future__ import annotations

import json
import re

import pytest

from tunekit.report.leaderboard import format_score

EXPERIMENTS = """
from tunekit import tunable, Real

@tunable(space={"x": Real(0, 1)}, strategy="random", trials=14, seed=3, direction="minimize")
def tune_elasticnet_mean_squared_error(x):
    return [3010.123456 + 400 * x, 3020.5 + 380 * x, 2990.25 + 410 * x]

@tunable(space={"x": Real(0, 1)}, strategy="random", trials=5, seed=1)
def tune_short(x):
    return [0.9807 * x, 0.9712 * x]
"""


@pytest.mark.parametrize("columns", [80, 100, 60])
def test_the_progress_line_drops_parts_to_fit_and_never_cuts_a_number(pytester: pytest.Pytester, run_tunekit,
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      columns: int) -> None:
    pytester.makepyprojecttoml("[tool.tunekit]\n")
    pytester.mkdir("experiments")
    (pytester.path / "experiments" / "exp_progress.py").write_text(EXPERIMENTS)
    monkeypatch.setenv("COLUMNS", str(columns))
    result = run_tunekit("--store", "none", "--json", "r.json")  # a subprocess: not a TTY
    assert result.ret == 0, result.stdout.str()
    records = {e["id"].rsplit("::", 1)[1]: e for e in json.loads((pytester.path / "r.json").read_text())["experiments"]}
    lines = [line for line in result.stdout.lines if "::tune_" in line and "PASSED" in line]
    assert len(lines) == 2
    for line in lines:
        assert len(line) <= max(columns, len(line.split(" ", 1)[0]) + 16), line
        name = line.split("::", 1)[1].split(" ", 1)[0]
        best = records[name]["best"]
        shown = re.search(r" best (\S+) ", line)
        if shown is not None:  # whole, with or without the fold spread: never a cut number
            assert shown.group(1) in (format_score(best["score"], best["score_std"]), format_score(best["score"]))
        assert re.search(rf"{name} \d+/\d+ trials( best \S+)?( \d+\.\ds)? PASSED", line) or \
            re.search(rf"{name} PASSED", line), line


FAKE_MLFLOW = {
    "mlflow/__init__.py": "from mlflow import tracking, entities\n",
    "mlflow/entities.py": ("from collections import namedtuple\n"
                           "Metric = namedtuple('Metric', 'key value timestamp step')\n"
                           "Param = namedtuple('Param', 'key value')\nRunTag = namedtuple('RunTag', 'key value')\n"),
    "mlflow/tracking.py": """
import types

class MlflowClient:
    def __init__(self, tracking_uri=None):
        pass

    def get_experiment_by_name(self, name):
        return types.SimpleNamespace(experiment_id="0")

    def create_run(self, experiment_id, tags=None, run_name=None):
        print("mlflow: a log line of its own")  # as the real client's logging does
        return types.SimpleNamespace(info=types.SimpleNamespace(run_id="r"))

    def log_batch(self, run_id, metrics=(), params=(), tags=()):
        pass

    def set_terminated(self, run_id, status=None):
        pass
""",
}


def test_a_trackers_own_output_starts_on_a_line_of_its_own(pytester: pytest.Pytester, run_tunekit) -> None:
    pytester.makepyprojecttoml("[tool.tunekit]\n")
    pytester.mkdir("experiments")
    pytester.mkdir("mlflow")
    for path, text in FAKE_MLFLOW.items():
        (pytester.path / path).write_text(text)
    (pytester.path / "experiments" / "exp_progress.py").write_text(EXPERIMENTS)
    result = run_tunekit("--store", "none", "--mlflow", "-k", "short")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    assert "mlflow: a log line of its own" in result.stdout.lines  # not glued to "PASSED [100%]"
    assert any(line.rstrip().endswith("[100%]") for line in result.stdout.lines)


NOISY = """
from tunekit import tunable, Real

@tunable(space={{"x": Real(0.5, 0.51)}}, strategy="random", trials=8, seed=1{extra})
def tune_{name}(x):
    return [x + 0.1, x - 0.1, x]
"""


def test_fold_noise_is_one_line_per_run_and_an_experiment_can_silence_its_hints(pytester: pytest.Pytester,
                                                                               run_tunekit) -> None:
    pytester.makepyprojecttoml("[tool.tunekit]\n")
    pytester.mkdir("experiments")
    for name, extra in (("a", ""), ("b", ""), ("quiet", ", hints=False")):
        (pytester.path / "experiments" / f"exp_{name}.py").write_text(NOISY.format(name=name, extra=extra))
    result = run_tunekit("--store", "none")
    assert result.ret == 0, result.stdout.str()
    hints = [line for line in result.stdout.lines if line.startswith("hint:")]
    assert len(hints) == 1, hints
    assert hints[0].startswith("hint: fold noise in 2 experiments (tune_a, tune_b): ")
    single = run_tunekit("--store", "none", "-k", "tune_a")
    single.stdout.fnmatch_lines(["hint: experiments/exp_a.py::tune_a: fold noise: the best trial's fold std *"])
