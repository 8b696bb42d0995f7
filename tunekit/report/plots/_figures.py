"""Plotly figure specifications (plain ``{"data": [...], "layout": {...}}`` dicts) drawn from plot data.

The specs are plain JSON so the report needs only plotly.js in the page, not plotly's Python object
layer at run time. Text that comes from results (names, values) is HTML-escaped here because plotly.js
renders a subset of HTML in labels and hover text.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any

from tunekit.report.plots._contour import ContourAxis, ContourData
from tunekit.report.plots._data import (
    AxisTicks,
    EdfData,
    HistoryData,
    IntermediateData,
    ParallelData,
    SliceData,
    linear_ticks,
    value_label,
)
from tunekit.report.plots._pareto import HypervolumeData, ParetoData, ParetoPoints

if TYPE_CHECKING:  # importance imports this package's data module: no cycle at run time
    from tunekit.report.importance import ParamImportance

__all__ = [
    "BASELINE_FRONT_NAME",
    "DOMINATED_NAME",
    "FRONT_NAME",
    "IMPORTANCE_TITLE",
    "INFEASIBLE_NAME",
    "LABEL_LINE",
    "PRUNED_NAME",
    "START_NAME",
    "Figure",
    "contour_figure",
    "edf_figure",
    "history_figure",
    "hypervolume_figure",
    "importance_figure",
    "intermediate_figure",
    "parallel_figure",
    "pareto_figure",
    "slice_figure",
    "wrap_label",
]

Figure = dict[str, Any]

_POINT = "rgba(99, 136, 190, 0.65)"
_BEST_LINE = "#d1495b"
_BEST_MARK = "#f2a541"
_PRUNED = "rgba(209, 73, 91, 0.75)"
_COMPLETE = "rgba(120, 120, 120, 0.35)"
_START = "#2a9d8f"
#: How start points and pruned trials are marked in the history and the slices (legend names, markers).
START_NAME = "start point (warm start)"
PRUNED_NAME = "pruned (last reported value)"
_START_MARKER = {"color": _START, "size": 9, "symbol": "diamond", "line": {"color": "#1d3d39", "width": 1}}
_PRUNED_MARKER = {"color": _PRUNED, "size": 8, "symbol": "x-thin-open", "line": {"color": _PRUNED, "width": 2}}
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


#: Longest line of a slice's axis title (a slice is about 340 px wide); longer titles wrap.
SLICE_TITLE_LINE = 44
#: Longest line of a contour's axis title (the y title runs along 380 px).
CONTOUR_TITLE_LINE = 50


def _wrapped(title: str, width: int | None) -> str:
    if width is None:
        return _text(title)
    return "<br>".join(_text(line) for line in wrap_label(title, width))


def _axis(title: str, *, wrap: int | None = None, **extra: Any) -> dict[str, Any]:
    axis = {"title": {"text": _wrapped(title, wrap)}, "gridcolor": "#eee", "zeroline": False, "linecolor": "#bbb",
            "automargin": True}
    axis.update(extra)
    return axis


def _log_axis_ticks(ticks: AxisTicks | None) -> dict[str, Any]:
    """A log axis's ticks as the data layer chose them (plotly's own would mix 1µ with 0.001)."""
    if ticks is None:
        return {}
    return {"tickmode": "array", "tickvals": ticks.values, "ticktext": ticks.labels}


def history_figure(data: HistoryData) -> Figure:
    """Each complete trial's score by trial number, the best-so-far line, and the best trial starred; start
    points (warm start) as diamonds and pruned trials, at their last reported value, as crosses."""
    hover = [f"trial #{n}{' (start point)' if start else ''}<br>score {s:.6g}<br>{_text(label)}"
             for n, s, label, start in zip(data.numbers, data.scores, data.labels,
                                           data.warm_start or [False] * len(data.numbers), strict=False)]
    starts = [i for i, start in enumerate(data.warm_start) if start]
    others = [i for i in range(len(data.numbers)) if i not in set(starts)]
    traces: list[dict[str, Any]] = [
        {"type": "scatter", "mode": "markers", "name": "trial score", "x": [data.numbers[i] for i in others],
         "y": [data.scores[i] for i in others], "text": [hover[i] for i in others], "hoverinfo": "text",
         "marker": {"color": _POINT, "size": 7}},
    ]
    if starts:
        traces.append({"type": "scatter", "mode": "markers", "name": START_NAME,
                       "x": [data.numbers[i] for i in starts], "y": [data.scores[i] for i in starts],
                       "text": [hover[i] for i in starts], "hoverinfo": "text", "marker": _START_MARKER})
    if data.pruned_numbers:
        traces.append({"type": "scatter", "mode": "markers", "name": PRUNED_NAME, "x": data.pruned_numbers,
                       "y": data.pruned_values, "hoverinfo": "text", "marker": _PRUNED_MARKER,
                       "text": [f"trial #{n} (pruned)<br>last reported value {v:.6g}<br>{_text(label)}"
                                for n, v, label in zip(data.pruned_numbers, data.pruned_values,
                                                       data.pruned_labels, strict=False)]})
    traces.append({"type": "scatter", "mode": "lines", "name": "best so far", "x": data.numbers,
                   "y": data.best_so_far, "line": {"color": _BEST_LINE, "width": 2, "shape": "hv"},
                   "hoverinfo": "skip"})
    if data.best_number is not None:
        i = data.numbers.index(data.best_number)
        traces.append({"type": "scatter", "mode": "markers", "name": f"best (#{data.best_number})",
                       "x": [data.best_number], "y": [data.scores[i]], "text": [hover[i]], "hoverinfo": "text",
                       "marker": {"color": _BEST_MARK, "size": 15, "symbol": "star",
                                  "line": {"color": "#333", "width": 1}}})
    last = max([*data.numbers, *data.pruned_numbers])
    pad = max(0.5, 0.02 * last)  # room for the best trial's star at either end
    xaxis = _axis("trial number", range=[-pad, last + pad], tickformat="d")
    if last <= 12:
        xaxis["dtick"] = 1  # whole trial numbers, not 0.5 steps
    return {"data": traces, "layout": _layout(320, xaxis=xaxis, yaxis=_axis(f"score ({_better(data.direction)})"))}


def slice_figure(data: SliceData) -> Figure:
    """Score against one parameter; colour shows the trial number, the star the best trial, a diamond a
    start point (warm start), a cross a pruned trial at its last reported value. The axis title of a
    conditional parameter says under which condition, and in how many of the trials, it was active."""
    starts = [i for i, start in enumerate(data.warm_start) if start]
    others = [i for i in range(len(data.numbers)) if i not in set(starts)]
    hover = [f"trial #{n}{' (start point)' if i in starts else ''}<br>{_text(data.name)}="
             f"{_text(value_label(v))}<br>score {s:.6g}"
             for i, (n, v, s) in enumerate(zip(data.numbers, data.values, data.scores, strict=False))]
    top = max([*data.numbers, *data.pruned_numbers] or [1])
    traces: list[dict[str, Any]] = [{
        "type": "scatter", "mode": "markers", "name": "trials", "x": [data.values[i] for i in others],
        "y": [data.scores[i] for i in others], "text": [hover[i] for i in others], "hoverinfo": "text",
        "showlegend": False,
        "marker": {"color": [data.numbers[i] for i in others], "colorscale": "Blues", "cmin": -0.3 * top,
                   "cmax": top, "size": 7, "line": {"color": "#567", "width": 0.5}},
    }]
    if starts:
        traces.append({"type": "scatter", "mode": "markers", "name": START_NAME,
                       "x": [data.values[i] for i in starts], "y": [data.scores[i] for i in starts],
                       "text": [hover[i] for i in starts], "hoverinfo": "text", "marker": _START_MARKER})
    if data.pruned_numbers:
        traces.append({"type": "scatter", "mode": "markers", "name": PRUNED_NAME, "x": data.pruned_values,
                       "y": data.pruned_scores, "hoverinfo": "text", "marker": _PRUNED_MARKER,
                       "text": [f"trial #{n} (pruned)<br>{_text(data.name)}={_text(value_label(v))}<br>"
                                f"last reported value {s:.6g}"
                                for n, v, s in zip(data.pruned_numbers, data.pruned_values, data.pruned_scores,
                                                   strict=False)]})
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
        xaxis = _axis(title, wrap=SLICE_TITLE_LINE, type="category", categoryorder="array",
                      categoryarray=data.categories, tickvals=data.categories,
                      ticktext=[_text(c) for c in data.categories or []])
    elif data.log:
        assert data.low is not None and data.high is not None
        pad = 0.03 * (math.log10(data.high) - math.log10(data.low))
        xaxis = _axis(title, wrap=SLICE_TITLE_LINE, type="log",
                      range=[math.log10(data.low) - pad, math.log10(data.high) + pad], **_log_axis_ticks(data.ticks))
    else:
        assert data.low is not None and data.high is not None
        pad = 0.03 * (data.high - data.low)
        xaxis = _axis(title, wrap=SLICE_TITLE_LINE, range=[data.low - pad, data.high + pad])
    legend = len(traces) > 1 + (data.best_score is not None)  # start points or pruned trials: say which is which
    extra_lines = xaxis["title"]["text"].count("<br>")
    return {"data": traces, "layout": _layout(
        260 + 20 * legend + 15 * extra_lines,
        margin={"l": 55, "r": 10, "t": 30 if legend else 10, "b": 45 + 15 * extra_lines}, xaxis=xaxis,
        yaxis=_axis("score"), showlegend=legend,
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom", "font": {"size": 10}})}


#: The importance plot's axis title: short, so that it fits under the bars in the report's narrow column.
IMPORTANCE_TITLE = "share of the score's variation"
#: Longest line of a parameter name beside an importance bar; longer names wrap at ``_ . - /`` or are cut.
LABEL_LINE = 22
#: Width of a character of the 12 px labels, generously (digits and capitals are the widest).
_CHAR_PX = 7.2


_BREAKS = "_.-/ "


def wrap_label(name: str, width: int = LABEL_LINE) -> list[str]:
    """``name`` in lines of at most ``width`` characters, broken after ``_ . - /`` or spaces where it can."""
    pieces: list[str] = []
    piece = ""
    for k, char in enumerate(name):  # a piece ends after a run of separators: "learning__", "rate_", "init"
        piece += char
        if char in _BREAKS and (k + 1 == len(name) or name[k + 1] not in _BREAKS):
            pieces.append(piece)
            piece = ""
    if piece:
        pieces.append(piece)
    lines: list[str] = []
    line = ""
    for piece in pieces:
        while len(piece) > width:  # one piece longer than a line: cut it
            if line:
                lines.append(line)
                line = ""
            lines.append(piece[:width])
            piece = piece[width:]
        if len(line) + len(piece) > width:
            lines.append(line)
            line = ""
        line += piece
    if line:
        lines.append(line)
    return [text.rstrip() or text for text in lines]


def importance_figure(data: ParamImportance) -> Figure:
    """Horizontal bars, most important parameter on top. The left margin is sized from the longest
    label line (long names wrap), so no name is cut off whatever the browser's own margin logic does."""
    names, values = list(reversed(data.names)), list(reversed(data.importances))
    wrapped = [wrap_label(n) for n in names]
    longest = max((len(line) for lines in wrapped for line in lines), default=1)
    lines = max((len(w) for w in wrapped), default=1)
    labels = ["<br>".join(_text(line) for line in w) for w in wrapped]
    return {"data": [{"type": "bar", "orientation": "h", "x": values, "y": labels,
                      "text": [f"{v:.2f}" for v in values], "textposition": "auto", "hoverinfo": "x+y",
                      "marker": {"color": "#6388be"}}],
            "layout": _layout(80 + (12 + 14 * lines) * len(names),
                              margin={"l": 16 + math.ceil(_CHAR_PX * longest), "r": 20, "t": 10, "b": 50},
                              xaxis=_axis(IMPORTANCE_TITLE, range=[0, 1]),
                              yaxis=_axis("", type="category", automargin=False), showlegend=False)}



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


