"""The pytest plugin: collects ``@tunable`` functions as items and wires tunekit's options and reporting.

Registered through the ``pytest11`` entry point as ``tunekit.plugin``, so ``pytest experiments/`` works as
well as the ``tunekit`` command. The item (:mod:`tunekit.item`) runs each search; the session state
(:mod:`tunekit.session`) gathers results on the controller, prints the leaderboard and writes files.
"""

from __future__ import annotations

import fnmatch
import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tunekit.api import TunableSpec, get_spec
from tunekit.errors import TunekitError
from tunekit.item import ExperimentFailed, TunableItem
from tunekit.options import add_options
from tunekit.session import install, session_state

__all__ = ["TunableItem", "ExperimentFailed", "InvalidExperimentNode"]


class InvalidExperiment(TunekitError):
    """An experiment's declaration is invalid; reported as a one-line collection error."""


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "tunable: a @tunable experiment (added by tunekit to every experiment)")
    install(config)


def _matches(path: Path, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(str(path) if "/" in p else path.name, p if "/" not in p else f"*{p}")
               for p in patterns)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    """Collect experiment files (``exp_*.py``, ``*_exp.py`` or ``[tool.tunekit] files``) as modules."""
    if file_path.suffix != ".py" or parent.session.isinitpath(file_path):
        return None  # pytest's own collector takes the paths given on the command line
    if _matches(file_path, tuple(parent.config.getini("python_files"))):
        return None  # ... and files it already collects
    if not _matches(file_path, session_state(parent.config).tool.files):
        return None
    ihook = parent.session.gethookproxy(file_path)
    return ihook.pytest_pycollect_makemodule(module_path=file_path, parent=parent)


def _fixture_proxy(fn: Callable[..., Any], spec: TunableSpec) -> Callable[..., Any]:
    """A stand-in whose signature lists only the fixtures, so pytest does not look up space parameters."""

    @functools.wraps(fn)
    def proxy(**kwargs: Any) -> Any:
        return fn(**kwargs)

    proxy.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY) for name in spec.fixture_names])
    return proxy


class InvalidExperimentNode(pytest.Collector):
    """Stands where an invalid experiment would be; collecting it raises its one-line error."""

    def __init__(self, *, message: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.message = message

    def collect(self) -> list[Any]:
        raise InvalidExperiment(self.message)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> str:  # type: ignore[override]
        if isinstance(excinfo.value, InvalidExperiment):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> Any:
    """Turn each ``@tunable`` function into one item, whatever its name."""
    spec = get_spec(obj)
    if spec is None:
        return None
    module = getattr(collector, "module", None)
    if module is not None and getattr(obj, "__module__", None) != module.__name__:
        return []  # imported from another module: collected there, not twice
    where = f"{collector.nodeid}::{name}"
    if spec.error is not None:
        return InvalidExperimentNode.from_parent(collector, name=name, message=f"{where}: {spec.error}")
    item = TunableItem.from_parent(collector, name=name, callobj=_fixture_proxy(obj, spec), spec=spec,
                                   experiment=obj)
    missing = [n for n in spec.fixture_names if n not in item._fixtureinfo.name2fixturedefs]
    if missing:
        return InvalidExperimentNode.from_parent(
            collector, name=name,
            message=(f"{where}: parameter {missing[0]!r} is neither in the space nor a fixture "
                     f"(define a fixture {missing[0]!r} in a conftest.py, or add it to the space)"))
    return item
