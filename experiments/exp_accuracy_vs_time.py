"""Accuracy against fit time: a forest's size and depth traded against how long it takes to train.

Two objectives instead of one score: tunekit records both for every trial, the Pareto front of the trials
no other trial beats on both, and the selected trial (the most accurate one that fits in the time limit).
"""

from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import cross_validate

from tunekit import Integer, tunable


@tunable(
    space={"n_estimators": Integer(2, 64, log=True), "max_depth": Integer(2, 12)},
    strategy="evolution",
    trials=16,
    objectives={"accuracy": "maximize", "fit_seconds": "minimize"},
    limits={"fit_seconds": 0.1},
)
def tune_accuracy_vs_time(n_estimators, max_depth, digits, trial):
    X, y = digits
    model = RandomForestClassifier(n_estimators=n_estimators, max_depth=max_depth, random_state=trial.seed)
    scores = cross_validate(model, X, y, cv=3)
    # Each objective is a number or fold scores; other keys (here the trees' total depth) stay metrics.
    return {"accuracy": scores["test_score"], "fit_seconds": float(scores["fit_time"].mean()),
            "trees": n_estimators * max_depth}
