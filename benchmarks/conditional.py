"""Conditional-space benchmark: tunekit's strategies against random search and Optuna's TPE on spaces whose
parameters depend on others; writes RESULTS-conditional.md and raw JSON.

Run from the repository root (Optuna is in the ``bench`` extra)::

    pip install -e '.[bench]'
    python -m benchmarks.conditional                  # 5 seeds x 50 trials, a few minutes on 2 cores
    python -m benchmarks.conditional --seeds 2        # a smoke run
    python -m benchmarks.conditional --report-only    # re-render from the raw JSON

Problems: a synthetic hierarchical function with a known optimum (three branches, a chain of conditions and a
constraint), and a model selection over four scikit-learn classifiers with 3-fold cross-validation. Optuna's
TPE runs with ``multivariate=True, group=True`` (its best setting for conditional spaces), suggesting each
parameter only where it is active, parents first. A proposal the constraint forbids is told to TPE as failed
and asked again (up to 20 times), without counting toward the budget: tunekit's strategies never make one.
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
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any

from tunekit.space import Branches, Categorical, Integer, Real, Space

HERE = Path(__file__).resolve().parent
RAW = HERE / "results" / "conditional.json"
REPORT = HERE / "RESULTS-conditional.md"
BUDGET = 50
CONTENDERS = ("tunekit-bayes", "tunekit-evolution", "tunekit-random", "optuna-tpe")
REFERENCE = "tunekit-random"


# --- problems ------------------------------------------------------------------------------------------

def _not_in_corner(params: dict[str, Any]) -> bool:
    return not (params["branch"] == "a" and params["x1"] + params["x2"] > 6)


def hierarchical_space() -> Space:
    """Three branches: a (two reals, a forbidden corner), b (a kernel choice, an integer under one kernel),
    c (a log real and an integer, where the global optimum 0 lies)."""
    return Space({
        **Branches("branch",
                   a={"x1": Real(-5.0, 5.0), "x2": Real(-5.0, 5.0)},
                   b={"kernel": Categorical(["p", "q"]), "y": Real(0.0, 1.0)},
                   c={"z": Real(1e-4, 1.0, log=True), "w": Integer(0, 10)}),
        "degree": Integer(1, 5).when(kernel="p"),
    }, constraints=[_not_in_corner])


def hierarchical_loss(p: dict[str, Any]) -> float:
    if p["branch"] == "a":
        return 0.5 + (p["x1"] - 1.0) ** 2 / 25 + (p["x2"] + 2.0) ** 2 / 25
    if p["branch"] == "b":
        if p["kernel"] == "p":
            return 0.3 + 0.1 * abs(p["degree"] - 3) + (p["y"] - 0.5) ** 2
        return 0.6 + (p["y"] - 0.2) ** 2
    return (math.log10(p["z"]) + 2.0) ** 2 / 4 + (p["w"] - 7) ** 2 / 50


def model_space() -> Space:
    return Space(Branches(
        "model",
        svc={"C": Real(1e-2, 1e3, log=True), "gamma": Real(1e-4, 1.0, log=True),
             "kernel": Categorical(["rbf", "poly"]), "degree": Integer(2, 4).when(kernel="poly")},
        logreg={"C": Real(1e-2, 1e3, log=True)},
        knn={"n_neighbors": Integer(1, 40), "weights": Categorical(["uniform", "distance"])},
        forest={"max_depth": Integer(1, 12), "max_features": Real(0.05, 1.0)},
    ))


@cache
def _breast_cancer() -> tuple[Any, Any]:
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def model_loss(p: dict[str, Any]) -> float:
    """3-fold CV error of the chosen classifier (fixed folds, fixed forest seed)."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.svm import SVC

    X, y = _breast_cancer()
    if p["model"] == "svc":
        model: Any = SVC(C=p["C"], gamma=p["gamma"], kernel=p["kernel"], degree=p.get("degree", 3))
    elif p["model"] == "logreg":
        model = LogisticRegression(C=p["C"], max_iter=300)
    elif p["model"] == "knn":
        model = KNeighborsClassifier(n_neighbors=p["n_neighbors"], weights=p["weights"])
    else:
        model = RandomForestClassifier(n_estimators=20, max_depth=p["max_depth"], max_features=p["max_features"],
                                       random_state=0, n_jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
        return 1.0 - float(cross_val_score(model, X, y, cv=folds).mean())


PROBLEMS: dict[str, tuple[Callable[[], Space], Callable[[dict[str, Any]], float], float | None]] = {
    "hierarchical": (hierarchical_space, hierarchical_loss, 0.0),
    "model_selection": (model_space, model_loss, None),
}


# --- contenders ------------------------------------------------------------------------------------------

def _tunekit(name: str, space: Space, loss: Callable[[dict[str, Any]], float], seed: int) -> list[float]:
    from tunekit.strategies import get_strategy
    from tunekit.strategies.base import Observation
    from tunekit.trial import TrialState

    strategy = get_strategy(name)(space, seed=seed, budget=BUDGET)
    losses: list[float] = []
    while len(losses) < BUDGET:
        (params,) = strategy.ask(1)
        assert space.contains(params) and space.allowed(params), params
        losses.append(loss(params))
        strategy.tell([Observation(params, TrialState.COMPLETE, losses[-1])])
    return losses


def _optuna_tpe(space: Space, loss: Callable[[dict[str, Any]], float], seed: int) -> list[float]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore")  # multivariate/group are experimental
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed, multivariate=True, group=True))
    losses: list[float] = []
    while len(losses) < BUDGET:
        for _ in range(20):
            trial = study.ask()
            params: dict[str, Any] = {}
            for name in space.parents_first:
                if not space.is_active(name, params):
                    continue
                dim = space[name]
                if isinstance(dim, Real):
                    params[name] = trial.suggest_float(name, dim.low, dim.high, log=dim.log)
                elif isinstance(dim, Integer):
                    params[name] = trial.suggest_int(name, dim.low, dim.high, log=dim.log)
                else:
                    assert isinstance(dim, Categorical)
                    params[name] = trial.suggest_categorical(name, dim.choices)
            params = space.restrict(params)
            if space.allowed(params):
                break
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
        losses.append(loss(params))
        study.tell(trial, losses[-1])
    return losses


