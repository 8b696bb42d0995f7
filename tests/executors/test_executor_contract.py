"""The contract every executor honours, checked for each one; plus reproducibility whatever the workers."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tunekit import Categorical, Integer, Real, Space, TrialState
from tunekit.executors import Executor, ProcessExecutor, SerialExecutor, make_executor
from tunekit.search import run_search
from tunekit.strategies import GridStrategy, RandomStrategy
from tunekit.trial import Trial


def deterministic(trial: Trial) -> float:
    """A score that depends on the parameters and the trial's seed only."""
    p = trial.params
    return p["x"] * 3.0 + p["n"] + (0.5 if p["act"] == "relu" else 0.0) + (trial.seed % 1000) / 1e4


def failing_on_odd(trial: Trial) -> float:
    if trial.number % 2:
        raise ValueError(f"odd trial {trial.number}")
    return float(trial.number)


def reports_three_times(trial: Trial) -> float:
    for step in (1, 2, 3):
        trial.report(trial.number + step / 10)
    return float(trial.number)


def pid_of_worker(trial: Trial) -> float:
    return float(os.getpid())


SPACE = Space({"x": Real(0.0, 1.0), "n": Integer(1, 3), "act": Categorical(["relu", "tanh"])})
GRID = Space({"x": Categorical([0.1, 0.5, 0.9]), "n": Integer(1, 3), "act": Categorical(["relu", "tanh"])})


def trials(count: int) -> list[Trial]:
    return [Trial(number=k, params={"x": k / 10, "n": k % 3 + 1, "act": "relu" if k % 2 else "tanh"},
                  seed=1000 + k) for k in range(count)]


def dask_local() -> Executor:
    from tunekit.executors.dask import DaskExecutor

    # What ``--dask local`` starts: a LocalCluster of worker processes (two, quick to start), so trials and
    # objectives really travel pickled, as they do to a remote cluster.
    return DaskExecutor("local", workers=2)


# Module scope: each executor (the Dask cluster included) is started once for every contract case.
@pytest.fixture(scope="module", params=["serial", "pool-2", "pool-1-timeout",
                                        pytest.param("dask-local", marks=pytest.mark.slow)])
def executor(request: pytest.FixtureRequest) -> Iterator[Executor]:
    made: Executor = {"serial": SerialExecutor,
                      "pool-2": lambda: ProcessExecutor(2),
                      "pool-1-timeout": lambda: ProcessExecutor(1, trial_timeout=30),
                      "dask-local": dask_local}[request.param]()
    yield made
    made.close()


class TestExecutorContract:
    def test_results_keep_number_params_and_seed(self, executor: Executor) -> None:
        given = trials(7)
        results = list(executor.run(deterministic, given))
        assert sorted((r.number, r.params, r.seed) for r in results) == [(t.number, t.params, t.seed) for t in given]
        assert all(r.state is TrialState.COMPLETE for r in results)
        assert {r.number: r.score for r in results} == {t.number: deterministic(t) for t in given}

    def test_an_exception_fails_only_its_trial(self, executor: Executor) -> None:
        results = {r.number: r for r in executor.run(failing_on_odd, trials(5))}
        assert [results[k].state for k in range(5)] == [TrialState.COMPLETE, TrialState.FAIL] * 2 + [
            TrialState.COMPLETE]
        assert results[1].error.startswith("ValueError: odd trial 1")
        assert results[1].traceback and "failing_on_odd" in results[1].traceback

    def test_trials_are_taken_lazily(self, executor: Executor) -> None:
        taken: list[int] = []

        def source() -> Iterator[Trial]:
            for trial in trials(6):
                taken.append(trial.number)
                yield trial

        results = executor.run(deterministic, source())
        first = next(results)
        # Never more trials taken than the executor can run at once (plus the one just finished).
        assert len(taken) <= executor.capacity + 1 and first.number in taken
        assert len([first, *results]) == 6

    def test_reports_come_back_with_the_result(self, executor: Executor) -> None:
        def never_prune(step: int, value: float) -> bool:  # a closure: it stays in this process
            return False

        given = [Trial(number=t.number, params=t.params, seed=t.seed, reporter=never_prune) for t in trials(3)]
        results = {r.number: r for r in executor.run(reports_three_times, given)}
        assert {k: (r.state, r.score, r.intermediate) for k, r in results.items()} == {
            k: (TrialState.COMPLETE, float(k), [(1, k + 0.1), (2, k + 0.2), (3, k + 0.3)]) for k in range(3)}

    def test_a_second_run_reuses_the_executor(self, executor: Executor) -> None:
        assert len(list(executor.run(deterministic, trials(3)))) == 3
        assert [r.score for r in sorted(executor.run(failing_on_odd, trials(1)), key=lambda r: r.number)] == [0.0]


def test_process_pool_runs_trials_elsewhere_and_reuses_its_workers() -> None:
    pool = ProcessExecutor(2)
    try:
        pids = {r.score for r in pool.run(pid_of_worker, trials(6))}
        assert os.getpid() not in pids and 1 <= len(pids) <= 2
        assert {r.score for r in pool.run(pid_of_worker, trials(4))} <= pids  # warm: the same processes
    finally:
        pool.close()


@pytest.mark.parametrize("strategy_class", [RandomStrategy, GridStrategy])
def test_same_trials_whatever_the_number_of_workers(strategy_class: type) -> None:
    outcomes = {}
    for workers in (1, 2, 4):
        executor = make_executor(workers=workers)
        assert isinstance(executor, SerialExecutor if workers == 1 else ProcessExecutor)
        assert executor.capacity == workers
        try:
            strategy = strategy_class(GRID if strategy_class is GridStrategy else SPACE, seed=7, budget=11)
            outcome = run_search(deterministic, strategy, trials=11, direction="maximize", seed=7,
                                 executor=executor)
        finally:
            executor.close()
        outcomes[workers] = [(t.number, t.params, t.seed, t.score, t.state) for t in outcome.trials]
    assert len(outcomes[1]) == 11 and all(state is TrialState.COMPLETE for *_, state in outcomes[1])
    assert outcomes[1] == outcomes[2] == outcomes[4]
