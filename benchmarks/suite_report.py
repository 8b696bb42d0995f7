"""RESULTS-bbob.md: the broad benchmark's ranks and scores, generated from the run caches."""

from __future__ import annotations

import math
import os
import platform
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from benchmarks.bbob import GROUPS, BBOBKey, function_name
from benchmarks.ranking import TARGET, GroupSummary, ProblemSummary, summarise_group, summarise_problem
from benchmarks.run_cache import RunCache, code_fingerprint
from benchmarks.suite_run import REFERENCE, SuiteConfig, get_problem, group_of_problem

__all__ = ["collect", "render", "write_report"]

BAYES = "tunekit-bayes"
CLASSIC_GROUPS = ("classic synthetic", "classic scikit-learn")


def _finished(config: SuiteConfig, caches: dict[str, RunCache], problem: str, budget: int) -> dict[str, list[float]]:
    """The best loss per seed of each contender that finished every seed of ``problem`` at ``budget``."""
    best: dict[str, list[float]] = {}
    for contender in config.contenders:
        runs = [caches[contender].get(problem, budget, seed) for seed in range(config.seeds_of(problem))]
        if all(run is not None for run in runs):
            best[contender] = [min(run.losses[:budget]) for run in runs if run is not None]
    return best


def collect(config: SuiteConfig, caches: dict[str, RunCache], budget: int) -> list[ProblemSummary]:
    """Summaries of the problems that have ``budget`` and whose every contender finished every seed."""
    return [summary for summary, missing in _collect_all(config, caches, budget) if not missing]


def collect_partial(config: SuiteConfig, caches: dict[str, RunCache],
                    budget: int) -> dict[tuple[str, ...], list[ProblemSummary]]:
    """The problems with ``budget`` that some contenders have not finished, by the contenders missing, each
    ranked and scored among the contenders that finished it (random search, the reference, among them)."""
    partial: dict[tuple[str, ...], list[ProblemSummary]] = {}
    for summary, missing in _collect_all(config, caches, budget):
        if missing:
            partial.setdefault(missing, []).append(summary)
    return partial


def _collect_all(config: SuiteConfig, caches: dict[str, RunCache],
                 budget: int) -> list[tuple[ProblemSummary, tuple[str, ...]]]:
    found = []
    for problem in config.problems():
        if budget not in config.budgets(problem):
            continue
        best = _finished(config, caches, problem, budget)
        if REFERENCE not in best or len(best) < 2:
            continue
        missing = tuple(c for c in config.contenders if c not in best)
        found.append((summarise_problem(problem, group_of_problem(problem), budget, best, reference=REFERENCE,
                                        optimum=get_problem(problem).optimum), missing))
    return found


def _groups(summaries: list[ProblemSummary], contenders: Sequence[str]) -> list[GroupSummary]:
    """All BBOB problems, each BBOB group, each dimension, then the classic groups (those present)."""
    bbob = [s for s in summaries if s.problem.startswith("bbob_")]
    out = [summarise_group("BBOB, all", bbob, contenders)] if bbob else []
    for group in GROUPS:
        chosen = [s for s in bbob if s.group == group]
        if chosen:
            out.append(summarise_group(group, chosen, contenders))
    for dimension in sorted({BBOBKey.parse(s.problem).dimension for s in bbob}):
        out.append(summarise_group(f"BBOB {dimension}-D", [s for s in bbob
                                                           if BBOBKey.parse(s.problem).dimension == dimension],
                                   contenders))
    for group in CLASSIC_GROUPS:
        chosen = [s for s in summaries if s.group == group]
        if chosen:
            out.append(summarise_group(group, chosen, contenders))
    return out


def _number(value: float, digits: int = 2) -> str:
    return "-" if math.isnan(value) else f"{value:.{digits}f}"


def _group_table(groups: list[GroupSummary], contenders: Sequence[str], what: str) -> list[str]:
    out = ["| contender | " + " | ".join(f"{g.group} ({g.problems})" for g in groups) + " |",
           "| --- |" + " --- |" * len(groups)]
    for contender in contenders:
        cells = []
        for g in groups:
            if what == "rank":
                cells.append(_number(g.mean_rank[contender]))
            elif what == "score":
                cells.append(_number(g.mean_score[contender], 3))
            else:
                cells.append(str(g.worse_than_reference[contender]))
        out.append(f"| {contender} | " + " | ".join(cells) + " |")
    return out


