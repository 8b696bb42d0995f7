"""Search-space dimensions (``Real``, ``Integer``, ``Categorical``) and the ``Space`` that names them.

Dimensions check their own arguments but report problems lazily (``problem()``), so that the decorator can
name the experiment and parameter in one error line instead of failing the whole module at import time.
Strategies use the dimensions' own methods (``to_unit``/``from_unit``, ``neighbour``, ``cast``, and a
range's ``clip``) rather than switching on their kind.
"""

from __future__ import annotations

import copy
import itertools
import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cached_property
from typing import Any, ClassVar, TypeVar

import numpy as np

from tunekit.errors import SpaceError

__all__ = ["DEFAULT_GRID_POINTS", "MAX_DRAWS", "Branches", "Categorical", "Constraint", "Dimension", "Integer", "Real",
           "Space", "constraint_name", "searched"]

#: Keys of a dimension's description that change how results are shown, not what is searched.
_DISPLAY_KEYS = ("hard_bounds",)


def searched(space: Mapping[str, Any]) -> dict[str, Any]:
    """A space description (``Space.to_dict()``, a results file's) without its display-only keys: what two
    searches must share to be the same search (journals resume, the run store's series continue)."""
    return {name: {k: v for k, v in dim.items() if k not in _DISPLAY_KEYS} if isinstance(dim, Mapping) else dim
            for name, dim in space.items()}

#: Grid points used for a continuous (or wide integer) range when ``grid`` is not given.
DEFAULT_GRID_POINTS = 5
#: An integer range with at most this many values is enumerated completely by grid search.
_MAX_FULL_INTEGER_GRID = 10
_CHOICE_TYPES = (str, int, float, bool, type(None))


