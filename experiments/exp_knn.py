"""k-nearest neighbours on the wine data: a small, fully discrete space that grid search covers."""

from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from tunekit import Categorical, Integer, tunable


@tunable(
    space={
        "n_neighbors": Integer(1, 25, grid=[1, 3, 5, 9, 15, 25], hard_bounds="low"),
        "weights": Categorical(["uniform", "distance"]),
        "p": Categorical([1, 2]),
    },
    direction="maximize",
)
def tune_knn(n_neighbors, weights, p, wine, stratified_cv):
    X, y = wine
    model = make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=n_neighbors, weights=weights, p=p))
    return cross_val_score(model, X, y, cv=stratified_cv)
