"""Diagnostics: one-line hints about a finished search (shown under the leaderboard and in reports)."""

from __future__ import annotations

from tunekit.results import ExperimentResult

__all__ = ["diagnose"]


def diagnose(experiment: ExperimentResult) -> list[str]:
    """Hints about ``experiment`` worth a user's attention, most important first."""
    return []
