"""Readings recorded with a follow-up stay with it when it is corrected: the correction
is a new follow-up row (append-only) and the readings keep pointing at the row they were
recorded with, so the readings are read through to its current version: its session
(a correction that links it to another session) and, for readings taken with it, its
corrected time. A void of the follow-up takes its readings out of every figure. Nothing
doubles, no reading row is rewritten."""

from __future__ import annotations

from datetime import datetime

from helpers_domain import NOW
from helpers_store import dry_needling, sql_rows

from sessionlog.domain.models import FollowUpInput
from sessionlog.domain.scales import parse_scale_reading
from sessionlog.services.take_home import patient_scales
from sessionlog.store import Store


def _course(store: Store) -> tuple[int, int, int]:
    """Patient 1: sessions 20 Nov (dry needling) and 21 Nov (IMS); a follow-up typed
    against the first on 20 Nov 18:00 with an NDI taken with it; an NDI before."""
    first = store.save_session(dry_needling(1)).record_id
    second = store.save_session(
        dry_needling(1, technique="ims", started_at="2026-11-21 09:00")
    ).record_id
    fid = store.add_follow_up(FollowUpInput(1, first, datetime(2026, 11, 20, 18), 3), 1)
    for at, items, follow_up in (("2026-11-20 09:00", "4,3,3,2,4,3,2,3,2,2", None),
                                 ("2026-11-20 18:00", "1,1,1,0,2,1,1,1,1,1", fid)):  # fmt: skip
        store.add_scale_reading(parse_scale_reading(
            {"scale": "NDI", "patient_id": 1, "session_record_id": first, "at": at,
             "items": items, "follow_up_id": follow_up}, now=NOW), 1)  # fmt: skip
    return first, second, fid


def test_a_corrected_follow_up_keeps_its_readings_with_its_current_version(store: Store) -> None:
    first, second, fid = _course(store)
    before = sql_rows(store, "SELECT * FROM scale_reading ORDER BY id")
    # It followed the IMS session, the next morning: the wrong session and day were typed.
    new = store.amend_follow_up(
        fid, FollowUpInput(1, second, datetime(2026, 11, 21, 18), 3), 1, "wrong session"
    )
    readings = store.scale_readings(1)
    assert [(r.at, r.session_record_id, r.follow_up_id) for r in readings] == [
        ("2026-11-20 09:00:00", first, None),
        ("2026-11-21 18:00:00", second, new),
    ]
    facts = [
        (f.at.isoformat(sep=" "), f.technique) for f in store.scale_facts() if f.patient_id == 1
    ]
    assert sorted(facts) == [
        ("2026-11-20 09:00:00", "dry_needling"),
        ("2026-11-21 18:00:00", "ims"),
    ]
    courses = patient_scales(store, 1)
    (ndi,) = [c for c in courses if c.scale.code == "NDI"]
    assert [p.at for p in ndi.points] == [datetime(2026, 11, 20, 9), datetime(2026, 11, 21, 18)]
    assert sql_rows(store, "SELECT * FROM scale_reading ORDER BY id") == before  # untouched


def test_a_reading_with_its_own_time_keeps_it_and_a_void_takes_them_along(store: Store) -> None:
    first, second, fid = _course(store)
    store.add_scale_reading(parse_scale_reading(
        {"scale": "PSFS", "patient_id": 1, "session_record_id": first, "at": "2026-11-20 19:30",
         "items": "3,4", "follow_up_id": fid}, now=NOW), 1)  # fmt: skip
    new = store.amend_follow_up(
        fid, FollowUpInput(1, first, datetime(2026, 11, 20, 17), 3), 1, "time typed wrong"
    )
    by_scale = {r.scale: (r.at, r.follow_up_id) for r in store.scale_readings(1)}
    assert by_scale == {"NDI": ("2026-11-20 17:00:00", new), "PSFS": ("2026-11-20 19:30:00", new)}
    # A void withdraws the follow-up and the readings recorded with it (review17: they
    # stayed current, on their session, and the report still called the PSFS improved);
    # their rows stay as they were, the reading before it counts on.
    before = sql_rows(store, "SELECT * FROM scale_reading ORDER BY id")
    store.amend_follow_up(new, FollowUpInput(1, first, datetime(2026, 11, 20, 17), 3), 1,
                          "wrong patient", void=True)  # fmt: skip
    by_scale = {r.scale: (r.at, r.session_record_id) for r in store.scale_readings(1)}
    assert by_scale == {"NDI": ("2026-11-20 09:00:00", first)}
    assert sql_rows(store, "SELECT * FROM scale_reading ORDER BY id") == before
