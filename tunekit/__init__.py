"""tunekit: hyperparameter tuning that feels like pytest.

Decorate a function with :func:`tunable`, describe its search space with :class:`Real`,
:class:`Integer` and :class:`Categorical`, and run ``tunekit experiments/`` (or :func:`tune` from Python).

PYTEST_DONT_REWRITE: the package's asserts are internal checks; the ``tunekit`` command imports it before
pytest starts, so pytest must not try (and warn that it cannot) to rewrite them as a plugin's.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from tunekit.api import TunableSpec, tunable
from tunekit.errors import (
    ExperimentFailed,
    ExperimentInterrupted,
    ResultsError,
    SpaceError,
    SpecError,
    TunekitError,
)
from tunekit.pruners import Pruner, register_pruner
from tunekit.results import ExperimentResult, ResultsDocument, load
from tunekit.run import tune
from tunekit.space import Branches, Categorical, Dimension, Integer, Real, Space
from tunekit.strategies import Observation, Strategy, register_strategy
from tunekit.trial import Trial, TrialPruned, TrialResult, TrialState

try:
    __version__ = version("tunekit")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

__all__ = [
    "Branches",
    "Categorical",
    "Dimension",
    "ExperimentFailed",
    "ExperimentInterrupted",
    "ExperimentResult",
    "Integer",
    "Observation",
    "Pruner",
    "Real",
    "ResultsDocument",
    "ResultsError",
    "Space",
    "SpaceError",
    "SpecError",
    "Strategy",
    "Trial",
    "TrialPruned",
    "TrialResult",
    "TrialState",
    "TunableSpec",
    "TunekitError",
    "__version__",
    "load",
    "register_pruner",
    "register_strategy",
    "tunable",
    "tune",
]
