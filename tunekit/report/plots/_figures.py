"""Plotly figure specifications (plain ``{"data": [...], "layout": {...}}`` dicts) drawn from plot data.

The specs are plain JSON so the report needs only plotly.js in the page, not plotly's Python object
layer at run time. Text that comes from results (names, values) is HTML-escaped here because plotly.js
renders a subset of HTML in labels and hover text.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any

from tunekit.report.plots._data import HistoryData, IntermediateData, ParallelData, SliceData, value_label

if TYPE_CHECKING:  # importance imports this package's data module: no cycle at run time
    from tunekit.report.importance import ParamImportance

__all__ = ["history_figure", "slice_figure", "importance_figure", "intermediate_figure", "parallel_figure",
           "Figure"]

Figure = dict[str, Any]

_POINT = "rgba(99, 136, 190, 0.65)"
_BEST_LINE = "#d1495b"
_BEST_MARK = "#f2a541"
_PRUNED = "rgba(209, 73, 91, 0.75)"
_COMPLETE = "rgba(120, 120, 120, 0.35)"
_FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 12}


def _text(value: Any) -> str:
    """Results text made safe for plotly.js labels (which interpret a few HTML tags)."""
    return html.escape(str(value), quote=False)


def _better(direction: str) -> str:
    return "higher is better" if direction == "maximize" else "lower is better"


def _layout(height: int, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "height": height, "margin": {"l": 60, "r": 20, "t": 30, "b": 45}, "font": _FONT,
        "paper_bgcolor": "white", "plot_bgcolor": "white", "hovermode": "closest",
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
    }
    layout.update(extra)
    return layout


def _axis(title: str, **extra: Any) -> dict[str, Any]:
    axis = {"title": {"text": _text(title)}, "gridcolor": "#eee", "zeroline": False, "linecolor": "#bbb",
            "automargin": True}
    axis.update(extra)
    return axis


def history_figure(data: HistoryData) -> Figure:
    """Each complete trial's score by trial number, the best-so-far line, and the best trial starred."""
    hover = [f"trial #{n}<br>score {s:.6g}<br>{_text(label)}"
             for n, s, label in zip(data.numbers, data.scores, data.labels)]
    traces: list[dict[str, Any]] = [
        {"type": "scatter", "mode": "markers", "name": "trial score", "x": data.numbers, "y": data.scores,
         "text": hover, "hoverinfo": "text", "marker": {"color": _POINT, "size": 7}},
        {"type": "scatter", "mode": "lines", "name": "best so far", "x": data.numbers, "y": data.best_so_far,
         "line": {"color": _BEST_LINE, "width": 2, "shape": "hv"}, "hoverinfo": "skip"},
    ]
    if data.best_number is not None:
        i = data.numbers.index(data.best_number)
        traces.append({"type": "scatter", "mode": "markers", "name": f"best (#{data.best_number})",
                       "x": [data.best_number], "y": [data.scores[i]], "text": [hover[i]], "hoverinfo": "text",
                       "marker": {"color": _BEST_MARK, "size": 15, "symbol": "star",
                                  "line": {"color": "#333", "width": 1}}})
    return {"data": traces, "layout": _layout(
        320, xaxis=_axis("trial number", rangemode="tozero"), yaxis=_axis(f"score ({_better(data.direction)})"))}