def run_one(task: tuple[str, str, int]) -> tuple[str, str, int, list[float], float]:
    problem, contender, seed = task
    make_space, loss, _ = PROBLEMS[problem]
    start = time.perf_counter()
    if contender == "optuna-tpe":
        losses = _optuna_tpe(make_space(), loss, seed)
    else:
        losses = _tunekit(contender.removeprefix("tunekit-"), make_space(), loss, seed)
    return problem, contender, seed, losses, time.perf_counter() - start


# --- grid check --------------------------------------------------------------------------------------------

def grid_check() -> dict[str, Any]:
    """Grid search on each space against a brute-force count of the valid combinations (every product point
    restricted to its active parameters, deduplicated, filtered by the constraints)."""
    import itertools

    from tunekit.strategies import get_strategy

    rows = {}
    for problem, (make_space, _, _) in PROBLEMS.items():
        space = make_space()
        names = list(space)
        brute = set()
        for values in itertools.product(*(space[n].grid_points() for n in names)):
            point = space.restrict(dict(zip(names, values, strict=True)))
            if space.allowed(point):
                brute.add(tuple((k, repr(v)) for k, v in point.items()))
        strategy = get_strategy("grid")(space, seed=0, budget=None)
        proposed = []
        while batch := strategy.ask(16):
            proposed += batch
        keys = {tuple((k, repr(v)) for k, v in p.items()) for p in proposed}
        rows[problem] = {"product": math.prod(len(space[n].grid_points()) for n in names),
                         "valid": len(brute), "grid_trials": len(proposed), "distinct": len(keys),
                         "exact": keys == brute and len(proposed) == len(brute)}
    return rows


# --- report ------------------------------------------------------------------------------------------------

def _best(losses: list[float]) -> float:
    return min(losses)


def summarise(raw: dict[str, Any]) -> dict[str, Any]:
    """Per problem and contender: median best loss over seeds and the normalised score
    (R - b) / (R - opt), R = random search's median best, opt = the optimum (or the best any contender found)."""
    table: dict[str, dict[str, Any]] = {}
    for problem, (_, _, optimum) in PROBLEMS.items():
        runs = raw["runs"].get(problem, {})
        if REFERENCE not in runs:
            continue
        bests = {c: [_best(v) for v in runs[c].values()] for c in runs}
        medians = {c: statistics.median(v) for c, v in bests.items()}
        opt = optimum if optimum is not None else min(min(v) for v in bests.values())
        ref = medians[REFERENCE]
        table[problem] = {c: {"median_best": medians[c], "seeds": len(bests[c]),
                              "score": (ref - medians[c]) / (ref - opt) if ref > opt else 0.0}
                          for c in CONTENDERS if c in medians}
        table[problem]["_opt"] = opt
    return table


