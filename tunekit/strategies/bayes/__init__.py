"""Bayesian optimisation with a Gaussian process, on scikit-optimize's models and acquisitions.

This package is the only place that knows about scikit-optimize (imported lazily, so that ``import
tunekit`` stays fast); replacing the backend touches this package alone.
"""

from __future__ import annotations

from tunekit.strategies.bayes._strategy import BayesStrategy

__all__ = ["BayesStrategy"]
