"""The end of a run: its results document, compared with the baseline, then written where the options say."""

from __future__ import annotations

import getpass
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from tunekit import results as results_io
from tunekit.compare import DEFAULT_TOLERANCE, Comparison, compare_documents
from tunekit.errors import OutputError, TunekitError
from tunekit.provenance import commit_info, machine_info, package_version
from tunekit.results import ExperimentResult, ResultsDocument
from tunekit.run.options import RunOptions
from tunekit.store import NO_STORE

__all__ = ["RUNS_DIR", "RunOutputs", "make_document", "new_run_id", "record_in_store", "write_outputs"]


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


def record_in_store(outputs: RunOutputs, url: str | None, *, root: Path, started: datetime) -> None:
    """Record the run's document in the store at ``url``; a store that cannot take it is a warning line, not a
    failed run: the run's own results file stays, and ``tunekit store sync`` records it later."""
    if url == NO_STORE:
        return
    from tunekit.store import open_store  # SQLAlchemy loads only here

    document = outputs.document
    try:
        with open_store(url, root=root) as store:  # run ID and branch: the document's own
            store.record_run(document, started=started, finished=datetime.now(timezone.utc), user=_user())
            outputs.written.append(("store", store.url))
    except TunekitError as exc:
        kept = next((os.path.relpath(path, root) for label, path in outputs.written if label == "run"),
                    "no results file of its own")
        outputs.warnings.append(f"not recorded in the run store: {exc}; the run is kept in {kept} "
                                "('tunekit store sync' records it later)")


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
    """Compare ``document`` with the options' baseline and write every output they ask for.

    An output that cannot be written does not stop the others: its error is kept in ``errors``.
    ``expected_missing`` are baseline IDs this run did not set out to run (not "missing" verdicts). With
    ``runs_dir`` (and a run ID in ``document``) the run's own copy goes to ``runs_dir/<run_id>.json``.
    """
    outputs = RunOutputs(document)
    if options.baseline is not None:
        outputs.comparisons = compare_documents(options.baseline, document,
                                                tolerance=options.tolerance or DEFAULT_TOLERANCE,
                                                expected_missing=expected_missing)

    def write(label: str, path: Path | None, writer: Callable[[Path], None]) -> None:
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

    write("results", options.results_path, lambda p: results_io.dump(document, p))
    if runs_dir is not None and document.run_id:
        write("run", runs_dir / f"{document.run_id}.json", lambda p: results_io.dump(document, p))
    write("baseline", options.save_baseline_path, lambda p: results_io.dump(document, p))
    if options.html_path is not None:
        from tunekit.report.html import write_report

        write("report", options.html_path, lambda p: write_report(
            document, p, baseline=options.baseline, baseline_label=options.baseline_label))
    if options.mlflow is not None:
        from tunekit.tracking import log_to_mlflow

        try:
            log_to_mlflow(document, options.mlflow or None)
        except TunekitError as exc:
            outputs.errors.append(exc)
        else:
            outputs.written.append(("mlflow", options.mlflow or "MLflow's default tracking URI"))
    return outputs
