"""``tunekit store import|sync``: fill the run store from results files, without running anything.

``import RESULTS.json...`` backfills results or baseline files, each as one run: the run the file names
(its ``run_id``), or for older files an ID from the file's bytes (``import-<sha256>``), so importing a file
again changes nothing; with ``--git``, every version of each file committed along the branch (a baseline's
past). ``sync`` uploads every per-run results file under ``.tunekit/runs/`` (run ID: the
file's stem) that the store lacks, for runs recorded while the store was out of reach. ``--store URL``
picks the store; by default the project's SQLite file ``.tunekit/store.sqlite``.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tunekit import results as results_io
from tunekit.commands._args import ArgumentParser, open_project_store
from tunekit.errors import ExitCode, ResultsError, TunekitError, describe_os_error
from tunekit.history.git import FileVersion, file_versions
from tunekit.results import ResultsDocument
from tunekit.run.outputs import RUNS_DIR

__all__ = ["import_run_id", "main"]

#: A run ID as tunekit makes them starts with the run's UTC start (``20261203T073303Z-4e43e2af``).
_STARTED = re.compile(r"(\d{8}T\d{6}Z)-")


@dataclass(frozen=True)
class _RunFile:
    """A results file to record: where it came from, its document, run ID and when the run started and ended."""

    source: str
    run_id: str
    document: ResultsDocument
    started: datetime
    finished: datetime


def import_run_id(content: bytes) -> str:
    """The run ID of an imported file: the same bytes always give the same ID."""
    return "import-" + hashlib.sha256(content).hexdigest()[:24]


def _parse(content: bytes, source: str, written: datetime, run_id: str | None) -> _RunFile:
    """``content`` as run ``run_id`` (by default the run the document names, else :func:`import_run_id`).

    The run finished at the document's ``created`` time (else when it was ``written``); it started when its
    ID says, else the experiments' total duration before it finished.
    """
    doc = results_io.loads(content.decode("utf-8", errors="replace"), source=source)
    try:
        finished = datetime.fromisoformat(doc.created)
    except ValueError:
        finished = written
    if finished.tzinfo is None:
        finished = finished.replace(tzinfo=timezone.utc)
    run_id = run_id or doc.run_id or import_run_id(content)
    named = _STARTED.match(run_id)
    if named:
        started = datetime.strptime(named.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    else:
        started = finished - timedelta(seconds=sum(e.duration_s for e in doc.experiments))
    return _RunFile(source, run_id, doc, started, finished)


def _read(path: Path, run_id: str | None) -> _RunFile:
    try:
        content = path.read_bytes()
        modified = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
    except OSError as exc:
        raise ResultsError(f"{path}: cannot read results: {describe_os_error(exc)}") from None
    return _parse(content, str(path), modified, run_id)


def _committed(root: Path, path: Path, label: str) -> list[Callable[[], _RunFile]]:
    """A loader per committed version of ``path`` along the branch, oldest first.

    A version whose document does not say which commit produced it (written outside git, or before results
    recorded it) is placed at the commit that committed it.
    """
    versions = file_versions(root, path)
    if versions is None:
        raise ResultsError(f"{label}: cannot read its git history (not in a git repository, or git failed)")
    if not versions:
        raise ResultsError(f"{label}: no committed version along this branch's first-parent history")

    def loader(version: FileVersion) -> Callable[[], _RunFile]:
        def load() -> _RunFile:
            run = _parse(version.content, f"{label}@{version.sha[:10]}", datetime.fromisoformat(version.date), None)
            if not run.document.commit_info.get("id"):
                run.document.commit_info = {"id": version.sha, "dirty": False, "branch": None}
            return run
        return load

    return [loader(version) for version in versions]


def _unreadable(error: TunekitError) -> Callable[[], _RunFile]:
    def load() -> _RunFile:
        raise error
    return load


def _loaders(args: argparse.Namespace, root: Path, known: Callable[[], set[str]]) -> list[Callable[[], _RunFile]]:
    """What the action imports, each as a loader that raises a one-line error when it cannot be read."""
    if args.action == "sync":
        stored = known()
        return [functools.partial(_read, path, path.stem) for path in sorted((root / RUNS_DIR).glob("*.json"))
                if path.stem not in stored]
    if not args.git:
        return [functools.partial(_read, path, None) for path in args.files]
    loaders: list[Callable[[], _RunFile]] = []
    for path in args.files:
        try:
            loaders += _committed(root, Path.cwd() / path, str(path))
        except TunekitError as exc:
            loaders.append(_unreadable(exc))
    return loaders


def main(argv: Sequence[str]) -> int:
    """Entry point of ``tunekit store``: 0, or 4 when a file could not be read (the others are recorded)."""
    parser = ArgumentParser(prog="tunekit store", description="Fill the run store from results files.")
    actions = parser.add_subparsers(dest="action", required=True, metavar="{import,sync}")
    imports = actions.add_parser("import", help="record results or baseline files, each as one run")
    imports.add_argument("files", nargs="+", type=Path, metavar="RESULTS.json")
    imports.add_argument("--git", action="store_true",
                         help="import every version of each file committed along the branch's first-parent "
                              "history (a committed baseline's past), each as one run")
    sync = actions.add_parser("sync", help=f"upload the runs of {RUNS_DIR}/ that the store lacks")
    for sub in (imports, sync):
        sub.add_argument("--store", default=None, metavar="URL",
                         help="sqlite:///PATH or postgresql://USER@HOST/DB (default: $TUNEKIT_STORE, "
                              "[tool.tunekit] store, else .tunekit/store.sqlite)")
    args = parser.parse_args(list(argv))
    root, opened = open_project_store(f"tunekit store {args.action}", args.store)
    with opened as store:
        recorded = present = failed = 0
        for load in _loaders(args, root, store.run_ids):
            try:
                run = load()
            except TunekitError as exc:
                print(f"ERROR: {exc}", file=sys.stderr)
                failed += 1
                continue
            if store.record_run(run.document, run_id=run.run_id, started=run.started, finished=run.finished):
                print(f"recorded {run.source} as run {run.run_id}")
                recorded += 1
            else:
                print(f"already stored: {run.source} (run {run.run_id})")
                present += 1
        print(f"{recorded} run(s) recorded, {present} already stored, {failed} unreadable: {store.url}")
    return int(ExitCode.USAGE_ERROR if failed else ExitCode.OK)
