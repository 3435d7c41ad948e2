"""The outcome cache is derived from the records: a row of it edited by hand (a count,
a sum, a sum of squares that makes a variance negative) is found before a comparison
reads it, the cache is rebuilt from the records and one line says so; ``check`` names
it. Never a traceback, never figures that are not the records'."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from unittest import mock

import pytest
from click.testing import Result
from helpers_cli import ENV
from helpers_cli import run as run_as_test
from test_demo import make_demo

from sessionlog.cli.identify import SECRET_ENV
from sessionlog.store import Store
from sessionlog.store.file.health import check
from sessionlog.store.outcomes import cache as outcome_cache
from sessionlog.store.outcomes.patient import cached_patient_outcomes
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


# -- Any write to a table of the cache (schema 0022, store/outcomes/guard.py) ------------

WRITTEN = (
    "The outcome figures kept in the database were written outside sessionlog ({});"
    " they are rebuilt from the records."
)
# A significant adverse event of IMS taken out of both dose tables alike: their sums
# stay consistent with each other, so only the note of the write gives it away.
HIDE_AN_ADVERSE_EVENT = (
    "UPDATE outcome_dose_group SET ae_significant = 0, ae_significant_sq = 0,"
    " ae_significant_n = 0 WHERE key = 'ims'",
    "UPDATE outcome_dose_patient SET ae_significant = 0 WHERE key = 'ims'",
)


def _adverse_event_hidden(clinic: tuple[Path, str], tmp_path: Path) -> Path:
    path = _edited(clinic, tmp_path)
    for sql in HIDE_AN_ADVERSE_EVENT:
        _raw(path, sql)
    return path


def _rebuilt(path: Path, command: str, written: str, stdout: str) -> None:
    """``command`` says the cache was written (``written``) and shows ``stdout``."""
    result = run(path, command)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [WRITTEN.format(written)]
    assert result.stdout == stdout


def _ims_sessions_edited(
    clinic: tuple[Path, str], tmp_path: Path, update: str, command: str
) -> tuple[Path, str]:
    """A copy of the clinic with three IMS sessions' rows edited, and what ``command``
    printed before the edit."""
    before = run(clinic[0], command)
    path = _edited(clinic, tmp_path)
    _raw(
        path,
        f"UPDATE outcome_session SET {update} WHERE record_id IN"
        " (SELECT record_id FROM outcome_session WHERE technique = 'ims' LIMIT 3)",
    )
    return path, before.stdout


def _cache_tables(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name LIKE 'outcome\\_%' ESCAPE '\\' AND name != 'outcome_edited'"
                " ORDER BY name"
            )
        ]


def test_every_write_to_every_table_of_the_cache_is_noted(clinic: tuple[Path, str]) -> None:
    tables = _cache_tables(clinic[0])
    assert set(tables) >= {
        "outcome_meta", "outcome_session", "outcome_total", "outcome_group",
        "outcome_day", "outcome_dose_patient", "outcome_dose_group",
    }  # fmt: skip
    with closing(sqlite3.connect(clinic[0], isolation_level=None)) as conn:
        assert conn.execute("SELECT count(*) FROM outcome_edited").fetchone() == (0,)
        for table in tables:
            column = conn.execute(f"SELECT name FROM pragma_table_info('{table}')").fetchone()[0]
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0, table
            for sql in (
                f"INSERT OR REPLACE INTO {table} SELECT * FROM {table} LIMIT 1",
                f"UPDATE {table} SET {column} = {column}",  # even a write that changes nothing
                f"DELETE FROM {table}",
            ):
                conn.execute("BEGIN")
                conn.execute(sql)
                noted = conn.execute("SELECT name FROM outcome_edited").fetchall()
                conn.execute("ROLLBACK")
                assert noted == [(table,)], sql


def test_compare_rebuilds_dose_rows_edited_alike_and_says_so(
    clinic: tuple[Path, str], tmp_path: Path
) -> None:
    path = _adverse_event_hidden(clinic, tmp_path)
    with closing(sqlite3.connect(path)) as conn:
        assert unsound_groups(conn) == []  # the counts agree with each other
    # (the significant adverse event is back)
    _rebuilt(path, "compare --width 100", "outcome_dose_group, outcome_dose_patient", clinic[1])
    again = run(path, "compare --width 100")
    assert (again.stderr, again.stdout) == ("", clinic[1])


# Per table, a write a hand might make that sound.py's counts do not catch (or that a
# filtered comparison or a patient's progress reads) and the command that shows it.
EDITS = {
    "outcome_meta": (
        "UPDATE outcome_meta SET value = '2000-01-01T00:00:00' WHERE key = 'latest_at'",
        "compare --width 100",
    ),
    "outcome_session": (
        "UPDATE outcome_session SET s53 = 1 WHERE technique = 'ims'",
        "compare --width 100 --technique ims",
    ),
    "outcome_total": ("UPDATE outcome_total SET n = n WHERE slot = 40", "compare --width 100"),
    "outcome_group": ("UPDATE outcome_group SET patients = patients", "compare --width 100"),
    "outcome_day": (
        "UPDATE outcome_day SET started_on = '2000-01-01' WHERE started_on ="
        " (SELECT min(started_on) FROM outcome_day)",
        "compare --width 100",
    ),
    "outcome_dose_patient": (
        "UPDATE outcome_dose_patient SET per_week = 20 WHERE per_week IS NOT NULL",
        "compare --width 100",
    ),
    "outcome_dose_group": (
        "DELETE FROM outcome_dose_group WHERE key = 'ims'",
        "compare --width 100",
    ),
    "outcome_loss_pair": ("UPDATE outcome_loss_pair SET n = n * 4", "compare --width 100"),
}


def test_the_edits_tried_cover_every_table_of_the_cache(clinic: tuple[Path, str]) -> None:
    assert sorted(EDITS) == _cache_tables(clinic[0])


@pytest.mark.parametrize("table", sorted(EDITS))
def test_compare_rebuilds_any_table_of_the_cache_written_by_hand(
    clinic: tuple[Path, str], tmp_path: Path, table: str
) -> None:
    sql, command = EDITS[table]
    before = run(clinic[0], command)
    path = _edited(clinic, tmp_path)
    _raw(path, sql)
    _rebuilt(path, command, table, before.stdout)
    assert check(path).warnings == []  # rebuilt: nothing left to note


@pytest.mark.parametrize(
    ("update", "command"),
    [
        ("technique = 'bogus'", "compare --width 100 --since 2020-01-01"),  # was a KeyError
        ("started_at = 'x'", "compare --width 100 --since 2020-01-01"),  # was a TypeError
        ("s0 = 9223372036854775807", "compare --width 100 --practitioner 1"),  # overflow
        ("s53 = 1, s52 = 1", "compare --width 100 --region neck --by technique"),
        ("pain_before = 99", "compare --width 100 --complaint neck"),
        ("family = 'acupuncture'", "compare --width 100 --until 2030-01-01"),
    ],
)
def test_a_filtered_compare_rebuilds_session_rows_edited_by_hand(
    clinic: tuple[Path, str], tmp_path: Path, update: str, command: str
) -> None:
    path, before = _ims_sessions_edited(clinic, tmp_path, update, command)
    _rebuilt(path, command, "outcome_session", before)


def test_check_notes_a_cache_written_by_hand_in_one_line(
    clinic: tuple[Path, str], tmp_path: Path
) -> None:
    path = _adverse_event_hidden(clinic, tmp_path)
    health = check(path)
    assert (health.ok, health.problems) == (True, [])  # derived, not records: a note
    assert health.warnings == [
        "the outcome figures kept for comparisons were written outside sessionlog"
        " (outcome_dose_group, outcome_dose_patient). The next comparison rebuilds them"
        " from the records."
    ]


def test_a_trigger_of_the_cache_dropped_before_an_edit_is_found_and_put_back(
    clinic: tuple[Path, str], tmp_path: Path
) -> None:
    path = _edited(clinic, tmp_path)
    _raw(path, "DROP TRIGGER outcome_dose_group_edited_update")
    _raw(path, HIDE_AN_ADVERSE_EVENT[0])  # noted by nothing now
    health = check(path)
    assert (health.ok, health.problems) == (True, [])
    assert health.warnings == [
        "the outcome figures kept for comparisons were written outside sessionlog (its"
        " trigger outcome_dose_group_edited_update dropped). The next comparison rebuilds"
        " them from the records."
    ]
    dropped = "its trigger outcome_dose_group_edited_update dropped"
    _rebuilt(path, "compare --width 100", dropped, clinic[1])
    assert check(path).warnings == []  # the trigger is back
    _raw(path, HIDE_AN_ADVERSE_EVENT[0])
    assert run(path, "compare --width 100").stderr.splitlines() == [
        WRITTEN.format("outcome_dose_group")
    ]


def test_the_table_of_notes_dropped_is_found_and_put_back(
    clinic: tuple[Path, str], tmp_path: Path
) -> None:
    path = _edited(clinic, tmp_path)
    _raw(path, "DROP TABLE outcome_edited")  # (its triggers would fail on any write)
    _rebuilt(path, "compare --width 100", "outcome_edited dropped or altered", clinic[1])
    assert check(path).warnings == []
    _raw(path, HIDE_AN_ADVERSE_EVENT[0])
    _rebuilt(path, "compare --width 100", "outcome_dose_group", clinic[1])


def test_a_save_after_a_hand_edit_leaves_the_rebuild_to_the_comparison(
    clinic: tuple[Path, str], tmp_path: Path
) -> None:
    path = _edited(clinic, tmp_path)
    _raw(path, HIDE_AN_ADVERSE_EVENT[0])
    store = Store.open(path)
    try:  # what the app runs after each save: a few patients, never a whole build
        assert outcome_cache.refresh(store, few_only=True) == 0
    finally:
        store.close()
    _rebuilt(path, "compare --width 100", "outcome_dose_group", clinic[1])


def test_a_patient_s_progress_is_not_read_from_a_cache_written_by_hand(
    clinic: tuple[Path, str], tmp_path: Path
) -> None:
    # The progress screen, `report` and the take-home report read outcome_session.
    command = "report --patient P0001 --width 100"
    before = run(clinic[0], command)
    assert before.exit_code == 0, before.output
    path = _edited(clinic, tmp_path)
    _raw(
        path,
        "UPDATE outcome_session SET s0 = 10, s1 = 10, s2 = 0, s3 = 0, s30 = 1 WHERE patient_id"
        " = (SELECT id FROM patient WHERE chart_id = 'P0001')",
    )
    store = Store.open(path)
    try:
        (patient_id,) = store.conn.execute(
            "SELECT id FROM patient WHERE chart_id = 'P0001'"
        ).fetchone()
        assert cached_patient_outcomes(store, patient_id) is None
    finally:
        store.close()
    after = run(path, command)
    assert (after.exit_code, after.stdout) == (0, before.stdout)


@pytest.mark.parametrize(
    ("update", "command"),
    [
        ("technique = 'bogus'", "compare --width 100 --since 2020-01-01"),  # a KeyError
        ("s0 = 9223372036854775807", "compare --width 100 --since 2020-01-01"),  # overflow
    ],
)
def test_a_session_row_edited_with_its_note_cleared_too_never_ends_a_compare(
    clinic: tuple[Path, str], tmp_path: Path, update: str, command: str
) -> None:
    # Someone who clears outcome_edited after the edit hides it from the check: figures
    # that cannot be computed from such rows are then computed from a rebuilt cache.
    path, before = _ims_sessions_edited(clinic, tmp_path, update, command)
    _raw(path, "DELETE FROM outcome_edited")
    result = run(path, command)
    assert (result.exit_code, result.stdout) == (0, before), result.output


# -- A hand edit whose note was emptied too: check builds the cache again (review16) ---

NOT_THE_RECORDS = (
    "The outcome figures kept for comparisons are not what the records give ({}), and"
    " nothing noted the write: changed outside sessionlog, its note in outcome_edited"
    " emptied too? Comparisons show them until they are rebuilt: `sessionlog compare"
    " --rebuild`."
)
A_SESSION = (  # between a session of the demo and its follow-up: it says so (review18)
    "log --patient P0002 --technique dry_needling --at '2026-11-21 09:00'"
    " --site 'upper trap:left:twitch=1,n=2' --pain-before 6 --pain-after 2 --consent"
    " --minutes 20 --before-follow-up"
)


def test_check_finds_a_session_row_edited_with_its_note_emptied(
    clinic: tuple[Path, str], tmp_path: Path
) -> None:
    path, _ = _ims_sessions_edited(clinic, tmp_path, "s1 = 0, s2 = 0", "compare --width 100")
    _raw(path, "DELETE FROM outcome_edited")
    health = check(path)
    assert health.problems == [NOT_THE_RECORDS.format("outcome_session: 3 rows")]
    assert (health.warnings, health.tampered) == ([], False)  # the records are untouched
    result = run(path, "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1:] == [
        f"- {NOT_THE_RECORDS.format('outcome_session: 3 rows')}"
    ]


def test_check_finds_counts_edited_alike_with_their_note_emptied(
    clinic: tuple[Path, str], tmp_path: Path
) -> None:
    path = _adverse_event_hidden(clinic, tmp_path)
    _raw(path, "DELETE FROM outcome_edited")
    assert check(path).problems == [
        NOT_THE_RECORDS.format("outcome_dose_group: 2 rows, outcome_dose_patient: 2 rows")
    ]
    result = run(path, "compare --width 100 --rebuild")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "The outcome figures kept in the database are rebuilt from the records."
    ]
    assert result.stdout == clinic[1]
    assert check(path).ok


def test_a_cache_behind_its_records_is_compared_as_its_next_refresh_leaves_it(
    clinic: tuple[Path, str], tmp_path: Path
) -> None:
    path = _edited(clinic, tmp_path)
    logged = run(path, A_SESSION)  # the command line does not refresh the cache
    assert logged.exit_code == 0, logged.output
    assert check(path).problems == []  # behind, not wrong
    # a row of another patient edited, the note emptied: the next refresh keeps it
    _raw(
        path,
        "UPDATE outcome_session SET s0 = 0 WHERE patient_id ="
        " (SELECT id FROM patient WHERE chart_id = 'P0001') AND s0 IS NOT NULL",
    )
    _raw(path, "DELETE FROM outcome_edited")
    (line,) = check(path).problems
    assert line.startswith("The outcome figures kept for comparisons are not what the")
    assert "outcome_session: " in line


def test_a_cache_refreshed_a_patient_at_a_time_is_what_the_records_give(
    clinic: tuple[Path, str], tmp_path: Path
) -> None:
    path = _edited(clinic, tmp_path)
    for minute in ("09:00", "10:00", "11:00"):
        assert run(path, A_SESSION.replace("09:00", minute)).exit_code == 0
        assert run(path, "compare --width 100").exit_code == 0  # refreshed, not rebuilt
    health = check(path)
    assert (health.ok, health.problems) == (True, [])


def test_a_cache_never_built_is_not_compared(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    make_demo(path).close()
    health = check(path)
    assert (health.ok, health.problems, health.warnings) == (True, [], [])


def test_check_finds_the_cache_s_latest_time_edited_with_its_note_emptied(
    clinic: tuple[Path, str], tmp_path: Path
) -> None:
    path = _edited(clinic, tmp_path)
    _raw(path, EDITS["outcome_meta"][0])  # the windows' completeness is counted from it
    _raw(path, "DELETE FROM outcome_edited")
    assert check(path).problems == [NOT_THE_RECORDS.format("outcome_meta: 1 row")]


def test_check_finds_a_mark_moved_past_a_new_session_with_its_note_emptied(
    clinic: tuple[Path, str], tmp_path: Path
) -> None:
    # The next refresh would never recompute a patient whose rows are below the mark.
    path = _edited(clinic, tmp_path)
    assert run(path, A_SESSION).exit_code == 0
    _raw(
        path,
        "UPDATE outcome_meta SET value = (SELECT max(id) FROM session) WHERE key = 'session_mark'",
    )
    _raw(path, "DELETE FROM outcome_edited")
    (line,) = check(path).problems
    assert line.startswith("The outcome figures kept for comparisons are not what the")
    assert "outcome_session: 1 row" in line


# A rebuild (`compare --rebuild`) in a process of its own that kills itself (SIGKILL: no
# clean-up runs) at the build's step given, its write transaction still open.
KILLED_REBUILD = """
import os, signal, sys
from sessionlog.store import Store
from sessionlog.store.outcomes import cache
path, at = sys.argv[1], int(sys.argv[2])
steps = []
def progress(n):
    steps.append(n)
    if len(steps) == at:
        os.kill(os.getpid(), signal.SIGKILL)
cache.rebuild(Store.open(path), progress)
"""


@pytest.mark.parametrize("at", [1, outcome_cache.STEPS])
def test_a_rebuild_killed_midway_leaves_the_cache_as_it_was_and_no_false_alarm(
    clinic: tuple[Path, str], tmp_path: Path, at: int
) -> None:
    path = tmp_path / "killed.db"
    shutil.copyfile(clinic[0], path)
    before = _cache_rows(path)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_REBUILD, str(path), str(at)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert killed.returncode == -9, killed.stderr
    assert check(path).warnings == []  # not "written outside sessionlog (outcome_meta)"
    assert _cache_rows(path) == before
    with closing(Store.open(path)) as store:
        assert outcome_cache.is_current(store.conn)
    assert run(path, "compare --width 100").stdout == clinic[1]


def _cache_rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with closing(sqlite3.connect(path)) as conn:
        return {
            table: sorted(conn.execute(f"SELECT * FROM {table}"), key=repr)
            for table in (*outcome_cache.CACHE_TABLES, "outcome_meta", "outcome_edited")
        }
