"""Turning an objective (a closure over the experiment and its fixture values) into bytes for workers.

Experiment modules, conftest files and helpers next to them are usually not importable where workers
run (another process with another ``sys.path``, or a Dask worker on another machine). cloudpickle sends
them by value instead, so users never have to install their experiments folder on a cluster.
"""

from __future__ import annotations

import functools
import os
import pickle
import sys
import sysconfig
import types
from typing import Any

import cloudpickle

from tunekit.errors import ExecutorError

__all__ = ["ExecutorError", "dumps_objective", "modules_to_send_by_value"]

#: Packages that are installed wherever tunekit runs: always pickled by reference.
_BY_REFERENCE = ("tunekit", "pytest", "_pytest", "pluggy", "numpy", "cloudpickle")
#: Containers with more items than this are not searched for classes of local modules.
_MAX_CONTAINER = 64



def _library_dirs() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    dirs = {paths.get(key) for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    dirs |= {p for p in sys.path if "site-packages" in p or "dist-packages" in p}
    return tuple(os.path.realpath(d) + os.sep for d in dirs if d)


def _is_local(module: types.ModuleType, library_dirs: tuple[str, ...]) -> bool:
    """Whether ``module`` is user code (experiments, conftest, helpers) rather than an installed library."""
    name = module.__name__
    if name == "__main__" or name.split(".")[0] in _BY_REFERENCE or sys.modules.get(name) is not module:
        return False  # __main__ is always pickled by value by cloudpickle anyway
    filename = getattr(module, "__file__", None)
    if not filename or not filename.endswith(".py"):
        return False
    return not os.path.realpath(filename).startswith(library_dirs)


def modules_to_send_by_value(objective: Any) -> list[types.ModuleType]:
    """The local modules whose functions or classes ``objective`` reaches, plus every loaded conftest."""
    names: set[str] = set()
    seen: set[int] = set()
    stack: list[Any] = [objective]
    while stack and len(seen) < 10_000:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, types.FunctionType):
            names.add(obj.__module__)
            stack.extend(cell.cell_contents for cell in obj.__closure__ or () if _has_contents(cell))
        elif isinstance(obj, type):
            names.add(obj.__module__)
        elif isinstance(obj, functools.partial):
            stack.extend((obj.func, *obj.args, *obj.keywords.values()))
        elif isinstance(obj, types.MethodType):
            stack.extend((obj.__func__, obj.__self__))
        elif isinstance(obj, dict):
            if len(obj) <= _MAX_CONTAINER:
                stack.extend(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            if len(obj) <= _MAX_CONTAINER:
                stack.extend(obj)
        else:
            names.add(type(obj).__module__)
    library_dirs = _library_dirs()
    modules = [sys.modules[n] for n in sorted(names) if n in sys.modules]
    modules += [m for m in list(sys.modules.values())
                if isinstance(m, types.ModuleType) and os.path.basename(getattr(m, "__file__", None) or "")
                == "conftest.py"]
    unique = {m.__name__: m for m in modules if _is_local(m, library_dirs)}
    return list(unique.values())


def _has_contents(cell: types.CellType) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - an empty cell raises
    except ValueError:
        return False
    return True


def dumps_objective(objective: Any) -> bytes:
    """Pickle ``objective`` with its local modules by value; :class:`ExecutorError` says why it cannot."""
    registered = cloudpickle.list_registry_pickle_by_value()
    added = []
    for module in modules_to_send_by_value(objective):
        if module.__name__ not in registered:
            cloudpickle.register_pickle_by_value(module)
            added.append(module)
    try:
        return cloudpickle.dumps(objective, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # noqa: BLE001 - any pickling failure is reported the same way
        raise ExecutorError(
            f"cannot send the objective to worker processes: {type(exc).__name__}: {exc} (fixture values "
            "must be picklable with cloudpickle; with workers=1 and no trial timeout trials run in-process)"
        ) from None
    finally:
        for module in added:
            cloudpickle.unregister_pickle_by_value(module)
