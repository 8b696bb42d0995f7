"""Benchmark of parallel trials: speed-up of local workers and Dask, and tunekit's overhead per trial.

Run from the repository root: ``python -m benchmarks.parallel [--repeats 3] [--trials 40]``. Writes
``benchmarks/parallel_results.json`` and ``benchmarks/RESULTS-parallel.md``.

Scenarios, each timing a whole search of ``--trials`` trials (random strategy) of a CPU-bound pure-Python
objective calibrated to ~0.25 s:

- ``serial``: the default executor, in the pytest process (the 1-worker baseline);
- ``local-2 batch``: 2 worker processes, with today's batch-synchronous ``run_search`` (asks 2, waits
  for both); the pool's start-up is included;
- ``local-2 streaming``: the same pool fed by the streaming loop proposed for ``search.py`` (a new trial
  as soon as a worker is free): the patched ``run_search`` when applied, else an equivalent loop here;
- ``local-2 streaming warm``: the pool started before the timing (as a pool shared across experiments);
- ``dask-2``: a 2-worker LocalCluster (processes), batch and streaming; its start-up is reported apart.

Overhead: a no-op objective on a warm pool, wall time divided by the number of trials.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tunekit import Real, Space
from tunekit.executors import Executor, ProcessExecutor, SerialExecutor, make_executor
from tunekit.search import observation_of, run_search
from tunekit.strategies import RandomStrategy, Strategy
from tunekit.trial import Trial, TrialResult, trial_seed

HERE = Path(__file__).resolve().parent
SPACE = Space({"x": Real(0.0, 1.0)})


def spin(iterations: int) -> float:
    """Single-threaded pure-Python work."""
    total = 0.0
    for i in range(iterations):
        total += (i % 7) * 0.5
    return total


def calibrate(seconds: float) -> int:
    """Iterations of :func:`spin` that take about ``seconds`` on this machine, now."""
    iterations = 200_000
    while True:
        start = time.perf_counter()
        spin(iterations)
        elapsed = time.perf_counter() - start
        if elapsed > 0.05:
            return int(iterations * seconds / elapsed)
        iterations *= 4


def cpu_objective(iterations: int) -> Callable[[Trial], float]:
    def objective(trial: Trial) -> float:
        return spin(iterations) * 0 + trial.params["x"]

    return objective


def noop(trial: Trial) -> float:
    return trial.params["x"]


def streaming_search(objective: Callable[[Trial], Any], strategy: Strategy, *, trials: int, seed: int,
                     executor: Executor) -> list[TrialResult]:
    """The loop of the proposed ``search.py`` patch: ask one trial whenever a worker is free.

    ``Executor.run`` pulls trials lazily, so the generator asks the strategy only after the executor
    yielded a result and the loop told the strategy about it.
    """
    results: list[TrialResult] = []

    def proposals() -> Iterator[Trial]:
        for number in range(trials):
            [params] = strategy.ask(1) or [None]
            if params is None:
                return
            yield Trial(number=number, params=params, seed=trial_seed(seed, number))

    for result in executor.run(objective, proposals()):
        results.append(result)
        strategy.tell([observation_of(result, "maximize")])
    return sorted(results, key=lambda r: r.number)


#: Whether ``run_search`` itself streams for history-free strategies (the proposed patch is applied).
PATCHED_SEARCH = hasattr(Strategy, "history_free")


def timed_search(objective: Callable[[Trial], Any], executor: Executor, trials: int, mode: str,
                 busy: dict[str, float] | None = None, name: str = "") -> float:
    strategy = RandomStrategy(SPACE, seed=0, budget=trials)
    start = time.perf_counter()
    if mode == "batch" or PATCHED_SEARCH:
        if mode == "batch" and PATCHED_SEARCH:
            strategy.history_free = False  # type: ignore[misc] - force today's batch loop
        outcome = run_search(objective, strategy, trials=trials, direction="maximize", seed=0, executor=executor)
        done = outcome.trials
    else:
        done = streaming_search(objective, strategy, trials=trials, seed=0, executor=executor)
    elapsed = time.perf_counter() - start
    assert len(done) == trials and all(r.state.value == "COMPLETE" for r in done), [r.error for r in done]
    if busy is not None:
        # Share of the workers' wall time spent inside trials: start-up, idling between batches and the
        # framework's own work lower it; other jobs stealing the CPU mostly do not (they slow trials down).
        busy[name] = sum(r.duration_s for r in done) / (elapsed * executor.capacity)
    return elapsed


def overhead_ms(executor: Executor, trials: int, mode: str) -> float:
    timed_search(noop, executor, 2 * executor.capacity, mode)  # warm: workers started, objective loaded
    return 1000 * timed_search(noop, executor, trials, mode) / trials


def one_repeat(trials: int, iterations: int, with_dask: bool) -> dict[str, Any]:
    objective = cpu_objective(iterations)
    run: dict[str, Any] = {"load_average_before": os.getloadavg()[0], "wall_s": {}, "overhead_ms_per_trial": {},
                           "busy": {}}
    wall, overhead, busy = run["wall_s"], run["overhead_ms_per_trial"], run["busy"]
    start = time.perf_counter()
    spin(iterations)
    run["one_trial_s"] = time.perf_counter() - start

    wall["serial"] = timed_search(objective, SerialExecutor(), trials, "batch", busy, "serial")
    for mode in ("batch", "streaming"):
        pool = make_executor(workers=2)  # a cold pool: its start-up counts
        try:
            wall[f"local-2 {mode}"] = timed_search(objective, pool, trials, mode, busy, f"local-2 {mode}")
        finally:
            pool.close()
    pool = make_executor(workers=2)
    try:
        timed_search(noop, pool, 4, "batch")  # started before the timing, as a pool shared by experiments
        wall["local-2 streaming warm"] = timed_search(objective, pool, trials, "streaming", busy,
                                                      "local-2 streaming warm")
    finally:
        pool.close()

    overhead["serial"] = overhead_ms(SerialExecutor(), 1000, "batch")
    for workers, mode in ((1, "batch"), (2, "batch"), (2, "streaming")):
        pool = ProcessExecutor(workers)
        try:
            overhead[f"local-{workers} {mode}"] = overhead_ms(pool, 1000, mode)
        finally:
            pool.close()

    if with_dask:
        start = time.perf_counter()
        dask = make_executor(workers=2, dask="local")
        run["dask_start_s"] = time.perf_counter() - start
        try:
            timed_search(noop, dask, 4, "batch")  # workers warm, like the local pools' first batch
            for mode in ("batch", "streaming"):
                wall[f"dask-2 {mode}"] = timed_search(objective, dask, trials, mode, busy, f"dask-2 {mode}")
            overhead["dask-2 streaming"] = overhead_ms(dask, 200, "streaming")
        finally:
            dask.close()
    run["speedup"] = {name: wall["serial"] / seconds for name, seconds in wall.items() if name != "serial"}
    run["load_average_after"] = os.getloadavg()[0]
    return run


def markdown(doc: dict[str, Any]) -> str:
    runs = doc["runs"]
    names = list(runs[0]["wall_s"])
    lines = [
        "## Parallel trials (`python -m benchmarks.parallel`)",
        "",
        (f"{doc['trials']} trials of a single-threaded pure-Python objective of ~{doc['target_trial_s']} s, "
        f"random strategy; machine: {doc['machine']['cpus']} usable CPUs, Python {doc['machine']['python']}, "
        f"{doc['machine']['platform']}. Speed-up is against the serial run of the same repeat. `batch` is "
        "today's batch-synchronous `run_search`; `streaming` feeds a trial to each worker as soon as it is "
        f"free (what `run_search` does for grid and random; loop used: {doc['streaming_loop']}). "
        "Local pools are started cold "
        "inside the timing except `warm` (started before, as a pool shared across experiments would be); "
        "the Dask LocalCluster's start-up is reported apart. Other jobs shared the machine: see the load "
        "averages (1 min, before each repeat)."),
        "",
        "| repeat | load avg | 1 trial (s) | " + " | ".join(f"{n} (s)" for n in names) + " | "
        + " | ".join(f"speed-up {n}" for n in names if n != "serial") + " |",
        "|---" * (3 + 2 * len(names) - 1) + "|",
    ]
    for i, run in enumerate(runs, 1):
        lines.append(
            f"| {i} | {run['load_average_before']:.1f} | {run['one_trial_s']:.2f} | "
            + " | ".join(f"{run['wall_s'][n]:.2f}" for n in names) + " | "
            + " | ".join(f"{run['speedup'][n]:.2f}x" for n in names if n != "serial") + " |")
    lines += ["", ("Busy share: time inside trials / (wall time x workers), less sensitive to other jobs than "
              "the speed-ups (1.0: workers never idle):"), "",
              "| repeat | " + " | ".join(names) + " |", "|---" * (1 + len(names)) + "|"]
    for i, run in enumerate(runs, 1):
        lines.append(f"| {i} | " + " | ".join(f"{run['busy'][n]:.2f}" for n in names) + " |")
    overheads = list(runs[0]["overhead_ms_per_trial"])
    lines += ["", "Overhead per trial of a no-op objective on a warm pool (ms, wall time / trials):", "",
              "| repeat | " + " | ".join(overheads) + " |", "|---" * (1 + len(overheads)) + "|"]
    for i, run in enumerate(runs, 1):
        lines.append(f"| {i} | " + " | ".join(f"{run['overhead_ms_per_trial'][n]:.3f}"
                                             for n in overheads) + " |")
    if "dask_start_s" in runs[0]:
        lines += ["", "LocalCluster start-up (s): " + ", ".join(f"{r['dask_start_s']:.1f}" for r in runs)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.parallel", description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--trial-seconds", type=float, default=0.25)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask LocalCluster scenarios")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    with_dask = not args.no_dask
    if with_dask:
        try:
            import distributed  # noqa: F401
        except ImportError:
            print("distributed is not installed: skipping Dask (pip install 'tunekit[dask]')", file=sys.stderr)
            with_dask = False
    iterations = calibrate(args.trial_seconds)
    from tunekit.executors import usable_cpus

    doc: dict[str, Any] = {
        "benchmark": "tunekit.parallel/1", "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "trials": args.trials, "target_trial_s": args.trial_seconds, "spin_iterations": iterations,
        "streaming_loop": "run_search (patched)" if PATCHED_SEARCH else "benchmarks.parallel.streaming_search",
        "machine": {"cpus": usable_cpus(), "python": platform.python_version(), "platform": platform.platform()},
        "runs": [],
    }
    for repeat in range(args.repeats):
        run = one_repeat(args.trials, iterations, with_dask)
        doc["runs"].append(run)
        print(f"repeat {repeat + 1}: " + json.dumps({k: run[k] for k in ("wall_s", "speedup", "busy",
                                                                          "overhead_ms_per_trial")}),
              flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "parallel_results.json").write_text(json.dumps(doc, indent=2) + "\n")
    (args.out / "RESULTS-parallel.md").write_text(markdown(doc))
    print(markdown(doc))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
