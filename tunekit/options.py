"""tunekit's command-line options: declared for pytest, validated once into :class:`RunOptions`.

Every bad value is a ``pytest.UsageError`` with one line naming the option (exit code 4).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tunekit import results as results_io
from tunekit.api import check_strategy
from tunekit.compare import Tolerance
from tunekit.errors import TunekitError
from tunekit.pruners import as_pruner
from tunekit.results import ResultsDocument

__all__ = ["DEFAULT_RESULTS_PATH", "JOURNAL_DIR", "RunOptions", "add_options", "writable_target"]

DEFAULT_RESULTS_PATH = Path(".tunekit") / "results.json"
#: Where each experiment's journal lives, under the project root.
JOURNAL_DIR = Path(".tunekit") / "journal"


def add_options(parser: pytest.Parser) -> None:
    """Declare tunekit's options in their own group of ``--help``."""
    group = parser.getgroup("tunekit", "tunekit hyperparameter search")

    def add(flag: str, dest: str, metavar: str | None, help_text: str, **kwargs: Any) -> None:
        group.addoption(flag, dest=f"tunekit_{dest}", metavar=metavar, default=None, help=help_text, **kwargs)

    add("--strategy", "strategy", "NAME", "search strategy for every selected experiment (overrides the decorator)")
    add("--trials", "trials", "N", "trial budget for every selected experiment (overrides the decorator)")
    add("--seed", "seed", "N", "search seed for every selected experiment (overrides the decorator)")
    add("--json", "json", "PATH", f"write results here (default: <rootdir>/{DEFAULT_RESULTS_PATH})")
    add("--top", "top", "K", "also show the K best trials of each experiment")
    add("--workers", "workers", "N", "evaluate N trials at once in worker processes ('auto': usable cores)")
    add("--trial-timeout", "trial_timeout", "SECONDS", "stop a trial that runs longer and record it as failed")
    add("--dask", "dask", "ADDRESS", "run trials on the Dask cluster at ADDRESS ('local' starts a LocalCluster)")
    add("--html", "html", "PATH", "also write a self-contained HTML report")
    group.addoption("--mlflow", dest="tunekit_mlflow", action="store_true", default=False,
                    help="also log the results to MLflow: a run per experiment, a child run per trial "
                         "(MLflow's default tracking URI, e.g. MLFLOW_TRACKING_URI)")
    add("--mlflow-uri", "mlflow_uri", "URI", "with --mlflow (implied): the MLflow tracking URI to log to")
    add("--baseline", "baseline", "PATH", "compare the run with this baseline; a regression fails its experiment")
    add("--save-baseline", "save_baseline", "PATH", "also write this run's results as a baseline")
    add("--tolerance", "tolerance", "TOL",
        "allowed worsening against the baseline, absolute (0.01) or relative (2%%), for experiments that set none")
    add("--recheck", "recheck", "BASELINE",
        "do not tune: re-evaluate each experiment's best parameters from BASELINE and compare with it")
    add("--repeats", "repeats", "N", "with --recheck: evaluations per experiment, each with its own seed (default 1)")
    add("--pruner", "pruner", "SPEC", "pruner for every selected experiment: median, asha, hyperband, patience, "
                                      "none, or NAME:option=value,...")
    add("--search-timeout", "search_timeout", "SECONDS", "wall-time limit of each experiment's search")
    group.addoption("--resume", dest="tunekit_resume", action="store_true", default=False,
                    help="continue each experiment from its journal (.tunekit/journal/) instead of starting afresh")


def writable_target(path: Path) -> str | None:
    """Why ``path`` cannot be written as a file, or ``None`` when it can (checked before any work)."""
    if path.is_dir():
        return "is a directory"
    parent = path.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        return f"{parent} is not a directory"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"{parent} is not writable"
    return None


