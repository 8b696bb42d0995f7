"""Benchmark early stopping: random search with full training vs random search + ASHA vs + Hyperband.

Run from the repository root::

    python -m benchmarks.pruning              # 5 seeds x 40 configurations x 30 epochs, a few minutes
    python -m benchmarks.pruning --quick      # 2 seeds x 12 configurations, a smoke run
    python -m benchmarks.pruning --report-only  # re-render RESULTS-pruning.md from pruning_results.json

The task: ``SGDClassifier.partial_fit`` on the digits data (70/30 stratified train/validation split,
standardised), one epoch per step, validation accuracy reported after every epoch. Every arm of a seed
evaluates the *same* configurations (random search, same seed), so only the pruner differs.

Training is deterministic given the configuration and the trial's seed, so each configuration is trained
once, for the full budget, and its learning curve recorded; the three arms then run the real
``tunekit.search.run_search`` loop with the real pruners on an objective that replays the recorded curve
epoch by epoch (``trial.report`` / ``trial.should_prune``). The cost of an arm is the number of epochs its
trials consumed before finishing or being pruned, and the training seconds those epochs took when they
were recorded. Replay equals retraining: the benchmark retrains a few configurations per seed and checks
that their curves match the recorded ones exactly.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import json
import platform
import statistics
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from tunekit.pruners import as_pruner
from tunekit.search import run_search
from tunekit.space import Categorical, Real, Space
from tunekit.strategies import RandomStrategy
from tunekit.trial import Trial, TrialPruned, TrialState, trial_seed

HERE = Path(__file__).resolve().parent
RAW = HERE / "pruning_results.json"
REPORT = HERE / "RESULTS-pruning.md"
#: Targets of the issue: at most this many percentage points below full training ...
MAX_GAP_PP = 0.5
#: ... while spending at most this fraction of its epochs.
MAX_STEP_FRACTION = 1 / 3
CHECKED_PER_SEED = 3


def space() -> Space:
    return Space({
        "alpha": Real(1e-7, 1e-1, log=True),
        "eta0": Real(1e-5, 1.0, log=True),
        "learning_rate": Categorical(["constant", "invscaling", "adaptive"]),
        "loss": Categorical(["hinge", "log_loss", "modified_huber"]),
    })


def arms(epochs: int) -> dict[str, str]:
    """Pruner spec of each arm (``none``: every configuration trained for the full budget)."""
    return {"full": "none",
            "asha": f"asha:min_resource=1,reduction_factor=3,max_resource={epochs}",
            "hyperband": f"hyperband:min_resource=1,max_resource={epochs},reduction_factor=3"}


def _data() -> tuple[np.ndarray, ...]:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = load_digits(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_val), y_train, y_val


def train_curve(params: dict[str, Any], seed: int, epochs: int) -> tuple[list[float], list[float]]:
    """Validation accuracy after each epoch and the seconds each epoch took (training + scoring)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import SGDClassifier

    X_train, X_val, y_train, y_val = _data()
    model = SGDClassifier(**params, random_state=seed)
    classes = np.unique(y_train)
    scores, seconds = [], []
    for _ in range(epochs):
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.partial_fit(X_train, y_train, classes=classes)
        scores.append(float(model.score(X_val, y_val)))
        seconds.append(time.perf_counter() - start)
    return scores, seconds


def record_curves(seed: int, configs: int, epochs: int) -> dict[str, Any]:
    """Train every configuration of one seed for the full budget; check replay == retraining."""
    proposals = RandomStrategy(space(), seed=seed, budget=configs).ask(configs)
    curves, seconds = [], []
    for number, params in enumerate(proposals):
        scores, secs = train_curve(params, trial_seed(seed, number), epochs)
        curves.append(scores)
        seconds.append(secs)
    for number in range(min(CHECKED_PER_SEED, configs)):
        again, _ = train_curve(proposals[number], trial_seed(seed, number), epochs)
        if again != curves[number]:
            raise AssertionError(f"seed {seed}, configuration {number}: retraining gave another curve")
    return {"seed": seed, "params": proposals, "curves": curves, "seconds": seconds}


