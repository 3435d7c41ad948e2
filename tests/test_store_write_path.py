"""The save's faster paths give what the plain ones gave: the same row values, the same
refusals, the same seals."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from helpers_store import dry_needling, ims

from sessionlog.domain.models import SessionInput, Site
from sessionlog.errors import ValidationError
from sessionlog.store import Store
from sessionlog.store.rows import (
    SESSION_COLUMNS,
    SITE_COLUMNS,
    session_values,
    site_values,
    stamp,
)


def _plain_site(site: Site) -> tuple[Any, ...]:
    """A site's values read column by column (how site_values read them before)."""
    d = {c: getattr(site, c) for c in SITE_COLUMNS}
    d["deqi_obtained"] = None if site.deqi_obtained is None else int(site.deqi_obtained)
    d["deqi_quality"] = ",".join(site.deqi_quality)
    d["thorax_risk"] = int(site.thorax_risk)
    return tuple(d[c] for c in SITE_COLUMNS)


def _plain_session(s: SessionInput) -> tuple[Any, ...]:
    d = {c: getattr(s, c) for c in SESSION_COLUMNS}
    d["started_at"] = stamp(s.started_at)
    d["consent"] = int(s.consent)
    d["co_interventions"] = json.dumps(list(s.co_interventions))
    return tuple(d[c] for c in SESSION_COLUMNS)


def test_row_values_are_those_read_column_by_column() -> None:
    sessions = [dry_needling(), ims()]
    base = sessions[0].sites[0]
    sites = [
        *(site for s in sessions for site in s.sites),
        dataclasses.replace(base, deqi_obtained=True, deqi_quality=("ache", "heaviness")),
        dataclasses.replace(base, deqi_obtained=False, thorax_risk=True),
    ]
    for site in sites:
        got = site_values(site)
        assert got == _plain_site(site)
        assert [type(v) for v in got] == [type(v) for v in _plain_site(site)]
    for s in sessions:
        assert session_values(s) == _plain_session(s)


def test_each_missing_reference_is_named_and_nothing_is_written(
    store: Store, table_counts: Any
) -> None:
    good = dry_needling()
    before = table_counts(store.conn)
    refused = [
        (
            dataclasses.replace(good, practitioner_id=7),
            None,
            "practitioner_id: there is no practitioner with id 7",
        ),
        (good, 8, "recorded_by: there is no practitioner with id 8"),
        (
            dataclasses.replace(good, episode_id=5),
            None,
            "episode_id: episode 5 is not one of this patient's",
        ),
        (
            dataclasses.replace(good, patient_id=3, practitioner_id=7),
            None,
            "patient_id: there is no patient with id 3",
        ),
    ]
    for session, actor, message in refused:
        with pytest.raises(ValidationError) as caught:
            store.save_session(session, actor_id=actor)
        assert str(caught.value) == message
    assert table_counts(store.conn) == before


def test_a_save_reads_the_clock_once(store: Store) -> None:
    # The record, its first version and its audit row carry one reading of the clock
    # (three readings could straddle a second, and each cost a few us of the save).
    from datetime import datetime, timedelta

    ticks = iter(datetime(2026, 11, 22, 10, 0) + timedelta(seconds=n) for n in range(100))
    store.clock = lambda: next(ticks)
    saved = store.save_session(dry_needling())
    created, recorded, at = store.conn.execute(
        "SELECT r.created_at, s.recorded_at, a.at FROM session_record r"
        " JOIN session s ON s.record_id = r.id"
        " JOIN audit_log a ON a.entity = 'session' AND a.entity_id = r.id"
        " WHERE r.id = ?",
        (saved.record_id,),
    ).fetchone()
    assert created == recorded == at == "2026-11-22 10:00:00"


def test_a_record_uid_is_a_random_version_4_uuid(store: Store) -> None:
    import uuid

    saved = [store.save_session(dry_needling(notes=f"n{n}")) for n in range(20)]
    uids = [
        store.conn.execute(
            "SELECT uid FROM session_record WHERE id = ?", (s.record_id,)
        ).fetchone()[0]
        for s in saved
    ]
    assert len(set(uids)) == 20
    for uid in uids:
        parsed = uuid.UUID(hex=uid)
        assert parsed.hex == uid and parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_a_save_after_a_schema_change_seals_the_rows_as_they_now_are(store: Store) -> None:
    # The statement that seals a save's rows is kept between saves; a column added
    # since (one with a value in every row: it is part of the sealed form) is in it.
    from sessionlog.store.integrity.seal import seal_of

    store.save_session(dry_needling())
    store.conn.execute("ALTER TABLE session ADD COLUMN later INTEGER NOT NULL DEFAULT 7")
    saved = store.save_session(dry_needling(notes="after the change"))
    (kept,) = store.conn.execute(
        "SELECT hash FROM record_seal WHERE tbl = 'session' AND row_id = ?", (saved.row_id,)
    ).fetchone()
    assert kept == seal_of(store.conn, "session", saved.row_id)