#: About how wide the parallel coordinates' plot area is in the report, to wrap axis names.
_PARALLEL_PX = 1000

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
    # Axis names wrap to the room each axis has (the report is about 1,100 px wide), so they never overlap.
    width = max(10, int(_PARALLEL_PX / len(axes) / _CHAR_PX))
    names = [wrap_label(name, width) for name, *_ in axes]
    for k, (lines, (_, _, lo, h, tickvals, ticktext)) in enumerate(zip(names, axes, strict=True)):
        annotations.append({"x": k, "y": 1.04, "text": "<br>".join(f"<b>{_text(line)}</b>" for line in lines),
                            "showarrow": False, "yanchor": "bottom"})
        if tickvals is None:
            tickvals, ticktext = linear_ticks(lo, h)
        for value, label in zip(tickvals, ticktext or [], strict=False):
            annotations.append({"x": k, "y": (value - lo) / ((h - lo) or 1.0), "text": _text(label),
                                "showarrow": False, "xanchor": "right", "xshift": -4,
                                "font": {"size": 10, "color": "#555"}})
    hidden = {"visible": False, "fixedrange": True}
    return {"data": traces, "layout": _layout(
        380 + 15 * (max(map(len, names)) - 1), shapes=shapes, annotations=annotations,
        margin={"l": 80, "r": 30, "t": 40 + 15 * (max(map(len, names)) - 1), "b": 20},
        xaxis={**hidden, "range": [-0.4, len(axes) - 0.6]}, yaxis={**hidden, "range": [-0.04, 1.12]})}


