"""Recording a scale reading: the one path the command line and the app both take.

Finds the session the reading belongs to (the latest one started before it, or within
:data:`BASELINE_AHEAD` after it: a form filled in the waiting room is that session's
baseline), attaches it to a follow-up of that session recorded the same day when one
exists and none was named, scores and checks it, and saves it with its audit row.
It is saved as given, with a one-line note when it looks out of place: a PSFS on other
activities than the reading before it (its change counts only the activities rated
both times), or a scale meant for another body region than the patient's episodes and
other region scales (an ODI, low back, for a patient with neck readings).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..analysis.activities import activity_key
from ..analysis.scale_compare import ScaleCell
from ..domain.scales import (
    Scale,
    ScaleReadingInput,
    check_activity_names,
    find_scale,
    format_score,
    parse_scale_reading,
)
from ..errors import ValidationError
from .follow_ups import current, unsaid

if TYPE_CHECKING:
    from ..store import Store
    from ..store.records.lazy_rows import ScaleReadingRow

BASELINE_AHEAD = timedelta(hours=3)


@dataclass(frozen=True)
class Recorded:
    reading_id: int
    reading: ScaleReadingInput
    notes: tuple[str, ...] = ()  # saved, but worth a look (one line each)


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
    if follow_up_id is not None:
        owner = current(store, follow_up_id)  # not one corrected or voided since
        if owner["patient_id"] != patient_id:
            raise ValidationError(
                "follow_up", f"there is no follow-up {follow_up_id} of this patient"
            )
        if session_record_id is None:
            session_record_id = int(owner["session_record_id"])
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
    check_activity_names(reading.labels)  # as the app's activities field does
    notes = _notes(store, reading)
    return Recorded(store.add_scale_reading(reading, actor_id), reading, notes)


# -- correcting and voiding a reading ------------------------------------------------


@dataclass(frozen=True)
class Corrected:
    """A reading corrected or voided: the row written, the one it replaces, and what it
    holds now."""

    reading_id: int
    replaces: int
    reading: ScaleReadingInput
    voided: bool = False

    @property
    def message(self) -> str:
        """What was done, in one line (``scale amend`` and ``scale void`` print it, the
        app's readings list shows it)."""
        if self.voided:
            return f"scale reading {self.replaces} voided"
        return (
            f"scale reading {self.replaces} amended: now scale reading {self.reading_id}"
            f" ({reading_words(self.reading)})"
        )


def counting(store: Store, reading_id: int) -> ScaleReadingRow:
    """Reading ``reading_id`` as it counts now (a correction or a void is made of that
    one only); else a :class:`ValidationError` saying what became of it."""
    versions = store.scale_reading_versions(reading_id)
    if not versions:
        raise ValidationError("reading", f"there is no scale reading {reading_id}")
    last = versions[-1]
    if last["id"] == reading_id and last["status"] == "void":
        raise ValidationError(
            "reading",
            f"scale reading {reading_id} is the void of scale reading {last['supersedes_id']}:"
            " a void is final",
        )
    if last["id"] != reading_id:
        if last["status"] == "void":
            raise ValidationError("reading", f"scale reading {reading_id} was voided")
        raise ValidationError(
            "reading",
            f"scale reading {reading_id} was corrected since: scale reading {last['id']}"
            " holds it now",
        )
    now = store.counting_scale_reading(reading_id)
    if now is None:  # its follow-up or its session was voided since
        fid = last["follow_up_id"]
        gone = (
            f"its follow-up {fid}"
            if fid is not None and store.follow_up_versions(int(fid))[-1]["status"] == "void"  # type: ignore[call-overload]
            else f"its session {last['session_record_id']}"
        )
        raise ValidationError(
            "reading", f"scale reading {reading_id} counts in no figure already: {gone} was voided"
        )
    return now


def _as_raw(r: ScaleReadingRow) -> dict[str, object]:
    return {
        "scale": r.scale, "patient_id": r.patient_id, "session_record_id": r.session_record_id,
        "follow_up_id": r.follow_up_id, "at": r.at, "labels": r.labels,
        "entered_by": r.entered_by,
        **({"items": list(r.items)} if r.items is not None else {"total": r.score}),
    }  # fmt: skip


def check_correction(
    store: Store,
    reading_id: int,
    *,
    items: str | Sequence[object] | None = None,
    total: str | float | None = None,
    labels: Sequence[str] | None = None,
    at: datetime | str | None = None,  # as typed (the app's form) or parsed
) -> ScaleReadingInput:
    """What counting reading ``reading_id`` would hold once corrected as
    :func:`correct_reading` says, checked as a new reading is, nothing saved (the app
    checks the answers before it asks why); bad input or no change raises one
    ValidationError."""
    was = counting(store, reading_id)
    raw = _as_raw(was)
    if items is not None or total is not None:
        raw.pop("items", None)
        raw.pop("total", None)
        raw.update(items=items, total=total, entered_by="practitioner")
    if labels is not None:
        raw.update(labels=labels, entered_by="practitioner")
    if at is not None:
        raw["at"] = at
    reading = parse_scale_reading(raw, now=store.clock())
    if labels is not None:
        check_activity_names(reading.labels)  # as recording does
    if replace(reading, entered_by=was.entered_by) == parse_scale_reading(
        _as_raw(was), now=store.clock()
    ):
        raise ValidationError(
            "amend", f"nothing changed: scale reading {reading_id} already holds these values"
        )
    return reading


def correct_reading(
    store: Store,
    reading_id: int,
    actor_id: int,
    reason: str,
    *,
    items: str | Sequence[object] | None = None,
    total: str | float | None = None,
    labels: Sequence[str] | None = None,
    at: datetime | str | None = None,
) -> Corrected:
    """Correct counting reading ``reading_id``: the answers (``items`` or ``total``),
    the activities named (``labels``) or its time, the rest kept; checked as a new
    reading is (:func:`check_correction`), and saved as a new row that supersedes it,
    with the reason (the original stays). Its session and follow-up stay (a reading
    taken elsewhere is voided and recorded again). Answers typed again are the
    practitioner's. A correction that changes nothing is refused; bad input raises one
    ValidationError."""
    unsaid(reason, "corrected", "reading")
    reading = check_correction(store, reading_id, items=items, total=total, labels=labels, at=at)
    rid = store.amend_scale_reading(reading_id, reading, actor_id, reason)
    return Corrected(rid, reading_id, reading)


def void_reading(store: Store, reading_id: int, actor_id: int, reason: str) -> Corrected:
    """Void counting reading ``reading_id``, recorded in error (the wrong patient, twice):
    a row marking it void, with the reason; it counts nowhere after, and stays in the
    record."""
    unsaid(reason, "voided", "reading")
    was = counting(store, reading_id)
    reading = parse_scale_reading(_as_raw(was), now=store.clock())
    rid = store.amend_scale_reading(reading_id, reading, actor_id, reason, void=True)
    return Corrected(rid, reading_id, reading, voided=True)


def listed_readings(store: Store, patient_id: int) -> list[tuple[ScaleReadingRow, bool]]:
    """A patient's readings to correct or void, newest first: each current one, and each
    void row (True; it holds the reading it voids, whose id is its ``supersedes_id``).
    Readings of one time keep their order when one is corrected or voided (each goes by
    the reading first recorded)."""
    rows = [(r, False) for r in store.scale_readings(patient_id)]
    rows += [(r, True) for r in store.voided_scale_readings(patient_id)]

    def first(r: ScaleReadingRow) -> int:
        return r.id if r.supersedes_id is None else int(store.scale_reading_versions(r.id)[0]["id"])  # type: ignore[call-overload]

    return sorted(rows, key=lambda x: (x[0].at, first(x[0])), reverse=True)


def reading_words(r: ScaleReadingRow | ScaleReadingInput) -> str:
    """``PSFS 5.0 of 10``: a reading's scale and score."""
    return f"{r.scale} {score_words(r)}"


def score_words(r: ScaleReadingRow | ScaleReadingInput) -> str:
    """``5.0 of 10``: a reading's score as its scale shows it (bare, for a scale the
    catalogue no longer holds: one added by $SESSIONLOG_SCALES and taken out since)."""
    try:
        return format_score(find_scale(r.scale), r.score)
    except ValidationError:
        return f"{r.score:g}"


def answers_text(r: ScaleReadingRow) -> str:
    """The answers, to read: ``sleeping 4; lifting 6`` for a scale whose activities are
    named, ``3,2,1,-`` in order, or "" when only the total was given."""
    from .activity_entry import activities_text

    if r.items is None:
        return ""
    if r.labels and len(r.labels) == len(r.items):
        return activities_text(r.labels, r.items)
    return _in_order(r.items)


def _in_order(items: Sequence[int | None]) -> str:
    return ",".join("-" if v is None else str(v) for v in items)


def answers_to_type(r: ScaleReadingRow) -> tuple[str, str]:
    """Which field of the app's scale form takes reading ``r``'s answers again, and
    what it is filled with: ``("activities", "sleeping 4; lifting 6")`` when the
    activities field reads the names back as they are (:mod:`.activity_entry`),
    ``("items", "3,2,1,-")`` for the answers in order (the names kept), or
    ``("total", "20")`` when only the total was given."""
    from .activity_entry import parse_activities

    if r.items is None:
        return "total", f"{r.score:g}"
    try:
        scale: Scale | None = find_scale(r.scale)
    except ValidationError:  # no longer in the catalogue: said when it is saved
        scale = None
    if scale is not None and scale.named_items and r.labels and None not in r.items:
        text = answers_text(r)
        try:
            if parse_activities(scale, text) == (r.labels, r.items):
                return "activities", text
        except ValidationError:
            pass  # a name with ";" or "," (scale record --activity): typed in order
    return "items", _in_order(r.items)


def taken_with(
    store: Store,
    patient_id: int,
    *,
    follow_up_id: int | None = None,
    session_record_id: int | None = None,
) -> list[ScaleReadingRow]:
    """The current readings recorded with follow-up ``follow_up_id`` (or an earlier
    version of it), or at session ``session_record_id`` or with one of its follow-ups:
    they count while it does, and go with it when it is voided."""
    return [
        r
        for r in store.scale_readings(patient_id)
        if (follow_up_id is not None and r.follow_up_id == follow_up_id)
        or (session_record_id is not None and r.session_record_id == session_record_id)
    ]


def readings_words(readings: Sequence[ScaleReadingRow]) -> str:
    """``the PSFS reading taken with it``, ``the 2 scale readings taken with it (PSFS,
    NDI)``, or "" when there is none: what a void of the follow-up takes along."""
    if not readings:
        return ""
    if len(readings) == 1:
        return f"the {readings[0].scale} reading taken with it"
    codes = ", ".join(dict.fromkeys(r.scale for r in readings))
    return f"the {len(readings)} scale readings taken with it ({codes})"


def _region_words(regions: Sequence[str]) -> str:
    return ", ".join(r.replace("_", " ") for r in regions)


def _notes(store: Store, r: ScaleReadingInput) -> tuple[str, ...]:
    """What about this reading is worth a second look (it is saved all the same)."""
    scale, notes = find_scale(r.scale), []
    earlier = [x for x in store.scale_readings(r.patient_id) if x.at <= r.at.isoformat(sep=" ")]
    if scale.named_items and r.labels:
        before = [x for x in earlier if x.scale == scale.code and x.labels]
        if before:
            last = before[-1]
            then = {activity_key(a) for a in last.labels}
            now = {activity_key(a) for a in r.labels}
            if then != now:
                same = [a for a in r.labels if activity_key(a) in then]
                notes.append(
                    f"These activities differ from the previous {scale.code} reading"
                    f" ({last.at[:10]}: {', '.join(last.labels)}): "
                    + (
                        f"its change counts only those rated both times ({', '.join(same)})."
                        if same
                        else "no activity in common, so this reading is a new starting point."
                    )
                )
    if scale.regions:
        known: dict[str, list[str]] = {}
        for e in store.episodes(r.patient_id):
            known.setdefault(str(e["body_region"]), []).append("episode")
        for x in earlier:
            for region in find_scale(x.scale).regions if x.scale != scale.code else ():
                known.setdefault(region, []).append(x.scale)
        if known and not set(known) & set(scale.regions):
            why = sorted({w for ws in known.values() for w in ws})
            notes.append(
                f"{scale.code} is meant for the {_region_words(scale.regions)}; this patient's"
                f" records are for the {_region_words(sorted(known))} ({', '.join(why)})."
            )
    return tuple(notes)


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
