"""Is a contender really worse than random search where the broad benchmark says so? The same problems, more seeds.

    python -m benchmarks.worse_than_random                       # tunekit-bayes, BBOB d = 2, 5, 21 seeds
    python -m benchmarks.worse_than_random --seeds 11 --dimensions 2
    python -m benchmarks.worse_than_random --functions --classic svc_breast_cancer forest_wine --seeds 15
    python -m benchmarks.worse_than_random --report-only         # rewrite the report from the JSON

The broad benchmark (``python -m benchmarks.strategies --suite bbob``) counts the problems where a
contender's median best loss over 3 seeds is above random search's. With 3 seeds that count is mostly
noise: two medians of three runs each. This check runs the contender and random search for more seeds on
the same problems (the benchmark's BBOB instances, and any of its classic problems; the seeds are
0..N-1, so the first ones are the benchmark's: 3 for BBOB, 5 for the classic problems) and reports per
problem:

- the median best regret (best loss minus the optimum; for the scikit-learn tasks the best CV error) of
  both over all seeds, and over the benchmark's seeds (its verdict);
- ``P(better)``: the chance that a run of the contender beats a run of random search (ties count half),
  the Mann-Whitney U statistic over the number of pairs;
- ``p``: the one-sided Mann-Whitney U test of "the contender's best losses tend to be larger", so a small
  ``p`` means the contender is worse than random search beyond the seeds' noise.

Only the best loss of each run is kept, with the code fingerprint of its contender
(:func:`benchmarks.run_cache.code_fingerprint`), in ``results/worse_than_random.json``; running again
runs only what is missing or was made by other code. The report is ``RESULTS-worse-than-random.md``: every
problem the results hold for the contender, budget and number of seeds, whichever command ran it.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import datetime
import json
import multiprocessing
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.bbob import FUNCTIONS, INSTANCES, bbob_names
from benchmarks.contenders import CONTENDERS, run_contender
from benchmarks.problems import PROBLEMS
from benchmarks.ranking import TARGET
from benchmarks.run_cache import code_fingerprint
from benchmarks.suite_run import REFERENCE, SuiteConfig, get_problem

HERE = Path(__file__).resolve().parent
RESULTS_JSON = HERE / "results" / "worse_than_random.json"
REPORT_MD = HERE / "RESULTS-worse-than-random.md"
SCHEMA = "tunekit.bench.worse-than-random/1"
#: The broad benchmark's seeds per problem (BBOB 3, classic 5): the verdict this check re-examines.
BENCHMARK = SuiteConfig()
#: A one-sided p below this counts as worse than random search beyond noise.
ALPHA = 0.05


@dataclass(frozen=True)
class Verdict:
    """One problem: the contender against random search over every seed and over the benchmark's seeds."""

    problem: str
    median: float
    reference_median: float
    median_first: float
    reference_median_first: float
    p_better: float
    p_value: float
    first: int

    @property
    def worse_at_benchmark_seeds(self) -> bool:
        return self.median_first > self.reference_median_first

    @property
    def worse_median(self) -> bool:
        return self.median > self.reference_median

    @property
    def significantly_worse(self) -> bool:
        return self.p_value < ALPHA


def compare(problem: str, losses: Sequence[float], reference: Sequence[float], first: int = 3) -> Verdict:
    """The verdict on one problem from the contender's and random search's best regrets, per seed (the
    ``first`` seeds are the broad benchmark's).

    Regrets below :data:`~benchmarks.ranking.TARGET` count as equal, as in the benchmark's ranks.
    """
    from scipy.stats import mannwhitneyu

    mine = np.maximum(np.asarray(losses, dtype=float), TARGET)
    theirs = np.maximum(np.asarray(reference, dtype=float), TARGET)
    pairs = mine[:, None] - theirs[None, :]
    p_better = float(np.mean(pairs < 0) + 0.5 * np.mean(pairs == 0))
    p_value = float(mannwhitneyu(mine, theirs, alternative="greater").pvalue)
    first = min(first, len(mine), len(theirs))
    return Verdict(problem, float(np.median(mine)), float(np.median(theirs)), float(np.median(mine[:first])),
                   float(np.median(theirs[:first])), p_better, p_value, first)


def _run(task: tuple[str, str, int, int]) -> tuple[str, str, int, float]:
    contender, name, budget, seed = task
    problem = get_problem(name)
    run = run_contender(contender, problem.space, problem.loss, budget=budget, seed=seed)
    return contender, name, seed, min(run.losses) - float(problem.optimum or 0.0)


def _load(path: Path) -> dict[str, Any]:
    if path.exists():
        saved = json.loads(path.read_text())
        if saved.get("schema") == SCHEMA:
            return saved
    return {"schema": SCHEMA, "runs": {}}