# --- contour --------------------------------------------------------------------------------------------

def _contour_axis(axis: ContourAxis) -> dict[str, Any]:
    title = f"{axis.name} (log scale)" if axis.log else axis.name
    if axis.condition:
        title += f" (when {axis.condition})"
    if axis.kind == "categorical":
        return _axis(title, wrap=CONTOUR_TITLE_LINE, type="category", categoryorder="array", categoryarray=axis.grid,
                     tickvals=axis.grid, ticktext=[_text(c) for c in axis.grid], showgrid=False)
    assert axis.low is not None and axis.high is not None
    if axis.log:
        return _axis(title, wrap=CONTOUR_TITLE_LINE, type="log", range=[math.log10(axis.low), math.log10(axis.high)],
                     showgrid=False, **_log_axis_ticks(axis.ticks))
    return _axis(title, wrap=CONTOUR_TITLE_LINE, range=[axis.low, axis.high], showgrid=False)


def contour_figure(data: ContourData) -> Figure:
    """The interpolated score as filled contours (a heatmap when an axis is categorical), coloured like the
    parallel coordinates (yellow best), with the trials as dots over it and the best trial starred."""
    numeric = data.x.kind != "categorical" and data.y.kind != "categorical"
    surface: dict[str, Any] = {
        "type": "contour" if numeric else "heatmap", "x": data.x.grid, "y": data.y.grid, "z": data.z,
        "colorscale": "Viridis", "reversescale": data.direction == "minimize", "connectgaps": False,
        "hovertemplate": f"{_text(data.x.name)}=%{{x}}<br>{_text(data.y.name)}=%{{y}}<br>"
                         "score %{z:.4g} (interpolated)<extra></extra>",
        "colorbar": {"title": {"text": "score"}, "thickness": 12}}
    if numeric:
        surface.update(contours={"coloring": "heatmap", "showlines": True}, ncontours=14,
                       line={"width": 0.5, "color": "rgba(255, 255, 255, 0.5)"})
    hover = [f"trial #{n}<br>{_text(data.x.name)}={_text(value_label(x))}<br>"
             f"{_text(data.y.name)}={_text(value_label(y))}<br>score {s:.6g}"
             for n, x, y, s in zip(data.numbers, data.x.values, data.y.values, data.scores, strict=False)]
    traces: list[dict[str, Any]] = [surface, {
        "type": "scatter", "mode": "markers", "name": "trials", "x": data.x.values, "y": data.y.values,
        "text": hover, "hoverinfo": "text", "showlegend": False,
        "marker": {"color": "rgba(255, 255, 255, 0.85)", "size": 6, "line": {"color": "#222", "width": 1}}}]
    if data.best_number is not None:
        i = data.numbers.index(data.best_number)
        traces.append({"type": "scatter", "mode": "markers", "name": "best", "showlegend": False,
                       "x": [data.x.values[i]], "y": [data.y.values[i]], "text": [hover[i]], "hoverinfo": "text",
                       "marker": {"color": _BEST_MARK, "size": 15, "symbol": "star",
                                  "line": {"color": "#333", "width": 1}}})
    annotations = []
    if data.trials < data.complete:  # a conditional pair: say how many trials the surface comes from
        annotations.append({"x": 0, "y": 1.0, "xref": "paper", "yref": "paper", "xanchor": "left",
                            "yanchor": "bottom", "showarrow": False, "font": {"size": 11, "color": "#555"},
                            "text": f"{data.trials} of {data.complete} complete trials have both parameters"})
    xaxis, yaxis = _contour_axis(data.x), _contour_axis(data.y)
    x_lines, y_lines = (axis["title"]["text"].count("<br>") for axis in (xaxis, yaxis))
    return {"data": traces, "layout": _layout(
        380 + 15 * x_lines, margin={"l": 70 + 15 * y_lines, "r": 20, "t": 30, "b": 50 + 15 * x_lines},
        xaxis=xaxis, yaxis=yaxis, annotations=annotations, showlegend=False)}


