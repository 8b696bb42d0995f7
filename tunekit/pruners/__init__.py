"""Early-stopping rules, looked up by name; third parties register theirs in the ``tunekit.pruners``
entry-point group (``name = "package.module:PrunerClass"``).

``--pruner`` and ``@tunable(pruner=...)`` take a spec: a name, optionally followed by options,
``"asha:min_resource=1,reduction_factor=3"`` (see :func:`parse_pruner`).
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from tunekit._registry import Registry
from tunekit.errors import SpecError
from tunekit.pruners.base import History, Pruner
from tunekit.pruners.hyperband import HyperbandPruner
from tunekit.pruners.median import MedianPruner
from tunekit.pruners.nop import NopPruner
from tunekit.pruners.patience import PatiencePruner
from tunekit.pruners.successive_halving import SuccessiveHalvingPruner

__all__ = [
    "ENTRY_POINT_GROUP",
    "History",
    "HyperbandPruner",
    "MedianPruner",
    "NopPruner",
    "PatiencePruner",
    "Pruner",
    "SuccessiveHalvingPruner",
    "as_pruner",
    "available_pruners",
    "get_pruner",
    "parse_pruner",
    "register_pruner",
]

ENTRY_POINT_GROUP = "tunekit.pruners"
_registry: Registry[type[Pruner]] = Registry(
    "pruner", Pruner, ENTRY_POINT_GROUP,
    (MedianPruner, SuccessiveHalvingPruner, HyperbandPruner, PatiencePruner, NopPruner))
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def register_pruner(cls: type[Pruner]) -> type[Pruner]:
    """Make ``cls`` available under ``cls.name`` (usable as a class decorator)."""
    return _registry.register(cls)


def available_pruners() -> list[str]:
    """Names of every registered pruner, built-in ones and those of installed plugins."""
    return _registry.names()


def _option_names(cls: type[Pruner]) -> tuple[list[str], list[str]] | None:
    """(accepted, required) keyword options of ``cls``, or ``None`` when it takes ``**options``."""
    accepted, required = [], []
    for param in inspect.signature(cls.__init__).parameters.values():
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            return None
        if param.name == "self" or param.kind is inspect.Parameter.VAR_POSITIONAL:
            continue
        accepted.append(param.name)
        if param.default is inspect.Parameter.empty:
            required.append(param.name)
    return accepted, required


def get_pruner(name: str, **options: Any) -> Pruner:
    """Build the pruner registered under ``name`` with ``options``.

    Raises :class:`SpecError` for an unknown name (listing the registered ones), an unknown or missing
    option (listing the accepted ones) or an invalid value (from the pruner's own validation).
    """
    cls = _registry.get(name)
    names = _option_names(cls)
    if names is not None:
        accepted, required = names
        listed = ", ".join(accepted) if accepted else "none"
        for option in options:
            if option not in accepted:
                raise SpecError(f"pruner {name!r}: unknown option {option!r} (accepted: {listed})")
        for option in required:
            if option not in options:
                raise SpecError(f"pruner {name!r}: option {option!r} is required, e.g. {name}:{option}=...")
    try:
        return cls(**options)
    except TypeError as exc:  # a plugin pruner with a signature we could not check
        raise SpecError(f"pruner {name!r}: {exc}") from None


def _parse_value(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("none", "null"):
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def parse_pruner(text: str) -> Pruner:
    """Build a pruner from a command-line spec: ``NAME`` or ``NAME:OPTION=VALUE,OPTION=VALUE``.

    Values are read as integers, then floats, then ``none``/``true``/``false``, else kept as strings
    (``hyperband:max_resource=auto``). Every problem is one :class:`SpecError` line quoting the spec.
    """
    spec = text.strip()
    name, _, rest = spec.partition(":")
    name = name.strip()
    if not _NAME.fullmatch(name):
        raise SpecError(f"pruner spec {text!r}: expected NAME or NAME:OPTION=VALUE,..., "
                        f"NAME one of {', '.join(available_pruners())}")
    options: dict[str, Any] = {}
    if rest.strip():
        for item in rest.split(","):
            key, sep, value = item.partition("=")
            key, value = key.strip(), value.strip()
            if not sep or not key.isidentifier() or not value:
                raise SpecError(f"pruner spec {text!r}: expected OPTION=VALUE, got {item.strip()!r}")
            if key in options:
                raise SpecError(f"pruner spec {text!r}: option {key!r} given twice")
            options[key] = _parse_value(value)
    elif ":" in spec:
        raise SpecError(f"pruner spec {text!r}: nothing after ':' (expected OPTION=VALUE,...)")
    return get_pruner(name, **options)


def as_pruner(value: str | Pruner | None) -> Pruner:
    """What ``@tunable(pruner=...)`` accepts: ``None`` (never prune), a spec string, or a Pruner object."""
    if value is None:
        return NopPruner()
    if isinstance(value, Pruner):
        return value
    if isinstance(value, str):
        return parse_pruner(value)
    raise SpecError(f"pruner: expected a name such as 'asha', a Pruner or None, got {type(value).__name__}")
