"""The outcome cache is derived from the records: a row of it edited by hand (a count,
a sum, a sum of squares that makes a variance negative) is found before a comparison
reads it, the cache is rebuilt from the records and one line says so; ``check`` names
it. Never a traceback, never figures that are not the records'."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path
from unittest import mock

import pytest
from click.testing import Result
from helpers_cli import ENV
from helpers_cli import run as run_as_test
from test_demo import make_demo

from sessionlog.cli.identify import SECRET_ENV
from sessionlog.store.file.health import check
from sessionlog.store.outcomes.sound import unsound_groups

REBUILT = (
    "The outcome figures kept in the database did not match its records (family"
    " acupuncture, slot 0; technique acupuncture, slot 0: changed outside sessionlog?);"
    " they are rebuilt from the records."
)
ROW = "grouping = '{}' AND key = 'acupuncture' AND slot = 0"


def run(path: Path, command: str) -> Result:
    """As Mei Lin Chen, with the demo's own secret."""
    env = {SECRET_ENV: "111111"}
    with mock.patch.dict(os.environ, env), mock.patch.dict(ENV, env):
        return run_as_test(path, command)


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The demo clinic, its cache built, and what `compare` printed from it."""
    path = tmp_path_factory.mktemp("edited-cache") / "demo.db"
    make_demo(path).close()
    result = run(path, "compare --width 100")
    assert result.exit_code == 0, result.output
    return path, result.stdout


def _edited(clinic: tuple[Path, str], tmp_path: Path, *updates: str) -> Path:
    """A copy of the clinic, ``updates`` made to acupuncture's slot 0 in outcome_group."""
    path = tmp_path / "edited.db"
    shutil.copyfile(clinic[0], path)
    for grouping in ("family", "technique"):
        for update in updates:
            _raw(path, f"UPDATE outcome_group SET {update} WHERE {ROW.format(grouping)}")
    return path


def _raw(path: Path, sql: str, *params: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute(sql, params)
    finally:
        conn.close()


@pytest.mark.parametrize(
    "update",
    [
        "q_r2 = 1000",  # more responders than sessions: a share above 1 (math domain error)
        "q_rel = 9e307, p_rel_rel = 1e308",  # huge: an int too large (OverflowError)
        "p_r2_r2 = -1e9",  # a negative sum of squares
        "patients = -3",
        "q_n = -5",
        "q_v = q_v + 1",  # a sum one off: figures that look right and are not
        "p_rel_n = p_rel_n * 3",  # an interval too wide or too narrow
        "q_pct = 1e999",  # infinite
    ],
)
def test_compare_rebuilds_an_outcome_group_row_edited_by_hand(
    clinic: tuple[Path, str], tmp_path: Path, update: str
) -> None:
    path = _edited(clinic, tmp_path, update)
    result = run(path, "compare --width 100")
    assert result.exit_code == 0, result.output
    (said,) = result.stderr.splitlines()
    # (a sum edited alike in the family and its technique: only the technique disagrees)
    assert said in (REBUILT, REBUILT.replace("family acupuncture, slot 0; ", ""))
    assert result.stdout == clinic[1]  # the records' figures, as before the edit
    again = run(path, "compare --width 100")
    assert (again.stderr, again.stdout) == ("", clinic[1])


def test_check_names_an_outcome_cache_edited_by_hand(
    clinic: tuple[Path, str], tmp_path: Path
) -> None:
    path = _edited(clinic, tmp_path, "q_r2 = 1000")
    health = check(path)
    assert health.ok  # the records are untouched: a note, not a problem
    assert health.warnings == [
        "the outcome figures kept for comparisons do not match the records (family"
        " acupuncture, slot 0; technique acupuncture, slot 0): changed outside sessionlog?"
        " The next comparison rebuilds them."
    ]
    assert check(clinic[0]).warnings == []


def test_a_cache_that_agrees_is_found_sound(clinic: tuple[Path, str]) -> None:
    conn = sqlite3.connect(clinic[0])
    try:
        assert unsound_groups(conn) == []
    finally:
        conn.close()


def test_a_null_or_text_in_the_cache_is_refused_by_sqlite(
    clinic: tuple[Path, str], tmp_path: Path
) -> None:
    # NOT NULL and STRICT: such an edit never reaches a comparison.
    path = _edited(clinic, tmp_path)
    for bad in ("NULL", "'junk'", "x'00'"):
        with pytest.raises(sqlite3.IntegrityError):
            _raw(path, f"UPDATE outcome_group SET q_n = {bad}")


def test_compare_rebuilds_the_sessions_per_day_edited_by_hand(
    clinic: tuple[Path, str], tmp_path: Path
) -> None:
    # outcome_day says which sessions are old enough for a window ("Reading there").
    path = _edited(clinic, tmp_path)
    _raw(
        path,
        "UPDATE outcome_day SET n = n + 1 WHERE technique = 'ims'"
        " AND started_on = (SELECT min(started_on) FROM outcome_day WHERE technique = 'ims')",
    )
    result = run(path, "compare --width 100")
    assert result.stderr.splitlines() == [
        "The outcome figures kept in the database did not match its records (sessions per"
        " day of ims: changed outside sessionlog?); they are rebuilt from the records."
    ]
    assert result.stdout == clinic[1]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("session_mark", "junk"),  # int(): ValueError
        ("session_mark", "99999999999999999999999"),  # too large for SQLite
        ("follow_up_mark", "-1"),
        ("latest_at", "junk"),  # fromisoformat: ValueError
        ("signature", ""),
    ],
)
def test_compare_rebuilds_when_the_cache_s_marks_were_edited_by_hand(
    clinic: tuple[Path, str], tmp_path: Path, key: str, value: str
) -> None:
    path = _edited(clinic, tmp_path)
    _raw(path, "UPDATE outcome_meta SET value = ? WHERE key = ?", value, key)
    result = run(path, "compare --width 100")
    assert (result.exit_code, result.stderr, result.stdout) == (0, "", clinic[1])
