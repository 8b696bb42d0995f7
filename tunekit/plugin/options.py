"""tunekit's command-line options, declared for pytest and read once into a frozen :class:`RunOptions`."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from tunekit.run.options import DEFAULT_RESULTS_PATH, RunOptions, parse_options

__all__ = ["OPTIONS_KEY", "OPTION_NAMES", "add_options", "format_options", "read_options", "tunekit_command"]

#: Where the plugin keeps the run's options, for its items.
OPTIONS_KEY = pytest.StashKey[RunOptions]()

_FLAG = {"action": "store_true", "default": False}

#: tunekit's options in ``--help`` order: flag, metavar, help, and extra ``addoption`` arguments.
_OPTIONS: tuple[tuple[str, str | None, str, dict[str, Any]], ...] = (
    ("--strategy", "NAME", "search strategy for every selected experiment (overrides the decorator)", {}),
    ("--trials", "N", "trial budget for every selected experiment (overrides the decorator)", {}),
    ("--seed", "N", "search seed for every selected experiment (overrides the decorator)", {}),
    ("--json", "PATH", f"write results here (default: <rootdir>/{DEFAULT_RESULTS_PATH})", {}),
    ("--top", "K", "also show the K best trials of each experiment", {}),
    ("--workers", "N", "evaluate N trials at once in worker processes ('auto': usable cores)", {}),
    ("--trial-timeout", "SECONDS", "stop a trial that runs longer and record it as failed", {}),
    ("--dask", "ADDRESS", "run trials on the Dask cluster at ADDRESS ('local' starts a LocalCluster)", {}),
    ("--html", "PATH", "also write a self-contained HTML report", {}),
    ("--mlflow", None, ("also log the results to MLflow: a run per experiment, a child run per trial "
                       "(MLflow's default tracking URI, e.g. MLFLOW_TRACKING_URI)"), _FLAG),
    ("--mlflow-uri", "URI", "with --mlflow (implied): the MLflow tracking URI to log to", {}),
    ("--baseline", "PATH", "compare the run with this baseline; a regression fails its experiment", {}),
    ("--save-baseline", "PATH", "also write this run's results as a baseline", {}),
    ("--tolerance", "TOL", ("allowed worsening against the baseline, absolute (0.01) or relative (2%%), "
                           "for experiments that set none"), {}),
    ("--recheck", "BASELINE",
     "do not tune: re-evaluate each experiment's best parameters from BASELINE and compare with it", {}),
    ("--repeats", "N", "with --recheck: evaluations per experiment, each with its own seed (default 1)", {}),
    ("--pruner", "SPEC", ("pruner for every selected experiment: median, asha, hyperband, patience, "
                         "none, or NAME:option=value,..."), {}),
    ("--search-timeout", "SECONDS", "wall-time limit of each experiment's search", {}),
    ("--store", "URL", ("record the run in this store: sqlite:///PATH, postgresql://..., or 'none' (default: "
                       "$TUNEKIT_STORE, [tool.tunekit] store, else .tunekit/store.sqlite)"), {}),
    ("--warm-start", "SOURCE", ("'history': start each search from the best configurations the run store holds for "
                               "its experiment and space; 'none': not even where @tunable(start='history')"), {}),
    ("--resume", None, "continue each experiment from its journal (.tunekit/journal/) instead of starting afresh",
     _FLAG),
)
#: Each option's name as :func:`~tunekit.run.options.parse_options` takes it (``--trial-timeout``: trial_timeout).
OPTION_NAMES = tuple(flag[2:].replace("-", "_") for flag, *_ in _OPTIONS)


def add_options(parser: pytest.Parser) -> None:
    """Declare tunekit's options in their own group of ``--help``."""
    group = parser.getgroup("tunekit", "tunekit hyperparameter search")
    for (flag, metavar, help_text, extra), name in zip(_OPTIONS, OPTION_NAMES, strict=True):
        settings: dict[str, Any] = {"default": None, **extra}
        if metavar is not None:
            settings["metavar"] = metavar
        group.addoption(flag, dest=f"tunekit_{name}", help=help_text, **settings)


def format_options(width: int = 80) -> str:
    """tunekit's options as ``--help`` lists them, for the command's own help (before pytest's)."""
    lines = []
    for flag, metavar, help_text, _ in _OPTIONS:
        name = f"  {flag} {metavar}" if metavar else f"  {flag}"
        wrapped = textwrap.wrap(help_text.replace("%%", "%"), max(width - 26, 30))
        if len(name) > 23:
            lines.append(name)
            lines += [" " * 24 + line for line in wrapped]
        else:
            lines.append(f"{name:<24}{wrapped[0]}")
            lines += [" " * 24 + line for line in wrapped[1:]]
    return "\n".join(lines)


def tunekit_command(config: pytest.Config) -> bool:
    """Whether the ``tunekit`` command runs pytest (it names this plugin with ``-p``), not plain ``pytest``:
    what tunekit changes in pytest's own reports applies to tunekit's runs only."""
    return "tunekit.plugin" in (getattr(config.known_args_namespace, "plugins", None) or [])


def read_options(config: pytest.Config) -> RunOptions:
    """The run's options from pytest's parsed command line; raises :class:`tunekit.errors.UsageError`."""
    raw = {name: config.getoption(f"tunekit_{name}") for name in OPTION_NAMES}
    return parse_options(raw, root=config.rootpath)