def _save(path: Path, results: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    runs = [f"  {json.dumps(key)}: {json.dumps(run, sort_keys=True)}" for key, run in sorted(results["runs"].items())]
    # one run a line: small diffs when runs are added
    temporary.write_text(f'{{"schema": {json.dumps(SCHEMA)}, "runs": {{\n' + ",\n".join(runs) + "\n}}\n")
    os.replace(temporary, path)


def _key(contender: str, problem: str, budget: int, seed: int) -> str:
    return f"{contender}/{problem}/{budget}/{seed}"


def run(contender: str, problems: list[str], seeds: int, budget: int, workers: int, path: Path) -> dict[str, Any]:
    """Run what ``path`` lacks from the current code for ``contender`` and random search; return the results."""
    results = _load(path)
    codes = {c: code_fingerprint(c) for c in (contender, REFERENCE)}
    tasks = [(c, name, budget, seed) for name in problems for c in codes for seed in range(seeds)
             if results["runs"].get(_key(c, name, budget, seed), {}).get("code") != codes[c]]
    print(f"{len(tasks)} runs to do", flush=True)
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        for done, (c, name, seed, regret) in enumerate(pool.imap_unordered(_run, tasks, chunksize=4), 1):
            results["runs"][_key(c, name, budget, seed)] = {"regret": regret, "code": codes[c]}
            if done % 50 == 0 or done == len(tasks):
                _save(path, results)
                print(f"[{done}/{len(tasks)}] {name} {c} seed={seed} regret={regret:.4g}", flush=True)
    _save(path, results)
    return results


def verdicts(results: dict[str, Any], contender: str, problems: list[str], seeds: int, budget: int) -> list[Verdict]:
    """The verdict on every problem whose runs are all there, for both."""
    found = []
    for name in problems:
        regrets = {c: [results["runs"].get(_key(c, name, budget, s), {}).get("regret") for s in range(seeds)]
                   for c in (contender, REFERENCE)}
        if all(r is not None for values in regrets.values() for r in values):
            found.append(compare(name, regrets[contender], regrets[REFERENCE], BENCHMARK.seeds_of(name)))
    return found


def report(found: list[Verdict], contender: str, seeds: int, budget: int, command: str) -> str:
    """The Markdown report: the counts, then every problem flagged by either rule."""
    at_benchmark_seeds = [v for v in found if v.worse_at_benchmark_seeds]
    worse = [v for v in found if v.worse_median]
    significant = [v for v in found if v.significantly_worse]
    lines = [
        f"# Is `{contender}` worse than random search? ({seeds} seeds)", "",
        "Generated by `python -m benchmarks.worse_than_random` (see its docstring).", "",
        f"- Last command: `{command}`, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        (f"- Problems: {len(found)}; budget {budget}; seeds 0..{seeds - 1} for `{contender}` and "
         f"`{REFERENCE}`; regrets below {TARGET:g} count as equal."),
        (f"- Median worse than random search's over the benchmark's seeds ({BENCHMARK.seeds} per BBOB problem, "
         f"{BENCHMARK.classic_seeds} per classic one: the broad benchmark's count): **{len(at_benchmark_seeds)}**"),
        f"- Median worse over all {seeds} seeds: **{len(worse)}**",
        (f"- Worse beyond noise (one-sided Mann-Whitney U, p < {ALPHA}, not corrected for the "
        f"{len(found)} tests): **{len(significant)}**"),
        (f"- Mean P(better) over the problems (the chance that a run of `{contender}` beats a run of random "
        f"search): {np.mean([v.p_better for v in found]) if found else float('nan'):.3f}"), "",
        "Problems flagged by any rule:", "",
        f"| problem | median ({seeds}) | random's | median (benchmark's seeds) | random's | P(better) | p |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    flagged = [v for v in found if v.worse_at_benchmark_seeds or v.worse_median or v.significantly_worse]
    if not flagged:
        lines.append("| none | | | | | | |")
    for v in flagged:
        mark = "**" if v.significantly_worse else ""
        lines.append(f"| {mark}{v.problem}{mark} | {v.median:.4g} | {v.reference_median:.4g} | "
                     f"{v.median_first:.4g} | {v.reference_median_first:.4g} | {v.p_better:.2f} | {v.p_value:.3f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.worse_than_random", description=__doc__.split("\n")[0])
    parser.add_argument("--contender", default="tunekit-bayes", choices=[c for c in CONTENDERS if c != REFERENCE])
    parser.add_argument("--functions", nargs="*", type=int, default=list(FUNCTIONS),
                        help="BBOB functions (none: no BBOB problem)")
    parser.add_argument("--dimensions", nargs="+", type=int, default=[2, 5])
    parser.add_argument("--instances", nargs="+", type=int, default=list(INSTANCES))
    parser.add_argument("--classic", nargs="*", default=[], choices=list(PROBLEMS), help="classic problems too")
    parser.add_argument("--seeds", type=int, default=21, help="seeds per problem (default 21)")
    parser.add_argument("--budget", type=int, default=50)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="runs at a time")
    parser.add_argument("--out", type=Path, default=HERE, help="folder for the report and results/")
    parser.add_argument("--report-only", action="store_true", help="rewrite the report from the JSON")
    args = parser.parse_args(argv)
    problems = bbob_names(tuple(args.functions), tuple(args.dimensions), tuple(args.instances)) + args.classic
    path = args.out / "results" / RESULTS_JSON.name
    results = _load(path) if args.report_only else run(args.contender, problems, args.seeds, args.budget,
                                                        args.workers, path)
    # the report covers every problem the results hold (an earlier command's too), the command's first
    saved = sorted({key.split("/")[1] for key in results["runs"]
                    if key.startswith(f"{args.contender}/")} - set(problems))
    found = verdicts(results, args.contender, problems + saved, args.seeds, args.budget)
    command = "python -m benchmarks.worse_than_random " + shlex.join(argv if argv is not None else sys.argv[1:])
    (args.out / REPORT_MD.name).write_text(report(found, args.contender, args.seeds, args.budget, command.strip()))
    print(f"wrote {args.out / REPORT_MD.name}: {len(found)} problems", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
