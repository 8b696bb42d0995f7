"""Benchmark tunekit's strategies against Optuna and scikit-optimize; write RESULTS-strategies.md and raw JSON.

Run from the repository root (the contenders are in the ``bench`` extra)::

    pip install -e '.[bench]'
    python -m benchmarks.strategies            # full run, about 30 minutes on 2 cores
    python -m benchmarks.strategies --quick    # a smoke run: 2 seeds, 20 trials
    python -m benchmarks.strategies --report-only   # re-render RESULTS-strategies.md from the raw JSON
    python -m benchmarks.strategies --suite bbob    # the broad benchmark (benchmarks/suite_run.py), RESULTS-bbob.md

Every contender gets the same problems, budgets and seeds. BLAS, OpenMP and torch are limited to one
thread for every contender: the quality runs go two at a time on a two-core machine, and small
Gaussian-process matrices are faster single-threaded anyway.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import json
import math
import platform
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.contenders import CONTENDERS, run_contender
from benchmarks.problems import PROBLEMS

HERE = Path(__file__).resolve().parent
CHECKPOINTS = (10, 25, 50)
REFERENCE = "tunekit-random"
OVERHEAD_PROBLEM = "hartmann6"


def _limit_torch_threads() -> None:
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(1)


def _task(args: tuple[str, str, int, int]) -> tuple[str, str, int, dict[str, Any]]:
    problem, contender, seed, budget = args
    _limit_torch_threads()
    p = PROBLEMS[problem]
    start = time.perf_counter()
    run = run_contender(contender, p.space, p.loss, budget=budget, seed=seed)
    return problem, contender, seed, {"losses": run.losses, "overheads": run.overheads,
                                      "wall_s": time.perf_counter() - start}


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("tunekit", "scikit-optimize", "optuna", "torch", "scikit-learn", "numpy", "scipy"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def _overhead_task(args: tuple[str, int]) -> tuple[str, list[float]]:
    contender, trials = args
    _limit_torch_threads()
    p = PROBLEMS[OVERHEAD_PROBLEM]
    return contender, run_contender(contender, p.space, p.loss, budget=trials, seed=0).overheads


def _record(results: dict[str, Any], value: tuple[Any, ...], *, log: Any, started: float,
            label: str = "") -> None:
    """Store one finished overhead run (``(contender, overheads)``) or quality run, and log it."""
    elapsed = f"[{time.perf_counter() - started:7.0f}s] {label}"
    if len(value) == 2:
        contender, overheads = value
        results["overhead"][contender] = overheads
        print(f"{elapsed}overhead {contender}: {1e3 * np.mean(overheads[-10:]):.1f} ms at trial "
              f"{len(overheads)}", file=log, flush=True)
        return
    problem, contender, seed, run = value
    results["runs"][problem][contender].append({"seed": seed, **run})
    results["runs"][problem][contender].sort(key=lambda r: r["seed"])
    print(f"{elapsed}{problem} {contender} seed={seed} best={min(run['losses']):.5g} "
          f"({run['wall_s']:.1f}s)", file=log, flush=True)


def run_benchmark(*, seeds: int, sklearn_seeds: int, budget: int, overhead_trials: int, jobs: int,
                  contenders: list[str], problems: list[str], log: Any, raw: Path,
                  resume: bool = False) -> dict[str, Any]:
    """Run the overhead runs and every (problem, contender, seed); return the raw results.

    The raw results are rewritten after every finished run, and runs go seed by seed, so that an
    interrupted benchmark still leaves complete seeds to report on (``--report-only``). With
    ``resume``, the runs and overheads already in ``raw`` are kept and only the missing ones run.
    """
    results: dict[str, Any] = {
        "schema": "tunekit.benchmark.strategies/1",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count(), "threads_per_contender": 1},
        "versions": _versions(),
        "config": {"seeds": seeds, "sklearn_seeds": sklearn_seeds, "budget": budget,
                   "overhead_trials": overhead_trials, "overhead_problem": OVERHEAD_PROBLEM, "jobs": jobs},
        "problems": {name: {"kind": PROBLEMS[name].kind, "optimum": PROBLEMS[name].optimum,
                            "description": PROBLEMS[name].description} for name in problems},
        "runs": {p: {c: [] for c in contenders} for p in problems},
        "overhead": {},
        "wall_s": 0.0,
        "finished": False,
    }
    if resume and raw.exists():
        saved = json.loads(raw.read_text())
        if saved["config"]["budget"] != budget:
            raise SystemExit(f"--resume: {raw} has budget {saved['config']['budget']}, not {budget}")
        for problem, runs in saved["runs"].items():
            for contender, done in runs.items():
                if problem in results["runs"] and contender in results["runs"][problem]:
                    results["runs"][problem][contender] = done
        results["overhead"] = {c: o for c, o in saved["overhead"].items() if c in contenders}
        results["created"], results["resumed"] = saved["created"], results["created"]
    done = {(p, c, r["seed"]) for p, runs in results["runs"].items() for c, rs in runs.items() for r in rs}
    tasks = []
    for seed in range(max(seeds, sklearn_seeds)):
        for problem in problems:
            if seed < (sklearn_seeds if PROBLEMS[problem].kind == "sklearn" else seeds):
                tasks += [(problem, c, seed, budget) for c in contenders if (problem, c, seed) not in done]
    timed = [c for c in contenders if c not in results["overhead"]]
    started = time.perf_counter()

    def save() -> None:
        results["wall_s"] = time.perf_counter() - started
        _write_atomic(raw, json.dumps(results, indent=1) + "\n")

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        # the overhead runs first, side by side with the first quality runs
        overhead = [pool.submit(_overhead_task, (c, overhead_trials)) for c in timed]
        quality = [pool.submit(_task, t) for t in tasks]
        for future in as_completed(overhead + quality):
            _record(results, future.result(), log=log, started=started)
            save()
    results["finished"] = True
    save()
    return results


def rerun_contenders(results: dict[str, Any], contenders: list[str], *, jobs: int, log: Any,
                     raw: Path) -> dict[str, Any]:
    """Run ``contenders`` again on every (problem, seed) all contenders finished, and their overheads.

    For a contender whose code changed after the main run. The quality runs are deterministic given the
    seed, so they match what the main run would have measured; the overhead runs are repeated for
    Optuna's GPSampler side by side, and the rerun is recorded in the results.
    """
    budget = results["config"]["budget"]
    tasks = [(problem, contender, seed, budget) for problem in results["runs"]
             for seed in complete_seeds(results, problem) for contender in contenders]
    timed = list(dict.fromkeys(contenders + [c for c in ("optuna-gp",) if c in results["overhead"]]))
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        overhead = [pool.submit(_overhead_task, (c, results["config"]["overhead_trials"])) for c in timed]
        quality = [pool.submit(_task, t) for t in tasks]
        for contender in contenders:
            for runs in results["runs"].values():
                runs[contender] = []
        for future in as_completed(overhead + quality):
            _record(results, future.result(), log=log, started=started, label="rerun ")
    results.setdefault("reruns", []).append({
        "contenders": contenders, "overhead_remeasured": timed,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"), "versions": _versions()})
    _write_atomic(raw, json.dumps(results, indent=1) + "\n")
    return results


def remeasure_overheads(results: dict[str, Any], *, log: Any, raw: Path) -> dict[str, Any]:
    """Measure every contender's overhead again, one contender at a time with nothing else running.

    The main run measures overheads side by side with quality runs; this gives the quieter figures the
    targets are judged on, all taken in one sitting.
    """
    trials = results["config"]["overhead_trials"]
    for contender in results["overhead"]:
        with ProcessPoolExecutor(max_workers=1) as pool:
            _, overheads = pool.submit(_overhead_task, (contender, trials)).result()
        results["overhead"][contender] = overheads
        print(f"overhead {contender}: {1e3 * np.mean(overheads[-10:]):.1f} ms at trial {trials}",
              file=log, flush=True)
    results["overhead_remeasured"] = {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"), "versions": _versions(),
        "one_at_a_time": True}
    _write_atomic(raw, json.dumps(results, indent=1) + "\n")
    return results


# -- summaries (pure functions of the raw results) -----------------------------------------------------

def best_at(losses: list[float], k: int) -> float:
    """The best loss among the first ``k`` trials."""
    return float(min(losses[:k]))


def optimum_of(results: dict[str, Any], problem: str) -> float:
    """The known optimum, or for tasks without one the best loss any contender found in this run."""
    known = results["problems"][problem]["optimum"]
    if known is not None:
        return float(known)
    seeds = set(complete_seeds(results, problem))
    return min((min(r["losses"]) for runs in results["runs"][problem].values() for r in runs
                if r["seed"] in seeds), default=float("nan"))


def complete_seeds(results: dict[str, Any], problem: str) -> list[int]:
    """The seeds every contender finished on ``problem`` (all of them, unless the run was cut short)."""
    per_contender = [{r["seed"] for r in runs} for runs in results["runs"][problem].values()]
    return sorted(set.intersection(*per_contender)) if per_contender else []


def best_stats(results: dict[str, Any], problem: str, contender: str, k: int) -> tuple[float, float, float]:
    """Median, 25th and 75th percentile over the complete seeds of the best loss after ``k`` trials."""
    seeds = set(complete_seeds(results, problem))
    values = [best_at(r["losses"], k) for r in results["runs"][problem].get(contender, [])
              if r["seed"] in seeds]
    if not values:
        return float("nan"), float("nan"), float("nan")
    q25, median, q75 = np.percentile(values, [25, 50, 75])
    return float(median), float(q25), float(q75)


def normalised_score(results: dict[str, Any], problem: str, contender: str, k: int) -> float:
    """``(R - b) / (R - opt)``: 0 is random search's median best ``R``, 1 is the optimum ``opt``."""
    reference = best_stats(results, problem, REFERENCE, k)[0]
    best = best_stats(results, problem, contender, k)[0]
    optimum = optimum_of(results, problem)
    if math.isclose(reference, optimum, rel_tol=0, abs_tol=1e-12):
        return float("nan")
    return (reference - best) / (reference - optimum)


