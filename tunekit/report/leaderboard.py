"""The terminal leaderboard: one row per experiment, and optionally each experiment's best trials."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tabulate import tabulate

from tunekit.results import ExperimentResult
from tunekit.trial import TrialResult, TrialState

if TYPE_CHECKING:
    from tunekit.store import RecordedBest

__all__ = ["best_ever_text", "display_ids", "format_leaderboard", "format_objectives", "format_params",
           "format_score", "format_top_trials"]

_MIN_PARAMS_WIDTH = 10
_MAX_ID_WIDTH = 32


def format_value(value: Any) -> str:
    """A parameter value, short: 4 significant digits for floats."""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def format_params(params: Mapping[str, Any]) -> str:
    """``C=1.23, kernel=rbf``."""
    return ", ".join(f"{name}={format_value(value)}" for name, value in params.items())


def format_score(score: float | None, std: float | None = None, digits: int = 4) -> str:
    """``0.9812±0.004`` (or ``-`` when there is no score): ``digits`` significant digits, the spread's two."""
    if score is None:
        return "-"
    if std is None:
        return f"{score:.{digits}g}"
    return f"{score:.{digits}g}±{std:.0f}" if abs(std) >= 100 else f"{score:.{digits}g}±{std:.2g}"


def display_ids(ids: Sequence[str]) -> list[str]:
    """Short row labels: the function names when they are unique, else the node IDs without the
    directory they all share (``exp_svc.py::tune_svc``)."""
    names = [i.rsplit("::", 1)[-1] for i in ids]
    if len(set(names)) == len(names):
        return names
    files = [i.split("::", 1)[0] for i in ids]
    common = os.path.commonpath([os.path.dirname(f) for f in files]) if files else ""
    if not common:
        return list(ids)
    return [i[len(common) + 1:] for i in ids]


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes < 60 else f"{minutes // 60}h{minutes % 60:02d}m"


def _trial_counts(exp: ExperimentResult) -> str:
    """``12/16``: complete trials of the budget, then the pruned and failed ones spelled out."""
    done = exp.count(TrialState.COMPLETE)
    parts = [f"{done}/{exp.budget.get('trials', len(exp.trials))}"]
    for state, word in ((TrialState.PRUNED, "pruned"), (TrialState.FAIL, "failed")):
        if exp.count(state):
            parts.append(f"{exp.count(state)} {word}")
    return ", ".join(parts)


def _column_widths(rows: list[list[str]], headers: list[str]) -> list[int]:
    # tabulate pads headers by two spaces in the "simple" format.
    return [max([len(h) + 2] + [len(str(r[i])) for r in rows]) for i, h in enumerate(headers)]


def _fit(rows: list[list[str]], headers: list[str], width: int, wrap: Sequence[int]) -> str:
    """Tabulate ``rows``, wrapping the ``wrap`` columns (experiment id, then params) to fit ``width``."""
    natural = _column_widths(rows, headers)
    fixed = sum(w for i, w in enumerate(natural) if i not in wrap) + 2 * (len(headers) - 1)
    id_col, params_col = wrap
    maxwidths: list[int | None] = [None] * len(headers)
    id_width = maxwidths[id_col] = min(natural[id_col], _MAX_ID_WIDTH)
    params_width = max(_MIN_PARAMS_WIDTH, width - fixed - id_width)
    # Params wrap between "name=value" pairs, never inside a number (tabulate would cut anywhere).
    rows = [[*r[:params_col], _wrap(r[params_col], params_width), *r[params_col + 1:]] for r in rows]
    return tabulate(rows, headers=headers, tablefmt="simple", maxcolwidths=maxwidths, disable_numparse=True)


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text


def best_ever_text(exp: ExperimentResult, recorded: RecordedBest | None) -> str:
    """The best score ever recorded for ``exp``'s search, counting this run: ``this run`` when it is (or ties)
    the best, else ``0.9812 @1a2b3c4`` (the commit of the run that found it, or its date), ``-`` for none."""
    best = exp.best
    if recorded is None or (best is not None and best.score is not None and not (
            best.score < recorded.score if exp.direction == "maximize" else best.score > recorded.score)):
        return "this run" if best is not None else "-"
    where = recorded.commit[:7] if recorded.commit else f"{recorded.finished:%Y-%m-%d}"
    return f"{recorded.score:.4g} @{where}"


