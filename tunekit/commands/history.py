"""``tunekit history``: each experiment's best score commit by commit from the run store, and its changes.

Reads the store the run records in (``--store``, else ``TUNEKIT_STORE``, else ``[tool.tunekit] store``,
else ``.tunekit/store.sqlite``) and the branch's first-parent history; nothing is run or written.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from tabulate import tabulate

from tunekit.commands._args import ArgumentParser, open_project_store, select_experiments
from tunekit.errors import ExitCode, UsageError
from tunekit.history import Change, Series, branch_commits, build_series, detect_changes
from tunekit.history.changes import DEFAULT_WINDOW, DEFAULT_Z

__all__ = ["SCHEMA", "main"]

#: The ``--json`` document's schema; fields are only ever added.
SCHEMA = "tunekit.history/1"


def _marker(change: Change | None) -> str:
    if change is None:
        return ""
    return "REGRESSION" if change.kind == "regression" else "improvement"


def _table(series: Series, changes: Sequence[Change]) -> str:
    at = {c.commit: c for c in changes}
    rows: list[list[Any]] = []
    for number, segment in enumerate(series.segments):
        if number:
            rows.append(["--", "search changed", "", "", "", "", "", ""])
        previous: float | None = None
        for p in segment.points:
            rows.append([p.commit[:10], (p.date or "")[:19], p.author or "", p.runs, f"{p.best_score:.6g}",
                         "" if p.spread is None else f"{p.spread:.3g}",
                         "" if previous is None else f"{p.best_score - previous:+.3g}", _marker(at.get(p.commit))])
            previous = p.best_score
    # the change column keeps its sign: tabulate would parse "+0.2" as a number and print 0.2
    return tabulate(rows, headers=["commit", "date", "author", "runs", "best", "spread", "change", ""],
                    disable_numparse=[6])


def _as_json(series: Series, changes: Sequence[Change]) -> dict[str, Any]:
    return {
        "id": series.experiment_id,
        "direction": series.direction,
        "points": [{"commit": p.commit, "date": p.date, "runs": p.runs, "best_score": p.best_score,
                    "spread": p.spread} for p in series.points],
        "off_branch": series.off_branch,
        "changes": [{"kind": c.kind, "commit": c.commit, "before": c.before, "after": c.after}
                    for c in changes],
    }


def main(argv: Sequence[str]) -> int:
    """Entry point of ``tunekit history``: 0, or 1 with ``--fail-on-regression`` when the newest commit of a
    series is a regression; raises UsageError, ConfigError, OutputError."""
    parser = ArgumentParser(prog="tunekit history",
                            description="Each experiment's best score along the branch, from the run store.")
    parser.add_argument("selectors", nargs="*", metavar="NODE_ID",
                        help="experiments to show: node IDs or prefixes of them (a file or folder)")
    parser.add_argument("-k", dest="keyword", default=None, help="only experiments whose ID contains this")
    parser.add_argument("--store", default=None, help="the run store's URL (default: as the run chooses it)")
    parser.add_argument("--json", action="store_true", help=f"print a {SCHEMA} document instead of tables")
    parser.add_argument("--html", metavar="PATH", default=None,
                        help="also write a self-contained HTML page with a chart per experiment")
    parser.add_argument("--fail-on-regression", action="store_true",
                        help="exit 1 when the newest commit of a series is a detected regression")
    args = parser.parse_args(list(argv))
    root, opened = open_project_store("tunekit history", args.store)
    with opened as store:
        known = {e for run in store.runs() for e in run.best_scores}
        ids = select_experiments(known, args.selectors, args.keyword)
        histories = {e: store.experiment_history(e) for e in ids}
    if (args.selectors or args.keyword) and not ids:
        raise UsageError(f"tunekit history: no recorded experiment matches {' '.join(args.selectors)}"
                         + (f" -k {args.keyword}" if args.keyword else ""))
    commits = branch_commits(root)
    results = []
    for exp_id in ids:
        series = build_series(exp_id, histories[exp_id], commits)
        results.append((series, detect_changes(series, window=DEFAULT_WINDOW, z=DEFAULT_Z)))
    if args.html:
        from tunekit.history.html import write_history

        write_history(results, args.html)
    if args.json:
        print(json.dumps({"schema": SCHEMA, "experiments": [_as_json(s, c) for s, c in results]}, indent=2))
    else:
        if not results:
            print("no runs recorded")
        for series, changes in results:
            off = series.off_branch
            left = (f" ({off} run{'s' if off > 1 else ''} from commits not on this branch left out)" if off else "")
            print(f"{series.experiment_id} ({series.direction}){left}")
            empty = ("  no run on a commit of this branch (runs made before the first commit, or elsewhere, are "
                     "left out)" if series.off_branch else "  no run with a completed trial")
            print(_table(series, changes) if series.segments else empty)
            print()
    failed = False
    for series, changes in results:
        points = series.points
        newest = [c for c in changes if points and c.commit == points[-1].commit and c.kind == "regression"]
        for change in newest:
            failed = True
            print(f"REGRESSED {series.experiment_id} at {change.commit[:10]}: {change.before:.6g} -> "
                  f"{change.after:.6g}", file=sys.stderr)
    return int(ExitCode.TESTS_FAILED if failed and args.fail_on_regression else ExitCode.OK)
