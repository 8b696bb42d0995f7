"""``tunekit compare OLD.json NEW.json``: the verdict table between two saved results files, no tuning."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from tunekit import results as results_io
from tunekit.commands._args import ArgumentParser
from tunekit.compare import (
    DEFAULT_TOLERANCE,
    Tolerance,
    Verdict,
    compare_documents,
    provenance_warnings,
)
from tunekit.errors import ExitCode
from tunekit.report.verdicts import format_verdicts

__all__ = ["main"]


def main(argv: Sequence[str]) -> int:
    """Entry point of ``tunekit compare``: 0, or 1 when an experiment regressed; raises UsageError/ResultsError."""
    parser = ArgumentParser(prog="tunekit compare",
                            description="Compare two tunekit results files (a baseline and a newer run).")
    parser.add_argument("old", help="the baseline results file")
    parser.add_argument("new", help="the results file to judge")
    parser.add_argument("--tolerance", default=None,
                        help="allowed worsening for experiments that set none: 0.01 or 2%%")
    args = parser.parse_args(list(argv))
    tolerance = DEFAULT_TOLERANCE if args.tolerance is None else Tolerance.parse(args.tolerance)
    old, new = results_io.load(args.old), results_io.load(args.new)
    rows = compare_documents(old, new, tolerance=tolerance, objectives=True)
    print(format_verdicts(rows))
    for warning in provenance_warnings(old, new):
        print(f"warning: {warning}")
    regressed = [r for r in rows if r.verdict is Verdict.REGRESSED]
    for row in regressed:
        print(f"REGRESSED {row.id}: {row.reason()}", file=sys.stderr)
    return int(ExitCode.TESTS_FAILED if regressed else ExitCode.OK)

