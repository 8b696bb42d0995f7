"""The experiment runner: settings, one experiment's search, resume and re-check, the run's outputs.

It knows nothing of pytest: the plugin (:mod:`tunekit.plugin`) and :func:`tunekit.tune` both drive it.
"""

from __future__ import annotations

from tunekit.run.experiment import (
    RECHECK_STRATEGY,
    ExecutorSource,
    Experiment,
    Progress,
    bind_objective,
    failure_of,
    judge,
    run_experiment,
)
from tunekit.run.options import DEFAULT_RESULTS_PATH, JOURNAL_DIR, RunOptions, parse_options
from tunekit.run.outputs import RunOutputs, finish_run, make_document, write_outputs
from tunekit.run.settings import Settings, resolve_settings
from tunekit.run.standalone import default_experiment_id, tune

__all__ = [
    "DEFAULT_RESULTS_PATH",
    "JOURNAL_DIR",
    "RECHECK_STRATEGY",
    "ExecutorSource",
    "Experiment",
    "Progress",
    "RunOptions",
    "RunOutputs",
    "Settings",
    "bind_objective",
    "default_experiment_id",
    "failure_of",
    "finish_run",
    "judge",
    "make_document",
    "parse_options",
    "resolve_settings",
    "run_experiment",
    "tune",
    "write_outputs",
]
