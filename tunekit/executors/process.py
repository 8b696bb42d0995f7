"""Evaluate trials in a small pool of worker processes that tunekit can kill one by one.

A pool of our own rather than loky or ``concurrent.futures``: a trial that runs past its timeout must be
killed without losing the other workers, and a worker that dies (segfault, ``os._exit``, the OOM killer)
must fail only its own trial. Each worker is a fresh interpreter (``subprocess``, not ``fork``), so the
pool works from any thread and any process, pytest-xdist workers and Dask workers included.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import threading
import time
import uuid
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

from tunekit.executors._pickling import dumps_objective
from tunekit.executors._resources import threads_per_worker, worker_environment
from tunekit.executors._worker import GO_ON, PARENT_PID_VARIABLE, PRUNE, REPORT, STARTED
from tunekit.executors.base import Executor, Objective
from tunekit.trial import Trial, TrialResult, TrialState

__all__ = ["Payload", "ProcessExecutor", "death_reason", "timeout_reason"]

#: Seconds a worker may take to start and load the objective before its trial's timeout starts counting.
LOAD_ALLOWANCE_S = 60.0
#: The directory holding the tunekit package (this file is tunekit/executors/process.py).
_TUNEKIT_ROOT = str(Path(__file__).resolve().parents[2])
_WORKER_CODE = (f"import sys; sys.path.insert(0, {_TUNEKIT_ROOT!r}); "
                "from tunekit.executors._worker import main; main()")


@dataclass(frozen=True)
class Payload:
    """An objective ready to send: its pickled bytes, a token naming them, and the import path to use."""

    token: str
    data: bytes
    sys_path: list[str] | None = None


def timeout_reason(seconds: float) -> str:
    """The error recorded for a trial stopped by its timeout."""
    return f"timeout: trial exceeded {seconds:g} s"


def death_reason(returncode: int | None) -> str:
    """The error recorded for a trial whose worker died, e.g. ``worker died: exit code -11 (SIGSEGV)``."""
    if returncode is None:
        return "worker died: it closed its pipe"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        if -returncode == signal.SIGKILL:
            name += "; killed from outside, out of memory?"
        return f"worker died: exit code {returncode} ({name})"
    return f"worker died: exit code {returncode}"


class _Worker:
    """One worker process, its two pipes, and the trial it is running."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", _WORKER_CODE], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, env=env, close_fds=True,
                                        start_new_session=True)  # Ctrl-C goes to the parent only
        assert self.process.stdin is not None and self.process.stdout is not None
        self.requests = Connection(os.dup(self.process.stdin.fileno()), readable=False)
        self.replies = Connection(os.dup(self.process.stdout.fileno()), writable=False)
        self.process.stdin.close()
        self.process.stdout.close()
        self.token: str | None = None
        self.trial: Trial | None = None
        self.sent_at = 0.0
        self.started_at: float | None = None

    @property
    def busy(self) -> bool:
        return self.trial is not None

    def send(self, payload: Payload, trial: Trial) -> None:
        fresh = self.token != payload.token
        message = (payload.token, payload.data if fresh else None, payload.sys_path if fresh else None,
                   trial.detached(), trial.has_reporter)
        self.requests.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
        self.token, self.trial = payload.token, trial
        self.sent_at = time.perf_counter()
        # A worker that already holds the objective starts at once; otherwise it says when it has loaded it.
        self.started_at = None if fresh else self.sent_at

    def deadline(self, timeout: float | None) -> float | None:
        if timeout is None:
            return None
        if self.started_at is None:
            return self.sent_at + timeout + LOAD_ALLOWANCE_S
        return self.started_at + timeout

    def kill(self) -> None:
        """Kill the worker and whatever it started (its own process group), then reap it."""
        for conn in (self.requests, self.replies):
            conn.close()
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL is not ignorable
            pass

    def returncode_after_eof(self) -> int | None:
        try:
            return self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # closed its pipe but lives on: treat it as dead anyway
            return None


def _kill_all(workers: list[_Worker]) -> None:
    for worker in workers:
        worker.kill()
    workers.clear()


