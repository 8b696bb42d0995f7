"""Several objectives: the hypervolume tunekit's strategies reach against Optuna's NSGA-II and TPE samplers.

Run from the repository root (Optuna comes with the ``bench`` extra)::

    python -m benchmarks.multiobjective                    # 100 trials, seeds 0-4, every problem
    python -m benchmarks.multiobjective --seeds 2 --trials 40 --problems zdt1

Problems, each with two objectives to minimise: ZDT1, ZDT2 and ZDT3 in 6 dimensions (Zitzler, Deb and
Thiele, 2000: convex, concave and disconnected fronts, known analytically), and ``forest-digits``: a random
forest on scikit-learn's bundled digits (a fixed stratified 70/30 split, the forest seeded, so the error of
a configuration is fixed), minimising the validation error and the CPU seconds of the fit (process time,
the only noisy objective). Every contender makes its proposals one at a time, ask then tell. The score is
the hypervolume of the run's Pareto front (:func:`tunekit.pareto.hypervolume`, cross-checked against
Optuna's own) with respect to the problem's stated reference point; the ZDT problems are also scored
against the tight reference (1.1, 1.1), which only points close to the true front count towards.

Writes RESULTS-multiobjective.md and results/multiobjective.json.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import json
import math
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any, TextIO

from tunekit.pareto import hypervolume, non_dominated
from tunekit.space import Integer, Real, Space

HERE = Path(__file__).resolve().parent
MARKDOWN = HERE / "RESULTS-multiobjective.md"
RAW = HERE / "results" / "multiobjective.json"

Losses = tuple[float, float]


@dataclass(frozen=True)
class Problem:
    """A two-objective problem: its space, its losses (both minimised) and the hypervolume's reference points."""

    name: str
    space: Space
    losses: Callable[[dict[str, Any]], Losses]
    reference: Losses
    tight_reference: Losses | None = None
    note: str = ""


def _zdt(kind: int) -> Callable[[dict[str, Any]], Losses]:
    def losses(params: dict[str, Any]) -> Losses:
        x = [float(v) for v in params.values()]
        f1 = x[0]
        g = 1 + 9 * sum(x[1:]) / (len(x) - 1)
        ratio = f1 / g
        if kind == 1:
            h = 1 - math.sqrt(ratio)
        elif kind == 2:
            h = 1 - ratio ** 2
        else:
            h = 1 - math.sqrt(ratio) - ratio * math.sin(10 * math.pi * f1)
        return f1, g * h

    return losses


@cache
def _digits_split() -> tuple[Any, Any, Any, Any]:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    return tuple(train_test_split(X, y, test_size=0.3, random_state=0, stratify=y))  # type: ignore[return-value]


def _forest_digits(params: dict[str, Any]) -> Losses:
    from sklearn.ensemble import RandomForestClassifier

    X_train, X_valid, y_train, y_valid = _digits_split()
    model = RandomForestClassifier(n_estimators=params["n_estimators"], max_depth=params["max_depth"],
                                   max_features=params["max_features"], random_state=0, n_jobs=1)
    start = time.process_time()
    model.fit(X_train, y_train)
    fit_s = time.process_time() - start
    return 1.0 - float(model.score(X_valid, y_valid)), fit_s


ZDT_SPACE = Space({f"x{i}": Real(0.0, 1.0) for i in range(6)})
PROBLEMS: dict[str, Problem] = {
    "zdt1": Problem("zdt1", ZDT_SPACE, _zdt(1), (1.1, 11.0), (1.1, 1.1), "convex front"),
    "zdt2": Problem("zdt2", ZDT_SPACE, _zdt(2), (1.1, 11.0), (1.1, 1.1), "concave front"),
    "zdt3": Problem("zdt3", ZDT_SPACE, _zdt(3), (1.1, 11.0), (1.1, 1.1), "disconnected front"),
    "forest-digits": Problem(
        "forest-digits",
        Space({"n_estimators": Integer(5, 100, log=True), "max_depth": Integer(2, 16),
               "max_features": Real(0.05, 1.0)}),
        _forest_digits, (0.2, 0.5), None, "validation error, fit CPU seconds"),
}
CONTENDERS = ("tunekit-evolution", "tunekit-bayes", "optuna-nsga2", "optuna-tpe", "tunekit-random")
TARGETS = ("tunekit-evolution", "tunekit-bayes")
OPTUNA = ("optuna-nsga2", "optuna-tpe")


