"""``tunekit history --html PATH``: one self-contained page with each experiment's series as a plotly chart.

The figure data is computed by :func:`history_figure` (a plain dict); plotly.js draws it in the browser,
inline like the run report, so the page opens offline.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from typing import Any

from tunekit.errors import ReportError
from tunekit.history.changes import Change
from tunekit.history.series import Series
from tunekit.report.html import _json_for_script, _plotly_js
from tunekit.results import write_atomic

__all__ = ["history_figure", "render_history", "write_history"]


def history_figure(series: Series, changes: Sequence[Change]) -> dict[str, Any]:
    """A plotly figure spec: one line per segment (best score, error bars: run spread), markers at changes."""
    traces: list[dict[str, Any]] = []
    for number, segment in enumerate(series.segments):
        traces.append({
            "type": "scatter", "mode": "lines+markers", "name": f"search {number + 1} ({segment.space_hash[:8]})",
            "x": [p.commit[:10] for p in segment.points], "y": [p.best_score for p in segment.points],
            "error_y": {"type": "data", "array": [p.spread or 0.0 for p in segment.points], "visible": True},
            "text": [f"{p.date or ''} {p.author or ''} runs={p.runs}" for p in segment.points],
        })
    for kind, colour in (("regression", "#d62728"), ("improvement", "#2ca02c")):
        found = [c for c in changes if c.kind == kind]
        if found:
            traces.append({"type": "scatter", "mode": "markers", "name": kind,
                           "marker": {"symbol": "x", "size": 14, "color": colour},
                           "x": [c.commit[:10] for c in found], "y": [c.after for c in found]})
    return {"data": traces, "layout": {"title": {"text": html.escape(series.experiment_id)},
                                       "xaxis": {"title": {"text": "commit"}, "type": "category"},
                                       "yaxis": {"title": {"text": f"best score ({series.direction})"}},
                                       "height": 420}}


def render_history(results: Sequence[tuple[Series, Sequence[Change]]]) -> str:
    """The page for ``results`` (each experiment's series and its changes)."""
    divs, scripts = [], []
    for i, (series, changes) in enumerate(results):
        divs.append(f'<div id="h{i}"></div>')
        spec = history_figure(series, changes)
        scripts.append(f"Plotly.newPlot('h{i}', {_json_for_script(spec['data'])}, "
                       f"{_json_for_script(spec['layout'])}, {{responsive: true}});")
    body = "".join(divs) or "<p>no runs recorded</p>"
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>tunekit history</title>"
            f"<script>{_plotly_js()}</script></head><body><h1>tunekit history</h1>{body}"
            f"<script>{''.join(scripts)}</script></body></html>")


def write_history(results: Sequence[tuple[Series, Sequence[Change]]], path: str | os.PathLike[str]) -> None:
    """Write the page atomically; raise :class:`ReportError` when it cannot."""
    text = render_history(results)
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise ReportError(f"{path}: cannot write the history page: {exc.strerror or exc}") from None