def render(raw: dict[str, Any]) -> str:
    table = summarise(raw)
    meta = raw["meta"]
    out = ["# Conditional-space benchmark", "",
           (f"Generated by `python -m benchmarks.conditional` on {meta['date']} ({meta['platform']}, "
           f"{meta['cpus']} CPUs, Python {meta['python']}); {meta['seeds']} seeds x {BUDGET} sequential trials per "
           f"run; total {meta['minutes']:.1f} min. Raw data: `benchmarks/results/conditional.json`. Nothing here is "
           "typed by hand: re-render with `python -m benchmarks.conditional --report-only`."), "",
           ("Score = (R - b) / (R - opt): b is the contender's median (over seeds) best loss after "
           f"{BUDGET} trials, R random search's (`{REFERENCE}`), opt the known optimum (hierarchical: 0) or, for "
           "the model selection, the lowest CV error any contender found. 0 is random search, 1 the optimum."), "",
           "| problem | " + " | ".join(CONTENDERS) + " |", "| --- |" + " --- |" * len(CONTENDERS)]
    means: dict[str, list[float]] = {c: [] for c in CONTENDERS}
    for problem, row in table.items():
        cells = []
        for c in CONTENDERS:
            if c in row:
                cells.append(f"{row[c]['score']:.3f} (best {row[c]['median_best']:.4g})")
                means[c].append(row[c]["score"])
            else:
                cells.append("-")
        out.append(f"| {problem} | " + " | ".join(cells) + " |")
    out.append("| **mean** | " + " | ".join(f"**{statistics.mean(v):.3f}**" if v else "-"
                                           for v in means.values()) + " |")
    out += ["", "Targets: tunekit bayes and evolution above random search (0) and Optuna TPE on the mean score.", ""]
    for strategy in ("tunekit-bayes", "tunekit-evolution"):
        if means[strategy] and means["optuna-tpe"]:
            mine, tpe = statistics.mean(means[strategy]), statistics.mean(means["optuna-tpe"])
            met = mine > 0 and mine > tpe
            out.append(f"- {strategy}: {mine:.3f} vs random 0 and TPE {tpe:.3f}: **{'met' if met else 'not met'}**")
    out += ["", ("Grid search against a brute-force count of the valid combinations (each product point restricted "
            "to its active parameters, deduplicated, filtered by the constraints):"), "",
            "| space | grid product | valid combinations | grid trials | distinct | exactly the valid ones |",
            "| --- | --- | --- | --- | --- | --- |"]
    for problem, row in raw["grid"].items():
        out.append(f"| {problem} | {row['product']} | {row['valid']} | {row['grid_trials']} | {row['distinct']} | "
                   f"{'yes' if row['exact'] else '**no**'} |")
    return "\n".join([*out, ""])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--contenders", nargs="*", default=list(CONTENDERS), choices=CONTENDERS,
                        help="re-run only these; the others' runs are kept from the raw JSON")
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args(argv)
    raw: dict[str, Any] = json.loads(RAW.read_text()) if RAW.exists() else {"runs": {}}
    if not args.report_only:
        start = time.perf_counter()
        tasks = [(p, c, s) for p in PROBLEMS for c in args.contenders for s in range(args.seeds)]
        for problem in PROBLEMS:
            for contender in args.contenders:
                raw["runs"].setdefault(problem, {})[contender] = {}
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            for problem, contender, seed, losses, seconds in pool.map(run_one, tasks):
                raw["runs"][problem][contender][str(seed)] = losses
                print(f"{problem} {contender} seed {seed}: best {min(losses):.4g} ({seconds:.1f} s)", file=sys.stderr)
        raw["grid"] = grid_check()
        raw["meta"] = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                       "platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version(),
                       "seeds": args.seeds, "minutes": (time.perf_counter() - start) / 60}
        RAW.parent.mkdir(exist_ok=True)
        RAW.write_text(json.dumps(raw, indent=1) + "\n")
    REPORT.write_text(render(raw))
    print(render(raw))


if __name__ == "__main__":
    main()
