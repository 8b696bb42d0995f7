"""The space as scikit-optimize sees it: one column per free dimension, and the way back.

In a conditional space a parameter inactive in a point is imputed (the middle of its range, its first
choice) so that every point has a full row; points of different branches still differ in their parents'
columns. Decoding keeps the active parameters only, and the snap makes every candidate of the acquisition
search canonical (its inactive columns imputed), so that two rows never stand for one parameter set.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tunekit.space import Categorical, Dimension, Integer, Real, Space

__all__ = ["Encoding"]


class _Column(ABC):
    """One free dimension for scikit-optimize: its skopt dimension, its entry in a row of values, and
    how its block of the normalised (unit-cube) encoding snaps onto valid encodings."""

    def __init__(self, dim: Any, name: str) -> None:
        self.dim = dim
        self.name = name

    @abstractmethod
    def skopt_dimension(self) -> Any:
        """A new skopt dimension (imports skopt)."""

    def encode(self, value: Any) -> Any:
        return value

    def decode(self, entry: Any) -> Any:
        return self.dim.clip(entry)

    def impute(self) -> Any:
        """The value that stands for "inactive" in a row: the middle of the range (in its own scale)."""
        return self.dim.from_unit(0.5)

    @abstractmethod
    def snap(self, block: np.ndarray, normalised: Any) -> None:
        """Move the rows of ``block`` (in place) to the nearest valid encodings of ``normalised``."""


class _RealColumn(_Column):
    def skopt_dimension(self) -> Any:
        from skopt.space import Real as SkReal

        return SkReal(self.dim.low, self.dim.high, name=self.name,
                      prior="log-uniform" if self.dim.log else "uniform")

    def snap(self, block: np.ndarray, normalised: Any) -> None:
        pass  # every point of a real's unit interval is valid


class _IntegerColumn(_Column):
    def skopt_dimension(self) -> Any:
        from skopt.space import Integer as SkInteger

        return SkInteger(self.dim.low, self.dim.high, name=self.name,
                         prior="log-uniform" if self.dim.log else "uniform")

    def snap(self, block: np.ndarray, normalised: Any) -> None:
        block[:, 0] = np.asarray(normalised.transform(normalised.inverse_transform(block[:, 0])), dtype=float)


class _CategoricalColumn(_Column):
    """Choices are told as tokens ``"0"``, ``"1"``...: skopt cannot mix types or hold ``None``."""

    def skopt_dimension(self) -> Any:
        from skopt.space import Categorical as SkCategorical

        return SkCategorical([str(i) for i in range(len(self.dim.choices))], name=self.name)

    def encode(self, value: Any) -> Any:
        return str(self.dim.index(value))

    def decode(self, entry: Any) -> Any:
        return self.dim.choices[int(entry)]

    def impute(self) -> Any:
        return self.dim.choices[0]

    def snap(self, block: np.ndarray, normalised: Any) -> None:
        if block.shape[1] == 1:  # two choices share one 0/1 column
            block[:, 0] = np.round(block[:, 0])
        else:
            one_hot = np.zeros(block.shape)
            one_hot[np.arange(len(block)), np.argmax(block, axis=1)] = 1.0
            block[:] = one_hot


@functools.singledispatch
def _column(dim: Dimension, name: str) -> _Column:
    raise TypeError(f"the bayes strategy has no encoding for {type(dim).__name__} {dim!r}")


_column.register(Real, _RealColumn)
_column.register(Integer, _IntegerColumn)
_column.register(Categorical, _CategoricalColumn)


class Encoding:
    """The free dimensions of ``space`` as skopt dimensions, and rows of values in both directions.

    A dimension with a single value is a constant: the backend cannot encode it, and need not. The
    skopt dimensions are built on first use, so that encoding rows does not import skopt.
    """

    def __init__(self, space: Space) -> None:
        self.space = space
        self.fixed = {name: dim.grid_points()[0] for name, dim in space.items() if dim.is_constant}
        self.free = [name for name in space if name not in self.fixed]
        self._columns = [_column(space[name], name) for name in self.free]
        self._dimensions: list[Any] | None = None
        self._normalized: Any = None
        self._snap: Callable[[np.ndarray], np.ndarray] | None = None

    def encode(self, params: dict[str, Any]) -> list[Any]:
        """The row of the free dimensions' values of ``params``, as skopt takes it (inactive ones imputed)."""
        return [column.encode(params[column.name] if column.name in params else column.impute())
                for column in self._columns]

    def decode(self, row: Sequence[Any]) -> dict[str, Any]:
        """The parameters, in space order and of their dimensions' types, of a row from skopt: the active
        ones only."""
        values: dict[str, Any] = dict(self.fixed)
        for column, entry in zip(self._columns, row, strict=True):
            values[column.name] = column.decode(entry)
        if self.space.is_conditional:
            return self.space.restrict(values)
        return {name: values[name] for name in self.space}

    def canonical(self, X: np.ndarray) -> np.ndarray:
        """Rows of the unit cube with the columns of inactive parameters imputed (a no-op without conditions)."""
        if not self.space.is_conditional or not len(X):
            return X
        normalized = self.normalized()
        rows = normalized.inverse_transform(X)
        return np.asarray(normalized.transform([self.encode(self.decode(row)) for row in rows]), dtype=float)

    def allowed(self, X: np.ndarray) -> np.ndarray:
        """Whether the space's constraints allow each row of the unit cube (all True without constraints)."""
        if not self.space.constraints or not len(X):
            return np.ones(len(X), dtype=bool)
        rows = self.normalized().inverse_transform(X)
        return np.array([self.space.allowed(self.decode(row)) for row in rows], dtype=bool)

    def dimensions(self) -> list[Any]:
        """The skopt dimensions, one per free dimension (built once)."""
        if self._dimensions is None:
            self._dimensions = [column.skopt_dimension() for column in self._columns]
        return self._dimensions

    def normalized(self) -> Any:
        """The skopt space of the dimensions normalised to the unit cube (categoricals one-hot)."""
        if self._normalized is None:
            from skopt.utils import normalize_dimensions

            # this sets the transformers of the very dimensions that skopt's ``Optimizer`` is given
            self._normalized = normalize_dimensions(self.dimensions())
        return self._normalized

    def snapper(self) -> Callable[[np.ndarray], np.ndarray]:
        """A function that maps rows of the unit cube to the nearest valid encodings of points."""
        if self._snap is None:
            blocks: list[tuple[int, int, _Column, Any]] = []
            start = 0
            for column, normalised in zip(self._columns, self.normalized().dimensions, strict=True):
                blocks.append((start, start + normalised.transformed_size, column, normalised))
                start += normalised.transformed_size

            def snap(X: np.ndarray) -> np.ndarray:
                X = X.copy()
                for begin, end, column, normalised in blocks:
                    column.snap(X[:, begin:end], normalised)
                return self.canonical(X)

            self._snap = snap
        return self._snap
