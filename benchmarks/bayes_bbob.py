"""Study of ``bayes`` variants on the tuning subset of the BBOB suite, ranked against the cached contenders.

    python -m benchmarks.bayes_bbob --variants default "initial 10"   # run (or re-run) these variants
    python -m benchmarks.bayes_bbob --resume                          # every variant not saved yet
    python -m benchmarks.bayes_bbob --report-only                     # rewrite BAYES_BBOB.md from the JSON

The sibling of :mod:`benchmarks.bayes_settings` for the broad benchmark: each variant is
:class:`~tunekit.strategies.BayesStrategy` with one change (constructor settings, or a private class
attribute of the strategy, a code switch), run alone on the tuning subset: BBOB functions of
:data:`benchmarks.bbob.FUNCTIONS` at d = 2 and 5, instances 1-5, seeds 0-2, budget 50 (the instances
and seeds the broad benchmark tunes on; it is judged on others). Only ``bayes`` runs: the other
contenders' runs come from the broad benchmark's caches (``results/bbob/*.json``, read only), so a
variant costs about 0.5 s per run. Random search (the reference of the scores) is taken from its cache,
or run here for the problems the cache lacks.

Per variant, from each run's best loss after the budget:

- *rank*: the per-problem rank among the nine contenders with the variant standing in for
  ``tunekit-bayes`` (:func:`benchmarks.ranking.summarise_problem`), averaged over the problems every
  contender finished (the *ranked* problems);
- *score*: ``(R - b) / (R - opt)`` per run, clipped at -1 (``R`` random search's median best loss,
  ``b`` the run's best loss, ``opt`` the optimum), median over seeds, mean over problems: over the ranked
  problems (comparable with the contenders' scores), and over all problems of the subset;
- *worse*: problems of the subset where the median best loss is worse than random search's;
- *synthetic*: the mean score on the project's five synthetic problems, seeds 100-104 (as
  ``benchmarks.bayes_settings``), so that a change that helps BBOB but hurts those shows;
- *CPU*: mean CPU seconds of a whole 50-trial run (objective included, negligible here).

A variant with ``batch`` 4 asks for four proposals at a time (constant liar) and tells their losses
together, as ``--workers 4`` does.

Writes ``benchmarks/results/bayes_bbob.json`` (after every variant) and ``benchmarks/BAYES_BBOB.md``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import datetime
import json
import math
import shlex
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.bbob import FUNCTIONS, GROUPS, BBOBKey, bbob_names, bbob_problem, group_of
from benchmarks.contenders import CONTENDERS, run_contender
from benchmarks.problems import PROBLEMS, problem_names
from benchmarks.ranking import ProblemSummary, clipped_score, summarise_problem
from benchmarks.run_cache import code_fingerprint
from benchmarks.suite_run import REFERENCE, open_caches
from tunekit.strategies import BayesStrategy
from tunekit.strategies.base import Observation
from tunekit.trial import TrialState

HERE = Path(__file__).resolve().parent
RESULTS_JSON = HERE / "results" / "bayes_bbob.json"
REPORT_MD = HERE / "BAYES_BBOB.md"
BAYES = "tunekit-bayes"
SYNTHETIC_SEEDS = range(100, 105)
NOTES_MARKER = "<!-- notes below this line are written by hand and kept when the report is rewritten -->"


@dataclass(frozen=True)
class Variant:
    """One change to ``bayes``: constructor settings, code switches (class attributes), a batch size."""

    settings: dict[str, Any] = field(default_factory=dict)
    switches: dict[str, Any] = field(default_factory=dict)
    batch: int = 1

    def describe(self) -> str:
        parts = [f"{k}={v!r}" for k, v in {**self.settings, **self.switches}.items()]
        if self.batch > 1:
            parts.append(f"ask({self.batch}) batches")
        return ", ".join(parts) or "—"

    def strategy(self, space: Any, seed: int, budget: int) -> BayesStrategy:
        cls = type("BayesVariant", (BayesStrategy,), dict(self.switches)) if self.switches else BayesStrategy
        return cls(space, seed=seed, budget=budget, **self.settings)


#: The variants, in the order they were tried; each changes one thing from the defaults of its time.
VARIANTS: dict[str, Variant] = {
    "default": Variant(),
    "initial 10": Variant({"n_initial_points": 10}),
    "xi 0.1 std": Variant({"xi": 0.1}, {"_XI_SCALE": "std"}),
    "LCB every 5th": Variant(switches={"_EXPLORE_EVERY": 5}),
    "diverse anchors": Variant(switches={"_ANCHORS": "diverse"}),
    "no kernel priors": Variant({"kernel_priors": False}),
    "noise prior rate 0.3": Variant(switches={"_NOISE_RATE": 0.3}),
    "sobol candidates": Variant(switches={"_GLOBAL": "sobol"}),
    "steps 0.5 length scale": Variant(switches={"_STEP_SCALE": 0.5}),
    "steps 0.5 length scale, at most 0.1": Variant(switches={"_STEP_SCALE": 0.5, "_STEP_MAX": 0.1}),
    # batches of four (the batch rule in force before: the constant liar, _LIE="min")
    "batch 4": Variant(switches={"_LIE": "min"}, batch=4),
    "batch 4, lie max": Variant(switches={"_LIE": "max"}, batch=4),
    "batch 4, lie mean": Variant(switches={"_LIE": "mean"}, batch=4),
    "batch 4, penalise 0.5": Variant(switches={"_LIE": "penalise"}, batch=4),
    "batch 4, penalise 1": Variant(switches={"_LIE": "penalise", "_PENALTY_RADIUS": 1.0}, batch=4),
    "steps 0.5 length scale, batch 4 penalise 0.5": Variant(switches={"_STEP_SCALE": 0.5, "_LIE": "penalise"},
                                                            batch=4),
}


def _run(variant: Variant, problem: Any, seed: int, budget: int) -> tuple[float, float]:
    """The best loss of one run and its CPU seconds."""
    strategy = variant.strategy(problem.space, seed, budget)
    best, told = math.inf, 0
    cpu = time.process_time()
    while told < budget:
        proposals = strategy.ask(min(variant.batch, budget - told))
        losses = [float(problem.loss(p)) for p in proposals]
        strategy.tell([Observation(p, TrialState.COMPLETE, v) for p, v in zip(proposals, losses, strict=True)])
        best = min([best, *losses])
        told += len(proposals)
    return best, time.process_time() - cpu


def _subset(args: argparse.Namespace) -> list[str]:
    return bbob_names(tuple(args.functions), tuple(args.dimensions), tuple(args.instances))


def _config(args: argparse.Namespace) -> dict[str, Any]:
    return {"functions": list(args.functions), "dimensions": list(args.dimensions),
            "instances": list(args.instances), "seeds": args.seeds, "budget": args.budget}


def _load(config: dict[str, Any]) -> dict[str, Any]:
    if RESULTS_JSON.exists():
        saved = json.loads(RESULTS_JSON.read_text())
        if saved.get("config") == config:
            return saved
        print(f"{RESULTS_JSON.name}: a different configuration, starting afresh", flush=True)
    return {"config": config, "random": {}, "synthetic_random": {}, "variants": {}}


def _save(results: dict[str, Any], ran: list[str]) -> None:
    """Write ``results`` atomically, keeping the variants another study process saved meanwhile (all but
    those in ``ran``)."""
    if RESULTS_JSON.exists():
        saved = json.loads(RESULTS_JSON.read_text())
        if saved.get("config") == results["config"]:
            mine = {n: v for n, v in results["variants"].items() if n in ran or n not in saved["variants"]}
            results["variants"] = {**{n: v for n, v in saved["variants"].items() if n not in ran}, **mine}
    RESULTS_JSON.parent.mkdir(exist_ok=True)
    temporary = RESULTS_JSON.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(results, indent=1) + "\n")
    os.replace(temporary, RESULTS_JSON)


def _contender_bests(problems: list[str], seeds: int, budget: int) -> dict[str, dict[str, list[float]]]:
    """Per problem that every contender (bayes aside) finished: each contender's best loss per seed."""
    caches = open_caches(HERE / "results" / "bbob", tuple(CONTENDERS))
    out: dict[str, dict[str, list[float]]] = {}
    for problem in problems:
        best: dict[str, list[float]] = {}
        for contender, cache in caches.items():
            if contender == BAYES:
                continue
            runs = [cache.get(problem, budget, seed) for seed in range(seeds)]
            if any(run is None for run in runs):
                break
            best[contender] = [min(run.losses[:budget]) for run in runs if run is not None]
        else:
            out[problem] = best
    return out


