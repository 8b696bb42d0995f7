"""One validator per kind of setting, shared by ``@tunable``, :func:`tunekit.tune` and the command line.

Each takes the value and the name to report it under (``trials`` in Python, ``--trials`` on the command
line) and returns the value normalised, or raises :class:`~tunekit.errors.SpecError`. A value typed on the
command line (``text=True``) is parsed first and its message quotes the text as typed.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from tunekit.errors import SpecError

__all__ = ["DIRECTIONS", "WARM_START_SOURCES", "count", "direction", "finite_number", "quiet_hints", "seconds",
           "strategy_name", "warm_start", "workers"]

DIRECTIONS = ("maximize", "minimize")
#: Where a search can take its start points from besides ``start=[...]``: ``history`` (the run store's best
#: configurations for it), or ``none`` (turns a decorator's ``start="history"`` off for a run).
WARM_START_SOURCES = ("history", "none")


def _is_int(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, numbers.Integral)


def count(name: str, value: Any, *, minimum: int = 1, text: bool = False) -> int | None:
    """An integer of at least ``minimum`` (a budget, a seed, a patience), or ``None`` when not set."""
    if value is None:
        return None
    if text:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = minimum - 1
        if number < minimum:
            raise SpecError(f"{name}: expected an integer >= {minimum}, got {value!r}")
        return number
    if not _is_int(value) or value < minimum:
        kind = "a positive integer" if minimum == 1 else "a non-negative integer" if minimum == 0 else (
            f"an integer >= {minimum}")
        raise SpecError(f"{name}: expected {kind}, got {value!r}")
    return int(value)


#: The store URL schemes tunekit opens; the rest of a URL (path, server, driver) is checked when it is opened.
STORE_SCHEMES = ("sqlite", "sqlite+pysqlite", "postgresql", "postgres", "postgresql+psycopg")


def store_url(name: str, value: Any) -> str | None:
    """A run store URL of a database tunekit supports, or ``"none"``; ``None`` when not set.

    Only the form is checked here (a typo is a usage error before any trial runs); a store that cannot be
    reached at the end of a run is a warning, and the run's results file is kept.
    """
    if value is None or value == "":
        return None
    text = str(value).strip()
    if text == "none":
        return text
    scheme = text.split("://", 1)[0] if "://" in text else None
    if scheme not in STORE_SCHEMES:
        what = "not a database URL" if scheme is None else f"unsupported database {scheme!r}"
        raise SpecError(f"{name}: {what} (expected sqlite:///PATH, postgresql://USER@HOST:PORT/DATABASE or none)")
    return text


#: The largest seed: what the run store's 64-bit integer columns hold.
MAX_SEED = 2**63 - 1


def seed(name: str, value: Any, *, text: bool = False) -> int | None:
    """A seed from 0 to :data:`MAX_SEED`, or ``None`` when not set."""
    number = count(name, value, minimum=0, text=text)
    if number is not None and number > MAX_SEED:
        raise SpecError(f"{name}: expected an integer from 0 to 2**63 - 1, got {value!r:.40}")
    return number


def seconds(name: str, value: Any, *, text: bool = False) -> float | None:
    """A positive, finite number of seconds, or ``None`` when not set."""
    if value is None:
        return None
    number: Any = value
    if text:
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
    if isinstance(number, bool) or not isinstance(number, numbers.Real) or not 0 < float(number) < math.inf:
        raise SpecError(f"{name}: expected a positive number of seconds, got {value!r}")
    return float(number)


def workers(name: str, value: Any, *, text: bool = False) -> int | str | None:
    """A positive number of worker processes, ``"auto"`` (the usable cores), or ``None`` when not set."""
    if value is None or value == "auto":
        return value
    if text:
        return count(name, value, text=True)
    if not _is_int(value) or value < 1:
        raise SpecError(f"{name}: expected a positive integer or 'auto', got {value!r}")
    return int(value)


def finite_number(name: str, value: Any) -> float | None:
    """A finite number (a target score), or ``None`` when not set."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise SpecError(f"{name}: expected a finite number, got {value!r}")
    return float(value)


def direction(value: Any) -> str:
    """``"maximize"`` or ``"minimize"``."""
    if value not in DIRECTIONS:
        raise SpecError(f"direction: expected 'maximize' or 'minimize', got {value!r}")
    return str(value)


def strategy_name(name: str, value: Any) -> str | None:
    """The name of a registered strategy, or ``None`` (the default strategy for the space)."""
    from tunekit.strategies import available_strategies

    if value is None:
        return None
    names = available_strategies()
    if value not in names:
        raise SpecError(f"{name}: expected one of {', '.join(names)}, got {value!r}")
    return str(value)


def warm_start(name: str, value: Any) -> str | None:
    """A warm-start source of :data:`WARM_START_SOURCES`, or ``None`` when not set."""
    if value is None:
        return None
    if value not in WARM_START_SOURCES:
        raise SpecError(f"{name}: expected one of {', '.join(WARM_START_SOURCES)}, got {value!r}")
    return str(value)


def quiet_hints(value: Any) -> tuple[str, ...]:
    """The kinds of hint an experiment silences: ``hints=True`` (none), ``False`` (every kind: ``("*",)``) or
    ``{"fold_noise": False, ...}`` (those set to False)."""
    from tunekit.report.diagnostics import HINT_KINDS

    if value is True or value is None:
        return ()
    if value is False:
        return ("*",)
    if isinstance(value, dict):
        unknown = sorted(str(k) for k in value if k not in HINT_KINDS)
        if unknown:
            raise SpecError(f"hints: unknown kind {unknown[0]!r} (kinds: {', '.join(HINT_KINDS)})")
        wrong = [k for k, v in value.items() if not isinstance(v, bool)]
        if wrong:
            raise SpecError(f"hints[{wrong[0]!r}]: expected True or False, got {value[wrong[0]]!r}")
        return tuple(kind for kind in HINT_KINDS if value.get(kind) is False)
    raise SpecError(f"hints: expected True, False or a dict of kind -> True/False (kinds: {', '.join(HINT_KINDS)}), "
                    f"got {value!r:.60}")
