"""Helpers for testing tunekit extensions: the strategy conformance suite (:mod:`tunekit.testing.strategies`)."""

from __future__ import annotations

from tunekit.testing.strategies import StrategyConformance

__all__ = ["StrategyConformance"]