def slice_figure(data: SliceData) -> Figure:
    """Score against one parameter; colour shows the trial number, the star the best trial."""
    hover = [f"trial #{n}<br>{_text(data.name)}={_text(value_label(v))}<br>score {s:.6g}"
             for n, v, s in zip(data.numbers, data.values, data.scores)]
    traces: list[dict[str, Any]] = [{
        "type": "scatter", "mode": "markers", "name": "trials", "x": data.values, "y": data.scores,
        "text": hover, "hoverinfo": "text", "showlegend": False,
        "marker": {"color": data.numbers, "colorscale": "Blues", "cmin": -0.3 * max(data.numbers or [1]),
                   "cmax": max(data.numbers or [1]), "size": 7, "line": {"color": "#567", "width": 0.5}},
    }]
    if data.best_score is not None:
        traces.append({"type": "scatter", "mode": "markers", "name": "best", "showlegend": False,
                       "x": [data.best_value], "y": [data.best_score],
                       "hoverinfo": "skip",
                       "marker": {"color": _BEST_MARK, "size": 14, "symbol": "star",
                                  "line": {"color": "#333", "width": 1}}})
    title = f"{data.name} (log scale)" if data.log else data.name
    if data.kind == "categorical":
        xaxis = _axis(title, type="category", categoryorder="array",
                      categoryarray=data.categories, tickvals=data.categories,
                      ticktext=[_text(c) for c in data.categories or []])
    elif data.log:
        assert data.low is not None and data.high is not None
        pad = 0.03 * (math.log10(data.high) - math.log10(data.low))
        xaxis = _axis(title, type="log", range=[math.log10(data.low) - pad, math.log10(data.high) + pad])
    else:
        assert data.low is not None and data.high is not None
        pad = 0.03 * (data.high - data.low)
        xaxis = _axis(title, range=[data.low - pad, data.high + pad])
    return {"data": traces, "layout": _layout(260, margin={"l": 55, "r": 10, "t": 10, "b": 45},
                                               xaxis=xaxis, yaxis=_axis("score"))}


def importance_figure(data: ParamImportance) -> Figure:
    """Horizontal bars, most important parameter on top."""
    names, values = list(reversed(data.names)), list(reversed(data.importances))
    return {"data": [{"type": "bar", "orientation": "h", "x": values, "y": [_text(n) for n in names],
                      "text": [f"{v:.2f}" for v in values], "textposition": "auto", "hoverinfo": "x+y",
                      "marker": {"color": "#6388be"}}],
            "layout": _layout(70 + 26 * len(names), margin={"l": 20, "r": 20, "t": 10, "b": 40},
                              xaxis=_axis("importance (share of the score's variation)", range=[0, 1]),
                              yaxis=_axis("", type="category"), showlegend=False)}


def intermediate_figure(data: IntermediateData) -> Figure:
    """Intermediate values by step: pruned trials in red, complete ones in grey behind them."""
    traces = []
    for state, name, colour in (("COMPLETE", "complete trials", _COMPLETE), ("PRUNED", "pruned trials", _PRUNED),
                                ("FAIL", "failed trials", "rgba(60, 60, 60, 0.6)")):
        curves = [c for c in data.curves if c.state == state]
        if not curves:
            continue
        xs: list[float | None] = []
        ys: list[float | None] = []
        text: list[str] = []
        for curve in curves:  # one trace per state, curves split by gaps: thousands of trials stay light
            xs += [*curve.steps, None]
            ys += [*curve.values, None]
            text += [f"trial #{curve.number} ({state.lower()})"] * len(curve.steps) + [""]
        traces.append({"type": "scatter", "mode": "lines+markers", "name": name, "x": xs, "y": ys, "text": text,
                       "hovertemplate": "%{text}<br>step %{x}<br>value %{y:.6g}<extra></extra>",
                       "line": {"color": colour, "width": 1.5}, "marker": {"color": colour, "size": 4},
                       "connectgaps": False})
    return {"data": traces, "layout": _layout(300, xaxis=_axis("step"),
                                               yaxis=_axis(f"intermediate value ({_better(data.direction)})"))}


def parallel_figure(data: ParallelData) -> Figure:
    """One axis per parameter then the score; lines coloured by score, brighter is better."""
    dimensions = []
    for axis in data.axes:
        dim: dict[str, Any] = {"label": _text(axis.name), "values": axis.values, "range": [axis.low, axis.high]}
        if axis.tickvals is not None:
            dim["tickvals"] = axis.tickvals
            dim["ticktext"] = [_text(t) for t in axis.ticktext or []]
        dimensions.append(dim)
    dimensions.append({"label": "score", "values": data.scores})
    line = {"color": data.scores, "colorscale": "Viridis", "reversescale": data.direction == "minimize",
            "showscale": True, "colorbar": {"title": {"text": "score"}, "thickness": 12}}
    return {"data": [{"type": "parcoords", "line": line, "dimensions": dimensions,
                      "labelangle": 0, "labelside": "top"}],
            "layout": _layout(360, margin={"l": 70, "r": 70, "t": 60, "b": 30})}
