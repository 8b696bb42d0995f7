"""The HTML report in a real headless Chromium: it renders every plot with no JavaScript error, offline.

A copy of the report gets a hook at the top of ``<head>`` that records errors (uncaught exceptions,
rejected promises, ``console.error``, resources that fail to load, ``alert()``) and, once the report has
drawn its plots, writes them into the DOM; ``--dump-dom`` then hands the DOM back. All network access is
sent to a dead proxy, so anything fetched from outside fails and shows up as an error. Chromium missing
skips these tests on a developer's machine and fails them in CI (``CI`` set).

Set ``TUNEKIT_SCREENSHOT=PATH`` to also keep the screenshot of the examples' report at PATH.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tunekit import results as results_io
from tunekit.report.html import write_report
from tunekit.trial import TrialState

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = "knn or ridge or forest"  # the quick ones (a few seconds); forest reports train scores

HOOK = """<script>
(function () {
  var errors = [];
  window.addEventListener("error", function (e) {
    var t = e.target;
    errors.push(t && t !== window && (t.src || t.href) ? "failed to load " + (t.src || t.href) : "error: " + e.message);
  }, true);
  window.addEventListener("unhandledrejection", function (e) { errors.push("rejection: " + e.reason); });
  var original = console.error;
  console.error = function () {
    errors.push("console.error: " + Array.prototype.join.call(arguments, " "));
    return original.apply(console, arguments);
  };
  window.alert = function (m) { errors.push("alert: " + m); };
  function clipped() {
    // Axis titles and tick labels that stick out of their plot (cut off by its SVG), and the tick labels.
    var found = [], ticks = [];
    document.querySelectorAll("div[data-plot]").forEach(function (div) {
      var box = div.getBoundingClientRect();
      div.querySelectorAll(".xtick text, .ytick text, text.xtick, text.ytick, .xtitle, .ytitle").forEach(function (t) {
        var r = t.getBoundingClientRect();
        if (!t.textContent || r.width === 0) { return; }
        ticks.push(div.id + " " + t.textContent);
        if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
          found.push(div.id + ": '" + t.textContent + "' at " + Math.round(r.left - box.left) + ".." +
                     Math.round(r.right - box.left) + " of " + Math.round(box.width));
        }
      });
    });
    document.body.setAttribute("data-clipped", JSON.stringify(found));
    document.body.setAttribute("data-ticks", JSON.stringify(ticks));
  }
  function finish() {
    if (!document.body || !document.body.hasAttribute("data-rendered")) { return setTimeout(finish, 50); }
    clipped();
    document.body.setAttribute("data-js-errors", JSON.stringify(errors));
  }
  window.addEventListener("load", function () { setTimeout(finish, 0); });
})();
</script>"""


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        message = "chromium is not installed (Debian: apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must run the browser tests")
        pytest.skip(message)
    return path


def browser(chromium: str, profile: Path, *args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--proxy-server=http://127.0.0.1:9",
               "--proxy-bypass-list=<-loopback>",
               "--virtual-time-budget=20000", "--window-size=1280,2200", "--hide-scrollbars", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


class Dom(HTMLParser):
    """What the tests look at in a dumped DOM."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.body: dict[str, str | None] = {}
        self.plots: list[dict[str, str | None]] = []
        self.svg_in_plot = 0
        self.leaderboard_rows = 0
        self.hidden_banner = False
        self._depth_in_plot = 0
        self._in_leaderboard = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "body":
            self.body = attrs
        if tag == "div" and "data-plot" in attrs:
            self.plots.append(attrs)
        if tag == "svg" and "main-svg" in (attrs.get("class") or "") and self.plots:
            self.svg_in_plot += 1
        if tag == "table" and "leaderboard" in (attrs.get("class") or ""):
            self._in_leaderboard = True
        if tag == "tr" and self._in_leaderboard:
            self.leaderboard_rows += 1
        if tag == "p" and attrs.get("id") == "render-errors":
            self.hidden_banner = "hidden" in attrs

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_leaderboard = False


