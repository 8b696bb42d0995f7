"""The pytest item of one experiment: pytest sets up its fixtures, then the runner runs its whole search."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from tunekit import results as results_io
from tunekit.api import TunableSpec
from tunekit.errors import ExperimentFailed, ExperimentInterrupted, ExperimentSkipped, TunekitError
from tunekit.plugin.controller import RESULT_PROPERTY
from tunekit.plugin.options import OPTIONS_KEY
from tunekit.plugin.pool import POOL_KEY
from tunekit.plugin.terminal import LiveLine
from tunekit.run.experiment import Experiment, bind_objective, failure_of, run_experiment
from tunekit.run.options import JOURNAL_DIR
from tunekit.trial import describe_exception

__all__ = ["TunableItem", "wants_traceback"]

#: pytest's message for a parametrized fixture requested by an item that pytest did not parametrize.
_PARAMETRIZED = re.compile(r"has no parameter defined for test.*?Requested fixture '([^']+)' defined in:\s*(\S+)",
                           re.DOTALL)

def wants_traceback(config: pytest.Config) -> bool:
    """Whether ``--tb`` asks for tracebacks (a style other than pytest's default, ``line`` or ``no``)."""
    return config.getoption("tbstyle", "auto") not in ("auto", "line", "no")


class TunableItem(pytest.Function):
    """One experiment: pytest sets up its fixtures, then ``runtest`` hands it to the runner."""

    def __init__(self, *, spec: TunableSpec, experiment: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec
        self.experiment = experiment
        self.add_marker("tunable")

    def reportinfo(self) -> tuple[Any, int | None, str]:
        path, lineno, _ = super().reportinfo()
        return path, lineno, f"{self.name} (experiment)"

    def setup(self) -> None:
        try:
            super().setup()
        except pytest.fail.Exception as exc:
            parametrized = _PARAMETRIZED.search(str(exc))
            if parametrized is None or wants_traceback(self.config):
                raise
            name, where = parametrized.groups()
            raise ExperimentFailed(f"{self.nodeid}: fixture {name!r} ({where}) has params: an experiment takes one "
                                   "value of each fixture; drop the params, or search the choice as a Categorical "
                                   "in the space") from None
        except (pytest.skip.Exception, KeyboardInterrupt):
            raise
        except Exception as exc:
            if wants_traceback(self.config):
                raise
            raise ExperimentFailed(f"{self.nodeid}: fixture setup failed: {describe_exception(exc)}") from exc

    def runtest(self) -> None:
        fixtures = {name: self.funcargs[name] for name in self.spec.fixture_names}
        experiment = Experiment(id=self.nodeid, spec=self.spec, function=self.experiment,
                                objective=bind_objective(self.experiment, self.spec, fixtures))
        try:
            record = run_experiment(experiment, self.config.stash[OPTIONS_KEY],
                                    executors=self.config.stash[POOL_KEY].executor_for,
                                    journal_dir=self.config.rootpath / JOURNAL_DIR, root=self.config.rootpath,
                                    progress=LiveLine(self))
        except ExperimentSkipped as skip:
            pytest.skip(str(skip))
        except ExperimentInterrupted as interrupt:
            # pytest's banner names the exception: keep it "KeyboardInterrupt", with the partial record in
            # its cause, where the controller's pytest_keyboard_interrupt finds it.
            raise KeyboardInterrupt from interrupt
        self.user_properties.append((RESULT_PROPERTY, json.dumps(results_io.experiment_to_dict(record))))
        failure = failure_of(record)
        if failure is not None:
            raise failure

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> Any:  # type: ignore[override]
        error = excinfo.value
        if isinstance(error, TunekitError):
            message = str(error)
            if wants_traceback(self.config) and isinstance(error, ExperimentFailed) and error.traceback_text:
                message += "\n\n" + error.traceback_text
            return message
        return super().repr_failure(excinfo)

    def _repr_failure_py(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        # Setup and teardown errors (a failing fixture) are formatted here rather than by repr_failure: keep them
        # one line. A setup error is a TunekitError already (see setup); anything else comes from a teardown.
        error = excinfo.value
        if isinstance(error, TunekitError):
            return str(error)
        if isinstance(error, Exception) and not isinstance(error, pytest.skip.Exception) and not (
                wants_traceback(self.config)):
            return f"{self.nodeid}: fixture teardown failed: {describe_exception(error)}"
        return super()._repr_failure_py(excinfo, style=style)
