"""``tunekit store import|sync``: fill the run store from results files, without running anything.

``import RESULTS.json...`` backfills results or baseline files, each as one run: the run the file names
(its ``run_id``), or for older files an ID from the file's bytes (``import-<sha256>``), so importing a file
again changes nothing. ``sync`` uploads every per-run results file under ``.tunekit/runs/`` (run ID: the
file's stem) that the store lacks, for runs recorded while the store was out of reach. ``--store URL``
picks the store; by default the project's SQLite file ``.tunekit/store.sqlite``.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tunekit import results as results_io
from tunekit.commands._args import ArgumentParser, open_project_store
from tunekit.errors import ExitCode, ResultsError, TunekitError, describe_os_error
from tunekit.results import ResultsDocument
from tunekit.run.outputs import RUNS_DIR

__all__ = ["import_run_id", "main"]

#: A run ID as tunekit makes them starts with the run's UTC start (``20261203T073303Z-4e43e2af``).
_STARTED = re.compile(r"(\d{8}T\d{6}Z)-")


@dataclass(frozen=True)
class _RunFile:
    """A results file to record: its document, run ID and when the run started and finished."""

    path: Path
    run_id: str
    document: ResultsDocument
    started: datetime
    finished: datetime


def import_run_id(content: bytes) -> str:
    """The run ID of an imported file: the same bytes always give the same ID."""
    return "import-" + hashlib.sha256(content).hexdigest()[:24]


def _read(path: Path, run_id: str | None) -> _RunFile:
    """Load ``path`` as run ``run_id`` (by default the run the document names, else :func:`import_run_id`).

    The run finished at the document's ``created`` time (else the file's); it started when its ID says,
    else the experiments' total duration before it finished.
    """
    try:
        content = path.read_bytes()
        modified = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
    except OSError as exc:
        raise ResultsError(f"{path}: cannot read results: {describe_os_error(exc)}") from None
    doc = results_io.loads(content.decode("utf-8", errors="replace"), source=str(path))
    try:
        finished = datetime.fromisoformat(doc.created)
    except ValueError:
        finished = modified
    if finished.tzinfo is None:
        finished = finished.replace(tzinfo=timezone.utc)
    run_id = run_id or doc.run_id or import_run_id(content)
    named = _STARTED.match(run_id)
    if named:
        started = datetime.strptime(named.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    else:
        started = finished - timedelta(seconds=sum(e.duration_s for e in doc.experiments))
    return _RunFile(path, run_id, doc, started, finished)


def main(argv: Sequence[str]) -> int:
    """Entry point of ``tunekit store``: 0, or 4 when a file could not be read (the others are recorded)."""
    parser = ArgumentParser(prog="tunekit store", description="Fill the run store from results files.")
    actions = parser.add_subparsers(dest="action", required=True, metavar="{import,sync}")
    imports = actions.add_parser("import", help="record results or baseline files, each as one run")
    imports.add_argument("files", nargs="+", type=Path, metavar="RESULTS.json")
    sync = actions.add_parser("sync", help=f"upload the runs of {RUNS_DIR}/ that the store lacks")
    for sub in (imports, sync):
        sub.add_argument("--store", default=None, metavar="URL",
                         help="sqlite:///PATH or postgresql://USER@HOST/DB (default: $TUNEKIT_STORE, "
                              "[tool.tunekit] store, else .tunekit/store.sqlite)")
    args = parser.parse_args(list(argv))
    root, opened = open_project_store(f"tunekit store {args.action}", args.store)
    with opened as store:
        candidates: list[tuple[Path, str | None]]
        if args.action == "import":
            candidates = [(path, None) for path in args.files]
        else:
            known = store.run_ids()
            candidates = [(path, path.stem) for path in sorted((root / RUNS_DIR).glob("*.json"))
                          if path.stem not in known]
        recorded = present = failed = 0
        for path, run_id in candidates:
            try:
                run = _read(path, run_id)
            except TunekitError as exc:
                print(f"ERROR: {exc}", file=sys.stderr)
                failed += 1
                continue
            if store.record_run(run.document, run_id=run.run_id, started=run.started, finished=run.finished):
                print(f"recorded {run.path} as run {run.run_id}")
                recorded += 1
            else:
                print(f"already stored: {run.path} (run {run.run_id})")
                present += 1
        print(f"{recorded} run(s) recorded, {present} already stored, {failed} unreadable: {store.url}")
    return int(ExitCode.USAGE_ERROR if failed else ExitCode.OK)
