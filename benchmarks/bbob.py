"""COCO's BBOB functions (package ``coco-experiment``, module ``cocoex``) as benchmark problems.

A problem is named ``bbob_f021_i01_d02`` (function, instance, dimension, as COCO names it), searched over
``[-5, 5]^d`` as ``Real`` dimensions ``x0 .. x{d-1}``. Its optimum is the function's value at COCO's own
optimal parameter, ``f(x_opt) = f_opt`` exactly (COCO's final target is ``f_opt + 1e-8``).
"""

from __future__ import annotations

import functools
import os
import tempfile
from dataclasses import dataclass
from typing import Any

import numpy as np

from benchmarks.problems import Problem
from tunekit.space import Real, Space

__all__ = ["DIMENSIONS", "FUNCTIONS", "GROUPS", "INSTANCES", "BBOBKey", "bbob_names", "bbob_problem",
           "function_name", "group_of"]

#: BBOB's five function groups (Hansen et al., "Real-parameter black-box optimization benchmarking 2009:
#: noiseless functions definitions").
GROUPS: dict[str, range] = {
    "separable": range(1, 6),
    "low or moderate conditioning": range(6, 10),
    "high conditioning, unimodal": range(10, 15),
    "multimodal, adequate global structure": range(15, 20),
    "multimodal, weak global structure": range(20, 25),
}
#: The functions run by default: 18 of the 24, at least three of every group.
FUNCTIONS = (1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 14, 15, 16, 17, 20, 21, 22, 24)
DIMENSIONS = (2, 5, 10)
INSTANCES = (1, 2, 3, 4, 5)
_NAMES = {1: "sphere", 2: "ellipsoid separable", 3: "Rastrigin separable", 4: "Bueche-Rastrigin",
          5: "linear slope", 6: "attractive sector", 7: "step ellipsoid", 8: "Rosenbrock",
          9: "Rosenbrock rotated", 10: "ellipsoid", 11: "discus", 12: "bent cigar", 13: "sharp ridge",
          14: "different powers", 15: "Rastrigin", 16: "Weierstrass", 17: "Schaffer F7",
          18: "Schaffer F7 ill-conditioned", 19: "Griewank-Rosenbrock", 20: "Schwefel x sin(x)",
          21: "Gallagher 101 peaks", 22: "Gallagher 21 peaks", 23: "Katsuura", 24: "Lunacek bi-Rastrigin"}


@dataclass(frozen=True)
class BBOBKey:
    """Function, instance and dimension of one BBOB problem."""

    function: int
    instance: int
    dimension: int

    @property
    def name(self) -> str:
        return f"bbob_f{self.function:03d}_i{self.instance:02d}_d{self.dimension:02d}"

    @classmethod
    def parse(cls, name: str) -> BBOBKey:
        _, f, i, d = name.split("_")
        return cls(int(f[1:]), int(i[1:]), int(d[1:]))


def group_of(function: int) -> str:
    """The BBOB group of function ``function`` (1..24)."""
    return next(group for group, members in GROUPS.items() if function in members)


def function_name(function: int) -> str:
    return _NAMES[function]


def bbob_names(functions: tuple[int, ...] = FUNCTIONS, dimensions: tuple[int, ...] = DIMENSIONS,
               instances: tuple[int, ...] = INSTANCES) -> list[str]:
    """Problem names, dimension-major then instance then function: the order the benchmark runs them."""
    return [BBOBKey(f, i, d).name for d in dimensions for i in instances for f in functions]


def _cocoex() -> Any:
    try:
        import cocoex
    except ImportError as error:
        raise SystemExit("the BBOB suite needs cocoex: pip install -e '.[bench]' (package coco-experiment)") \
            from error
    return cocoex


@functools.cache
def _coco_problem(key: BBOBKey) -> tuple[Any, Any]:
    """The cocoex suite (kept alive: it owns the problem) and the problem."""
    suite = _cocoex().Suite("bbob", f"instances:{key.instance}",
                            f"dimensions:{key.dimension} function_indices:{key.function}")
    return suite, suite.get_problem_by_function_dimension_instance(key.function, key.dimension, key.instance)


@functools.cache
def _optimum(key: BBOBKey) -> float:
    """``f(x_opt)``: cocoex only writes ``x_opt`` to a file in the working directory, so read it from there."""
    _, problem = _coco_problem(key)
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        try:
            problem._best_parameter("print")
            x_opt = np.atleast_1d(np.loadtxt("._bbob_problem_best_parameter.txt"))
        finally:
            os.chdir(here)
    return float(problem(x_opt))


@functools.cache
def bbob_problem(name: str) -> Problem:
    """The BBOB problem called ``name`` (``bbob_fFFF_iII_dDD``)."""
    key = BBOBKey.parse(name)
    _, problem = _coco_problem(key)
    names = [f"x{i}" for i in range(key.dimension)]

    def loss(params: dict[str, Any]) -> float:
        return float(problem(np.array([params[n] for n in names], dtype=float)))

    return Problem(name, Space({n: Real(-5.0, 5.0) for n in names}), loss, _optimum(key), "bbob",
                   f"f{key.function} {_NAMES[key.function]}, instance {key.instance}, {key.dimension}-D")
