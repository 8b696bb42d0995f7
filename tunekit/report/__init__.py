"""Ways to look at results: the terminal leaderboard (and, later, HTML reports and plots)."""

from tunekit.report.leaderboard import (
    format_leaderboard,
    format_params,
    format_score,
    format_top_trials,
)

__all__ = ["format_leaderboard", "format_params", "format_score", "format_top_trials"]
