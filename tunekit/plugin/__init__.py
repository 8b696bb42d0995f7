"""The pytest plugin: hooks only, gluing pytest's collection, fixtures and reporting to tunekit's runner.

Registered through the ``pytest11`` entry point as ``tunekit.plugin``, so ``pytest experiments/`` works as
well as the ``tunekit`` command. Options are read once into a frozen record; the item
(:mod:`tunekit.plugin.item`) hands each experiment to the runner (:mod:`tunekit.run`); the controller,
the terminal summary and the executor pool are plugin objects of their own, each under a ``StashKey``.

PYTEST_DONT_REWRITE: the ``tunekit`` command imports tunekit before it starts pytest, so pytest could not
rewrite this plugin's asserts anyway (it would warn that it cannot); they are internal checks, not tests.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from _pytest.config import ConftestImportFailure  # what pytest raises for a conftest.py that does not import

from tunekit.config import ToolConfig, load_tool_config
from tunekit.errors import ExitCode, TunekitError, translate
from tunekit.plugin.collect import (
    ExperimentDir,
    ExperimentModule,
    InvalidExperimentNode,
    conftest_problem,
    make_item,
    matches,
)
from tunekit.plugin.controller import CONTROLLER_KEY, Controller
from tunekit.plugin.item import TunableItem
from tunekit.plugin.options import OPTIONS_KEY, add_options, read_options, tunekit_command
from tunekit.plugin.pool import POOL_KEY, ExecutorPool
from tunekit.plugin.terminal import TerminalSummary
from tunekit.store import store_url

__all__ = ["ExperimentModule", "InvalidExperimentNode", "TunableItem"]

_TOOL_KEY = pytest.StashKey[ToolConfig]()


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> Generator[None, None, None]:
    """Under the ``tunekit`` command (which names this plugin with ``-p``), a conftest.py of the experiment
    folder that does not import is one line naming its file and line, exit 4, instead of pytest's traceback.
    ``--tb`` other than ``auto``/``line``/``no`` keeps pytest's report."""
    try:
        return (yield)
    except ConftestImportFailure as failure:
        if not tunekit_command(early_config) or early_config.known_args_namespace.tbstyle not in ("auto", "line", "no"):
            raise
        raise pytest.UsageError(conftest_problem(failure.path, failure.cause)) from None


def pytest_collect_directory(path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Under the ``tunekit`` command, a folder (not a package) whose conftest.py does not import is one
    collection error naming its file and line; the experiments in other folders still run."""
    if not tunekit_command(parent.config) or (path / "__init__.py").is_file():
        return None  # pytest's Dir, or its Package
    return ExperimentDir.from_parent(parent, path=path)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "tunable: a @tunable experiment (added by tunekit to every experiment)")
    try:
        config.stash[_TOOL_KEY] = load_tool_config(config.rootpath)
        options = read_options(config)
    except TunekitError as exc:
        code, message = translate(exc)
        if code is ExitCode.USAGE_ERROR:
            raise pytest.UsageError(message) from None  # pytest prints it as one line and exits 4
        pytest.exit(message, returncode=int(code))
    # The store resolved once (--store, TUNEKIT_STORE, [tool.tunekit] store): warm starts read it, the
    # controller records in it.
    options = replace(options, store=store_url(options.store, config.stash[_TOOL_KEY].store))
    config.stash[OPTIONS_KEY] = options
    controller = Controller(options, config.rootpath, is_worker=hasattr(config, "workerinput"))
    config.stash[CONTROLLER_KEY] = controller
    config.stash[POOL_KEY] = ExecutorPool()
    config.pluginmanager.register(controller, "tunekit-controller")
    config.pluginmanager.register(TerminalSummary(controller), "tunekit-terminal")
    config.pluginmanager.register(config.stash[POOL_KEY], "tunekit-pool")


def _is_experiment_file(path: Path, config: pytest.Config) -> bool:
    return matches(path, config.stash[_TOOL_KEY].files)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    """Collect experiment files (``exp_*.py``, ``*_exp.py`` or ``[tool.tunekit] files``) as modules."""
    if file_path.suffix != ".py" or parent.session.isinitpath(file_path):
        return None  # pytest's own collector takes the paths given on the command line
    if matches(file_path, tuple(parent.config.getini("python_files"))):
        return None  # ... and files it already collects
    if not _is_experiment_file(file_path, parent.config):
        return None
    ihook = parent.session.gethookproxy(file_path)
    return ihook.pytest_pycollect_makemodule(module_path=file_path, parent=parent)


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    """Experiment files get a module collector whose errors are one line."""
    if _is_experiment_file(module_path, parent.config):
        return ExperimentModule.from_parent(parent, path=module_path)
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> Any:
    """Turn each ``@tunable`` function into one item, whatever its name."""
    return make_item(collector, name, obj)
