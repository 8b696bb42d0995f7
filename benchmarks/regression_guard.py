"""Regression-guard benchmark on the shipped examples: false alarms and detection of an injected drop.

1. Tune ``experiments/`` once and save a baseline.
2. Re-check it 20 times with different seeds (unchanged code): every verdict should pass.
3. Inject a 2-point accuracy drop into ``tune_svc`` (its fold scores minus 0.02) and check that both a
   re-check and a full tuning run against the baseline catch it.
Also compares the cost of a re-check with the cost of tuning. Run from the repository root:
``python -m benchmarks.regression_guard``; writes ``benchmarks/regression_guard_results.json`` and
``benchmarks/RESULTS-regression.md``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RECHECKS = 20
DROP = 0.02


def _tunekit(project: Path, *args: str) -> tuple[int, float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "tunekit", "-q", *args], cwd=project, capture_output=True,
                          text=True)
    return done.returncode, time.perf_counter() - start, done.stdout + done.stderr


def _verdicts(output: str) -> dict[str, str]:
    verdicts, inside = {}, False
    for line in output.splitlines():
        if "tunekit verdicts" in line:
            inside = True
            continue
        if inside and line.startswith(("=", "-", "experiment")):
            if line.startswith("="):
                inside = False
            continue
        if inside and line.split():
            verdicts[line.split()[0]] = line.split()[-1]
    return verdicts


def _inject_drop(project: Path) -> None:
    path = project / "experiments" / "exp_svc.py"
    source = path.read_text()
    marker = "    return cross_val_score("
    assert marker in source, "exp_svc.py changed: update the injection"
    path.write_text(source.replace(marker, f"    return -{DROP!r} + cross_val_score(", 1))


def main() -> None:
    figures: dict[str, object] = {"rechecks": RECHECKS, "drop": DROP}
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        project.mkdir()
        shutil.copytree(REPO / "experiments", project / "experiments")
        shutil.copy(REPO / "pyproject.toml", project / "pyproject.toml")
        rc, tune_s, out = _tunekit(project, "--save-baseline", "baseline.json")
        assert rc == 0, out
        figures["tuning_wall_s"] = round(tune_s, 1)
        alarms, recheck_times = [], []
        for seed in range(RECHECKS):
            rc, seconds, out = _tunekit(project, "--recheck", "baseline.json", "--seed", str(seed))
            recheck_times.append(seconds)
            if rc != 0:
                alarms.append({"seed": seed, "verdicts": _verdicts(out)})
            print(f"recheck seed {seed}: exit {rc} in {seconds:.1f}s", flush=True)
        figures["false_alarms"] = len(alarms)
        figures["false_alarm_details"] = alarms
        figures["recheck_wall_s_median"] = round(sorted(recheck_times)[len(recheck_times) // 2], 1)
        _inject_drop(project)
        rc, _, out = _tunekit(project, "--recheck", "baseline.json")
        figures["drop_caught_by_recheck"] = rc == 1 and _verdicts(out).get("tune_svc") == "REGRESSED"
        figures["recheck_verdicts_after_drop"] = _verdicts(out)
        rc, _, out = _tunekit(project, "--baseline", "baseline.json")
        figures["drop_caught_by_tuning"] = rc == 1 and _verdicts(out).get("tune_svc") == "REGRESSED"
        figures["tuning_verdicts_after_drop"] = _verdicts(out)
    (HERE / "regression_guard_results.json").write_text(json.dumps(figures, indent=2) + "\n")
    speedup = figures["tuning_wall_s"] / figures["recheck_wall_s_median"]  # type: ignore[operator]
    lines = [
        "## Regression guard on the shipped examples",
        "",
        "`python -m benchmarks.regression_guard`: tune `experiments/` once, save a baseline, re-check it with",
        f"{RECHECKS} different seeds, then inject a {DROP:g} accuracy drop into `tune_svc`.",
        "",
        "| figure | value |",
        "| --- | --- |",
        f"| false alarms over {RECHECKS} unchanged re-checks | {figures['false_alarms']} |",
        f"| injected {DROP:g} drop caught by `--recheck` | {figures['drop_caught_by_recheck']} |",
        f"| injected {DROP:g} drop caught by tuning with `--baseline` | {figures['drop_caught_by_tuning']} |",
        f"| tuning wall time (whole run) | {figures['tuning_wall_s']} s |",
        (f"| re-check wall time (median, whole run incl. start-up) | {figures['recheck_wall_s_median']} s "
        f"({speedup:.1f}x cheaper) |"),
    ]
    (HERE / "RESULTS-regression.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
