"""Fixtures shared by the shipped experiments: datasets bundled with scikit-learn and CV splitters.

Session scope loads each dataset once per run, however many experiments use it.
"""

import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
from sklearn.model_selection import KFold, StratifiedKFold


@pytest.fixture(scope="session")
def digits():
    """8x8 handwritten digits: 1,797 images, 10 classes."""
    return load_digits(return_X_y=True)


@pytest.fixture(scope="session")
def breast_cancer():
    """Wisconsin breast cancer: 569 samples, 30 features, binary."""
    return load_breast_cancer(return_X_y=True)


@pytest.fixture(scope="session")
def wine():
    """Wine recognition: 178 samples, 13 features, 3 classes."""
    return load_wine(return_X_y=True)


@pytest.fixture(scope="session")
def diabetes():
    """Diabetes progression: 442 samples, 10 features, regression target."""
    return load_diabetes(return_X_y=True)


@pytest.fixture(scope="session")
def stratified_cv():
    """Five shuffled stratified folds with a fixed seed, so scores compare across runs and machines."""
    return StratifiedKFold(n_splits=5, shuffle=True, random_state=0)


@pytest.fixture(scope="session")
def kfold_cv():
    """Five shuffled folds for regression, seeded like ``stratified_cv``."""
    return KFold(n_splits=5, shuffle=True, random_state=0)
