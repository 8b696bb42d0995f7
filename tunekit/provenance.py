"""Where and from what a run came: machine and commit information stored in results files."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

__all__ = ["commit_info", "machine_info", "package_version"]

_LIBRARIES = ("numpy", "scipy", "scikit-learn", "scikit-optimize", "pytest")


def package_version(name: str) -> str | None:
    """Installed version of distribution ``name``, or ``None``."""
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def machine_info() -> dict[str, Any]:
    """The facts that make scores and timings comparable between machines."""
    return {
        "node": platform.node(),
        "system": platform.system(),
        "release": platform.release(),
        "machine": platform.machine(),
        "python_implementation": platform.python_implementation(),
        "python_version": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "libraries": {name: package_version(name) for name in _LIBRARIES},
    }


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def commit_info(root: Path) -> dict[str, Any]:
    """The git commit of ``root`` and whether its work tree has changes (``id`` is ``None`` outside git)."""
    commit = _git(root, "rev-parse", "HEAD")
    if commit is None:
        return {"id": None, "dirty": None}
    status = _git(root, "status", "--porcelain", "--untracked-files=no")
    return {"id": commit, "dirty": bool(status), "branch": _git(root, "rev-parse", "--abbrev-ref", "HEAD")}