def run_arm(recorded: dict[str, Any], spec: str) -> dict[str, Any]:
    """Run the real search loop with ``spec``'s pruner, replaying the recorded curves."""
    seed, curves, seconds = recorded["seed"], recorded["curves"], recorded["seconds"]
    configs = len(curves)

    def objective(trial: Trial) -> float:
        if trial.params != recorded["params"][trial.number]:
            raise AssertionError("the strategy proposed another configuration than when recording")
        for epoch, score in enumerate(curves[trial.number], start=1):
            trial.report(score, step=epoch)
            if trial.should_prune():
                raise TrialPruned()
        return curves[trial.number][-1]

    start = time.perf_counter()
    outcome = run_search(objective, RandomStrategy(space(), seed=seed, budget=configs), trials=configs,
                         direction="maximize", seed=seed, pruner=as_pruner(spec))
    overhead = time.perf_counter() - start
    complete = [t for t in outcome.trials if t.state is TrialState.COMPLETE]
    best = max(complete, key=lambda t: (t.score, -t.number)) if complete else None
    used = {t.number: len(t.intermediate or ()) for t in outcome.trials}
    return {"best_score": None if best is None else best.score,
            "best_number": None if best is None else best.number,
            "epochs": sum(used.values()),
            "train_s": sum(sum(seconds[n][:k]) for n, k in used.items()),
            "complete": len(complete),
            "pruned": sum(t.state is TrialState.PRUNED for t in outcome.trials),
            "search_overhead_s": overhead}


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("tunekit", "scikit-learn", "numpy"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def run_benchmark(*, seeds: int, configs: int, epochs: int, jobs: int, log: Any) -> dict[str, Any]:
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(record_curves, seed, configs, epochs) for seed in range(seeds)]
        recorded = []
        for future in futures:
            recorded.append(future.result())
            log(f"seed {recorded[-1]['seed']}: {configs} curves recorded ({time.perf_counter() - start:.0f} s)")
    runs: dict[str, list[dict[str, Any]]] = {arm: [] for arm in arms(epochs)}
    for rec in recorded:
        for arm, spec in arms(epochs).items():
            runs[arm].append({"seed": rec["seed"], **run_arm(rec, spec)})
        log(f"seed {rec['seed']}: " + ", ".join(f"{arm} {runs[arm][-1]['best_score']:.4f} in "
                                               f"{runs[arm][-1]['epochs']} epochs" for arm in runs))
    return {"schema": "tunekit.bench.pruning/1",
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "command": f"python -m benchmarks.pruning --seeds {seeds} --configs {configs} --epochs {epochs}",
            "machine": {"python": platform.python_version(), "platform": platform.platform(),
                        "cpus": os.cpu_count(), "versions": _versions()},
            "task": {"model": "SGDClassifier.partial_fit", "data": "digits, 70/30 stratified split",
                     "metric": "validation accuracy", "seeds": seeds, "configs": configs, "epochs": epochs,
                     "replay_checked_per_seed": CHECKED_PER_SEED},
            "arms": arms(epochs), "runs": runs, "wall_s": time.perf_counter() - start}


