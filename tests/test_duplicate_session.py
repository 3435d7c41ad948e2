"""The same session saved twice is refused (review17 #6: six identical `log` commands in
a minute gave six sessions at the same time, counted six times in every figure)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from helpers_cli import fingerprint, make_clinic, ok, run

LOG = (
    "log --patient C001 --technique dry_needling --site 'upper trap r 2' --site 'levator l'"
    " --pain-before 6 --pain-after 3 --consent --at '2026-11-20 10:00'"
)


@pytest.fixture
def clinic(tmp_path: Path) -> Path:
    return make_clinic(tmp_path / "clinic.db")


def _sessions(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT started_at, technique FROM current_session ORDER BY record_id"
        ).fetchall()
    finally:
        conn.close()


def test_the_same_session_again_is_refused_and_nothing_is_written(clinic: Path) -> None:
    assert ok(clinic, LOG).startswith("session 1 saved")
    before = fingerprint(clinic)
    again = run(clinic, LOG)
    assert again.exit_code == 1
    assert again.stderr.strip().splitlines()[-1] == (
        "error: started_at: C001 already has this session at 2026-11-20 10:00 (session 1:"
        " the same technique, sites, pain and notes): nothing was saved; if it is another"
        " session, give it its own time"
    )
    assert fingerprint(clinic) == before
    assert _sessions(clinic) == [("2026-11-20 10:00:00", "dry_needling")]


@pytest.mark.parametrize(
    "other",
    [
        LOG.replace("--pain-after 3", "--pain-after 2"),  # another pain after
        LOG + " --notes 'second look'",  # a note of its own
        LOG.replace("--site 'levator l'", ""),  # one site fewer
        # another technique at the same time
        LOG.replace("dry_needling", "ims").replace("upper trap r 2", "upper trap r"),
    ],
)
def test_a_session_that_differs_at_the_same_time_is_saved(clinic: Path, other: str) -> None:
    ok(clinic, LOG)
    assert ok(clinic, other).startswith("session 2 saved")
    assert len(_sessions(clinic)) == 2


def test_the_same_session_at_another_time_is_saved(clinic: Path) -> None:
    ok(clinic, LOG)
    assert ok(clinic, LOG.replace("10:00", "10:01")).startswith("session 2 saved")


def test_the_store_refuses_it_inside_the_saves_transaction(store) -> None:  # type: ignore[no-untyped-def]
    from helpers_store import dry_needling

    from sessionlog.errors import ValidationError

    first = store.save_session(dry_needling(), once=True)
    with pytest.raises(ValidationError, match=r"^started_at: C001 already has this session"):
        store.save_session(dry_needling(), once=True)
    assert [r["record_id"] for r in store.sessions()] == [first.record_id]


def test_an_adverse_event_of_its_own_makes_another_session(clinic: Path) -> None:
    """review18 #3: the refusal said "the same" of a session that differed in its adverse
    event, so recording it meant giving a false time."""
    ok(clinic, LOG)
    assert ok(clinic, LOG + " --adverse mild:bruising").startswith("session 2 saved")
    assert len(_sessions(clinic)) == 2


def test_the_same_session_starting_the_same_new_complaint_is_refused(clinic: Path) -> None:
    """review18 #2: a session that starts an episode was never compared, so the same
    command run twice gave two sessions and two 'elbow' episodes."""
    again = LOG + " --complaint elbow --region elbow"
    assert ok(clinic, again).startswith("session 1 saved")
    before = fingerprint(clinic)
    refused = run(clinic, again)
    assert refused.exit_code == 1
    assert "C001 already has this session at 2026-11-20 10:00 (session 1:" in refused.stderr
    assert fingerprint(clinic) == before
    other = LOG + " --complaint wrist --region wrist_hand"  # another complaint: saved
    assert ok(clinic, other).startswith("session 2 saved")
