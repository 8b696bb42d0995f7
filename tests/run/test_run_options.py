"""parse_options: raw command-line values to a frozen RunOptions, one error line naming the option."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tunekit.errors import ExitCode, UsageError, exit_code_for
from tunekit.run import DEFAULT_RESULTS_PATH, RunOptions, parse_options


def test_nothing_given_means_the_experiments_own_settings(tmp_path):
    options = parse_options({}, root=tmp_path)
    assert options == RunOptions(results_path=tmp_path / DEFAULT_RESULTS_PATH, latest_results=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.trials = 3  # type: ignore[misc]


def test_values_are_parsed_from_text(tmp_path):
    options = parse_options({"trials": "5", "seed": "0", "workers": "auto", "trial_timeout": "2.5",
                             "tolerance": "2%", "pruner": "asha", "search_timeout": "60",
                             "json": str(tmp_path / "r.json"), "resume": True}, root=tmp_path)
    assert not options.latest_results  # --json PATH holds exactly the run
    assert (options.trials, options.seed, options.workers, options.trial_timeout) == (5, 0, "auto", 2.5)
    assert str(options.tolerance) == "2%" and options.pruner.name == "asha" and options.search_timeout == 60
    assert options.results_path == Path(tmp_path / "r.json") and options.resume is True


@pytest.mark.parametrize("raw, message", [
    ({"trials": "abc"}, "--trials: expected an integer >= 1, got 'abc'"),
    ({"trials": "0"}, "--trials: expected an integer >= 1, got '0'"),
    ({"seed": "-1"}, "--seed: expected an integer >= 0, got '-1'"),
    ({"workers": "0"}, "--workers: expected an integer >= 1, got '0'"),
    ({"trial_timeout": "soon"}, "--trial-timeout: expected a positive number of seconds, got 'soon'"),
    ({"search_timeout": "inf"}, "--search-timeout: expected a positive number of seconds, got 'inf'"),
    ({"strategy": "annealing"}, "--strategy: expected one of "),
    ({"tolerance": "lots"}, "--tolerance: expected an absolute difference such as 0.01"),
    ({"pruner": "sometimes"}, "--pruner: "),
    ({"repeats": "2"}, "--repeats: only meaningful with --recheck BASELINE"),
    ({"baseline": "nope.json"}, "--baseline: nope.json: no such file"),
])
def test_bad_values_are_one_usage_error_naming_the_option(tmp_path, monkeypatch, raw, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError) as info:
        parse_options(raw, root=tmp_path)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)
    assert exit_code_for(info.value) is ExitCode.USAGE_ERROR


def test_an_unwritable_output_is_refused_before_anything_runs(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match=r"--json .*file/r\.json: cannot write: .* is not a directory"):
        parse_options({"json": str(tmp_path / "file" / "r.json")}, root=tmp_path)
    with pytest.raises(UsageError, match=r"--html .*: cannot write: is a directory"):
        parse_options({"html": str(tmp_path)}, root=tmp_path)
