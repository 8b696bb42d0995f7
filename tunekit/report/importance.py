"""Parameter importance: how much of the score's variation each parameter explains.

The method (the one Optuna calls ``MeanDecreaseImpurityImportanceEvaluator``): fit a seeded
scikit-learn ``RandomForestRegressor`` (64 trees, ``random_state=0``, ``min_samples_leaf=2``) that predicts
the score of the complete trials from their parameters, and read its mean decrease in impurity.
Parameters are encoded in the scale they are searched in: log ranges as ``log10(value)``, other ranges as
is, categories one-hot (the importances of a parameter's one-hot columns are summed). Importances are
normalised to sum to 1. The same trials always give the same importances.

It needs at least :data:`MIN_TRIALS` complete trials and two parameters; with fewer there is nothing to
compare and :func:`param_importance` returns ``None``. Impurity importance is a rough guide: it favours
parameters with many distinct values and says nothing about the direction of the effect (the slice plots
do).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from tunekit.report.plots._data import value_label
from tunekit.results import ExperimentResult
from tunekit.trial import TrialState

__all__ = ["METHOD", "MIN_TRIALS", "ParamImportance", "param_importance"]

#: Fewest complete trials for which importances are computed (a forest on fewer is guesswork).
MIN_TRIALS = 8
#: One line describing the method, shown under the plot.
METHOD = ("mean decrease in impurity of a seeded random forest (64 trees) predicting the score from the "
          "parameters (log ranges as log10, categories one-hot); sums to 1")
_TREES = 64


@dataclass(frozen=True)
class ParamImportance:
    """Importances of the parameters of one experiment, most important first."""

    names: list[str]
    importances: list[float]
    trials: int


def _columns(name: str, dim: dict[str, Any], values: list[Any]) -> np.ndarray:
    if dim.get("type") == "categorical":
        labels = sorted({value_label(v) for v in values})
        shown = [value_label(v) for v in values]
        return np.array([[1.0 if s == label else 0.0 for label in labels] for s in shown])
    numbers = np.array([float(v) for v in values])
    return (np.log10(numbers) if dim.get("log") else numbers).reshape(-1, 1)


def _usable(value: Any, dim: dict[str, Any]) -> bool:
    if dim.get("type") == "categorical":
        return True
    return (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            and (not dim.get("log") or value > 0))


def param_importance(exp: ExperimentResult) -> ParamImportance | None:
    """Importances of ``exp``'s parameters (see the module docstring), or ``None`` when too few trials."""
    names = list(exp.space)
    if len(names) < 2:
        return None
    trials = [t for t in exp.trials if t.state is TrialState.COMPLETE and t.score is not None
              and all(n in t.params and _usable(t.params[n], exp.space[n]) for n in names)]
    if len(trials) < MIN_TRIALS:
        return None
    blocks = [_columns(n, exp.space[n], [t.params[n] for t in trials]) for n in names]
    y = np.array([float(t.score) for t in trials])  # type: ignore[arg-type]
    if float(np.ptp(y)) == 0.0:
        totals = np.zeros(len(names))
    else:
        from sklearn.ensemble import RandomForestRegressor

        forest = RandomForestRegressor(n_estimators=_TREES, min_samples_leaf=2, random_state=0, n_jobs=1)
        forest.fit(np.hstack(blocks), y)
        importances = forest.feature_importances_
        bounds = np.cumsum([0] + [b.shape[1] for b in blocks])
        totals = np.array([importances[bounds[i]:bounds[i + 1]].sum() for i in range(len(names))])
    total = float(totals.sum())
    shares = totals / total if total > 0 else totals
    order = sorted(range(len(names)), key=lambda i: (-shares[i], i))
    return ParamImportance(names=[names[i] for i in order], importances=[float(shares[i]) for i in order],
                           trials=len(trials))
