"""An experiment's best score commit by commit, from the run store, and the changes that stand out of its noise.

:func:`build_series` turns the runs of one experiment into points on the branch's first-parent history,
:func:`detect_changes` flags the commits where the score stepped; :func:`branch_commits` reads the branch.
"""

from __future__ import annotations

from tunekit.history.changes import Change, detect_changes
from tunekit.history.git import CommitInfo, branch_commits
from tunekit.history.series import Point, Segment, Series, build_series

__all__ = ["Change", "CommitInfo", "Point", "Segment", "Series", "branch_commits", "build_series",
           "detect_changes"]
