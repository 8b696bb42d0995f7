"""Helpers shared by tunekit's end-to-end tests."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable

import pytest

# pytester's in-process runs drop the modules a run imported; C extensions (numpy.fft via scipy) cannot be
# imported twice in one process, so the libraries experiments use are imported once, here.
import sklearn.datasets
import sklearn.ensemble
import sklearn.linear_model
import sklearn.model_selection
import sklearn.pipeline
import sklearn.preprocessing
import sklearn.svm  # noqa: F401
import skopt  # noqa: F401 - the bayes strategy's backend, imported lazily by experiments' searches

from tunekit import results

# A shell starts background jobs (`cmd &`) with SIGINT ignored, and every child inherits that, so the tests
# that interrupt a tunekit process would see their Ctrl-C ignored. Children of this suite get the default.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


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