def _budget_section(title: str, summaries: list[ProblemSummary], contenders: Sequence[str]) -> list[str]:
    groups = _groups(summaries, contenders)
    if not groups:
        return [f"## {title}", "", "No problem complete yet.", ""]
    overall = groups[0]
    order = sorted(contenders, key=lambda c: (overall.mean_rank[c], -overall.mean_score[c]))
    return [f"## {title}", "",
            f"### Mean per-problem rank (1 = best of {len(contenders)}; problems per column in brackets)", "",
            *_group_table(groups, order, "rank"), "",
            "### Mean normalised score (per-run scores clipped at -1; 0 = random search, 1 = the optimum)", "",
            *_group_table(groups, order, "score"), "",
            "### Problems where the median best loss is worse than random search's", "",
            *_group_table(groups, order, "worse"), ""]


def _per_function(summaries: list[ProblemSummary], contenders: Sequence[str]) -> list[str]:
    cells: dict[tuple[int, int], list[ProblemSummary]] = {}
    for s in summaries:
        if s.problem.startswith("bbob_"):
            key = BBOBKey.parse(s.problem)
            cells.setdefault((key.function, key.dimension), []).append(s)
    out = ["| function | dim | instances | " + " | ".join(contenders) + " |",
           "| --- | --- | --- |" + " --- |" * len(contenders)]
    for (function, dimension), chosen in sorted(cells.items()):
        ranks = {c: np.mean([s.rank[c] for s in chosen]) for c in contenders}
        out.append(f"| f{function} {function_name(function)} | {dimension} | {len(chosen)} | "
                   + " | ".join(f"**{ranks[c]:.1f}**" if ranks[c] == min(ranks.values()) else f"{ranks[c]:.1f}"
                                for c in contenders) + " |")
    return out


def _worse_list(summaries: list[ProblemSummary], contender: str) -> list[str]:
    worse = [s for s in summaries if s.worse_than_reference[contender]]
    if not worse:
        return [f"None: `{contender}` is at least as good as random search on every complete problem.", ""]
    out = ["| problem | group | regret | random search's | best contender's | rank |",
           "| --- | --- | --- | --- | --- | --- |"]
    for s in worse:
        best = min(s.median_best.values())
        out.append(f"| {s.problem} | {s.group} | {s.median_best[contender] - s.optimum:.4g} | "
                   f"{s.median_best[REFERENCE] - s.optimum:.4g} | {best - s.optimum:.4g} | {s.rank[contender]:.1f} |")
    return [*out, ""]


def _per_problem(summaries: list[ProblemSummary], contenders: Sequence[str]) -> list[str]:
    out = ["| problem | " + " | ".join(contenders) + " |", "| --- |" + " --- |" * len(contenders)]
    for s in summaries:
        out.append(f"| {s.problem} | " + " | ".join(
            f"{s.median_best[c] - s.optimum:.3g} ({s.rank[c]:g})" for c in contenders) + " |")
    return out


def _cost(config: SuiteConfig, caches: dict[str, RunCache]) -> list[str]:
    """Mean CPU seconds per run by contender and (dimension, budget), from the runs cached."""
    columns: dict[tuple[int, int], dict[str, list[float]]] = {}  # (dimension, 0 for classic; budget)
    for contender, cache in caches.items():
        for key, run in cache.runs.items():
            problem, budget, _ = key.rsplit("/", 2)
            dimension = BBOBKey.parse(problem).dimension if problem.startswith("bbob_") else 0
            columns.setdefault((dimension, int(budget)), {}).setdefault(contender, []).append(run.cpu_s)
    labels = sorted(columns, key=lambda x: (x[0] == 0, x))
    out = ["| contender | " + " | ".join(f"{d}-D, {b}" if d else f"classic, {b}" for d, b in labels)
           + " | CPU hours, all runs |", "| --- |" + " --- |" * (len(labels) + 1)]
    for contender in config.contenders:
        cells = [_number(float(np.mean(columns[label][contender])), 1) if columns[label].get(contender) else "-"
                 for label in labels]
        hours = sum(run.cpu_s for run in caches[contender].runs.values()) / 3600
        out.append(f"| {contender} | " + " | ".join(cells) + f" | {hours:.2f} |")
    return out