def mean_score(results: dict[str, Any], contender: str, kind: str, k: int) -> float:
    scores = [normalised_score(results, p, contender, k) for p, info in results["problems"].items()
              if info["kind"] == kind]
    scores = [s for s in scores if not math.isnan(s)]  # problems without a complete seed yet
    return float(np.mean(scores)) if scores else float("nan")


def overhead_ms(results: dict[str, Any], contender: str, trial: int, statistic: Any = np.mean) -> float:
    """Optimiser time per trial over the ten trials up to ``trial`` (mean by default), in ms.

    The mean counts periodic work (hyperparameter re-estimation) at its amortised cost; the median
    shows the typical trial, without the odd preemption by other processes on a shared machine.
    """
    overheads = results["overhead"].get(contender, [])
    if len(overheads) < trial:
        return float("nan")
    return 1e3 * float(statistic(overheads[trial - 10:trial]))


def target_checks(results: dict[str, Any]) -> list[tuple[str, bool, str]]:
    """The issue's targets as (description, met, measured) rows."""
    k = max(c for c in CHECKPOINTS if c <= results["config"]["budget"])
    bayes_syn, gp_syn = mean_score(results, "tunekit-bayes", "synthetic", k), mean_score(
        results, "optuna-gp", "synthetic", k)
    bayes_skl, tpe_skl = mean_score(results, "tunekit-bayes", "sklearn", k), mean_score(
        results, "optuna-tpe", "sklearn", k)
    rows = [
        (f"bayes mean normalised score on synthetic problems at {k} trials >= Optuna GPSampler's",
         bayes_syn >= gp_syn, f"{bayes_syn:.3f} vs {gp_syn:.3f} (gap {bayes_syn - gp_syn:+.3f})"),
        (f"bayes mean normalised score on scikit-learn tasks at {k} trials > Optuna TPE's",
         bayes_skl > tpe_skl, f"{bayes_skl:.3f} vs {tpe_skl:.3f} (gap {bayes_skl - tpe_skl:+.3f})"),
    ]
    for trial in (50, 100):
        b, g, m = (overhead_ms(results, c, trial) for c in ("tunekit-bayes", "optuna-gp", "skopt-gp_minimize"))
        rows.append((f"bayes overhead at trial {trial} <= Optuna GPSampler's", b <= g,
                     f"{b:.1f} ms vs {g:.1f} ms"))
        rows.append((f"bayes overhead at trial {trial} <= 1/5 of gp_minimize's", b <= m / 5,
                     f"{b:.1f} ms vs {m / 5:.1f} ms (gp_minimize {m:.1f} ms)"))
    for contender in ("tunekit-random", "tunekit-grid"):
        worst = max(overhead_ms(results, contender, t) for t in (50, 100))
        typical = max(overhead_ms(results, contender, t, np.median) for t in (50, 100))
        rows.append((f"{contender} adds < 1 ms per trial (mean)", worst < 1.0,
                     f"{worst:.3f} ms (median {typical:.3f} ms)"))
    return rows


