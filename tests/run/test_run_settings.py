"""Settings resolution: the run's options over the decorator over the defaults, tolerance the other way."""

from __future__ import annotations

import pytest

from tunekit import Categorical, Integer, Real, tunable
from tunekit.api import get_spec
from tunekit.compare import DEFAULT_TOLERANCE, Tolerance
from tunekit.errors import SpecError
from tunekit.pruners import as_pruner
from tunekit.run import RunOptions, resolve_settings


def spec_of(**decorator):
    decorator.setdefault("space", {"x": Real(0, 1)})

    @tunable(**decorator)
    def tune_x(x, n=0, c="a"):
        return x

    spec = get_spec(tune_x)
    assert spec.error is None, spec.error
    return spec


def test_defaults_apply_where_neither_decorator_nor_options_say():
    settings = resolve_settings(spec_of(), RunOptions())
    assert (settings.strategy, settings.trials, settings.seed) == ("bayes", 20, 0)
    assert settings.tolerance == DEFAULT_TOLERANCE and settings.declared_tolerance is None
    assert settings.workers is None and settings.trial_timeout is None and settings.pruner is None
    assert settings.notes == ()


@pytest.mark.parametrize("name, declared, given, expected", [
    ("strategy", "random", "evolution", "evolution"),
    ("trials", 7, 3, 3),
    ("seed", 5, 9, 9),
    ("workers", 2, 1, 1),
    ("trial_timeout", 10.0, 2.0, 2.0),
])
def test_options_override_the_decorator(name, declared, given, expected):
    assert getattr(resolve_settings(spec_of(**{name: declared}), RunOptions()), name) == declared
    assert getattr(resolve_settings(spec_of(**{name: declared}), RunOptions(**{name: given})), name) == expected
    assert getattr(resolve_settings(spec_of(), RunOptions(**{name: given})), name) == expected


def test_seed_zero_on_the_command_line_overrides_a_declared_seed():
    assert resolve_settings(spec_of(seed=4), RunOptions(seed=0)).seed == 0


def test_pruner_and_search_timeout_from_the_options_win():
    spec = spec_of(pruner="median", timeout=30)
    settings = resolve_settings(spec, RunOptions())
    assert settings.pruner.name == "median" and settings.stop.timeout == 30
    settings = resolve_settings(spec, RunOptions(pruner=as_pruner("asha"), search_timeout=5.0))
    assert settings.pruner.name == "asha" and settings.stop.timeout == 5.0


def test_a_declared_tolerance_beats_the_options_one():
    given = Tolerance.parse("2%")
    assert resolve_settings(spec_of(), RunOptions(tolerance=given)).tolerance == given
    settings = resolve_settings(spec_of(tolerance=0.05), RunOptions(tolerance=given))
    assert settings.tolerance == Tolerance(0.05) and settings.declared_tolerance == "0.05"


def test_grid_runs_the_whole_grid_and_notes_a_budget_that_differs():
    space = {"n": Integer(1, 3), "c": Categorical(["a", "b"])}
    assert resolve_settings(spec_of(space=space, strategy="grid"), RunOptions()).trials == 6
    small = resolve_settings(spec_of(space=space, strategy="grid"), RunOptions(trials=4))
    assert small.trials == 4 and "evaluated a seeded subset (--trials 6 for the whole grid)" in small.notes[0]
    large = resolve_settings(spec_of(space=space, strategy="grid", trials=50), RunOptions())
    assert large.trials == 6 and large.notes == ("grid has only 6 points: 6 trials instead of 50",)
    one = resolve_settings(spec_of(space={"c": Categorical(["a"])}, strategy="grid", trials=5), RunOptions())
    assert one.notes == ("grid has only 1 point: 1 trial instead of 5",)


def test_start_points_beyond_the_resolved_budget_are_an_error():
    spec = spec_of(start=[{"x": 0.1}, {"x": 0.2}, {"x": 0.3}])
    with pytest.raises(SpecError, match="3 start points do not fit in a budget of 2 trials"):
        resolve_settings(spec, RunOptions(trials=2))


def test_settings_are_frozen_and_notes_are_added_by_copy():
    settings = resolve_settings(spec_of(), RunOptions())
    noted = settings.with_note("resumed")
    assert noted.notes == ("resumed",) and settings.notes == ()
    with pytest.raises(AttributeError):
        settings.trials = 3  # type: ignore[misc]


def test_a_pruner_on_dask_needs_no_note():
    # Dask prunes live, as local workers do (tests/executors/test_dask_cluster.py)
    with_pruner = spec_of(pruner="median")
    assert not resolve_settings(with_pruner, RunOptions(dask="tcp://scheduler:8786")).notes
    assert not resolve_settings(with_pruner, RunOptions()).notes


def test_an_asha_or_hyperband_pruner_keeps_the_default_strategy():
    # bohb did not beat bayes with the same pruner on every task of benchmarks/RESULTS-pruning.md (README)
    for pruner in ("asha", "hyperband:max_resource=9"):
        assert resolve_settings(spec_of(pruner=pruner), RunOptions()).strategy == "bayes"
        assert resolve_settings(spec_of(pruner=pruner, strategy="bohb"), RunOptions()).strategy == "bohb"
