"""Helpers shared by tunekit's end-to-end tests."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable

import pytest

from tunekit import results

# A shell starts background jobs (`cmd &`) with SIGINT ignored, and every child inherits that, so the tests
# that interrupt a tunekit process would see their Ctrl-C ignored. Children of this suite get the default.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every end-to-end test slow: those driving pytest/tunekit through ``pytester`` (in-process or in a
    subprocess); other subprocess tests carry the marker themselves. ``-m "not slow"`` is the inner loop."""
    for item in items:
        if "pytester" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _experiment_libraries(request: pytest.FixtureRequest) -> None:
    """pytester's in-process runs drop the modules a run imported, and C extensions (numpy.fft via scipy)
    cannot be imported twice in one process: the libraries experiments use are imported before pytester
    takes its snapshot of ``sys.modules`` (autouse fixtures are set up first), and only for the tests that
    use it, so collecting the suite stays fast."""
    if "pytester" not in request.fixturenames:
        return
    import sklearn.datasets
    import sklearn.ensemble
    import sklearn.linear_model
    import sklearn.model_selection
    import sklearn.pipeline
    import sklearn.preprocessing
    import sklearn.svm  # noqa: F401
    import skopt  # noqa: F401 - the bayes strategy's backend, imported lazily by experiments' searches
    import sqlalchemy.dialects.postgresql
    import sqlalchemy.dialects.sqlite  # noqa: F401 - the run store's backends, loaded when a run is recorded

    import tunekit.store._store  # noqa: F401 - its classes must outlive one in-process run


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
