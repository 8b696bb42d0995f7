"""The worker process of :class:`~tunekit.executors.process.ProcessExecutor`.

Started as ``python -c "...; main()"``; it reads requests from its stdin pipe and writes replies to its
stdout pipe, as length-prefixed frames (``multiprocessing.connection``). What the objective prints goes
to stderr, so it cannot corrupt the replies. It exits when its stdin closes.

Request: ``pickle((token, payload, sys_path, trial, pruned_by_parent))`` where ``payload`` is the
cloudpickled objective, sent only the first time a worker runs a trial of that objective (``None``
afterwards). With ``pruned_by_parent``, each ``trial.report()`` sends ``b"R" + pickle((step, value))`` and
waits for the parent's pruner to answer ``b"P"`` (prune) or ``b"G"`` (go on).
Replies: ``b"S"`` once the objective is loaded, when the request carried it (the trial's timeout counts
from there), then ``pickle(TrialResult)``.
"""

from __future__ import annotations

import os
import pickle
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from tunekit.trial import Reporter

__all__ = ["GO_ON", "PRUNE", "REPORT", "STARTED", "THREADS_VARIABLE", "LoadError", "load_objective", "main"]

STARTED = b"S"
#: Prefix of a report frame ``b"R" + pickle((step, value))``; the parent answers PRUNE or GO_ON.
REPORT = b"R"
PRUNE, GO_ON = b"P", b"G"
#: Set by the parent to the thread budget of each worker when the user did not size the pools.
THREADS_VARIABLE = "TUNEKIT_WORKER_THREADS"
#: Set by the parent when the worker should die with it (Linux, parent's main thread only).
PARENT_PID_VARIABLE = "TUNEKIT_PARENT_PID"


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the parent dies, so a killed run leaves no orphans."""
    parent = os.environ.pop(PARENT_PID_VARIABLE, "")
    if not parent.isdigit() or not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort: the stdin EOF still ends an idle worker
        return
    if os.getppid() != int(parent):  # the parent died before prctl took effect
        os._exit(1)


class LoadError:
    """Stands for an objective that could not be unpickled; every trial of it fails with ``message``."""

    def __init__(self, message: str) -> None:
        self.message = message


def load_objective(payload: bytes, sys_path: list[str] | None) -> Any:
    """Unpickle an objective (after putting the parent's ``sys_path`` first), or a :class:`LoadError`."""
    if sys_path:
        # The parent's import path first (the experiment's rootdir, a src/ layout...), then ours.
        sys.path[:] = list(dict.fromkeys([*sys_path, *sys.path]))
    import cloudpickle

    from tunekit.trial import describe_exception

    try:
        return cloudpickle.loads(payload)
    except Exception as exc:  # noqa: BLE001 - reported as the failure of every trial of this objective
        return LoadError(f"cannot load the objective in the worker process: {describe_exception(exc)}")


def _ask_parent(requests: Connection, replies: Connection) -> Reporter:
    """A trial reporter that forwards each report to the search loop's pruner and returns its verdict."""

    def report(step: int, value: float) -> bool:
        replies.send_bytes(REPORT + pickle.dumps((step, value)))
        return requests.recv_bytes() == PRUNE

    return report


def _limit_threads() -> None:
    """Cap the BLAS/OpenMP pools of libraries the objective loaded (the environment sized new ones)."""
    threads = os.environ.get(THREADS_VARIABLE, "")
    if not threads.isdigit():
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a dependency of tunekit and scikit-learn
        return
    threadpool_limits(limits=int(threads))


def main() -> None:
    """Serve trials until the parent closes the pipe."""
    requests_fd, replies_fd = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)  # print() in the objective goes to stderr, never into the replies
    _die_with_parent()

    from multiprocessing.connection import Connection

    from tunekit.executors.base import evaluate
    from tunekit.trial import TrialResult, TrialState

    requests = Connection(requests_fd, writable=False)
    replies = Connection(replies_fd, readable=False)
    objectives: dict[str, Any] = {}
    while True:
        try:
            token, payload, sys_path, trial, pruned_by_parent = pickle.loads(requests.recv_bytes())
        except EOFError:
            return
        if payload is not None:
            objectives.clear()  # one objective at a time: the previous run's fixtures can be freed
            objectives[token] = load_objective(payload, sys_path)
            _limit_threads()
            replies.send_bytes(STARTED)  # loading may take long (imports): the timeout starts now
        if pruned_by_parent:
            trial = trial.with_reporter(_ask_parent(requests, replies))
        objective = objectives.get(token)
        if isinstance(objective, LoadError) or objective is None:
            message = objective.message if objective is not None else "the objective never reached the worker"
            result = TrialResult(number=trial.number, params=trial.params, state=TrialState.FAIL,
                                 error=message, seed=trial.seed)
        else:
            result = evaluate(objective, trial)
        try:
            reply = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - e.g. an unpicklable metric
            reply = pickle.dumps(TrialResult(
                number=trial.number, params=trial.params, state=TrialState.FAIL, duration_s=result.duration_s,
                error=f"the trial's result cannot be sent back: {type(exc).__name__}: {exc}", seed=trial.seed))
        replies.send_bytes(reply)
