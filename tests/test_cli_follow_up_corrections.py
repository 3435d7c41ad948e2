"""Correcting and voiding a follow-up from the command line (`follow-up-amend`,
`follow-up-void`): the service the app's list of follow-ups uses, the same checks as
recording one, and the original kept (a new row supersedes it)."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest
from helpers_cli import fingerprint, make_clinic, ok, refused_in_one_line, run

from sessionlog.domain import parse_follow_up, parse_practitioner
from sessionlog.errors import ValidationError
from sessionlog.services import follow_ups
from sessionlog.store import Store
from sessionlog.store.outcomes import cache as outcome_cache

FIRST = (
    "log --patient C001 --technique dry_needling --at '2025-06-10 09:00'"
    " --site 'upper trap l 3' --pain-before 7 --pain-after 4 --consent"
)
SECOND = FIRST.replace("06-10 09:00", "06-20 09:00")


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sessions 1 (10 June) and 2 (20 June) of C001, session 3 of C002 (12 June), and
    follow-up 1 of session 1 (11 June, pain 3): built once, copied for each test."""
    db = make_clinic(tmp_path_factory.mktemp("fu") / "clinic.db")
    ok(db, FIRST)
    ok(db, SECOND)
    ok(db, FIRST.replace("C001", "C002").replace("06-10", "06-12"))
    out = ok(db, "follow-up --patient C001 --pain 3 --soreness 2 --at '2025-06-11 18:00'")
    assert out == "follow-up 1 saved for session 1\n"
    return db


@pytest.fixture
def clinic(made: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "clinic.db"
    with sqlite3.connect(made) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    return copy


def rows(db: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT id, supersedes_id, status, amend_reason, session_record_id, at, pain,"
            " soreness, groc, notes FROM follow_up ORDER BY id"
        ).fetchall()


def test_amend_writes_a_new_row_with_the_flags_given_and_keeps_the_original(
    clinic: Path,
) -> None:
    out = ok(clinic, "follow-up-amend 1 --pain 5 --groc 2 --reason 'pain misheard: 5'")
    assert out == "follow-up 1 amended: now follow-up 2\n"
    assert rows(clinic) == [
        (1, None, "active", None, 1, "2025-06-11 18:00:00", 3, 2, None, ""),
        (2, 1, "active", "pain misheard: 5", 1, "2025-06-11 18:00:00", 5, 2, 2, ""),
    ]
    # The new id is the one the next correction takes; the old one is refused.
    assert ok(clinic, "follow-up-amend 2 --soreness '' --reason 'no soreness asked'") == (
        "follow-up 2 amended: now follow-up 3\n"
    )
    assert rows(clinic)[-1][7] is None
    with sqlite3.connect(clinic) as conn:
        audit = conn.execute(
            "SELECT action, entity, entity_id FROM audit_log WHERE entity = 'follow_up' ORDER BY id"
        ).fetchall()
    assert audit == [("create", "follow_up", 1), ("amend", "follow_up", 2),
                     ("amend", "follow_up", 3)]  # fmt: skip
    assert ok(clinic, "check").startswith("The database is healthy")


def test_void_marks_it_void_and_it_counts_nowhere(clinic: Path) -> None:
    assert ok(clinic, "follow-up-void 1 --reason 'entered for the wrong patient'") == (
        "follow-up 1 voided\n"
    )
    assert rows(clinic)[-1][:4] == (2, 1, "void", "entered for the wrong patient")
    store = Store.open(clinic)
    try:
        assert store.follow_ups(1) == []
    finally:
        store.close()


def test_a_correction_may_move_it_to_another_session_after_it(clinic: Path) -> None:
    out = ok(clinic, "follow-up-amend 1 --session 2 --at '2025-06-21 10:00' --reason 'wrong visit'")
    assert out == "follow-up 1 amended: now follow-up 2\n"
    assert rows(clinic)[-1][4:7] == (2, "2025-06-21 10:00:00", 3)


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("follow-up-amend 1 --reason r", "error: amend: name what to correct"),
        ("follow-up-amend 1 --pain 3 --reason r",
         "error: amend: nothing changed: follow-up 1 already holds these values"),
        ("follow-up-amend 1 --pain 11 --reason r",
         "error: pain: 11 is out of range: a whole number from 0 to 10"),
        ("follow-up-amend 1 --groc 9 --reason r", "error: groc: 9 is out of range"),
        ("follow-up-amend 1 --pain 2 --reason ' '",
         "error: reason: say why the follow-up is being corrected"),
        ("follow-up-void 1 --reason '\x1b[2J'",
         "error: reason: say why the follow-up is being voided"),
        ("follow-up-amend 9 --pain 2 --reason r", "error: follow_up: there is no follow-up 9"),
        ("follow-up-void 9 --reason r", "error: follow_up: there is no follow-up 9"),
        ("follow-up-void 99999999999999999999 --reason r",
         "error: follow_up: 99999999999999999999 is too large"),
        ("follow-up-amend 99999999999999999999 --pain 1 --reason r", "error: follow_up: "),
        ("follow-up-void first --reason r", "error: follow_up: 'first' is not a whole number"),
        # Before its session, at its very time, or with session 2 between: refused.
        ("follow-up-amend 1 --at '2025-06-09 10:00' --reason r",
         "error: at: 2025-06-09 10:00:00 is before the session it follows"),
        ("follow-up-amend 1 --at '2025-06-10 09:00' --reason r",
         "error: at: 2025-06-10 09:00:00 is the time of the session it follows"),
        ("follow-up-amend 1 --at '2025-06-22 10:00' --reason r",
         "error: session_record_id: session 2 (2025-06-20 09:00) came between session 1"),
        # Another patient's session: the follow-up stays with its patient.
        ("follow-up-amend 1 --session 3 --at '2025-06-13 10:00' --reason r",
         "error: session_record_id: that session belongs to another patient"),
        ("follow-up-amend 1 --session 99999999999999999999 --reason r",
         "error: session_record_id: 99999999999999999999 is too large"),
        ("follow-up-amend 1 --at tomorrowish --reason r", "error: at: 'tomorrowish' is not a date"),
    ],
)  # fmt: skip
def test_a_refused_correction_says_why_in_one_line_and_changes_nothing(
    clinic: Path, command: str, message: str
) -> None:
    refused_in_one_line(clinic, command, message)


