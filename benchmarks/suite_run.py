"""Run the broad benchmark (BBOB plus the classic problems) into per-contender run caches, resumably.

    python -m benchmarks.strategies --suite bbob                 # everything missing, all CPUs
    python -m benchmarks.strategies --suite bbob --workers 1     # the same, one process
    python -m benchmarks.strategies --suite bbob --rerun tunekit-bayes   # after a change to tunekit
    python -m benchmarks.strategies --suite bbob --report-only   # re-render RESULTS-bbob.md

Runs go problem by problem (every seed and contender of a problem before the next problem; 2-D first,
then the classic problems, then 5-D and 10-D), so an interrupted run leaves whole problems to report on.
Finished runs are checkpointed every few runs to ``results/bbob/CONTENDER.json``; running the same
command again runs only what is missing. A run counts as done only when the cache holds it from the
current code of its contender (tunekit's sources, or the library's version), so after a change to
tunekit the same command re-runs exactly tunekit's runs.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import multiprocessing
import signal
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from benchmarks.bbob import DIMENSIONS, FUNCTIONS, INSTANCES, BBOBKey, bbob_names, bbob_problem, group_of
from benchmarks.contenders import BUDGET_FREE, CONTENDERS, run_contender
from benchmarks.problems import PROBLEMS, Problem
from benchmarks.run_cache import CachedRun, RunCache, code_fingerprint

__all__ = ["REFERENCE", "SuiteConfig", "Task", "get_problem", "group_of_problem", "main", "open_caches",
           "plan_tasks", "run_tasks"]

HERE = Path(__file__).resolve().parent
REFERENCE = "tunekit-random"
CLASSIC = tuple(PROBLEMS)


@dataclass(frozen=True)
class SuiteConfig:
    """What the broad benchmark runs: which problems, budgets and seeds."""

    functions: tuple[int, ...] = FUNCTIONS
    dimensions: tuple[int, ...] = DIMENSIONS
    instances: tuple[int, ...] = INSTANCES
    seeds: int = 3
    budget: int = 50
    long_budget: int = 100  # a second budget, at the dimensions in long_dimensions
    long_dimensions: tuple[int, ...] = (10,)
    classic: tuple[str, ...] = CLASSIC
    classic_seeds: int = 5
    contenders: tuple[str, ...] = tuple(CONTENDERS)

    def problems(self) -> list[str]:
        """Every problem, in the order they run: BBOB 2-D, the classic problems, then the larger BBOB."""
        small = [d for d in self.dimensions if d <= 2]
        return (bbob_names(self.functions, tuple(small), self.instances) + list(self.classic)
                + bbob_names(self.functions, tuple(d for d in self.dimensions if d > 2), self.instances))

    def budgets(self, problem: str) -> list[int]:
        if problem.startswith("bbob_") and BBOBKey.parse(problem).dimension in self.long_dimensions:
            return [self.budget, self.long_budget]
        return [self.budget]

    def seeds_of(self, problem: str) -> int:
        return self.seeds if problem.startswith("bbob_") else self.classic_seeds

    def to_json(self) -> dict[str, Any]:
        return {name: list(value) if isinstance(value, tuple) else value for name, value in self.__dict__.items()}


def get_problem(name: str) -> Problem:
    return bbob_problem(name) if name.startswith("bbob_") else PROBLEMS[name]


def group_of_problem(name: str) -> str:
    """The BBOB function group, or for the classic problems their kind (synthetic or scikit-learn)."""
    if name.startswith("bbob_"):
        return group_of(BBOBKey.parse(name).function)
    return {"synthetic": "classic synthetic", "sklearn": "classic scikit-learn"}[PROBLEMS[name].kind]


@dataclass(frozen=True)
class Task:
    problem: str
    contender: str
    budget: int
    seed: int


@dataclass
class _Progress:
    done: int = 0
    since_save: int = 0
    last_save: float = field(default_factory=time.monotonic)


def open_caches(folder: Path, contenders: tuple[str, ...]) -> dict[str, RunCache]:
    return {c: RunCache(folder / f"{c}.json", c, budget_free=c in BUDGET_FREE) for c in contenders}


def plan_tasks(config: SuiteConfig, caches: dict[str, RunCache], codes: dict[str, str], *,
               contenders: tuple[str, ...] | None = None, only_complete: bool = False) -> list[Task]:
    """The runs the caches lack from the current code, problem by problem, for ``contenders`` (default all).

    A budget-free contender runs only the longest budget of a problem: its first trials serve the others.
    With ``only_complete``, only problems every other contender has finished (for a re-run after a change).
    """
    chosen = contenders or config.contenders
    tasks = []
    for problem in config.problems():
        budgets = config.budgets(problem)
        seeds = range(config.seeds_of(problem))
        if only_complete and any(caches[c].get(problem, b, s) is None for c in config.contenders
                                 if c not in chosen for b in budgets for s in seeds):
            continue
        for budget in budgets:
            for seed in seeds:
                for contender in chosen:
                    if contender in BUDGET_FREE and budget < max(budgets):
                        continue
                    if caches[contender].get(problem, budget, seed, codes[contender]) is None:
                        tasks.append(Task(problem, contender, budget, seed))
    return tasks


def _init_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(1)


def _run_task(task: Task) -> tuple[Task, list[float], float, float]:
    problem = get_problem(task.problem)
    wall, cpu = time.perf_counter(), time.process_time()
    run = run_contender(task.contender, problem.space, problem.loss, budget=task.budget, seed=task.seed)
    return task, run.losses, time.perf_counter() - wall, time.process_time() - cpu


def _results(tasks: list[Task], workers: int) -> Iterator[tuple[Task, list[float], float, float]]:
    with multiprocessing.get_context("fork").Pool(workers, initializer=_init_worker) as pool:
        # chunksize 1: the workers take tasks in order, so problems finish one after another
        yield from pool.imap_unordered(_run_task, tasks, chunksize=1)


def run_tasks(tasks: list[Task], caches: dict[str, RunCache], codes: dict[str, str], *, workers: int,
              log: TextIO, checkpoint_every: int = 5, checkpoint_s: float = 120.0) -> int:
    """Run ``tasks`` on ``workers`` processes into ``caches``; return how many finished.

    The caches are saved every ``checkpoint_every`` finished runs or ``checkpoint_s`` seconds, and when
    the run stops for any reason, so a killed benchmark loses at most the runs since the last save.
    """
    progress = _Progress()
    started = time.perf_counter()

    def save() -> None:
        for cache in caches.values():
            if cache.dirty:
                cache.save()
        progress.since_save, progress.last_save = 0, time.monotonic()

    try:
        for task, losses, wall_s, cpu_s in _results(tasks, workers):
            caches[task.contender].put(task.problem, task.budget, task.seed,
                                       CachedRun(losses, codes[task.contender], wall_s, cpu_s))
            progress.done += 1
            progress.since_save += 1
            optimum = get_problem(task.problem).optimum
            regret = min(losses) - (optimum if optimum is not None else 0.0)
            print(f"[{time.perf_counter() - started:7.0f}s {progress.done}/{len(tasks)}] {task.problem} "
                  f"{task.contender} budget={task.budget} seed={task.seed} regret={regret:.4g} "
                  f"({cpu_s:.1f} s CPU)", file=log, flush=True)
            if progress.since_save >= checkpoint_every or time.monotonic() - progress.last_save > checkpoint_s:
                save()
    finally:
        save()
    return progress.done


def _terminate(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # so that run_tasks saves what finished


def main(argv: list[str] | None = None) -> int:
    from benchmarks.suite_report import write_report

    defaults = SuiteConfig()
    parser = argparse.ArgumentParser(prog="python -m benchmarks.strategies --suite bbob",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="runs at a time, one process each (default: the number of CPUs)")
    parser.add_argument("--contenders", nargs="+", default=list(defaults.contenders), choices=list(CONTENDERS))
    parser.add_argument("--rerun", nargs="+", default=None, choices=list(CONTENDERS), metavar="CONTENDER",
                        help="run only these contenders' runs that the current code did not make (after a "
                             "change), on the problems every other contender finished")
    parser.add_argument("--functions", nargs="*", type=int, default=list(defaults.functions))
    parser.add_argument("--dimensions", nargs="+", type=int, default=list(defaults.dimensions))
    parser.add_argument("--instances", nargs="+", type=int, default=list(defaults.instances))
    parser.add_argument("--seeds", type=int, default=defaults.seeds, help="seeds per BBOB problem")
    parser.add_argument("--classic", nargs="*", default=list(defaults.classic), choices=list(PROBLEMS),
                        help="the classic problems to include (none: only BBOB)")
    parser.add_argument("--classic-seeds", type=int, default=defaults.classic_seeds)
    parser.add_argument("--budget", type=int, default=defaults.budget)
    parser.add_argument("--long-budget", type=int, default=defaults.long_budget,
                        help="a second budget, at the --long-dimensions")
    parser.add_argument("--long-dimensions", nargs="*", type=int, default=list(defaults.long_dimensions))
    parser.add_argument("--out", type=Path, default=HERE, help="folder for RESULTS-bbob.md and results/bbob/")
    parser.add_argument("--report-only", action="store_true", help="re-render RESULTS-bbob.md from the caches")
    parser.add_argument("--plan", action="store_true", help="list how many runs are missing, run nothing")
    args = parser.parse_args(argv)
    if REFERENCE not in args.contenders:
        parser.error(f"--contenders must include the reference {REFERENCE}")
    config = SuiteConfig(tuple(args.functions), tuple(args.dimensions), tuple(args.instances), args.seeds,
                         args.budget, args.long_budget, tuple(args.long_dimensions), tuple(args.classic),
                         args.classic_seeds, tuple(args.contenders))
    folder = args.out / "results" / "bbob"
    caches = open_caches(folder, config.contenders)
    if not args.report_only:
        codes = {c: code_fingerprint(c) for c in config.contenders}
        rerun = tuple(args.rerun) if args.rerun else None
        tasks = plan_tasks(config, caches, codes, contenders=rerun, only_complete=rerun is not None)
        per_contender = ", ".join(f"{c}: {sum(t.contender == c for t in tasks)}" for c in rerun or config.contenders)
        print(f"{len(tasks)} runs to do ({per_contender})", flush=True)
        if args.plan:
            return 0
        signal.signal(signal.SIGTERM, _terminate)
        try:
            run_tasks(tasks, caches, codes, workers=args.workers, log=sys.stdout)
        except KeyboardInterrupt:
            print("interrupted: the finished runs are saved; run the same command to go on", flush=True)
    path = write_report(config, caches, args.out)
    print(f"wrote {path} and {folder}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
