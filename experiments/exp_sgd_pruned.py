"""A linear classifier trained epoch by epoch, with unpromising configurations stopped early by ASHA.

Each trial reports its validation accuracy after every epoch (``step`` = epochs trained so far, the
resource the pruner hands out); ASHA stops a trial at epochs 1, 3 and 9 unless it is in the best third of
the trials that got that far, so most configurations cost one or three epochs instead of twenty.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from tunekit import Categorical, Real, TrialPruned, tunable

EPOCHS = 20


@tunable(
    space={
        "alpha": Real(1e-7, 1e-1, log=True),
        "eta0": Real(1e-5, 1.0, log=True),
        "learning_rate": Categorical(["constant", "invscaling", "adaptive"]),
        "loss": Categorical(["hinge", "log_loss", "modified_huber"]),
    },
    strategy="random",
    trials=24,
    direction="maximize",
    pruner=f"asha:min_resource=1,reduction_factor=3,max_resource={EPOCHS}",
    # One validation split gives no fold scores to measure noise with, and SGD's accuracy moves by up to
    # 0.8 points (std) from seed to seed: allow 2 points before a re-check calls it a regression.
    tolerance=0.02,
)
def tune_sgd_pruned(alpha, eta0, learning_rate, loss, digits, trial):
    X, y = digits
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    scaler = StandardScaler().fit(X_train)
    X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)
    model = SGDClassifier(alpha=alpha, eta0=eta0, learning_rate=learning_rate, loss=loss,
                          random_state=trial.seed)
    classes = np.unique(y)
    for epoch in range(1, EPOCHS + 1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.partial_fit(X_train, y_train, classes=classes)
        score = model.score(X_val, y_val)
        trial.report(score, step=epoch)  # step = epochs trained: the resource ASHA allocates
        if trial.should_prune():
            raise TrialPruned()
    return score
