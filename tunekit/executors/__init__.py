"""Executors: where trials run (this process for now)."""

from tunekit.executors.base import Executor, Objective, evaluate
from tunekit.executors.serial import SerialExecutor

__all__ = ["Executor", "Objective", "SerialExecutor", "evaluate"]
