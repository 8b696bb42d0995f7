"""``tunekit report RESULTS.json -o PATH``: the self-contained HTML report of a saved results file."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from tunekit import results as results_io
from tunekit.commands._args import ArgumentParser
from tunekit.config import find_project_root, load_tool_config
from tunekit.errors import ExitCode, TunekitError
from tunekit.results import ResultsDocument
from tunekit.store import DEFAULT_PATH, NO_STORE, RecordedBest, open_store, space_hash, store_url

__all__ = ["main"]


def _recorded_best(doc: ResultsDocument, given: str | None) -> dict[str, RecordedBest] | None:
    """The project store's best scores for the document's searches; ``None`` without a store to read (none
    configured and no default file: a report never creates one) or when it cannot be read (a warning)."""
    root = find_project_root(Path.cwd())
    url = store_url(given, load_tool_config(root).store)
    if url == NO_STORE or (url is None and not (root / DEFAULT_PATH).exists()):
        return None
    try:
        with open_store(url, root=root) as store:
            return store.best_recorded((e.id, space_hash(e.space), e.direction, e.score_name) for e in doc.experiments)
    except TunekitError as exc:
        print(f"warning: the report shows no best-ever scores: {exc}", file=sys.stderr)
        return None


def main(argv: Sequence[str]) -> int:
    """Entry point of ``tunekit report``: 0, or raises for bad arguments or unreadable/unwritable files (exit 4)."""
    parser = ArgumentParser(prog="tunekit report",
                            description="Write a self-contained HTML report (leaderboard, hints, plots) of a "
                                        "tunekit results file; it opens offline in any browser.")
    parser.add_argument("results", metavar="RESULTS.json", help="the results file (e.g. .tunekit/results.json)")
    parser.add_argument("-o", "--output", metavar="PATH", default=None,
                        help="where to write the report (default: RESULTS with an .html suffix)")
    parser.add_argument("--baseline", metavar="BASELINE.json", default=None,
                        help="another results file to compare with: its best scores, the deltas and verdicts")
    parser.add_argument("--store", default=None, metavar="URL",
                        help="the run store whose best-ever scores the leaderboard shows (default: as a run "
                             "chooses it, if there is one; 'none': no such column)")
    args = parser.parse_args(list(argv))
    doc = results_io.load(args.results)
    baseline = results_io.load(args.baseline) if args.baseline else None
    output = Path(args.output) if args.output else Path(args.results).with_suffix(".html")
    from tunekit.report.html import write_report  # plotly and scikit-learn load only when needed

    write_report(doc, output, baseline=baseline, baseline_label=args.baseline or "", source=args.results,
                 recorded_best=_recorded_best(doc, args.store))
    print(f"report: {output}")
    return int(ExitCode.OK)

