"""A name -> class registry filled by built-ins, ``register`` calls and an entry-point group.

Strategies and pruners are both looked up this way, so third-party packages extend them alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import entry_points
from typing import Generic, TypeVar

from tunekit.errors import SpecError

__all__ = ["Registry"]

T = TypeVar("T", bound=type)


class Registry(Generic[T]):
    """Classes of one kind (``"strategy"``, ``"pruner"``) by their ``name`` attribute.

    Entry points of ``group`` are loaded once, on the first lookup; they never replace a class that is
    already registered, and one that fails to load is a :class:`SpecError` naming it.
    """

    def __init__(self, kind: str, base: type, group: str, builtins: Iterable[T]) -> None:
        self.kind, self.base, self.group = kind, base, group
        self.classes: dict[str, T] = {cls.name: cls for cls in builtins}  # type: ignore[attr-defined]
        self.entry_points_loaded = False

    def copy(self) -> Registry[T]:
        """An independent registry with the same classes, entry points not loaded yet (for tests)."""
        fresh: Registry[T] = Registry(self.kind, self.base, self.group, ())
        fresh.classes = dict(self.classes)
        return fresh

    def register(self, cls: T) -> T:
        """Make ``cls`` available under ``cls.name`` (usable as a class decorator)."""
        if not (isinstance(cls, type) and issubclass(cls, self.base)) or not isinstance(
                getattr(cls, "name", None), str):
            raise TypeError(f"{cls!r} must be a {self.base.__name__} subclass with a string 'name'")
        self.classes[cls.name] = cls  # type: ignore[attr-defined]
        return cls

    def _load_entry_points(self) -> None:
        if self.entry_points_loaded:
            return
        self.entry_points_loaded = True
        for ep in entry_points(group=self.group):
            if ep.name in self.classes:
                continue
            try:
                cls = ep.load()
            except Exception as exc:  # a broken third-party package must not break tunekit
                raise SpecError(f"{self.kind} {ep.name!r} from entry point {ep.value!r} failed to load: "
                                f"{exc}") from exc
            self.register(cls)
            self.classes[ep.name] = cls

    def names(self) -> list[str]:
        """Every registered name, built-in ones and those of installed plugins."""
        self._load_entry_points()
        return sorted(self.classes)

    def get(self, name: str) -> T:
        """The class registered under ``name``; a :class:`SpecError` listing the names otherwise."""
        self._load_entry_points()
        try:
            return self.classes[name]
        except KeyError:
            raise SpecError(f"{self.kind}: expected one of {', '.join(sorted(self.classes))}, "
                            f"got {name!r}") from None
