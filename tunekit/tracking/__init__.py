"""Experiment trackers that results can be sent to (MLflow so far); each imports its tracker lazily."""

from tunekit.tracking._mlflow import TrackingError, log_to_mlflow, require_mlflow

__all__ = ["TrackingError", "log_to_mlflow", "require_mlflow"]
