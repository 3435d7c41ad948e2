"""Recording a follow-up (pain, soreness and change some time after a session): what
Ctrl+S on the follow-up screen and ``sessionlog follow-up`` both do.

:func:`record` validates the raw follow-up with the domain and saves it for the
signed-in practitioner, giving the new follow-up's id or a
:class:`~sessionlog.services.sessions.Refused` naming each field at fault.
:func:`session_before` is the one rule for the session a follow-up follows when none
is chosen. No Textual, no click, no SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..domain import parse_follow_up
from ..errors import SessionlogError
from .sessions import Refused

if TYPE_CHECKING:
    from ..domain.models import FollowUpInput
    from ..store import Store


@dataclass(frozen=True)
class Recorded:
    """A follow-up saved: its id and what was saved."""

    follow_up_id: int
    follow_up: FollowUpInput

    @property
    def message(self) -> str:
        return f"Follow-up saved: pain {self.follow_up.pain}"


def record(
    store: Store, raw: Mapping[str, Any], actor_id: int, *, now: datetime
) -> Recorded | Refused:
    """Check ``raw`` (patient_id, session_record_id, at, pain, soreness, groc, notes)
    and save it as recorded by ``actor_id``; nothing is saved if anything is wrong."""
    try:
        follow_up = parse_follow_up(raw, now=now)
        fid = store.add_follow_up(follow_up, actor_id)
    except SessionlogError as exc:  # InvalidRecord lists each field; a full disk is one
        return Refused(exc)
    return Recorded(fid, follow_up)


def session_before(store: Store, patient_id: int, when: datetime) -> int | None:
    """The session a follow-up at ``when`` follows by default: the patient's latest
    (current) session started by then; None when there is none."""
    started = when.replace(microsecond=0, tzinfo=None).isoformat(sep=" ")
    previous = [s for s in store.sessions(patient_id) if s["started_at"] <= started]
    return int(previous[0]["record_id"]) if previous else None