def _random_bests(results: dict[str, Any], problems: list[str], seeds: int, budget: int) -> None:
    """Random search's best losses on every problem: from its cache, else run here (and saved)."""
    caches = open_caches(HERE / "results" / "bbob", (REFERENCE,))
    for problem in problems:
        if problem in results["random"]:
            continue
        runs = [caches[REFERENCE].get(problem, budget, seed) for seed in range(seeds)]
        if all(run is not None for run in runs):
            results["random"][problem] = [min(run.losses[:budget]) for run in runs if run is not None]
        else:
            p = bbob_problem(problem)
            results["random"][problem] = [min(run_contender(REFERENCE, p.space, p.loss, budget=budget,
                                                            seed=seed).losses) for seed in range(seeds)]
    for problem in problem_names("synthetic"):
        if problem not in results["synthetic_random"]:
            p = PROBLEMS[problem]
            results["synthetic_random"][problem] = [
                min(run_contender(REFERENCE, p.space, p.loss, budget=budget, seed=s).losses)
                for s in SYNTHETIC_SEEDS]


def run_variant(name: str, problems: list[str], seeds: int, budget: int) -> dict[str, Any]:
    variant = VARIANTS[name]
    best: dict[str, list[float]] = {}
    cpu: list[float] = []
    started = time.perf_counter()
    for number, problem in enumerate(problems):
        p = bbob_problem(problem)
        runs = [_run(variant, p, seed, budget) for seed in range(seeds)]
        best[problem] = [b for b, _ in runs]
        cpu += [c for _, c in runs]
        if number % 30 == 29:
            print(f"  {name}: {number + 1}/{len(problems)} problems, {time.perf_counter() - started:.0f} s",
                  flush=True)
    synthetic = {q: [_run(variant, PROBLEMS[q], s, budget)[0] for s in SYNTHETIC_SEEDS]
                 for q in problem_names("synthetic")}
    return {"setting": variant.describe(), "code": code_fingerprint(BAYES),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "best": best, "synthetic": synthetic, "cpu_s": [round(c, 3) for c in cpu]}


