"""A session saved between a session and its follow-ups once the practitioner was told
which follow-ups then count in no figure: saved only if those are still the ones. A
follow-up added (by another practitioner, at another desk) while the question was on
the screen is not cut off by a "yes" given to a question that did not name it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from sessionlog.domain import Episode, parse_patient, parse_practitioner, parse_session
from sessionlog.domain.models import FollowUpInput
from sessionlog.errors import ValidationError
from sessionlog.services import sessions
from sessionlog.services.sessions import Done, Draft, Refused
from sessionlog.store import Store

NOW = datetime(2026, 11, 23, 10, 30)


def _session(at: str) -> dict:
    return {
        "patient_id": 1,
        "practitioner_id": 1,
        "episode_id": 1,
        "technique": "acupuncture",
        "started_at": at,
        "consent": True,
        "pain_before": 6,
        "pain_after": 3,
        "sites": [{"target": "st36", "side": "bilateral"}],
    }


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store.open(tmp_path / "clinic.db", clock=lambda: NOW)
    store.add_practitioner(
        parse_practitioner({"name": "Dr Ada Lin", "profession": "physiotherapist"})
    )
    store.add_patient(
        parse_patient(
            {"chart_id": "1001", "name": "Maria Keller", "birth_year": 1961, "sex": "female"},
            this_year=2026,
        )
    )
    store.add_episode(Episode(1, "Neck pain", "neck", "2026-11-01"))
    store.save_session(parse_session(_session("2026-11-16 09:00"), now=NOW))
    store.add_follow_up(FollowUpInput(1, 1, datetime(2026, 11, 20, 10, 0), 3), 1)
    return store


def _counted(store: Store) -> int:
    return int(store.conn.execute("SELECT count(*) FROM session").fetchone()[0])


def test_a_follow_up_added_after_the_question_refuses_the_save(store: Store) -> None:
    draft = Draft(parse_session(_session("2026-11-18 09:00"), now=NOW), None)
    told = sessions.cut_off(store, draft)
    assert told is not None and "2026-11-20 10:00" in told
    other = Store.open(store.path, clock=lambda: NOW)  # the other desk
    other.add_follow_up(FollowUpInput(1, 1, datetime(2026, 11, 21, 8, 0), 2), 1)
    other.close()
    result = sessions.save(store, draft, 1, before_follow_ups=told)
    assert isinstance(result, Refused)
    assert str(result.error) == (
        "started_at: the follow-ups this session comes between changed after you were"
        " asked: nothing was saved; save it again to be asked about them as they are now"
    )
    assert _counted(store) == 1
    now_said = sessions.cut_off(store, draft)
    assert now_said is not None and "2026-11-21 08:00" in now_said
    assert isinstance(sessions.save(store, draft, 1, before_follow_ups=now_said), Done)
    assert _counted(store) == 2


def test_the_same_follow_ups_as_asked_about_are_saved_past(store: Store) -> None:
    draft = Draft(parse_session(_session("2026-11-18 09:00"), now=NOW), None)
    told = sessions.cut_off(store, draft)
    assert told is not None
    assert isinstance(sessions.save(store, draft, 1, before_follow_ups=told), Done)
    assert _counted(store) == 2


def test_a_follow_up_voided_after_the_question_leaves_nothing_to_cut_off(store: Store) -> None:
    draft = Draft(parse_session(_session("2026-11-18 09:00"), now=NOW), None)
    told = sessions.cut_off(store, draft)
    assert told is not None
    from sessionlog.services import follow_ups

    assert not isinstance(follow_ups.void(store, 1, 1, "entered for the wrong patient"), Refused)
    assert isinstance(sessions.save(store, draft, 1, before_follow_ups=told), Done)


def test_the_store_refuses_a_sentence_that_is_not_the_current_one(store: Store) -> None:
    s = parse_session(_session("2026-11-18 09:00"), now=NOW)
    with pytest.raises(ValidationError) as caught:
        store.save_session(s, before_follow_ups="2026-11-18 09:00 comes between nothing")
    assert caught.value.field == "started_at"
    assert _counted(store) == 1
