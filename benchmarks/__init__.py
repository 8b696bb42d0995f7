"""Benchmarks of tunekit's search strategies against other optimisers (``python -m benchmarks.strategies``)."""
