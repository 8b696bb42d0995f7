"""Random forest on breast cancer data, reporting train scores too (tunekit uses them for diagnostics)."""

from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import cross_validate

from tunekit import Categorical, Integer, tunable


@tunable(
    space={
        "n_estimators": Integer(10, 150, log=True),
        "max_depth": Integer(2, 12),
        "max_features": Categorical(["sqrt", "log2"]),
    },
    strategy="random",
    trials=12,
    direction="maximize",
)
def tune_forest(n_estimators, max_depth, max_features, breast_cancer, stratified_cv, trial):
    X, y = breast_cancer
    model = RandomForestClassifier(n_estimators=n_estimators, max_depth=max_depth,
                                   max_features=max_features, random_state=trial.seed)
    scores = cross_validate(model, X, y, cv=stratified_cv, scoring="roc_auc", return_train_score=True)
    # A dict: "score" is the objective; other keys are recorded as metrics.
    return {"score": scores["test_score"], "train_score": scores["train_score"].mean(),
            "fit_time": scores["fit_time"].sum()}
