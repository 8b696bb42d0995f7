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