def test_a_void_or_a_superseded_row_is_not_corrected_again(clinic: Path) -> None:
    ok(clinic, "follow-up-amend 1 --pain 4 --reason 'misheard'")
    ok(clinic, "follow-up-void 2 --reason 'entered twice'")
    before = fingerprint(clinic)
    for command, said in [
        ("follow-up-void 1 --reason r", "follow-up 1 was voided"),
        ("follow-up-void 3 --reason r", "follow-up 3 is the void of follow-up 2: a void is final"),
        ("follow-up-amend 3 --pain 1 --reason r", "follow-up 3 is the void of follow-up 2"),
        ("follow-up-amend 2 --pain 1 --reason r", "follow-up 2 was voided"),
    ]:
        result = run(clinic, command)
        assert result.stderr.startswith(f"error: follow_up: {said}"), result.stderr
    assert fingerprint(clinic) == before


def test_a_superseded_row_names_the_one_that_holds_it_now(clinic: Path) -> None:
    ok(clinic, "follow-up-amend 1 --pain 4 --reason 'misheard'")
    result = run(clinic, "follow-up-amend 1 --pain 6 --reason r")
    assert result.stderr == (
        "error: follow_up: follow-up 1 was corrected since: follow-up 2 holds it now\n"
    )


def test_a_follow_up_of_a_session_voided_since_can_still_be_voided(clinic: Path) -> None:
    ok(clinic, "void 1 --reason 'wrong patient'")
    assert ok(clinic, "follow-up-void 1 --reason 'its session was voided'") == (
        "follow-up 1 voided\n"
    )
    result = run(clinic, "follow-up --patient C001 --pain 2 --session 1 --at '2025-06-12'")
    assert "session 1 was voided" in result.stderr  # a new one still may not follow it


def window_72h(db: Path) -> tuple[object, object]:
    """Dry needling's figures up to 72 h after a session, as `compare` gives them (from
    the outcome cache, brought up to date first): sessions with a reading, mean pain then."""
    groups = json.loads(ok(db, "compare --json --by technique"))["comparison"]["groups"]
    [window] = [
        w
        for g in groups
        if g["key"] == "dry_needling"
        for w in g["windows"]
        if w["window"]["key"] == "72h"
    ]
    return window["sessions"], window["mean_then"]


def test_figures_count_a_correction_with_its_new_values_and_a_void_nowhere(
    clinic: Path,
) -> None:
    assert window_72h(clinic) == (1, 3)
    store = Store.open(clinic)
    try:
        assert outcome_cache.is_current(store.conn)  # the figures above came from the cache
    finally:
        store.close()
    ok(clinic, "follow-up-amend 1 --pain 6 --reason 'misheard'")
    assert window_72h(clinic) == (1, 6)  # the new value only, not 3 and 6
    ok(clinic, "follow-up-void 2 --reason 'wrong patient'")
    assert window_72h(clinic) == (0, None)


