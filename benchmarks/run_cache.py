"""Finished benchmark runs of one contender, kept in a JSON file so that a benchmark resumes and re-runs cheaply.

One file per suite and contender (``results/bbob/tunekit-bayes.json``). Each run is stored under
``problem/budget/seed`` with its losses in trial order and the fingerprint of the code that produced it
(for tunekit's strategies a hash of the ``tunekit`` package's sources, for the others the library's
version): after a change only the runs made by other code need running again. A contender whose
proposals do not depend on its budget serves a shorter budget from the first trials of a longer run.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

__all__ = ["SCHEMA", "CachedRun", "RunCache", "code_fingerprint"]

SCHEMA = "tunekit.benchmark.runs/1"
_LIBRARY = {"optuna": "optuna", "skopt": "scikit-optimize", "hyperopt": "hyperopt"}


#: The tunekit sources a strategy's behaviour depends on, besides its own module (``strategies/NAME.py``
#: or the package ``strategies/NAME/``): a change anywhere else in tunekit does not make its runs stale.
_TUNEKIT_SHARED = ("space.py", "trial.py", "validation.py", "strategies/__init__.py", "strategies/base.py")
#: Modules outside ``strategies/`` that one strategy alone imports.
_TUNEKIT_OWN_EXTRA = {"evolution": ("pareto.py",)}


def code_fingerprint(contender: str) -> str:
    """What identifies the code behind ``contender``'s runs: a hash of tunekit's sources, or the library's version.

    For ``tunekit-NAME``: the strategy's own module and the modules in ``_TUNEKIT_SHARED``, read from the
    ``tunekit`` package that is imported (so a benchmark run from a snapshot of the tree hashes the
    snapshot).
    """
    library, _, strategy = contender.partition("-")
    if library == "tunekit":
        import tunekit

        root = Path(tunekit.__file__).resolve().parent
        own = root / "strategies" / strategy
        shared = _TUNEKIT_SHARED + _TUNEKIT_OWN_EXTRA.get(strategy, ())
        files = [root / name for name in shared] + [own.with_suffix(".py")] + sorted(own.rglob("*.py"))
        digest = hashlib.sha256()
        for path in files:
            if path.is_file():
                digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        return f"tunekit-src:{digest.hexdigest()[:12]}"
    name = _LIBRARY.get(library, library)
    try:
        return f"{name} {version(name)}"
    except PackageNotFoundError:
        return f"{name} not installed"


@dataclass(frozen=True)
class CachedRun:
    """One finished run: losses in trial order, the code that made it, and what it cost."""

    losses: list[float]
    code: str
    wall_s: float
    cpu_s: float

    def to_json(self) -> dict[str, Any]:
        return {"losses": self.losses, "code": self.code, "wall_s": round(self.wall_s, 4),
                "cpu_s": round(self.cpu_s, 4)}


def _key(problem: str, budget: int, seed: int) -> str:
    return f"{problem}/{budget}/{seed}"


class RunCache:
    """The runs of one contender in one file, loaded at construction and written with :meth:`save`.

    Args:
        path: The JSON file (created on the first save).
        contender: The contender's name, checked against the file's.
        budget_free: Whether the contender's first ``k`` trials do not depend on its budget.
    """

    def __init__(self, path: Path, contender: str, *, budget_free: bool = False) -> None:
        self.path = path
        self.contender = contender
        self.budget_free = budget_free
        self.runs: dict[str, CachedRun] = {}
        self.created = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.dirty = False
        if path.exists():
            saved = json.loads(path.read_text())
            if saved.get("schema") != SCHEMA or saved.get("contender") != contender:
                raise SystemExit(f"{path}: not a run cache of {contender} (schema {saved.get('schema')!r})")
            self.created = saved["created"]
            self.runs = {key: CachedRun(**run) for key, run in saved["runs"].items()}
        self._budgets = {int(key.rsplit("/", 2)[1]) for key in self.runs}

    def get(self, problem: str, budget: int, seed: int, code: str | None = None) -> CachedRun | None:
        """The run for ``(problem, budget, seed)``, from ``code`` when given; ``None`` if there is none.

        For a budget-free contender, a longer run with the same seed serves, cut to ``budget`` trials.
        """
        run = self.runs.get(_key(problem, budget, seed))
        if run is not None and (code is None or run.code == code):
            return run
        if self.budget_free:
            for longer_budget in sorted(self._budgets):
                longer = self.runs.get(_key(problem, longer_budget, seed))
                if (longer_budget > budget and longer is not None and len(longer.losses) >= budget
                        and (code is None or longer.code == code)):
                    return CachedRun(longer.losses[:budget], longer.code, longer.wall_s, longer.cpu_s)
        return None

    def put(self, problem: str, budget: int, seed: int, run: CachedRun) -> None:
        self.runs[_key(problem, budget, seed)] = run
        self._budgets.add(budget)
        self.dirty = True

    def problems(self) -> set[str]:
        return {key.rsplit("/", 2)[0] for key in self.runs}

    def codes(self) -> dict[str, int]:
        """How many runs each code fingerprint made."""
        counts: dict[str, int] = {}
        for run in self.runs.values():
            counts[run.code] = counts.get(run.code, 0) + 1
        return counts

    def save(self) -> None:
        """Write the file atomically (a killed benchmark leaves the previous version, never half a file)."""
        head = {"schema": SCHEMA, "contender": self.contender, "created": self.created,
                "updated": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        # one run per line: small diffs when runs are added or re-run
        lines = [f"  {json.dumps(key)}: {json.dumps(run.to_json())}" for key, run in sorted(self.runs.items())]
        text = json.dumps(head, indent=1)[:-2] + ',\n "runs": {\n' + ",\n".join(lines) + "\n }\n}\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=self.path.parent, delete=False, suffix=".tmp") as handle:
            handle.write(text)
        os.chmod(handle.name, 0o644)  # a temporary file is private; the cache is an ordinary results file
        os.replace(handle.name, self.path)
        self.dirty = False
