"""Recording a scale reading: the one path the command line and the app both take.

Finds the session the reading belongs to (the latest one started before it, or within
:data:`BASELINE_AHEAD` after it: a form filled in the waiting room is that session's
baseline), attaches it to a follow-up of that session recorded the same day when one
exists and none was named, scores and checks it, and saves it with its audit row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..analysis.scale_compare import ScaleCell
from ..domain.scales import Scale, ScaleReadingInput, parse_scale_reading
from ..errors import ValidationError

if TYPE_CHECKING:
    from ..store import Store

BASELINE_AHEAD = timedelta(hours=3)


@dataclass(frozen=True)
class Recorded:
    reading_id: int
    reading: ScaleReadingInput


def session_for(store: Store, patient_id: int, when: datetime) -> int:
    """The session a reading at ``when`` belongs to."""
    limit = (when + BASELINE_AHEAD).isoformat(sep=" ")
    previous = [s for s in store.sessions(patient_id) if s["started_at"] <= limit]
    if not previous:
        raise ValidationError("session", "this patient has no session before that time")
    return int(previous[0]["record_id"])


def _same_day_follow_up(store: Store, patient_id: int, record: int, when: datetime) -> int | None:
    day = when.date().isoformat()
    hits = [
        int(f["id"])
        for f in store.follow_ups(patient_id)
        if f["session_record_id"] == record and str(f["at"]).startswith(day)
    ]
    return hits[-1] if hits else None


def record_scale(
    store: Store,
    *,
    patient_id: int,
    scale: str,
    actor_id: int,
    items: str | Sequence[object] | None = None,
    total: str | float | None = None,
    labels: Sequence[str] = (),
    at: datetime | None = None,
    session_record_id: int | None = None,
    follow_up_id: int | None = None,
    entered_by: str = "practitioner",
) -> Recorded:
    """Score, check and save one reading; bad input raises one ValidationError."""
    when = at or store.clock()
    if session_record_id is None and follow_up_id is not None:
        owner = [f for f in store.follow_ups(patient_id) if f["id"] == follow_up_id]
        session_record_id = int(owner[0]["session_record_id"]) if owner else None
    record = session_record_id or session_for(store, patient_id, when)
    if follow_up_id is None and session_record_id is None:
        follow_up_id = _same_day_follow_up(store, patient_id, record, when)
    reading = parse_scale_reading(
        {
            "scale": scale, "patient_id": patient_id, "session_record_id": record, "at": when,
            "items": items, "total": total, "labels": labels, "entered_by": entered_by,
            "follow_up_id": follow_up_id,
        },
        now=store.clock(),
    )  # fmt: skip
    return Recorded(store.add_scale_reading(reading, actor_id), reading)


def cell_text(c: ScaleCell, scale: Scale) -> tuple[str, str]:
    """The change and the share, as the table shows them. A global rating (PGIC, GROC:
    no MCID) shows what it is, the mean answer on the scale's own range (PGIC 1-7 with 1
    "very much improved" is no signed improvement), beside the share of responders."""
    from ..analysis.table import ALIKE, fixed

    m, r = c.change, c.reached
    if not c.enough or m.value is None:  # no figure from fewer than 3 patients
        return c.note, ""
    sign = "+" if scale.mcid is not None or scale.score_min < 0 else ""
    interval = (
        f" ({ALIKE})"
        if m.alike
        else ""
        if m.low is None or m.high is None
        else f" ({fixed(m.low, 1, sign)} to {fixed(m.high, 1, sign)})"
    )
    share = "-" if r.value is None else f"{fixed(100 * r.value, 0)}%" + (
        "" if r.low is None or r.high is None
        else f" ({fixed(100 * r.low, 0)}%-{fixed(100 * r.high, 0)}%)"
    )  # fmt: skip
    if scale.mcid is None:
        lo, hi = scale.score_min, scale.score_max
        return (
            f"mean answer {fixed(m.value, 1, sign)}{interval} on {lo:{sign}g} to {hi:{sign}g}",
            share,
        )
    return f"{fixed(m.value, 1, '+')}{interval}", share
