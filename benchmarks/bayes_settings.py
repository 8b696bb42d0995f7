"""Measure the settings of tunekit's ``bayes`` strategy, so that its defaults rest on measurements.

    python -m benchmarks.bayes_settings                      # the full study (15 variants, 5 seeds)
    python -m benchmarks.bayes_settings --variants default "acq LCB"    # refresh some variants only
    python -m benchmarks.bayes_settings --report-only        # rewrite the markdown from the JSON

writes ``benchmarks/results/bayes_settings.json`` (raw numbers, rewritten after every variant, so an
interrupted study leaves the variants it finished) and ``benchmarks/BAYES_SETTINGS.md`` (the report).

Each variant is :class:`~tunekit.strategies.BayesStrategy` with one setting changed from its default:
acquisition function, acquisition maximiser, kernel priors, ``xi``, number of random candidates,
initial design size, and the schedule on which the kernel's hyperparameters are re-estimated. Every
variant runs the five synthetic problems of :mod:`benchmarks.problems` for the same budget and seeds;
random search runs the same seeds as the reference. The seeds start at 100 (``--first-seed``), apart
from the main benchmark's seeds 0..4 (``python -m benchmarks.strategies``), so that the defaults chosen
here are not tuned on the seeds they are then judged on.

Reported per variant and problem: the normalised score ``(R - b) / (R - opt)``, with ``b`` the median
over seeds of the best loss after the budget, ``R`` random search's median and ``opt`` the known
optimum (0: as good as random search, 1: the optimum); the mean over problems; a paired comparison
with the default on the same seeds; and the cost of a proposal, as the mean time of ``ask`` + ``tell``
over the last ten trials of the budget, and over trials 91-100 and 51-100 of 100-trial runs on
Hartmann-6 (objective cost negligible), to show how the cost grows with the number of trials. The
100-trial runs come after the study, three per variant, round-robin over the variants, so that a
change in the machine's load affects every variant alike (``--timing-only`` redoes just them).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import datetime
import json
import platform
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.problems import PROBLEMS, problem_names
from tunekit.strategies import BayesStrategy, RandomStrategy
from tunekit.strategies.base import Observation, Strategy
from tunekit.trial import TrialState

HERE = Path(__file__).resolve().parent
RESULTS_JSON = HERE / "results" / "bayes_settings.json"
REPORT_MD = HERE / "BAYES_SETTINGS.md"

#: Each variant changes one setting of ``BayesStrategy``'s defaults (``"default"`` changes none).
VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "acq LCB": {"acq_func": "LCB"},
    "acq PI": {"acq_func": "PI"},
    "optimizer sampling": {"acq_optimizer": "sampling"},
    "optimizer sampling + gp_hedge": {"acq_optimizer": "sampling", "acq_func": "gp_hedge"},
    "optimizer lbfgs": {"acq_optimizer": "lbfgs"},
    "no kernel priors": {"kernel_priors": False},
    "xi 0.01": {"xi": 0.01},
    "300 candidates": {"n_candidates": 300},
    "5000 candidates": {"n_candidates": 5000},
    "5 initial points": {"n_initial_points": 5},
    "15 initial points": {"n_initial_points": 15},
    "re-estimate every trial": {"refit_growth": 1.0},
    "refit growth 1.5": {"refit_growth": 1.5},
}

#: Notes written by hand below this line of the report survive when the script rewrites it.
NOTES_MARKER = "<!-- notes below this line are written by hand and kept when the report is rewritten -->"


class _TooSlow(Exception):
    """A run passed its time limit; the variant is dropped from the study."""


def _run(strategy: Strategy, loss: Callable[[dict[str, Any]], float], budget: int,
         deadline: float | None = None) -> tuple[list[float], list[float]]:
    """Ask/tell ``budget`` trials one at a time; return the losses and the seconds each proposal took
    (``ask`` plus ``tell``, the objective excluded)."""
    losses, times = [], []
    for _ in range(budget):
        start = time.perf_counter()
        params = strategy.ask(1)[0]
        times.append(time.perf_counter() - start)
        value = float(loss(params))
        start = time.perf_counter()
        strategy.tell([Observation(params, TrialState.COMPLETE, value)])
        times[-1] += time.perf_counter() - start
        losses.append(value)
        if deadline is not None and time.perf_counter() > deadline:
            raise _TooSlow
    return losses, times


def _versions() -> dict[str, str]:
    import scipy
    import sklearn
    import skopt

    try:
        # the last commit that changed tunekit/: later commits elsewhere do not change what is measured
        commit = subprocess.run(["git", "log", "-1", "--format=%h", "--", "tunekit"], cwd=HERE.parent,
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "tunekit"], cwd=HERE.parent,
                               capture_output=True, text=True, check=True).stdout.strip()
        commit += " (tunekit/ modified)" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
            "scikit-learn": sklearn.__version__, "scikit-optimize": skopt.__version__,
            "tunekit commit": commit}


def _save(results: dict[str, Any]) -> None:
    """Write the raw results atomically (a temporary file, then a rename)."""
    RESULTS_JSON.parent.mkdir(exist_ok=True)
    temporary = RESULTS_JSON.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(results, indent=1) + "\n")
    os.replace(temporary, RESULTS_JSON)


def _study_config(args: argparse.Namespace) -> dict[str, Any]:
    return {"problems": args.problems, "first_seed": args.first_seed, "seeds": args.seeds,
            "budget": args.budget, "timing_problem": args.timing_problem,
            "timing_trials": args.timing_trials}


def _load(config: dict[str, Any]) -> dict[str, Any]:
    """The saved results of a study with the same configuration, else an empty one."""
    if RESULTS_JSON.exists():
        saved = json.loads(RESULTS_JSON.read_text())
        if saved.get("config") == config:
            return saved
        print(f"{RESULTS_JSON.name}: a different configuration, starting afresh", flush=True)
    return {"config": config, "random": {}, "variants": {}, "dropped": {}}


def _run_variant(name: str, config: dict[str, Any], max_run_s: float) -> dict[str, Any]:
    """Every problem and seed of one variant for the budget."""
    kwargs = VARIANTS[name]
    seeds = range(config["first_seed"], config["first_seed"] + config["seeds"])
    per_problem: dict[str, list[dict[str, Any]]] = {}
    for problem in config["problems"]:
        p = PROBLEMS[problem]
        runs = []
        for seed in seeds:
            start = time.perf_counter()
            losses, times = _run(BayesStrategy(p.space, seed=seed, budget=config["budget"], **kwargs),
                                 p.loss, config["budget"], deadline=start + max_run_s)
            runs.append({"seed": seed, "best": min(losses), "ms_last10": 1e3 * float(np.mean(times[-10:])),
                         "run_s": time.perf_counter() - start})
        per_problem[problem] = runs
        print(f"  {name:30s} {problem:12s} best {[round(r['best'], 4) for r in runs]} "
              f"ms/proposal {np.mean([r['ms_last10'] for r in runs]):.0f}", flush=True)
    return {"problems": per_problem}


def _timing_runs(names: list[str], config: dict[str, Any], repeats: int,
                 max_run_s: float) -> dict[str, dict[str, Any]]:
    """The cost of a proposal as trials grow: ``repeats`` runs of ``timing_trials`` trials per variant
    on the timing problem, round-robin over the variants so that a change in the machine's load
    affects them alike; per trial, the median over the repeats."""
    p = PROBLEMS[config["timing_problem"]]
    trials = config["timing_trials"]
    raw: dict[str, list[list[float]]] = {name: [] for name in names}
    for repeat in range(repeats):
        for name in names:
            if len(raw[name]) < repeat:
                continue  # too slow in an earlier repeat
            start = time.perf_counter()
            try:
                _, times = _run(BayesStrategy(p.space, seed=config["first_seed"], budget=trials,
                                              **VARIANTS[name]), p.loss, trials,
                                deadline=start + max_run_s)
            except _TooSlow:
                print(f"  timing {name}: over {max_run_s:.0f} s, left out", flush=True)
                continue
            raw[name].append([round(1e3 * t, 2) for t in times])
            print(f"  timing {repeat + 1}/{repeats} {name:30s} {1e3 * np.mean(times[-10:]):5.0f} ms over "
                  f"the last ten of {trials} trials", flush=True)
    timings = {}
    for name, runs in raw.items():
        if not runs:
            continue
        median = np.median(np.asarray(runs), axis=0)
        timings[name] = {"repeats": len(runs), "ms_last10": float(np.mean(median[-10:])),
                         "ms_second_half": float(np.mean(median[trials // 2:])),
                         "ms_per_trial": runs}
    return timings


def _score(best: float, reference: float, optimum: float) -> float:
    return (reference - best) / (reference - optimum)


def summarise(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per variant: scores per problem, mean score, paired difference to the default, timings."""
    config = results["config"]
    problems = config["problems"]
    reference = {q: float(np.median(results["random"][q])) for q in problems}
    default = results["variants"].get("default")
    summary: dict[str, dict[str, Any]] = {}
    for name, data in results["variants"].items():
        runs = data["problems"]
        scores = {q: _score(float(np.median([r["best"] for r in runs[q]])), reference[q],
                            PROBLEMS[q].optimum) for q in problems}
        row: dict[str, Any] = {"scores": scores, "mean": float(np.mean(list(scores.values()))),
                               "ms50": float(np.mean([r["ms_last10"] for q in problems for r in runs[q]])),
                               "ms100": data.get("timing", {}).get("ms_last10", float("nan")),
                               "ms_half": data.get("timing", {}).get("ms_second_half", float("nan"))}
        if default is not None:
            # Paired with the default on the same seeds: per seed, the mean over problems of the
            # difference in per-run score; reported as mean +- standard error over seeds.
            per_seed, wins, losses = [], 0, 0
            for i in range(config["seeds"]):
                diffs = []
                for q in problems:
                    mine, theirs = runs[q][i]["best"], default["problems"][q][i]["best"]
                    diffs.append((theirs - mine) / (reference[q] - PROBLEMS[q].optimum))
                    wins += mine < theirs
                    losses += mine > theirs
                per_seed.append(float(np.mean(diffs)))
            row["paired"] = float(np.mean(per_seed))
            row["paired_se"] = (float(np.std(per_seed, ddof=1) / np.sqrt(len(per_seed)))
                                if len(per_seed) > 1 else float("nan"))
            row["wins"], row["losses"] = wins, losses
        summary[name] = row
    return summary


