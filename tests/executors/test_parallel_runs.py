"""Parallel trials end to end through pytest: --workers, @tunable(workers=...), timeouts, xdist, Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

EXPERIMENTS = """
import os
from tunekit import tunable, Real, Integer, Categorical

@tunable(space={"x": Real(0, 1), "n": Integer(1, 5), "act": Categorical(["relu", "tanh"])},
         strategy="random", trials=9, seed=5)
def tune_random(x, n, act, trial):
    return {"score": x * n + (act == "relu") + trial.seed % 97 / 1e3, "pid": float(os.getpid()),
            "ppid": float(os.getppid())}

@tunable(space={"n": Integer(1, 4), "flag": Categorical([True, False])}, strategy="grid")
def tune_grid(n, flag, trial):
    return {"score": n + 10 * flag + trial.seed % 89 / 1e3, "pid": float(os.getpid()),
            "ppid": float(os.getppid())}
"""


def experiments_of(path: Path) -> dict[str, list[tuple]]:
    doc = json.loads(path.read_text())
    return {e["id"]: [(t["number"], t["params"], t["seed"], t["score"], t["state"]) for t in e["trials"]]
            for e in doc["experiments"]}


def pids_of(path: Path) -> set[float]:
    doc = json.loads(path.read_text())
    return {t["metrics"]["pid"] for e in doc["experiments"] for t in e["trials"]}


def test_workers_inside_xdist_workers_give_the_same_trials(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(exp_par=EXPERIMENTS)
    serial = pytester.runpytest("exp_par.py", "--json", "one.json")
    assert serial.ret == pytest.ExitCode.OK
    # Parallel trials inside pytest-xdist workers: pools must not rely on being pytest's main process.
    parallel = pytester.runpytest("exp_par.py", "-p", "xdist", "-n", "2", "--workers", "2", "--json", "two.json")
    assert parallel.ret == pytest.ExitCode.OK, parallel.stdout.str()
    one, two = experiments_of(pytester.path / "one.json"), experiments_of(pytester.path / "two.json")
    assert len(one["exp_par.py::tune_random"]) == 9 and len(one["exp_par.py::tune_grid"]) == 8
    assert all(state == "COMPLETE" for trials in one.values() for *_, state in trials)
    assert one == two
    assert pids_of(pytester.path / "one.json") == {float(os.getpid())}  # serial: in the pytest process
    # The trials ran in pool workers started by the xdist workers (children of this process), not in the
    # xdist workers themselves, nor in this process.
    doc = json.loads((pytester.path / "two.json").read_text())
    trials = [t for e in doc["experiments"] for t in e["trials"]]
    assert float(os.getpid()) not in {t["metrics"]["pid"] for t in trials} | {t["metrics"]["ppid"] for t in trials}
    per_experiment = [{t["metrics"]["pid"] for t in e["trials"]} for e in doc["experiments"]]
    assert all(1 <= len(pids) <= 2 for pids in per_experiment)


def test_decorator_workers_and_timeout(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(exp_slow="""
        import os, time
        from tunekit import tunable, Integer

        @tunable(space={"k": Integer(0, 5)}, strategy="grid", workers=2, trial_timeout=1.5)
        def tune_hang(k):
            if k == 2:
                time.sleep(60)
            return float(os.getpid())
    """)
    start = time.perf_counter()
    result = pytester.runpytest("exp_slow.py")
    assert result.ret == pytest.ExitCode.OK
    assert time.perf_counter() - start < 30
    [record] = json.loads((pytester.path / ".tunekit" / "results.json").read_text())["experiments"]
    by_k = {t["params"]["k"]: t for t in record["trials"]}
    assert by_k[2]["state"] == "FAIL" and by_k[2]["error"] == "timeout: trial exceeded 1.5 s"
    others = [t for k, t in by_k.items() if k != 2]
    assert len(others) == 5 and all(t["state"] == "COMPLETE" for t in others)
    assert os.getpid() not in {t["score"] for t in others}


def test_command_line_timeout_with_one_worker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(exp_one="""
        import time
        from tunekit import tunable, Integer

        @tunable(space={"k": Integer(0, 2)}, strategy="grid")
        def tune_one(k):
            time.sleep(60 if k == 1 else 0)
            return float(k)
    """)
    result = pytester.runpytest("exp_one.py", "--trial-timeout", "1")
    assert result.ret == pytest.ExitCode.OK
    [record] = json.loads((pytester.path / ".tunekit" / "results.json").read_text())["experiments"]
    assert [(t["state"], t["error"]) for t in record["trials"]] == [
        ("COMPLETE", None), ("FAIL", "timeout: trial exceeded 1 s"), ("COMPLETE", None)]


def test_conftest_classes_and_experiments_travel_by_value(pytester: pytest.Pytester) -> None:
    # importlib import mode: neither the experiment nor the conftest is importable by name in workers.
    pytester.makeconftest("""
        import pytest

        class Dataset:
            def __init__(self, rows):
                self.rows = rows

            def total(self):
                return sum(self.rows)

        @pytest.fixture
        def dataset():
            return Dataset([1.0, 2.0, 3.0])
    """)
    pytester.makepyfile(exp_lib="""
        import os
        from tunekit import tunable, Integer

        SCALE = 10.0

        def helper(dataset, k):
            return dataset.total() * SCALE + k

        @tunable(space={"k": Integer(0, 3)}, strategy="grid", workers=2)
        def tune_lib(k, dataset):
            return {"score": helper(dataset, k), "pid": float(os.getpid())}
    """)
    result = pytester.runpytest("exp_lib.py", "--import-mode=importlib", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    [record] = json.loads((pytester.path / ".tunekit" / "results.json").read_text())["experiments"]
    assert [t["score"] for t in record["trials"]] == [60.0, 61.0, 62.0, 63.0]
    assert os.getpid() not in {t["metrics"]["pid"] for t in record["trials"]}


def test_an_unpicklable_fixture_fails_the_experiment_with_one_line(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("""
        import threading, pytest

        @pytest.fixture
        def lock():
            return threading.Lock()
    """)
    pytester.makepyfile(exp_lock="""
        from tunekit import tunable, Integer

        @tunable(space={"k": Integer(0, 3)}, workers=2)
        def tune_lock(k, lock):
            return float(k)
    """)
    result = pytester.runpytest("exp_lock.py")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*cannot send the objective to worker processes: TypeError: *lock*"])
    assert "Traceback" not in result.stdout.str()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_saves_partial_results_and_leaves_no_worker(pytester: pytest.Pytester) -> None:
    pids = pytester.mkdir("pids")
    pytester.makepyfile(exp_int=f"""
        import os, time
        from tunekit import tunable, Integer

        @tunable(space={{"k": Integer(0, 99)}}, strategy="grid", workers=2)
        def tune_interrupted(k, trial):
            open(os.path.join({str(pids)!r}, str(os.getpid())), "w").close()
            time.sleep(0.3 if trial.number < 4 else 60)
            return float(k)
    """)
    proc = subprocess.Popen([sys.executable, "-m", "tunekit", "exp_int.py", "-p", "no:cacheprovider"],
                            cwd=pytester.path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while len(os.listdir(pids)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(2.5)  # trials 0-3 finish, 4 and 5 hang
    proc.send_signal(signal.SIGINT)
    try:
        out, _ = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    assert proc.returncode == pytest.ExitCode.INTERRUPTED, out
    worker_pids = [int(name) for name in os.listdir(pids)]
    assert worker_pids and proc.pid not in worker_pids
    time.sleep(0.2)
    assert not [pid for pid in worker_pids if _alive(pid)]
    [record] = json.loads((pytester.path / ".tunekit" / "results.json").read_text())["experiments"]
    assert record["status"] == "interrupted"
    assert [t["number"] for t in record["trials"]] == [0, 1, 2, 3]
