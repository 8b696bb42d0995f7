"""Helpers shared by tunekit's end-to-end tests."""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest

from tunekit import results


@pytest.fixture
def run_tunekit(pytester: pytest.Pytester) -> Callable[..., pytest.RunResult]:
    """Run the real ``tunekit`` command in a subprocess inside the pytester directory."""

    def run(*args: str, cwd: str | None = None, timeout: float = 120) -> pytest.RunResult:
        if cwd is None:
            return pytester.run(sys.executable, "-m", "tunekit", *args, timeout=timeout)
        with pytest.MonkeyPatch.context() as mp:
            mp.chdir(cwd)
            return pytester.run(sys.executable, "-m", "tunekit", *args, timeout=timeout)

    return run


@pytest.fixture
def load_results(pytester: pytest.Pytester) -> Callable[..., results.ResultsDocument]:
    """Load (and so validate) the results file a run wrote, by default the default location."""

    def load(path: str = ".tunekit/results.json") -> results.ResultsDocument:
        return results.load(pytester.path / path)

    return load
