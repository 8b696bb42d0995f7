"""The self-contained HTML report: leaderboard, baseline comparison, hints and plots in one file.

Everything is inline (CSS, plotly.js, the figures' data), so the file opens offline, attached to a CI run
or e-mailed. Figures are drawn in the browser by plotly.js from specs built by :mod:`tunekit.report.plots`;
plotly.js adds about 4.8 MB once per file, whatever the number of trials.

Used by ``tunekit --html PATH`` (at the end of a run) and ``tunekit report RESULTS.json -o PATH``.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tunekit.compare import compare_documents, provenance_warnings
from tunekit.errors import ReportError, SpaceError
from tunekit.report.diagnostics import diagnose
from tunekit.report.importance import METHOD, MIN_TRIALS, ParamImportance, param_importance
from tunekit.report.leaderboard import (
    best_ever_text,
    display_ids,
    format_objectives,
    format_params,
    format_score,
    format_value,
)
from tunekit.report.plots import (
    ContourSkipped,
    Figure,
    condition_label,
    contour_data,
    contour_figure,
    edf_data,
    edf_figure,
    history_data,
    history_figure,
    hypervolume_data,
    hypervolume_figure,
    importance_figure,
    intermediate_data,
    intermediate_figure,
    parallel_data,
    parallel_figure,
    pareto_data,
    pareto_figure,
    slice_data,
    slice_figure,
)
from tunekit.results import ExperimentResult, ResultsDocument, write_atomic
from tunekit.space import Dimension
from tunekit.trial import TrialState

if TYPE_CHECKING:
    from tunekit.store import RecordedBest

__all__ = ["BaselineRow", "ReportError", "baseline_rows", "dimension_text", "render_report", "write_report"]

_TOP_TRIALS = 10
_FAILED_SHOWN = 20


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _json_for_script(data: Any) -> str:
    """JSON that is safe inside ``<script>``: ``<``, ``>`` and ``&`` become ``\\u`` escapes, so no value
    can close the element (``</script>``) or open a comment, and U+2028/9 cannot break older parsers."""
    text = json.dumps(data, allow_nan=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def _plotly_js() -> str:
    try:
        from plotly.offline import get_plotlyjs
    except ImportError:
        raise ReportError("the HTML report needs plotly: pip install 'plotly>=5.20'") from None
    source = get_plotlyjs()
    # Never let the library's text end our <script> element early (it does not today; stay safe).
    return re.sub(r"</(script)", r"<\\/\1", source, flags=re.IGNORECASE).replace("<!--", "<\\!--")


# --- baseline comparison ---------------------------------------------------------------------------

@dataclass(frozen=True)
class BaselineRow:
    """One experiment's best score in the baseline and now, and what the change means."""

    id: str
    direction: str
    baseline: float | None
    current: float | None
    delta: float | None  # current - baseline
    change: str  # "better", "worse", "same" or "" when a side is missing
    verdict: str  # tunekit.compare's: improved, unchanged, regressed, new or missing
    #: The objective (after the first) or ``"hypervolume"`` that the row judges, for an experiment with several
    #: objectives that declared a tolerance for it; ``None`` for the score.
    objective: str | None = None


def _change(direction: str, delta: float | None) -> str:
    if delta is None:
        return ""
    if delta == 0:
        return "same"
    return "better" if (delta > 0) == (direction == "maximize") else "worse"


def baseline_rows(doc: ResultsDocument, baseline: ResultsDocument) -> list[BaselineRow]:
    """Per-experiment comparison with ``baseline``: the best scores, their delta, whether that is better
    in the experiment's direction, and :mod:`tunekit.compare`'s noise-aware verdict (with each
    experiment's own tolerance, as ``tunekit compare`` judges it), followed for an experiment with several
    objectives by a row per objective and for the hypervolume that it declared a tolerance for."""
    return [BaselineRow(id=c.id, direction=c.direction, baseline=c.baseline, current=c.current, delta=c.delta,
                        change=_change(c.direction, c.delta), verdict=c.verdict.value, objective=c.objective)
            for c in compare_documents(baseline, doc, objectives=True)]


