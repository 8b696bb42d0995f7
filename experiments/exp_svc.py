"""Support-vector classifier on the digits: log-scaled C and gamma, and the kernel, by Bayesian optimization."""

from sklearn.model_selection import cross_val_score
from sklearn.svm import SVC

from tunekit import Categorical, Real, tunable


@tunable(
    space={
        "C": Real(1e-2, 1e3, log=True),
        "gamma": Real(1e-5, 1e-1, log=True),
        "kernel": Categorical(["rbf", "poly"]),
    },
    strategy="bayes",
    trials=16,
    direction="maximize",
)
def tune_svc(C, gamma, kernel, digits, stratified_cv):
    X, y = digits
    # Fold scores: tunekit maximises their mean and keeps their spread.
    return cross_val_score(SVC(C=C, gamma=gamma, kernel=kernel), X, y, cv=stratified_cv)