def summarise(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per arm: medians over seeds, and the gap and cost relative to full training, seed by seed."""
    full = {r["seed"]: r for r in raw["runs"]["full"]}
    summary = {}
    for arm, runs in raw["runs"].items():
        gaps = [100 * (full[r["seed"]]["best_score"] - r["best_score"]) for r in runs if r["best_score"] is not None]
        fractions = [r["epochs"] / full[r["seed"]]["epochs"] for r in runs]
        summary[arm] = {
            "best_score_median": statistics.median(r["best_score"] for r in runs if r["best_score"] is not None),
            "gap_pp_median": statistics.median(gaps), "gap_pp_max": max(gaps),
            "epochs_median": statistics.median(r["epochs"] for r in runs),
            "epoch_fraction_median": statistics.median(fractions), "epoch_fraction_max": max(fractions),
            "train_s_median": statistics.median(r["train_s"] for r in runs),
            "complete_median": statistics.median(r["complete"] for r in runs),
            "pruned_median": statistics.median(r["pruned"] for r in runs),
            "meets_targets": statistics.median(gaps) <= MAX_GAP_PP
            and statistics.median(fractions) <= MAX_STEP_FRACTION}
    return summary


def render(raw: dict[str, Any]) -> str:
    summary = summarise(raw)
    task = raw["task"]
    lines = [
        "## Early stopping: random search with and without pruning",
        "",
        (f"`{raw['command']}` ({raw['created']}, {raw['machine']['cpus']} CPUs, "
         f"scikit-learn {raw['machine']['versions']['scikit-learn']}, {raw['wall_s']:.0f} s)."),
        "",
        (f"{task['model']} on {task['data']}, one epoch per step, up to {task['epochs']} epochs; "
         f"{task['configs']} random configurations per seed, the same ones in every arm; "
         f"{task['seeds']} seeds. Best = best validation accuracy among the trials that ran to the end "
         "(pruned trials never count). Epochs = epochs all trials of a search consumed. Medians over seeds; "
         "gap and fraction are taken seed by seed against full training."),
        "",
        ("| arm | pruner | best val. acc. | gap to full (pp), median / worst | epochs | fraction of full, "
         "median / worst | training s | complete / pruned |"),
        "|---|---|---|---|---|---|---|---|",
    ]
    for arm, s in summary.items():
        lines.append(
            f"| {arm} | `{raw['arms'][arm]}` | {s['best_score_median']:.4f} | {s['gap_pp_median']:+.2f} / "
            f"{s['gap_pp_max']:+.2f} | {s['epochs_median']:.0f} | {s['epoch_fraction_median']:.1%} / "
            f"{s['epoch_fraction_max']:.1%} | {s['train_s_median']:.1f} | "
            f"{s['complete_median']:.0f} / {s['pruned_median']:.0f} |")
    verdicts = []
    for arm in ("asha", "hyperband"):
        s = summary[arm]
        verdicts.append(f"{arm}: {'meets' if s['meets_targets'] else 'MISSES'} the targets (median gap "
                        f"{s['gap_pp_median']:+.2f} pp <= {MAX_GAP_PP} pp, median fraction "
                        f"{s['epoch_fraction_median']:.1%} <= {MAX_STEP_FRACTION:.1%})")
    val_samples = len(_data()[3])
    lines += ["", "Targets: " + "; ".join(verdicts) + ".", "",
              (f"The validation set has {val_samples} samples: one sample is {100 / val_samples:.2f} pp, so the "
               "gaps above are one to three validation samples."), "",
              ("Method: each configuration is trained once for the full budget and its curve replayed through "
              "the real search loop and pruners (training is deterministic given the configuration and the "
              f"trial seed; {task['replay_checked_per_seed']} configurations per seed are retrained and must "
              "match exactly). Training seconds are those the consumed epochs took when recorded, on a shared "
              "machine, so compare them only within this table."), ""]
    return "\n".join(lines)


def _write_atomic(path: Path, text: str) -> None:
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as handle:
        handle.write(text)
    os.replace(handle.name, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pruning", description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--configs", type=int, default=40)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--quick", action="store_true", help="2 seeds, 12 configurations: a smoke run")
    parser.add_argument("--report-only", action="store_true", help="re-render the report from the raw JSON")
    parser.add_argument("--out", type=Path, default=None, help="directory for the JSON and markdown files")
    args = parser.parse_args(argv)
    raw_path, report_path = RAW, REPORT
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        raw_path, report_path = args.out / RAW.name, args.out / REPORT.name
    if args.report_only:
        raw = json.loads(raw_path.read_text())
    else:
        if args.quick:
            args.seeds, args.configs = 2, 12
        raw = run_benchmark(seeds=args.seeds, configs=args.configs, epochs=args.epochs, jobs=args.jobs,
                            log=lambda line: print(line, flush=True))
        _write_atomic(raw_path, json.dumps(raw, indent=1) + "\n")
    text = render(raw)
    _write_atomic(report_path, text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