def render(results: dict[str, Any]) -> str:
    """RESULTS-strategies.md for ``results``."""
    cfg = results["config"]
    present = next(iter(results["runs"].values()))
    contenders = [c for c in CONTENDERS if c in present] + [c for c in present if c not in CONTENDERS]
    checkpoints = [c for c in CHECKPOINTS if c <= cfg["budget"]]
    k = checkpoints[-1]
    out = ["# Strategy benchmark", "",
           (f"Generated by `python -m benchmarks.strategies` on {results['created']} "
           f"({results['machine']['platform']}, {results['machine']['cpus']} CPUs, Python "
           f"{results['machine']['python']}); total {results['wall_s'] / 60:.1f} min. Raw data: "
           "`benchmarks/results/strategies.json`. Nothing here is typed by hand: re-render with "
           "`python -m benchmarks.strategies --report-only`."), "",
           "Versions: " + ", ".join(f"{n} {v}" for n, v in results["versions"].items()) + ".", "",
           *[f"**{', '.join(r['contenders'])} re-run on {r['created']} after a code change** (same problems, "
             f"budgets and seeds; their quality runs are deterministic given the seed; overheads of "
             f"{', '.join(r['overhead_remeasured'])} re-measured side by side)." + "\n"
             for r in results.get("reruns", [])],
           *([(f"**Resumed on {results['resumed']}**: the runs missing from the saved results were added "
              "(quality runs are deterministic given the seed)."), ""] if "resumed" in results else []),
           *([(f"**Every overhead re-measured on {results['overhead_remeasured']['created']}**, one contender "
              "at a time with nothing else running."), ""] if "overhead_remeasured" in results else []),
           *([] if results.get("finished", True) else [
               "**This run was cut short: the tables use only the seeds every contender finished ("
               + "; ".join(f"{p}: {len(complete_seeds(results, p))}" for p in results["runs"])
               + ").**", ""]),
           (f"Budget {cfg['budget']} sequential trials per run; {cfg['seeds']} seeds (0..{cfg['seeds'] - 1}) on "
           f"the synthetic problems, {cfg['sklearn_seeds']} on the scikit-learn tasks (each trial there is a "
           "3-fold cross-validation). Every contender runs single-threaded "
           f"(BLAS, OpenMP and torch limited to one thread); quality runs go {cfg['jobs']} at a time."), "",
           ("Contenders: tunekit's `bayes`, `evolution`, `grid` (a seeded subset of the default grid when the "
           "grid is larger than the budget) and `random` (the random-search reference); Optuna's "
           "`TPESampler` and `GPSampler` with default settings; scikit-optimize's `gp_minimize` with "
           "default settings."), "",
           "## Targets", "", "| target | met | measured |", "| --- | --- | --- |"]
    for description, met, measured in target_checks(results):
        out.append(f"| {description} | {'yes' if met else '**no**'} | {measured} |")
    out += ["", f"## Normalised score at {k} trials", "",
            ("Score = (R - b) / (R - opt), where b is the contender's median (over seeds) best loss after "
            f"{k} trials, R is random search's (`tunekit-random`) median best loss after {k} trials, and opt "
            "is the known optimum, or for the scikit-learn tasks the lowest CV error any contender found "
            "in this run. 0 is random search's median, 1 the optimum, negative worse than random."), "",
            "| problem | " + " | ".join(contenders) + " |",
            "| --- |" + " --- |" * len(contenders)]
    for problem in results["runs"]:
        scores = [normalised_score(results, problem, c, k) for c in contenders]
        out.append(f"| {problem} | " + " | ".join(f"{s:.3f}" for s in scores) + " |")
    for kind, label in (("synthetic", "mean, synthetic"), ("sklearn", "mean, scikit-learn")):
        if any(info["kind"] == kind for info in results["problems"].values()):
            out.append(f"| **{label}** | " + " | ".join(
                f"**{mean_score(results, c, kind, k):.3f}**" for c in contenders) + " |")
    out += ["", "## Optimiser overhead per trial", "",
            f"Time the optimiser itself took per trial (proposal, model fitting, bookkeeping; the "
            f"objective excluded) over trials 41-50 and 91-100 of one {cfg['overhead_trials']}-trial run on "
            f"the {cfg['overhead_problem']} space with an objective that costs microseconds (seed 0). The "
            "mean counts periodic work such as hyperparameter re-estimation at its amortised cost and is "
            "what the targets use; the median is the typical trial. "
            + ("They were measured one contender at a time with nothing else running (`--overhead-only`)."
               if "overhead_remeasured" in results else
               f"These runs share the machine with the quality runs ({cfg['jobs']} at a time) and with "
               "whatever else runs on it, so absolute numbers are noisy; compare contenders."), "",
            "| contender | mean ms/trial at 50 | mean ms/trial at 100 | median at 50 | median at 100 |",
            "| --- | --- | --- | --- | --- |"]
    for contender in contenders:
        out.append(f"| {contender} | {overhead_ms(results, contender, 50):.2f} | "
                   f"{overhead_ms(results, contender, 100):.2f} | "
                   f"{overhead_ms(results, contender, 50, np.median):.2f} | "
                   f"{overhead_ms(results, contender, 100, np.median):.2f} |")
    out += ["", "## Best loss after 10 / 25 / 50 trials", "",
            "Median over seeds, with the 25th-75th percentile range in brackets. Lower is better.", ""]
    for problem, info in results["problems"].items():
        optimum = "unknown" if info["optimum"] is None else f"{info['optimum']:.6g}"
        out += [f"### {problem}", "", f"{info['description']}; optimum {optimum}.", "",
                "| contender | " + " | ".join(f"{c} trials" for c in checkpoints) + " |",
                "| --- |" + " --- |" * len(checkpoints)]
        for contender in contenders:
            cells = []
            for c in checkpoints:
                median, q25, q75 = best_stats(results, problem, contender, c)
                cells.append(f"{median:.4g} [{q25:.4g}, {q75:.4g}]")
            out.append(f"| {contender} | " + " | ".join(cells) + " |")
        out.append("")
    notes = HERE / "NOTES.md"
    if notes.exists():
        out += [notes.read_text().rstrip(), ""]
    return "\n".join(out) + "\n"


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as handle:
        handle.write(text)
    os.replace(handle.name, path)


