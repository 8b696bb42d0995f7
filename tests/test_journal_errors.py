"""A journal that cannot be trusted names its file and line; one that cannot be read or written names the OS error."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tunekit.errors import JournalDamaged, JournalUnavailable
from tunekit.journal import Journal, fingerprint, journal_path, read_journal
from tunekit.trial import TrialResult, TrialState


def _trial(number: int) -> TrialResult:
    return TrialResult(number=number, params={"x": number / 10}, state=TrialState.COMPLETE, score=float(number),
                       seed=number)


def _journal(directory: Path, trials: int = 4) -> Path:
    path = journal_path(directory, "exp_j.py::tune_j")
    print_ = fingerprint(space={}, strategy="random", direction="maximize", seed=0, objective=_trial)
    with Journal.create(path, experiment_id="exp_j.py::tune_j", fingerprint=print_) as journal:
        for n in range(trials):
            journal.append(_trial(n))
    return path


def test_each_trial_is_read_with_the_line_of_its_record(tmp_path: Path) -> None:
    path = _journal(tmp_path)
    with Journal.reopen(path) as journal:
        journal.append(_trial(1))  # a trial re-run after a resume: its later record counts
    contents = read_journal(path)
    assert [t.number for t in contents.trials] == [0, 1, 2, 3] and contents.lines == [2, 6, 4, 5]


@pytest.mark.parametrize(("damage", "line", "problem"), [
    (b"\xff\xfe not text", 3, "journal line is not valid UTF-8"),
    (b"[1, 2]", 3, "journal line is not an object"),
    (b'{"type": "trial", "trial": {"number": 1}}', 3, "trial.params: missing"),
    (b'{"type": "note"}', 3, "unknown journal line type 'note'"),
    (b"[" * 100_000, 3, "journal line is not valid JSON"),
])
def test_a_damaged_middle_line_is_named_by_its_number(tmp_path: Path, damage: bytes, line: int,
                                                      problem: str) -> None:
    path = _journal(tmp_path)
    lines = path.read_bytes().split(b"\n")
    lines[line - 1] = damage
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(JournalDamaged) as info:
        read_journal(path)
    assert (info.value.path, info.value.line, info.value.problem) == (path, line, problem)
    assert str(info.value) == f"{path}:{line}: {problem}"


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=st.integers(2, 5), damage=st.binary(max_size=60).filter(lambda b: b"\n" not in b))
def test_any_damage_to_a_middle_line_is_read_or_named_never_a_crash(tmp_path: Path, line: int,
                                                                    damage: bytes) -> None:
    path = _journal(tmp_path)
    lines = path.read_bytes().split(b"\n")
    lines[line - 1] = damage
    path.write_bytes(b"\n".join(lines))
    try:
        contents = read_journal(path)
    except JournalDamaged as error:
        assert error.line == line
    else:  # only a line that still is a journal record (e.g. an ``end`` line) reads
        assert len(contents.trials) in (3, 4)


def test_a_journal_that_is_a_directory_cannot_be_read_or_written(tmp_path: Path) -> None:
    path = journal_path(tmp_path, "exp_j.py::tune_j")
    path.mkdir()
    with pytest.raises(JournalUnavailable) as info:
        read_journal(path)
    assert info.value.action == "read" and info.value.error.errno == errno.EISDIR
    assert str(info.value) == f"{path}: cannot read journal: [Errno {errno.EISDIR}] Is a directory"
    with pytest.raises(JournalUnavailable) as info:
        Journal.create(path, experiment_id="exp_j.py::tune_j", fingerprint={})
    assert info.value.action == "write" and info.value.error.errno == errno.EISDIR
    with pytest.raises(JournalUnavailable, match="cannot write journal"):
        Journal.reopen(path)
