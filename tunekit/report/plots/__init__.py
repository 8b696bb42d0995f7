"""Plots of one experiment: pure functions compute each plot's data, renderers turn it into figures.

``*_data(experiment)`` functions return small dataclasses (or ``None`` when a plot would be empty;
:func:`contour_data` says why instead); ``*_figure(data)`` functions return plotly.js figure specs (plain
dicts) that the HTML report embeds.
"""

from tunekit.report.plots._contour import (
    CONTOUR_MIN_PAIR_TRIALS,
    ContourAxis,
    ContourData,
    ContourSkipped,
    contour_data,
)
from tunekit.report.plots._data import (
    INACTIVE_LABEL,
    INTERMEDIATE_METRIC,
    AxisTicks,
    EdfData,
    HistoryData,
    IntermediateCurve,
    IntermediateData,
    ParallelAxis,
    ParallelData,
    SliceData,
    condition_label,
    edf_data,
    history_data,
    intermediate_data,
    log_ticks,
    parallel_data,
    parse_intermediate,
    pruned_value,
    slice_data,
    tick_labels,
    trial_intermediate,
)
from tunekit.report.plots._figures import (
    IMPORTANCE_TITLE,
    LABEL_LINE,
    PRUNED_NAME,
    START_NAME,
    Figure,
    contour_figure,
    edf_figure,
    history_figure,
    importance_figure,
    intermediate_figure,
    parallel_figure,
    slice_figure,
    wrap_label,
)

__all__ = [
    "CONTOUR_MIN_PAIR_TRIALS", "IMPORTANCE_TITLE", "INACTIVE_LABEL", "INTERMEDIATE_METRIC", "LABEL_LINE",
    "PRUNED_NAME", "START_NAME", "AxisTicks", "ContourAxis", "ContourData", "ContourSkipped", "EdfData", "Figure",
    "HistoryData", "IntermediateCurve", "IntermediateData", "ParallelAxis", "ParallelData", "SliceData",
    "condition_label", "contour_data", "contour_figure", "edf_data", "edf_figure", "history_data",
    "history_figure", "importance_figure", "intermediate_data", "intermediate_figure", "log_ticks",
    "parallel_data", "parallel_figure", "parse_intermediate", "pruned_value", "slice_data", "slice_figure",
    "tick_labels", "trial_intermediate", "wrap_label",
]
