"""The patient's own follow-up, entered at the patient view (the kiosk).

Today's pain, soreness and the scales assigned to the patient: a scale is assigned when
their clinician has recorded it for them (a baseline at a session, or any reading
since, or a global rating of change at a follow-up), and a PSFS keeps the activities
the patient named then. Each answer is a scale reading of the follow-up. Everything is
checked before anything is written, then the follow-up and its readings are saved in
one transaction: a refused answer saves nothing. The follow-up says in its notes, and
each row's audit entry says, that the patient entered it (scale readings also carry
``entered_by = 'patient'``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..domain import parse_follow_up
from ..domain.scales import Scale, catalogue, parse_scale_reading
from ..errors import ValidationError
from .follow_ups import session_before

if TYPE_CHECKING:
    from ..store import Store

PATIENT = "patient"
PATIENT_NOTE = "Entered by the patient at the patient view."
GROC = "GROC"


@dataclass(frozen=True)
class Assigned:
    """A scale the patient answers at their follow-ups (and their PSFS activities)."""

    scale: Scale
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class OwnFollowUp:
    follow_up_id: int
    reading_ids: tuple[int, ...]


def assigned_scales(store: Store, patient_id: int) -> list[Assigned]:
    """The scales recorded for this patient, in the catalogue's order."""
    rows = store.scale_readings(patient_id)
    codes = {r.scale for r in rows}
    if any(f["groc"] is not None for f in store.follow_ups(patient_id)):
        codes.add(GROC)
    out = []
    for code, scale in catalogue().items():
        if code in codes:
            named = [r.labels for r in rows if r.scale == code and r.labels]
            out.append(Assigned(scale, named[-1] if named else ()))
    return out


def _plain(value: str | None) -> str | None:
    text = (value or "").strip()
    return text or None


def _zero_to_ten(text: str | None) -> bool:
    return text is not None and text.isascii() and text.isdigit() and int(text) <= 10


def record_own_follow_up(
    store: Store,
    *,
    patient_id: int,
    actor_id: int,
    pain: str | None,
    soreness: str | None = None,
    answers: Mapping[str, str] | None = None,
) -> OwnFollowUp:
    """Check then save the patient's follow-up and readings; one ValidationError (its
    field the words the patient saw) when anything is refused, nothing saved."""
    now = store.clock()
    assigned = {a.scale.code: a for a in assigned_scales(store, patient_id)}
    given = {k: v for k, v in (answers or {}).items() if _plain(v) is not None}
    unknown = sorted(set(given) - set(assigned))
    if unknown:  # only their own scales: the form never offers another
        raise ValidationError(unknown[0], "is not one of this patient's questionnaires")
    pain_text = _plain(pain)
    if not _zero_to_ten(pain_text):
        shown = "nothing" if pain_text is None else pain_text
        raise ValidationError(
            "Pain today", f"a whole number from 0 (no pain) to 10 (worst), not {shown}"
        )
    sore = _plain(soreness)
    if sore is not None and not _zero_to_ten(sore):
        raise ValidationError(
            "Soreness", f"a whole number from 0 (not sore) to 10 (very sore), not {sore}"
        )
    # The latest session already started: a follow-up never precedes its session (one
    # entered ahead for later today is not the one the patient is telling us about).
    record = session_before(store, patient_id, now)
    if record is None:
        raise ValidationError(
            "Session", "there is no session to follow up yet; your clinician can help"
        )
    follow_up = parse_follow_up(
        {"patient_id": patient_id, "session_record_id": record, "at": now, "pain": pain_text,
         "soreness": sore, "notes": PATIENT_NOTE},
        now=now,
    )  # fmt: skip
    readings = []
    for code, text in given.items():
        a = assigned[code]
        count = len(text.split(","))
        # One number for a scale of several items is its total (unless the patient
        # named one activity only: then it is that activity's score).
        total = count == 1 and a.scale.items > 1 and len(a.labels) != 1
        if a.labels and not total and count != len(a.labels):  # each answer is an activity's
            raise ValidationError(
                a.scale.name,
                f"one answer for each of your activities: {', '.join(a.labels)} ({count} given)",
            )
        try:
            readings.append(parse_scale_reading(
                {"scale": code, "patient_id": patient_id, "session_record_id": record,
                 "at": now, "entered_by": PATIENT, **({"total": text.strip()} if total else
                 {"items": text, "labels": a.labels})},
                now=now,
            ))  # fmt: skip
        except ValidationError as exc:
            raise ValidationError(a.scale.name, exc.message) from None
    with store.write():
        fid = store.add_follow_up(follow_up, actor_id, entered_by=PATIENT)
        ids = tuple(
            store.add_scale_reading(replace(r, follow_up_id=fid), actor_id) for r in readings
        )
    return OwnFollowUp(fid, ids)
