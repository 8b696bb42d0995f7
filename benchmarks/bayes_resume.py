"""What resuming a ``bayes`` search costs: the first proposal after restoring N trials against a normal one.

Run from the repository root::

    python -m benchmarks.bayes_resume                      # this tree only
    python -m benchmarks.bayes_resume --baseline b77b699   # and a commit's tunekit, side by side

For each problem, one process runs an uninterrupted search of N trials (``ask`` and ``tell`` one trial at a
time, the objective's cost negligible) and K more; another restores the first N into a new strategy, as a
resumed search does, proposes the same K (checked to be equal), and then times resumes (``restore`` plus
the first ``ask`` of a fresh strategy) alternately with normal proposals of a strategy at that size.
Reported per problem and code version: both medians and their ratio, the kernel hyperparameter
optimisations a resume makes, peak resident memory of each process (``ru_maxrss``) and the traced peak
(``tracemalloc``) of one resume. Both processes first make a few proposals on a small history, so that
imports and one-off set-ups are not counted; BLAS is limited to one thread, as in the strategy benchmark.
``--baseline COMMIT`` measures that commit's ``tunekit`` package (extracted with ``git archive``) in the
same run, for a before/after table. Writes RESULTS-bayes-resume.md and results/bayes_resume.json.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_PROBLEMS = ("hartmann6", "ackley10")
RESUME_REPEATS = 5
NORMAL_WINDOW = 10
#: The folder the worker processes import ``tunekit`` from.
CODE_VARIABLE = "BAYES_RESUME_TUNEKIT"


def _strategy(problem: str, seed: int, trials: int) -> Any:
    from benchmarks.problems import PROBLEMS
    from tunekit.strategies import BayesStrategy

    return BayesStrategy(PROBLEMS[problem].space, seed=seed, budget=trials)


def _observe(problem: str, params: dict[str, Any]) -> Any:
    from benchmarks.problems import PROBLEMS
    from tunekit.strategies.base import Observation
    from tunekit.trial import TrialState

    return Observation(params, TrialState.COMPLETE, float(PROBLEMS[problem].loss(params)))


def _warm_up(problem: str) -> None:
    """A few model-based proposals on a small history: imports and cached set-ups happen here."""
    strategy = _strategy(problem, 12345, 20)
    for _ in range(14):
        strategy.tell([_observe(problem, strategy.ask(1)[0])])


class _OptimisationCounter:
    """Counts the kernel hyperparameter optimisations (L-BFGS runs through ``scipy.optimize.minimize``,
    which scikit-learn and tunekit both call at the time of each run)."""

    def __init__(self) -> None:
        import scipy.optimize

        self.count = 0
        original = scipy.optimize.minimize

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return original(*args, **kwargs)

        scipy.optimize.minimize = counted


def _peak_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux and in bytes on macOS
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(rss / (2**20 if sys.platform == "darwin" else 1024), 1)


def _worker_run(problem: str, seed: int, trials: int, extra: int, history: Path) -> dict[str, Any]:
    """The uninterrupted search: ``trials`` + ``extra`` proposals; the first ``trials`` observations
    are written to ``history`` for the resume process."""
    _warm_up(problem)
    strategy = _strategy(problem, seed, trials + extra)
    observations, ask_s = [], []
    for _ in range(trials + extra):
        start = time.perf_counter()
        params = strategy.ask(1)[0]
        ask_s.append(time.perf_counter() - start)
        observations.append(_observe(problem, params))
        strategy.tell(observations[-1:])
    history.write_text(json.dumps([o.params for o in observations]))
    window = ask_s[trials - NORMAL_WINDOW + 1:trials + 1]  # the asks after trials-9..trials observations
    import tunekit

    return {"tunekit": str(Path(tunekit.__file__).parent), "normal_s": statistics.median(window),
            "whole_run_s": sum(ask_s[:trials]), "after": [o.params for o in observations[trials:]],
            "peak_rss_mib": _peak_rss_mib()}


def _worker_resume(problem: str, seed: int, trials: int, extra: int, history: Path) -> dict[str, Any]:
    """Restore the first ``trials`` observations and propose the next ``extra``; then time restores
    (``restore`` + first ``ask`` of a fresh strategy) alternately with normal proposals of the restored
    strategy, which is then at that size, so that both see the same load of a shared machine."""
    _warm_up(problem)
    counter = _OptimisationCounter()
    observations = [_observe(problem, params) for params in json.loads(history.read_text())[:trials]]
    strategy = _strategy(problem, seed, trials + extra + RESUME_REPEATS)
    strategy.restore(observations)
    after: list[dict[str, Any]] = []
    for _ in range(extra):
        after.append(strategy.ask(1)[0])
        strategy.tell([_observe(problem, after[-1])])
    resume_s, normal_s, resume_optimisations, normal_optimisations = [], [], [], []
    for _ in range(RESUME_REPEATS):
        fresh = _strategy(problem, seed, trials + extra)
        counter.count = 0
        start = time.perf_counter()
        fresh.restore(observations)
        fresh.ask(1)
        resume_s.append(time.perf_counter() - start)
        resume_optimisations.append(counter.count)
        counter.count = 0
        start = time.perf_counter()
        params = strategy.ask(1)[0]
        normal_s.append(time.perf_counter() - start)
        normal_optimisations.append(counter.count)
        strategy.tell([_observe(problem, params)])
    peak_rss = _peak_rss_mib()
    fresh = _strategy(problem, seed, trials + extra)
    tracemalloc.start()
    fresh.restore(observations)
    fresh.ask(1)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"resume_s": resume_s, "normal_s": normal_s, "optimisations": max(resume_optimisations),
            "normal_optimisations": max(normal_optimisations), "after": after,
            "peak_rss_mib": peak_rss, "traced_peak_mib": round(traced_peak / 2**20, 1)}


def _measure(code: Path | None, problem: str, seed: int, trials: int, extra: int) -> dict[str, Any]:
    """Both processes for one problem, with ``tunekit`` imported from ``code`` (``None``: this tree)."""
    env = {**os.environ, CODE_VARIABLE: str(code or ROOT)}
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        history = Path(scratch) / "history.json"
        for mode in ("run", "resume"):
            done = subprocess.run([sys.executable, "-m", "benchmarks.bayes_resume", "--worker", mode, problem,
                                   str(seed), str(trials), str(extra), str(history)],
                                  cwd=ROOT, env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"{mode} worker for {problem} failed:\n{done.stderr}")
            results[mode] = json.loads(done.stdout.strip().splitlines()[-1])
    run, resume = results["run"], results["resume"]
    if Path(run["tunekit"]) != (code or ROOT) / "tunekit":
        raise RuntimeError(f"the worker imported {run['tunekit']}, not the tunekit of {code or ROOT}")
    normal, restored = statistics.median(resume["normal_s"]), statistics.median(resume["resume_s"])
    return {"normal_ms": round(normal * 1000, 1), "resume_ms": round(restored * 1000, 1),
            "ratio": round(restored / normal, 2),
            "resume_runs_ms": [round(s * 1000, 1) for s in resume["resume_s"]],
            "normal_runs_ms": [round(s * 1000, 1) for s in resume["normal_s"]],
            "optimisations": resume["optimisations"], "normal_optimisations": resume["normal_optimisations"],
            "run_normal_ms": round(run["normal_s"] * 1000, 1), "whole_run_s": round(run["whole_run_s"], 1),
            "exact": run["after"] == resume["after"],
            "run_peak_rss_mib": run["peak_rss_mib"], "resume_peak_rss_mib": resume["peak_rss_mib"],
            "resume_traced_peak_mib": resume["traced_peak_mib"]}


def _extract(commit: str, into: Path) -> Path:
    archive = subprocess.run(["git", "archive", commit, "tunekit"], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def _git_head() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=False)
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "tunekit/strategies"], cwd=ROOT,
                           capture_output=True, text=True, check=False).stdout.strip()
    return done.stdout.strip() + (" + uncommitted changes to tunekit/strategies" if dirty else "")


def render(results: dict[str, Any]) -> str:
    config = results["config"]
    k, repeats, window = config["extra"], RESUME_REPEATS, NORMAL_WINDOW
    command = "python -m benchmarks.bayes_resume" + (f" --baseline {config['baseline']}" if config["baseline"] else "")
    lines = [
        "# Resuming a `bayes` search",
        "",
        f"Generated by `{command}` on {results['datetime']} ({results['machine']}); do not edit by hand.",
        "",
        (f"- One process runs an uninterrupted search of N trials and {k} more (seed {config['seed']}, "
         "objective cost negligible, BLAS on one thread); a second restores the first N into a new "
         f"strategy and proposes the same {k}: *exact* says whether its {k} proposals equal the "
         "uninterrupted run's."),
        (f"- The second process then times {repeats} *resumes* (`restore` of the N trials plus the first "
         f"`ask`, each with a fresh strategy), each followed by a *normal* proposal of the strategy restored "
         f"before, which then holds N+{k} to N+{k + repeats - 1} observations: medians, and *x normal* "
         "their ratio (target at N = 400: at most 3). Alternating them gives both the same load on a shared "
         "machine."),
        ("- *L-BFGS*: kernel hyperparameter optimisations (runs of L-BFGS) during a resume, and during a "
         f"normal proposal. *normal (run)*: median `ask` after N-{window - 1}..N observations in the "
         "uninterrupted process; *whole run*: the sum of its first N `ask` calls."),
        ("- Memory: peak resident set of the uninterrupted process (*run RSS*) and of the resume process "
         "(*resume RSS*), and the traced peak (`tracemalloc`) of one resume."),
        "",
        ("| code | problem | N | normal | resume | x normal | L-BFGS resume / normal | exact | normal (run) "
         "| whole run | run RSS | resume RSS | traced |"),
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, per_problem in results["versions"].items():
        for row in per_problem:
            lines.append(
                f"| {label} | {row['problem']} | {row['trials']} | {row['normal_ms']} ms | {row['resume_ms']} ms "
                f"| **{row['ratio']}** "
                f"| {row['optimisations']} / {row['normal_optimisations']} "
                f"| {'yes' if row['exact'] else '**no**'} | {row['run_normal_ms']} ms | {row['whole_run_s']} s "
                f"| {row['run_peak_rss_mib']} MiB | {row['resume_peak_rss_mib']} MiB "
                f"| {row['resume_traced_peak_mib']} MiB |")
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bayes_resume", description=__doc__.split("\n")[0])
    parser.add_argument("--problems", nargs="+", default=list(DEFAULT_PROBLEMS))
    parser.add_argument("--trials", type=int, nargs="+", default=[100, 400],
                        help="trials restored (default: 100 and 400)")
    parser.add_argument("--extra", type=int, default=5, help="proposals compared after the restore (default 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--baseline", metavar="COMMIT", help="also measure this commit's tunekit package")
    parser.add_argument("--out", type=Path, default=HERE, help="folder for RESULTS-bayes-resume.md and results/")
    parser.add_argument("--worker", nargs=6, metavar=("MODE", "PROBLEM", "SEED", "TRIALS", "EXTRA", "HISTORY"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        mode, problem, seed, trials, extra, history = args.worker
        sys.path.insert(0, os.environ.get(CODE_VARIABLE, str(ROOT)))  # before the repository root
        worker = _worker_run if mode == "run" else _worker_resume
        print(json.dumps(worker(problem, int(seed), int(trials), int(extra), Path(history))))
        return 0
    results: dict[str, Any] = {
        "datetime": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "config": {"trials": args.trials, "extra": args.extra, "seed": args.seed, "problems": args.problems,
                   "baseline": args.baseline},
        "versions": {}}
    with tempfile.TemporaryDirectory() as scratch:
        versions: list[tuple[str, Path | None]] = []
        if args.baseline:
            versions.append((f"before ({args.baseline})", _extract(args.baseline, Path(scratch))))
        versions.append((f"this tree ({_git_head()})", None))
        for label, code in versions:
            results["versions"][label] = []
            for trials in args.trials:
                for problem in args.problems:
                    print(f"{label}: {problem}, {trials} trials ...", flush=True)
                    row = {"problem": problem, "trials": trials,
                           **_measure(code, problem, args.seed, trials, args.extra)}
                    results["versions"][label].append(row)
                    print(f"  {row}", flush=True)
    raw = args.out / "results" / "bayes_resume.json"
    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_text(json.dumps(results, indent=1) + "\n")
    report = args.out / "RESULTS-bayes-resume.md"
    report.write_text(render(results))
    print(f"wrote {report} and {raw}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