def render(chromium: str, report: Path, work: Path) -> tuple[Dom, str]:
    """Load ``report`` (with the error hook) in Chromium; return the parsed DOM and its text."""
    hooked = work / f"hooked-{report.name}"
    text = report.read_text(encoding="utf-8")
    hooked.write_text(text.replace("<head>", "<head>" + HOOK, 1), encoding="utf-8")
    result = browser(chromium, work / "profile-dom", "--dump-dom", hooked.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    dom = Dom(result.stdout)
    assert "data-js-errors" in dom.body, f"the page never finished drawing; stderr: {result.stderr[-2000:]}"
    return dom, result.stdout


def assert_rendered(dom: Dom) -> None:
    assert json.loads(dom.body["data-js-errors"]) == []
    assert json.loads(dom.body["data-clipped"]) == [], "axis labels cut off at the plot's edge"
    assert int(dom.body["data-rendered"]) == len(dom.plots) > 0
    assert all("js-plotly-plot" in (p.get("class") or "") for p in dom.plots), "plotly did not draw every plot"
    assert dom.hidden_banner


@pytest.fixture(scope="module")
def examples_run(tmp_path_factory) -> Path:
    """The shipped examples (the quick ones), run for real with ``--json`` and ``--html``."""
    out = tmp_path_factory.mktemp("examples")
    command = [sys.executable, "-m", "tunekit", "experiments/", "--trials", "4", "-k", EXAMPLES, "-p",
               "no:cacheprovider", "--json", str(out / "results.json"), "--html", str(out / "report.html")]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "report: " in run.stdout
    return out


def test_examples_report_renders_every_plot_without_errors(chromium, examples_run, tmp_path):
    doc = results_io.load(examples_run / "results.json")
    assert len(doc.experiments) == 3
    dom, text = render(chromium, examples_run / "report.html", tmp_path)
    assert_rendered(dom)
    assert dom.leaderboard_rows == 1 + 3  # header and one row per experiment
    kinds = [p["data-plot"] for p in dom.plots]
    params = sum(len(e.space) for e in doc.experiments)
    assert kinds.count("history") == kinds.count("parallel") == kinds.count("edf") == 3
    assert kinds.count("contour") == 0  # 4 trials: too few to rank the parameters
    assert kinds.count("slice") == params
    assert kinds.count("importance") == 0 and text.count("Needs at least 8 complete trials") == 3  # 4 trials
    assert dom.svg_in_plot >= len(dom.plots)
    for exp in doc.experiments:
        assert exp.id in text


def test_examples_report_screenshot(chromium, examples_run, tmp_path):
    shot = tmp_path / "report.png"
    result = browser(chromium, tmp_path / "profile-shot", f"--screenshot={shot}",
                     (examples_run / "report.html").as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000  # a blank page compresses to a few KB
    keep = os.environ.get("TUNEKIT_SCREENSHOT")
    if keep:
        shutil.copyfile(shot, keep)


def test_hostile_large_and_pruned_results_render_safely(chromium, craft, tmp_path):
    hostile = "<script>alert(1)</script>\"'"
    space = dict(craft.SPACE, kernel={"type": "categorical", "choices": ["</script><script>alert(2)</script>", "b"]})
    trials = [craft.trial(i, 0.5 + 0.01 * (i % 9), params={"C": 10.0 ** (i % 5 - 2), "depth": 1 + i % 9,
                                                            "kernel": space["kernel"]["choices"][i % 2]},
                          intermediate=[(s, 0.1 * s) for s in range(3)]) for i in range(12)]
    trials.append(craft.trial(12, state=TrialState.PRUNED, params=trials[0].params,
                              intermediate=[(0, 0.05)]))
    trials.append(craft.trial(13, params=trials[1].params, error=hostile))
    exp = craft.experiment(trials, id=f"experiments/exp_{hostile}.py::tune_{hostile}")
    big = craft.experiment([craft.trial(i, ((i * 7919) % 1000) / 1000, params={
        "C": 10.0 ** ((i % 600) / 100 - 3), "depth": 1 + i % 10, "kernel": ["rbf", "linear"][i % 2]})
        for i in range(2000)], id="experiments/exp_big.py::tune_big")
    report = tmp_path / "hostile.html"
    write_report(craft.doc(exp, big), report)
    dom, text = render(chromium, report, tmp_path)
    assert_rendered(dom)  # alert() would have been recorded as an error
    kinds = [p["data-plot"] for p in dom.plots]
    assert kinds.count("intermediate") == 1 and kinds.count("parallel") == kinds.count("importance") == 2
    assert kinds.count("contour") == kinds.count("edf") == 2
    assert "tune_&lt;script&gt;alert(1)&lt;/script&gt;\"'" in text  # shown as text in the page
    assert not re.search(r"<script>alert", text.split("</head>", 1)[1])


def test_a_conditional_search_renders_every_plot(chromium, craft, conditional_record, tmp_path):
    """Parameters absent from most trials: slices of the trials that have them, inactive positions in the
    parallel coordinates, importance over every trial."""
    report = tmp_path / "conditional.html"
    write_report(craft.doc(conditional_record), report)
    dom, text = render(chromium, report, tmp_path)
    assert_rendered(dom)
    kinds = [p["data-plot"] for p in dom.plots]
    assert kinds.count("slice") == len(conditional_record.space) == 7
    assert kinds.count("parallel") == kinds.count("importance") == kinds.count("contour") == kinds.count("edf") == 1
    assert "(inactive)" in text and "Search space: 7 parameters, 6 conditional" in text


def test_long_names_log_axes_start_points_and_pruned_trials_render_readably(chromium, craft, tmp_path):
    """Long parameter names are not cut off, log axes carry one notation, markers and the contour draw."""
    from dataclasses import replace

    space = {"classifier__estimator__learning_rate_init": {"type": "real", "low": 1e-6, "high": 1e-3, "log": True},
             "preprocessing.scaler.with_mean_and_std": {"type": "categorical", "choices": ["yes", "no"]},
             "max_depth": {"type": "integer", "low": 1, "high": 12, "log": False}}
    names = list(space)
    trials = []
    for i in range(16):
        lr = 10.0 ** (-6 + 3 * ((i * 5) % 16) / 15)
        trials.append(craft.trial(i, 0.9 - 0.01 * abs(i - 8), params={
            names[0]: lr, names[1]: ["yes", "no"][i % 2], names[2]: 1 + (i * 7) % 12}))
    trials[0], trials[1] = replace(trials[0], warm_start=True), replace(trials[1], warm_start=True)
    trials.append(replace(craft.trial(16, state=TrialState.PRUNED, params=trials[2].params), score=0.5))
    report = tmp_path / "readable.html"
    write_report(craft.doc(craft.experiment(trials, space=space)), report)
    dom, text = render(chromium, report, tmp_path)
    assert_rendered(dom)  # includes: no axis title or tick label sticks out of its plot
    kinds = [p["data-plot"] for p in dom.plots]
    assert kinds.count("contour") == kinds.count("edf") == kinds.count("importance") == 1
    ticks = json.loads(dom.body["data-ticks"])
    assert "fig-0-slice-0 1e-6" in ticks and "fig-0-slice-0 1e-3" in ticks
    assert not [t for t in ticks if "µ" in t or "μ" in t]  # plotly's SI prefixes never show
    assert "start point (warm start)" in text and "pruned (last reported value)" in text  # legend entries


def test_several_objectives_draw_their_fronts_and_hypervolume_against_a_baseline(chromium, tmp_path):
    """Two objectives with a limit against a baseline, and three objectives (one front plot per pair)."""
    from tunekit.results import ExperimentResult, ResultsDocument
    from tunekit.trial import TrialResult

    def experiment(name: str, objectives: dict[str, str], rows: list[tuple[float, ...]],
                   limits: dict[str, float] | None = None) -> ExperimentResult:
        trials = [TrialResult(number=i, params={"n": i}, state=TrialState.COMPLETE, score=row[0],
                              values=dict(zip(objectives, row, strict=True))) for i, row in enumerate(rows)]
        return ExperimentResult(id=f"experiments/exp_mo.py::{name}", strategy="evolution", direction="maximize",
                                seed=0, budget={"trials": len(trials)},
                                space={"n": {"type": "integer", "low": 0, "high": 99}}, trials=trials,
                                objectives=objectives, limits=limits or {})

    two = {"validation_accuracy_of_the_model": "maximize", "fit_seconds_on_the_training_split": "minimize"}
    rows = [(0.5 + 0.04 * i - 0.03 * (i % 3), 0.2 * i + 0.01 * (i % 4)) for i in range(20)]
    three = {"accuracy": "maximize", "seconds": "minimize", "megabytes": "minimize"}
    doc = ResultsDocument(experiments=[
        experiment("tune_two", two, rows, {"fit_seconds_on_the_training_split": 3.0}),
        experiment("tune_three", three, [(0.6 + 0.02 * i, 0.1 * i, 50.0 - 2 * i + 3 * (i % 2)) for i in range(15)])])
    baseline = ResultsDocument(experiments=[experiment("tune_two", two, rows[::2],
                                                       {"fit_seconds_on_the_training_split": 3.0})])
    report = tmp_path / "objectives.html"
    write_report(doc, report, baseline=baseline)
    dom, text = render(chromium, report, tmp_path)
    assert_rendered(dom)
    kinds = [p["data-plot"] for p in dom.plots]
    assert kinds.count("pareto") == 1 + 3 and kinds.count("hypervolume") == 2
    assert "baseline&#x27;s front" in text or "baseline's front" in text
