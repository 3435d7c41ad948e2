"""Small builders for outcome tests: sessions and follow-ups through the real domain
parsers and the real store, with ashi sites (no catalogue needed)."""

from __future__ import annotations

from typing import Any

from sessionlog.domain import (
    parse_follow_up,
    parse_patient,
    parse_practitioner,
    parse_session,
)
from sessionlog.domain.models import Episode
from sessionlog.store import Store


def practitioner(store: Store, name: str = "Ann Lee") -> int:
    return store.add_practitioner(
        parse_practitioner({"name": name, "profession": "physiotherapist"})
    )


def patient(store: Store, chart_id: str, name: str) -> int:
    return store.add_patient(parse_patient({"chart_id": chart_id, "name": name}))


def episode(
    store: Store, patient_id: int, complaint: str = "neck pain", region: str = "neck"
) -> int:
    return store.add_episode(Episode(patient_id, complaint, region, "2026-01-01"))


def session_data(
    patient_id: int,
    practitioner_id: int,
    when: str,
    technique: str = "acupuncture",
    before: int = 6,
    after: int | None = None,
    soreness: int | None = None,
    insertions: int = 2,
    twitches: int | None = None,
    episode_id: int | None = None,
    adverse: tuple[str, ...] = (),
    side: str = "left",
) -> dict[str, Any]:
    return {
        "patient_id": patient_id,
        "practitioner_id": practitioner_id,
        "started_at": when,
        "technique": technique,
        "pain_before": before,
        "pain_after": after,
        "soreness_after": soreness,
        "consent": True,
        "episode_id": episode_id,
        "sites": [{"kind": "ashi", "target": "tender spot", "side": side,
                   "insertions": insertions, "twitch_count": twitches}],
        "adverse_events": [{"tier": tier, "kind": "bruising"} for tier in adverse],
    }  # fmt: skip


def session(store: Store, patient_id: int, practitioner_id: int, when: str, **kw: Any) -> int:
    """Save a session; returns its record id."""
    return store.save_session(
        parse_session(session_data(patient_id, practitioner_id, when, **kw))
    ).record_id


def follow_up(
    store: Store,
    patient_id: int,
    record_id: int,
    when: str,
    pain: int,
    soreness: int | None = None,
    actor: int = 1,
    adverse: tuple[str, ...] = (),
) -> int:
    """Record a follow-up; returns its row id."""
    data = {"patient_id": patient_id, "session_record_id": record_id, "at": when, "pain": pain,
            "soreness": soreness,
            "adverse_events": [{"tier": tier, "kind": "bruising"} for tier in adverse]}  # fmt: skip
    return store.add_follow_up(parse_follow_up(data), actor)


def neck_and_knee(store: Store, patient_id: int, practitioner_id: int, month: str) -> int:
    """review17 #3's patient, in ``month`` (``2026-01``): a neck pain episode (8 -> 3 by
    dry needling on the 5th, its follow-up of 6 on the 9th) and a knee episode (1 -> 0
    by acupuncture on the 7th and the 14th). Returns the neck session's record id."""
    pid, pr = patient_id, practitioner_id
    neck, knee = episode(store, pid, "neck pain", "neck"), episode(store, pid, "knee", "knee")
    r1 = session(store, pid, pr, f"{month}-05 10:00", technique="dry_needling", before=8,
                 after=3, episode_id=neck)  # fmt: skip
    session(store, pid, pr, f"{month}-07 10:00", before=1, after=0, episode_id=knee)
    follow_up(store, pid, r1, f"{month}-09 10:00", 6)
    session(store, pid, pr, f"{month}-14 10:00", before=1, after=0, episode_id=knee)
    return r1
