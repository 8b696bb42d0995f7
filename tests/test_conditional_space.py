"""Conditional dimensions (``.when(parent=value)``) and constraints: which parameters are active, sampling,
the grid of valid combinations, and the results' round trip."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tunekit.errors import SpaceError
from tunekit.space import MAX_DRAWS, Branches, Categorical, Dimension, Integer, Real, Space


def model_space(**constraints: Any) -> Space:
    return Space({
        "model": Categorical(["svc", "knn", "forest"]),
        "kernel": Categorical(["rbf", "poly"]).when(model="svc"),
        "degree": Integer(2, 4).when(kernel="poly"),
        "C": Real(0.1, 10.0, log=True, grid=3).when(model="svc"),
        "k": Integer(1, 5, grid=[1, 3, 5]).when(model=["knn"]),
    }, **constraints)


def test_active_parameters_follow_the_chain_of_parents() -> None:
    space = model_space()
    assert space.active_names({"model": "svc", "kernel": "poly"}) == ["model", "kernel", "degree", "C"]
    assert space.active_names({"model": "svc", "kernel": "rbf"}) == ["model", "kernel", "C"]
    assert space.active_names({"model": "knn", "kernel": "poly"}) == ["model", "k"]  # kernel itself inactive
    assert space.restrict({"model": "forest", "kernel": "poly", "degree": 3, "C": 1.0}) == {"model": "forest"}
    assert space.contains({"model": "knn", "k": 3}) and not space.contains({"model": "knn", "k": 3, "C": 1.0})
    assert not space.contains({"model": "svc", "C": 1.0})  # kernel missing


def test_grid_enumerates_exactly_the_valid_combinations_once() -> None:
    space = model_space()
    grid = list(space.grid())
    # svc: rbf x 3 C + poly x 3 degrees x 3 C; knn: 3 k; forest: 1
    assert space.grid_size == len(grid) == 3 + 9 + 3 + 1
    assert len({tuple(sorted(p.items())) for p in grid}) == len(grid)
    assert all(space.contains(p) for p in grid)
    assert [space.grid_index(p) for p in grid] == list(range(len(grid)))
    assert space.grid_index({"model": "knn", "k": 2}) is None
    assert grid[0] == {"model": "svc", "kernel": "rbf", "C": 0.1}  # the last dimension varies fastest


def test_constraints_filter_the_grid_and_sampling() -> None:
    space = model_space(constraints=[lambda p: not (p["model"] == "svc" and p.get("degree") == 4)])
    grid = list(space.grid())
    assert space.grid_size == len(grid) == 16 - 3 and all(p.get("degree") != 4 for p in grid)
    rng = np.random.default_rng(0)
    draws = [space.sample(rng) for _ in range(300)]
    assert all(space.contains(p) and space.allowed(p) for p in draws)
    assert {p["model"] for p in draws} == {"svc", "knn", "forest"}


def test_a_space_whose_constraints_allow_nothing_stops_sampling_with_one_error() -> None:
    space = Space({"x": Real(0, 1)}, constraints=[lambda p: False])
    with pytest.raises(SpaceError, match=f"the constraints allowed none of {MAX_DRAWS} random parameter sets"):
        space.sample(np.random.default_rng(0))


def test_complete_drops_inactive_and_draws_newly_active_parameters() -> None:
    space = model_space()
    rng = np.random.default_rng(1)
    done = space.complete({"model": "svc", "k": 3, "kernel": "poly"}, rng)
    assert list(done) == ["model", "kernel", "degree", "C"] and space.contains(done)
    assert space.complete({"model": "forest", "kernel": "poly", "degree": 2}, rng) == {"model": "forest"}


def test_flat_spaces_sample_as_before_conditions_existed() -> None:
    """One draw per dimension in space order, from the same generator: seeds keep their trials."""
    dims = {"x": Real(0, 1), "n": Integer(1, 9, log=True), "k": Categorical(["a", "b", "c"])}
    flat = Space(dims)
    one_by_one = np.random.default_rng(5)
    expected = [{name: dim.sample(one_by_one) for name, dim in dims.items()} for _ in range(5)]
    rng = np.random.default_rng(5)
    assert [flat.sample(rng) for _ in range(5)] == expected
    assert flat.is_flat and not flat.is_conditional


def test_conditions_survive_the_results_round_trip() -> None:
    space = model_space()
    data = space.to_dict()
    assert data["degree"]["when"] == {"kernel": ["poly"]} and "when" not in data["model"]
    assert Space.from_dict(data) == space
    assert repr(space["k"]) == "Integer(1, 5, grid=[1, 3, 5]).when(model='knn')"
    with pytest.raises(SpaceError, match="when: expected an object of parent name -> list of values"):
        Dimension.from_dict({"type": "integer", "low": 1, "high": 2, "when": {"model": "svc"}})


def test_branches_put_each_branch_under_its_choice_and_share_alike_parameters() -> None:
    entries = Branches("model", svc={"C": Real(0.1, 10.0, log=True), "kernel": Categorical(["rbf", "poly"]),
                                     "degree": Integer(2, 5).when(kernel="poly")},
                       logreg={"C": Real(0.1, 10.0, log=True)}, forest={})
    assert entries["model"] == Categorical(["svc", "logreg", "forest"])
    assert entries["C"].conditions == {"model": ("svc", "logreg")}
    assert entries["degree"].conditions == {"kernel": ("poly",), "model": ("svc",)}
    space = Space({**entries, "scale": Real(0.0, 1.0)})
    assert space.active_names({"model": "forest"}) == ["model", "scale"]
    assert space.active_names({"model": "logreg"}) == ["model", "C", "scale"]
    with pytest.raises(SpaceError, match=r"space\['model'\]: .*branch 'a' has a parameter named like the choice"):
        Space(Branches("model", a={"model": Real(0, 1)}))


# --- properties over generated conditional spaces ------------------------------------------------------

@st.composite
def conditional_spaces(draw: st.DrawFn) -> Space:
    """A root choice, children under some of its values, grandchildren under an integer child."""
    root = draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=2, max_size=4, unique=True))
    dims: dict[str, Dimension] = {"root": Categorical(root)}
    for i in range(draw(st.integers(1, 4))):
        under = draw(st.lists(st.sampled_from(root), min_size=1, max_size=len(root), unique=True))
        kind = draw(st.sampled_from(["real", "integer", "choice"]))
        dim: Dimension = (Real(0.0, 1.0, grid=2) if kind == "real" else Integer(0, 2) if kind == "integer"
                          else Categorical(["x", "y"]))
        dims[f"c{i}"] = dim.when(root=under)
        if kind == "integer" and draw(st.booleans()):
            dims[f"g{i}"] = Categorical([True, False]).when(**{f"c{i}": draw(st.sampled_from([0, 1, 2]))})
    if draw(st.booleans()):
        dims["free"] = Integer(0, 3)
    return Space(dims)


@settings(max_examples=60, deadline=None)
@given(space=conditional_spaces(), seed=st.integers(0, 2**32 - 1))
def test_samples_hold_exactly_their_active_parameters(space: Space, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(5):
        point = space.sample(rng)
        assert space.contains(point) and list(point) == space.active_names(point)


@settings(max_examples=60, deadline=None)
@given(space=conditional_spaces())
def test_the_grid_lists_each_valid_combination_once_and_indexes_it(space: Space) -> None:
    grid = list(space.grid())
    assert len(grid) == space.grid_size
    assert all(space.contains(p) for p in grid)
    assert len({tuple(sorted((k, repr(v)) for k, v in p.items())) for p in grid}) == len(grid)
    assert [space.grid_index(p) for p in grid] == list(range(len(grid)))
    assert Space.from_dict(space.to_dict()) == space


# --- through the runner -------------------------------------------------------------------------------

def test_tune_passes_only_active_parameters_and_results_round_trip(tmp_path: Any) -> None:
    import tunekit
    from tunekit import results as results_io
    from tunekit.errors import ResultsError

    seen: list[dict[str, Any]] = []

    @tunekit.tunable(space={"model": Categorical(["a", "b"]), "depth": Integer(1, 4).when(model="a"),
                            "x": Real(0.0, 1.0)},
                     constraints=[lambda p: p.get("depth", 0) != 3], strategy="random", trials=30, seed=1)
    def tune_branches(model, x, depth=-1):
        seen.append({"model": model, "depth": depth})
        return x + (depth if model == "a" else 0.5)

    record = tunekit.tune(tune_branches, experiment_id="exp.py::tune_branches", journal=tmp_path / "j")
    assert {s["depth"] for s in seen if s["model"] == "b"} == {-1}  # inactive: the function's default
    assert {s["depth"] for s in seen if s["model"] == "a"} <= {1, 2, 4}  # 3 is forbidden
    assert all(list(t.params) == (["model", "depth", "x"] if t.params["model"] == "a" else ["model", "x"])
               for t in record.trials)
    doc = results_io.ResultsDocument(experiments=[record])
    results_io.dump(doc, tmp_path / "results.json")
    assert results_io.to_dict(results_io.load(tmp_path / "results.json")) == results_io.to_dict(doc)
    resumed = tunekit.tune(tune_branches, experiment_id="exp.py::tune_branches", journal=tmp_path / "j",
                           resume=True, trials=35)
    assert [t.params for t in resumed.trials[:30]] == [t.params for t in record.trials]

    data = results_io.to_dict(doc)
    b_trial = next(t for t in data["experiments"][0]["trials"] if t["params"]["model"] == "b")
    b_trial["params"]["depth"] = 2
    (tmp_path / "bad.json").write_text(__import__("json").dumps(data))
    with pytest.raises(ResultsError, match=r"params\.depth: inactive here \(when\(model='a'\)\)"):
        results_io.load(tmp_path / "bad.json")


def test_hard_bounds_are_a_dimensions_own_and_survive_the_round_trip() -> None:
    dim = Integer(1, 5, hard_bounds="low")
    assert dim.to_dict()["hard_bounds"] == "low" and Dimension.from_dict(dim.to_dict()) == dim
    assert repr(Real(0.0, 1.0, hard_bounds=True)) == "Real(0.0, 1.0, hard_bounds=True)"
    assert "hard_bounds" not in Real(0.0, 1.0).to_dict()
    assert Real(0.0, 1.0, hard_bounds="middle").problem() == (
        "hard_bounds must be True, False, 'low' or 'high', got 'middle'")


def test_hard_bounds_change_neither_the_search_nor_its_series() -> None:
    from tunekit.space import searched
    from tunekit.store import space_hash

    plain, marked = Space({"x": Real(0, 1)}).to_dict(), Space({"x": Real(0, 1, hard_bounds=True)}).to_dict()
    assert plain != marked and searched(plain) == searched(marked) and space_hash(plain) == space_hash(marked)
    assert space_hash(Space({"x": Real(0, 2)}).to_dict()) != space_hash(plain)