def _tunekit(name: str) -> Callable[[Problem, int, int], list[Losses]]:
    def run(problem: Problem, trials: int, seed: int) -> list[Losses]:
        from tunekit.strategies import get_strategy
        from tunekit.strategies.base import Observation
        from tunekit.trial import TrialState

        strategy = get_strategy(name)(problem.space, seed=seed, budget=trials)
        found: list[Losses] = []
        while len(found) < trials:
            proposals = strategy.ask(1)
            if not proposals:
                break
            losses = problem.losses(proposals[0])
            found.append(losses)
            strategy.tell([Observation(proposals[0], TrialState.COMPLETE, losses[0], losses=losses)])
        return found

    return run


def _optuna(sampler_name: str) -> Callable[[Problem, int, int], list[Losses]]:
    def run(problem: Problem, trials: int, seed: int) -> list[Losses]:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        warnings.simplefilter("ignore")  # experimental-feature warnings
        sampler: Any = (optuna.samplers.NSGAIISampler(seed=seed) if sampler_name == "nsga2"
                        else optuna.samplers.TPESampler(seed=seed))
        study = optuna.create_study(directions=["minimize", "minimize"], sampler=sampler)
        found: list[Losses] = []
        for _ in range(trials):
            trial = study.ask()
            params: dict[str, Any] = {}
            for name, dim in problem.space.items():
                if isinstance(dim, Real):
                    params[name] = trial.suggest_float(name, dim.low, dim.high, log=dim.log)
                else:
                    assert isinstance(dim, Integer)
                    params[name] = trial.suggest_int(name, dim.low, dim.high, log=dim.log)
            losses = problem.losses(params)
            found.append(losses)
            study.tell(trial, list(losses))
        return found

    return run


RUNNERS: dict[str, Callable[[Problem, int, int], list[Losses]]] = {
    "tunekit-evolution": _tunekit("evolution"),
    "tunekit-bayes": _tunekit("bayes"),
    "tunekit-random": _tunekit("random"),
    "optuna-nsga2": _optuna("nsga2"),
    "optuna-tpe": _optuna("tpe"),
}


def front_hypervolume(points: Sequence[Losses], reference: Losses) -> float:
    """The hypervolume of the non-dominated ``points`` with respect to ``reference``."""
    return hypervolume([points[i] for i in non_dominated(points)], reference)


def _optuna_hypervolume(points: Sequence[Losses], reference: Losses) -> float | None:
    """Optuna's hypervolume of the same points (``None`` without Optuna): a cross-check of ours."""
    try:
        import numpy as np
        from optuna._hypervolume import compute_hypervolume
    except ImportError:
        return None
    inside = [p for p in points if all(x < r for x, r in zip(p, reference, strict=True))]
    if not inside:
        return 0.0
    return float(compute_hypervolume(np.asarray(inside, dtype=float), np.asarray(reference, dtype=float)))


def run_one(problem_name: str, contender: str, trials: int, seed: int) -> dict[str, Any]:
    """One run: the losses of every trial, its hypervolumes and how long it took."""
    problem = PROBLEMS[problem_name]
    start = time.perf_counter()
    points = RUNNERS[contender](problem, trials, seed)
    wall_s = time.perf_counter() - start
    record: dict[str, Any] = {"seed": seed, "wall_s": wall_s, "losses": [list(p) for p in points],
                              "hypervolume": front_hypervolume(points, problem.reference)}
    if problem.tight_reference is not None:
        record["hypervolume_tight"] = front_hypervolume(points, problem.tight_reference)
    check = _optuna_hypervolume(points, problem.reference)
    if check is not None:
        record["hypervolume_optuna"] = check
    return record


