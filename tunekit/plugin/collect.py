"""Collection: experiment files become modules, ``@tunable`` functions become items, and mistakes become
one-line collection errors that leave the other experiments running."""

from __future__ import annotations

import ast
import fnmatch
import functools
import inspect
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _pytest.config import ConftestImportFailure  # what pytest raises for a conftest.py that does not import

from tunekit.api import TunableSpec, get_spec
from tunekit.errors import InvalidExperiment
from tunekit.plugin.item import TunableItem, wants_traceback
from tunekit.trial import describe_exception

__all__ = ["ExperimentDir", "ExperimentModule", "InvalidExperimentNode", "conftest_problem", "make_item", "matches"]


def import_problem(where: str, exc: BaseException) -> str:
    """One line for a file that does not import: ``where``, then the error with the file and line it names."""
    if isinstance(exc, SyntaxError):
        place = f" ({os.path.relpath(exc.filename)}:{exc.lineno})" if exc.filename else ""
        return f"{where}: cannot import: SyntaxError: {exc.msg}{place}"
    return f"{where}: cannot import: {describe_exception(exc)}"


def conftest_problem(path: Path, cause: BaseException) -> str:
    """One line for a conftest.py that does not import."""
    shown = os.path.relpath(path)
    return import_problem(str(path) if shown.startswith("..") else shown, cause)


def matches(path: Path, patterns: tuple[str, ...]) -> bool:
    """Whether ``path`` matches one of the file patterns (a name pattern, or a path pattern with ``/``)."""
    return any(fnmatch.fnmatch(str(path) if "/" in p else path.name, p if "/" not in p else f"*{p}")
               for p in patterns)


def _fixture_proxy(fn: Callable[..., Any], spec: TunableSpec) -> Callable[..., Any]:
    """A stand-in whose signature lists only the fixtures, so pytest does not look up space parameters."""

    @functools.wraps(fn)
    def proxy(**kwargs: Any) -> Any:
        return fn(**kwargs)

    proxy.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY) for name in spec.fixture_names])
    return proxy


class ExperimentDir(pytest.Dir):  # type: ignore[misc]  # Dir is typing-final; only its failure report changes
    """A folder of experiments: a conftest.py in it that does not import is one line, not a traceback."""

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> Any:  # type: ignore[override]
        failure = excinfo.value
        if isinstance(failure, ConftestImportFailure) and not wants_traceback(self.config):
            return conftest_problem(failure.path, failure.cause)
        return super().repr_failure(excinfo)


class InvalidExperimentNode(pytest.Collector):
    """Stands where an invalid experiment would be; collecting it raises its one-line error."""

    def __init__(self, *, message: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.message = message

    def collect(self) -> list[Any]:
        raise InvalidExperiment(self.message)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> Any:  # type: ignore[override]
        if isinstance(excinfo.value, InvalidExperiment):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


def make_item(collector: pytest.Collector, name: str, obj: object) -> Any:
    """The item for ``obj`` if it is an experiment, an error node if it is a broken one, else ``None``."""
    spec = get_spec(obj)
    if spec is None or not callable(obj):
        return None
    module = getattr(collector, "module", None)
    # Where obj was defined; a functools.partial only names functools: it is reported here, where it stands.
    defined_in = obj.__module__ if inspect.isfunction(obj) or inspect.isclass(obj) else None
    if module is not None and defined_in is not None and defined_in != module.__name__:
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


def _is_tunable_decorator(node: ast.expr) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    return (isinstance(target, ast.Name) and target.id == "tunable") or (
        isinstance(target, ast.Attribute) and target.attr == "tunable")


def duplicate_experiments(source: str) -> dict[str, list[int]]:
    """Top-level experiment names defined more than once in ``source`` -> their line numbers."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    lines: dict[str, list[int]] = {}
    tunable_names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lines.setdefault(node.name, []).append(node.lineno)
            if any(_is_tunable_decorator(d) for d in node.decorator_list):
                tunable_names.add(node.name)
    return {name: found for name, found in lines.items() if len(found) > 1 and name in tunable_names}


class ExperimentModule(pytest.Module):
    """A module of experiments: import errors and duplicate names are one line each, not a traceback."""

    def _getobj(self) -> Any:
        try:
            return super()._getobj()
        except self.CollectError as exc:
            cause = exc.__cause__
            if cause is None or wants_traceback(self.config):
                raise
            raise InvalidExperiment(self._import_problem(cause)) from cause
        except (pytest.skip.Exception, KeyboardInterrupt):
            raise
        except Exception as exc:
            if wants_traceback(self.config):
                raise
            raise InvalidExperiment(self._import_problem(exc)) from exc

    def _import_problem(self, exc: BaseException) -> str:
        if type(exc).__name__ == "ImportPathMismatchError":
            other = os.path.relpath(str(exc.args[1])) if len(exc.args) > 1 else "another file"
            return (f"{self.nodeid}: another experiment file with the same name ({other}) was imported first: "
                    "give experiment files unique names, or put an __init__.py in their folders")
        return import_problem(self.nodeid, exc)

    def collect(self) -> list[Any]:
        nodes = list(super().collect())
        duplicates = duplicate_experiments(self.path.read_text(encoding="utf-8", errors="replace"))
        for i, node in enumerate(nodes):
            if node.name in duplicates:
                lines = duplicates[node.name]
                nodes[i] = InvalidExperimentNode.from_parent(
                    self, name=node.name,
                    message=(f"{node.nodeid}: experiment defined {len(lines)} times (lines "
                             f"{', '.join(map(str, lines))}): only the last would run; rename the others"))
        return nodes

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> Any:  # type: ignore[override]
        if isinstance(excinfo.value, InvalidExperiment):
            return str(excinfo.value)
        return super().repr_failure(excinfo)
