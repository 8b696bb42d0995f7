"""The end of a run: its results document, compared with the baseline, then written where the options say."""

from __future__ import annotations

import getpass
import os
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from tunekit import results as results_io
from tunekit.compare import DEFAULT_TOLERANCE, Comparison, compare_documents
from tunekit.errors import OutputError, TunekitError
from tunekit.provenance import commit_info, machine_info, package_version
from tunekit.results import ExperimentResult, ResultsDocument
from tunekit.run.options import RunOptions
from tunekit.store import NO_STORE, RecordedBest, space_hash

if TYPE_CHECKING:
    from tunekit.store import Store

__all__ = ["RUNS_DIR", "RunOutputs", "finish_run", "make_document", "new_run_id", "with_earlier_records",
           "write_outputs"]


@dataclass
class RunOutputs:
    """What the end of a run produced: the comparisons with the baseline, what was written, what failed."""

    document: ResultsDocument
    comparisons: list[Comparison] = field(default_factory=list)
    #: (label, path or URI) of each output written: results, baseline, report, mlflow.
    written: list[tuple[str, Path | str]] = field(default_factory=list)
    errors: list[TunekitError] = field(default_factory=list)
    #: Lines to show that are not failures of the run (a store it could not record in, say).
    warnings: list[str] = field(default_factory=list)
    #: How many records of earlier runs the latest-results file kept (experiments this partial run left alone).
    kept_earlier: int = 0
    #: Per experiment ID, the best score the run store held for its search before this run; ``None``: no
    #: store was read (``--store none``, or out of reach).
    recorded_best: Mapping[str, RecordedBest] | None = None


def with_earlier_records(document: ResultsDocument, path: Path, keep: Callable[[str], bool]) -> ResultsDocument:
    """``document`` plus the records of the results file at ``path`` that ``keep`` says this run left alone
    (deselected, not reached after ``-x``, in files it did not collect), each marked with the run it is from.

    A missing or unreadable file keeps nothing: the run's own records are never held up by an old file.
    """
    try:
        earlier = results_io.load(path)
    except (OSError, TunekitError):
        return document
    ran = {e.id for e in document.experiments}
    kept = [replace(e, from_run=e.from_run or earlier.run_id or "an earlier run") for e in earlier.experiments
            if e.id not in ran and keep(e.id)]
    return replace(document, experiments=[*document.experiments, *kept]) if kept else document


def finish_run(document: ResultsDocument, options: RunOptions, *, root: Path, started: datetime,
               expected_missing: Iterable[str] = (), runs_dir: Path | None = None,
               kept: Callable[[str], bool] | None = None) -> RunOutputs:
    """The end of a run: write its results files, read the best scores the store holds for its searches,
    write the reports (which show those next to the run's), then record the run in the store.

    The results files come first, so that a store slow to answer never holds up what the run computed. A
    store that cannot be read or written is a warning line, not a failed run: the run's own results file
    stays, and ``tunekit store sync`` records it later. With ``kept``, the latest-results file also keeps the
    earlier records of the experiments ``kept`` names (see :func:`with_earlier_records`).
    """
    outputs = _compared(document, options, expected_missing)
    _write_results(outputs, options, runs_dir, kept)
    if options.store == NO_STORE:
        _write_reports(outputs, options)
        return outputs
    from tunekit.store import open_store  # SQLAlchemy loads only here

    store: Store | None = None
    reported = False
    try:
        store = open_store(options.store, root=root)
        searches = [(e.id, space_hash(e.space), e.direction, e.score_name) for e in document.experiments]
        outputs.recorded_best = store.best_recorded(searches)
        _write_reports(outputs, options)
        reported = True
        # Run ID and branch: the document's own.
        store.record_run(document, started=started, finished=datetime.now(timezone.utc), user=_user())
        outputs.written.append(("store", store.url))
    except TunekitError as exc:
        if not reported:
            _write_reports(outputs, options)
        own = next((os.path.relpath(path, root) for label, path in outputs.written if label == "run"),
                   "no results file of its own")
        outputs.warnings.append(f"not recorded in the run store: {exc}; the run is kept in {own} "
                                "('tunekit store sync' records it later)")
    finally:
        if store is not None:
            store.close()
    return outputs


