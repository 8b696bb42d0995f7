"""Project-wide pytest setup for tunekit's own test suite: pytester drives tunekit end to end."""

pytest_plugins = ["pytester"]