def _mean(values: list[float]) -> float:
    values = [v for v in values if not math.isnan(v)]
    return float(np.mean(values)) if values else float("nan")


def summarise(results: dict[str, Any], name: str) -> dict[str, Any]:
    """Mean rank (ranked problems), mean scores, worse-than-random count, group scores, synthetic score."""
    config = results["config"]
    data = results["variants"][name]
    problems = list(data["best"])
    contenders = _contender_bests(problems, config["seeds"], config["budget"])
    ranked: list[ProblemSummary] = []
    alone: list[ProblemSummary] = []
    for problem in problems:
        optimum = bbob_problem(problem).optimum
        pair = {BAYES: data["best"][problem], REFERENCE: results["random"][problem]}
        alone.append(summarise_problem(problem, group_of(BBOBKey.parse(problem).function), config["budget"],
                                       pair, reference=REFERENCE, optimum=optimum))
        if problem in contenders:
            ranked.append(summarise_problem(problem, alone[-1].group, config["budget"],
                                            {**contenders[problem], BAYES: data["best"][problem]},
                                            reference=REFERENCE, optimum=optimum))
    synthetic = [summarise_problem(q, "synthetic", config["budget"],
                                   {BAYES: data["synthetic"][q], REFERENCE: results["synthetic_random"][q]},
                                   reference=REFERENCE, optimum=PROBLEMS[q].optimum).score[BAYES]
                 for q in data["synthetic"]]
    paired = _paired(results, name, alone)
    by_dimension = {d: _mean([s.score[BAYES] for s in alone if BBOBKey.parse(s.problem).dimension == d])
                    for d in config["dimensions"]}
    return {
        "ranked": len(ranked),
        "rank": _mean([s.rank[BAYES] for s in ranked]),
        "score_ranked": _mean([s.score[BAYES] for s in ranked]),
        "score": _mean([s.score[BAYES] for s in alone]),
        "by_dimension": by_dimension,
        "groups": {g: _mean([s.score[BAYES] for s in alone if s.group == g]) for g in GROUPS},
        "worse": [s.problem for s in alone if s.worse_than_reference[BAYES]],
        "synthetic": _mean(synthetic),
        "cpu_s": _mean(data["cpu_s"]),
        "paired": paired,
    }


