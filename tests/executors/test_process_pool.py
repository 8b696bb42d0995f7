"""The local process pool: timeouts, dying workers, interrupts, thread budget, pickling, make_executor."""

from __future__ import annotations

import ctypes
import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest

from tunekit import TrialState
from tunekit.errors import SpecError
from tunekit.executors import (
    ExecutorError,
    ProcessExecutor,
    SerialExecutor,
    make_executor,
    resolve_workers,
)
from tunekit.executors._resources import THREAD_VARIABLES, usable_cpus
from tunekit.executors.process import death_reason
from tunekit.trial import Trial, TrialResult


def trials(count: int) -> list[Trial]:
    return [Trial(number=k, params={"k": k}, seed=k) for k in range(count)]


def misbehaving(trial: Trial) -> float:
    """Trial 1 hangs, 2 segfaults for real, 3 exits, 4 is killed as if by the OOM killer; others work."""
    k = trial.number
    if k == 1:
        time.sleep(60)
    elif k == 2:
        ctypes.string_at(0)  # a genuine SIGSEGV
    elif k == 3:
        os._exit(3)
    elif k == 4:
        os.kill(os.getpid(), signal.SIGKILL)
    return float(k)


def sleeps(trial: Trial) -> float:
    time.sleep(trial.params.get("sleep", 60))
    return float(os.getpid())


def thread_settings(trial: Trial) -> dict:
    import threadpoolctl

    blas = [pool["num_threads"] for pool in threadpoolctl.threadpool_info() if pool["user_api"] == "blas"]
    return {"score": 1.0, "blas": blas, "loky": os.environ.get("LOKY_MAX_CPU_COUNT"),
            **{name: os.environ.get(name) for name in THREAD_VARIABLES}}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0): count it as dead.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def by_number(results: Iterator[TrialResult]) -> dict[int, TrialResult]:
    return {r.number: r for r in results}


def test_timeouts_and_dead_workers_fail_only_their_trial() -> None:
    pool = ProcessExecutor(2, trial_timeout=1.5)
    start = time.perf_counter()
    try:
        results = by_number(pool.run(misbehaving, trials(8)))
    finally:
        pool.close()
    elapsed = time.perf_counter() - start
    assert results[1].state is TrialState.FAIL and results[1].error == "timeout: trial exceeded 1.5 s"
    assert 1.4 < results[1].duration_s < 10
    assert results[2].error == "worker died: exit code -11 (SIGSEGV)"
    assert results[3].error == "worker died: exit code 3"
    assert results[4].error.startswith("worker died: exit code -9 (SIGKILL")
    # The pool recovered: every other trial completed, in well under the hanging trial's 60 s.
    assert {k: r.score for k, r in results.items() if r.state is TrialState.COMPLETE} == {
        0: 0.0, 5: 5.0, 6: 6.0, 7: 7.0}
    assert elapsed < 30


def test_a_single_worker_with_a_timeout_still_kills_the_trial() -> None:
    executor = make_executor(workers=1, trial_timeout=1)
    assert isinstance(executor, ProcessExecutor) and executor.capacity == 1
    start = time.perf_counter()
    try:
        [result] = executor.run(sleeps, [Trial(0, {"sleep": 60}, 0)])
        [after] = executor.run(sleeps, [Trial(1, {"sleep": 0}, 1)])
    finally:
        executor.close()
    assert result.state is TrialState.FAIL and result.error == "timeout: trial exceeded 1 s"
    assert after.state is TrialState.COMPLETE  # a fresh worker replaced the killed one
    assert time.perf_counter() - start < 20


def test_the_timeout_does_not_count_worker_start_up() -> None:
    # The first trial of a fresh worker waits for the interpreter and the objective to load; a tight
    # timeout must still let a quick trial through.
    pool = ProcessExecutor(1, trial_timeout=0.3)
    try:
        [result] = pool.run(sleeps, [Trial(0, {"sleep": 0.01}, 0)])
    finally:
        pool.close()
    assert result.state is TrialState.COMPLETE, result.error


def test_keyboard_interrupt_propagates_promptly_and_leaves_no_worker() -> None:
    pool = ProcessExecutor(2)
    timer = threading.Timer(1.5, os.kill, (os.getpid(), signal.SIGINT))
    start = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            for _ in pool.run(sleeps, trials(4)):
                pass
        elapsed = time.perf_counter() - start
        pids = pool.pids
    finally:
        timer.cancel()
        pool.close()
    assert elapsed < 5
    assert pids == []  # the workers running the abandoned trials were killed with the run


def test_close_stops_idle_workers() -> None:
    pool = ProcessExecutor(2)
    results = list(pool.run(sleeps, [Trial(k, {"sleep": 0.2}, k) for k in range(2)]))
    pids = pool.pids
    assert len(pids) == 2 and all(alive(pid) for pid in pids)
    assert {r.score for r in results} == set(map(float, pids))
    pool.close()
    assert not any(alive(pid) for pid in pids)


