"""Benchmark problems: classic synthetic functions, a mixed-type one, and cheap scikit-learn tuning tasks.

Every problem is a loss to minimise over a tunekit :class:`~tunekit.space.Space`. ``optimum`` is the
known global minimum, or ``None`` for the scikit-learn tasks (whose best reachable loss is unknown).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from tunekit.space import Categorical, Integer, Real, Space

__all__ = ["PROBLEMS", "Problem", "problem_names"]


@dataclass(frozen=True)
class Problem:
    """One benchmark problem: a space, a loss over it, and its known optimum (if any)."""

    name: str
    space: Space
    loss: Callable[[dict[str, Any]], float]
    optimum: float | None
    kind: str  # "synthetic" or "sklearn"
    description: str


def _branin(p: dict[str, Any]) -> float:
    x1, x2 = p["x1"], p["x2"]
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


_H6_A = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
                  [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]])
_H6_P = 1e-4 * np.array([[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
                         [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]])
_H6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])


def _hartmann6(p: dict[str, Any]) -> float:
    x = np.array([p[f"x{i}"] for i in range(6)])
    return float(-np.sum(_H6_ALPHA * np.exp(-np.sum(_H6_A * (x - _H6_P) ** 2, axis=1))))


def _rosenbrock(p: dict[str, Any]) -> float:
    x = np.array([p[f"x{i}"] for i in range(5)])
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))


def _ackley(p: dict[str, Any]) -> float:
    x = np.array([p[f"x{i}"] for i in range(10)])
    return float(-20 * np.exp(-0.2 * np.sqrt(np.mean(x ** 2))) - np.exp(np.mean(np.cos(2 * np.pi * x)))
                 + 20 + math.e)


_MIXED_CHOICE_COST = {"adam": 0.0, "sgd": 0.6, "rmsprop": 0.3, None: 1.0}


def _mixed(p: dict[str, Any]) -> float:
    """A stand-in for a training run: a log learning rate, a log width, an integer depth, choices."""
    return ((math.log10(p["lr"]) + 2.5) ** 2 / 2
            + (math.log2(p["width"]) - 7) ** 2 / 8
            + (p["depth"] - 4) ** 2 / 16
            + _MIXED_CHOICE_COST[p["optimizer"]]
            + (0.0 if p["batchnorm"] else 0.4)
            + 2.0 * (p["dropout"] - 0.2) ** 2)


def _cv_error(make_model: Callable[[dict[str, Any]], Any], dataset: str) -> Callable[[dict[str, Any]], float]:
    cache: dict[str, Any] = {}

    def loss(params: dict[str, Any]) -> float:
        from sklearn.model_selection import StratifiedKFold, cross_val_score

        if "data" not in cache:
            from sklearn import datasets

            cache["data"] = getattr(datasets, dataset)(return_X_y=True)
        X, y = cache["data"]
        folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
        return 1.0 - float(np.mean(cross_val_score(make_model(params), X, y, cv=folds)))

    return loss


def _svc(params: dict[str, Any]) -> Any:
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    return make_pipeline(StandardScaler(), SVC(C=params["C"], gamma=params["gamma"],
                                               kernel=params["kernel"]))


def _forest(params: dict[str, Any]) -> Any:
    from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier

    cls = RandomForestClassifier if params["model"] == "forest" else ExtraTreesClassifier
    return cls(n_estimators=params["n_estimators"], max_depth=params["max_depth"],
               max_features=params["max_features"], min_samples_leaf=params["min_samples_leaf"],
               criterion=params["criterion"], random_state=0, n_jobs=1)


PROBLEMS: dict[str, Problem] = {p.name: p for p in [
    Problem("branin", Space({"x1": Real(-5.0, 10.0), "x2": Real(0.0, 15.0)}), _branin,
            0.397887357729738, "synthetic", "Branin, 2-D"),
    Problem("hartmann6", Space({f"x{i}": Real(0.0, 1.0) for i in range(6)}), _hartmann6,
            -3.32236801141551, "synthetic", "Hartmann, 6-D"),
    Problem("rosenbrock5", Space({f"x{i}": Real(-2.048, 2.048) for i in range(5)}), _rosenbrock,
            0.0, "synthetic", "Rosenbrock, 5-D"),
    Problem("ackley10", Space({f"x{i}": Real(-32.768, 32.768) for i in range(10)}), _ackley,
            0.0, "synthetic", "Ackley, 10-D"),
    Problem("mixed6", Space({"lr": Real(1e-6, 1.0, log=True), "width": Integer(8, 1024, log=True),
                             "depth": Integer(1, 12),
                             "optimizer": Categorical(["sgd", "adam", "rmsprop", None]),
                             "batchnorm": Categorical([False, True]), "dropout": Real(0.0, 0.8)}),
            _mixed, 0.0, "synthetic",
            "mixed 6-D: log real, log integer, integer, categorical with None, bool, real"),
    Problem("svc_breast_cancer", Space({"C": Real(1e-3, 1e3, log=True), "gamma": Real(1e-5, 1.0, log=True),
                                        "kernel": Categorical(["rbf", "sigmoid"])}),
            _cv_error(_svc, "load_breast_cancer"), None, "sklearn",
            "SVC on breast cancer (569 samples), 3-fold CV error"),
    Problem("forest_wine", Space({"model": Categorical(["forest", "extra"]),
                                  "n_estimators": Integer(5, 100, log=True), "max_depth": Integer(1, 12),
                                  "max_features": Real(0.05, 1.0), "min_samples_leaf": Integer(1, 20),
                                  "criterion": Categorical(["gini", "entropy"])}),
            _cv_error(_forest, "load_wine"), None, "sklearn",
            "random forest / extra trees on wine (178 samples), 3-fold CV error"),
]}


def problem_names(kind: str | None = None) -> list[str]:
    """Names of the problems, optionally only those of one kind."""
    return [name for name, p in PROBLEMS.items() if kind is None or p.kind == kind]
