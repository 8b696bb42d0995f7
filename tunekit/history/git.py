"""What ``git`` knows that the store needs: the current branch's first-parent history, oldest first, with each
commit's date and author (one git call), and every committed version of a file along it."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CommitInfo", "FileVersion", "branch_commits", "file_versions"]


@dataclass(frozen=True)
class CommitInfo:
    """One commit of the branch: its full SHA, committer date (ISO 8601) and author name."""

    sha: str
    date: str
    author: str


def branch_commits(root: Path) -> list[CommitInfo] | None:
    """The first-parent history of ``HEAD`` in ``root``, oldest first; ``None`` outside git or when git fails."""
    try:
        done = subprocess.run(["git", "log", "--first-parent", "--format=%H%x1f%cI%x1f%an", "HEAD"],
                              cwd=root, capture_output=True, text=True, check=False, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    commits = []
    for line in done.stdout.splitlines():
        parts = line.split("\x1f")
        if len(parts) == 3:
            commits.append(CommitInfo(*parts))
    commits.reverse()
    return commits


@dataclass(frozen=True)
class FileVersion:
    """One committed version of a file: the commit that wrote it, that commit's date, and the file's bytes."""

    sha: str
    date: str
    content: bytes


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None


def file_versions(root: Path, path: Path) -> list[FileVersion] | None:
    """Each version of ``path`` committed along ``HEAD``'s first-parent history, oldest first (commits that
    deleted it left out); ``None`` outside git or when git fails. ``path`` is relative to ``root`` or absolute."""
    relative = path if path.is_absolute() else root / path
    log = _git(root, "log", "--first-parent", "--format=%H%x1f%cI", "HEAD", "--", str(relative))
    if log is None or log.returncode != 0:
        return None
    versions = []
    for line in reversed(log.stdout.decode("utf-8", errors="replace").splitlines()):
        sha, _, date = line.partition("\x1f")
        shown = _git(root, "show", f"{sha}:./{Path(relative).relative_to(root).as_posix()}")
        if shown is not None and shown.returncode == 0:
            versions.append(FileVersion(sha, date, shown.stdout))
    return versions
