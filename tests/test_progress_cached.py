"""A patient's progress read with the outcome cache's figures equals the one worked out
from the records (issue 17: the fast path of a long history), on clinics with
amendments, voids, follow-ups amended and voided, ties and every technique; and the
cache is used only for patients whose records it has seen."""

from __future__ import annotations

import random
from datetime import datetime

import pytest
from helpers_outcomes import follow_up, patient, practitioner, session
from test_analysis_cache import _awkward_clinic, disturb, random_clinic

from sessionlog.analysis import DEFAULT_WINDOWS, parse_windows, patient_progress
from sessionlog.analysis.progress import Progress, points_answer
from sessionlog.analysis.windows import Window
from sessionlog.services.reports import progress_report
from sessionlog.store import Store
from sessionlog.store.outcomes import cache as outcome_cache
from sessionlog.store.outcomes import queries as outcomes
from sessionlog.store.outcomes.patient import _SESSIONS_SQL as cached_sessions_sql
from sessionlog.store.outcomes.patient import cached_patient_outcomes


def from_records(store: Store, patient_id: int, windows: tuple[Window, ...]) -> Progress:
    """The reference: every figure worked out from the patient's records (each episode
    named by its complaint, read at the store's time)."""
    sessions, follow_ups = outcomes.patient_outcomes(store, patient_id)
    complaints = {e["id"]: e["complaint"] for e in store.episodes(patient_id)}
    return patient_progress(
        patient_id, sessions, follow_ups, windows, complaints=complaints, now=store.clock()
    )


def patient_ids(store: Store) -> list[int]:
    return [p["id"] for p in store.patients()]


@pytest.fixture(params=[1, 2])
def clinic(request: pytest.FixtureRequest) -> Store:
    store = Store.open(":memory:", clock=lambda: datetime(2026, 6, 1))
    random_clinic(store, random.Random(request.param), patients=8)
    _awkward_clinic(store)
    return store


def test_progress_from_the_cache_equals_progress_from_the_records(clinic: Store) -> None:
    assert all(cached_patient_outcomes(clinic, p) is None for p in patient_ids(clinic))
    outcome_cache.refresh(clinic)
    techniques = set()
    for pid in patient_ids(clinic):
        assert cached_patient_outcomes(clinic, pid) is not None  # the fast path is taken
        p = progress_report(clinic, pid)
        assert p == from_records(clinic, pid, DEFAULT_WINDOWS)
        techniques |= {r.technique for r in p.rows}
    assert len(techniques) >= 4


def test_records_newer_than_the_cache_are_worked_out_from_the_records(clinic: Store) -> None:
    outcome_cache.refresh(clinic)
    disturb(clinic, random.Random(9))  # an amendment, a void and a follow-up
    changed = {
        r[0]
        for r in clinic.conn.execute(
            "SELECT patient_id FROM session WHERE id > (SELECT max(id) - 2 FROM session)"
            " UNION SELECT patient_id FROM follow_up WHERE id = (SELECT max(id) FROM follow_up)"
        )
    }
    assert changed
    for pid in patient_ids(clinic):
        assert (cached_patient_outcomes(clinic, pid) is None) == (pid in changed)
        assert progress_report(clinic, pid) == from_records(clinic, pid, DEFAULT_WINDOWS)
    outcome_cache.refresh(clinic)
    assert all(cached_patient_outcomes(clinic, p) is not None for p in patient_ids(clinic))


def test_other_windows_are_worked_out_from_the_records(clinic: Store) -> None:
    outcome_cache.refresh(clinic)
    for windows in (parse_windows("24h, 1w-2w, 6w-10w"), parse_windows("48h, 48h-1w, 1w-4w, 4w-")):
        for pid in patient_ids(clinic):
            assert progress_report(clinic, pid, windows) == from_records(clinic, pid, windows)


def test_a_new_follow_up_of_one_patient_leaves_the_others_on_the_cache() -> None:
    store = Store.open(":memory:", clock=lambda: datetime(2026, 6, 1))
    doc = practitioner(store)
    one, two = patient(store, "A1", "Ann One"), patient(store, "B2", "Ben Two")
    first = session(store, one, doc, "2026-03-01 09:00", before=7, after=3)
    session(store, two, doc, "2026-03-01 10:00", before=5, after=4)
    outcome_cache.refresh(store)
    follow_up(store, one, first, "2026-03-05 09:00", 4)
    assert cached_patient_outcomes(store, one) is None
    assert cached_patient_outcomes(store, two) is not None
    assert progress_report(store, one).rows[0].windows[2].then == 4  # type: ignore[union-attr]


def test_which_windows_the_cached_points_answer() -> None:
    assert points_answer(DEFAULT_WINDOWS)
    assert not points_answer(parse_windows("24h, 1w-2w, 6w-10w"))  # gaps: readings between
    assert not points_answer(parse_windows("48h, 48h-1w, 1w-4w, 4w-"))  # 48h-1w spans 72 h
    assert not points_answer(DEFAULT_WINDOWS[1:])  # no immediate window
    assert not points_answer(DEFAULT_WINDOWS[:-1])  # an end: later readings between
    assert points_answer(parse_windows("72h, 72h-1w, 1w-4w, 4w-"))


def test_a_patients_sessions_and_follow_ups_are_read_from_their_indexes(store: Store) -> None:
    for sql, index in (
        (cached_sessions_sql, "session_patient_time"),
        (outcomes._FOLLOW_UPS_SQL.format(match="= ?"), "follow_up_patient"),
    ):
        plan = str(store.conn.execute("EXPLAIN QUERY PLAN " + sql, (1,)).fetchall())
        assert f"COVERING INDEX {index} (patient_id=?)" in plan, plan