def test_export_and_import_keep_every_version(clinic: Path, tmp_path: Path) -> None:
    ok(clinic, "follow-up-amend 1 --pain 6 --reason 'misheard'")
    ok(clinic, "follow-up --patient C001 --pain 2 --at '2025-06-21 10:00'")
    ok(clinic, "follow-up-void 3 --reason 'entered twice'")
    export = tmp_path / "out.json"
    ok(clinic, f"export --format json -o {export}")
    copy = tmp_path / "copy.db"
    Store.open(copy).close()
    ok(copy, f"import {export}")
    assert rows(copy) == rows(clinic)
    assert window_72h(copy) == window_72h(clinic) == (1, 6)


def test_a_correction_is_signed_by_who_makes_it(clinic: Path) -> None:
    # As for a session (`amend`, `void`): any practitioner proved by their secret, and
    # the row and the audit say who.
    store = Store.open(clinic)
    try:  # (through the store: the command line would give him a temporary secret)
        store.add_practitioner(parse_practitioner({"name": "Ben Cho", "profession": "other"}))
    finally:
        store.close()
    result = run(clinic, "follow-up-amend 1 --pain 5 --reason misheard --practitioner Ben")
    assert result.stdout == "follow-up 1 amended: now follow-up 2\n", result.stderr
    with sqlite3.connect(clinic) as conn:
        by = conn.execute("SELECT recorded_by FROM follow_up WHERE id = 2").fetchone()
        actor = conn.execute(
            "SELECT actor_id FROM audit_log WHERE entity = 'follow_up' AND entity_id = 2"
        ).fetchone()
    assert by == actor == (2,)


def test_a_correction_of_a_row_corrected_meanwhile_is_refused_not_a_crash(
    clinic: Path,
) -> None:
    # Two workstations both read follow-up 1 as current; the second write finds it
    # superseded inside its own transaction and says so (sqlite3.IntegrityError before).
    store = Store.open(clinic)
    try:
        first = follow_ups.correct(store, 1, {"pain": 5}, 1, "misheard", now=store.clock())
        assert isinstance(first, follow_ups.Corrected)
        late = dataclasses.replace(first.follow_up, pain=6)
        with pytest.raises(ValidationError) as refused:
            store.add_follow_up(late, 1, supersedes=1, reason="read before that")
        assert str(refused.value) == (
            "follow_up: follow-up 1 was corrected or voided meanwhile: open it again to see"
            " what it holds now"
        )
    finally:
        store.close()
    assert [r[:3] for r in rows(clinic)] == [(1, None, "active"), (2, 1, "active")]


def test_follow_ups_lists_the_current_ones_by_the_id_the_corrections_take(clinic: Path) -> None:
    ok(clinic, "follow-up-amend 1 --pain 5 --notes 'called her' --reason misheard")
    ok(clinic, "follow-up --patient C001 --pain 2 --at '2025-06-21 10:00'")
    ok(clinic, "follow-up --patient C001 --pain 1 --at '2025-06-22 10:00'")
    ok(clinic, "follow-up-void 4 --reason 'entered twice'")
    assert ok(clinic, "follow-ups --patient C001") == (
        "FOLLOW-UP  WHEN              SESSION  PAIN  SORENESS  GROC  NOTES\n"
        "2          2025-06-11 18:00  1        5     2               called her\n"
        "3          2025-06-21 10:00  2        2\n"
    )
    listed = json.loads(ok(clinic, "follow-ups --patient C001 --json"))
    assert [(f["id"], f["supersedes_id"], f["amend_reason"]) for f in listed] == [
        (2, 1, "misheard"),
        (3, None, None),
    ]


def test_a_correction_carries_the_adverse_events_recorded_with_it(clinic: Path) -> None:
    store = Store.open(clinic)
    try:
        events = [{"tier": "mild", "kind": "bruising", "description": "arm"}]
        raw = {"patient_id": 1, "session_record_id": 1, "at": "2025-06-12 09:00", "pain": 2,
               "adverse_events": events}  # fmt: skip
        fid = store.add_follow_up(parse_follow_up(raw), 1)
        done = follow_ups.correct(store, fid, {"pain": 1}, 1, "misheard", now=store.clock())
        assert isinstance(done, follow_ups.Corrected)
        assert store.follow_up_adverse_events(done.follow_up_id) == events
    finally:
        store.close()
