"""``tunekit runs``: who ran what, when, on which commit, with what best score, newest first, from the run store.

Reads the store a run records in, like ``tunekit history``; nothing is run or written.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from tabulate import tabulate

from tunekit.commands._args import ArgumentParser, open_project_store, select_experiments
from tunekit.errors import ExitCode, UsageError
from tunekit.report.leaderboard import display_ids, format_score
from tunekit.store import RunSummary

__all__ = ["SCHEMA", "main"]

#: The ``--json`` document's schema; fields are only ever added.
SCHEMA = "tunekit.runs/1"
DEFAULT_LIMIT = 20


def _commit(run: RunSummary) -> str:
    if not run.commit:
        return ""
    return run.commit[:10] + ("+dirty" if run.dirty else "")


def _table(runs: Sequence[RunSummary], ids: Sequence[str]) -> str:
    """One row per run and experiment it ran; the run's own columns only on its first row."""
    shown = dict(zip(ids, display_ids(ids), strict=True))
    rows: list[list[Any]] = []
    for run in runs:
        first = [f"{run.finished.astimezone():%Y-%m-%d %H:%M}", run.user or "", run.machine or "", _commit(run),
                 run.branch or ""]
        for number, (exp_id, best) in enumerate(run.best_scores.items()):
            rows.append([*(first if number == 0 else [""] * len(first)), shown.get(exp_id, exp_id),
                         format_score(best)])
        if not run.best_scores:
            rows.append([*first, "(no experiment)", ""])
    return tabulate(rows, headers=["finished", "user", "machine", "commit", "branch", "experiment", "best"],
                    disable_numparse=True)


def _as_json(run: RunSummary) -> dict[str, Any]:
    return {"run_id": run.run_id, "started": run.started.isoformat(), "finished": run.finished.isoformat(),
            "user": run.user, "machine": run.machine, "tunekit_version": run.tunekit_version,
            "commit": run.commit, "dirty": run.dirty, "branch": run.branch,
            "best_scores": dict(run.best_scores)}


def main(argv: Sequence[str]) -> int:
    """Entry point of ``tunekit runs``: 0; raises UsageError, ConfigError, OutputError."""
    parser = ArgumentParser(prog="tunekit runs",
                            description="The recorded runs, newest first: who, when, which commit, best scores.")
    parser.add_argument("selectors", nargs="*", metavar="NODE_ID",
                        help="only runs of these experiments: node IDs or prefixes of them (a file or folder)")
    parser.add_argument("-k", dest="keyword", default=None, help="only experiments whose ID contains this")
    parser.add_argument("--store", default=None, help="the run store's URL (default: as the run chooses it)")
    parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT, metavar="N",
                        help=f"show the N newest runs (default {DEFAULT_LIMIT}; 0: all)")
    parser.add_argument("--json", action="store_true", help=f"print a {SCHEMA} document instead of a table")
    args = parser.parse_args(list(argv))
    if args.limit < 0:
        raise UsageError(f"tunekit runs: --limit: expected 0 or more, got {args.limit}")
    _, opened = open_project_store("tunekit runs", args.store)
    with opened as store:
        every = store.runs()
    known = {e for run in every for e in run.best_scores}
    ids = select_experiments(known, args.selectors, args.keyword)
    if (args.selectors or args.keyword) and not ids:
        raise UsageError(f"tunekit runs: no recorded experiment matches {' '.join(args.selectors)}"
                         + (f" -k {args.keyword}" if args.keyword else ""))
    chosen = set(ids)
    runs = [RunSummary(**{**vars(run), "best_scores": {e: s for e, s in run.best_scores.items() if e in chosen}})
            for run in reversed(every)]
    runs = [run for run in runs if run.best_scores or not (args.selectors or args.keyword)]
    total = len(runs)
    if args.limit:
        runs = runs[:args.limit]
    if args.json:
        print(json.dumps({"schema": SCHEMA, "total": total, "runs": [_as_json(r) for r in runs]}, indent=2))
        return int(ExitCode.OK)
    if not runs:
        print("no runs recorded")
        return int(ExitCode.OK)
    print(_table(runs, ids))
    if total > len(runs):
        print(f"({total - len(runs)} older runs not shown: --limit 0 shows all)")
    return int(ExitCode.OK)
