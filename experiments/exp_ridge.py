"""Ridge regression on the diabetes data: grid over a log-spaced penalty, minimising squared error."""

from sklearn.linear_model import Ridge
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from tunekit import Categorical, Real, tunable


@tunable(
    space={
        "alpha": Real(1e-3, 1e3, log=True, grid=7),
        "degree": Categorical([1, 2]),
    },
    strategy="grid",
    direction="minimize",
)
def tune_ridge(alpha, degree, diabetes, kfold_cv):
    X, y = diabetes
    model = make_pipeline(PolynomialFeatures(degree, include_bias=False), StandardScaler(), Ridge(alpha=alpha))
    # scikit-learn scorers are "greater is better", so negate back to a mean squared error.
    return -cross_val_score(model, X, y, cv=kfold_cv, scoring="neg_mean_squared_error")