class ProcessExecutor(Executor):
    """Run up to ``workers`` trials at once, each worker a separate Python process.

    Args:
        workers: Number of worker processes (started on demand, kept for the next batches).
        trial_timeout: Seconds after which a trial's worker is killed and the trial recorded as failed.
        cpus: CPU budget shared by the workers' BLAS/OpenMP thread pools (default: the usable CPUs).
    """

    def __init__(self, workers: int, *, trial_timeout: float | None = None, cpus: int | None = None) -> None:
        if workers < 1:
            raise ValueError(f"workers: expected a positive integer, got {workers!r}")
        self.capacity = workers
        self.trial_timeout = trial_timeout
        self.threads = threads_per_worker(workers, cpus)
        self._env = worker_environment(self.threads)
        self._workers: list[_Worker] = []
        self._finalizer = weakref.finalize(self, _kill_all, self._workers)

    def _spawn(self) -> _Worker:
        env = self._env
        if threading.current_thread() is threading.main_thread():
            env = {**env, PARENT_PID_VARIABLE: str(os.getpid())}
        worker = _Worker(env)
        self._workers.append(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        self._workers.remove(worker)

    @property
    def pids(self) -> list[int]:
        """Process ids of the live workers (for tests and diagnostics)."""
        return [w.process.pid for w in self._workers]

    def run(self, objective: Objective, trials: Iterable[Trial]) -> Iterator[TrialResult]:
        """Evaluate ``trials``, taking the next one only when a worker is free; yield results as they finish."""
        payload = Payload(uuid.uuid4().hex, dumps_objective(objective), list(sys.path))
        return self.run_payload(payload, trials)

    def run_payload(self, payload: Payload, trials: Iterable[Trial]) -> Iterator[TrialResult]:
        """:meth:`run` for an objective already pickled (Dask workers receive it pickled)."""
        pending = iter(trials)
        exhausted = False
        try:
            while True:
                while not exhausted and sum(w.busy for w in self._workers) < self.capacity:
                    trial = next(pending, None)
                    if trial is None:
                        exhausted = True
                        break
                    self._dispatch(payload, trial)
                busy = [w for w in self._workers if w.busy]
                if not busy:
                    return
                yield from self._collect(busy)
        finally:
            # Abandoned (interrupt, or the consumer stopped early): kill what still runs for this run.
            for worker in [w for w in self._workers if w.busy]:
                self._retire(worker)

    def _dispatch(self, payload: Payload, trial: Trial) -> None:
        idle = [w for w in self._workers if not w.busy]
        # Prefer a worker that already holds this objective: it need not unpickle the fixtures again.
        idle.sort(key=lambda w: w.token != payload.token)
        worker = idle[0] if idle else self._spawn()
        try:
            worker.send(payload, trial)
        except OSError:  # it died while idle (the OOM killer picks big idle processes too): replace it
            self._retire(worker)
            self._spawn().send(payload, trial)

    def _collect(self, busy: list[_Worker]) -> Iterator[TrialResult]:
        deadlines = [d for d in (w.deadline(self.trial_timeout) for w in busy) if d is not None]
        timeout = max(0.0, min(deadlines) - time.perf_counter()) if deadlines else None
        ready = set(wait([w.replies for w in busy], timeout=timeout))
        for worker in busy:
            trial = worker.trial
            assert trial is not None
            if worker.replies in ready:
                try:
                    reply = self._receive(worker, trial)
                except (EOFError, OSError):
                    returncode = worker.returncode_after_eof()
                    self._retire(worker)
                    yield self._failure(trial, worker, death_reason(returncode))
                    continue
                if reply is not None:
                    worker.trial = None
                    yield pickle.loads(reply)
                    continue
                # Only progress so far (loaded, reports): the result is yet to come.
            deadline = worker.deadline(self.trial_timeout)
            if deadline is not None and time.perf_counter() >= deadline:
                self._retire(worker)
                assert self.trial_timeout is not None
                yield self._failure(trial, worker, timeout_reason(self.trial_timeout))

    def _receive(self, worker: _Worker, trial: Trial) -> bytes | None:
        """Handle the frames ``worker`` sent; return its result frame, or ``None`` while it has not come."""
        while True:
            frame = worker.replies.recv_bytes()
            if frame == STARTED:
                worker.started_at = time.perf_counter()
            elif frame[:1] == REPORT:
                # trial.report() in the worker: the search loop's pruner (in this process) decides.
                step, value = pickle.loads(frame[len(REPORT):])
                worker.requests.send_bytes(PRUNE if trial.ask_reporter(step, value) else GO_ON)
            else:
                return frame  # a pickled TrialResult
            if not worker.replies.poll():
                return None

    @staticmethod
    def _failure(trial: Trial, worker: _Worker, reason: str) -> TrialResult:
        began = worker.started_at if worker.started_at is not None else worker.sent_at
        return TrialResult(number=trial.number, params=trial.params, state=TrialState.FAIL,
                           duration_s=time.perf_counter() - began, error=reason, seed=trial.seed)

    def close(self) -> None:
        """Stop every worker (and anything they started)."""
        _kill_all(self._workers)

    def __repr__(self) -> str:
        return (f"ProcessExecutor(workers={self.capacity}, trial_timeout={self.trial_timeout}, "
                f"threads_per_worker={self.threads})")

