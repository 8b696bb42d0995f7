"""The HTML report's content, escaping, baseline comparison and errors (the browser tests render it)."""

from __future__ import annotations

import json
import re
import sys
import time
from html.parser import HTMLParser

import pytest

from tunekit import results as results_io
from tunekit.commands import run_subcommand
from tunekit.errors import TunekitError
from tunekit.report.html import ReportError, baseline_rows, render_report, write_report
from tunekit.trial import TrialState

HOSTILE_ID = "experiments/exp_<script>alert(1)</script>.py::tune_\"x'"
HOSTILE_VALUE = "</script><script>alert(2)</script>"
HOSTILE_CHOICE = "q\"uote'&<b>bold</b>"


class Page(HTMLParser):
    """The tags, plot divs and script bodies of a page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.plots: dict[str, str] = {}
        self.script_bodies: list[str] = []
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs)
            self._in_script = True
            self.script_bodies.append("")
        if tag == "div" and "data-plot" in attrs:
            self.plots[attrs["id"]] = attrs["data-plot"]

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.script_bodies[-1] += data


def figures_of(text: str) -> dict:
    page = Page(text)
    index = next(i for i, s in enumerate(page.scripts) if s.get("id") == "tunekit-figures")
    return json.loads(page.script_bodies[index])


def sample_doc(craft):
    trials = [craft.trial(i, 0.5 + 0.01 * i, folds=None,
                          params={"C": 10.0 ** (i % 5 - 2), "depth": 1 + i % 9, "kernel": ["rbf", "linear"][i % 2]},
                          intermediate=[(s, 0.1 * s + 0.01 * i) for s in range(4)])
              for i in range(12)]
    trials.append(craft.trial(12, state=TrialState.PRUNED, intermediate=[(0, 0.01), (1, 0.02)]))
    trials.append(craft.trial(13, error="ZeroDivisionError: division by zero (exp_x.py:3)"))
    svc = craft.experiment(trials, id="experiments/exp_svc.py::tune_svc")
    svc.notes.append("grid has 9 points")
    failed = craft.experiment([craft.trial(0), craft.trial(1)], id="experiments/exp_bad.py::tune_bad",
                              status="failed", direction="minimize")
    failed.error = "all 2 trials failed; first error (trial 0): ValueError: boom"
    return craft.doc(svc, failed)


def test_report_has_the_leaderboard_hints_and_every_plot(craft):
    text = render_report(sample_doc(craft))
    assert '<section id="leaderboard">' in text
    assert text.count('<a href="#exp-0" title=') == text.count('<a href="#exp-1" title=') == 1
    assert ">tune_svc</a>" in text and ">tune_bad</a>" in text
    page = Page(text)
    kinds = sorted(page.plots.values())
    assert kinds == ["contour", "edf", "history", "importance", "intermediate", "parallel", "slice", "slice", "slice"]
    figures = figures_of(text)
    assert set(figures) == set(page.plots)  # every div gets a figure, and every figure a div
    assert all(f["data"] and "layout" in f for f in figures.values())
    assert "note: grid has 9 points" in text
    assert "all 2 trials failed; first error (trial 0): ValueError: boom" in text
    assert "No trial completed: nothing to plot." in text
    assert "ZeroDivisionError: division by zero" in text  # the failed trials' table
    assert "hint: 1 of 14 trials failed" not in text  # 7%: no hint...
    assert re.search(r"created 2026-01-01 00:00 UTC · tunekit 0.1.0 · commit 0123456789ab on main", text)


def test_leaderboard_links_to_hints_and_importance_waits_for_enough_trials(craft):
    trials = [craft.trial(i, 0.5 + 0.01 * i, params={"C": 1.0 + i / 3, "depth": 10, "kernel": "rbf"}) for i in range(5)]
    text = render_report(craft.doc(craft.experiment(trials)))  # depth at its upper bound; 5 trials
    assert '<li title="C = 2.333333333333333"><b>C</b> = 2.333</li>' in text  # best params: short, full on hover
    assert '<a href="#exp-0" class="hints">1 hint</a>' in text
    assert "hint: depth best at upper bound 10: widen the range above it" in text
    assert "Needs at least 8 complete trials" in text and 'data-plot="importance"' not in text


def test_report_is_self_contained(craft):
    text = render_report(sample_doc(craft))
    page = Page(text)
    assert [s.get("src") for s in page.scripts] == [None, None, None]  # plotly.js, figures, drawing: inline
    assert not re.search(r"<link[^>]+href=", text)
    assert "Plotly" in page.script_bodies[0] and len(page.script_bodies[0]) > 1_000_000


def test_hostile_names_and_values_are_escaped(craft):
    trial = craft.trial(0, 0.9, params={"C": 1.0, "depth": 2, "kernel": HOSTILE_VALUE})
    space = dict(craft.SPACE, kernel={"type": "categorical", "choices": [HOSTILE_VALUE, HOSTILE_CHOICE]})
    others = [craft.trial(i, 0.5, params={"C": 2.0 + i, "depth": 3, "kernel": HOSTILE_CHOICE}) for i in range(1, 5)]
    exp = craft.experiment([trial, *others], id=HOSTILE_ID, space=space)
    exp.notes.append(HOSTILE_VALUE)
    text = render_report(craft.doc(exp))
    page = Page(text)
    assert len(page.scripts) == 3  # nothing the results contain opened another <script>
    ours = text.replace(page.script_bodies[0], "")  # plotly.js itself may say alert(
    assert re.findall(r"<script>alert|<b>bold", ours) == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # shown, as text
    figures = json.dumps(figures_of(text))
    # Inside plotly's labels the values are HTML-escaped again (plotly.js renders a few tags).
    assert "&lt;/script&gt;&lt;script&gt;alert(2)" in figures and "q\\\"uote'&amp;&lt;b&gt;" in figures


def test_baseline_comparison_is_direction_aware(craft):
    def doc(up, down, extra=None):
        exps = [craft.experiment([craft.trial(0, up)], id="e/exp_a.py::up"),
                craft.experiment([craft.trial(0, down)], id="e/exp_a.py::down", direction="minimize")]
        return craft.doc(*exps, *([extra] if extra else []))

    old = doc(0.80, 10.0, craft.experiment([craft.trial(0, 1.0)], id="e/exp_a.py::gone"))
    new = doc(0.90, 12.0)
    rows = {r.id: r for r in baseline_rows(new, old)}
    assert rows["e/exp_a.py::up"].delta == pytest.approx(0.10) and rows["e/exp_a.py::up"].change == "better"
    assert rows["e/exp_a.py::down"].delta == pytest.approx(2.0) and rows["e/exp_a.py::down"].change == "worse"
    assert rows["e/exp_a.py::up"].verdict == "improved" and rows["e/exp_a.py::down"].verdict == "regressed"
    assert rows["e/exp_a.py::gone"].verdict == "missing" and rows["e/exp_a.py::gone"].current is None
    text = render_report(new, baseline=old, baseline_label="base.json")
    assert '<section id="baseline">' in text and "baseline: base.json" in text
    assert '<span class="worse">+2</span>' in text and '<span class="better">+0.1</span>' in text
    assert "Compared with the baseline" not in render_report(new)


def test_thousands_of_trials_stay_fast_and_small(craft):
    trials = [craft.trial(i, 0.5 + ((i * 7919) % 1000) / 2000,
                          params={"C": 10.0 ** ((i % 600) / 100 - 3), "depth": 1 + i % 10,
                                  "kernel": ["rbf", "linear"][i % 2]}) for i in range(3000)]
    start = time.perf_counter()
    text = render_report(craft.doc(craft.experiment(trials)))
    assert time.perf_counter() - start < 20
    plotly_js = len(Page(text).script_bodies[0])
    assert len(text) - plotly_js < 3_000_000  # the data of 3000 trials, 7 plots: well under plotly.js itself


def test_write_report_writes_atomically_and_names_the_path_on_failure(craft, tmp_path):
    doc = sample_doc(craft)
    target = tmp_path / "deep" / "report.html"
    write_report(doc, target)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]  # no temporary file left
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ReportError, match=r"file/report.html: cannot write the report") as info:
        write_report(doc, blocker / "report.html")
    assert isinstance(info.value, TunekitError)


def test_missing_plotly_is_one_clear_error(craft, monkeypatch):
    monkeypatch.setitem(sys.modules, "plotly.offline", None)
    with pytest.raises(ReportError, match=r"the HTML report needs plotly: pip install"):
        render_report(sample_doc(craft))


# --- tunekit report -----------------------------------------------------------------------------------

def test_report_command_writes_beside_the_results_and_compares(craft, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # away from any project's run store
    results = tmp_path / "results.json"
    results_io.dump(sample_doc(craft), results)
    assert run_subcommand("report", [str(results)]) == 0
    assert capsys.readouterr().out.strip() == f"report: {tmp_path / 'results.html'}"
    assert "tune_svc" in (tmp_path / "results.html").read_text(encoding="utf-8")
    out = tmp_path / "out" / "r.html"
    assert run_subcommand("report", [str(results), "-o", str(out), "--baseline", str(results)]) == 0
    text = out.read_text(encoding="utf-8")
    assert '<section id="baseline">' in text and "unchanged" in text


@pytest.mark.parametrize("args, message", [
    ([], "the following arguments are required: RESULTS.json"),
    (["missing.json"], "missing.json: no such file"),
    (["results.json", "--baseline", "missing.json"], "missing.json: no such file"),
    (["results.json", "-o", "results.json/x.html"], "cannot write the report"),
    (["results.json", "--bogus"], "unrecognized arguments: --bogus"),
])
def test_report_command_usage_errors_exit_4(craft, tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    results_io.dump(sample_doc(craft), tmp_path / "results.json")
    assert run_subcommand("report", args) == 4
    err = capsys.readouterr().err
    assert err.startswith("ERROR: ") and message in err and len(err.strip().splitlines()) == 1


def test_report_command_shows_the_stores_best_ever_scores_without_creating_a_store(craft, tmp_path, monkeypatch,
                                                                                 capsys):
    from datetime import datetime, timezone

    from tunekit.store import open_store

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TUNEKIT_STORE", raising=False)
    (tmp_path / "pyproject.toml").write_text("[tool.tunekit]\n")
    doc = sample_doc(craft)
    results_io.dump(doc, tmp_path / "results.json")
    assert run_subcommand("report", ["results.json", "-o", "plain.html"]) == 0
    assert "best ever recorded" not in (tmp_path / "plain.html").read_text(encoding="utf-8")
    assert not (tmp_path / ".tunekit").exists()  # a report never creates a store

    now = datetime.now(timezone.utc)
    with open_store(None, root=tmp_path) as store:
        store.record_run(doc, run_id="earlier", started=now, finished=now)
    assert run_subcommand("report", ["results.json", "-o", "ever.html"]) == 0
    assert "best ever recorded" in (tmp_path / "ever.html").read_text(encoding="utf-8")
    assert run_subcommand("report", ["results.json", "-o", "none.html", "--store", "none"]) == 0
    assert "best ever recorded" not in (tmp_path / "none.html").read_text(encoding="utf-8")
    capsys.readouterr()
