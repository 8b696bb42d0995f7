"""The current branch's first-parent history, oldest first, with each commit's date and author (one git call)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CommitInfo", "branch_commits"]


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
