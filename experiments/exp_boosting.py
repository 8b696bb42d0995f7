"""Gradient boosting on the diabetes data, minimising mean absolute error with seeded subsampling."""

from sklearn.ensemble import GradientBoostingRegressor
from sklearn.model_selection import cross_val_score

from tunekit import Integer, Real, tunable


@tunable(
    space={
        "learning_rate": Real(1e-2, 0.5, log=True),
        "max_depth": Integer(1, 5, hard_bounds="low"),
        "subsample": Real(0.5, 1.0, hard_bounds="high"),
        "n_estimators": Integer(20, 200, log=True),
    },
    strategy="bayes",
    trials=12,
    direction="minimize",
)
def tune_boosting(learning_rate, max_depth, subsample, n_estimators, diabetes, kfold_cv, trial):
    X, y = diabetes
    model = GradientBoostingRegressor(learning_rate=learning_rate, max_depth=max_depth, subsample=subsample,
                                      n_estimators=n_estimators, random_state=trial.seed)
    return -cross_val_score(model, X, y, cv=kfold_cv, scoring="neg_mean_absolute_error")
