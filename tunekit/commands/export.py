"""``tunekit export RESULTS.json --csv PATH``: every trial of a results file as one CSV row.

Columns: ``id`` (the experiment's node ID), ``number``, ``state``, ``score``, ``score_std``,
``duration_s``, ``error``, ``seed``, ``intermediate`` (the ``[[step, value], ...]`` a trial reported), then
``params.NAME`` for every parameter (each experiment's space in its order, experiments in file order) and
``metrics.NAME`` for every metric of any experiment in the file, empty where a trial has none: a parameter
of another experiment, or one inactive in the trial (a conditional parameter whose ``when`` did not hold),
then ``values.NAME`` for every objective of an experiment with several (only when the file has one).
Numbers keep full precision; lists and objects (fold scores of a metric, intermediate values) are written as
JSON; ``null`` is an empty cell.
Text that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return) gets a leading apostrophe, as OWASP recommends; numbers are written as they are.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from tunekit import results as results_io
from tunekit.commands._args import ArgumentParser
from tunekit.errors import ExitCode, ExportError
from tunekit.results import ResultsDocument

__all__ = ["FIXED_COLUMNS", "main", "trial_rows"]

FIXED_COLUMNS = ("id", "number", "state", "score", "score_std", "duration_s", "error", "seed", "intermediate")


#: A text cell starting with one of these is a formula to a spreadsheet (OWASP's "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    """``value`` made inert for spreadsheets: a leading apostrophe before a formula character."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, allow_nan=False)
    if isinstance(value, float):
        return repr(value)  # a number stays a number, a negative one included
    if isinstance(value, str):
        return _text(value)
    return value


def _union(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def trial_rows(doc: ResultsDocument) -> tuple[list[str], list[list[Any]]]:
    """The header and one row per trial of every experiment, in file order then trial number."""
    params = _union(p for e in doc.experiments for p in [*e.space, *(k for t in e.trials for k in t.params)])
    metrics = _union(m for e in doc.experiments for t in e.trials for m in t.metrics)
    values = _union(name for e in doc.experiments for name in e.objectives)
    header = [_text(h) for h in (*FIXED_COLUMNS, *(f"params.{p}" for p in params), *(f"metrics.{m}" for m in metrics),
                                 *(f"values.{v}" for v in values))]
    rows = []
    for exp in doc.experiments:
        for t in sorted(exp.trials, key=lambda t: t.number):
            steps = getattr(t, "intermediate", None)
            rows.append([_cell(v) for v in (exp.id, t.number, t.state.value, t.score, t.score_std, t.duration_s,
                                            t.error, t.seed, [list(p) for p in steps] if steps else None)]
                        + [_cell(t.params.get(p)) for p in params] + [_cell(t.metrics.get(m)) for m in metrics]
                        + [_cell((t.values or {}).get(v)) for v in values])
    return header, rows


def main(argv: Sequence[str]) -> int:
    """Entry point of ``tunekit export``: 0, or raises for bad arguments or unreadable/unwritable files (exit 4)."""
    parser = ArgumentParser(prog="tunekit export", description="Export the trials of a tunekit results file.")
    parser.add_argument("results", metavar="RESULTS.json", help="the results file (e.g. .tunekit/results.json)")
    parser.add_argument("--csv", metavar="PATH", required=True,
                        help="write every trial as a CSV row here ('-' for standard output)")
    args = parser.parse_args(list(argv))
    header, rows = trial_rows(results_io.load(args.results))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180; a \r inside a cell is quoted too
    writer.writerow(header)
    writer.writerows(rows)
    if args.csv == "-":
        sys.stdout.write(buffer.getvalue())
        return int(ExitCode.OK)
    try:
        results_io.write_atomic(args.csv, buffer.getvalue())
    except OSError as exc:
        raise ExportError(f"{args.csv}: cannot write the CSV: {exc.strerror or exc}") from None
    print(f"csv: {args.csv} ({len(rows)} trials)")
    return int(ExitCode.OK)