def render(config: SuiteConfig, caches: dict[str, RunCache]) -> str:
    """The whole report for the runs in ``caches``."""
    contenders = list(config.contenders)
    main = collect(config, caches, config.budget)
    long = collect(config, caches, config.long_budget) if config.long_dimensions else []
    expected_main = sum(config.budget in config.budgets(p) for p in config.problems())
    expected_long = sum(config.long_budget in config.budgets(p) for p in config.problems())
    complete = len(main) == expected_main and len(long) == expected_long
    codes = []
    for contender in contenders:
        current = code_fingerprint(contender)
        counts = caches[contender].codes()
        codes.append(f"| {contender} | " + "; ".join(
            f"{code} ({n} runs{'' if code == current else ', **not the current code**'})"
            for code, n in counts.items()) + " |")
    functions = ", ".join(f"f{f}" for f in config.functions)
    out = [
        "# Broad benchmark: BBOB and the classic problems", "",
        ("Generated by `python -m benchmarks.strategies --suite bbob` on "
         f"{datetime.now(timezone.utc).isoformat(timespec='seconds')} ({platform.platform()}, {os.cpu_count()} "
         "CPUs); nothing here is typed by hand. Raw runs: `benchmarks/results/bbob/CONTENDER.json`; re-render "
         "with `--report-only`."), "",
        *([] if complete else [
            (f"**PARTIAL: {len(main)} of {expected_main} problems complete at budget {config.budget}, "
             f"{len(long)} of {expected_long} at budget {config.long_budget}.** Only complete problems (every "
             "contender, every seed) are counted; the run goes on with the same command."), ""]),
        (f"BBOB (COCO's `cocoex`, suite `bbob`): functions {functions}; dimensions "
         f"{', '.join(map(str, config.dimensions))}; instances {', '.join(map(str, config.instances))}; "
         f"domain [-5, 5]^d as `Real` dimensions; {config.seeds} seeds (0..{config.seeds - 1}) per problem; "
         f"budget {config.budget} trials, and {config.long_budget} at "
         f"{', '.join(f'{d}-D' for d in config.long_dimensions)}. Classic problems "
         f"({', '.join(config.classic)}): {config.classic_seeds} seeds, budget {config.budget}. A problem is one "
         "(function, instance, dimension). Every contender runs single-threaded."), "",
        ("Contenders: tunekit's `bayes`, `evolution`, `grid` and `random` (the reference); Optuna's `TPESampler`, "
         "`GPSampler` and `CmaEsSampler`; scikit-optimize's `gp_minimize`; Hyperopt's TPE; all with default "
         "settings."), "",
        "## How the tables are computed", "",
        ("- **Rank**: per problem, contenders are ranked by their median (over seeds) best loss after the "
         "budget, 1 the best; ties share the mean of their ranks. Losses within "
         f"{TARGET:g} of the optimum (COCO's final target) count as equal. The tables give the mean rank over "
         "problems."),
        ("- **Score** of one run: `(R - b) / (R - opt)`, clipped at -1, where `b` is the run's best loss, `R` "
         "random search's (`tunekit-random`) median best loss on that problem, `opt` the known optimum (for "
         "BBOB `f(x_opt)` from COCO; for the scikit-learn tasks the lowest CV error any contender found). Per "
         "problem, the median of the clipped run scores over seeds (with an odd number of seeds, the clipped "
         "score of the median run); the tables give the mean over problems. 0 is random search, 1 the optimum."),
        ("- **Worse than random search**: the contender's median best loss is above random search's (same "
         f"{TARGET:g} floor)."), "",
        "Code behind the cached runs:", "", "| contender | code (runs) |", "| --- | --- |", *codes, "",
        *_budget_section(f"Budget {config.budget}", main, contenders),
    ]
    if config.long_dimensions:
        out += _budget_section(f"Budget {config.long_budget} "
                               f"({', '.join(f'{d}-D' for d in config.long_dimensions)} only)", long, contenders)
    for budget in sorted({config.budget, *([config.long_budget] if config.long_dimensions else [])}):
        for missing, summaries in collect_partial(config, caches, budget).items():
            present = [c for c in contenders if c not in missing]
            out += _budget_section(
                f"Budget {budget}, problems without {', '.join(missing)}: ranked among the other {len(present)}",
                summaries, present)
    if BAYES in contenders:
        out += [f"## Where `{BAYES}` is worse than random search (budget {config.budget})", "",
                *_worse_list(main, BAYES)]
    out += [f"## Mean rank per function and dimension (budget {config.budget}, over instances)", "",
            *_per_function(main, contenders), "",
            "## Cost", "", "Mean CPU seconds per run (objective included; BBOB objectives cost microseconds).", "",
            *_cost(config, caches), "",
            "## Every problem", "",
            (f"<details><summary>Median best regret (loss - optimum) after {config.budget} trials, rank in "
             "brackets</summary>"), "", *_per_problem(main, contenders), "", "</details>", ""]
    if long:
        out += [f"<details><summary>The same after {config.long_budget} trials</summary>", "",
                *_per_problem(long, contenders), "", "</details>", ""]
    return "\n".join(out) + "\n"


def write_report(config: SuiteConfig, caches: dict[str, RunCache], folder: Path) -> Path:
    path = folder / "RESULTS-bbob.md"
    path.write_text(render(config, caches))
    return path
