"""How many BLAS/OpenMP threads a trial's worker should get: HistGradientBoosting fits with 1 thread against
usable cores / workers threads, on an idle machine and next to a CPU hog (a busy CI runner, other jobs).

Run from the repository root: ``python -m benchmarks.threads``; writes ``benchmarks/RESULTS-threads.md`` and
``benchmarks/results/threads.json``. Each setting fits in a fresh process (OpenMP reads its variables at start).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FITS = 5

_FIT = """
import time
import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
X, y = make_classification(n_samples=20000, n_features=30, random_state=0)
times = []
for seed in range({fits}):
    start = time.perf_counter()
    HistGradientBoostingClassifier(max_iter=100, random_state=seed).fit(X, y)
    times.append(time.perf_counter() - start)
print(sorted(times)[len(times) // 2])
"""


def _hog(stop: Any) -> None:
    while not stop.is_set():
        sum(i * i for i in range(10_000))


def _fit_seconds(threads: int) -> float:
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads)}
    done = subprocess.run([sys.executable, "-c", _FIT.format(fits=FITS)], env=env, capture_output=True, text=True,
                          check=True)
    return float(done.stdout.strip())


def measure() -> dict[str, Any]:
    cpus = os.cpu_count() or 1
    settings = sorted({1, cpus})
    rows: dict[str, Any] = {}
    for load, hogs in (("idle", 0), ("busy", cpus)):
        stop = multiprocessing.Event()
        workers = [multiprocessing.Process(target=_hog, args=(stop,)) for _ in range(hogs)]
        for worker in workers:
            worker.start()
        try:
            rows[load] = {str(threads): _fit_seconds(threads) for threads in settings}
        finally:
            stop.set()
            for worker in workers:
                worker.join()
    return {"cpus": cpus, "fits": FITS, "platform": platform.platform(), "median_fit_s": rows,
            "load_average_at_start": os.getloadavg()[0] if hasattr(os, "getloadavg") else None}


def render(result: dict[str, Any]) -> str:
    cpus = result["cpus"]
    lines = ["# Threads per trial worker", "",
             (f"`python -m benchmarks.threads` on {result['platform']} ({cpus} CPUs; load average "
              f"{result['load_average_at_start']} when it started). Median of {result['fits']} fits of "
              "HistGradientBoostingClassifier (100 iterations, 20,000 x 30) in a fresh process per setting; "
              f"'busy' runs {cpus} pure-Python busy loops alongside, as other jobs on a shared runner would."), "",
             "| machine | " + " | ".join(f"{t} thread(s)" for t in result["median_fit_s"]["idle"]) + " |",
             "| --- |" + " --- |" * len(result["median_fit_s"]["idle"])]
    for load, row in result["median_fit_s"].items():
        lines.append(f"| {load} | " + " | ".join(f"{seconds:.2f} s" for seconds in row.values()) + " |")
    idle, busy = result["median_fit_s"]["idle"], result["median_fit_s"]["busy"]
    many = str(cpus)
    if many in idle and many != "1":
        lines += ["", (f"{cpus} threads against 1: {idle['1'] / idle[many]:.2f}x the speed when idle, "
                       f"{busy['1'] / busy[many]:.2f}x when busy. tunekit's default follows: the free cores "
                       "(usable cores less the load average) shared by the workers.")]
    return "\n".join([*lines, ""])


def main() -> None:
    result = measure()
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "threads.json").write_text(json.dumps(result, indent=1) + "\n")
    (HERE / "RESULTS-threads.md").write_text(render(result))
    print(render(result))


if __name__ == "__main__":
    main()