def run_benchmark(*, problems: Sequence[str], contenders: Sequence[str], seeds: int, trials: int,
                  log: TextIO, raw: Path = RAW) -> dict[str, Any]:
    """Run every contender on every problem and seed (contenders interleaved per seed), saving after each."""
    results: dict[str, Any] = {
        "benchmark": "multiobjective", "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count(), "load_average": list(os.getloadavg())},
        "trials": trials, "seeds": list(range(seeds)), "contenders": list(contenders),
        "problems": {name: {"reference": PROBLEMS[name].reference,
                            "tight_reference": PROBLEMS[name].tight_reference, "note": PROBLEMS[name].note}
                     for name in problems},
        "runs": {name: {c: [] for c in contenders} for name in problems}, "finished": False}
    for name in problems:
        for seed in range(seeds):
            for contender in contenders:
                record = run_one(name, contender, trials, seed)
                results["runs"][name][contender].append(record)
                print(f"{name:14} {contender:18} seed {seed}: hypervolume {record['hypervolume']:.4f} "
                      f"({record['wall_s']:.1f} s)", file=log, flush=True)
                _save(results, raw)
    results["finished"] = True
    results["load_average_after"] = list(os.getloadavg())
    _save(results, raw)
    return results


def _save(results: dict[str, Any], raw: Path) -> None:
    raw.parent.mkdir(parents=True, exist_ok=True)
    temporary = raw.with_suffix(".tmp")
    temporary.write_text(json.dumps(results, indent=1) + "\n")
    temporary.replace(raw)


def summary(results: dict[str, Any]) -> dict[str, dict[str, dict[str, float]]]:
    """Per problem and contender: mean and standard deviation of each hypervolume, and the mean wall time."""
    table: dict[str, dict[str, dict[str, float]]] = {}
    for name, by_contender in results["runs"].items():
        table[name] = {}
        for contender, runs in by_contender.items():
            if not runs:
                continue
            row: dict[str, float] = {}
            for key in ("hypervolume", "hypervolume_tight"):
                values = [r[key] for r in runs if key in r]
                if values:
                    row[key] = statistics.mean(values)
                    row[key + "_std"] = statistics.stdev(values) if len(values) > 1 else 0.0
            row["wall_s"] = statistics.mean(r["wall_s"] for r in runs)
            row["runs"] = len(runs)
            table[name][contender] = row
    return table


def verdicts(results: dict[str, Any]) -> list[str]:
    """Whether each tunekit strategy's mean hypervolume reached that of each Optuna sampler, per problem."""
    table = summary(results)
    lines = []
    for name, rows in table.items():
        for target in TARGETS:
            if target not in rows:
                continue
            for rival in OPTUNA:
                if rival not in rows:
                    continue
                ours, theirs = rows[target]["hypervolume"], rows[rival]["hypervolume"]
                lines.append(f"{name}: {target} {ours:.4f} {'>=' if ours >= theirs else '<'} {rival} {theirs:.4f}"
                             f" ({'met' if ours >= theirs else 'missed'})")
    return lines


