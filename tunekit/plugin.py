"""The pytest plugin: collects ``@tunable`` functions as items, runs their searches, reports and saves.

Registered through the ``pytest11`` entry point as ``tunekit.plugin``, so ``pytest experiments/`` works as
well as the ``tunekit`` command. Results travel from items to the controller as JSON strings in
``user_properties`` (which also works under pytest-xdist); the controller prints the leaderboard and writes
the results file.
"""

from __future__ import annotations

import fnmatch
import functools
import inspect
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tunekit import results as results_io
from tunekit.api import DEFAULT_TRIALS, TRIAL_ARGUMENT, TunableSpec, check_strategy, get_spec
from tunekit.config import load_tool_config
from tunekit.errors import ResultsError, TunekitError
from tunekit.executors import Objective, make_executor
from tunekit.provenance import commit_info, machine_info, package_version
from tunekit.report import format_leaderboard, format_top_trials
from tunekit.report.diagnostics import diagnose
from tunekit.report.leaderboard import format_score
from tunekit.results import ExperimentResult, ExperimentStatus, ResultsDocument
from tunekit.search import SearchInterrupted, SearchOutcome, run_search
from tunekit.strategies import default_strategy, get_strategy
from tunekit.trial import Trial, TrialResult, TrialState

__all__ = ["TunableItem", "ExperimentFailed"]

#: Key of the ``user_properties`` entry that carries an experiment's JSON record.
RESULT_PROPERTY = "tunekit.result"
DEFAULT_RESULTS_PATH = Path(".tunekit") / "results.json"
_STATE_KEY = pytest.StashKey["TunekitState"]()


class ExperimentFailed(TunekitError):
    """An experiment failed as a whole (every trial failed); reported as one line, not a traceback."""

    def __init__(self, message: str, traceback_text: str | None = None) -> None:
        super().__init__(message)
        self.traceback_text = traceback_text


class InvalidExperiment(TunekitError):
    """An experiment's declaration is invalid; reported as a one-line collection error."""


# --- options -------------------------------------------------------------------------------------------

def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tunekit", "tunekit hyperparameter search")
    group.addoption("--strategy", dest="tunekit_strategy", metavar="NAME", default=None,
                    help="search strategy for every selected experiment (overrides the decorator)")
    group.addoption("--trials", dest="tunekit_trials", metavar="N", default=None,
                    help="trial budget for every selected experiment (overrides the decorator)")
    group.addoption("--seed", dest="tunekit_seed", metavar="N", default=None,
                    help="search seed for every selected experiment (overrides the decorator)")
    group.addoption("--json", dest="tunekit_json", metavar="PATH", default=None,
                    help=f"write results here (default: <rootdir>/{DEFAULT_RESULTS_PATH})")
    group.addoption("--top", dest="tunekit_top", metavar="K", default=None,
                    help="also show the K best trials of each experiment")
    group.addoption("--workers", dest="tunekit_workers", metavar="N", default=None,
                    help="evaluate N trials at once in worker processes ('auto': usable cores)")
    group.addoption("--trial-timeout", dest="tunekit_trial_timeout", metavar="SECONDS", default=None,
                    help="stop a trial that runs longer and record it as failed")
    group.addoption("--dask", dest="tunekit_dask", metavar="ADDRESS", default=None,
                    help="run trials on the Dask cluster at ADDRESS ('local' starts a LocalCluster)")
    group.addoption("--html", dest="tunekit_html", metavar="PATH", default=None,
                    help="also write a self-contained HTML report")


def _int_option(config: pytest.Config, dest: str, flag: str, minimum: int) -> int | None:
    raw = config.getoption(dest)
    if raw is None:
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = None
    if value is None or value < minimum:
        raise pytest.UsageError(f"{flag}: expected an integer >= {minimum}, got {raw!r}")
    return value


def _float_option(config: pytest.Config, dest: str, flag: str) -> float | None:
    raw = config.getoption(dest)
    if raw is None:
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = float("nan")
    if not 0 < value < float("inf"):
        raise pytest.UsageError(f"{flag}: expected a positive number of seconds, got {raw!r}")
    return value


def _writable_target(path: Path) -> str | None:
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


