"""Plotly figure specifications (plain ``{"data": [...], "layout": {...}}`` dicts) drawn from plot data.

The specs are plain JSON so the report needs only plotly.js in the page, not plotly's Python object
layer at run time. Text that comes from results (names, values) is HTML-escaped here because plotly.js
renders a subset of HTML in labels and hover text.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any

from tunekit.report.plots._data import (
    HistoryData,
    IntermediateData,
    ParallelData,
    SliceData,
    linear_ticks,
    value_label,
)

if TYPE_CHECKING:  # importance imports this package's data module: no cycle at run time
    from tunekit.report.importance import ParamImportance

__all__ = [
    "Figure",
    "history_figure",
    "importance_figure",
    "intermediate_figure",
    "parallel_figure",
    "slice_figure",
]

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
             for n, s, label in zip(data.numbers, data.scores, data.labels, strict=False)]
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
    last = max(data.numbers)
    pad = max(0.5, 0.02 * last)  # room for the best trial's star at either end
    xaxis = _axis("trial number", range=[-pad, last + pad], tickformat="d")
    if last <= 12:
        xaxis["dtick"] = 1  # whole trial numbers, not 0.5 steps
    return {"data": traces, "layout": _layout(320, xaxis=xaxis, yaxis=_axis(f"score ({_better(data.direction)})"))}


def slice_figure(data: SliceData) -> Figure:
    """Score against one parameter; colour shows the trial number, the star the best trial. The axis title
    of a conditional parameter says under which condition, and in how many of the trials, it was active."""
    hover = [f"trial #{n}<br>{_text(data.name)}={_text(value_label(v))}<br>score {s:.6g}"
             for n, v, s in zip(data.numbers, data.values, data.scores, strict=False)]
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
    if data.condition or data.trials < data.complete:  # a conditional parameter: say where the dots come from
        where = f"when {data.condition}: " if data.condition else ""
        title += f" ({where}{data.trials} of {data.complete} trials)"
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


_VIRIDIS = ["#440154", "#46327e", "#365c8d", "#277f8e", "#1fa187", "#4ac16d", "#a0da39", "#fde725"]


def parallel_figure(data: ParallelData) -> Figure:
    """One vertical axis per parameter, then the score; each trial a line, coloured by score (yellow best).

    Drawn as SVG lines rather than plotly's WebGL ``parcoords`` trace: it shows in every browser (WebGL is
    often missing in VMs and headless browsers) and stays light with thousands of trials, because trials
    are grouped into one trace per colour band. The price is no brushing; hover a point for its trial.
    """
    low, high = min(data.scores), max(data.scores)
    if high == low:
        low, high = low - 0.5, high + 0.5
    axes = [(a.name, a.values, a.low, a.high, a.tickvals, a.ticktext) for a in data.axes]
    score_ticks = linear_ticks(low, high)
    axes.append(("score", data.scores, low, high, score_ticks[0], score_ticks[1]))
    spans = [(h - lo) or 1.0 for _, _, lo, h, _, _ in axes]
    bands: list[list[int]] = [[] for _ in _VIRIDIS]
    for i, score in enumerate(data.scores):
        goodness = (score - low) / (high - low)
        if data.direction == "minimize":
            goodness = 1 - goodness
        bands[min(len(_VIRIDIS) - 1, int(goodness * len(_VIRIDIS)))].append(i)
    traces: list[dict[str, Any]] = []
    for band, colour in zip(bands, _VIRIDIS, strict=False):  # worst first, so the best lines are drawn on top
        xs: list[float | None] = []
        ys: list[float | None] = []
        text: list[str] = []
        for i in band:
            xs += [*range(len(axes)), None]
            ys += [(values[i] - lo) / span for (_, values, lo, _, _, _), span in zip(axes, spans, strict=False)]
            ys.append(None)
            text += [f"trial #{data.numbers[i]}, score {data.scores[i]:.6g}"] * len(axes) + [""]
        if band:
            traces.append({"type": "scatter", "mode": "lines+markers", "x": xs, "y": ys, "text": text,
                           "hoverinfo": "text", "showlegend": False, "connectgaps": False,
                           "line": {"color": colour, "width": 1.2}, "marker": {"color": colour, "size": 4},
                           "opacity": 0.75})
    traces.append({"type": "scatter", "mode": "markers", "x": [0], "y": [0], "hoverinfo": "skip",
                   "showlegend": False, "marker": {
                       "color": [low], "cmin": low, "cmax": high, "colorscale": "Viridis",
                       "reversescale": data.direction == "minimize", "opacity": 0, "showscale": True,
                       "colorbar": {"title": {"text": "score"}, "thickness": 12}}})
    shapes = [{"type": "line", "x0": k, "x1": k, "y0": 0, "y1": 1, "line": {"color": "#777", "width": 1}}
              for k in range(len(axes))]
    annotations = []
    for k, (name, _, lo, h, tickvals, ticktext) in enumerate(axes):
        annotations.append({"x": k, "y": 1.04, "text": f"<b>{_text(name)}</b>", "showarrow": False,
                            "yanchor": "bottom"})
        if tickvals is None:
            tickvals, ticktext = linear_ticks(lo, h)
        for value, label in zip(tickvals, ticktext or [], strict=False):
            annotations.append({"x": k, "y": (value - lo) / ((h - lo) or 1.0), "text": _text(label),
                                "showarrow": False, "xanchor": "right", "xshift": -4,
                                "font": {"size": 10, "color": "#555"}})
    hidden = {"visible": False, "fixedrange": True}
    return {"data": traces, "layout": _layout(
        380, margin={"l": 80, "r": 30, "t": 40, "b": 20}, shapes=shapes, annotations=annotations,
        xaxis={**hidden, "range": [-0.4, len(axes) - 0.6]}, yaxis={**hidden, "range": [-0.04, 1.12]})}
