"""Properties of search-space dimensions (``Real``, ``Integer``, ``Categorical``) and ``Space``.

Sampling stays inside each dimension with the right type, log dimensions are log-uniform, grid
enumeration is complete and duplicate-free, and invalid arguments are reported (lazily) with a message.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from tunekit.errors import SpaceError
from tunekit.space import DEFAULT_GRID_POINTS, Categorical, Dimension, Integer, Real, Space

# --- strategies ----------------------------------------------------------------------------------

#: Finite bounds, kept below 1e300 in magnitude so that ``high - low`` is a finite float
#: (wider ranges are a known bug, see ``test_real_range_wider_than_float_max_is_rejected_or_sampled``).
_BOUND = 1e300
_finite = st.floats(min_value=-_BOUND, max_value=_BOUND, allow_nan=False, allow_infinity=False)
_positive = st.floats(min_value=0.0, max_value=_BOUND, exclude_min=True, allow_nan=False,
                      allow_infinity=False)
#: Integers kept inside the range floats represent exactly (2**53); wider bounds are rejected (see below).
_INT_BOUND = 2**53


def _key(value):
    """A type-exact key: ``1``, ``1.0`` and ``True`` are different choices."""
    return (type(value).__name__, value)


@st.composite
def reals(draw, *, log=None, sane=False):
    """Valid ``Real`` dimensions; ``sane`` keeps the range wide enough for distinct grid points."""
    log = draw(st.booleans()) if log is None else log
    if sane:
        low = draw(st.floats(min_value=1e-6, max_value=1e6) if log else st.floats(-1e6, 1e6))
        width = draw(st.floats(min_value=1e-5, max_value=1e6))
        high = low + width * max(1.0, abs(low))
    else:
        a, b = draw(_positive if log else _finite), draw(_positive if log else _finite)
        assume(a != b)
        low, high = min(a, b), max(a, b)
    grid = draw(st.one_of(
        st.none(),
        st.integers(2, 8),
        st.lists(st.floats(min_value=low, max_value=high), min_size=1, max_size=6,
                 unique_by=float),
    ))
    return Real(low, high, log=log, grid=grid)


@st.composite
def integers(draw, *, log=None, bound=_INT_BOUND):
    log = draw(st.booleans()) if log is None else log
    lo_min = 1 if log else -bound
    a = draw(st.integers(lo_min, bound))
    b = draw(st.integers(lo_min, bound))
    assume(a != b)
    low, high = min(a, b), max(a, b)
    grid = draw(st.one_of(
        st.none(),
        st.integers(2, 8),
        st.lists(st.integers(low, high), min_size=1, max_size=6, unique=True),
    ))
    return Integer(low, high, log=log, grid=grid)


_choice = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10**6, 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)


def categoricals(max_size=6):
    return st.lists(_choice, min_size=1, max_size=max_size, unique_by=_key).map(Categorical)


def dimensions(sane=False):
    return st.one_of(reals(sane=sane), integers(bound=10**6 if sane else _INT_BOUND), categoricals())


_names = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True)


def spaces(sane=True, max_dims=3):
    return st.dictionaries(_names, dimensions(sane=sane), min_size=1, max_size=max_dims).map(Space)


# --- 1. samples lie in their dimension and have its type ----------------------------------------

@settings(max_examples=60, deadline=None)
@given(dim=reals(), seed=st.integers(0, 2**32 - 1))
def test_real_samples_are_floats_within_bounds(dim, seed):
    assert dim.problem() is None
    rng = np.random.default_rng(seed)
    for _ in range(20):
        value = dim.sample(rng)
        assert type(value) is float
        assert math.isfinite(value)
        assert dim.low <= value <= dim.high
        assert dim.contains(value)


@settings(max_examples=60, deadline=None)
@given(dim=integers(), seed=st.integers(0, 2**32 - 1))
def test_integer_samples_are_ints_within_bounds(dim, seed):
    assert dim.problem() is None
    rng = np.random.default_rng(seed)
    for _ in range(20):
        value = dim.sample(rng)
        assert type(value) is int
        assert dim.low <= value <= dim.high
        assert dim.contains(value)


@settings(max_examples=60, deadline=None)
@given(choices=st.lists(_choice, min_size=1, max_size=6, unique_by=_key),
       seed=st.integers(0, 2**32 - 1))
def test_categorical_samples_are_type_exact_choices(choices, seed):
    dim = Categorical(choices)
    assert dim.problem() is None
    keys = {_key(c) for c in choices}
    rng = np.random.default_rng(seed)
    for _ in range(20):
        value = dim.sample(rng)
        assert _key(value) in keys  # type-exact: a sampled True is never the choice 1
        assert dim.contains(value)


@settings(max_examples=60, deadline=None)
@given(space=spaces(sane=False), seed=st.integers(0, 2**32 - 1))
def test_space_sample_has_every_name_with_a_legal_value(space, seed):
    params = space.sample(np.random.default_rng(seed))
    assert list(params) == list(space)  # space order
    assert space.contains(params)
    for name, value in params.items():
        assert space[name].contains(value)


class _EdgeRng:
    """A stand-in generator whose ``uniform`` returns one end of its range, as floating-point rounding
    occasionally makes a real generator do; the other methods defer to a real one."""

    def __init__(self, upper):
        self.upper = upper
        self._rng = np.random.default_rng(0)

    def uniform(self, low, high):
        return high if self.upper else low

    def __getattr__(self, name):
        return getattr(self._rng, name)


@pytest.mark.parametrize("upper", [True, False])
# exp(log(10.0)) > 10.0 and exp(log(7.0)) < 7.0 in floating point: the bounds must be clamped.
@pytest.mark.parametrize("dim", [Real(0.1, 0.7), Real(1e-3, 10.0, log=True), Real(7.0, 100.0, log=True),
                                 Integer(0, 3), Integer(1, 3, log=True), Integer(2, 9, log=True)],
                         ids=repr)
def test_samples_at_the_ends_of_the_generator_range_stay_in_bounds(dim, upper):
    value = dim.sample(_EdgeRng(upper))
    assert dim.contains(value), value
    assert type(value) is (float if isinstance(dim, Real) else int)
    assert value == pytest.approx(dim.high if upper else dim.low, rel=1e-12)


def test_sampling_is_reproducible_with_the_same_seed():
    space = Space({"lr": Real(1e-4, 1.0, log=True), "n": Integer(1, 100), "k": Categorical(["a", "b", 3])})
    first = [space.sample(np.random.default_rng(7)) for _ in range(3)]
    again = [space.sample(np.random.default_rng(7)) for _ in range(3)]
    other = space.sample(np.random.default_rng(8))
    assert first == again
    assert other != first[0]


def test_contains_is_type_exact():
    assert not Integer(0, 5).contains(True)
    assert not Integer(0, 5).contains(2.0)
    assert Integer(0, 5).contains(np.int64(2))
    assert not Real(0, 5).contains(True)
    assert not Real(0, 5).contains(float("nan"))
    assert not Real(0, 5).contains(5.5)
    cat = Categorical([1, True, "1"])
    assert cat.contains(1) and cat.contains(True) and cat.contains("1")
    assert not cat.contains(1.0)
    assert not Categorical([1]).contains(True)
    assert cat.index(True) == 1 and cat.index(1) == 0


def test_integer_sampling_gives_end_values_their_fair_share():
    dim = Integer(0, 3)
    rng = np.random.default_rng(2024)
    values = [dim.sample(rng) for _ in range(8000)]
    counts = np.bincount(values, minlength=4)
    assert stats.chisquare(counts).pvalue > 0.01


def test_categorical_sampling_is_uniform_over_choices():
    dim = Categorical(["a", "b", None, 3, 2.5])
    rng = np.random.default_rng(11)
    values = [dim.sample(rng) for _ in range(10000)]
    counts = [sum(1 for v in values if _key(v) == _key(c)) for c in dim.choices]
    assert sum(counts) == len(values)
    assert stats.chisquare(counts).pvalue > 0.01


# --- 2. log sampling is log-uniform -----------------------------------------------------------

N_DRAWS = 20_000


def _log10_draws(dim, seed=12345, n=N_DRAWS):
    rng = np.random.default_rng(seed)
    return np.log10([dim.sample(rng) for _ in range(n)])


def test_real_log_sampling_is_log_uniform():
    logs = _log10_draws(Real(1e-3, 1e3, log=True))
    # Every one of the six decades gets about a sixth of the draws ...
    per_decade = np.histogram(logs, bins=6, range=(-3, 3))[0]
    assert per_decade.sum() == N_DRAWS
    assert np.all(np.abs(per_decade / N_DRAWS - 1 / 6) < 0.02), per_decade
    # ... and the log10 values are uniform on [-3, 3].
    assert stats.kstest(logs, stats.uniform(loc=-3, scale=6).cdf).pvalue > 0.01


def test_real_linear_sampling_fails_the_log_uniform_check():
    """Negative control: the same check does tell a linear range from a log one."""
    logs = _log10_draws(Real(1e-3, 1e3))
    assert stats.kstest(logs, stats.uniform(loc=-3, scale=6).cdf).pvalue < 1e-6
    assert np.mean(logs > 2) > 0.8  # nearly every linear draw lands in the top decade


# Integer(1, 10000, log=True) draws log-uniformly from [0.5, 10000.5] and rounds, so the integers in
# [a, b) get probability (log(b - 0.5) - log(a - 0.5)) / log(10000.5 / 0.5).
_INT_EDGES = [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10001]


def _integer_log_chisquare(dim, seed=12345):
    rng = np.random.default_rng(seed)
    values = np.array([dim.sample(rng) for _ in range(N_DRAWS)])
    observed = np.histogram(values, bins=_INT_EDGES)[0]
    assert observed.sum() == N_DRAWS
    total = math.log(10000.5 / 0.5)
    probs = np.array([(math.log(b - 0.5) - math.log(a - 0.5)) / total
                      for a, b in itertools.pairwise(_INT_EDGES)])
    return stats.chisquare(observed, probs / probs.sum() * N_DRAWS).pvalue


def test_integer_log_sampling_is_log_uniform():
    assert _integer_log_chisquare(Integer(1, 10000, log=True)) > 0.01


def test_integer_linear_sampling_fails_the_log_uniform_check():
    assert _integer_log_chisquare(Integer(1, 10000)) < 1e-6


# --- 3. grid points and grid enumeration --------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(dim=dimensions(sane=True))
def test_grid_points_are_legal_distinct_and_ordered(dim):
    points = dim.grid_points()
    assert points
    assert all(dim.contains(p) for p in points), points
    assert len({_key(p) for p in points}) == len(points)
    if isinstance(dim, Categorical):
        assert [_key(p) for p in points] == [_key(c) for c in dim.choices]
    else:
        assert points == sorted(points)


@settings(max_examples=60, deadline=None)
@given(dim=st.one_of(reals(sane=True), integers(bound=10**6)))
def test_range_grid_points_match_their_definition(dim):
    points = dim.grid_points()
    grid = dim.grid
    if isinstance(grid, list):
        assert points == sorted(grid)
        return
    if isinstance(dim, Integer) and grid is None and dim.high - dim.low + 1 <= 10:
        assert points == list(range(dim.low, dim.high + 1))
        return
    n = DEFAULT_GRID_POINTS if grid is None else grid
    assert points[0] == dim.low and points[-1] == dim.high
    if isinstance(dim, Real):
        assert len(points) == n
        transform = math.log if dim.log else (lambda v: v)
        lo, hi = transform(dim.low), transform(dim.high)
        expected = [lo + (hi - lo) * i / (n - 1) for i in range(n)]
        assert [transform(p) for p in points] == pytest.approx(expected, rel=1e-9, abs=1e-9 * (hi - lo))
    else:
        assert 2 <= len(points) <= n


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(space=spaces(sane=True))
def test_grid_is_complete_and_duplicate_free(space):
    combos = list(space.grid())
    assert len(combos) == space.grid_size
    keys = [tuple(_key(c[n]) for n in space) for c in combos]
    assert len(set(keys)) == len(keys)
    axes = [space[n].grid_points() for n in space]
    expected = [tuple(_key(v) for v in values) for values in itertools.product(*axes)]
    assert keys == expected  # same combinations, last dimension varying fastest
    assert all(space.contains(c) for c in combos)
    assert space.grid_size == math.prod(len(a) for a in axes)


def test_grid_of_a_small_space_by_hand():
    space = Space({"a": Categorical(["x", "y"]), "b": Integer(1, 3), "c": Real(0, 1, grid=[0.5, 0.0])})
    assert space.grid_size == 12
    combos = list(space.grid())
    assert combos[:3] == [{"a": "x", "b": 1, "c": 0.0}, {"a": "x", "b": 1, "c": 0.5},
                          {"a": "x", "b": 2, "c": 0.0}]
    assert combos[-1] == {"a": "y", "b": 3, "c": 0.5}
    assert Real(1, 100, log=True, grid=3).grid_points() == [1.0, pytest.approx(10.0), 100.0]
    assert Integer(0, 100).grid_points() == [0, 25, 50, 75, 100]
    assert Integer(1, 3, grid=5).grid_points() == [1, 2, 3]  # rounding collapses duplicates


def test_narrow_real_range_grid_has_no_duplicates():
    dim = Real(1.0, math.nextafter(1.0, 2.0))
    points = dim.grid_points()
    assert len(set(points)) == len(points)


def test_real_range_wider_than_float_max_is_rejected_or_sampled():
    dim = Real(-1.5e308, 1.5e308)
    if dim.problem() is None:
        value = dim.sample(np.random.default_rng(0))
        assert dim.contains(value)
        assert all(dim.contains(p) for p in dim.grid_points())


def test_integer_bounds_beyond_float_precision_are_rejected_and_the_widest_range_grids_in_range():
    assert "within +-2**53" in Integer(0, 2**60 - 1).problem()
    dim = Integer(0, 2**53)
    assert dim.problem() is None
    assert all(dim.contains(p) for p in dim.grid_points()), dim.grid_points()
    assert dim.grid_points()[0] == 0 and dim.grid_points()[-1] == 2**53


def test_integer_with_huge_bounds_is_rejected_or_sampled():
    dim = Integer(0, 10**400)
    if dim.problem() is None:
        assert dim.contains(dim.sample(np.random.default_rng(0)))


# --- serialisation of dimensions ------------------------------------------------------------------

@settings(max_examples=50, deadline=None)
@given(space=spaces(sane=False))
def test_space_to_dict_from_dict_round_trip(space):
    data = space.to_dict()
    rebuilt = Space.from_dict(data)
    assert rebuilt == space
    assert rebuilt.to_dict() == data
    for name in space:
        assert Dimension.from_dict(space[name].to_dict()) == space[name]


def test_from_dict_rejects_malformed_dimensions():
    with pytest.raises(SpaceError, match="missing field 'high'"):
        Dimension.from_dict({"type": "real", "low": 0})
    with pytest.raises(SpaceError, match="type: expected"):
        Dimension.from_dict({"type": "float", "low": 0, "high": 1})
    with pytest.raises(SpaceError, match="must be an object"):
        Dimension.from_dict(["real", 0, 1])
    with pytest.raises(SpaceError, match=r"space\['b'\]"):
        Space.from_dict({"a": {"type": "integer", "low": 0, "high": 3},
                         "b": {"type": "integer", "low": 3, "high": 0}})


# --- 7. constructor validation ----------------------------------------------------------------------

INVALID = [
    pytest.param(lambda: Real(10, 1), "less than", id="real-low>high"),
    pytest.param(lambda: Real(1, 1), "less than", id="real-low==high"),
    pytest.param(lambda: Real(0, 1, log=True), "low > 0", id="real-log-zero"),
    pytest.param(lambda: Real(-1, 1, log=True), "low > 0", id="real-log-negative"),
    pytest.param(lambda: Real(float("nan"), 1), "finite", id="real-nan"),
    pytest.param(lambda: Real(0, float("inf")), "finite", id="real-inf"),
    pytest.param(lambda: Real("0", 1), "finite number", id="real-str"),
    pytest.param(lambda: Real(True, 2), "finite number", id="real-bool"),
    pytest.param(lambda: Real(0, 1, log="yes"), "log must be", id="real-log-str"),
    pytest.param(lambda: Real(0, 1, grid=1), "grid", id="real-grid-1"),
    pytest.param(lambda: Real(0, 1, grid=0), "grid", id="real-grid-0"),
    pytest.param(lambda: Real(0, 1, grid=[]), "empty", id="real-grid-empty"),
    pytest.param(lambda: Real(0, 1, grid=[5]), "grid value 5", id="real-grid-out-of-bounds"),
    pytest.param(lambda: Real(0, 1, grid=[0.5, 0.5]), "duplicate", id="real-grid-duplicate"),
    pytest.param(lambda: Real(0, 1, grid=[0, 0.0]), "duplicate", id="real-grid-duplicate-int-float"),
    pytest.param(lambda: Real(0, 1, grid=2.5), "grid", id="real-grid-float"),
    pytest.param(lambda: Real(0, 1, grid="ab"), "grid", id="real-grid-str"),
    pytest.param(lambda: Real(0, 1, grid=[float("nan")]), "grid value", id="real-grid-nan"),
    pytest.param(lambda: Integer(1.5, 3), "integer", id="int-float-low"),
    pytest.param(lambda: Integer(1, 3.0), "integer", id="int-float-high"),
    pytest.param(lambda: Integer(True, 3), "integer", id="int-bool"),
    pytest.param(lambda: Integer(5, 5), "less than", id="int-low==high"),
    pytest.param(lambda: Integer(0, 10, log=True), "low > 0", id="int-log-zero"),
    pytest.param(lambda: Integer(0, 10, grid=1), "grid", id="int-grid-1"),
    pytest.param(lambda: Integer(0, 10, grid=[]), "empty", id="int-grid-empty"),
    pytest.param(lambda: Integer(0, 10, grid=[11]), "grid value 11 is not an integer in [0, 10]",
                 id="int-grid-out-of-bounds"),
    pytest.param(lambda: Integer(0, 10, grid=[2.0]), "grid value", id="int-grid-float"),
    pytest.param(lambda: Integer(0, 10, grid=[3, 3]), "duplicate", id="int-grid-duplicate"),
    pytest.param(lambda: Categorical([]), "empty", id="cat-empty"),
    pytest.param(lambda: Categorical(["a", "a"]), "duplicate", id="cat-duplicate"),
    pytest.param(lambda: Categorical("abc"), "list", id="cat-str"),
    pytest.param(lambda: Categorical({"a", "b"}), "list", id="cat-set"),
    pytest.param(lambda: Categorical(None), "list", id="cat-none"),
    pytest.param(lambda: Categorical([object()]), "object", id="cat-object"),
    pytest.param(lambda: Categorical([[1, 2]]), "list", id="cat-nested-list"),
    pytest.param(lambda: Categorical([1.0, float("nan")]), "finite", id="cat-nan"),
]


@pytest.mark.parametrize(("make", "fragment"), INVALID)
def test_invalid_dimension_reports_problem_and_validate_raises(make, fragment):
    dim = make()  # never raises at construction
    problem = dim.problem()
    assert isinstance(problem, str) and problem
    assert fragment in problem
    with pytest.raises(SpaceError) as info:
        dim.validate()
    assert problem in str(info.value)
    # Everything that needs a valid dimension refuses an invalid one instead of misbehaving.
    for use in (lambda: dim.sample(np.random.default_rng(0)), dim.grid_points, dim.to_dict):
        with pytest.raises(SpaceError):
            use()


@pytest.mark.parametrize(("make", "fragment"), INVALID[:6] + INVALID[-8:-4])
def test_space_with_an_invalid_dimension_names_it(make, fragment):
    with pytest.raises(SpaceError) as info:
        Space({"ok": Integer(0, 3), "bad_one": make()})
    message = str(info.value)
    assert "space['bad_one']" in message
    assert fragment in message


def test_valid_dimensions_report_no_problem():
    for dim in (Real(0, 1), Real(1e-5, 1, log=True, grid=4), Real(-2, 2, grid=[0, -1.5, 2]),
                Integer(-3, 3), Integer(1, 1000, log=True, grid=[1, 10, 100]), Integer(0, 10, grid=np.int64(3)),
                Categorical(["a", 1, 1.0, True, None]), Categorical(("x", "y")), Categorical(range(3))):
        assert dim.problem() is None, dim
        dim.validate()


@pytest.mark.parametrize(("arg", "fragment"), [
    ([], "must be a dict"),
    ({"ok": Integer(0, 1), "not-an-identifier": Integer(0, 1)}, "not a valid parameter name"),
    ({"ok": Integer(0, 1), 3: Integer(0, 1)}, "not a valid parameter name"),
    ({}, "at least one"),
    ({"x": (0, 1)}, "space['x']"),
    ([("x", Integer(0, 1))], "dict"),
])
def test_space_constructor_rejects_bad_mappings(arg, fragment):
    with pytest.raises(SpaceError) as info:
        Space(arg)
    assert fragment in str(info.value)


_junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10**9, 10**9),
    st.floats(min_value=-_BOUND, max_value=_BOUND),
    st.sampled_from([float("nan"), float("inf"), -float("inf"), 0.0, -0.0, 1, 2, 10]),
    st.text(max_size=5),
    st.lists(st.one_of(st.none(), st.integers(-20, 20), st.floats(-20, 20), st.text(max_size=3)),
             max_size=5),
)
_grid_junk = st.one_of(
    st.none(),
    st.integers(-3, 12),
    st.floats(allow_nan=True),
    st.text(max_size=3),
    st.lists(st.one_of(st.none(), st.booleans(), st.integers(-20, 20), st.floats(-20, 20),
                       st.text(max_size=3), st.lists(st.integers(), max_size=2)), max_size=6),
)


def _check_fuzzed(dim):
    problem = dim.problem()
    assert problem is None or (isinstance(problem, str) and problem)
    if problem is None:
        dim.validate()
        rng = np.random.default_rng(0)
        for _ in range(5):
            assert dim.contains(dim.sample(rng))
    else:
        with pytest.raises(SpaceError):
            dim.validate()


@settings(max_examples=120, deadline=None)
@given(cls=st.sampled_from([Real, Integer]), low=_junk, high=_junk,
       log=st.one_of(st.booleans(), _junk), grid=_grid_junk)
def test_fuzzed_range_arguments_never_raise_at_construction(cls, low, high, log, grid):
    _check_fuzzed(cls(low, high, log=log, grid=grid))


@settings(max_examples=80, deadline=None)
@given(choices=st.one_of(
    _junk,
    st.lists(st.one_of(_choice, st.lists(st.integers(), max_size=2), st.just(object()),
                       st.dictionaries(st.text(max_size=2), st.integers(), max_size=2)), max_size=6),
    st.tuples(_choice, _choice),
))
def test_fuzzed_categorical_arguments_never_raise_at_construction(choices):
    _check_fuzzed(Categorical(choices))


# --- the unit mapping, mutation and casting that strategies use -----------------------------------


def _exact(dim, value):
    """``value`` has the type ``dim`` proposes and is legal (``cast`` changes nothing)."""
    expected = dim.cast(value)
    return dim.contains(value) and type(value) is type(expected) and value == expected


@settings(max_examples=100, deadline=None)
@given(dim=dimensions(), u=st.floats(allow_nan=False))
def test_from_unit_gives_a_legal_value_of_the_exact_type(dim, u):
    # u outside [0, 1] (and infinite) is clipped
    value = dim.from_unit(u)
    assert _exact(dim, value), value
    assert dim.from_unit(min(max(u, 0.0), 1.0)) == value


# The property tests below use sane ranges; a range so narrow that its two ends have the same logarithm in
# floating point is checked on its own.


def test_a_range_whose_ends_are_one_float_maps_to_zero_and_back():
    for dim in (Integer(2**53 - 1, 2**53, log=True), Real(1e300, math.nextafter(1e300, math.inf), log=True)):
        value = dim.sample(np.random.default_rng(0))
        assert dim.to_unit(value) == 0.0  # it divided by zero before
        assert dim.contains(dim.from_unit(dim.to_unit(value)))


@settings(max_examples=100, deadline=None)
@given(dim=dimensions(sane=True), seed=st.integers(0, 2**32 - 1))
def test_to_unit_of_a_legal_value_lies_in_the_unit_interval(dim, seed):
    assert 0.0 <= dim.to_unit(dim.sample(np.random.default_rng(seed))) <= 1.0


@settings(max_examples=100, deadline=None)
@given(dim=st.one_of(integers(bound=10**6), categoricals()), seed=st.integers(0, 2**32 - 1))
def test_unit_round_trip_is_exact_for_integers_and_choices(dim, seed):
    value = dim.sample(np.random.default_rng(seed))
    back = dim.from_unit(dim.to_unit(value))
    assert _key(back) == _key(value)


@settings(max_examples=100, deadline=None)
@given(dim=reals(sane=True), seed=st.integers(0, 2**32 - 1))
def test_unit_round_trip_of_a_real_is_exact_up_to_rounding(dim, seed):
    value = dim.sample(np.random.default_rng(seed))
    back = dim.from_unit(dim.to_unit(value))
    assert type(back) is float
    if dim.log:
        assert back == pytest.approx(value, rel=1e-9)
    else:
        assert back == pytest.approx(value, abs=1e-9 * (dim.high - dim.low))


@settings(max_examples=100, deadline=None)
@given(dim=st.one_of(reals(sane=True), integers(bound=10**6)), seed=st.integers(0, 2**32 - 1))
def test_to_unit_is_monotone_on_ranges(dim, seed):
    rng = np.random.default_rng(seed)
    a, b = sorted([dim.sample(rng), dim.sample(rng)])
    assert dim.to_unit(a) <= dim.to_unit(b)
    assert dim.to_unit(dim.low) == 0.0 or isinstance(dim, Integer)


def test_unit_mapping_by_hand():
    assert Real(0.0, 4.0).to_unit(1.0) == 0.25 and Real(0.0, 4.0).from_unit(0.25) == 1.0
    assert Real(1e-3, 10.0, log=True).to_unit(1e-1) == pytest.approx(0.5)
    # integers widen by half a unit on each side: every value gets an equal share of [0, 1]
    assert Integer(0, 3).to_unit(0) == 0.125 and Integer(0, 3).to_unit(3) == 0.875
    assert [Integer(0, 3).from_unit(u) for u in (0.0, 0.24, 0.26, 0.74, 0.76, 1.0)] == [0, 0, 1, 2, 3, 3]
    # a choice maps to the centre of its bin
    cat = Categorical(["a", None, True, 1])
    assert [cat.to_unit(c) for c in cat.choices] == [0.125, 0.375, 0.625, 0.875]
    assert [cat.from_unit(u) for u in (0.0, 0.3, 0.5, 0.99, 1.0, 2.0)] == ["a", None, True, 1, 1, 1]


@settings(max_examples=100, deadline=None)
@given(dim=dimensions(sane=True), seed=st.integers(0, 2**32 - 1), scale=st.floats(1e-6, 2.0))
def test_neighbour_is_a_legal_value_of_the_exact_type(dim, seed, scale):
    rng = np.random.default_rng(seed)
    value = dim.sample(rng)
    moved = dim.neighbour(value, rng, scale)
    assert _exact(dim, moved), moved
    if isinstance(dim, Integer) or (isinstance(dim, Categorical) and not dim.is_constant):
        assert _key(moved) != _key(value)  # integers move at least one step, choices change
    if dim.is_constant:
        assert _key(moved) == _key(value)


def test_neighbour_by_hand():
    rng = np.random.default_rng(0)
    assert {Integer(0, 5).neighbour(0, rng, 1e-9) for _ in range(20)} == {1}  # tiny steps still move
    assert {Integer(0, 5).neighbour(5, rng, 1e-9) for _ in range(20)} == {4}
    assert {Categorical(["a", "b"]).neighbour("a", rng, 0.1) for _ in range(5)} == {"b"}
    assert Categorical([None]).neighbour(None, rng, 0.1) is None
    # a move past a bound is reflected back inside
    assert all(0.0 <= Real(0.0, 1.0).neighbour(1.0, rng, 5.0) <= 1.0 for _ in range(50))


def test_neighbour_steps_in_log_space_for_log_dimensions():
    rng = np.random.default_rng(1)
    dim = Real(1e-6, 1.0, log=True)
    steps = [math.log10(dim.neighbour(1e-3, rng, 0.1)) + 3 for _ in range(500)]
    # a tenth of six decades: the log10 steps have a standard deviation of about 0.6
    assert 0.5 < float(np.std(steps)) < 0.7


def test_cast_gives_the_proposed_type():
    assert type(Real(0, 5).cast(1)) is float and type(Real(0, 5).cast(np.float64(2.5))) is float
    assert type(Integer(0, 5).cast(np.int64(3))) is int
    cat = Categorical([1, True, "1"])
    assert cat.cast(True) is True and type(cat.cast(1)) is int and cat.cast("1") == "1"
    for other in (1.0, np.int64(1)):  # choices are type-exact
        with pytest.raises(SpaceError):
            cat.cast(other)


def test_clip_gives_the_nearest_legal_value():
    assert Real(0.0, 1.0).clip(-3) == 0.0 and Real(0.0, 1.0).clip(np.float64(0.5)) == 0.5
    assert Integer(0, 9).clip(4.6) == 5 and Integer(0, 9).clip(99.0) == 9 and type(Integer(0, 9).clip(1.2)) is int


def test_only_a_single_choice_is_constant():
    assert Categorical([None]).is_constant
    assert not Categorical([None, 0]).is_constant
    assert not Integer(1, 2).is_constant and not Real(0.0, 1e-9).is_constant