def format_leaderboard(experiments: Sequence[ExperimentResult], width: int = 80,
                       recorded_best: Mapping[str, RecordedBest] | None = None) -> str:
    """One row per experiment: best score (± fold std), direction, strategy, trials, time, best params.

    With ``recorded_best`` (the run store's best scores before this run, by experiment ID) a ``best ever``
    column says whether this run found the best score of its search so far, or which commit did; where that
    column does not fit ``width``, a line under the table says it for each experiment this run did not beat.
    """
    ids = display_ids([e.id for e in experiments])
    rows, ever = [], []
    for shown, exp in zip(ids, experiments, strict=False):
        best = exp.best
        ever.append("" if recorded_best is None else best_ever_text(exp, recorded_best.get(exp.id)))
        rows.append([
            shown,
            format_score(best.score, best.score_std) if best else "-",
            "max" if exp.direction == "maximize" else "min",
            exp.strategy,
            _trial_counts(exp),
            _duration(exp.duration_s),
            format_params(best.params) if best else f"({exp.status})",
        ])
    headers = ["experiment", "best", "dir", "strategy", "trials", "time", "best params"]
    if recorded_best is not None:
        wide = _fit([[*r[:2], e, *r[2:]] for r, e in zip(rows, ever, strict=True)],
                    [*headers[:2], "best ever", *headers[2:]], width, wrap=(0, 7))
        if max(map(len, wide.splitlines())) <= width:
            return wide
    lines = [_fit(rows, headers, width, wrap=(0, 6))]
    lines += [f"best ever: {shown}: {text}" for shown, text in zip(ids, ever, strict=True)
              if text not in ("", "this run", "-")]
    for shown, exp in zip(ids, experiments, strict=True):
        if exp.objectives:
            text = f"objectives: {shown}: {format_objectives(exp)}"
            lines += textwrap.wrap(text, width, subsequent_indent="  ", break_long_words=False,
                                   break_on_hyphens=False) or [text]
    return "\n".join(lines)


def _values_text(values: Mapping[str, float] | None) -> str:
    return ", ".join(f"{name}={value:.4g}" for name, value in (values or {}).items())


def format_objectives(exp: ExperimentResult) -> str:
    """What the leaderboard says of an experiment with several objectives: each objective with its direction
    and limit, the selected trial's values and the Pareto front's size."""
    declared = ", ".join(
        f"{name} ({'max' if way == 'maximize' else 'min'}"
        + (f", {'>=' if way == 'maximize' else '<='} {exp.limits[name]:g}" if name in exp.limits else "") + ")"
        for name, way in exp.objectives.items())
    selected = exp.selected
    chosen = ("no feasible trial" if exp.limits else "no complete trial") if selected is None else (
        f"selected #{selected.number}: {_values_text(selected.values)}")
    front = len(exp.pareto_front)
    return f"{declared}; {chosen}; Pareto front: {front} trial{'' if front == 1 else 's'}"


def _digits_to_tell_apart(scores: Sequence[float]) -> int:
    """The fewest significant digits (4 to 10) that show different scores differently."""
    distinct = len(set(scores))
    for digits in range(4, 11):
        if len({f"{score:.{digits}g}" for score in scores}) == distinct:
            return digits
    return 10


def format_top_trials(exp: ExperimentResult, k: int, width: int = 80) -> str:
    """The ``k`` best complete trials of ``exp``, best first, with as many digits as tell their scores apart.

    For an experiment with several objectives, the first ``k`` trials of its Pareto front by first objective,
    one column per objective, the selected trial marked.
    """
    if exp.objectives:
        return _format_front(exp, k, width)
    top: list[TrialResult] = exp.ranked()[:k]
    digits = _digits_to_tell_apart([t.score for t in top if t.score is not None])
    rows = [[str(rank), f"#{t.number}", format_score(t.score, t.score_std, digits), _duration(t.duration_s),
             format_params(t.params)] for rank, t in enumerate(top, 1)]
    headers = ["rank", "trial", "score", "time", "params"]
    natural = _column_widths(rows, headers)
    params_width = max(_MIN_PARAMS_WIDTH, width - sum(natural[:-1]) - 2 * (len(headers) - 1))
    rows = [[*r[:-1], _wrap(r[-1], params_width)] for r in rows]
    return tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)


def _format_front(exp: ExperimentResult, k: int, width: int) -> str:
    front = {t.number for t in exp.pareto_front}
    if not front:  # no table of nothing: say why the front is empty
        return ("Pareto front: empty, no complete trial meets every limit" if exp.limits
                else "Pareto front: empty, no complete trial")
    top = [t for t in exp.ranked() if t.number in front][:k]
    selected = exp.selected
    names = list(exp.objectives)
    digits = {name: _digits_to_tell_apart([(t.values or {})[name] for t in top]) for name in names}
    rows = [[str(rank), f"#{t.number}" + (" selected" if selected is not None and t.number == selected.number
                                          else ""),
             *[format_score((t.values or {})[name], None, digits[name]) for name in names],
             _duration(t.duration_s), format_params(t.params)] for rank, t in enumerate(top, 1)]
    headers = ["front", "trial", *[f"{name} ({'max' if way == 'maximize' else 'min'})"
                                   for name, way in exp.objectives.items()], "time", "params"]
    natural = _column_widths(rows, headers)
    params_width = max(_MIN_PARAMS_WIDTH, width - sum(natural[:-1]) - 2 * (len(headers) - 1))
    rows = [[*r[:-1], _wrap(r[-1], params_width)] for r in rows]
    table = tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)
    shown = f"Pareto front: {len(front)} trial{'' if len(front) == 1 else 's'}" + (
        f", the first {len(top)} by {names[0]}" if len(top) < len(front) else "")
    return f"{shown}\n{table}"