class Overrides:
    """The command line's overrides of every experiment's settings, validated once."""

    def __init__(self, config: pytest.Config) -> None:
        self.strategy: str | None = config.getoption("tunekit_strategy")
        try:
            check_strategy(self.strategy)
        except TunekitError as exc:
            raise pytest.UsageError(f"--{exc}") from None
        self.trials = _int_option(config, "tunekit_trials", "--trials", 1)
        self.seed = _int_option(config, "tunekit_seed", "--seed", 0)
        self.top = _int_option(config, "tunekit_top", "--top", 1)
        raw_workers = config.getoption("tunekit_workers")
        self.workers: int | str | None = (
            "auto" if raw_workers == "auto" else _int_option(config, "tunekit_workers", "--workers", 1))
        self.trial_timeout = _float_option(config, "tunekit_trial_timeout", "--trial-timeout")
        self.dask: str | None = config.getoption("tunekit_dask")


# --- session state and reporting ---------------------------------------------------------------------

class TunekitState:
    """Collects experiment records on the controller, prints the leaderboard, writes the results file."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.overrides = Overrides(config)
        try:
            self.tool = load_tool_config(config.rootpath)
        except TunekitError as exc:
            raise pytest.UsageError(str(exc)) from None
        json_option = config.getoption("tunekit_json")
        self.results_path = (Path(json_option) if json_option else config.rootpath / DEFAULT_RESULTS_PATH)
        problem = _writable_target(self.results_path)
        if problem is not None:
            raise pytest.UsageError(f"--json {self.results_path}: cannot write results: {problem}")
        html_option = config.getoption("tunekit_html")
        self.html_path = Path(html_option) if html_option else None
        problem = _writable_target(self.html_path) if self.html_path else None
        if problem is not None:
            raise pytest.UsageError(f"--html {self.html_path}: cannot write the report: {problem}")
        self.records: dict[str, ExperimentResult] = {}
        self.order: dict[str, int] = {}
        self.written: Path | None = None
        self.html_written: Path | None = None
        self.write_error: str | None = None
        self.is_worker = hasattr(config, "workerinput")

    def add(self, record: ExperimentResult) -> None:
        self.records[record.id] = record

    # hooks ------------------------------------------------------------------------------------------
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.order = {item.nodeid: i for i, item in enumerate(session.items)}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for name, value in report.user_properties:
            if name == RESULT_PROPERTY:
                self.add(results_io.experiment_from_dict(json.loads(value)))

    def sorted_records(self) -> list[ExperimentResult]:
        return sorted(self.records.values(), key=lambda r: (self.order.get(r.id, len(self.order)), r.id))

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.is_worker or not self.records:
            return
        doc = ResultsDocument(experiments=self.sorted_records(), tunekit_version=package_version("tunekit") or "",
                              machine_info=machine_info(), commit_info=commit_info(self.config.rootpath))
        try:
            results_io.dump(doc, self.results_path)
        except ResultsError as exc:
            self.write_error = str(exc)
            session.exitstatus = pytest.ExitCode.USAGE_ERROR
        else:
            self.written = self.results_path
        if self.html_path is not None:
            from tunekit.report.html import write_report

            try:
                write_report(doc, self.html_path)
            except TunekitError as exc:
                self.write_error = str(exc)
                session.exitstatus = pytest.ExitCode.USAGE_ERROR
            else:
                self.html_written = self.html_path

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.is_worker or not self.records:
            return
        tr = terminalreporter
        width = getattr(getattr(tr, "_tw", None), "fullwidth", 80)
        records = self.sorted_records()
        tr.write_sep("=", "tunekit leaderboard")
        for line in format_leaderboard(records, width=width).splitlines():
            tr.write_line(line)
        for record in records:
            for note in record.notes:
                tr.write_line(f"note: {record.id}: {note}")
            if record.status == ExperimentStatus.FAILED and record.error:
                tr.write_line(f"FAILED {record.id}: {record.error}", red=True)
            elif record.status == ExperimentStatus.INTERRUPTED:
                tr.write_line(f"INTERRUPTED {record.id}: {len(record.trials)} finished trials kept", yellow=True)
            for hint in diagnose(record):
                tr.write_line(f"hint: {record.id}: {hint}")
        if self.overrides.top:
            for record in records:
                tr.write_sep("-", f"top {self.overrides.top}: {record.id}")
                for line in format_top_trials(record, self.overrides.top, width=width).splitlines():
                    tr.write_line(line)
        if self.written is not None:
            tr.write_line(f"results: {_display_path(self.written)}")
        if self.html_written is not None:
            tr.write_line(f"report: {_display_path(self.html_written)}")
        if self.write_error:
            tr.write_line(f"ERROR: {self.write_error}", red=True)


def _display_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


# --- configuration and collection ----------------------------------------------------------------------

def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "tunable: a @tunable experiment (added by tunekit to every experiment)")
    state = TunekitState(config)
    config.stash[_STATE_KEY] = state
    config.pluginmanager.register(state, "tunekit-state")


def _state(config: pytest.Config) -> TunekitState:
    return config.stash[_STATE_KEY]


def _matches(path: Path, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(str(path) if "/" in p else path.name, p if "/" not in p else f"*{p}")
               for p in patterns)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    """Collect experiment files (``exp_*.py``, ``*_exp.py`` or ``[tool.tunekit] files``) as modules."""
    if file_path.suffix != ".py" or parent.session.isinitpath(file_path):
        return None  # pytest's own collector takes the paths given on the command line
    if _matches(file_path, tuple(parent.config.getini("python_files"))):
        return None  # ... and files it already collects
    if not _matches(file_path, _state(parent.config).tool.files):
        return None
    ihook = parent.session.gethookproxy(file_path)
    return ihook.pytest_pycollect_makemodule(module_path=file_path, parent=parent)


def _fixture_proxy(fn: Callable[..., Any], spec: TunableSpec) -> Callable[..., Any]:
    """A stand-in whose signature lists only the fixtures, so pytest does not look up space parameters."""

    @functools.wraps(fn)
    def proxy(**kwargs: Any) -> Any:
        return fn(**kwargs)

    proxy.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY) for name in spec.fixture_names])
    return proxy


class InvalidExperimentNode(pytest.Collector):
    """Stands where an invalid experiment would be; collecting it raises its one-line error."""

    def __init__(self, *, message: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.message = message

    def collect(self) -> list[Any]:
        raise InvalidExperiment(self.message)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> str:  # type: ignore[override]
        if isinstance(excinfo.value, InvalidExperiment):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> Any:
    """Turn each ``@tunable`` function into one item, whatever its name."""
    spec = get_spec(obj)
    if spec is None:
        return None
    module = getattr(collector, "module", None)
    if module is not None and getattr(obj, "__module__", None) != module.__name__:
        return []  # imported from another module: collected there, not twice
    where = f"{collector.nodeid}::{name}"
    if spec.error is not None:
        return InvalidExperimentNode.from_parent(collector, name=name, message=f"{where}: {spec.error}")
    item = TunableItem.from_parent(collector, name=name, callobj=_fixture_proxy(obj, spec), spec=spec,
                                   experiment=obj)
    missing = [n for n in spec.fixture_names if n not in item._fixtureinfo.name2fixturedefs]
    if missing:
        return InvalidExperimentNode.from_parent(
            collector, name=name,
            message=(f"{where}: parameter {missing[0]!r} is neither in the space nor a fixture "
                     f"(define a fixture {missing[0]!r} in a conftest.py, or add it to the space)"))
    return item


# --- the experiment item ------------------------------------------------------------------------------

class _LiveLine:
    """Progress of the running experiment on its own line of the verbose terminal output."""

    def __init__(self, item: pytest.Item, budget: int) -> None:
        self.budget = budget
        self.reporter = item.config.pluginmanager.get_plugin("terminalreporter")
        self.capture = item.config.pluginmanager.get_plugin("capturemanager")
        verbose = self.reporter is not None and getattr(self.reporter, "showlongtestinfo", False)
        self.enabled = verbose and not hasattr(item.config, "workerinput")
        self.live = self.enabled and getattr(self.reporter, "isatty", False)
        self.prefix = getattr(self.reporter, "currentfspath", None) if self.enabled else None
        self.last = 0.0

    def _write(self, text: str) -> None:
        width = getattr(self.reporter._tw, "fullwidth", 80)
        prefix = self.prefix if isinstance(self.prefix, str) else ""
        room = width - len(prefix) - 16  # leave room for " PASSED [100%]"
        if room < 12:
            return
        text = text[:room]
        if self.capture is not None:
            with self.capture.global_and_fixture_disabled():
                self.reporter.write(text, flush=True)
        else:
            self.reporter.write(text, flush=True)

    def update(self, result: TrialResult, best: TrialResult | None, done: int) -> None:
        if not self.live or not isinstance(self.prefix, str):
            return
        now = time.monotonic()
        if now - self.last < 0.1 and done < self.budget:
            return
        self.last = now
        best_text = f" best {format_score(best.score, best.score_std)} (#{best.number})" if best else ""
        self._write(f"\r{self.prefix}trial {done}/{self.budget}{best_text}\x1b[K")

    def finish(self, record: ExperimentResult) -> None:
        if not self.enabled:
            return
        best = record.best
        text = (f"{record.count(TrialState.COMPLETE)}/{record.budget['trials']} "
                f"best {format_score(best.score, best.score_std) if best else '-'} "
                f"{record.duration_s:.1f}s ")
        if self.live and isinstance(self.prefix, str):
            self._write(f"\r{self.prefix}{text}\x1b[K")
        else:
            self._write(text)


class TunableItem(pytest.Function):
    """One experiment: setting up its fixtures, then running its whole search as the test body."""

    def __init__(self, *, spec: TunableSpec, experiment: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec
        self.experiment = experiment
        self.add_marker("tunable")

    def reportinfo(self) -> tuple[Any, int | None, str]:
        path, lineno, _ = super().reportinfo()
        return path, lineno, f"{self.name} (experiment)"

    def _bind_objective(self) -> Objective:
        fixtures = {name: self.funcargs[name] for name in self.spec.fixture_names}
        fn, takes_trial = self.experiment, self.spec.takes_trial

        def objective(trial: Trial) -> Any:
            kwargs = {**fixtures, **trial.params}
            if takes_trial:
                kwargs[TRIAL_ARGUMENT] = trial
            return fn(**kwargs)

        return objective

    def runtest(self) -> None:
        state = _state(self.config)
        overrides = state.overrides
        spec = self.spec.with_overrides(strategy=overrides.strategy, trials=overrides.trials,
                                        seed=overrides.seed, workers=overrides.workers,
                                        trial_timeout=overrides.trial_timeout)
        space = spec.space
        assert space is not None  # invalid specs never become items
        name = spec.strategy or default_strategy(space, spec.trials)
        seed = spec.seed if spec.seed is not None else 0
        notes: list[str] = []
        if name == "grid" and spec.trials is None:
            budget = space.grid_size
        else:
            budget = spec.trials or DEFAULT_TRIALS
        try:
            strategy = get_strategy(name)(space, seed=seed, budget=budget)
        except TunekitError as exc:
            raise ExperimentFailed(f"{self.nodeid}: {exc}") from None
        if name == "grid":
            size = space.grid_size
            if budget < size:
                notes.append(f"grid has {size} points but the budget is {budget} trials: "
                             f"evaluated a seeded subset (--trials {size} for the whole grid)")
            elif budget > size:
                notes.append(f"grid has only {size} points: {size} trials instead of {budget}")
                budget = size
        live = _LiveLine(self, budget)

        def on_trial(result: TrialResult, done: list[TrialResult]) -> None:
            live.update(result, results_io.best_trial(done, spec.direction), len(done))

        def record_of(outcome: SearchOutcome, status: str) -> ExperimentResult:
            return ExperimentResult(
                id=self.nodeid, strategy=name, direction=spec.direction, seed=seed, budget={"trials": budget},
                space=space.to_dict(), trials=outcome.trials, status=status, duration_s=outcome.duration_s,
                stop_reason=outcome.stop_reason, notes=notes)

        try:
            executor = make_executor(workers=spec.workers, trial_timeout=spec.trial_timeout, dask=overrides.dask)
        except TunekitError as exc:
            raise ExperimentFailed(f"{self.nodeid}: {exc}") from None
        try:
            outcome = run_search(self._bind_objective(), strategy, trials=budget, direction=spec.direction,
                                 seed=seed, executor=executor, on_trial=on_trial)
        except SearchInterrupted as interrupt:
            # No report is made for an interrupted item: hand the partial record to the controller directly.
            state.add(record_of(interrupt.outcome, ExperimentStatus.INTERRUPTED))
            raise KeyboardInterrupt from None
        finally:
            executor.close()
        record = record_of(outcome, ExperimentStatus.PASSED)
        failure = None
        if record.best is None:
            failures = [t for t in outcome.trials if t.state is TrialState.FAIL]
            first = failures[0] if failures else None
            reason = f"all {len(outcome.trials)} trials failed"
            if first is not None and first.error:
                reason += f"; first error (trial {first.number}): {first.error}"
            record.status, record.error = ExperimentStatus.FAILED, reason
            failure = ExperimentFailed(reason, first.traceback if first else None)
        live.finish(record)
        self.user_properties.append((RESULT_PROPERTY, json.dumps(results_io.experiment_to_dict(record))))
        if failure is not None:
            raise failure

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> Any:  # type: ignore[override]
        error = excinfo.value
        if isinstance(error, TunekitError):
            message = str(error)
            wants_traceback = self.config.getoption("tbstyle", "auto") not in ("auto", "no", "line")
            if wants_traceback and isinstance(error, ExperimentFailed) and error.traceback_text:
                message += "\n\n" + error.traceback_text
            return message
        return super().repr_failure(excinfo)
