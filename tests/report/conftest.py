"""Results for the report tests: experiments crafted trial by trial, and one conditional search run for real."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

import pytest

from tunekit.results import ExperimentResult, ResultsDocument
from tunekit.trial import TrialResult, TrialState

DEFAULT_SPACE = {
    "C": {"type": "real", "low": 1e-3, "high": 1e3, "log": True},
    "depth": {"type": "integer", "low": 1, "high": 10, "log": False},
    "kernel": {"type": "categorical", "choices": ["rbf", "linear"]},
}


def make_trial(number: int, score: float | None = None, *, state: TrialState | str | None = None,
               params: dict[str, Any] | None = None, folds: Sequence[float] | None = None,
               metrics: dict[str, Any] | None = None, error: str | None = None,
               duration_s: float = 0.1, intermediate: list[tuple[int, float]] | None = None) -> TrialResult:
    """A trial: COMPLETE when it has a score, FAIL otherwise (unless ``state`` says)."""
    std = None
    if folds is not None:
        mean = sum(folds) / len(folds)
        std = (sum((f - mean) ** 2 for f in folds) / len(folds)) ** 0.5
        score = mean if score is None else score
    if state is None:
        state = TrialState.COMPLETE if score is not None else TrialState.FAIL
    state = TrialState(state)
    if params is None:
        params = {"C": 1.0, "depth": 5, "kernel": "rbf"}
    return TrialResult(number=number, params=dict(params), state=state,
                       score=score if state is TrialState.COMPLETE else None,
                       score_std=std if state is TrialState.COMPLETE else None,
                       folds=list(folds) if folds is not None and state is TrialState.COMPLETE else None,
                       metrics=dict(metrics or {}), duration_s=duration_s,
                       error=error if error is not None or state is not TrialState.FAIL else "ValueError: boom",
                       seed=number, intermediate=intermediate)


def make_experiment(trials: Sequence[TrialResult], *, space: dict[str, Any] | None = None,
                    direction: str = "maximize", strategy: str = "random",
                    id: str = "experiments/exp_x.py::tune_x", status: str = "passed") -> ExperimentResult:
    return ExperimentResult(id=id, strategy=strategy, direction=direction, seed=0,
                            budget={"trials": len(trials)}, space=dict(space or DEFAULT_SPACE),
                            trials=list(trials), status=status, duration_s=1.0)


def make_doc(*experiments: ExperimentResult) -> ResultsDocument:
    return ResultsDocument(experiments=list(experiments), tunekit_version="0.1.0",
                           created="2026-01-01T00:00:00+00:00",
                           machine_info={"node": "box", "system": "Linux", "python_version": "3.11.7",
                                         "cpu_count": 2},
                           commit_info={"id": "0123456789abcdef", "dirty": False, "branch": "main"})


@pytest.fixture
def craft() -> SimpleNamespace:
    """``craft.trial(...)``, ``craft.experiment(...)``, ``craft.doc(...)`` and ``craft.SPACE``."""
    return SimpleNamespace(trial=make_trial, experiment=make_experiment, doc=make_doc, SPACE=DEFAULT_SPACE)


# --- a conditional search, run for real ------------------------------------------------------------------

def conditional_space() -> dict[str, Any]:
    """Model selection: each model has its own parameters, the SVC's ``degree`` only for the poly kernel."""
    from tunekit import Categorical, Integer, Real

    return {"model": Categorical(["svc", "knn", "forest"]),
            "kernel": Categorical(["rbf", "poly"]).when(model="svc"),
            "degree": Integer(2, 5).when(kernel="poly"),
            "C": Real(0.01, 100.0, log=True).when(model="svc"),
            "gamma": Real(0.0, 2.0).when(kernel="rbf"),
            "k": Integer(1, 30).when(model="knn"),
            "depth": Integer(2, 12).when(model="forest")}


def realistic_score(model: str, kernel: str = "rbf", degree: int = 3, C: float = 1.0, gamma: float = 1.0,
                    k: int = 5, depth: int = 6) -> float:
    """Every branch parameter matters a little; which model matters most."""
    if model == "svc":
        shape = -0.02 * (degree - 2) if kernel == "poly" else -0.03 * abs(gamma - 1.0)
        return 0.80 + 0.04 * math.log10(C) + shape
    if model == "knn":
        return 0.70 - 0.004 * k
    return 0.62 + 0.01 * depth


def tune_conditional(score: Callable[..., float] = realistic_score, *, seed: int = 3,
                     trials: int = 30) -> ExperimentResult:
    """The record of a real random search of :func:`conditional_space` (objective defaults: inactive values)."""
    import tunekit

    def tune_models(model, kernel="rbf", degree=3, C=1.0, gamma=1.0, k=5, depth=6):
        return score(model=model, kernel=kernel, degree=degree, C=C, gamma=gamma, k=k, depth=depth)

    tunable = tunekit.tunable(space=conditional_space(), strategy="random", trials=trials, seed=seed)(tune_models)
    return tunekit.tune(tunable, experiment_id="experiments/exp_models.py::tune_models")


@pytest.fixture(scope="session")
def conditional_record() -> ExperimentResult:
    """30 random trials of a model choice between three branches with their own parameters."""
    return tune_conditional()


@pytest.fixture
def conditional() -> SimpleNamespace:
    """``conditional.space()`` (the dimensions) and ``conditional.tune(score, seed=...)`` (a record)."""
    return SimpleNamespace(space=conditional_space, tune=tune_conditional)