def render(results: dict[str, Any]) -> str:
    """RESULTS-multiobjective.md from the raw results."""
    table = summary(results)
    contenders = results["contenders"]
    out = ["# Several objectives: hypervolume against Optuna", "",
           ("Generated by `python -m benchmarks.multiobjective` (see its docstring for the problems and the "
           "protocol); do not edit by hand."), "",
           (f"{results['trials']} trials, seeds {results['seeds'][0]}-{results['seeds'][-1]}, proposals one at a "
           f"time; machine: {results['machine']['platform']}, {results['machine']['cpus']} CPUs shared with other "
           f"jobs (load average {results['machine']['load_average'][0]:.1f} at the start). "
           f"Created {results['created']}."), "",
           ("Mean hypervolume of each run's Pareto front (± standard deviation over seeds; higher is better) with "
           "respect to the problem's reference point; for the ZDT problems also with respect to (1.1, 1.1), "
           "which only points near the true front count towards. Wall time: the whole run, objective included."),
           ""]
    header = "| problem | reference | " + " | ".join(contenders) + " |"
    out += [header, "|" + " --- |" * (len(contenders) + 2)]
    for name, rows in table.items():
        problem = results["problems"][name]
        cells = [f"{rows[c]['hypervolume']:.4f} ± {rows[c]['hypervolume_std']:.4f}" if c in rows else "-"
                 for c in contenders]
        out.append(f"| {name} ({problem['note']}) | {tuple(problem['reference'])} | " + " | ".join(cells) + " |")
        if problem.get("tight_reference"):
            cells = [f"{rows[c]['hypervolume_tight']:.4f} ± {rows[c]['hypervolume_tight_std']:.4f}"
                     if c in rows else "-" for c in contenders]
            out.append(f"| {name} | {tuple(problem['tight_reference'])} | " + " | ".join(cells) + " |")
    out += ["", "Mean wall time per run (seconds):", "", header.replace("reference", "runs"),
            "|" + " --- |" * (len(contenders) + 2)]
    for name, rows in table.items():
        runs = max((int(r["runs"]) for r in rows.values()), default=0)
        out.append(f"| {name} | {runs} | " + " | ".join(f"{rows[c]['wall_s']:.1f}" if c in rows else "-"
                                                          for c in contenders) + " |")
    checks = [abs(r["hypervolume"] - r["hypervolume_optuna"]) for by in results["runs"].values()
              for runs in by.values() for r in runs if "hypervolume_optuna" in r]
    out += ["", "## Target: tunekit's strategies reach at least Optuna's mean hypervolume", ""]
    out += [f"- {line}" for line in verdicts(results)]
    if checks:
        out += ["", (f"tunekit's hypervolume against Optuna's on the same fronts: largest difference "
                    f"{max(checks):.2e} over {len(checks)} runs.")]
    out += ["", "## Notes", "",
            ("- Every contender runs with its defaults: Optuna's NSGAIISampler breeds populations of 50, so 100 trials "
            "are its random first generation and one bred generation; tunekit's evolution draws a random first "
            "generation of 12 in 6 dimensions (`clip(2 * dimensions, 8, 40)`), breeds from trial 13 on and keeps 8 "
            "parents with several objectives (`clip(dimensions, 8, 40)`). TPESampler is Optuna's "
            "multi-objective TPE (10 random start-up trials); tunekit's bayes is ParEGO (its Latin hypercube design "
            "of 9, then one Gaussian process per proposal on a Tchebycheff scalarisation, its own random weights)."),
            ("- ZDT's optimum has x1..x5 at their lower bound, which a model-based search that clips its moves to the "
            "cube finds early; this likely favours bayes (and TPE) over the evolutionary searches (not measured)."),
            ("- forest-digits times the fit in CPU seconds on a shared machine: the same configuration's time varies "
            "from run to run, so differences of the order of the standard deviations there are noise.")]
    if not results.get("finished"):
        out += ["", "**Unfinished run**: the numbers above cover the runs saved so far."]
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.multiobjective", description=__doc__.split("\n")[0])
    parser.add_argument("--problems", nargs="+", default=list(PROBLEMS), choices=list(PROBLEMS))
    parser.add_argument("--contenders", nargs="+", default=list(CONTENDERS), choices=list(CONTENDERS))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--render-only", action="store_true", help="re-render the section from the saved JSON")
    parser.add_argument("--raw", type=Path, default=RAW, help=f"the JSON to write (default: {RAW.relative_to(HERE)})")
    parser.add_argument("--markdown", type=Path, default=MARKDOWN,
                        help=f"the section to write (default: {MARKDOWN.name}); '-': none")
    args = parser.parse_args(argv)
    if args.render_only:
        results = json.loads(args.raw.read_text())
    else:
        results = run_benchmark(problems=args.problems, contenders=args.contenders, seeds=args.seeds,
                                trials=args.trials, log=sys.stderr, raw=args.raw)
    text = render(results)
    if str(args.markdown) != "-":
        args.markdown.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
