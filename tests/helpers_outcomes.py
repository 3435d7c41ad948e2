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