@pytest.mark.parametrize(("workers", "cpus", "threads"), [(2, 2, 1), (2, 8, 4)])
def test_workers_share_one_thread_budget(monkeypatch: pytest.MonkeyPatch, workers: int, cpus: int,
                                         threads: int) -> None:
    for name in (*THREAD_VARIABLES, "LOKY_MAX_CPU_COUNT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("tunekit.executors._resources.busy_cpus", lambda: 0)  # an idle machine
    pool = ProcessExecutor(workers, cpus=cpus)
    try:
        results = list(pool.run(thread_settings, trials(2)))
    finally:
        pool.close()
    for result in results:
        assert result.state is TrialState.COMPLETE, result.error
        assert {name: result.metrics[name] for name in THREAD_VARIABLES} == dict.fromkeys(THREAD_VARIABLES,
                                                                                           str(threads))
        assert result.metrics["loky"] == str(threads)
        # Sized by the environment at start-up, capped again with threadpoolctl once the objective loaded.
        assert result.metrics["blas"] and set(result.metrics["blas"]) == {threads}


@pytest.mark.parametrize(("workers", "cpus", "busy", "threads"), [
    (1, 2, 0, 2), (1, 2, 2, 1), (1, 8, 3, 5), (2, 8, 3, 2), (4, 8, 0, 2), (3, 2, 5, 1)])
def test_other_work_on_the_machine_leaves_fewer_threads(workers: int, cpus: int, busy: int, threads: int) -> None:
    from tunekit.executors._resources import threads_per_worker

    assert threads_per_worker(workers, cpus, busy) == threads


def test_thread_settings_of_the_user_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    pool = ProcessExecutor(2, cpus=2)
    try:
        [result] = pool.run(thread_settings, trials(1))
    finally:
        pool.close()
    assert result.metrics["OMP_NUM_THREADS"] == "3"
    assert result.metrics["OPENBLAS_NUM_THREADS"] == "1"


def test_an_unpicklable_objective_is_a_clear_error() -> None:
    lock = threading.Lock()

    def objective(trial: Trial) -> float:
        with lock:
            return 1.0

    pool = ProcessExecutor(1)
    with pytest.raises(ExecutorError, match=r"cannot send the objective to worker processes: TypeError: .*lock"):
        list(pool.run(objective, trials(1)))
    pool.close()


def test_a_closure_over_local_values_reaches_the_worker() -> None:
    offset = {"value": 41.0}

    def objective(trial: Trial) -> float:
        return offset["value"] + trial.params["k"]

    pool = ProcessExecutor(1)
    try:
        assert [r.score for r in pool.run(objective, trials(2))] == [41.0, 42.0]
    finally:
        pool.close()


def test_make_executor_picks_the_executor_and_validates() -> None:
    assert isinstance(make_executor(), SerialExecutor)
    assert isinstance(make_executor(workers=1), SerialExecutor)
    assert make_executor(workers=3).capacity == 3
    auto = make_executor(workers="auto")
    assert auto.capacity == usable_cpus() == resolve_workers("auto")
    for bad in (0, -1, "many", 2.5, True):
        with pytest.raises(SpecError, match="workers: expected a positive integer or 'auto'"):
            make_executor(workers=bad)
    for bad in (0, -1.0, float("inf"), "10"):
        with pytest.raises(SpecError, match="trial_timeout: expected a positive number of seconds"):
            make_executor(trial_timeout=bad)


def test_auto_shares_the_machine_between_xdist_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_XDIST_WORKER_COUNT", raising=False)
    alone = usable_cpus()
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "2")
    assert usable_cpus() == max(1, alone // 2)


def test_death_reasons_name_the_signal() -> None:
    assert death_reason(-11) == "worker died: exit code -11 (SIGSEGV)"
    assert death_reason(1) == "worker died: exit code 1"
    assert "out of memory" in death_reason(-9)


def reports_until_pruned(trial: Trial) -> float:
    for step in range(20):
        trial.report(float(step))
        if trial.should_prune():
            return float(step)
    return 100.0


def test_reports_in_workers_reach_the_pruner_of_the_search_loop() -> None:
    heard: list[tuple[int, int, float]] = []

    def reporter_for(number: int):
        def report(step: int, value: float) -> bool:
            heard.append((number, step, value))
            return number == 0 and value >= 3  # prune trial 0 at its 4th report, let trial 1 run to the end

        return report

    pool = ProcessExecutor(2)
    try:
        results = by_number(pool.run(reports_until_pruned, [Trial(k, {}, k, reporter=reporter_for(k))
                                                            for k in range(2)]))
    finally:
        pool.close()
    assert results[0].state is TrialState.PRUNED and results[0].score == 3.0
    assert results[1].state is TrialState.COMPLETE and results[1].score == 100.0
    assert [value for number, _, value in heard if number == 0] == [0.0, 1.0, 2.0, 3.0]
    reported = getattr(results[0], "intermediate", None)
    assert reported is None or [v for _, v in reported] == [0.0, 1.0, 2.0, 3.0]
    assert len([1 for number, *_ in heard if number == 1]) == 20
