"""Regression-guard benchmark on the shipped examples: false alarms and detection of an injected drop.

1. Tune ``experiments/`` once and save a baseline.
2. Re-check it 20 times with different seeds (unchanged code): every verdict should pass.
3. Inject a 2-point accuracy drop into ``tune_svc`` (its fold scores minus 0.02) and check that both a
   re-check and a full tuning run against the baseline catch it.
4. The paired case: a logistic regression on breast cancer with fixed 5-fold splits, every fold lowered by
   exactly 0.02, against its own baseline (tuning and re-check).
5. The detection threshold of every experiment (the smallest drop its check flags), paired (a re-check
   with the baseline's seeds) and unpaired (a re-check with another seed).
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


LOGREG = """
import os
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from tunekit import tunable, Real

X, y = load_breast_cancer(return_X_y=True)

@tunable(space={"C": Real(1e-3, 1e2, log=True)}, strategy="random", trials=10, seed=0)
def tune_logreg_guard(C):
    model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=1000))
    folds = cross_val_score(model, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0))
    return folds - float(os.environ.get("GUARD_SHIFT", "0"))
"""


def _thresholds(baseline: Path, recheck: Path) -> dict[str, dict[str, object]]:
    """Each experiment's detection threshold (the allowed worsening) and the rule that set it."""
    from tunekit import results
    from tunekit.compare import compare_documents

    rows = compare_documents(results.load(baseline), results.load(recheck))
    return {row.id.rsplit("::", 1)[-1]: {"threshold": row.allowed, "rule": row.rule, "paired": row.paired}
            for row in rows}


def _paired_case(root: Path) -> dict[str, object]:
    """The issue's case: every fold lowered by exactly 0.02 on fixed splits, same best parameters."""
    import os

    project = root / "guard"
    (project / "experiments").mkdir(parents=True)
    shutil.copy(REPO / "pyproject.toml", project / "pyproject.toml")
    (project / "experiments" / "exp_logreg_guard.py").write_text(LOGREG)
    rc, _, out = _tunekit(project, "--save-baseline", "baseline.json", "--store", "none")
    assert rc == 0, out
    os.environ["GUARD_SHIFT"] = str(DROP)
    try:
        rc_recheck, _, out_recheck = _tunekit(project, "--recheck", "baseline.json", "--store", "none")
        rc_tune, _, out_tune = _tunekit(project, "--baseline", "baseline.json", "--store", "none")
    finally:
        del os.environ["GUARD_SHIFT"]
    return {"caught_by_recheck": rc_recheck == 1 and _verdicts(out_recheck).get("tune_logreg_guard") == "REGRESSED",
            "caught_by_tuning": rc_tune == 1 and _verdicts(out_tune).get("tune_logreg_guard") == "REGRESSED"}


def main() -> None:
    figures: dict[str, object] = {"rechecks": RECHECKS, "drop": DROP}
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        project.mkdir()
        shutil.copytree(REPO / "experiments", project / "experiments")
        shutil.copy(REPO / "pyproject.toml", project / "pyproject.toml")
        rc, tune_s, out = _tunekit(project, "--save-baseline", "baseline.json", "--store", "none")
        assert rc == 0, out
        figures["tuning_wall_s"] = round(tune_s, 1)
        rc, _, out = _tunekit(project, "--recheck", "baseline.json", "--json", "same_seed.json", "--store", "none")
        assert rc == 0, out
        paired = _thresholds(project / "baseline.json", project / "same_seed.json")
        rc, _, out = _tunekit(project, "--recheck", "baseline.json", "--seed", "99", "--json", "other_seed.json",
                              "--store", "none")
        unpaired = _thresholds(project / "baseline.json", project / "other_seed.json")
        figures["thresholds"] = {name: {"paired": paired[name], "other_seed": unpaired.get(name)} for name in paired}
        figures["paired_case"] = _paired_case(Path(tmp))
        alarms, recheck_times = [], []
        for seed in range(RECHECKS):
            rc, seconds, out = _tunekit(project, "--recheck", "baseline.json", "--seed", str(seed), "--store", "none")
            recheck_times.append(seconds)
            if rc != 0:
                alarms.append({"seed": seed, "verdicts": _verdicts(out)})
            print(f"recheck seed {seed}: exit {rc} in {seconds:.1f}s", flush=True)
        figures["false_alarms"] = len(alarms)
        figures["false_alarm_details"] = alarms
        figures["recheck_wall_s_median"] = round(sorted(recheck_times)[len(recheck_times) // 2], 1)
        _inject_drop(project)
        rc, _, out = _tunekit(project, "--recheck", "baseline.json", "--store", "none")
        figures["drop_caught_by_recheck"] = rc == 1 and _verdicts(out).get("tune_svc") == "REGRESSED"
        figures["recheck_verdicts_after_drop"] = _verdicts(out)
        rc, _, out = _tunekit(project, "--baseline", "baseline.json", "--store", "none")
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
        (f"| {DROP:g} on every fold of a logistic regression (fixed splits) caught by `--recheck` | "
        f"{figures['paired_case']['caught_by_recheck']} |"),  # type: ignore[index]
        (f"| {DROP:g} on every fold of a logistic regression (fixed splits) caught by tuning | "
        f"{figures['paired_case']['caught_by_tuning']} |"),  # type: ignore[index]
        "",
        "Detection threshold of each shipped example: the smallest worsening its check flags (the `allowed` of",
        "the verdict table), re-checked with the baseline's own seeds (paired when the same measurement repeats)",
        "and with another seed (`--seed 99`: the unpaired rule).",
        "",
        "| experiment | same seed: threshold (rule) | other seed: threshold (rule) |",
        "| --- | --- | --- |",
    ]
    for name, row in figures["thresholds"].items():  # type: ignore[attr-defined]
        same, other = row["paired"], row["other_seed"] or {}
        lines.append(f"| {name} | {same['threshold']:.4g} ({same['rule']}) | "
                     f"{other.get('threshold', float('nan')):.4g} ({other.get('rule', '-')}) |")
    (HERE / "RESULTS-regression.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
