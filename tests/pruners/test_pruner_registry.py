"""The pruner registry, the entry-point group and the spec strings of ``--pruner``."""

from __future__ import annotations

import pickle
import sys
import types
from importlib.metadata import EntryPoint

import pytest

from tunekit import _registry, pruners
from tunekit.errors import SpecError
from tunekit.pruners import (
    ENTRY_POINT_GROUP,
    HyperbandPruner,
    MedianPruner,
    NopPruner,
    PatiencePruner,
    Pruner,
    SuccessiveHalvingPruner,
    as_pruner,
    available_pruners,
    get_pruner,
    parse_pruner,
    register_pruner,
)


@pytest.fixture
def fresh_registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, type[Pruner]]:
    registry = pruners._registry.copy()
    monkeypatch.setattr(pruners, "_registry", registry)
    return registry.classes


def test_built_in_pruners_are_registered() -> None:
    assert {"median", "asha", "hyperband", "patience", "none"} <= set(available_pruners())
    assert type(get_pruner("median")) is MedianPruner
    assert type(get_pruner("asha")) is SuccessiveHalvingPruner
    assert type(get_pruner("hyperband")) is HyperbandPruner
    assert type(get_pruner("patience", patience=2)) is PatiencePruner
    assert type(get_pruner("none")) is NopPruner


@pytest.mark.parametrize(("spec", "expected"), [
    ("median", MedianPruner()),
    ("asha", SuccessiveHalvingPruner()),
    ("asha:min_resource=1,reduction_factor=3", SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)),
    (" asha : min_resource = 2 , reduction_factor = 4 ", SuccessiveHalvingPruner(min_resource=2, reduction_factor=4)),
    ("asha:max_resource=30", SuccessiveHalvingPruner(max_resource=30)),
    ("asha:max_resource=none", SuccessiveHalvingPruner()),
    ("patience:patience=3", PatiencePruner(patience=3)),
    ("patience:patience=3,min_delta=0.01", PatiencePruner(patience=3, min_delta=0.01)),
    ("median:n_startup_trials=0,n_warmup_steps=5,interval_steps=2",
     MedianPruner(n_startup_trials=0, n_warmup_steps=5, interval_steps=2)),
    ("hyperband:max_resource=auto", HyperbandPruner()),
    ("hyperband:min_resource=1,max_resource=27,reduction_factor=3,seed=4",
     HyperbandPruner(max_resource=27, seed=4)),
    ("none", NopPruner()),
])
def test_spec_strings(spec: str, expected: Pruner) -> None:
    assert parse_pruner(spec) == expected


@pytest.mark.parametrize(("spec", "message"), [
    ("nope", r"^pruner: expected one of asha, hyperband, median, none, patience, got 'nope'$"),
    ("", r"^pruner spec '': expected NAME or NAME:OPTION=VALUE"),
    ("asha:", r"nothing after ':'"),
    ("asha:min_resource", r"expected OPTION=VALUE, got 'min_resource'"),
    ("asha:min_resource=", r"expected OPTION=VALUE"),
    ("asha:=3", r"expected OPTION=VALUE"),
    ("asha:rf=3", (r"^pruner 'asha': unknown option 'rf' \(accepted: min_resource, reduction_factor, "
                   r"min_early_stopping_rate, max_resource\)$")),
    ("asha:reduction_factor=1", r"^pruner 'asha': reduction_factor must be an integer >= 2, got 1$"),
    ("asha:reduction_factor=2.5", r"reduction_factor must be an integer >= 2, got 2.5"),
    ("asha:min_resource=0", r"min_resource must be an integer >= 1, got 0"),
    ("asha:min_resource=3,max_resource=3", r"max_resource must be greater than min_resource \(3\), got 3"),
    ("asha:min_resource=1,min_resource=2", r"option 'min_resource' given twice"),
    ("median:n_startup_trials=-1", r"n_startup_trials must be an integer >= 0, got -1"),
    ("median:interval_steps=0", r"interval_steps must be an integer >= 1, got 0"),
    ("median:n_warmup_steps=true", r"n_warmup_steps must be an integer >= 0, got True"),
    ("patience", r"^pruner 'patience': option 'patience' is required"),
    ("patience:patience=0", r"patience must be an integer >= 1, got 0"),
    ("patience:patience=2,min_delta=-0.1", r"min_delta must be a finite number >= 0, got -0.1"),
    ("patience:patience=2,min_delta=nan", r"min_delta must be a finite number >= 0, got nan"),
    ("hyperband:max_resource=1", r"max_resource must be 'auto' or an integer greater than min_resource"),
    ("hyperband:max_resource=big", r"max_resource must be 'auto' or an integer .* got 'big'"),
    ("none:patience=3", r"^pruner 'none': unknown option 'patience' \(accepted: none\)$"),
    ("as ha", r"expected NAME"),
])
def test_bad_specs_are_one_line_spec_errors(spec: str, message: str) -> None:
    with pytest.raises(SpecError, match=message) as info:
        parse_pruner(spec)
    assert "\n" not in str(info.value)