def _run_scores(best: list[float], summary: ProblemSummary) -> list[float]:
    reference = summary.median_best[REFERENCE]
    return [clipped_score(b, reference, summary.optimum) for b in best]


def _paired(results: dict[str, Any], name: str, alone: list[ProblemSummary]) -> tuple[float, float]:
    """The variant's clipped run scores minus the default's on the same problem and seed: the mean over
    problems of the per-problem mean difference, and its standard error over problems."""
    default = results["variants"].get("default")
    if default is None or name == "default":
        return (float("nan"), float("nan"))
    mine = results["variants"][name]["best"]
    diffs = [float(np.nanmean(np.subtract(_run_scores(mine[s.problem], s),
                                          _run_scores(default["best"][s.problem], s)))) for s in alone
             if s.problem in default["best"] and not math.isnan(s.score[BAYES])]
    return (float(np.mean(diffs)), float(np.std(diffs, ddof=1) / math.sqrt(len(diffs))))


def _contenders_table(results: dict[str, Any]) -> list[str]:
    """The cached contenders on the ranked problems, with the study's ``default`` as ``tunekit-bayes``."""
    config = results["config"]
    default = results["variants"].get("default")
    if default is None:
        return []
    contenders = _contender_bests(list(default["best"]), config["seeds"], config["budget"])
    summaries = [summarise_problem(problem, "", config["budget"], {**best, BAYES: default["best"][problem]},
                                   reference=REFERENCE, optimum=bbob_problem(problem).optimum)
                 for problem, best in contenders.items()]
    caches = open_caches(HERE / "results" / "bbob", tuple(CONTENDERS))
    cpu = {c: _mean([run.cpu_s for problem in contenders for seed in range(config["seeds"])
                     if (run := caches[c].get(problem, config["budget"], seed)) is not None])
           for c in CONTENDERS if c != BAYES}
    cpu[BAYES] = _mean([t for problem in contenders for t in
                        default["cpu_s"][config["seeds"] * list(default["best"]).index(problem):][:config["seeds"]]])
    rows = sorted(CONTENDERS, key=lambda c: _mean([s.rank[c] for s in summaries]))
    out = [(f"Contenders on the {len(summaries)} ranked problems (`tunekit-bayes` is the study's `default`; "
           "CPU s: mean CPU seconds of a whole run, from the caches, bayes' from the study):"), "",
           "| contender | mean rank | mean clipped score | worse than random | CPU s |",
           "| --- | ---: | ---: | ---: | ---: |"]
    for c in rows:
        out.append(f"| {c} | {_mean([s.rank[c] for s in summaries]):.2f} | "
                   f"{_mean([s.score[c] for s in summaries]):.3f} | "
                   f"{sum(s.worse_than_reference[c] for s in summaries)} | {cpu[c]:.2f} |")
    return out


