"""Single-threaded BLAS for the small matrix products of a proposal."""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["one_blas_thread"]


@functools.cache
def _controller() -> Any:
    """The thread-pool controller, built once: building one scans every loaded library, which took
    19 ms per proposal. Built on first use, so that it sees the BLAS the backend loaded."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def one_blas_thread() -> Any:
    """A context in which BLAS runs single-threaded (on small matrices more threads only add
    synchronisation: 4x slower measured)."""
    return _controller().limit(limits=1, user_api="blas")