# --- page pieces --------------------------------------------------------------------------------------

def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes < 60 else f"{minutes // 60}h{minutes % 60:02d}m"


def _trials_text(exp: ExperimentResult) -> str:
    parts = [f"{exp.count(TrialState.COMPLETE)}/{exp.budget.get('trials', len(exp.trials))} complete"]
    for state, word in ((TrialState.PRUNED, "pruned"), (TrialState.FAIL, "failed")):
        if exp.count(state):
            parts.append(f"{exp.count(state)} {word}")
    return ", ".join(parts)


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], css: str = "") -> str:
    """A table from already-escaped cells."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _when(created: str) -> str:
    """``2026-01-01T10:00:00+00:00`` as ``2026-01-01 10:00 UTC`` (anything else as it is)."""
    match = re.fullmatch(r"(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(?::\d\d(?:\.\d+)?)?(\+00:00|Z)", created or "")
    return f"{match.group(1)} {match.group(2)} UTC" if match else (created or "?")


def _header(doc: ResultsDocument, source: str | None) -> str:
    commit = doc.commit_info or {}
    machine = doc.machine_info or {}
    bits = [f"created {_e(_when(doc.created))}"]
    if doc.tunekit_version:
        bits.append(f"tunekit {_e(doc.tunekit_version)}")
    if commit.get("id"):
        bits.append(f"commit {_e(str(commit['id'])[:12])}{' (dirty)' if commit.get('dirty') else ''}"
                    + (f" on {_e(commit['branch'])}" if commit.get("branch") else ""))
    if machine.get("node"):
        bits.append(f"machine {_e(machine.get('node'))} ({_e(machine.get('system', ''))}, "
                    f"Python {_e(machine.get('python_version', '?'))}, {_e(machine.get('cpu_count', '?'))} CPUs)")
    if source:
        bits.append(f"from {_e(source)}")
    return f'<header><h1>tunekit report</h1><p class="meta">{" · ".join(bits)}</p></header>'


def _best_ever_cell(exp: ExperimentResult, recorded: RecordedBest | None) -> str:
    text = best_ever_text(exp, recorded)
    if recorded is None or text in ("this run", "-"):
        return _e(text)
    return f'<span class="num" title="run {_e(recorded.run_id)}">{_e(text)}</span>'


def _leaderboard(doc: ResultsDocument, names: list[str], recorded_best: Mapping[str, RecordedBest] | None) -> str:
    rows = []
    for i, (name, exp) in enumerate(zip(names, doc.experiments, strict=False)):
        best = exp.best
        hints = len(diagnose(exp))
        ever = [] if recorded_best is None else [_best_ever_cell(exp, recorded_best.get(exp.id))]
        rows.append([
            f'<a href="#exp-{i}" title="{_e(exp.id)}">{_e(name)}</a>',
            f'<span class="num">{_e(format_score(best.score, best.score_std) if best else "-")}</span>',
            *ever,
            "max" if exp.direction == "maximize" else "min", _e(exp.strategy), _e(_trials_text(exp)),
            _duration(exp.duration_s), _e(format_params(best.params)) if best else "",
            f'<span class="status {_e(exp.status)}">{_e(exp.status)}</span>',
            f'<a href="#exp-{i}" class="hints">{hints} hint{"s" if hints != 1 else ""}</a>' if hints else "",
        ])
    ever_header = [] if recorded_best is None else ["best ever recorded"]
    table = _table(["experiment", "best score ± fold std", *ever_header, "goal", "strategy", "trials", "time",
                    "best params", "status", "hints"], rows, "leaderboard")
    return f'<section id="leaderboard"><h2>Leaderboard</h2>{table}</section>'


def _baseline_section(rows: list[BaselineRow], label: str, warnings: Sequence[str]) -> str:
    def num(value: float | None, signed: bool = False) -> str:
        return "-" if value is None else f"{value:+.6g}" if signed else f"{value:.6g}"

    body = [[_e(r.id if r.objective is None else f"{r.id} [{r.objective}]"), num(r.baseline), num(r.current),
             f'<span class="{_e(r.change)}">{num(r.delta, True)}</span>',
             _e(r.change or "-"), f'<span class="verdict {_e(r.verdict)}">{_e(r.verdict)}</span>'] for r in rows]
    notes = "".join(f'<li class="hint">{_e(w)}</li>' for w in warnings)
    return (f'<section id="baseline"><h2>Compared with the baseline</h2><p class="meta">baseline: {_e(label)}; '
            f"best score of each experiment there and now; delta = now - baseline; better/worse follows each "
            f"experiment's goal; the verdict allows for fold noise.</p>{f'<ul>{notes}</ul>' if notes else ''}"
            + _table(["experiment", "baseline best", "current best", "delta", "change", "verdict"], body,
                     "baseline") + "</section>")


def dimension_text(dim: Mapping[str, Any]) -> str:
    """A results file's dimension as it is declared, its condition after it: ``Integer(2, 5) when
    kernel='poly'``, ``Real(0.001, 1000.0, log=True)``."""
    try:
        text = repr(Dimension.from_dict({key: value for key, value in dim.items() if key != "when"}))
    except SpaceError:  # not a dimension this tunekit knows: show what the file says
        text = json.dumps({key: value for key, value in dim.items() if key != "when"}, default=str)
    condition = condition_label(dim)
    return f"{text} when {condition}" if condition else text


def _space(exp: ExperimentResult) -> str:
    """The search space, one row per parameter: its dimension, its condition, and in how many trials it
    was active (a conditional parameter has a value only in those)."""
    conditional = sum(bool(condition_label(dim)) for dim in exp.space.values())
    rows = []
    for name, dim in exp.space.items():
        active = sum(name in t.params for t in exp.trials)
        rows.append([f"<b>{_e(name)}</b>", f"<code>{_e(dimension_text(dim))}</code>",
                     "every trial" if active == len(exp.trials) else f"{active} of {len(exp.trials)} trials"])
    summary = f"Search space: {len(exp.space)} parameter{'s' if len(exp.space) != 1 else ''}"
    if conditional:
        summary += f", {conditional} conditional"
    return (f'<details class="space"><summary>{summary}</summary>'
            f"{_table(['parameter', 'dimension', 'active in'], rows, 'space')}</details>")


_CAPTIONS = {
    "history": "Each dot is a complete trial's score, in the order the trials ran; the line is the best score "
               "found so far and the star the best trial. A line still climbing at the end means more trials "
               "would likely help. Diamonds are start points (warm start), crosses pruned trials at the last "
               "value they reported. Hover a dot for the trial's parameters.",
    "importance": "How much of the score's variation each parameter explains: " + METHOD + ".",
    "slices": "Score against each parameter, one plot per parameter: where the good values lie, and whether the "
              "best one sits at the edge of its range. Darker dots are later trials; the star is the best trial, "
              "diamonds start points (warm start), crosses pruned trials at the last value they reported.",
    "contour": "The score over the two most important parameters, interpolated between the complete trials "
               "(inverse-distance weighting; the dots are the trials, the star the best): where the good region "
               "lies and whether the two interact. Yellow is best; far from any dot the colours are a guess.",
    "edf": "Empirical distribution of the complete trials' scores: for each score, the share of trials at least "
           "as good. A curve that stays high towards the good end means good values were easy to find.",
    "intermediate": "Values the trials reported while running (trial.report), by step: pruned trials in red were "
                    "stopped early by the pruner; complete trials in grey for reference.",
    "pareto": "Each complete trial's values of two objectives: the Pareto front (the feasible trials no other "
              "beats on every objective) in blue, joined as a staircase; the trials it dominates in grey, those "
              "that miss a limit as pale crosses; the star is the selected trial (the best first objective among "
              "the feasible ones). A dashed line is the baseline's front, when the report compares with one. With "
              "three objectives, one plot per pair, the front being non-dominated in all three.",
    "hypervolume": "The hypervolume of the front after each trial: the area (with three objectives, the volume) "
                   "that the front dominates, bounded by the reference point (the baseline's when the report "
                   "compares with one, the dashed line its hypervolume). A curve still rising at the end means "
                   "more trials would likely widen the front.",
    "parallel": "Every complete trial as a line through one axis per parameter and then its score, coloured by "
                "score (yellow is best): follow the yellow lines to see which values the best trials share. "
                "Hover a point for its trial.",
}


class _Figures:
    """Collects figure specs and hands out the ``<div>`` each is drawn into."""

    def __init__(self) -> None:
        self.specs: dict[str, Figure] = {}

    def div(self, key: str, kind: str, spec: Figure) -> str:
        self.specs[key] = spec
        return f'<div class="plot" id="{key}" data-plot="{kind}"></div>'


def _block(title: str, kind: str, content: str, css: str = "") -> str:
    return (f'<div class="block {css}"><h3>{title}</h3><p class="caption">{_e(_CAPTIONS[kind])}</p>'
            f"{content}</div>")


def _contour_block(i: int, exp: ExperimentResult, importance: ParamImportance | None, figures: _Figures) -> str:
    data = contour_data(exp, importance.names if importance is not None else None)
    if isinstance(data, ContourSkipped):
        return f'<div class="block wide"><h3>Contour</h3><p class="caption">{_e(data.reason)}</p></div>'
    title = f"Contour: {_e(data.x.name)} and {_e(data.y.name)}"
    return _block(title, "contour", figures.div(f"fig-{i}-contour", "contour", contour_figure(data)), "wide")


def _edf_block(i: int, exp: ExperimentResult, figures: _Figures) -> str:
    data = edf_data(exp)
    if data is None:
        return ""
    return _block("Empirical distribution of the scores", "edf", figures.div(f"fig-{i}-edf", "edf", edf_figure(data)))


def _objectives_row(i: int, exp: ExperimentResult, baseline: ExperimentResult | None, figures: _Figures) -> str:
    """The Pareto-front plots and the hypervolume over the trials of an experiment with two or three objectives."""
    blocks = [_block(f"Pareto front: {_e(d.x_name)} and {_e(d.y_name)}", "pareto",
                     figures.div(f"fig-{i}-pareto-{j}", "pareto", pareto_figure(d)))
              for j, d in enumerate(pareto_data(exp, baseline))]
    hypervolume = hypervolume_data(exp, baseline)
    if hypervolume is not None:
        blocks.append(_block("Hypervolume over the trials", "hypervolume",
                             figures.div(f"fig-{i}-hypervolume", "hypervolume", hypervolume_figure(hypervolume))))
    if not blocks:
        return ""
    return f'<div class="row objectives">{"".join(blocks)}</div>'


def _experiment(i: int, name: str, exp: ExperimentResult, figures: _Figures,
                baseline: ExperimentResult | None = None) -> str:
    best = exp.best
    parts = [f'<section class="experiment" id="exp-{i}"><h2>{_e(name)}</h2>',
             (f'<p class="meta"><code>{_e(exp.id)}</code> · goal: {_e(exp.direction)} · strategy {_e(exp.strategy)}'
              f" · seed {_e(exp.seed)} · {_e(_trials_text(exp))} · {_duration(exp.duration_s)}"
              f' · <span class="status {_e(exp.status)}">{_e(exp.status)}</span></p>')]
    if best is not None:
        params = "".join(f'<li title="{_e(k)} = {_e(v)}"><b>{_e(k)}</b> = {_e(format_value(v))}</li>'
                         for k, v in best.params.items())
        parts.append(f'<div class="best">best score <b class="num">{_e(format_score(best.score, best.score_std))}'
                     f"</b> (trial #{best.number}) with <ul class=\"params\">{params}</ul></div>")
    if exp.objectives:  # the best score may miss a limit: say which trial the guard judges, and the front
        parts.append(f'<p class="objectives">objectives: {_e(format_objectives(exp))}</p>')
    if exp.space:
        parts.append(_space(exp))
    messages = [f'<li class="error">{_e(exp.error)}</li>'] if exp.error else []
    messages += [f'<li class="hint">hint: {_e(h)}</li>' for h in diagnose(exp)]
    messages += [f'<li class="note">note: {_e(n)}</li>' for n in exp.notes]
    if messages:
        parts.append(f'<ul class="messages">{"".join(messages)}</ul>')
    history = history_data(exp)
    if history is None:
        parts.append('<p class="empty">No trial completed: nothing to plot.</p>')
    else:
        row = _block("Optimization history", "history", figures.div(f"fig-{i}-history", "history",
                                                                    history_figure(history)), "wide")
        importance = param_importance(exp)
        if importance is not None:
            row += _block("Parameter importance", "importance",
                          figures.div(f"fig-{i}-importance", "importance", importance_figure(importance)))
        elif len(exp.space) > 1:
            row += (f'<div class="block"><h3>Parameter importance</h3><p class="caption">Needs at least '
                    f"{MIN_TRIALS} complete trials: with fewer, which parameter matters is guesswork.</p></div>")
        parts.append(f'<div class="row">{row}</div>')
        parts.append(_objectives_row(i, exp, baseline, figures))
        slices = "".join(
            f'<div class="slice">{figures.div(f"fig-{i}-slice-{j}", "slice", slice_figure(s))}</div>'
            for j, s in enumerate(slice_data(exp)))
        parts.append(_block("Slices: score against each parameter", "slices", f'<div class="slices">{slices}</div>'))
        parts.append(f'<div class="row">{_contour_block(i, exp, importance, figures)}{_edf_block(i, exp, figures)}'
                     "</div>")
        intermediate = intermediate_data(exp)
        if intermediate is not None:
            parts.append(_block("Intermediate values", "intermediate", figures.div(
                f"fig-{i}-intermediate", "intermediate", intermediate_figure(intermediate))))
        parallel = parallel_data(exp)
        if parallel is not None:
            parts.append(_block("Parallel coordinates", "parallel",
                                figures.div(f"fig-{i}-parallel", "parallel", parallel_figure(parallel))))
        top = [[str(rank), f"#{t.number}", f'<span class="num">{_e(format_score(t.score, t.score_std))}</span>',
                _duration(t.duration_s), _e(format_params(t.params))]
               for rank, t in enumerate(exp.ranked()[:_TOP_TRIALS], 1)]
        parts.append(f"<details><summary>Top {len(top)} trials</summary>"
                     f"{_table(['rank', 'trial', 'score', 'time', 'params'], top, 'trials')}</details>")
    failed = [t for t in exp.trials if t.state is TrialState.FAIL]
    if failed:
        rows = [[f"#{t.number}", _e(format_params(t.params)), f"<code>{_e(t.error or '')}</code>"]
                for t in failed[:_FAILED_SHOWN]]
        more = f" (first {_FAILED_SHOWN})" if len(failed) > _FAILED_SHOWN else ""
        parts.append(f"<details><summary>{len(failed)} failed trials{more}</summary>"
                     f"{_table(['trial', 'params', 'error'], rows, 'trials')}</details>")
    parts.append("</section>")
    return "".join(parts)


_CSS = """
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222;
margin:0;background:#f6f7f9}main{max-width:1280px;margin:0 auto;padding:16px 24px 48px}
header h1{margin:8px 0 2px;font-size:24px}.meta{color:#666;margin:2px 0 10px}section{background:#fff;
border:1px solid #e3e5e8;border-radius:8px;padding:12px 18px;margin:16px 0}h2{font-size:19px;margin:4px 0 6px}
h3{font-size:15px;margin:10px 0 2px}.caption{color:#666;margin:0 0 4px;font-size:12.5px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:4px 8px;
border-bottom:1px solid #eee;vertical-align:top}th{background:#fafafa;font-weight:600}.num{font-variant-numeric:
tabular-nums;white-space:nowrap}.status.passed,.verdict.improved,.better{color:#1a7f37}.status.failed,
.verdict.regressed,.worse{color:#cf222e}.status.interrupted,.verdict.missing{color:#9a6700}ul.messages{
list-style:none;padding:0;margin:6px 0}ul.messages li{padding:3px 8px;margin:3px 0;border-radius:4px}
li.hint{background:#fff8c5}a.hints{color:#9a6700}li.error{background:#ffebe9}li.note{background:#ddf4ff}
.best ul.params{display:inline;padding:0}
.best ul.params li{display:inline-block;background:#eef2f8;border-radius:4px;padding:0 6px;margin:0 3px}
.row{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,1fr);gap:16px}.slices{display:grid;
grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:8px}details{margin:8px 0}summary{cursor:pointer;
color:#0550ae}.banner{background:#ffebe9;border:1px solid #cf222e;padding:8px 12px;border-radius:6px}
.row.objectives{grid-template-columns:repeat(auto-fill,minmax(420px,1fr))}
code{font-size:12.5px}@media (max-width:900px){.row{grid-template-columns:1fr}}
"""

_RENDER_JS = """
(function () {
  var specs = JSON.parse(document.getElementById("tunekit-figures").textContent);
  var ids = Object.keys(specs), failures = [];
  function fail(id, error) { failures.push(id + ": " + error); }
  var drawing = ids.map(function (id) {
    var div = document.getElementById(id);
    // Small plots keep zoom (drag) and reset (double-click) without a toolbar over their data.
    var small = div.getAttribute("data-plot") === "slice" || div.getAttribute("data-plot") === "importance";
    try {
      return Promise.resolve(Plotly.newPlot(div, specs[id].data, specs[id].layout,
        {responsive: true, displaylogo: false, displayModeBar: small ? false : "hover"}))
        .catch(function (e) { fail(id, e); });
    } catch (e) { fail(id, e); return Promise.resolve(); }
  });
  Promise.all(drawing).then(function () {
    document.body.setAttribute("data-rendered", String(ids.length - failures.length));
    if (failures.length) {
      var banner = document.getElementById("render-errors");
      banner.hidden = false;
      banner.textContent = failures.length + " plot(s) could not be drawn: " + failures.join("; ");
    }
  });
})();
"""


def render_report(doc: ResultsDocument, *, baseline: ResultsDocument | None = None, baseline_label: str = "",
                  source: str | None = None, recorded_best: Mapping[str, RecordedBest] | None = None) -> str:
    """The whole report as one HTML page (see the module docstring).

    ``recorded_best`` (the run store's best scores before this run, by experiment ID) adds a column to the
    leaderboard: the best score ever recorded for each search, and the commit that found it.
    """
    plotly_js = _plotly_js()
    names = display_ids([e.id for e in doc.experiments])
    figures = _Figures()
    body = [_header(doc, source), '<p id="render-errors" class="banner" hidden></p>',
            "<noscript><p class=\"banner\">Plots need JavaScript; the tables work without it.</p></noscript>"]
    if not doc.experiments:
        body.append('<section><p class="empty">This results file has no experiments.</p></section>')
    else:
        body.append(_leaderboard(doc, names, recorded_best))
    if baseline is not None:
        body.append(_baseline_section(baseline_rows(doc, baseline), baseline_label or "(given)",
                                      provenance_warnings(baseline, doc)))
    pairs = zip(names, doc.experiments, strict=False)
    body += [_experiment(i, name, exp, figures, None if baseline is None else baseline.get(exp.id))
             for i, (name, exp) in enumerate(pairs)]
    title = "tunekit report" + (f": {names[0]}" if len(names) == 1 else "")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{_e(title)}</title><style>{_CSS}</style>"
        f"<script>{plotly_js}</script></head>"
        f"<body><main>{''.join(body)}</main>"
        f'<script type="application/json" id="tunekit-figures">{_json_for_script(figures.specs)}</script>'
        f"<script>{_RENDER_JS}</script></body></html>\n")


def write_report(doc: ResultsDocument, path: str | os.PathLike[str], *, baseline: ResultsDocument | None = None,
                 baseline_label: str = "", source: str | None = None,
                 recorded_best: Mapping[str, RecordedBest] | None = None) -> None:
    """Write the report of ``doc`` to ``path`` atomically; raise :class:`ReportError` when it cannot."""
    text = render_report(doc, baseline=baseline, baseline_label=baseline_label, source=source,
                         recorded_best=recorded_best)
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise ReportError(f"{path}: cannot write the report: {exc.strerror or exc}") from None