def report(results: dict[str, Any]) -> str:
    config = results["config"]
    meta = results.get("meta", {})
    names = [v for v in VARIANTS if v in results["variants"]] + [v for v in results["variants"] if v not in VARIANTS]
    summaries = {name: summarise(results, name) for name in names}
    dims = config["dimensions"]
    total = len(bbob_names(tuple(config["functions"]), tuple(dims), tuple(config["instances"])))
    lines = [
        "# `bayes` on the BBOB tuning subset", "",
        "Generated by `python -m benchmarks.bayes_bbob` (see its docstring); do not edit above the notes marker.",
        "",
        f"- Last command: `{meta.get('command', 'python -m benchmarks.bayes_bbob')}`, {meta.get('date', '?')}",
        (f"- Subset: BBOB functions {', '.join(map(str, config['functions']))} at d = "
         f"{', '.join(map(str, dims))}, instances {', '.join(map(str, config['instances']))}: {total} problems; "
         f"seeds 0..{config['seeds'] - 1}; budget {config['budget']}."),
        ("- *rank*: mean per-problem rank among the nine contenders of the broad benchmark (the variant in "
         "place of `tunekit-bayes`), over the problems every contender has finished in the caches (*ranked*)."),
        ("- *score*: per run `(R - b) / (R - opt)` clipped at -1 (`R`: random search's median best loss), "
         "median over seeds, mean over problems; *ranked* over the ranked problems, *all* over the subset, "
         "then per dimension and per BBOB group (all problems)."),
        "- *worse*: problems of the subset where the median best loss is worse than random search's.",
        ("- *paired Δ*: the variant's clipped run score minus `default`'s on the same problem and seed, "
         "averaged per problem, then mean ± standard error over the problems of the subset."),
        ("- *synthetic*: mean score on the five synthetic problems of `benchmarks.problems`, seeds 100..104. "
         "*CPU s*: mean CPU seconds of a whole run."), "",
    ]
    if summaries:
        first = next(iter(summaries.values()))
        lines += [
            f"| variant | setting | rank ({first['ranked']}) | score ranked | score all | "
            + " | ".join(f"{d}-D" for d in dims) + " | "
            + " | ".join(g.split(",")[0] if "multimodal" not in g else g.replace("multimodal, ", "mm ")
                         for g in GROUPS)
            + " | paired Δ | worse | synthetic | CPU s |",
            "| --- | --- |" + " ---: |" * (len(dims) + len(GROUPS) + 7),
        ]
        for name in names:
            s, data = summaries[name], results["variants"][name]
            lines.append(
                f"| {name} | `{data['setting']}` | {s['rank']:.2f} | {s['score_ranked']:.3f} | **{s['score']:.3f}** | "
                + " | ".join(f"{s['by_dimension'][d]:.3f}" for d in dims) + " | "
                + " | ".join(f"{s['groups'][g]:.3f}" for g in GROUPS)
                + (" | —" if math.isnan(s["paired"][0]) else f" | {s['paired'][0]:+.3f} ± {s['paired'][1]:.3f}")
                + f" | {len(s['worse'])} | {s['synthetic']:.3f} | {s['cpu_s']:.2f} |")
        lines += ["", *_contenders_table(results), ""]
        if "default" in summaries:
            lines += ["Problems where `default` is worse than random search: "
                      + (", ".join(summaries["default"]["worse"]) or "none") + ".", ""]
    notes = ""
    if REPORT_MD.exists() and NOTES_MARKER in REPORT_MD.read_text():
        notes = REPORT_MD.read_text().split(NOTES_MARKER, 1)[1].strip("\n")
    lines += [NOTES_MARKER, ""] + ([notes] if notes else [])
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bayes_bbob",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=None,
                        help="run these variants (default: every variant not saved yet)")
    parser.add_argument("--functions", nargs="+", type=int, default=list(FUNCTIONS))
    parser.add_argument("--dimensions", nargs="+", type=int, default=[2, 5])
    parser.add_argument("--instances", nargs="+", type=int, default=[1, 2, 3, 4, 5])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--budget", type=int, default=50)
    parser.add_argument("--resume", action="store_true", help="skip the variants already saved")
    parser.add_argument("--report-only", action="store_true", help="rewrite the report from the JSON")
    args = parser.parse_args(argv)
    results = _load(_config(args))
    if not args.report_only:
        problems = _subset(args)
        _random_bests(results, problems, args.seeds, args.budget)
        ran: list[str] = []
        _save(results, ran)
        chosen = args.variants or list(VARIANTS)
        command = shlex.join(["python", "-m", "benchmarks.bayes_bbob"] + (sys.argv[1:] if argv is None else argv))
        for name in chosen:
            if args.resume and name in results["variants"]:
                continue
            print(f"{name}: {VARIANTS[name].describe()}", flush=True)
            results["variants"][name] = run_variant(name, problems, args.seeds, args.budget)
            results["meta"] = {"command": command, "date": results["variants"][name]["date"]}
            ran.append(name)
            _save(results, ran)
            REPORT_MD.write_text(report(results))
            s = summarise(results, name)
            print(f"  {name}: rank {s['rank']:.2f} ({s['ranked']}), score ranked {s['score_ranked']:.3f}, "
                  f"all {s['score']:.3f} {s['by_dimension']}, worse {len(s['worse'])}, synthetic "
                  f"{s['synthetic']:.3f}, {s['cpu_s']:.2f} s/run, paired {s['paired'][0]:+.3f} "
                  f"± {s['paired'][1]:.3f}", flush=True)
    REPORT_MD.write_text(report(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
