"""The one domain error type of tunekit and its few specialisations.

Deep code raises these; the plugin and the CLI turn them into one-line messages and exit codes.
"""

from __future__ import annotations


class TunekitError(Exception):
    """Base class of every error tunekit reports to the user as a one-line message."""


class SpaceError(TunekitError, ValueError):
    """A search space or one of its dimensions is malformed."""


class SpecError(TunekitError, ValueError):
    """The arguments of ``@tunable`` (or their command-line overrides) are invalid."""


class ResultsError(TunekitError, ValueError):
    """A results or baseline document is missing, unreadable or does not validate."""
