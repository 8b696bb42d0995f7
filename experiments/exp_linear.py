"""A linear classifier with a large mixed space (losses, penalties, learning-rate schedules): evolution.

Eight dimensions of every kind and cheap trials are what the evolutionary strategy is for: it keeps the
best configurations of each generation and recombines them, one dimension's own scale at a time.
"""

from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from tunekit import Categorical, Real, tunable


@tunable(
    space={
        "loss": Categorical(["hinge", "log_loss", "modified_huber"]),
        "penalty": Categorical(["l2", "l1", "elasticnet"]),
        "alpha": Real(1e-6, 1e-1, log=True),
        "l1_ratio": Real(0.0, 1.0, hard_bounds=True),
        "learning_rate": Categorical(["optimal", "adaptive", "invscaling"]),
        "eta0": Real(1e-4, 10.0, log=True),
        "average": Categorical([False, True]),
        "class_weight": Categorical([None, "balanced"]),
    },
    strategy="evolution",
    trials=60,
    direction="maximize",
)
def tune_linear(loss, penalty, alpha, l1_ratio, learning_rate, eta0, average, class_weight,
                wine, stratified_cv, trial):
    X, y = wine
    model = make_pipeline(StandardScaler(), SGDClassifier(
        loss=loss, penalty=penalty, alpha=alpha, l1_ratio=l1_ratio, learning_rate=learning_rate,
        eta0=eta0, average=average, class_weight=class_weight, random_state=trial.seed))
    return cross_val_score(model, X, y, cv=stratified_cv)
