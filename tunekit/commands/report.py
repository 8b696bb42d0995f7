"""``tunekit report RESULTS.json -o PATH``: the self-contained HTML report of a saved results file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tunekit import results as results_io
from tunekit.commands._args import ArgumentParser
from tunekit.errors import ExitCode

__all__ = ["main"]


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
    args = parser.parse_args(list(argv))
    doc = results_io.load(args.results)
    baseline = results_io.load(args.baseline) if args.baseline else None
    output = Path(args.output) if args.output else Path(args.results).with_suffix(".html")
    from tunekit.report.html import write_report  # plotly and scikit-learn load only when needed

    write_report(doc, output, baseline=baseline, baseline_label=args.baseline or "", source=args.results)
    print(f"report: {output}")
    return int(ExitCode.OK)

