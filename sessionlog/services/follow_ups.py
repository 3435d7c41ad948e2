"""Recording a follow-up (pain, soreness and change some time after a session): what
Ctrl+S on the follow-up screen and ``sessionlog follow-up`` both do.

:func:`record` validates the raw follow-up with the domain and saves it for the
signed-in practitioner, giving the new follow-up's id or a
:class:`~sessionlog.services.sessions.Refused` naming each field at fault.
:func:`session_before` is the one rule for the session a follow-up follows when none
is chosen. :func:`correct` and :func:`void` are the one way a saved follow-up is
corrected or withdrawn (``follow-up-amend``, ``follow-up-void`` and the app's list of
follow-ups): a new row that supersedes it, the original kept with the reason. No
Textual, no click, no SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..domain import parse_follow_up
from ..domain.text import clean_text
from ..errors import SessionlogError, ValidationError
from .sessions import Refused

if TYPE_CHECKING:
    from ..domain.models import FollowUpInput
    from ..store import Store
    from ..store.rows import FollowUpRow


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


# -- correcting and voiding ----------------------------------------------------------

# The fields a correction may change (the patient stays: a follow-up recorded for the
# wrong patient is voided and recorded again for the right one, as a session is).
CORRECTABLE = ("session_record_id", "at", "pain", "soreness", "groc", "notes")


@dataclass(frozen=True)
class Corrected:
    """A follow-up corrected or voided: the row written, the one it replaces, and what
    it holds now."""

    follow_up_id: int
    replaces: int
    follow_up: FollowUpInput
    voided: bool = False

    @property
    def message(self) -> str:
        if self.voided:
            return f"Follow-up #{self.replaces} voided"
        return f"Follow-up #{self.replaces} corrected: now #{self.follow_up_id}"


def current(store: Store, follow_up_id: int) -> FollowUpRow:
    """The follow-up row ``follow_up_id`` when it is current (a correction or a void is
    made of that one only); else a :class:`ValidationError` saying what became of it."""
    versions = store.follow_up_versions(follow_up_id)
    if not versions:
        raise ValidationError("follow_up", f"there is no follow-up {follow_up_id}")
    last = versions[-1]
    if last["id"] == follow_up_id and last["status"] == "active":
        return last
    if last["id"] == follow_up_id:  # a void row: what it voids is over
        raise ValidationError(
            "follow_up",
            f"follow-up {follow_up_id} is the void of follow-up {last['supersedes_id']}:"
            " a void is final",
        )
    if last["status"] == "void":
        raise ValidationError("follow_up", f"follow-up {follow_up_id} was voided")
    raise ValidationError(
        "follow_up",
        f"follow-up {follow_up_id} was corrected since: follow-up {last['id']} holds it now",
    )


def _as_raw(store: Store, row: FollowUpRow) -> dict[str, Any]:
    raw: dict[str, Any] = {k: row[k] for k in ("patient_id", *CORRECTABLE)}  # type: ignore[literal-required]
    raw["adverse_events"] = store.follow_up_adverse_events(row["id"])
    return raw


def unsaid(reason: str, what: str, record: str = "follow-up") -> None:
    """A correction or a void says why (``what``: corrected, voided), or is refused
    before anything is read: the one check of a follow-up's and a scale reading's."""
    if not clean_text(reason or ""):
        raise ValidationError("reason", f"say why the {record} is being {what}")


def correct(
    store: Store,
    follow_up_id: int,
    changes: Mapping[str, Any],
    actor_id: int,
    reason: str,
    *,
    now: datetime,
) -> Corrected | Refused:
    """Correct current follow-up ``follow_up_id`` with ``changes`` (any of
    :data:`CORRECTABLE`; the others keep their values), for ``actor_id``, with the
    reason kept: a new row that supersedes it, checked as a new follow-up is (one moved
    to another time or session must come after its session, with none of the course
    between); the original stays. A correction that changes nothing is refused."""
    try:
        unsaid(reason, "corrected")
        was = current(store, follow_up_id)
        raw = _as_raw(store, was)
        before = parse_follow_up(raw)
        unknown = sorted(set(changes) - set(CORRECTABLE))
        if unknown:
            raise ValidationError(unknown[0], f"cannot be corrected: only {', '.join(CORRECTABLE)}")
        follow_up = parse_follow_up({**raw, **changes}, now=now)
        if follow_up == before:
            raise ValidationError(
                "amend", f"nothing changed: follow-up {follow_up_id} already holds these values"
            )
        fid = store.amend_follow_up(follow_up_id, follow_up, actor_id, reason)
    except SessionlogError as exc:
        return Refused(exc)
    return Corrected(fid, follow_up_id, follow_up)


def void(store: Store, follow_up_id: int, actor_id: int, reason: str) -> Corrected | Refused:
    """Void current follow-up ``follow_up_id``, recorded in error (the wrong patient,
    twice): a row marking it void, with the reason; it counts nowhere after, and stays
    in the record."""
    try:
        unsaid(reason, "voided")
        was = current(store, follow_up_id)
        follow_up = parse_follow_up(_as_raw(store, was))
        fid = store.amend_follow_up(follow_up_id, follow_up, actor_id, reason, void=True)
    except SessionlogError as exc:
        return Refused(exc)
    return Corrected(fid, follow_up_id, follow_up, voided=True)
