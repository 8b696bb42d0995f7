"""Several objectives through the real ``tunekit`` command: leaderboard, ``--top``, results, errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tunekit.trial import TrialState

ROOT = Path(__file__).resolve().parents[1]

EXPERIMENT = """
from tunekit import Categorical, Integer, tunable

@tunable(space={"n": Integer(1, 12), "kind": Categorical(["a", "b"])}, strategy="evolution", trials=%(trials)d,
         seed=1, objectives={"accuracy": "maximize", "seconds": "minimize"}, limits={"seconds": 8})
def tune_trade_off(n, kind):
    # more work is more accurate and slower; "b" is always worse than "a"
    return {"accuracy": [1 - 1 / n - (0.05 if kind == "b" else 0), 1 - 1 / n], "seconds": n, "kind": kind}
"""


def _write(pytester: pytest.Pytester, trials: int = 14) -> None:
    pytester.makepyprojecttoml("[tool.tunekit]\n")
    pytester.mkdir("experiments")
    (pytester.path / "experiments" / "exp_trade_off.py").write_text(EXPERIMENT % {"trials": trials})


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_search_records_every_objective_and_shows_the_front(run_tunekit, pytester: pytest.Pytester,
                                                               load_results, workers: str) -> None:
    _write(pytester)
    result = run_tunekit("--top", "3", "--workers", workers)
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    result.stdout.fnmatch_lines(["objectives: tune_trade_off: accuracy (max), seconds (min, <= 8); selected #*",
                                 "*Pareto front: * trials", "Pareto front: * trials*",
                                 "front*trial*accuracy (max)*seconds (min)*time*params"])
    (record,) = load_results().experiments
    assert record.objectives == {"accuracy": "maximize", "seconds": "minimize"} and record.limits == {"seconds": 8}
    complete = [t for t in record.trials if t.state is TrialState.COMPLETE]
    assert len(complete) == 14
    assert all(t.values == {"accuracy": t.score, "seconds": float(t.params["n"])} for t in complete)
    assert all(t.metrics == {"kind": t.params["kind"]} for t in complete)
    assert record.selected is not None and record.selected.params["n"] <= 8
    assert record.selected in record.pareto_front
    assert all(t.params["n"] <= 8 for t in record.pareto_front)
    data = json.loads((pytester.path / ".tunekit" / "results.json").read_text())["experiments"][0]
    assert data["pareto_front"] == [t.number for t in record.pareto_front]
    assert data["selected"] == record.selected.number


def test_a_trial_missing_an_objective_fails_saying_which(run_tunekit, pytester: pytest.Pytester,
                                                          load_results) -> None:
    pytester.makepyprojecttoml("[tool.tunekit]\n")
    pytester.makepyfile(exp_missing="""
        from tunekit import Integer, tunable

        @tunable(space={"n": Integer(1, 4)}, trials=4, objectives={"accuracy": "maximize", "size": "minimize"})
        def tune_missing(n):
            return {"accuracy": n / 4} if n == 2 else {"accuracy": n / 4, "size": n}
    """)
    result = run_tunekit("exp_missing.py")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    trials = load_results().experiments[0].trials
    failed = [t for t in trials if t.state is TrialState.FAIL]
    assert failed and all(t.params == {"n": 2} for t in failed)
    assert failed[0].error == "returned dict has no 'size' key (objectives: accuracy, size; keys: ['accuracy'])"


def test_objectives_with_direction_is_a_one_line_collection_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(exp_both="""
        from tunekit import Integer, tunable

        @tunable(space={"n": Integer(1, 4)}, direction="minimize", objectives={"accuracy": "maximize"})
        def tune_both(n):
            return {"accuracy": n}
    """)
    result = pytester.runpytest("exp_both.py")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*exp_both.py::tune_both: direction: not with objectives=*"])
    result.stdout.no_fnmatch_line("*Traceback*")


@pytest.mark.slow
def test_the_shipped_accuracy_against_time_example_runs(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "experiments", tmp_path / "experiments")  # journals and results stay out of the checkout
    (tmp_path / "pyproject.toml").write_text("[tool.tunekit]\n")
    results = tmp_path / "results.json"
    done = subprocess.run([sys.executable, "-m", "tunekit", "experiments/exp_accuracy_vs_time.py", "--trials", "8",
                           "--top", "3", "--json", str(results)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Pareto front:" in done.stdout
    (experiment,) = json.loads(results.read_text())["experiments"]
    assert experiment["objectives"] == {"accuracy": "maximize", "fit_seconds": "minimize"}
    assert experiment["pareto_front"]