def _what_this_shows(results: dict[str, Any], summary: dict[str, dict[str, Any]]) -> list[str]:
    """A paragraph generated from the numbers: ranking, what beats the default, what matters."""
    if "default" not in summary:
        return ["The default variant has not been run: no comparison to make."]
    problems = results["config"]["problems"]
    ranked = sorted(summary, key=lambda v: -summary[v]["mean"])
    d = summary["default"]
    others = [v for v in ranked if v != "default"]
    better = [v for v in others if summary[v]["paired"] > 0]
    clear = [v for v in others if abs(summary[v]["paired"]) > 2 * summary[v]["paired_se"]]
    text = [(f"Ranked by mean score, the default is {ranked.index('default') + 1} of {len(ranked)} "
             f"({d['mean']:.3f}; best: {ranked[0]}, {summary[ranked[0]]['mean']:.3f}).")]
    if better:
        parts = []
        for v in better:
            gains = [q for q in problems if summary[v]["scores"][q] > d["scores"][q] + 0.02]
            parts.append(f"{v} ({summary[v]['paired']:+.3f} ± {summary[v]['paired_se']:.3f}; "
                         f"median score higher on {', '.join(gains) if gains else 'no problem by > 0.02'})")
        text.append("Measured better than the default in the paired comparison: " + "; ".join(parts) + ".")
    else:
        text.append("No variant measured better than the default in the paired comparison.")
    if clear:
        text.append("Differences from the default larger than two standard errors: "
                    + ", ".join(f"{v} ({summary[v]['paired']:+.3f})" for v in clear)
                    + "; the others are within the seed-to-seed noise of "
                    f"{results['config']['seeds']} seeds.")
    else:
        text.append("No difference from the default exceeds two standard errors: with "
                    f"{results['config']['seeds']} seeds, every variant is within noise of it.")
    trials = results["config"]["timing_trials"]
    slow = [v for v in others if summary[v]["ms_half"] > 1.5 * d["ms_half"]]
    cheap = [v for v in others if summary[v]["ms_half"] < d["ms_half"] / 1.5]
    for group, word in ((slow, "more"), (cheap, "less")):
        if group:
            text.append(f"Proposals 1.5 times {word} costly than the default's over trials "
                        f"{trials // 2 + 1}-{trials}: "
                        + ", ".join(f"{v} ({summary[v]['ms_half']:.0f} ms vs {d['ms_half']:.0f})"
                                    for v in group) + ".")
    return [" ".join(text)]


