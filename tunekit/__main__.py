"""``python -m tunekit`` is the ``tunekit`` command."""

from tunekit.cli import console_main

console_main()
