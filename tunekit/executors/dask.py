"""Evaluate trials on a Dask cluster (``--dask ADDRESS``, or ``--dask local`` for a LocalCluster).

``distributed`` is an optional extra (``pip install 'tunekit[dask]'``), imported only here. Workers need
tunekit installed, not the experiments: the objective travels pickled by value (see ``_pickling``). A
worker that dies mid-trial makes the scheduler retry the trial elsewhere (its seed depends only on its
number, so the retry computes the same thing), as it recomputes a finished trial whose result was lost with
its worker before the client fetched it; after ``allowed-failures`` deaths the trial fails. With a
trial timeout each trial runs in a killable subprocess on the Dask worker.

Live pruning: a trial's ``trial.report()`` on a Dask worker puts ``(number, step, value)`` on the run's
report queue (a ``distributed.Queue`` on the scheduler) and waits for the verdict on the trial's own queue;
the client, which holds the search loop's pruner, answers each report as it arrives, as the process pool does
over its pipes.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from tunekit.executors._pickling import ExecutorError, dumps_objective
from tunekit.executors._resources import usable_cpus
from tunekit.executors._worker import LoadError, load_objective
from tunekit.executors.base import Executor, Objective, evaluate
from tunekit.executors.process import Payload, ProcessExecutor
from tunekit.trial import Reporter, Trial, TrialResult, TrialState

if TYPE_CHECKING:
    from distributed import Client, LocalCluster

__all__ = ["LOCAL", "DaskExecutor"]

#: The ``--dask`` value that starts a LocalCluster instead of connecting to a scheduler.
LOCAL = "local"
_CONNECT_TIMEOUT_S = 30
#: How long a trial on a worker waits for the client's verdict on a report before it goes on unpruned.
VERDICT_TIMEOUT_S = 60.0
#: How often the client looks for reports and finished trials while trials run.
_POLL_S = 0.02


def _reports_queue(token: str) -> str:
    return f"tunekit-reports-{token}"


def _verdict_queue(token: str, number: int) -> str:
    return f"tunekit-verdict-{token}-{number}"

# --- on the Dask worker ---------------------------------------------------------------------------------

_objectives: OrderedDict[str, Any] = OrderedDict()
_objectives_lock = threading.Lock()
_thread_state = threading.local()


def _objective_for(token: str, payload: bytes) -> Any:
    """Unpickle each objective once per Dask worker process (its fixtures may be large)."""
    with _objectives_lock:
        if token not in _objectives:
            _objectives[token] = load_objective(payload, None)
            while len(_objectives) > 4:
                _objectives.popitem(last=False)
        return _objectives[token]


def _pool_for(trial_timeout: float) -> ProcessExecutor:
    """A one-process pool per Dask worker thread, so that a timed-out trial can be killed."""
    pool = getattr(_thread_state, "pool", None)
    if pool is None or pool.trial_timeout != trial_timeout:
        if pool is not None:
            pool.close()
        pool = _thread_state.pool = ProcessExecutor(1, trial_timeout=trial_timeout, cpus=1)
    return pool


def _identity(value: Any) -> Any:
    return value


def _ask_client(token: str, number: int) -> Reporter:
    """A reporter that sends each report to the client's pruner and waits for its verdict (go on when none
    comes within ``VERDICT_TIMEOUT_S``: a client that went away must not hang the worker)."""
    from distributed import Queue

    reports, verdicts = Queue(_reports_queue(token)), Queue(_verdict_queue(token, number))

    def report(step: int, value: float) -> bool:
        reports.put((number, step, value))
        try:
            return bool(verdicts.get(timeout=VERDICT_TIMEOUT_S))
        except TimeoutError:
            return False

    return report


def run_trial_on_worker(token: str, payload: bytes, trial: Trial, trial_timeout: float | None,
                        pruned_by_client: bool = False) -> TrialResult:
    """The Dask task of one trial; with ``pruned_by_client``, each report waits for the client's pruner."""
    if pruned_by_client:
        trial = trial.with_reporter(_ask_client(token, trial.number))
    if trial_timeout is not None:
        return next(iter(_pool_for(trial_timeout).run_payload(Payload(token, payload), [trial])))
    objective = _objective_for(token, payload)
    if isinstance(objective, LoadError):
        return TrialResult(number=trial.number, params=trial.params, state=TrialState.FAIL,
                           error=objective.message, seed=trial.seed)
    return evaluate(objective, trial)


# --- on the client --------------------------------------------------------------------------------------

def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ExecutorError("--dask needs the optional 'distributed' package: "
                            "pip install 'tunekit[dask]'") from None
    return distributed


