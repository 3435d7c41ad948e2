"""A session's time, new or corrected, gets the checks a follow-up's gets (review17,
defect 4): never before the patient's birth year, and never moved between another
session and its follow-up (which then counted in no figure, silently). Refused in one
line naming the field, nothing saved; the form's Ctrl+S uses the same service."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers_cli import fingerprint, make_clinic, ok, refused_in_one_line, run

FIRST = (
    "log --patient C001 --technique dry_needling --at '2025-06-10 09:00'"
    " --site 'upper trap l 3' --pain-before 7 --pain-after 4 --consent"
)
SECOND = (
    "log --patient C001 --technique dry_needling --at '2025-06-14 09:00'"
    " --site 'upper trap l 3' --pain-before 6 --pain-after 3 --consent"
)


@pytest.fixture
def clinic(tmp_path: Path) -> Path:
    """Bo Kim (born 1980): session 1 on 06-10 with follow-up 1 on 06-12, session 2 on
    06-14 with follow-up 2 on 06-16."""
    db = make_clinic(tmp_path / "clinic.db")
    ok(db, FIRST)
    ok(db, SECOND)
    ok(db, "follow-up --patient C001 --pain 3 --at '2025-06-12 10:00' --session 1")
    ok(db, "follow-up --patient C001 --pain 2 --at '2025-06-16 10:00' --session 2")
    return db


def test_a_session_is_not_moved_between_another_session_and_its_follow_up(clinic: Path) -> None:
    refused_in_one_line(
        clinic,
        "amend 2 --at '2025-06-11 09:00' --reason 'wrong day'",
        "error: started_at: 2025-06-11 09:00 would come between session 1 (2025-06-10 09:00)"
        " and its follow-up 1 (2025-06-12 10:00), which would then count in no figure:"
        " correct or void that follow-up first\n",
    )
    # At the follow-up's own time too (a session from then on is the next one).
    refused_in_one_line(
        clinic,
        "amend 2 --at '2025-06-12 10:00' --reason 'wrong day'",
        "error: started_at: 2025-06-12 10:00 would come between session 1",
    )
    assert ok(clinic, "amend 2 --at '2025-06-12 11:00' --reason 'wrong day'") == (
        "session 2 amended (version 2)\n"
    )


def test_a_session_is_not_moved_so_that_another_comes_between_it_and_its_follow_up(
    clinic: Path,
) -> None:
    refused_in_one_line(
        clinic,
        "amend 2 --at '2025-06-09 09:00' --reason 'wrong day'",
        "error: started_at: session 1 (2025-06-10 09:00) would come between this session"
        " (2025-06-09 09:00) and its follow-up 2 (2025-06-16 10:00), which would then count"
        " in no figure: correct or void that follow-up first\n",
    )


def test_the_move_refused_is_taken_once_that_follow_up_is_voided(clinic: Path) -> None:
    ok(clinic, "follow-up-void 1 --reason 'recorded against the wrong session'")
    assert ok(clinic, "amend 2 --at '2025-06-11 09:00' --reason 'wrong day'") == (
        "session 2 amended (version 2)\n"
    )
    assert run(clinic, "check").exit_code == 0
    assert "left out" not in run(clinic, "check").output


def test_a_session_before_the_patients_birth_year_is_refused(clinic: Path) -> None:
    refused_in_one_line(
        clinic,
        "amend 1 --at '1979-12-31 10:00' --reason 'wrong year'",
        "error: started_at: 1979-12-31 10:00 is before Bo Kim's birth year (1980)\n",
    )
    refused_in_one_line(
        clinic,
        FIRST.replace("2025-06-10 09:00", "1900-01-01 10:00"),
        "error: started_at: 1900-01-01 10:00 is before Bo Kim's birth year (1980)\n",
    )
    before = fingerprint(clinic)
    assert ok(clinic, FIRST.replace("2025-06-10 09:00", "1980-01-01 10:00"))  # the year itself
    assert fingerprint(clinic) != before


def test_a_when_pasted_thousands_of_characters_long_is_not_echoed_in_full(
    clinic: Path,
) -> None:
    pasted = "2025-06-13 " + "x" * 3000
    result = run(clinic, f"follow-up --patient C001 --pain 3 --at '{pasted}'")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: at: '2025-06-13 xxxxxxxxx")
    assert "(3,011 characters) is not a date: use YYYY-MM-DD or YYYY-MM-DD HH:MM" in result.stderr
    assert len(result.stderr) < 200, result.stderr
