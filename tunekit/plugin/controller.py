"""The controller's side of a run: gathers experiment records, then writes results, baseline and reports.

Records arrive as JSON in the reports' ``user_properties`` (so this works under pytest-xdist too), and an
interrupted experiment's partial record with the interrupt itself. Nothing here raises out of a hook:
an output that cannot be written is one line and exit code 4.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from tunekit import results as results_io
from tunekit.errors import ExperimentInterrupted, exit_code_for
from tunekit.results import ExperimentResult
from tunekit.run.options import RunOptions
from tunekit.run.outputs import (
    RUNS_DIR,
    RunOutputs,
    finish_run,
    make_document,
    new_run_id,
)

__all__ = ["CONTROLLER_KEY", "RESULT_PROPERTY", "Controller"]

#: Key of the ``user_properties`` entry that carries an experiment's JSON record to the controller.
RESULT_PROPERTY = "tunekit.result"


class Controller:
    """Collects the records of the run's experiments and writes the run's outputs at session end."""

    def __init__(self, options: RunOptions, rootpath: Path, *, is_worker: bool) -> None:
        self.options = options
        self.rootpath = rootpath
        self.is_worker = is_worker
        self.records: dict[str, ExperimentResult] = {}
        self.order: dict[str, int] = {}
        self.deselected: set[str] = set()
        #: What the end of the run produced; ``None`` until the session finished with records.
        self.outputs: RunOutputs | None = None
        self.started = datetime.now(timezone.utc)
        self.run_id = new_run_id(self.started)

    def add(self, record: ExperimentResult) -> None:
        """Keep an experiment's record (a later one for the same ID replaces it)."""
        self.records[record.id] = record

    def sorted_records(self) -> list[ExperimentResult]:
        """The records in collection order."""
        return sorted(self.records.values(), key=lambda r: (self.order.get(r.id, len(self.order)), r.id))

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.deselected.update(item.nodeid for item in items)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.order = {item.nodeid: i for i, item in enumerate(session.items)}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for name, value in report.user_properties:
            if name == RESULT_PROPERTY:
                self.add(results_io.experiment_from_dict(json.loads(str(value))))

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        # An interrupted item makes no report: its partial record comes with the interrupt (as its cause).
        for error in (excinfo.value, excinfo.value.__cause__):
            if isinstance(error, ExperimentInterrupted):
                self.add(error.record)

    def _not_set_out_to_run(self, experiment_id: str) -> bool:
        """Whether this run left the experiment alone: deselected, in a file it did not collect (and that still
        exists), or collected but never run (``-x`` stopped the run before it)."""
        if experiment_id in self.deselected:
            return True
        if experiment_id in self.order:
            return experiment_id not in self.records
        collected_files = {i.split("::", 1)[0] for i in [*self.order, *self.deselected]}
        file = experiment_id.split("::", 1)[0]
        return file not in collected_files and (self.rootpath / file).exists()

    def _not_expected_here(self) -> set[str]:
        """Baseline IDs that this run did not set out to run: deselected, or in files it did not collect."""
        baseline = self.options.baseline
        if baseline is None:
            return set()
        return {exp.id for exp in baseline.experiments
                if exp.id in self.deselected or (exp.id not in self.order and self._not_set_out_to_run(exp.id))}

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: Any) -> None:
        if self.is_worker or not self.records:
            return
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:  # end the last progress line: what the outputs log (MLflow's lines) starts afresh
            reporter.ensure_newline()
        document = make_document(self.sorted_records(), self.rootpath, self.run_id)
        self.outputs = finish_run(document, self.options, root=self.rootpath, started=self.started,
                                  expected_missing=self._not_expected_here(), runs_dir=self.rootpath / RUNS_DIR,
                                  kept=self._not_set_out_to_run)
        if self.outputs.errors:
            session.exitstatus = exit_code_for(self.outputs.errors[0])


CONTROLLER_KEY = pytest.StashKey[Controller]()