# --- empirical distribution function --------------------------------------------------------------------

def edf_figure(data: EdfData) -> Figure:
    """The share of trials at least as good as each score, as a step line (falling from the left when
    maximizing, rising when minimizing: in both, the good end is where few trials reach)."""
    hover = [f"{share:.0%} of the trials score {'≥' if data.direction == 'maximize' else '≤'} {score:.6g}"
             for score, share in zip(data.scores, data.shares, strict=False)]
    trace = {"type": "scatter", "mode": "lines+markers", "name": "trials", "x": data.scores, "y": data.shares,
             "text": hover, "hoverinfo": "text", "showlegend": False,
             "line": {"color": "#6388be", "width": 2, "shape": "vh" if data.direction == "maximize" else "hv"},
             "marker": {"color": "#6388be", "size": 4}}
    return {"data": [trace], "layout": _layout(
        300, xaxis=_axis(f"score ({_better(data.direction)})"),
        yaxis=_axis("share of trials at least this good", range=[0, 1.05], tickformat=".0%"),
        showlegend=False)}


_FRONT = "#1f6fb2"
_DOMINATED = "rgba(140, 140, 140, 0.45)"
_INFEASIBLE = "rgba(190, 190, 190, 0.6)"
_BASELINE = "#8a5a00"
#: Legend names of the Pareto-front plot's traces.
FRONT_NAME = "Pareto front"
DOMINATED_NAME = "dominated"
INFEASIBLE_NAME = "infeasible (misses a limit)"
BASELINE_FRONT_NAME = "baseline's front"