def _user() -> str | None:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name (a container without one)
        return None


#: Where each run keeps its own results file, under the project root: concurrent runs in one project folder
#: each keep theirs, whichever writes ``results.json`` (the latest) last.
RUNS_DIR = Path(".tunekit") / "runs"


def new_run_id(started: datetime | None = None) -> str:
    """A run's ID: its UTC start time (so IDs sort by time) and 8 random hex digits (so they never clash)."""
    started = started or datetime.now(timezone.utc)
    return f"{started.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


def make_document(records: Iterable[ExperimentResult], root: Path, run_id: str = "") -> ResultsDocument:
    """The results document of ``records``, with the machine's and the commit's provenance."""
    return ResultsDocument(experiments=list(records), tunekit_version=package_version("tunekit") or "",
                           machine_info=machine_info(), commit_info=commit_info(root), run_id=run_id)


def write_outputs(document: ResultsDocument, options: RunOptions, *, expected_missing: Iterable[str] = (),
                  runs_dir: Path | None = None) -> RunOutputs:
    """Compare ``document`` with the options' baseline and write every output they ask for (not the store).

    An output that cannot be written does not stop the others: its error is kept in ``errors``.
    ``expected_missing`` are baseline IDs this run did not set out to run (not "missing" verdicts). With
    ``runs_dir`` (and a run ID in ``document``) the run's own copy goes to ``runs_dir/<run_id>.json``.
    """
    outputs = _compared(document, options, expected_missing)
    _write_results(outputs, options, runs_dir)
    _write_reports(outputs, options)
    return outputs


def _compared(document: ResultsDocument, options: RunOptions, expected_missing: Iterable[str]) -> RunOutputs:
    outputs = RunOutputs(document)
    if options.baseline is not None:
        outputs.comparisons = compare_documents(options.baseline, document,
                                                tolerance=options.tolerance or DEFAULT_TOLERANCE,
                                                expected_missing=expected_missing, objectives=True)
    return outputs


def _write(outputs: RunOutputs, label: str, path: Path | None, writer: Callable[[Path], None]) -> None:
    """Write one output; one that cannot be written is an error kept in ``outputs``, and the others go on."""
    if path is None:
        return
    try:
        writer(path)
    except OSError as exc:
        outputs.errors.append(OutputError(f"{path}: cannot write the {label}: {exc.strerror or exc}"))
    except TunekitError as exc:  # the writer's own line, which names the file
        outputs.errors.append(exc)
    else:
        outputs.written.append((label, path))


def _write_results(outputs: RunOutputs, options: RunOptions, runs_dir: Path | None,
                   kept: Callable[[str], bool] | None = None) -> None:
    """The results file, the run's own copy under ``runs_dir`` and the baseline to save."""
    document = outputs.document
    latest = document
    if kept is not None and options.latest_results and options.results_path is not None:
        latest = with_earlier_records(document, options.results_path, kept)
        outputs.kept_earlier = len(latest.experiments) - len(document.experiments)
    _write(outputs, "results", options.results_path, lambda p: results_io.dump(latest, p))
    if runs_dir is not None and document.run_id:
        _write(outputs, "run", runs_dir / f"{document.run_id}.json", lambda p: results_io.dump(document, p))
    _write(outputs, "baseline", options.save_baseline_path, lambda p: results_io.dump(document, p))


def _write_reports(outputs: RunOutputs, options: RunOptions) -> None:
    """The HTML report (with the store's best scores when read) and the MLflow run."""
    document = outputs.document
    if options.html_path is not None:
        from tunekit.report.html import write_report

        _write(outputs, "report", options.html_path, lambda p: write_report(
            document, p, baseline=options.baseline, baseline_label=options.baseline_label,
            recorded_best=outputs.recorded_best))
    if options.mlflow is not None:
        from tunekit.tracking import log_to_mlflow

        try:
            log_to_mlflow(document, options.mlflow or None)
        except TunekitError as exc:
            outputs.errors.append(exc)
        else:
            outputs.written.append(("mlflow", options.mlflow or "MLflow's default tracking URI"))