def main(argv: list[str] | None = None) -> int:
    suite = argparse.ArgumentParser(add_help=False)
    suite.add_argument("--suite", choices=("classic", "bbob"), default="classic")
    chosen, rest = suite.parse_known_args(argv)
    if chosen.suite == "bbob":
        from benchmarks.suite_run import main as run_suite

        return run_suite(rest)
    parser = argparse.ArgumentParser(prog="python -m benchmarks.strategies", description=__doc__.split("\n")[0])
    parser.add_argument("--suite", choices=("classic", "bbob"), default="classic",
                        help="classic: the problems below (this report); bbob: the broad benchmark, BBOB and the "
                             "classic problems, see python -m benchmarks.strategies --suite bbob --help")
    parser.add_argument("--seeds", type=int, default=5, help="seeds per synthetic problem (default 5)")
    parser.add_argument("--sklearn-seeds", type=int, default=5, help="seeds per scikit-learn task (default 5)")
    parser.add_argument("--budget", type=int, default=50, help="trials per run (default 50)")
    parser.add_argument("--overhead-trials", type=int, default=100, help="length of the overhead runs")
    parser.add_argument("--jobs", type=int, default=2, help="quality runs at a time (default 2)")
    parser.add_argument("--contenders", nargs="+", default=list(CONTENDERS), choices=list(CONTENDERS))
    parser.add_argument("--problems", nargs="+", default=list(PROBLEMS), choices=list(PROBLEMS))
    parser.add_argument("--quick", action="store_true", help="smoke run: 2 seeds, 20 trials, 30 for overhead")
    parser.add_argument("--out", type=Path, default=HERE, help="folder for RESULTS-strategies.md and results/")
    parser.add_argument("--report-only", action="store_true", help="re-render RESULTS-strategies.md from the JSON")
    parser.add_argument("--rerun", nargs="+", choices=list(CONTENDERS), default=None, metavar="CONTENDER",
                        help="run these contenders again on the seeds of the saved results (after a change)")
    parser.add_argument("--resume", action="store_true",
                        help="keep the runs already in the raw results and run only the missing ones")
    parser.add_argument("--overhead-only", action="store_true",
                        help="measure every contender's overhead again, one at a time, into the raw results")
    args = parser.parse_args(argv)
    raw = args.out / "results" / "strategies.json"
    if args.report_only:
        results = json.loads(raw.read_text())
    elif args.overhead_only:
        results = remeasure_overheads(json.loads(raw.read_text()), log=sys.stdout, raw=raw)
    elif args.rerun:
        results = rerun_contenders(json.loads(raw.read_text()), args.rerun, jobs=args.jobs,
                                   log=sys.stdout, raw=raw)
    else:
        if REFERENCE not in args.contenders:
            parser.error(f"--contenders must include the reference {REFERENCE}")
        if args.quick:
            args.seeds, args.sklearn_seeds, args.budget, args.overhead_trials = 2, 1, 20, 30
        results = run_benchmark(seeds=args.seeds, sklearn_seeds=args.sklearn_seeds, budget=args.budget,
                                overhead_trials=args.overhead_trials, jobs=args.jobs,
                                contenders=args.contenders, problems=args.problems, log=sys.stdout,
                                raw=raw, resume=args.resume)
    _write_atomic(args.out / "RESULTS-strategies.md", render(results))
    print(f"wrote {args.out / 'RESULTS-strategies.md'} and {raw}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
