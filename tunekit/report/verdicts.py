"""The verdict table: each experiment against its baseline, with the numbers behind the verdict."""

from __future__ import annotations

from collections.abc import Sequence

from tabulate import tabulate

from tunekit.compare import Comparison
from tunekit.report.leaderboard import display_ids

__all__ = ["format_verdicts"]


def _number(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+.4g}" if signed else f"{value:.4g}"


def format_verdicts(rows: Sequence[Comparison]) -> str:
    """experiment, baseline, current, delta, allowed (and by which rule), verdict."""
    ids = list(dict.fromkeys(r.id for r in rows))  # an experiment's objectives share its ID
    shown = dict(zip(ids, display_ids(ids), strict=True))
    labels = [f"{shown[r.id]} [{r.objective}]" if r.objective else shown[r.id] for r in rows]
    table = [[label, _number(r.baseline), _number(r.current), _number(r.delta, signed=True),
              f"{_number(r.allowed)} ({r.rule})" if r.allowed is not None and r.rule else _number(r.allowed),
              r.verdict.value.upper() if r.verdict.value == "regressed" else r.verdict.value]
             for label, r in zip(labels, rows, strict=False)]
    return tabulate(table, headers=["experiment", "baseline", "current", "delta", "allowed", "verdict"],
                    tablefmt="simple", disable_numparse=True)
