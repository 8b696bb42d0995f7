"""The pytest plugin: collects ``@tunable`` functions as items and wires tunekit's options and reporting.

Registered through the ``pytest11`` entry point as ``tunekit.plugin``, so ``pytest experiments/`` works as
well as the ``tunekit`` command. The item (:mod:`tunekit.item`) runs each search; the session state
(:mod:`tunekit.session`) gathers results on the controller, prints the leaderboard and writes files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tunekit.collect import ExperimentModule, InvalidExperimentNode, make_item, matches
from tunekit.item import ExperimentFailed, TunableItem
from tunekit.options import add_options
from tunekit.session import install, session_state

__all__ = ["ExperimentFailed", "ExperimentModule", "InvalidExperimentNode", "TunableItem"]


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "tunable: a @tunable experiment (added by tunekit to every experiment)")
    install(config)


def _is_experiment_file(path: Path, config: pytest.Config) -> bool:
    return matches(path, session_state(config).tool.files)


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
