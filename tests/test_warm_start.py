"""Warm start end to end: ``@tunable(start=[...])`` points are the first trials of the budget, marked in the
results, and workers, resume and the stop rules treat them like any other trial."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tunekit.search import StopReason, StopRules, run_search
from tunekit.space import Real, Space
from tunekit.strategies import RandomStrategy

# Start points in another key order, with an int for a real: results hold them in space order, as floats.
EXPERIMENT = """
from tunekit import tunable, Real, Integer, Categorical

@tunable(space={{"x": Real(1e-3, 1.0, log=True), "n": Integer(1, 5), "k": Categorical(["a", "b"])}},
         strategy="{strategy}", trials={trials}, seed=3,
         start=[{{"x": 0.5, "n": 3, "k": "a"}}, {{"k": "b", "x": 1, "n": 1}}, {{"x": 0.2, "n": 5, "k": "b"}}])
def tune_w(x, n, k, trial):
    with open("evaluations.log", "a") as log:
        log.write(f"{{trial.number}}\\n")
    return x * n + (0.5 if k == "a" else 0.0)
"""
START = [{"x": 0.5, "n": 3, "k": "a"}, {"x": 1.0, "n": 1, "k": "b"}, {"x": 0.2, "n": 5, "k": "b"}]


def _trials(path: Path) -> list[tuple[Any, ...]]:
    """Every trial of every experiment in a results file, as comparable tuples."""
    return [(e["id"], t["number"], t["params"], t["seed"], t["score"], t["state"], t["warm_start"])
            for e in json.loads(path.read_text())["experiments"] for t in e["trials"]]


def _evaluations(directory: Path) -> list[int]:
    log = directory / "evaluations.log"
    return [int(n) for n in log.read_text().split()] if log.exists() else []


@pytest.mark.parametrize("strategy", ["random", "grid", "bayes", "evolution"])
def test_start_points_are_the_first_trials_with_exactly_their_params(pytester: pytest.Pytester, load_results,
                                                                     strategy: str) -> None:
    pytester.makepyfile(exp_w=EXPERIMENT.format(strategy=strategy, trials=8))
    result = pytester.runpytest("exp_w.py")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    (experiment,) = load_results().experiments
    trials = experiment.trials
    assert len(trials) == 8 and experiment.budget == {"trials": 8}
    assert [t.params for t in trials[:3]] == START
    assert [list(t.params) for t in trials[:3]] == [["x", "n", "k"]] * 3
    assert type(trials[1].params["x"]) is float
    assert [t.warm_start for t in trials] == [True] * 3 + [False] * 5
    assert _evaluations(pytester.path)[:3] == [0, 1, 2]
    if strategy == "grid":  # x=1.0 is a grid point: start[1] is not evaluated a second time
        assert len({json.dumps(t.params) for t in trials}) == 8


def test_start_points_count_toward_a_command_line_budget(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(exp_w=EXPERIMENT.format(strategy="random", trials=8))
    result = pytester.runpytest("exp_w.py", "--trials", "2")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([("exp_w.py::tune_w: start: 3 start points do not fit in a budget of 2 trials "
                                  "(start points are trials of the budget)")])
    result.stdout.no_fnmatch_line("*Traceback*")
    assert _evaluations(pytester.path) == []


def test_grid_adds_start_points_off_the_grid_to_the_whole_grid(pytester: pytest.Pytester, load_results) -> None:
    pytester.makepyfile(exp_g="""
        from tunekit import tunable, Integer, Categorical

        @tunable(space={"n": Integer(1, 100, grid=[1, 10, 100]), "k": Categorical(["a", "b"])}, strategy="grid",
                 start=[{"n": 10, "k": "b"}, {"n": 42, "k": "a"}])
        def tune_g(n, k):
            return n + (k == "a")
    """)
    result = pytester.runpytest("exp_g.py")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    trials = load_results().experiments[0].trials
    params = [(t.params["n"], t.params["k"]) for t in trials]
    assert params[:2] == [(10, "b"), (42, "a")]
    assert sorted(params[2:]) == [(1, "a"), (1, "b"), (10, "a"), (100, "a"), (100, "b")]  # the rest of the grid


def test_start_points_with_two_workers_give_the_same_trials(pytester: pytest.Pytester) -> None:
    random_search = EXPERIMENT.format(strategy="random", trials=7)
    grid_search = EXPERIMENT.format(strategy="grid", trials=9).split("\n", 2)[2].replace("tune_w", "tune_g")
    pytester.makepyfile(exp_w=random_search + grid_search)
    for workers, name in (("1", "one.json"), ("2", "two.json")):
        result = pytester.runpytest("exp_w.py", "--workers", workers, "--json", name)
        assert result.ret == pytest.ExitCode.OK, result.stdout.str()
        result.assert_outcomes(passed=2)
    one, two = _trials(pytester.path / "one.json"), _trials(pytester.path / "two.json")
    assert [warm_start for *_, warm_start in one] == [True] * 3 + [False] * 4 + [True] * 3 + [False] * 6
    assert one == two


def _truncate_journal(directory: Path, keep: int) -> None:
    """Leave the journal as a crash after ``keep`` finished trials would have: no end line, later trials lost."""
    (journal,) = (directory / ".tunekit" / "journal").glob("*.jsonl")
    lines = journal.read_text().splitlines(keepends=True)
    journal.write_text("".join(lines[:1 + keep]))


@pytest.mark.parametrize(("strategy", "keep"), [("grid", 1), ("grid", 5), ("evolution", 5), ("bayes", 1),
                                               ("bayes", 5)])
def test_resume_after_a_crash_gives_the_trials_of_an_uninterrupted_run(pytester: pytest.Pytester, strategy: str,
                                                                        keep: int) -> None:
    pytester.makepyfile(exp_w=EXPERIMENT.format(strategy=strategy, trials=10))
    assert pytester.runpytest("exp_w.py", "--json", "full.json").ret == pytest.ExitCode.OK
    _truncate_journal(pytester.path, keep)
    (pytester.path / "evaluations.log").unlink()
    resumed = pytester.runpytest("exp_w.py", "--resume", "--json", "resumed.json")
    assert resumed.ret == pytest.ExitCode.OK, resumed.stdout.str()
    resumed.stdout.fnmatch_lines([f"*resumed: {keep} trials from the journal*"])
    assert _evaluations(pytester.path) == list(range(keep, 10)), "a journaled trial was evaluated again"
    assert _trials(pytester.path / "resumed.json") == _trials(pytester.path / "full.json")


def test_resume_refuses_a_journal_with_other_start_points(pytester: pytest.Pytester) -> None:
    start = "START = [{'x': 0.25}]\n"
    source = ("from tunekit import tunable, Real\n{start}"
              "@tunable(space={{'x': Real(0, 1)}}, strategy='random', trials=3, start=START)\n"
              "def tune_r(x):\n    return x\n")
    pytester.makepyfile(exp_r=source.format(start=start))
    assert pytester.runpytest("exp_r.py").ret == pytest.ExitCode.OK
    _truncate_journal(pytester.path, 2)
    pytester.makepyfile(exp_r=source.format(start=start.replace("0.25", "0.75")))
    refused = pytester.runpytest("exp_r.py", "--resume")
    assert refused.ret == pytest.ExitCode.TESTS_FAILED
    refused.stdout.fnmatch_lines([("exp_r.py::tune_r: cannot resume: its journal (*) was written for another "
                                   "search (start changed); run without --resume to start afresh")])


def test_a_start_point_that_stays_best_is_noted(pytester: pytest.Pytester, load_results) -> None:
    pytester.makepyfile(exp_b="""
        from tunekit import tunable, Real

        @tunable(space={"x": Real(0, 1)}, strategy="random", trials=4, start=[{"x": 0.5}])
        def tune_b(x):
            return -abs(x - 0.5)
    """)
    result = pytester.runpytest("exp_b.py")
    assert result.ret == pytest.ExitCode.OK
    note = "the best trial (#0) is a start point: no proposal of the search beat it"
    result.stdout.fnmatch_lines([f"*{note}*"])
    assert note in load_results().experiments[0].notes


def test_with_limits_the_note_names_the_selected_trial(pytester: pytest.Pytester, load_results) -> None:
    # start point #0 is the most accurate but misses the limit; #1 meets it and stays the selected trial
    pytester.makepyfile(exp_s="""
        from tunekit import tunable, Real

        @tunable(space={"x": Real(0, 1)}, strategy="random", trials=5, seed=0, start=[{"x": 0.99}, {"x": 0.4}],
                 objectives={"accuracy": "maximize", "seconds": "minimize"}, limits={"seconds": 0.5})
        def tune_s(x):
            return {"accuracy": x if x >= 0.9 or abs(x - 0.4) < 1e-9 else x / 10, "seconds": x}
    """)
    result = pytester.runpytest("exp_s.py")
    assert result.ret == pytest.ExitCode.OK
    notes = load_results().experiments[0].notes
    assert "the selected trial (#1) is a start point: no proposal of the search beat it" in notes
    assert not [n for n in notes if n.startswith("the best trial")]


class _Recording(RandomStrategy):
    """Random search that records what the search loop calls, in order."""

    def __init__(self, space: Space, **kwargs: Any) -> None:
        super().__init__(space, **kwargs)
        self.calls: list[tuple[str, Any]] = []

    def restore(self, observations: Any) -> None:
        self.calls.append(("restore", [(o.params["x"], o.warm_start) for o in observations]))
        super().restore(observations)

    def tell(self, observations: Any) -> None:
        self.calls.append(("tell", len(observations)))

    def ask(self, n: int = 1) -> list[dict[str, Any]]:
        self.calls.append(("ask", n))
        return super().ask(n)


def test_the_strategy_is_restored_with_every_start_point_before_its_first_proposal() -> None:
    strategy = _Recording(Space({"x": Real(0, 1)}), seed=1)
    outcome = run_search(lambda trial: trial.params["x"], strategy, trials=4, direction="maximize", seed=1,
                         start_points=[{"x": 0.2}, {"x": 0.4}])
    assert [(t.params["x"], t.warm_start) for t in outcome.trials[:2]] == [(0.2, True), (0.4, True)]
    assert strategy.calls[0] == ("restore", [(0.2, True), (0.4, True)])
    assert [call for call in strategy.calls if call[0] != "tell"] == [strategy.calls[0], ("ask", 1), ("ask", 1)]
    assert [t.warm_start for t in outcome.trials] == [True, True, False, False]
    assert outcome.stop_reason == StopReason.BUDGET


def test_stop_rules_apply_among_start_points() -> None:
    strategy = _Recording(Space({"x": Real(0, 1)}), seed=1)
    outcome = run_search(lambda trial: trial.params["x"], strategy, trials=5, direction="maximize", seed=1,
                         start_points=[{"x": 0.9}, {"x": 0.4}, {"x": 0.1}], stop=StopRules(target=0.8))
    assert outcome.stop_reason == StopReason.TARGET
    assert [t.params["x"] for t in outcome.trials] == [0.9]
    assert not any(name == "ask" for name, _ in strategy.calls)


def test_more_start_points_than_trials_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="2 start points do not fit in a budget of 1 trials"):
        run_search(lambda trial: 0.0, RandomStrategy(Space({"x": Real(0, 1)})), trials=1, direction="maximize",
                   seed=0, start_points=[{"x": 0.1}, {"x": 0.2}])
