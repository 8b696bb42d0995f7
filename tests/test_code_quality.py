"""The package stays mypy-clean and ruff-clean with the settings in pyproject.toml (both are in the test extra)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          check=False)


@pytest.mark.slow
def test_mypy_is_clean() -> None:
    pytest.importorskip("mypy", reason="mypy comes with the test extra: pip install -e '.[test]'")
    done = run_tool("mypy")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_ruff_is_clean() -> None:
    pytest.importorskip("ruff", reason="ruff comes with the test extra: pip install -e '.[test]'")
    done = run_tool("ruff", "check", ".")
    assert done.returncode == 0, done.stdout + done.stderr