class RunOptions:
    """The validated command-line settings of one run."""

    def __init__(self, config: pytest.Config) -> None:
        self._config = config
        self.strategy: str | None = config.getoption("tunekit_strategy")
        try:
            check_strategy(self.strategy)
        except TunekitError as exc:
            raise pytest.UsageError(f"--{exc}") from None
        self.trials = self._int("trials", 1)
        self.seed = self._int("seed", 0)
        self.top = self._int("top", 1)
        self.workers: int | str | None = "auto" if config.getoption("tunekit_workers") == "auto" else self._int(
            "workers", 1)
        self.trial_timeout = self._seconds("trial_timeout")
        self.dask: str | None = config.getoption("tunekit_dask")
        self.results_path = self._output("json", config.rootpath / DEFAULT_RESULTS_PATH)
        self.html_path = self._output("html", None)
        uri = config.getoption("tunekit_mlflow_uri")
        # None: no MLflow logging; "": MLflow's default tracking URI; else that URI.
        self.mlflow: str | None = uri if uri else ("" if config.getoption("tunekit_mlflow") else None)
        if self.mlflow is not None:
            from tunekit.tracking import require_mlflow

            try:
                require_mlflow()  # before the searches, not after them
            except TunekitError as exc:
                raise pytest.UsageError(f"--mlflow: {exc}") from None
        self.save_baseline_path = self._output("save_baseline", None)
        raw_tolerance = config.getoption("tunekit_tolerance")
        try:
            self.tolerance = None if raw_tolerance is None else Tolerance.parse(raw_tolerance)
        except TunekitError as exc:
            raise pytest.UsageError(f"--{exc}") from None
        self.recheck = self._document("recheck")
        self.baseline = self.recheck or self._document("baseline")
        self.baseline_label: str = config.getoption("tunekit_recheck") or config.getoption("tunekit_baseline") or ""
        self.repeats = self._int("repeats", 1) or 1
        self.resume: bool = bool(config.getoption("tunekit_resume"))
        self.search_timeout = self._seconds("search_timeout")
        raw_pruner = config.getoption("tunekit_pruner")
        try:
            self.pruner = None if raw_pruner is None else as_pruner(raw_pruner)
        except TunekitError as exc:
            raise pytest.UsageError(f"--pruner: {exc}") from None
        if config.getoption("tunekit_repeats") is not None and self.recheck is None:
            raise pytest.UsageError("--repeats: only meaningful with --recheck BASELINE")

    def _flag(self, dest: str) -> str:
        return "--" + dest.replace("_", "-")

    def _int(self, dest: str, minimum: int) -> int | None:
        raw = self._config.getoption(f"tunekit_{dest}")
        if raw is None:
            return None
        try:
            value: int | None = int(raw)
        except (TypeError, ValueError):
            value = None
        if value is None or value < minimum:
            raise pytest.UsageError(f"{self._flag(dest)}: expected an integer >= {minimum}, got {raw!r}")
        return value

    def _seconds(self, dest: str) -> float | None:
        raw = self._config.getoption(f"tunekit_{dest}")
        if raw is None:
            return None
        try:
            value = float(raw)
        except (TypeError, ValueError):
            value = float("nan")
        if not 0 < value < float("inf"):
            raise pytest.UsageError(f"{self._flag(dest)}: expected a positive number of seconds, got {raw!r}")
        return value

    def _output(self, dest: str, default: Path | None) -> Path | None:
        raw = self._config.getoption(f"tunekit_{dest}")
        path = Path(raw) if raw else default
        problem = None if path is None else writable_target(path)
        if problem is not None:
            raise pytest.UsageError(f"{self._flag(dest)} {path}: cannot write: {problem}")
        return path

    def _document(self, dest: str) -> ResultsDocument | None:
        raw = self._config.getoption(f"tunekit_{dest}")
        if raw is None:
            return None
        try:
            return results_io.load(raw)
        except TunekitError as exc:
            raise pytest.UsageError(f"{self._flag(dest)}: {exc}") from None
