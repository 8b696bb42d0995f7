"""A run's options (what the command line, or :func:`tunekit.tune`, asks of every experiment), validated once.

:func:`parse_options` is a pure function from the raw values to a frozen :class:`RunOptions`; every bad
value is a :class:`~tunekit.errors.UsageError` naming the option (exit code 4).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tunekit import validation
from tunekit.compare import Tolerance
from tunekit.errors import TunekitError, UsageError
from tunekit.pruners import Pruner, as_pruner
from tunekit.results import ResultsDocument
from tunekit.results import load as load_results

__all__ = ["DEFAULT_RESULTS_PATH", "JOURNAL_DIR", "RunOptions", "parse_options", "writable_target"]

DEFAULT_RESULTS_PATH = Path(".tunekit") / "results.json"
#: Where each experiment's journal lives, under the project root.
JOURNAL_DIR = Path(".tunekit") / "journal"


@dataclass(frozen=True)
class RunOptions:
    """The validated options of one run. ``None`` means "not given": the experiment's own setting applies."""

    strategy: str | None = None
    trials: int | None = None
    seed: int | None = None
    top: int | None = None
    workers: int | str | None = None
    trial_timeout: float | None = None
    dask: str | None = None
    results_path: Path | None = None
    #: Whether ``results_path`` is the project's latest-results file (no ``--json``): a partial run updates its
    #: experiments there and keeps the others' latest records, where ``--json PATH`` holds exactly the run.
    latest_results: bool = False
    html_path: Path | None = None
    #: ``None``: no MLflow logging; ``""``: MLflow's default tracking URI; else that URI.
    mlflow: str | None = None
    save_baseline_path: Path | None = None
    tolerance: Tolerance | None = None
    #: The baseline whose best parameters ``--recheck`` re-evaluates (also :attr:`baseline`).
    recheck: ResultsDocument | None = None
    baseline: ResultsDocument | None = None
    baseline_label: str = ""
    repeats: int = 1
    resume: bool = False
    search_timeout: float | None = None
    pruner: Pruner | None = None
    #: The run store's URL as given (``"none"``: do not record); ``None``: ``TUNEKIT_STORE``, then the
    #: project's ``[tool.tunekit] store``, then the default SQLite file.
    store: str | None = None
    #: ``"history"``: each search starts from the best configurations the run store holds for it; ``"none"``:
    #: not even an experiment that declares ``start="history"``; ``None``: as each experiment declares.
    warm_start: str | None = None


def writable_target(path: Path) -> str | None:
    """Why ``path`` cannot be written as a file, or ``None`` when it can (checked before any work).

    Permission bits are not enough (root passes them everywhere, ``/proc`` claims to be writable): a
    temporary file is created and removed in the nearest existing folder, as the atomic write will do.
    """
    if path.is_dir():
        return "is a directory"
    parent = path.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        return f"{parent} is not a directory"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"{parent} is not writable"
    try:
        with tempfile.TemporaryFile(dir=parent, prefix=".tunekit-probe-"):
            pass
    except OSError as exc:
        return f"{parent} refuses new files ({exc.strerror or exc})"
    return None


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


class _Reader:
    """Reads raw option values by name, raising :class:`UsageError` that names the option."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw

    def get(self, name: str) -> Any:
        return self.raw.get(name)

    def parsed(self, name: str, parse: Callable[[Any], Any], prefix: str = "") -> Any:
        """``parse(raw)`` unless the option is not given; its error message follows ``prefix``."""
        raw = self.get(name)
        if raw is None:
            return None
        try:
            return parse(raw)
        except TunekitError as exc:
            raise UsageError(f"{prefix}{exc}") from None

    def count(self, name: str, minimum: int) -> int | None:
        return self.parsed(name, lambda raw: validation.count(_flag(name), raw, minimum=minimum, text=True))

    def seconds(self, name: str) -> float | None:
        return self.parsed(name, lambda raw: validation.seconds(_flag(name), raw, text=True))

    def output(self, name: str, default: Path | None) -> Path | None:
        raw = self.get(name)
        if raw is not None and not str(raw).strip():
            raise UsageError(f"{_flag(name)}: expected a file path, got {raw!r}")
        path = Path(raw) if raw else default
        problem = None if path is None else writable_target(path)
        if problem is not None:
            raise UsageError(f"{_flag(name)} {path}: cannot write: {problem}")
        return path

    def document(self, name: str) -> ResultsDocument | None:
        return self.parsed(name, load_results, f"{_flag(name)}: ")

def parse_options(raw: Mapping[str, Any], *, root: Path) -> RunOptions:
    """Validate the raw option values (strings as typed, flags as booleans; missing or ``None``: not given).

    Names are the options' without dashes (``trial_timeout`` for ``--trial-timeout``). ``root`` anchors
    the default results path. Raises :class:`UsageError` for the first bad value, in ``--help`` order.
    """
    r = _Reader(raw)
    strategy = r.parsed("strategy", lambda v: validation.strategy_name("--strategy", v))
    trials = r.count("trials", 1)
    seed = r.parsed("seed", lambda raw: validation.seed("--seed", raw, text=True))
    top = r.count("top", 1)
    workers = "auto" if r.get("workers") == "auto" else r.count("workers", 1)
    trial_timeout = r.seconds("trial_timeout")
    dask = r.get("dask")
    results_path = r.output("json", root / DEFAULT_RESULTS_PATH)
    html_path = r.output("html", None)
    uri = r.get("mlflow_uri")
    mlflow = uri if uri else ("" if r.get("mlflow") else None)
    if mlflow is not None:
        from tunekit.tracking import require_mlflow

        try:
            require_mlflow()  # before the searches, not after them
        except TunekitError as exc:
            raise UsageError(f"--mlflow: {exc}") from None
    save_baseline_path = r.output("save_baseline", None)
    tolerance = r.parsed("tolerance", Tolerance.parse, "--")  # its message names "tolerance"
    recheck = r.document("recheck")
    baseline = recheck or r.document("baseline")
    repeats = r.count("repeats", 1)
    resume = bool(r.get("resume"))
    search_timeout = r.seconds("search_timeout")
    pruner = r.parsed("pruner", as_pruner, "--pruner: ")
    if repeats is not None and recheck is None:
        raise UsageError("--repeats: only meaningful with --recheck BASELINE")
    return RunOptions(
        strategy=strategy, trials=trials, seed=seed, top=top, workers=workers, trial_timeout=trial_timeout,
        dask=dask, results_path=results_path, latest_results=not r.get("json"), html_path=html_path, mlflow=mlflow,
        save_baseline_path=save_baseline_path, tolerance=tolerance, recheck=recheck, baseline=baseline,
        baseline_label=r.get("recheck") or r.get("baseline") or "", repeats=repeats or 1, resume=resume,
        search_timeout=search_timeout, pruner=pruner,
        store=r.parsed("store", lambda v: validation.store_url("--store", v)),
        warm_start=r.parsed("warm_start", lambda v: validation.warm_start("--warm-start", v)))
