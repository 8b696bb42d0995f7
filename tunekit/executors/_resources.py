"""How many workers and how many BLAS/OpenMP threads each: one CPU budget for the whole run."""

from __future__ import annotations

import os

from tunekit import validation

__all__ = ["THREAD_VARIABLES", "busy_cpus", "resolve_workers", "threads_per_worker", "usable_cpus",
           "worker_environment"]

#: Environment variables that size the thread pools of BLAS, OpenMP, numexpr and joblib in a worker.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def usable_cpus() -> int:
    """CPUs this process may use: affinity mask and cgroup quota included, shared among xdist workers."""
    try:
        from joblib import cpu_count  # loky's count honours sched_getaffinity and cgroup CPU quotas

        cpus = int(cpu_count())
    except ImportError:  # pragma: no cover - joblib comes with scikit-learn
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    # Under pytest-xdist every xdist worker runs experiments at once: split the machine between them.
    xdist_workers = os.environ.get("PYTEST_XDIST_WORKER_COUNT", "")
    if xdist_workers.isdigit() and int(xdist_workers) > 1:
        cpus //= int(xdist_workers)
    return max(1, cpus)


def resolve_workers(workers: int | str | None) -> int:
    """The number of worker processes for ``workers`` (``None``: 1, ``"auto"``: the usable CPUs)."""
    workers = validation.workers("workers", workers)
    if workers is None:
        return 1
    if workers == "auto":
        return usable_cpus()
    return int(workers)


def busy_cpus() -> int:
    """CPUs other work keeps busy now: the one-minute load average, rounded (0 where the platform has none)."""
    try:
        return round(os.getloadavg()[0])
    except (AttributeError, OSError):  # Windows
        return 0


def threads_per_worker(workers: int, cpus: int | None = None, busy: int | None = None) -> int:
    """BLAS/OpenMP threads each of ``workers`` processes may start so that together they fill the CPUs left
    free: ``cpus`` (default: the usable ones) less those other work keeps ``busy`` (default: the load average).

    On a shared machine, OpenMP threads competing with other jobs for the same cores are far slower than one
    thread each (``python -m benchmarks.threads``: HistGradientBoosting 2.7x slower with 2 threads than with 1
    next to 2 busy processes on 2 cores, 1.5x faster when idle), so a loaded machine gets fewer threads.
    """
    total = usable_cpus() if cpus is None else cpus
    free = total - (busy_cpus() if busy is None else busy)
    return max(1, max(1, free) // max(1, workers))


def worker_environment(threads: int) -> dict[str, str]:
    """This process's environment with every thread-pool size set to ``threads``.

    Sizes the user set explicitly are kept: they know their libraries better than an even split does.
    """
    env = dict(os.environ)
    if not any(name in env for name in THREAD_VARIABLES):
        env["TUNEKIT_WORKER_THREADS"] = str(threads)  # the worker also caps already loaded pools
    for name in THREAD_VARIABLES:
        env.setdefault(name, str(threads))
    # joblib inside a trial (scikit-learn's n_jobs=-1) sizes its pools from this instead of the machine.
    env.setdefault("LOKY_MAX_CPU_COUNT", str(threads))
    return env
