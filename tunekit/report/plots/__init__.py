"""Plots of one experiment: pure functions compute each plot's data, renderers turn it into figures.

``*_data(experiment)`` functions return small dataclasses (or ``None`` when a plot would be empty);
``*_figure(data)`` functions return plotly.js figure specs (plain dicts) that the HTML report embeds.
"""

from tunekit.report.plots._data import (
    INACTIVE_LABEL,
    INTERMEDIATE_METRIC,
    HistoryData,
    IntermediateCurve,
    IntermediateData,
    ParallelAxis,
    ParallelData,
    SliceData,
    condition_label,
    history_data,
    intermediate_data,
    parallel_data,
    parse_intermediate,
    slice_data,
    trial_intermediate,
)
from tunekit.report.plots._figures import (
    Figure,
    history_figure,
    importance_figure,
    intermediate_figure,
    parallel_figure,
    slice_figure,
)

__all__ = [
    "INACTIVE_LABEL", "INTERMEDIATE_METRIC", "Figure", "HistoryData", "IntermediateCurve", "IntermediateData",
    "ParallelAxis", "ParallelData", "SliceData", "condition_label", "history_data", "history_figure",
    "importance_figure", "intermediate_data", "intermediate_figure", "parallel_data", "parallel_figure",
    "parse_intermediate", "slice_data", "slice_figure", "trial_intermediate",
]