_D = TypeVar("_D", bound="Dimension")


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _is_integer(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


class Dimension(ABC):
    """One named axis of a search space: a range of numbers or a set of choices."""

    kind: ClassVar[str]

    def __init__(self) -> None:
        self._problem: str | None = None
        #: Parent name -> the values under which this dimension is active (empty: always active).
        self.conditions: dict[str, tuple[Any, ...]] = {}

    def when(self: _D, **parents: Any) -> _D:
        """A copy of this dimension that is active only where each named parent is active and has that value
        (or, given a list, one of those values): ``Integer(2, 5).when(kernel="poly")``.

        Parents are categorical or integer dimensions of the same space; the space checks them.
        """
        conditional = copy.copy(self)
        conditional.conditions = dict(self.conditions)
        if not parents:
            conditional._fail("when() needs at least one parent=value")
        for name, values in parents.items():
            allowed = tuple(values) if isinstance(values, (list, tuple)) else (values,)
            if not allowed:
                conditional._fail(f"when({name}=[]): give at least one value")
            conditional.conditions[name] = allowed
        return conditional

    @property
    def condition_text(self) -> str:
        """The conditions as they are written, ``when(kernel='poly')``, or ``""`` for an always active one."""
        if not self.conditions:
            return ""
        parts = ", ".join(f"{name}={values[0]!r}" if len(values) == 1 else f"{name}={list(values)!r}"
                          for name, values in self.conditions.items())
        return f"when({parts})"

    def _when_repr(self) -> str:
        return f".{self.condition_text}" if self.conditions else ""

    def _with_when(self, data: dict[str, Any]) -> dict[str, Any]:
        if self.conditions:
            data["when"] = {name: list(values) for name, values in self.conditions.items()}
        return data

    def problem(self) -> str | None:
        """Return why this dimension is invalid, or ``None`` when it is valid."""
        return self._problem

    def validate(self) -> None:
        """Raise :class:`SpaceError` when the dimension is invalid."""
        if self._problem is not None:
            raise SpaceError(f"{self!r}: {self._problem}")

    @property
    def is_constant(self) -> bool:
        """Whether the dimension has a single legal value (a categorical with one choice)."""
        return False

    @abstractmethod
    def sample(self, rng: np.random.Generator) -> Any:
        """Draw one value with ``rng`` (log-uniformly for log dimensions)."""

    @abstractmethod
    def to_unit(self, value: Any) -> float:
        """Return where legal ``value`` lies in the dimension, as a number in ``[0, 1]``.

        Log dimensions are scaled in log space, an integer range is widened by half a unit on each
        side (so that rounding gives the end values their fair share) and a choice maps to the centre
        of its bin among equal-width bins, so that :meth:`from_unit` maps it back (exactly for
        integers and choices, up to rounding for reals).
        """

    @abstractmethod
    def from_unit(self, u: float) -> Any:
        """Return the value at ``u`` in ``[0, 1]`` (clipped), of the type :meth:`cast` gives."""

    @abstractmethod
    def neighbour(self, value: Any, rng: np.random.Generator, scale: float) -> Any:
        """Return a random legal value near ``value`` (a mutation).

        Args:
            value: A legal value of the dimension.
            rng: Source of the random move.
            scale: Standard deviation of a numeric move, as a fraction of the (log) range; the move
                is reflected at the bounds, and an integer moves at least to a neighbour. A
                categorical ignores it and takes another choice at random.
        """

    @abstractmethod
    def cast(self, value: Any) -> Any:
        """Return legal ``value`` with the exact type the dimension proposes (``float`` for a real,
        ``int`` for an integer, the matching choice itself for a categorical)."""

    @abstractmethod
    def grid_points(self) -> list[Any]:
        """Return the values grid search enumerates, in increasing order (or choice order)."""

    @abstractmethod
    def contains(self, value: Any) -> bool:
        """Return whether ``value`` is a legal value of this dimension, type included."""

    @abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready description from which :meth:`from_dict` rebuilds the dimension."""

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Dimension:
        """Rebuild a dimension written by :meth:`to_dict`; raise :class:`SpaceError` when malformed."""
        if not isinstance(data, Mapping):
            raise SpaceError(f"a dimension must be an object, got {type(data).__name__}")
        kind = data.get("type")
        try:
            if kind == "real":
                dim: Dimension = Real(data["low"], data["high"], log=data.get("log", False),
                                      grid=data.get("grid"), hard_bounds=data.get("hard_bounds", False))
            elif kind == "integer":
                dim = Integer(data["low"], data["high"], log=data.get("log", False),
                              grid=data.get("grid"), hard_bounds=data.get("hard_bounds", False))
            elif kind == "categorical":
                dim = Categorical(data["choices"])
            else:
                raise SpaceError(f"type: expected 'real', 'integer' or 'categorical', got {kind!r}")
        except KeyError as exc:
            raise SpaceError(f"{kind} dimension is missing field {exc.args[0]!r}") from None
        when = data.get("when")
        if when is not None:
            if not isinstance(when, Mapping) or not all(isinstance(v, list) for v in when.values()):
                raise SpaceError(f"when: expected an object of parent name -> list of values, got {when!r}")
            dim = dim.when(**when)
        dim.validate()
        return dim

    def _fail(self, message: str) -> None:
        if self._problem is None:
            self._problem = message


class _Range(Dimension):
    """Shared checks and grid handling of ``Real`` and ``Integer``."""

    def __init__(self, low: Any, high: Any, *, log: bool = False, grid: Any = None,
                 hard_bounds: bool | str = False) -> None:
        super().__init__()
        self.low = low
        self.high = high
        self.log = log
        self.grid = grid
        #: The range cannot widen at its ``"low"`` end, its ``"high"`` end, or either (``True``): a fraction, a
        #: count from 1. No "best at a bound" hint there.
        self.hard_bounds = hard_bounds
        self._check_bounds()
        if not isinstance(log, (bool, np.bool_)):
            self._fail(f"log must be True or False, got {log!r}")
        if not isinstance(hard_bounds, (bool, np.bool_)) and hard_bounds not in ("low", "high"):
            self._fail(f"hard_bounds must be True, False, 'low' or 'high', got {hard_bounds!r}")
        if self._problem is None:
            if self.low >= self.high:
                self._fail(f"low ({low!r}) must be less than high ({high!r})")
            elif not math.isfinite(float(self.high) - float(self.low)):
                self._fail(f"the range [{low!r}, {high!r}] is wider than a float can represent")
            elif log and self.low <= 0:
                self._fail(f"log=True needs low > 0, got low={low!r}")
        if self._problem is None:
            self._check_grid()

    @abstractmethod
    def _check_bounds(self) -> None: ...

    @abstractmethod
    def _ends(self) -> tuple[float, float]:
        """The interval that sampling and the unit mapping cover, before any log scaling."""

    @abstractmethod
    def clip(self, x: float) -> Any:
        """Return the legal value nearest to the number ``x`` (rounded for an integer)."""

    def _span(self) -> tuple[float, float]:
        low, high = self._ends()
        return (math.log(low), math.log(high)) if self.log else (low, high)

    def sample(self, rng: np.random.Generator) -> Any:
        self.validate()
        x = rng.uniform(*self._span())
        return self.clip(math.exp(x) if self.log else x)

    def to_unit(self, value: Any) -> float:
        low, high = self._span()
        if not high > low:  # a range so narrow that its ends are one float (in log space, say)
            return 0.0
        x = math.log(value) if self.log else float(value)
        return min(max((x - low) / (high - low), 0.0), 1.0)

    def from_unit(self, u: float) -> Any:
        u = min(max(float(u), 0.0), 1.0)
        low, high = self._span()
        x = low + u * (high - low)
        return self.clip(math.exp(x) if self.log else x)

    def neighbour(self, value: Any, rng: np.random.Generator, scale: float) -> Any:
        return self._step(value, rng.normal(0.0, scale))

    def _step(self, value: Any, step: float) -> Any:
        """``value`` moved by ``step`` in unit coordinates, reflected at the bounds."""
        u = self.to_unit(value) + step
        return self.from_unit(abs(u) if u < 0 else (2.0 - u if u > 1 else u))

    def _check_grid(self) -> None:
        grid = self.grid
        if grid is None:
            return
        if _is_integer(grid):
            if grid < 2:
                self._fail(f"grid must be a number of points >= 2 or a list of values, got {grid!r}")
            return
        if isinstance(grid, (str, bytes)) or not isinstance(grid, Sequence | np.ndarray):
            self._fail(f"grid must be a number of points or a list of values, got {grid!r}")
            return
        if len(grid) == 0:
            self._fail("grid list is empty")
            return
        for value in grid:
            if not self.contains(value):
                article = "an" if self.kind[0] in "aeiou" else "a"
                self._fail(f"grid value {value!r} is not {article} {self.kind} in [{self.low}, {self.high}]")
                return
        if len({self.cast(v) for v in grid}) != len(grid):
            self._fail(f"grid list has duplicate values: {list(grid)!r}")

    def _spaced(self, n: int) -> np.ndarray:
        if self.log:
            return np.geomspace(self.low, self.high, n)
        return np.linspace(self.low, self.high, n)

    def grid_points(self) -> list[Any]:
        self.validate()
        if self.grid is not None and not _is_integer(self.grid):
            return sorted(self.cast(v) for v in self.grid)
        return self._default_grid(DEFAULT_GRID_POINTS if self.grid is None else int(self.grid))

    @abstractmethod
    def _default_grid(self, n: int) -> list[Any]: ...

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash((type(self).__name__, repr(self)))

    def __repr__(self) -> str:
        extra = ", log=True" if self.log is True else ""
        extra += f", grid={self.grid!r}" if self.grid is not None else ""
        extra += f", hard_bounds={self.hard_bounds!r}" if self.hard_bounds else ""
        return f"{type(self).__name__}({self.low!r}, {self.high!r}{extra}){self._when_repr()}"

    def to_dict(self) -> dict[str, Any]:
        self.validate()
        data: dict[str, Any] = {"type": self.kind, "low": self.low, "high": self.high, "log": bool(self.log)}
        if self.grid is not None:
            data["grid"] = int(self.grid) if _is_integer(self.grid) else [self.cast(v) for v in self.grid]
        if self.hard_bounds:
            data["hard_bounds"] = self.hard_bounds if isinstance(self.hard_bounds, str) else True
        return self._with_when(data)


class Real(_Range):
    """A continuous range ``[low, high]``; ``log=True`` samples it log-uniformly.

    ``grid`` is the number of grid-search points (evenly or log-spaced, default 5) or an explicit list.
    """

    kind = "real"

    def _check_bounds(self) -> None:
        for name in ("low", "high"):
            value = getattr(self, name)
            if not _is_real(value) or not math.isfinite(value):
                self._fail(f"{name} must be a finite number, got {value!r}")
                return
            setattr(self, name, float(value))

    def cast(self, value: Any) -> float:
        return float(value)

    def _ends(self) -> tuple[float, float]:
        return self.low, self.high

    def clip(self, x: float) -> float:
        return float(min(max(float(x), self.low), self.high))

    def _default_grid(self, n: int) -> list[float]:
        points = [float(v) for v in self._spaced(n)]
        points[0], points[-1] = self.low, self.high  # no rounding drift at the bounds
        return sorted({min(max(p, self.low), self.high) for p in points})  # a narrow range collapses points

    def contains(self, value: Any) -> bool:
        return _is_real(value) and math.isfinite(value) and self.low <= value <= self.high


class Integer(_Range):
    """An integer range ``[low, high]`` (both included); ``log=True`` samples it log-uniformly.

    Grid search enumerates every value of a range of at most 10 values, else ``grid`` points (default 5).
    """

    kind = "integer"

    def _check_bounds(self) -> None:
        for name in ("low", "high"):
            value = getattr(self, name)
            if not _is_integer(value):
                self._fail(f"{name} must be an integer, got {value!r}")
                return
            if abs(int(value)) > 2**53:
                self._fail(f"{name} must be within +-2**53 (exactly representable as a float), got {value!r}")
                return
            setattr(self, name, int(value))

    def cast(self, value: Any) -> int:
        return int(value)

    def _ends(self) -> tuple[float, float]:
        # Half a unit more on each side, so that rounding gives the end values their fair share.
        return self.low - 0.5, self.high + 0.5

    def clip(self, x: float) -> int:
        return int(min(max(round(float(x)), self.low), self.high))

    def _step(self, value: Any, step: float) -> Any:
        moved = super()._step(value, step)
        if moved != value:
            return moved
        # a step smaller than one unit rounds back: move to the neighbour instead
        direction = 1 if step >= 0 else -1
        return value + direction if self.low <= value + direction <= self.high else value - direction

    def _default_grid(self, n: int) -> list[int]:
        if self.grid is None and self.high - self.low + 1 <= _MAX_FULL_INTEGER_GRID:
            return list(range(self.low, self.high + 1))
        points = {self.clip(v) for v in self._spaced(n)}
        return sorted(points | {self.low, self.high})

    def contains(self, value: Any) -> bool:
        return _is_integer(value) and self.low <= value <= self.high


class Categorical(Dimension):
    """A finite set of choices (strings, numbers, booleans or ``None``), tried in the given order by grid."""

    kind = "categorical"

    def __init__(self, choices: Sequence[Any]) -> None:
        super().__init__()
        self.choices = choices
        if isinstance(choices, (str, bytes)) or not isinstance(choices, Sequence | np.ndarray):
            self._fail(f"choices must be a list, got {choices!r}")
            return
        self.choices = list(choices)
        if not self.choices:
            self._fail("choices must not be empty")
            return
        seen = set()
        for choice in self.choices:
            if not isinstance(choice, _CHOICE_TYPES):
                self._fail(f"choice {choice!r} is a {type(choice).__name__}; "
                           "choices must be str, int, float, bool or None so results stay JSON")
                return
            if isinstance(choice, float) and not math.isfinite(choice):
                self._fail(f"choice {choice!r} is not a finite number")
                return
            key = (type(choice), choice)
            if key in seen:
                self._fail(f"duplicate choice {choice!r}")
                return
            seen.add(key)

    @property
    def is_constant(self) -> bool:
        return len(self.choices) == 1

    def sample(self, rng: np.random.Generator) -> Any:
        self.validate()
        return self.choices[int(rng.integers(len(self.choices)))]

    def to_unit(self, value: Any) -> float:
        return (self.index(value) + 0.5) / len(self.choices)

    def from_unit(self, u: float) -> Any:
        u = min(max(float(u), 0.0), 1.0)
        return self.choices[min(int(u * len(self.choices)), len(self.choices) - 1)]

    def neighbour(self, value: Any, rng: np.random.Generator, scale: float) -> Any:
        others = [i for i in range(len(self.choices)) if i != self.index(value)]
        return self.choices[others[int(rng.integers(len(others)))]] if others else value

    def cast(self, value: Any) -> Any:
        return self.choices[self.index(value)]

    def grid_points(self) -> list[Any]:
        self.validate()
        return list(self.choices)

    def contains(self, value: Any) -> bool:
        return any(type(value) is type(c) and value == c for c in self.choices)

    def index(self, value: Any) -> int:
        """Return the position of ``value`` among the choices (type-exact: ``1`` is not ``True``)."""
        for i, choice in enumerate(self.choices):
            if type(value) is type(choice) and value == choice:
                return i
        raise SpaceError(f"{value!r} is not one of {self.choices!r}")

    def to_dict(self) -> dict[str, Any]:
        self.validate()
        return self._with_when({"type": self.kind, "choices": list(self.choices)})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Categorical) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(repr(self))

    def __repr__(self) -> str:
        return f"Categorical({self.choices!r}){self._when_repr()}"


#: A constraint: called with a trial's active parameters, it returns whether the combination is allowed.
Constraint = Callable[[dict[str, Any]], bool]
#: Random draws a constrained space makes before it gives up finding an allowed point.
MAX_DRAWS = 1000
#: A conditional or constrained grid larger than this (before conditions) is not enumerated to count it.
_MAX_ENUMERATED_GRID = 200_000


def _matches(value: Any, allowed: Sequence[Any]) -> bool:
    """Whether ``value`` is one of ``allowed``, type-exactly (``1`` is not ``True``) as choices compare."""
    return any(type(value) is type(a) and value == a for a in allowed)


def constraint_name(constraint: Constraint) -> str:
    """How messages name a constraint: its function's name (``<lambda>`` for a lambda)."""
    return getattr(constraint, "__name__", None) or type(constraint).__name__


class Space(Mapping[str, Dimension]):
    """An ordered mapping from parameter names to dimensions, validated as a whole.

    A dimension with conditions (:meth:`Dimension.when`) is active only where its parents are active and
    take one of the given values; a parameter set holds the active parameters only. ``constraints`` are
    callables that say whether a parameter set is allowed (:meth:`allowed`); sampling and the grid keep to
    the allowed ones.
    """

    def __init__(self, dimensions: Mapping[str, Dimension], constraints: Sequence[Constraint] = ()) -> None:
        if not isinstance(dimensions, Mapping):
            raise SpaceError(f"space must be a dict of name -> dimension, got {type(dimensions).__name__}")
        if not dimensions:
            raise SpaceError("space must name at least one parameter")
        for name, dim in dimensions.items():
            if not isinstance(name, str) or not name.isidentifier():
                raise SpaceError(f"space key {name!r} is not a valid parameter name")
            if not isinstance(dim, Dimension):
                raise SpaceError(f"space[{name!r}]: expected Real, Integer or Categorical, "
                                 f"got {type(dim).__name__} {dim!r}")
            if dim.problem() is not None:
                raise SpaceError(f"space[{name!r}]: {dim!r}: {dim.problem()}")
        self._dims = dict(dimensions)
        self._order = self._check_conditions()
        self.constraints: tuple[Constraint, ...] = tuple(constraints)

    def _check_conditions(self) -> list[str]:
        """Check every condition's parent; return the names with parents before children (else declared order)."""
        for name, dim in self._dims.items():
            for parent, values in dim.conditions.items():
                where = f"space[{name!r}]: when({parent}=...)"
                if parent not in self._dims:
                    raise SpaceError(f"{where}: {parent!r} is not a parameter of the space "
                                     f"(parameters: {', '.join(self._dims)})")
                parent_dim = self._dims[parent]
                if isinstance(parent_dim, Real):
                    raise SpaceError(f"{where}: {parent!r} is a Real; a condition needs a Categorical or Integer "
                                     "parent")
                for value in values:
                    if not parent_dim.contains(value):
                        raise SpaceError(f"{where}: {value!r} is not a value of {parent!r} ({parent_dim!r})")
        order: list[str] = []
        placed: set[str] = set()
        waiting = list(self._dims)
        while waiting:
            ready = next((n for n in waiting if set(self._dims[n].conditions) <= placed), None)
            if ready is None:
                raise SpaceError(f"space: the conditions form a cycle ({self._cycle(waiting)})")
            order.append(ready)
            placed.add(ready)
            waiting.remove(ready)
        return order

    def _cycle(self, names: list[str]) -> str:
        """One cycle among ``names`` (each has a parent among them), as ``a -> b -> a``."""
        path = [names[0]]
        while True:
            parent = next(p for p in self._dims[path[-1]].conditions if p in names)
            if parent in path:
                loop = path[path.index(parent):]
                return " -> ".join([*loop, parent])
            path.append(parent)

    def __getitem__(self, name: str) -> Dimension:
        return self._dims[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._dims)

    def __len__(self) -> int:
        return len(self._dims)

    def __repr__(self) -> str:
        return f"Space({self._dims!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Space) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    @property
    def parents_first(self) -> list[str]:
        """The names with every parent before its children (else in space order): the order to draw them in."""
        return list(self._order)

    @property
    def is_conditional(self) -> bool:
        """Whether some dimension is active only under a condition."""
        return any(dim.conditions for dim in self._dims.values())

    @property
    def is_flat(self) -> bool:
        """Whether every parameter set names every dimension and is allowed: no conditions, no constraints."""
        return not self.constraints and not self.is_conditional

    def is_active(self, name: str, params: Mapping[str, Any]) -> bool:
        """Whether dimension ``name`` is active given the values of its parents in ``params``."""
        for parent, values in self._dims[name].conditions.items():
            if parent not in params or not self.is_active(parent, params) or not _matches(params[parent], values):
                return False
        return True

    def active_names(self, params: Mapping[str, Any]) -> list[str]:
        """The dimensions active given ``params`` (only the parents' values matter), in space order."""
        return [name for name in self._dims if self.is_active(name, params)]

    def restrict(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """``params`` without the parameters that are inactive (or unknown), in space order."""
        return {name: params[name] for name in self._dims if name in params and self.is_active(name, params)}

    def allowed(self, params: Mapping[str, Any]) -> bool:
        """Whether every constraint allows ``params`` (active parameters only); a constraint's error propagates."""
        return all(constraint(dict(params)) for constraint in self.constraints)

    def complete(self, params: Mapping[str, Any], rng: np.random.Generator) -> dict[str, Any]:
        """``params`` made a legal parameter set: inactive parameters dropped, newly active ones drawn with
        ``rng`` (parents first), in space order. What evolution needs after a crossover or a mutation."""
        done: dict[str, Any] = {}
        for name in self._order:
            if self.is_active(name, done):
                done[name] = params[name] if name in params else self._dims[name].sample(rng)
        return {name: done[name] for name in self._dims if name in done}

    def sample(self, rng: np.random.Generator) -> dict[str, Any]:
        """Draw one allowed parameter set: each active dimension in space order (parents first).

        Raises:
            SpaceError: the constraints allowed none of :data:`MAX_DRAWS` draws.
        """
        if self.is_flat:
            return {name: dim.sample(rng) for name, dim in self._dims.items()}
        for _ in range(MAX_DRAWS):
            point = self.complete({}, rng)
            if self.allowed(point):
                return point
        raise SpaceError(f"the constraints allowed none of {MAX_DRAWS} random parameter sets")

    @cached_property
    def _grid_points(self) -> dict[str, list[Any]]:
        return {name: dim.grid_points() for name, dim in self._dims.items()}

    @cached_property
    def grid_product(self) -> int:
        """The product of the dimensions' grid sizes: the grid before conditions and constraints (a bound)."""
        return math.prod(len(points) for points in self._grid_points.values())

    @cached_property
    def _enumerated(self) -> list[dict[str, Any]] | None:
        """Every allowed grid point of a conditional or constrained space; ``None`` when too large to list."""
        if self.is_flat or self.grid_product > _MAX_ENUMERATED_GRID:
            return None
        return list(self._walk_grid())

    @property
    def grid_size(self) -> int:
        """Number of parameter sets grid search enumerates (for a conditional or constrained grid of more than
        200,000 points before conditions, that bound)."""
        enumerated = self._enumerated
        return self.grid_product if enumerated is None else len(enumerated)

    def grid(self) -> Iterator[dict[str, Any]]:
        """Yield every allowed grid combination (active parameters only, no two that differ only in inactive
        ones), the last dimension varying fastest."""
        if self.is_flat:
            names = list(self._dims)
            for values in itertools.product(*(self._grid_points[n] for n in names)):
                yield dict(zip(names, values, strict=True))
            return
        enumerated = self._enumerated
        yield from (self._walk_grid() if enumerated is None else enumerated)

    def _walk_grid(self) -> Iterator[dict[str, Any]]:
        def walk(at: int, partial: dict[str, Any]) -> Iterator[dict[str, Any]]:
            if at == len(self._order):
                point = {name: partial[name] for name in self._dims if name in partial}
                if self.allowed(point):
                    yield point
                return
            name = self._order[at]
            if not self.is_active(name, partial):
                yield from walk(at + 1, partial)
                return
            for value in self._grid_points[name]:
                yield from walk(at + 1, {**partial, name: value})

        yield from walk(0, {})

    @cached_property
    def _grid_positions(self) -> dict[tuple[tuple[str, type, Any], ...], int]:
        return {_grid_key(point): i for i, point in enumerate(self._enumerated or [])}

    def grid_index(self, params: Mapping[str, Any]) -> int | None:
        """Position of ``params`` in :meth:`grid` order, or ``None`` when it is not a grid combination.

        Values compare type-exactly (``1`` is not ``1.0`` nor ``True``), as grid points have their
        dimension's type; a real value is on the grid only if it equals a grid point exactly.
        """
        if not self.is_flat:
            return self._grid_positions.get(_grid_key(params))
        index = 0
        for name in self._dims:
            points = self._grid_points[name]
            value = params.get(name)
            position = next((i for i, p in enumerate(points) if type(p) is type(value) and p == value), None)
            if name not in params or position is None:
                return None
            index = index * len(points) + position
        return index

    @property
    def is_discrete(self) -> bool:
        """Whether every dimension is categorical or integer (grid search can cover it exactly)."""
        return all(not isinstance(d, Real) for d in self._dims.values())

    def contains(self, params: Mapping[str, Any]) -> bool:
        """Return whether ``params`` has exactly this space's active names with legal values (constraints aside)."""
        return (set(params) == set(self.active_names(params))
                and all(name in self._dims and self._dims[name].contains(v) for name, v in params.items()))

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """Return the JSON-ready description stored in results files."""
        return {name: dim.to_dict() for name, dim in self._dims.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Space:
        """Rebuild a space written by :meth:`to_dict`; raise :class:`SpaceError` naming the bad key."""
        if not isinstance(data, Mapping):
            raise SpaceError(f"space must be an object, got {type(data).__name__}")
        dims = {}
        for name, item in data.items():
            try:
                dims[name] = Dimension.from_dict(item)
            except SpaceError as exc:
                raise SpaceError(f"space[{name!r}]: {exc}") from None
        return cls(dims)


def Branches(parent: str, /, **branches: Mapping[str, Dimension]) -> dict[str, Dimension]:
    """A choice between branches that each have parameters of their own, as space entries:
    ``Branches("model", svc={"C": Real(...)}, forest={"depth": Integer(...)})`` is
    ``{"model": Categorical(["svc", "forest"]), "C": Real(...).when(model="svc"), "depth": ...}``.

    A parameter several branches declare alike is one parameter active in each of them; declared differently,
    it is an error of the space (give them different names). Merge with other entries: ``{**Branches(...), ...}``.
    Mistakes are reported when the space is checked, naming the parameter, like a dimension's own.
    """
    entries: dict[str, Dimension] = {parent: Categorical(list(branches))}
    if not branches:
        entries[parent]._fail(f"Branches({parent!r}) needs at least one branch: name=dict of dimensions")
    owners: dict[str, list[str]] = {}
    for branch, dims in branches.items():
        if not isinstance(dims, Mapping):
            entries[parent]._fail(f"Branches({parent!r}): branch {branch!r} must be a dict of name -> dimension, "
                                  f"got {type(dims).__name__}")
            continue
        for name, dim in dims.items():
            if name == parent:
                entries[parent]._fail(f"Branches({parent!r}): branch {branch!r} has a parameter named like the choice")
            elif not isinstance(dim, Dimension) or dim.problem() is not None:
                entries[name] = dim  # the space reports what is wrong with it, naming it
            elif name not in owners:
                owners[name] = [branch]
                entries[name] = dim.when(**{parent: branch})
            elif entries[name].problem() is None and dim == _unconditioned(entries[name], parent):
                owners[name].append(branch)
                entries[name] = dim.when(**{parent: owners[name]})
            else:
                broken = copy.copy(dim)
                broken._fail(f"Branches({parent!r}): {name!r} differs between branches {owners[name][0]!r} and "
                             f"{branch!r}: give them different names")
                entries[name] = broken
    return entries


def _unconditioned(dim: Dimension, parent: str) -> Dimension:
    """``dim`` without its condition on ``parent`` (to compare what branches declared)."""
    bare = copy.copy(dim)
    bare.conditions = {k: v for k, v in dim.conditions.items() if k != parent}
    return bare


def _grid_key(params: Mapping[str, Any]) -> tuple[tuple[str, type, Any], ...]:
    return tuple(sorted((name, type(value), value) for name, value in params.items()))
