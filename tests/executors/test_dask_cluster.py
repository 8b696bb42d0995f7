"""Trials on a real Dask cluster: experiments and fixtures travel by value, dead workers, timeouts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import distributed  # noqa: F401 - in the test extra: these tests must run, not skip
import pytest

from tunekit.executors import ExecutorError, make_executor
from tunekit.trial import Trial, TrialState

CLUSTER = """
import logging, sys
from distributed import LocalCluster

if __name__ == "__main__":
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None, silence_logs=logging.CRITICAL)
    print(cluster.scheduler_address, flush=True)
    sys.stdin.read()  # serve until the test closes our stdin
    cluster.close()
"""

CONFTEST = """
import pytest

class Dataset:
    def __init__(self, rows):
        self.rows = rows

    def total(self):
        return sum(self.rows)

@pytest.fixture
def dataset():
    return Dataset([1.0, 2.0, 3.0])
"""

EXPERIMENT = """
import os, signal
from tunekit import tunable, Integer

SCALE = 10.0
KILL_ONCE = None  # a path: trial 3 kills its Dask worker unless this file exists, and creates it

def helper(dataset, k):
    return dataset.total() * SCALE + k

@tunable(space={"k": Integer(0, 7)}, strategy="grid")
def tune_on_dask(k, dataset, trial):
    if trial.number == 3 and KILL_ONCE and not os.path.exists(KILL_ONCE):
        open(KILL_ONCE, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)  # the Dask worker dies in the middle of this trial
    return {"score": helper(dataset, k), "pid": float(os.getpid())}
"""


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The address of a LocalCluster running in another process (scheduler there, two worker processes)."""
    script = tmp_path_factory.mktemp("cluster") / "cluster.py"
    script.write_text(CLUSTER)
    proc = subprocess.Popen([sys.executable, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None and proc.stdin is not None
    address = proc.stdout.readline().strip()
    assert address.startswith("tcp://127.0.0.1:"), address
    yield address
    proc.stdin.close()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def _trials(pytester: pytest.Pytester) -> list[dict]:
    [record] = json.loads((pytester.path / ".tunekit" / "results.json").read_text())["experiments"]
    return record["trials"]


def _experiment(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(exp_dask=EXPERIMENT)


@pytest.mark.slow
def test_experiment_and_fixtures_reach_dask_workers_by_value(pytester: pytest.Pytester, scheduler: str) -> None:
    _experiment(pytester)
    # importlib mode: the workers could not import the experiment or conftest modules by name.
    result = pytester.runpytest("exp_dask.py", "--dask", scheduler, "--import-mode=importlib",
                                "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    trials = _trials(pytester)
    assert [t["score"] for t in trials] == [60.0 + k for k in range(8)]
    assert all(t["state"] == "COMPLETE" for t in trials)
    assert float(os.getpid()) not in {t["metrics"]["pid"] for t in trials}


@pytest.mark.slow
def test_a_worker_killed_mid_run_does_not_stop_the_run(pytester: pytest.Pytester, scheduler: str) -> None:
    marker = pytester.path / "killed-once"
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(exp_dask=EXPERIMENT.replace("KILL_ONCE = None", f"KILL_ONCE = {str(marker)!r}"))
    result = pytester.runpytest("exp_dask.py", "--dask", scheduler, "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    trials = _trials(pytester)
    assert len(trials) == 8
    by_number = {t["number"]: t for t in trials}
    # The scheduler retried the trial on a live worker, or recorded it as failed with the reason.
    killed = by_number[3]
    assert killed["state"] == "COMPLETE" or killed["error"].startswith("worker died"), killed
    others = {n: (t["state"], t.get("error")) for n, t in by_number.items() if n != 3 and t["state"] != "COMPLETE"}
    assert not others, others  # a trial that finished on the dead worker is computed again, not lost
    assert marker.exists()  # a worker really died


@pytest.mark.slow
def test_dask_local_cluster_with_a_timeout(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(exp_local="""
        import os, time
        from tunekit import tunable, Integer

        @tunable(space={"k": Integer(0, 3)}, strategy="grid", workers=1)  # one Dask worker: quicker to start
        def tune_local(k, trial):
            if trial.number == 1:
                time.sleep(60)
            return {"score": float(k), "pid": float(os.getpid())}
    """)
    result = pytester.runpytest("exp_local.py", "--dask", "local", "--trial-timeout", "2", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    trials = _trials(pytester)
    assert [(t["state"], t["error"]) for t in trials] == [
        ("COMPLETE", None), ("FAIL", "timeout: trial exceeded 2 s"), ("COMPLETE", None), ("COMPLETE", None)]
    assert float(os.getpid()) not in {t["metrics"]["pid"] for t in trials if t["state"] == "COMPLETE"}


def test_missing_distributed_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ExecutorError, match=r"^--dask needs the optional 'distributed' package: "
                                            r"pip install 'tunekit\[dask\]'$"):
        make_executor(dask="tcp://127.0.0.1:8786")


def test_a_bad_scheduler_address_is_a_one_line_error() -> None:
    with pytest.raises(ExecutorError, match=r"^--dask not-an-address: cannot reach the scheduler or any worker: "):
        make_executor(dask="not-an-address")


PRUNED_EXPERIMENT = """
from tunekit import tunable, Integer

@tunable(space={"k": Integer(0, 5)}, strategy="grid", pruner="asha:max_resource=9", workers=2)
def tune_pruned_on_dask(k, trial):
    for epoch in range(1, 10):
        trial.report(float(-k) - 1.0 / epoch, step=epoch)   # k = 0 is best at every epoch
        if trial.should_prune():
            return float(-k)
    return float(-k)
"""


@pytest.mark.slow
@pytest.mark.parametrize("timeout", [[], ["--trial-timeout", "60"]], ids=["in-task", "in-subprocess"])
def test_trials_on_dask_are_pruned_live(pytester: pytest.Pytester, scheduler: str, timeout: list[str]) -> None:
    pytester.makepyfile(exp_pruned=PRUNED_EXPERIMENT)
    result = pytester.runpytest("exp_pruned.py", "--dask", scheduler, *timeout, "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    assert "pruning is off" not in result.stdout.str()
    trials = _trials(pytester)
    pruned = [t for t in trials if t["state"] == "PRUNED"]
    assert pruned, [(t["number"], t["state"]) for t in trials]
    # a pruned trial stopped at a rung, before its last epoch, and its reports came back
    assert all(len(t["intermediate"]) < 9 for t in pruned)
    assert {t["params"]["k"] for t in trials if t["state"] == "COMPLETE"} >= {0}


def _number(trial: Trial) -> float:
    return float(trial.number)


@pytest.mark.slow
def test_a_finished_result_lost_with_its_worker_is_computed_again(scheduler: str) -> None:
    # A trial can finish and then lose its result with its worker before the client fetches it (seen on a
    # loaded CI machine: the next trial on that worker killed it). The trial is computed again, not failed.
    from distributed import Client

    executor = make_executor(dask=scheduler, workers=2)
    try:
        results = executor.run(_number, [Trial(number=k, params={}, seed=k) for k in range(2)])
        first = next(results)
        time.sleep(1.0)  # the other trial finishes meanwhile; its result waits on its worker
        with Client(scheduler, set_as_default=False) as admin:
            admin.restart_workers(list(admin.scheduler_info()["workers"]))  # every worker process dies
        rest = list(results)
    finally:
        executor.close()
    assert [(r.number, r.state, r.error) for r in [first, *rest]] == [
        (first.number, TrialState.COMPLETE, None), (1 - first.number, TrialState.COMPLETE, None)]
