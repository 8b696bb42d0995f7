"""An experiment's journal: opened fresh, or reopened to resume the search it recorded, if it can be trusted."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from tunekit.errors import ExperimentFailed, JournalBusy, JournalDamaged, JournalUnavailable, describe_os_error
from tunekit.journal import (
    Journal,
    JournalContents,
    JournalLock,
    read_journal,
)
from tunekit.space import Categorical, Dimension, Integer, Space
from tunekit.trial import TrialResult, TrialState

__all__ = ["journal_failure", "open_journal"]


def _changed(recorded: Any, current: dict[str, Any]) -> list[str]:
    """The fingerprint fields that differ (fields only the journal has count too: start points removed)."""
    if not isinstance(recorded, dict):
        return list(current)
    dropped = [k for k in recorded if k not in current]
    return [k for k in [*current, *dropped] if recorded.get(k) != current.get(k)]


def _shown(path: Path, root: Path) -> Path:
    return path.relative_to(root) if path.is_relative_to(root) else path


def journal_failure(experiment_id: str, error: JournalUnavailable, root: Path) -> str:
    """The one line reporting that an experiment's journal cannot be read or written (the file, the OS error)."""
    return (f"{experiment_id}: cannot {error.action} its journal {_shown(error.path, root)}: "
            f"{describe_os_error(error.error)}")


def _illegal(value: Any, dimension: Dimension) -> str | None:
    """Why ``value`` is not a value of ``dimension``, or ``None`` when it is."""
    if dimension.contains(value):
        return None
    if isinstance(dimension, Categorical):
        return f"{value!r} is not one of {dimension!r}"
    if isinstance(dimension, Integer) and not (isinstance(value, int) and not isinstance(value, bool)):
        return f"{value!r} is not an integer in {dimension!r}"
    return f"{value!r} is outside {dimension!r}"


def _check_trial(trial: TrialResult, space: Space) -> str | None:
    """What makes a journaled trial impossible in ``space``, or ``None``."""
    missing = [name for name in space.active_names(trial.params) if name not in trial.params]
    if missing:
        return f"params: {missing[0]!r} is missing"
    for name, value in trial.params.items():
        if name not in space:
            return f"params: {name!r} is not a parameter of the space"
        if not space.is_active(name, trial.params):
            return f"params: {name!r} is inactive here ({space[name].condition_text})"
        problem = _illegal(value, space[name])
        if problem is not None:
            return f"params[{name!r}]: {problem}"
    return None


def _check_trials(path: Path, contents: JournalContents, space: Space) -> None:
    """Raise :class:`JournalDamaged` for a trial the search could not have journaled.

    Every trial must be possible in ``space``. A trial still ``RUNNING`` is allowed only at the journal's
    end (in flight when the run stopped): one followed by a finished trial means the file was edited.
    """
    pairs = list(zip(contents.trials, contents.lines, strict=True))
    last_finished = max((line for trial, line in pairs if trial.state is not TrialState.RUNNING), default=0)
    for trial, line in pairs:
        problem = _check_trial(trial, space)
        if problem is None and trial.state is TrialState.RUNNING and line < last_finished:
            problem = (f"trial {trial.number} never finished, yet a trial journaled after it did "
                       f"(line {last_finished})")
        if problem is not None:
            raise JournalDamaged(path, line, problem)


def _refusal(experiment_id: str, damage: JournalDamaged, root: Path) -> ExperimentFailed:
    return ExperimentFailed(f"{experiment_id}: cannot resume (run without --resume to start afresh): "
                            f"{_shown(damage.path, root)}:{damage.line}: {damage.problem}")


def open_journal(path: Path, *, experiment_id: str, fingerprint: dict[str, Any], resume: bool, budget: int,
                 root: Path, space: Space) -> tuple[Journal, list[TrialResult]]:
    """The experiment's journal, and the trials to restore from it when resuming.

    Without ``resume`` (or without a journal to resume) a new journal replaces any old one. When resuming,
    the journal is trusted only if it is intact, this experiment's (its header's ID), written for the same
    search (``fingerprint``) and holds only trials possible in ``space``; otherwise it is refused and
    nothing runs. The longest gap-free prefix of its finished trials, up to ``budget``, is restored;
    later trials, and a trial that never finished (``RUNNING``), are run again.

    The journal stays locked for this run until it is closed. A fresh search of an experiment that another
    run is searching now gets a journal of its own beside it (``<journal>.<random>.jsonl``: the returned
    journal's ``path`` says so), so both runs go on; ``--resume`` of it is refused rather than computing
    trials twice.

    Raises:
        ExperimentFailed: One line naming the journal: a journal that cannot be trusted (its file and
            line), was written for another search, cannot be read or written (the OS error), or is held
            by another run of this experiment.
    """
    try:
        lock = JournalLock.acquire(path)
    except JournalBusy:
        if resume:
            raise ExperimentFailed(
                f"{experiment_id}: another tunekit run is searching this experiment now (its journal "
                f"{_shown(path, root)} is locked): wait for it to finish, then --resume again") from None
        # A fresh search computes nothing the other run needs: it runs too, journaled on the side.
        path = path.with_name(f"{path.stem}.{secrets.token_hex(4)}{path.suffix}")
        try:
            lock = JournalLock.acquire(path)  # a new name: nobody else holds it
        except JournalUnavailable as error:
            raise ExperimentFailed(journal_failure(experiment_id, error, root)) from None
    except JournalUnavailable as error:
        raise ExperimentFailed(journal_failure(experiment_id, error, root)) from None
    try:
        return _open_locked(path, lock, experiment_id=experiment_id, fingerprint=fingerprint, resume=resume,
                            budget=budget, root=root, space=space)
    except BaseException:
        lock.release()
        raise


def _open_locked(path: Path, lock: JournalLock, *, experiment_id: str, fingerprint: dict[str, Any], resume: bool,
                 budget: int, root: Path, space: Space) -> tuple[Journal, list[TrialResult]]:
    try:
        if not (resume and path.exists()):
            return Journal.create(path, experiment_id=experiment_id, fingerprint=fingerprint, lock=lock), []
        try:
            contents = read_journal(path)
            recorded_id = contents.header.get("id")
            if recorded_id != experiment_id:  # copied or renamed from another experiment's
                raise JournalDamaged(path, 1, f"written for another experiment ({recorded_id!r})")
        except JournalDamaged as damage:
            raise _refusal(experiment_id, damage, root) from None
        recorded = contents.header.get("fingerprint")
        if recorded != fingerprint:
            raise ExperimentFailed(
                f"{experiment_id}: cannot resume: its journal ({_shown(path, root)}) was written for another "
                f"search ({', '.join(_changed(recorded, fingerprint)) or 'header'} changed); "
                "run without --resume to start afresh")
        try:
            _check_trials(path, contents, space)
        except JournalDamaged as damage:
            raise _refusal(experiment_id, damage, root) from None
        restored: list[TrialResult] = []
        for trial in contents.trials:
            if trial.number != len(restored) or len(restored) == budget or trial.state is TrialState.RUNNING:
                break
            restored.append(trial)
        return Journal.reopen(path, lock=lock), restored
    except JournalUnavailable as error:
        raise ExperimentFailed(journal_failure(experiment_id, error, root)) from None