def test_direct_construction_validates_too() -> None:
    with pytest.raises(SpecError, match="reduction_factor"):
        SuccessiveHalvingPruner(reduction_factor=1)
    with pytest.raises(SpecError, match="n_warmup_steps"):
        MedianPruner(n_warmup_steps=-2)


def test_as_pruner_accepts_none_strings_and_instances() -> None:
    assert as_pruner(None) == NopPruner()
    assert as_pruner("asha:reduction_factor=2") == SuccessiveHalvingPruner(reduction_factor=2)
    pruner = PatiencePruner(patience=4)
    assert as_pruner(pruner) is pruner
    with pytest.raises(SpecError, match="expected a name such as 'asha', a Pruner or None, got int"):
        as_pruner(3)  # type: ignore[arg-type]


@pytest.mark.parametrize("spec", ["median", "asha:max_resource=9", "hyperband:max_resource=27",
                                  "patience:patience=2", "none"])
def test_pruners_pickle_and_compare_by_options(spec: str) -> None:
    pruner = parse_pruner(spec)
    assert pickle.loads(pickle.dumps(pruner)) == pruner
    assert hash(pickle.loads(pickle.dumps(pruner))) == hash(pruner)
    assert repr(pruner).startswith(type(pruner).__name__ + "(")


def test_register_pruner_rejects_non_pruners(fresh_registry: dict[str, type[Pruner]]) -> None:
    with pytest.raises(TypeError, match="must be a Pruner subclass"):
        register_pruner(int)  # type: ignore[arg-type]


def test_registered_class_is_found(fresh_registry: dict[str, type[Pruner]]) -> None:
    @register_pruner
    class Threshold(Pruner):
        name = "threshold"

        def __init__(self, *, limit: float = 1.0) -> None:
            self.limit = limit

        def should_prune(self, trial_number, step, history):  # type: ignore[no-untyped-def]
            return history[trial_number][step] > self.limit

    assert "threshold" in available_pruners()
    pruner = parse_pruner("threshold:limit=0.5")
    assert pruner.should_prune(0, 1, {0: {1: 0.7}}) is True
    with pytest.raises(SpecError, match=r"unknown option 'bound' \(accepted: limit\)"):
        parse_pruner("threshold:bound=1")


def _fake_entry_points(monkeypatch: pytest.MonkeyPatch, *eps: EntryPoint) -> list[str]:
    groups: list[str] = []

    def entry_points(*, group: str) -> list[EntryPoint]:
        groups.append(group)
        return [ep for ep in eps if ep.group == group]

    monkeypatch.setattr(_registry, "entry_points", entry_points)
    return groups


def test_entry_point_pruners_are_loaded_once(monkeypatch: pytest.MonkeyPatch,
                                             fresh_registry: dict[str, type[Pruner]]) -> None:
    module = types.ModuleType("fake_tunekit_pruner_plugin")

    class Never(NopPruner):
        name = "never"

    module.Never = Never  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_tunekit_pruner_plugin", module)
    groups = _fake_entry_points(monkeypatch, EntryPoint("never", "fake_tunekit_pruner_plugin:Never",
                                                        ENTRY_POINT_GROUP))
    assert "never" in available_pruners()
    assert type(get_pruner("never")) is Never
    assert groups == [ENTRY_POINT_GROUP]


def test_broken_entry_point_names_the_plugin(monkeypatch: pytest.MonkeyPatch,
                                             fresh_registry: dict[str, type[Pruner]]) -> None:
    _fake_entry_points(monkeypatch, EntryPoint("broken", "no_such_module_xyz:Thing", ENTRY_POINT_GROUP))
    with pytest.raises(SpecError, match=r"pruner 'broken' from entry point 'no_such_module_xyz:Thing' failed"):
        available_pruners()
