"""Correcting and voiding a session from the command line (`amend`, `void`): the same
service as the form's Ctrl+S and F8, so the same checks and the same record."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from helpers_cli import fingerprint, make_clinic, ok, refused_in_one_line, run

LOGGED = (
    "log --patient C001 --technique dry_needling --at '2025-06-10 09:00'"
    " --site 'upper trap l 3' --site 'infra r' --pain-before 7 --pain-after 4 --consent"
)


@pytest.fixture
def clinic(tmp_path: Path) -> Path:
    db = make_clinic(tmp_path / "clinic.db")
    ok(db, LOGGED)
    return db


def session(db: Path) -> dict[str, object]:
    [s] = json.loads(ok(db, "sessions --json"))
    return dict(s)


def test_amend_changes_only_the_fields_given_and_keeps_the_old_version(clinic: Path) -> None:
    before = session(clinic)
    out = ok(clinic, "amend 1 --pain-after 2 --reason 'pain after was 2, not 4'")
    assert out == "session 1 amended (version 2)\n"
    after = session(clinic)
    assert (after["pain_before"], after["pain_after"], after["version"]) == (7, 2, 2)
    assert after["sites"] == before["sites"]
    assert after["amend_reason"] == "pain after was 2, not 4"


def test_amend_with_sites_replaces_them_read_as_the_form_reads_them(clinic: Path) -> None:
    ok(clinic, "amend 1 --site 'levator r 2' --reason 'wrong muscle'")
    sites = session(clinic)["sites"]
    assert isinstance(sites, list)
    assert [(s["target"], s["side"], s["twitch_count"]) for s in sites] == [
        ("levator scapulae", "right", 2)
    ]


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("amend 1 --pain-after 11 --reason r", "error: pain_after: "),
        ("amend 1 --pain-after 2 --reason ' '", "error: reason: say why the session is being"),
        ("amend 1 --reason r", "error: amend: name what to correct"),
        ("amend 9 --pain-after 2 --reason r", "error: session: there is no current session 9"),
        ("void 9 --reason r", "error: session: there is no session 9"),
        # Larger than SQLite's largest integer: a clean line, not an OverflowError.
        ("void 99999999999999999999 --reason r", "error: session: "),
        ("amend 99999999999999999999 --notes n --reason r", "error: session: "),
        ("void first --reason r", "error: session: "),
    ],
)
def test_a_refused_correction_says_why_in_one_line_and_changes_nothing(
    clinic: Path, command: str, message: str
) -> None:
    refused_in_one_line(clinic, command, message)


def test_a_correction_that_changes_nothing_is_refused_as_the_form_refuses_it(
    clinic: Path,
) -> None:
    # The form said "Nothing changed"; the command line saved a version 2 equal to 1.
    before = fingerprint(clinic)
    result = run(clinic, "amend 1 --pain-after 4 --reason 'no change'")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: amend: nothing changed: session 1 already holds these values\n",
    )
    assert fingerprint(clinic) == before


def test_a_session_cannot_be_moved_after_its_own_follow_ups(clinic: Path) -> None:
    # Moved after them, its follow-ups came before the session they follow and dropped
    # out of every figure, while check said healthy.
    ok(clinic, "follow-up --patient C001 --pain 3 --at '2025-06-12 10:00'")
    before = fingerprint(clinic)
    result = run(clinic, "amend 1 --at '2025-06-20 09:00' --reason moved")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: started_at: 2025-06-20 09:00 is after this session's follow-up of"
        " 2025-06-12 10:00: a session comes before its follow-ups\n",
    )
    assert fingerprint(clinic) == before
    at_its_time = run(clinic, "amend 1 --at '2025-06-12 10:00' --reason moved")
    assert (at_its_time.exit_code, at_its_time.stderr) == (
        1,
        "error: started_at: 2025-06-12 10:00 is the time of this session's follow-up:"
        " a session comes before its follow-ups\n",
    )
    assert fingerprint(clinic) == before
    assert ok(clinic, "amend 1 --at '2025-06-12 09:00' --reason earlier") == (
        "session 1 amended (version 2)\n"
    )


def test_void_keeps_the_session_marked_void_and_cannot_be_repeated(clinic: Path) -> None:
    assert ok(clinic, "void 1 --reason 'wrong patient'") == "session 1 voided (version 2)\n"
    assert json.loads(ok(clinic, "sessions --json")) == []
    result = run(clinic, "void 1 --reason again")
    assert result.exit_code == 1
    assert result.stderr == "error: session: session 1 is already void\n"
    result = run(clinic, "amend 1 --pain-after 2 --reason late")
    assert result.stderr.startswith("error: session: there is no current session 1")


def test_a_pasted_reason_is_cleaned_as_every_typed_text_is(clinic: Path) -> None:
    # The reason was stored as typed: a terminal's escape sequences went into the record,
    # its export and anything that prints it.
    amended = run(
        clinic, ["amend", "1", "--pain-after", "2", "--reason", "\x1b[2Jwas 2\x1b[31m\x07"]
    )
    assert amended.exit_code == 0, amended.output
    assert session(clinic)["amend_reason"] == "was 2"
    empty = run(clinic, ["void", "1", "--reason", "\x1b[31m\x1b[0m"])  # nothing but escapes
    assert empty.stderr == "error: reason: say why the session is being voided\n"
    assert run(clinic, ["void", "1", "--reason", "wrong\x1b[0m patient"]).exit_code == 0
    with sqlite3.connect(clinic) as conn:
        reasons = conn.execute(
            "SELECT amend_reason FROM session WHERE record_id = 1 ORDER BY version"
        ).fetchall()
    assert reasons == [(None,), ("was 2",), ("wrong patient",)]