def report(results: dict[str, Any]) -> str:
    """The markdown report of the study (the hand-written notes of an earlier report are kept)."""
    config = results["config"]
    problems = config["problems"]
    seeds = f"{config['first_seed']}..{config['first_seed'] + config['seeds'] - 1}"
    summary = summarise(results)
    meta = results.get("meta", {})
    timing_meta = results.get("timing_meta", {})
    trials = config["timing_trials"]
    versions = ", ".join(f"{k} {v}" for k, v in meta.get("versions", {}).items())
    lines = [
        "# `bayes` settings study", "",
        ("Generated by `python -m benchmarks.bayes_settings` (see its docstring); do not edit above "
         "the notes marker."), "",
        f"- Command: `{meta.get('command', 'python -m benchmarks.bayes_settings')}`",
        (f"- Date: {meta.get('date', '?')}; run time {meta.get('elapsed_s', 0) / 60:.0f} min; load "
         f"average {meta.get('load', '?')} (start → end). Timing runs: "
         f"`{timing_meta.get('command', '?')}`, {timing_meta.get('date', '?')}, "
         f"{timing_meta.get('elapsed_s', 0) / 60:.0f} min, load average {timing_meta.get('load', '?')}"),
        f"- Versions: {versions}",
        (f"- Problems: {', '.join(problems)}; budget {config['budget']} trials; seeds {seeds} "
         f"({config['seeds']} seeds, distinct from the main benchmark's 0..4); random search on the "
         "same seeds as the reference."),
        ("- Score per problem: `(R - b) / (R - opt)`, with `b` the median over seeds of the best loss "
         f"after {config['budget']} trials, `R` random search's median and `opt` the known optimum "
         "(0 = random search, 1 = the optimum). *Mean*: over the problems."),
        ("- *Paired Δ*: per seed, the mean over problems of the variant's per-run score minus the "
         "default's on the same seed (same initial design, except for the initial-design variants); "
         "mean ± standard error over seeds. *W/L*: runs (problem, seed) where the variant's best loss "
         "was lower / higher than the default's."),
        (f"- *ms @{config['budget']}*: mean time of one `ask` + `tell` over the last ten trials of "
         f"the {config['budget']}-trial runs (all problems and seeds; measured during the runs, so "
         "under whatever load the machine had then)."),
        (f"- *ms @{trials}*: mean over trials {trials - 9}-{trials}, and *ms {trials // 2 + 1}-{trials}* "
         f"over trials {trials // 2 + 1}-{trials} (the amortised cost, re-estimations included), of "
         f"{timing_meta.get('repeats', 1)} {trials}-trial runs on {config['timing_problem']} (seed "
         f"{config['first_seed']}, objective cost negligible; per trial, the median over the runs), "
         "made after the study, round-robin over the variants. Which trials re-estimate the kernel's "
         "hyperparameters depends on `refit_growth` (the default re-estimates at 90 and 104 "
         "observations, `refit_growth=1.5` at 80 and 120), so compare the two columns. Timed on a "
         "shared 2-core machine: indicative, compare ratios rather than absolute values."),
        "", "| variant | setting | " + " | ".join(problems)
        + f" | mean | paired Δ | W/L | ms @{config['budget']} | ms @{trials} "
        f"| ms {trials // 2 + 1}-{trials} |",
        "| --- | --- |" + " ---: |" * (len(problems) + 6),
    ]
    for name in [v for v in VARIANTS if v in summary] + [v for v in summary if v not in VARIANTS]:
        row = summary[name]
        setting = ", ".join(f"{k}={v!r}" for k, v in VARIANTS.get(name, {}).items()) or "—"
        paired = ("—" if name == "default" or "paired" not in row
                  else f"{row['paired']:+.3f} ± {row['paired_se']:.3f}")
        wl = "—" if name == "default" or "wins" not in row else f"{row['wins']}/{row['losses']}"
        lines.append(f"| {name} | `{setting}` | " + " | ".join(f"{row['scores'][q]:.3f}" for q in problems)
                     + f" | **{row['mean']:.3f}** | {paired} | {wl} | {row['ms50']:.0f} "
                     f"| {row['ms100']:.0f} | {row['ms_half']:.0f} |")
    random_ms = results.get("random_ms")
    lines.append("| random search | — | " + " | ".join("0.000" for _ in problems) + " | 0.000 | — | — | — | "
                 + (f"{random_ms:.2f}" if random_ms is not None else "—") + " | — |")
    for name, why in results.get("dropped", {}).items():
        lines += ["", f"**Dropped: {name}** — {why}"]
    missing = [v for v in VARIANTS if v not in summary and v not in results.get("dropped", {})]
    if missing:
        lines += ["", "Not run (yet): " + ", ".join(missing) + "."]
    lines += ["", "## What this shows (generated from the numbers)", ""]
    lines += _what_this_shows(results, summary)
    notes = ""
    if REPORT_MD.exists() and NOTES_MARKER in REPORT_MD.read_text():
        notes = REPORT_MD.read_text().split(NOTES_MARKER, 1)[1].strip("\n")
    lines += ["", NOTES_MARKER, ""] + ([notes] if notes else [])
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bayes_settings",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--problems", nargs="+", default=problem_names("synthetic"),
                        choices=problem_names("synthetic"))
    parser.add_argument("--first-seed", type=int, default=100,
                        help="first seed (default 100: apart from the main benchmark's 0..4)")
    parser.add_argument("--seeds", type=int, default=5, help="number of seeds (default 5)")
    parser.add_argument("--budget", type=int, default=50, help="trials per run (default 50)")
    parser.add_argument("--timing-problem", default="hartmann6", choices=problem_names("synthetic"))
    parser.add_argument("--timing-trials", type=int, default=100,
                        help="trials of the timing runs (default 100)")
    parser.add_argument("--timing-repeats", type=int, default=3,
                        help="timing runs per variant, round-robin over the variants (default 3)")
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS),
                        help="run these variants only; the others keep their saved results")
    parser.add_argument("--resume", action="store_true",
                        help="skip the variants already saved with the same configuration")
    parser.add_argument("--timing-only", action="store_true",
                        help="only redo the timing runs of the variants already saved")
    parser.add_argument("--max-run-s", type=float, default=180.0,
                        help="drop a variant when one of its runs takes longer (default 180 s)")
    parser.add_argument("--report-only", action="store_true", help="rewrite the report from the JSON")
    args = parser.parse_args(argv)
    config = _study_config(args)
    results = _load(config)
    if args.report_only:
        REPORT_MD.write_text(report(results))
        return 0
    import skopt  # noqa: F401  # imported once, outside the timings

    command = shlex.join(["python", "-m", "benchmarks.bayes_settings"]
                         + (sys.argv[1:] if argv is None else argv))

    versions = _versions()  # tunekit was imported at start: its commit then is the one measured

    def phase_meta(started: float, load_start: float) -> dict[str, Any]:
        now = _versions()["tunekit commit"]
        changed = ({"tunekit changed during the run": now}
                   if now != versions["tunekit commit"] else {})
        return {"command": command, "versions": {**versions, **changed},
                "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                "elapsed_s": time.perf_counter() - started,
                "load": f"{load_start:.1f} → {os.getloadavg()[0]:.1f}"}

    started, load_start = time.perf_counter(), os.getloadavg()[0]
    if not args.timing_only:
        seeds = range(args.first_seed, args.first_seed + args.seeds)
        for problem in args.problems:
            if len(results["random"].get(problem, [])) != args.seeds:
                p = PROBLEMS[problem]
                results["random"][problem] = [
                    min(_run(RandomStrategy(p.space, seed=s, budget=args.budget), p.loss,
                             args.budget)[0]) for s in seeds]
        for name in args.variants:
            if args.resume and name in results["variants"]:
                continue
            print(f"[{time.perf_counter() - started:6.0f}s] {name}", flush=True)
            try:
                results["variants"][name] = _run_variant(name, config, args.max_run_s)
                results["dropped"].pop(name, None)
            except _TooSlow:
                results["variants"].pop(name, None)
                results["dropped"][name] = (f"a single run took more than {args.max_run_s:.0f} s "
                                            "on this machine, so the variant was left out of the study.")
                print(f"  {name}: dropped (a run took more than {args.max_run_s:.0f} s)", flush=True)
            results["meta"] = phase_meta(started, load_start)
            _save(results)
            REPORT_MD.write_text(report(results))
    # The timing phase, after the runs so that every variant is timed under the same conditions.
    names = [name for name in args.variants if name in results["variants"]]
    print(f"[{time.perf_counter() - started:6.0f}s] timing runs: {', '.join(names)}", flush=True)
    timing_started, timing_load = time.perf_counter(), os.getloadavg()[0]
    p = PROBLEMS[args.timing_problem]
    results["random_ms"] = 1e3 * float(np.mean(_run(RandomStrategy(p.space, seed=args.first_seed),
                                                     p.loss, args.timing_trials)[1][-10:]))
    for name, timing in _timing_runs(names, config, args.timing_repeats, args.max_run_s).items():
        results["variants"][name]["timing"] = timing
    results["timing_meta"] = {**phase_meta(timing_started, timing_load),
                              "repeats": args.timing_repeats}
    _save(results)
    REPORT_MD.write_text(report(results))
    print(report(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
