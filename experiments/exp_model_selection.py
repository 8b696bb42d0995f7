"""Model selection in one experiment: which of four classifiers, and each one's own parameters.

`Branches` makes the model a parameter whose choices have parameters of their own, active only on their
branch (the objective gets the active ones; the others keep their defaults). `degree` is active only for an
SVC with a polynomial kernel, and a constraint forbids a combination scikit-learn rejects (liblinear fits
an L1 or an L2 penalty, not an elastic net).
"""

import warnings

from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from tunekit import Branches, Categorical, Integer, Real, tunable


def liblinear_is_l1_or_l2(params):
    return not (params.get("solver") == "liblinear" and params.get("l1_ratio") not in (0.0, 1.0))


@tunable(
    space=Branches(
        "model",
        svc={"C": Real(1e-2, 1e3, log=True), "kernel": Categorical(["rbf", "poly"]),
             "degree": Integer(2, 4).when(kernel="poly")},
        logreg={"C": Real(1e-2, 1e3, log=True), "solver": Categorical(["saga", "liblinear"]),
                "l1_ratio": Categorical([0.0, 0.5, 1.0])},
        knn={"n_neighbors": Integer(1, 30, hard_bounds="low"), "weights": Categorical(["uniform", "distance"])},
        forest={"max_depth": Integer(2, 16), "max_features": Real(0.1, 1.0, hard_bounds="high")},
    ),
    constraints=[liblinear_is_l1_or_l2],
    strategy="bayes",  # it models the whole conditional space (inactive parameters imputed)
    trials=30,
    direction="maximize",
)
def tune_model_selection(model, breast_cancer, stratified_cv, trial, C=1.0, kernel="rbf", degree=3,
                         solver="saga", l1_ratio=0.0, n_neighbors=5, weights="uniform", max_depth=None,
                         max_features=1.0):
    X, y = breast_cancer
    if model == "svc":
        estimator = SVC(C=C, kernel=kernel, degree=degree)
    elif model == "logreg":
        estimator = LogisticRegression(C=C, solver=solver, l1_ratio=l1_ratio, max_iter=200, tol=1e-3)
    elif model == "knn":
        estimator = KNeighborsClassifier(n_neighbors=n_neighbors, weights=weights)
    else:
        estimator = RandomForestClassifier(n_estimators=30, max_depth=max_depth, max_features=max_features,
                                           random_state=trial.seed, n_jobs=1)
    with warnings.catch_warnings():  # saga stops at max_iter on some folds: a worse score says it already
        warnings.simplefilter("ignore", ConvergenceWarning)
        return cross_val_score(make_pipeline(StandardScaler(), estimator), X, y, cv=stratified_cv)