#: Longest line of the objectives' axis titles (x and y) in the Pareto-front and hypervolume plots.
_TITLE_X = 64
_TITLE_Y = 34


def _objective_title(name: str, direction: str, limit: float | None) -> str:
    bound = "" if limit is None else f", {'>=' if direction == 'maximize' else '<='} {limit:g}"
    return f"{name} ({'max' if direction == 'maximize' else 'min'}{bound})"


def pareto_figure(data: ParetoData) -> Figure:
    """Two objectives of every complete trial: the front in colour (joined as a staircase), dominated trials in
    grey, infeasible ones as pale crosses, the selected trial starred and the baseline's front dashed."""
    def hover(points: ParetoPoints, kind: str) -> list[str]:
        return [f"trial #{n} ({kind})<br>{_text(data.x_name)} {x:.6g}<br>{_text(data.y_name)} {y:.6g}"
                for n, x, y in zip(points.numbers, points.x, points.y, strict=False)]

    # the staircase bounds what the front dominates: between two front points (sorted by x) that is the level of
    # the one that reaches over the gap, the left one when x is minimised (step after it), the right one else
    shape = "vh" if data.x_direction == "maximize" else "hv"
    traces: list[dict[str, Any]] = []
    if data.infeasible.numbers:
        traces.append({"type": "scatter", "mode": "markers", "name": INFEASIBLE_NAME, "x": data.infeasible.x,
                       "y": data.infeasible.y, "text": hover(data.infeasible, "infeasible"), "hoverinfo": "text",
                       "marker": {"color": _INFEASIBLE, "size": 7, "symbol": "x"}})
    if data.dominated.numbers:
        traces.append({"type": "scatter", "mode": "markers", "name": DOMINATED_NAME, "x": data.dominated.x,
                       "y": data.dominated.y, "text": hover(data.dominated, "dominated"), "hoverinfo": "text",
                       "marker": {"color": _DOMINATED, "size": 7}})
    if data.baseline_front is not None and data.baseline_front.numbers:
        traces.append({"type": "scatter", "mode": "lines+markers", "name": BASELINE_FRONT_NAME,
                       "x": data.baseline_front.x, "y": data.baseline_front.y,
                       "text": hover(data.baseline_front, "baseline"), "hoverinfo": "text",
                       "line": {"color": _BASELINE, "width": 1.5, "dash": "dash", "shape": shape},
                       "marker": {"color": "white", "size": 7, "line": {"color": _BASELINE, "width": 1.5}}})
    if data.front.numbers:
        traces.append({"type": "scatter", "mode": "lines+markers", "name": FRONT_NAME, "x": data.front.x,
                       "y": data.front.y, "text": hover(data.front, "front"), "hoverinfo": "text",
                       "line": {"color": _FRONT, "width": 2, "shape": shape},
                       "marker": {"color": _FRONT, "size": 9}})
    if data.selected is not None and data.selected in data.front.numbers:
        i = data.front.numbers.index(data.selected)
        traces.append({"type": "scatter", "mode": "markers", "name": f"selected (#{data.selected})",
                       "x": [data.front.x[i]], "y": [data.front.y[i]], "hoverinfo": "skip",
                       "marker": {"color": _BEST_MARK, "size": 15, "symbol": "star",
                                  "line": {"color": "#333", "width": 1}}})
    # long objective names wrap: the y axis has about 280 px of height, the x axis twice that width
    return {"data": traces, "layout": _layout(
        360, xaxis=_axis(_objective_title(data.x_name, data.x_direction, data.limits[0]), wrap=_TITLE_X),
        yaxis=_axis(_objective_title(data.y_name, data.y_direction, data.limits[1]), wrap=_TITLE_Y))}


def hypervolume_figure(data: HypervolumeData) -> Figure:
    """The front's hypervolume after each trial, and the baseline's as a dashed level."""
    reference = ", ".join(f"{name} {value:.4g}" for name, value in data.reference.items())
    traces: list[dict[str, Any]] = [
        {"type": "scatter", "mode": "lines", "name": "hypervolume", "x": data.numbers, "y": data.values,
         "line": {"color": _FRONT, "width": 2, "shape": "hv"}, "hovertemplate": "after trial #%{x}: %{y:.6g}"
         "<extra></extra>"}]
    if data.baseline is not None and data.numbers:
        traces.append({"type": "scatter", "mode": "lines", "name": f"baseline ({data.baseline:.4g})",
                       "x": [data.numbers[0], data.numbers[-1]], "y": [data.baseline, data.baseline],
                       "line": {"color": _BASELINE, "width": 1.5, "dash": "dash"}, "hoverinfo": "skip"})
    xaxis = _axis(f"trial number; reference point: {reference}", wrap=_TITLE_X, tickformat="d")
    if data.numbers and data.numbers[-1] <= 12:
        xaxis["dtick"] = 1
    return {"data": traces, "layout": _layout(320, xaxis=xaxis, yaxis=_axis("hypervolume"))}
