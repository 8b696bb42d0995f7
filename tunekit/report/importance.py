"""Parameter importance: how much of the score's variation each parameter explains.

The method (the one Optuna calls ``MeanDecreaseImpurityImportanceEvaluator``): fit a seeded
scikit-learn ``RandomForestRegressor`` (64 trees, ``random_state=0``, ``min_samples_leaf=2``) that predicts
the score of the complete trials from their parameters, and read its mean decrease in impurity.
Parameters are encoded in the scale they are searched in: log ranges as ``log10(value)``, other ranges as
is, categories one-hot (the importances of a parameter's columns are summed). Importances are
normalised to sum to 1. The same trials always give the same importances.

A conditional parameter (one with a ``when``) is absent from the trials in which it was inactive, and every
complete trial still counts. Where it is inactive its value column holds the middle of its range (a
category: none of its one-hot columns is set), so that no single split on it picks out the inactive trials,
and one more 0/1 column says whether it was active. That column's importance goes to the parents its
condition names (shared equally), not to the parameter: whether ``C`` was searched at all is ``model``'s
doing, and crediting ``C`` with it would rank every branch's parameters beside the branch choice itself.

It needs at least :data:`MIN_TRIALS` complete trials and two parameters; with fewer there is nothing to
compare and :func:`param_importance` returns ``None``. Impurity importance is a rough guide: it favours
parameters with many distinct values and says nothing about the direction of the effect (the slice plots
do).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from tunekit.report.plots._data import value_label
from tunekit.results import ExperimentResult
from tunekit.trial import TrialResult, TrialState

__all__ = ["METHOD", "MIN_TRIALS", "ParamImportance", "param_importance"]

#: Fewest complete trials for which importances are computed (a forest on fewer is guesswork).
MIN_TRIALS = 8
#: One line describing the method, shown under the plot.
METHOD = ("mean decrease in impurity of a seeded random forest (64 trees) predicting the score from the "
          "parameters (log ranges as log10, categories one-hot; whether a conditional parameter was active "
          "counts for the parameters its condition names); sums to 1")
_TREES = 64


@dataclass(frozen=True)
class ParamImportance:
    """Importances of the parameters of one experiment, most important first."""

    names: list[str]
    importances: list[float]
    trials: int


def _value_columns(dim: Mapping[str, Any], values: list[Any], active: list[bool]) -> np.ndarray:
    """One parameter's value columns; an inactive trial has no category set, or the middle of the range."""
    if dim.get("type") == "categorical":
        shown = [value_label(v) if on else None for v, on in zip(values, active, strict=True)]
        labels = sorted({s for s in shown if s is not None})
        return np.array([[1.0 if s == label else 0.0 for label in labels] for s in shown]).reshape(len(shown), -1)
    low, high = float(dim["low"]), float(dim["high"])
    scale = math.log10 if dim.get("log") else float
    middle = (scale(low) + scale(high)) / 2
    return np.array([scale(float(v)) if on else middle for v, on in zip(values, active, strict=True)]).reshape(-1, 1)


def _activity_owners(name: str, dim: Mapping[str, Any], names: list[str]) -> list[str]:
    """Who is credited with whether ``name`` was active: the parents of its condition (itself without one)."""
    when = dim.get("when")
    parents = [p for p in when if p in names] if isinstance(when, Mapping) else []
    return parents or [name]


def _usable(value: Any, dim: dict[str, Any]) -> bool:
    if dim.get("type") == "categorical":
        return True
    return (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            and (not dim.get("log") or value > 0))


def _encode(exp: ExperimentResult, trials: list[TrialResult]) -> tuple[np.ndarray, list[list[str]]]:
    """The forest's inputs, and for each column the parameters its importance counts for."""
    names = list(exp.space)
    blocks, owners = [], []
    for name in names:
        dim = exp.space[name]
        active = [name in t.params for t in trials]
        block = _value_columns(dim, [t.params.get(name) for t in trials], active)
        blocks.append(block)
        owners += [[name]] * block.shape[1]
        if not all(active):
            blocks.append(np.array(active, dtype=float).reshape(-1, 1))
            owners.append(_activity_owners(name, dim, names))
    return np.hstack(blocks), owners


def param_importance(exp: ExperimentResult) -> ParamImportance | None:
    """Importances of ``exp``'s parameters (see the module docstring), or ``None`` when too few trials.

    Every complete trial counts, whichever parameters it has; only a trial with a value that cannot be
    encoded (a number that is not finite, or not positive on a log range) is left out.
    """
    names = list(exp.space)
    if len(names) < 2:
        return None
    trials = [t for t in exp.trials if t.state is TrialState.COMPLETE and t.score is not None
              and all(n not in t.params or _usable(t.params[n], exp.space[n]) for n in names)]
    if len(trials) < MIN_TRIALS:
        return None
    y = np.array([float(t.score) for t in trials])  # type: ignore[arg-type]
    totals = dict.fromkeys(names, 0.0)
    if float(np.ptp(y)) > 0.0:
        from sklearn.ensemble import RandomForestRegressor

        x, owners = _encode(exp, trials)
        forest = RandomForestRegressor(n_estimators=_TREES, min_samples_leaf=2, random_state=0, n_jobs=1)
        forest.fit(x, y)
        for importance, credited in zip(forest.feature_importances_, owners, strict=True):
            for name in credited:
                totals[name] += max(0.0, float(importance)) / len(credited)  # no -0.0 from rounding
    total = sum(totals.values())
    shares = [totals[n] / total if total > 0 else 0.0 for n in names]
    order = sorted(range(len(names)), key=lambda i: (-shares[i], i))
    return ParamImportance(names=[names[i] for i in order], importances=[shares[i] for i in order],
                           trials=len(trials))