class DaskExecutor(Executor):
    """Run trials as tasks on a Dask cluster.

    Args:
        address: Scheduler address (``tcp://host:8786``) or ``"local"`` to start a LocalCluster of
            single-threaded worker processes on this machine.
        workers: Trials in flight at once (default: the cluster's threads); for ``"local"``, the number
            of workers (default: the usable CPUs).
        trial_timeout: Seconds after which a trial is killed on its worker and recorded as failed.
    """

    def __init__(self, address: str, *, workers: int | None = None, trial_timeout: float | None = None) -> None:
        distributed = _import_distributed()
        self.address = address
        self.trial_timeout = trial_timeout
        self._cluster: LocalCluster | None = None
        client: Client | None = None
        try:
            if address == LOCAL:
                self._cluster = distributed.LocalCluster(
                    n_workers=workers or usable_cpus(), threads_per_worker=1, processes=True, host="127.0.0.1",
                    dashboard_address=None, silence_logs=logging.ERROR)
                client = distributed.Client(self._cluster, set_as_default=False)
            else:
                client = distributed.Client(address, timeout=_CONNECT_TIMEOUT_S, set_as_default=False)
                client.wait_for_workers(1, timeout=_CONNECT_TIMEOUT_S)
        except Exception as exc:  # noqa: BLE001 - bad address, refused, timed out: one line for all
            if client is not None:
                client.close()
            self._close_cluster()
            raise ExecutorError(f"--dask {address}: cannot reach the scheduler or any worker: "
                                f"{type(exc).__name__}: {exc}") from None
        self.client: Client = client
        threads = sum(self.client.nthreads().values())
        self.capacity = max(1, workers or threads)

    def run(self, objective: Objective, trials: Iterable[Trial]) -> Iterator[TrialResult]:
        """Submit trials as workers free up (at most ``capacity`` in flight); yield results as they finish."""
        distributed = _import_distributed()
        token = uuid.uuid4().hex
        # A task rather than scatter(): if the worker holding it dies, the scheduler can recompute it.
        payload = self.client.submit(_identity, dumps_objective(objective), key=f"tunekit-objective-{token}",
                                     pure=False)
        pending = iter(trials)
        in_flight: dict[Any, Trial] = {}
        running: dict[int, Trial] = {}
        verdicts: dict[int, Any] = {}
        finished = distributed.as_completed(loop=self.client.loop)
        reports = distributed.Queue(_reports_queue(token), client=self.client)

        def submit_next() -> None:
            trial = next(pending, None)
            if trial is not None:
                # Detached: the reporter belongs to this process's search loop, whatever Dask pickles or not;
                # the worker sends its reports back through the queues instead.
                future = self.client.submit(run_trial_on_worker, token, payload, trial.detached(),
                                            self.trial_timeout, trial.has_reporter,
                                            key=f"tunekit-trial-{token[:12]}-{trial.number}", pure=False)
                in_flight[future] = trial
                running[trial.number] = trial
                finished.add(future)

        def answer_reports() -> bool:
            """Let the pruner decide on every report waiting; whether there was any."""
            waiting = reports.get(batch=True) if any(t.has_reporter for t in running.values()) else []
            for number, step, value in waiting:
                trial = running.get(number)
                if trial is None:
                    continue  # a report of a trial already finished (a retried task's ghost)
                if number not in verdicts:
                    verdicts[number] = distributed.Queue(_verdict_queue(token, number), client=self.client)
                verdicts[number].put(trial.ask_reporter(step, value))
            return bool(waiting)

        try:
            for _ in range(self.capacity):
                submit_next()
            while in_flight:
                busy = answer_reports()
                while finished.has_ready():
                    future = next(finished)
                    if future.status == "lost":
                        # Finished, then its result died with its worker before we fetched it: the
                        # scheduler computes it again (same seed, same result); wait for that.
                        finished.add(future)
                        continue
                    trial = in_flight.pop(future)
                    running.pop(trial.number, None)
                    verdict = verdicts.pop(trial.number, None)
                    if verdict is not None:
                        verdict.close()
                    yield self._result_of(future, trial)
                    submit_next()
                    busy = True
                if not busy:
                    time.sleep(_POLL_S)
        finally:
            if in_flight:
                self.client.cancel(list(in_flight), force=True)
            for verdict in verdicts.values():
                verdict.close()
            reports.close()
            payload.release()

    @staticmethod
    def _result_of(future: Any, trial: Trial) -> TrialResult:
        if future.status == "finished":
            return future.result()
        if future.status == "error":
            exc = future.exception()
            if type(exc).__name__ == "KilledWorker":
                reason = "worker died: every Dask worker that ran this trial died (KilledWorker)"
            else:
                reason = f"Dask error: {type(exc).__name__}: {exc}"
        else:
            reason = f"Dask task {future.status}"
        return TrialResult(number=trial.number, params=trial.params, state=TrialState.FAIL, error=reason,
                           seed=trial.seed)

    def close(self) -> None:
        """Disconnect; shut the LocalCluster down when this executor started it."""
        self.client.close()
        self._close_cluster()

    def _close_cluster(self) -> None:
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def __repr__(self) -> str:
        return f"DaskExecutor({self.address!r}, capacity={self.capacity}, trial_timeout={self.trial_timeout})"
