"""What objectives leave running when a run ends: child processes are stopped, threads are not waited for.

Python waits at exit for every non-daemon thread and every ``multiprocessing`` child, and a child process
that inherited tunekit's output keeps a CI log open: an objective that forgot one would hold the command
for as long as it runs. The ``tunekit`` command calls :func:`exit_without_leftovers` once its results are
written.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import signal
import sys
import threading
import time
from pathlib import Path

__all__ = ["child_pids", "exit_without_leftovers", "stop_children"]

#: Seconds a child process gets to end after SIGTERM before it is killed.
GRACE_S = 1.0


def child_pids() -> list[int]:
    """The process IDs of this process's children other than ``multiprocessing``'s (Linux's /proc; none
    elsewhere)."""
    pids: set[int] = set()
    for listing in Path("/proc/self/task").glob("*/children"):
        try:
            pids.update(int(pid) for pid in listing.read_text().split())
        except (OSError, ValueError):
            continue
    return sorted(pids - {p.pid for p in multiprocessing.active_children()})


def _running(pid: int) -> bool:
    """Whether child ``pid`` still runs (reaping it when it has ended)."""
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return finished == 0


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except OSError:
        pass


def stop_children(grace: float = GRACE_S) -> list[int]:
    """SIGTERM every child process, SIGKILL those still running after ``grace`` seconds; return their PIDs."""
    processes = multiprocessing.active_children()
    others = child_pids()
    for process in processes:
        process.terminate()
    for pid in others:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and (any(p.is_alive() for p in processes) or any(map(_running, others))):
        time.sleep(0.02)
    for process in processes:
        if process.is_alive():
            process.kill()
        process.join(grace)
    for pid in others:
        if _running(pid):
            _signal(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    return sorted([p.pid for p in processes if p.pid is not None] + others)


def exit_without_leftovers(code: int) -> None:
    """Exit with ``code``, first stopping the child processes objectives left and not waiting for threads.

    Each leftover is named in one line on stderr. Without leftovers this is a plain ``sys.exit``.
    """
    if multiprocessing.active_children() or child_pids():
        pids = stop_children()
        sys.stderr.write(f"tunekit: stopped {len(pids)} process(es) left running by an objective "
                         f"(pid {', '.join(map(str, pids))})\n")
    threads = [t for t in threading.enumerate()
               if t is not threading.main_thread() and not t.daemon and t.is_alive()]
    if not threads:
        sys.exit(code)
    sys.stderr.write(f"tunekit: not waiting for {len(threads)} thread(s) left running by an objective "
                     f"({', '.join(t.name for t in threads)})\n")
    sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()  # what a normal exit runs, once Python has joined the threads we skip
    os._exit(code)
