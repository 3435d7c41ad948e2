"""Scale readings in the database: stored with their answers and score, append-only,
corrected by amendment, audited; and the contact note."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import pytest
from helpers_store import dry_needling, sql_rows

from sessionlog.domain.models import FollowUpInput
from sessionlog.domain.scales import parse_scale_reading
from sessionlog.errors import ValidationError
from sessionlog.store import Store

NOW = datetime(2026, 11, 22, 10, 0)


def ndi(record: int, items: str, patient: int = 1, **extra: object):  # type: ignore[no-untyped-def]
    data = {"scale": "NDI", "patient_id": patient, "session_record_id": record, "items": items}
    return parse_scale_reading({**data, **extra}, now=NOW)


def test_a_reading_is_stored_scored_and_audited(store: Store) -> None:
    record = store.save_session(dry_needling()).record_id
    rid = store.add_scale_reading(ndi(record, "3,2,1,0,4,2,1,3,2,-", at="2026-11-20 09:00"), 1)
    [row] = store.scale_readings(1)
    assert (row.id, row.scale, row.score, row.at) == (rid, "NDI", 20.0, "2026-11-20 09:00:00")
    assert row.items == (3, 2, 1, 0, 4, 2, 1, 3, 2, None)
    assert (row.entered_by, row.recorded_by, row.follow_up_id) == ("practitioner", 1, None)
    audit = sql_rows(
        store, "SELECT action, entity, entity_id, detail FROM audit_log ORDER BY id DESC"
    )
    assert audit[0]["entity"] == "scale_reading" and audit[0]["entity_id"] == rid
    assert '"entered_by":"practitioner"' in audit[0]["detail"]


def test_a_patients_own_entry_at_a_follow_up(store: Store) -> None:
    record = store.save_session(dry_needling()).record_id
    fid = store.add_follow_up(FollowUpInput(1, record, datetime(2026, 11, 21, 9), 3), 1)
    store.add_scale_reading(ndi(record, "1,1,1,1,1,1,1,1,1,1", follow_up_id=fid,
                                entered_by="patient", at="2026-11-21 09:00"), 1)  # fmt: skip
    [row] = store.scale_readings(1, "NDI")
    assert (row.follow_up_id, row.entered_by, row.score) == (fid, "patient", 10.0)
    assert store.scale_readings(1, "ODI") == []


def test_rows_are_append_only_and_corrections_supersede(store: Store) -> None:
    record = store.save_session(dry_needling()).record_id
    rid = store.add_scale_reading(ndi(record, "2,2,2,2,2,2,2,2,2,2"), 1)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.conn.execute("UPDATE scale_reading SET score = 0")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.conn.execute("DELETE FROM scale_reading")
    store.conn.rollback()  # the refused statements opened a transaction of their own
    new = store.amend_scale_reading(rid, ndi(record, "1,2,2,2,2,2,2,2,2,2"), 1, "typo in item 1")
    [row] = store.scale_readings(1)
    assert (row.id, row.score, row.supersedes_id) == (new, 19.0, rid)
    assert store.scale_reading(rid).score == 20.0  # type: ignore[union-attr]
    with pytest.raises(ValidationError, match="^reading: scale reading 1 is not current"):
        store.amend_scale_reading(rid, ndi(record, "0,0,0,0,0,0,0,0,0,0"), 1, "again")
    store.amend_scale_reading(
        new, ndi(record, "0,0,0,0,0,0,0,0,0,0"), 1, "wrong patient", void=True
    )
    assert store.scale_readings(1) == []
    assert sql_rows(store, "SELECT count(*) AS n FROM scale_reading")[0]["n"] == 3


def test_another_patients_session_is_refused_and_nothing_is_saved(store: Store) -> None:
    record = store.save_session(dry_needling()).record_id
    with pytest.raises(ValidationError, match="^session: that session belongs to another patient$"):
        store.add_scale_reading(ndi(record, "2,2,2,2,2,2,2,2,2,2", patient=2), 1)
    assert sql_rows(store, "SELECT count(*) AS n FROM scale_reading")[0]["n"] == 0


def test_contact_note_is_set_cleared_and_checked(store: Store) -> None:
    store.set_contact(1, "  mobile 555 0101, afternoons ", 1)
    assert store.patient(1)["contact"] == "mobile 555 0101, afternoons"  # type: ignore[index]
    store.set_contact(1, "", 1)
    assert store.patient(1)["contact"] is None  # type: ignore[index]
    with pytest.raises(ValidationError, match="^contact: one line of at most 200"):
        store.set_contact(1, "a\nb", 1)


def test_follow_up_grocs_are_the_current_ones_with_a_rating_oldest_first(store: Store) -> None:
    """What the progress screen's GROC course reads: the same as picking them out of
    every follow-up, without reading every column of a thousand of them (issue 17)."""
    rec = store.save_session(dry_needling(1)).record_id
    later = NOW + timedelta(days=7)
    store.add_follow_up(FollowUpInput(1, rec, later, 3, groc=2), 1)
    store.add_follow_up(FollowUpInput(1, rec, NOW, 4), 1)  # no rating
    first = store.add_follow_up(FollowUpInput(1, rec, NOW, 2, groc=5), 1)
    store.amend_follow_up(first, FollowUpInput(1, rec, NOW, 2, groc=6), 1, "rating misread")
    other = store.save_session(dry_needling(2)).record_id
    store.add_follow_up(FollowUpInput(2, other, NOW, 2, groc=-3), 1)  # another patient's
    picked = [(f["at"], f["groc"]) for f in store.follow_ups(1) if f["groc"] is not None]
    assert store.follow_up_grocs(1) == picked == [(str(NOW), 6), (str(later), 2)]


def test_follow_up_grocs_are_read_from_an_index_of_the_rated_ones_alone(store: Store) -> None:
    """A chronic patient's thousand follow-ups, few or none rated: the GROC read took
    2.8 ms of each opening of their progress at 100,000 sessions, reading every
    follow-up's row for its rating; a partial index of the rated ones answers it alone
    (schema 0029)."""
    sql = "EXPLAIN QUERY PLAN SELECT at, groc FROM current_follow_up WHERE patient_id = ?"
    sql += " AND groc IS NOT NULL ORDER BY at, id"
    plan = str(store.conn.execute(sql, (1,)).fetchall())
    assert "COVERING INDEX follow_up_groc (patient_id=?)" in plan, plan
