"""Which patients' next reading is due: follow-ups that get done.

After a patient's latest session the clinic checks in at set times (DOMAIN.md's trial
timepoints): soreness at 24-72 h, then 1 week, 4 weeks and 12 weeks. Each check is
*due* from ``due_h`` hours after the session and *overdue* after ``until_h``. A reading
(a follow-up or a scale reading) taken from ``start_h`` on does the check. A check
lapses when the next one falls due (a missed 1-week call is not chased at week 4: the
4-week one is), and the last one lapses at ``LAPSE_H``. A new session starts the
schedule again. Pure: the store gives each patient's latest session and the times of
the readings since, and the caller gives "now".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..errors import ValidationError


@dataclass(frozen=True)
class Check:
    """One planned reading after a session, in hours after it."""

    key: str
    label: str
    start_h: float  # a reading from here on does this check
    due_h: float  # due from here
    until_h: float  # overdue after here


DEFAULT_CHECKS: tuple[Check, ...] = (
    Check("72h", "soreness at 24-72 h", 12, 24, 72),
    Check("1w", "1 week", 120, 168, 192),
    Check("4w", "4 weeks", 504, 672, 696),
    Check("12w", "12 weeks", 1680, 2016, 2184),
)
LAPSE_H = 26 * 7 * 24  # half a year after the session nobody is chased any more


@dataclass(frozen=True)
class Visit:
    """What the due list needs of one patient (the store's LastVisit, by duck typing)."""

    patient_id: int
    chart_id: str
    name: str
    contact: str | None
    session_record_id: int
    started_at: str
    readings_after: tuple[str, ...]


@dataclass(frozen=True)
class DueItem:
    patient_id: int
    chart_id: str
    name: str
    contact: str | None
    session_record_id: int
    session_at: datetime
    check: str  # key of the check due
    label: str
    due_at: datetime
    overdue_at: datetime
    overdue: bool
    days_late: float  # days since the check fell due
    missed: tuple[str, ...]  # earlier checks of this session that lapsed unrecorded

    def as_dict(self) -> dict[str, object]:
        return {
            "patient_id": self.patient_id, "chart_id": self.chart_id, "name": self.name,
            "contact": self.contact, "session_record_id": self.session_record_id,
            "session_at": self.session_at.isoformat(sep=" "), "check": self.check,
            "label": self.label, "due_at": self.due_at.isoformat(sep=" "),
            "overdue_at": self.overdue_at.isoformat(sep=" "),
            "status": "overdue" if self.overdue else "due",
            "days_late": round(self.days_late, 1), "missed": list(self.missed),
        }  # fmt: skip


def _hours(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds() / 3600


def _done(check: Check, upto_h: float, readings_h: Iterable[float]) -> bool:
    return any(check.start_h <= h <= upto_h for h in readings_h)


def due_item(v: Visit, now: datetime, checks: tuple[Check, ...] = DEFAULT_CHECKS) -> DueItem | None:
    """The check this patient is due for now, or None (nothing due, or it was done)."""
    start = datetime.fromisoformat(v.started_at)
    elapsed = _hours(start, now)
    readings = [_hours(start, datetime.fromisoformat(t)) for t in v.readings_after]
    for i, check in enumerate(checks):
        lapses = checks[i + 1].due_h if i + 1 < len(checks) else LAPSE_H
        if not check.due_h <= elapsed < lapses:
            continue
        if _done(check, elapsed, readings):
            return None
        missed = tuple(
            c.label
            for j, c in enumerate(checks[:i])
            if not _done(c, checks[j + 1].start_h, readings)
        )
        due_at = start + timedelta(hours=check.due_h)
        return DueItem(
            patient_id=v.patient_id, chart_id=v.chart_id, name=v.name, contact=v.contact,
            session_record_id=v.session_record_id, session_at=start, check=check.key,
            label=check.label, due_at=due_at,
            overdue_at=start + timedelta(hours=check.until_h),
            overdue=elapsed > check.until_h, days_late=(now - due_at).total_seconds() / 86400,
            missed=missed,
        )  # fmt: skip
    return None


def due_list(
    visits: Iterable[Visit], now: datetime, checks: tuple[Check, ...] = DEFAULT_CHECKS
) -> list[DueItem]:
    """Every patient due for a reading: overdue first (longest late first), then due."""
    items = [d for v in visits if (d := due_item(v, now, checks)) is not None]
    return sorted(items, key=lambda d: (not d.overdue, -d.days_late, d.name.lower(), d.chart_id))


_UNITS = {"h": 1, "d": 24, "w": 168}


def _span(text: str) -> float:
    t = text.strip().lower()
    if len(t) < 2 or t[-1] not in _UNITS:
        raise ValueError(t)
    return float(t[:-1]) * _UNITS[t[-1]]


def parse_checks(text: str) -> tuple[Check, ...]:
    """A clinic's own checks: ``"24h-72h,1w,4w,12w"``: each a due time, or a due time
    and the time it is overdue after. A single time is overdue a day after it."""
    out: list[Check] = []
    for part in (p for p in text.split(",") if p.strip()):
        lo, _, hi = part.partition("-")
        try:
            due = _span(lo)
            until = _span(hi) if hi.strip() else due + 24
        except ValueError:
            raise ValidationError(
                "checks", f"{part.strip()!r} is not a time after the session: use e.g."
                " 24h-72h, 1w or 4w (h hours, d days, w weeks), comma-separated"
            ) from None  # fmt: skip
        if until <= due or (out and due <= out[-1].due_h):
            raise ValidationError("checks", "give the checks in order, each ending after it starts")
        out.append(Check(part.strip(), part.strip(), due * 0.75 if out else due / 2, due, until))
    if not out:
        raise ValidationError("checks", "give at least one check, e.g. 24h-72h,1w,4w,12w")
    return tuple(out)


# -- how many due readings were recorded ---------------------------------------------


@dataclass(frozen=True)
class Course:
    """One patient's current sessions and readings (follow-ups, scale readings), as
    stored text times, oldest first (the store's ``reading_courses``)."""

    patient_id: int
    sessions: tuple[str, ...]
    readings: tuple[str, ...]


@dataclass(frozen=True)
class Done:
    """Of the readings a check asked for, how many were recorded."""

    check: str
    label: str
    recorded: int
    due: int
    patients: int  # patients with at least one reading due at this check

    @property
    def share(self) -> float | None:
        return self.recorded / self.due if self.due else None


def completion(
    courses: Iterable[Course], now: datetime, checks: tuple[Check, ...] = DEFAULT_CHECKS
) -> list[Done]:
    """Per check, the readings due after each session and how many were recorded.

    A check of a session is due once its due time passed before now and before the
    patient's next session (which starts the schedule again). It counts as recorded
    when a reading falls in its window (from ``start_h`` to the next check's due time,
    or :data:`LAPSE_H`, cut at the next session), and as missed once that window has
    closed; one still open and not yet recorded is left out of both."""
    recorded = [0] * len(checks)
    due = [0] * len(checks)
    who: list[set[int]] = [set() for _ in checks]
    for c in courses:
        starts = [datetime.fromisoformat(s) for s in c.sessions]
        times = [datetime.fromisoformat(t) for t in c.readings]
        for i, start in enumerate(starts):
            elapsed = _hours(start, now)
            cut = _hours(start, starts[i + 1]) if i + 1 < len(starts) else float("inf")
            hours = [_hours(start, t) for t in times]
            for j, check in enumerate(checks):
                end = checks[j + 1].due_h if j + 1 < len(checks) else LAPSE_H
                if check.due_h > min(elapsed, cut):
                    continue  # not due yet, or a new session came first
                done = _done(check, min(end, cut, elapsed), hours)
                if done or min(end, cut) <= elapsed:
                    due[j] += 1
                    recorded[j] += done
                    who[j].add(c.patient_id)
    return [Done(ch.key, ch.label, recorded[j], due[j], len(who[j])) for j, ch in enumerate(checks)]


def completion_line(done: list[Done]) -> str:
    """The shares in one line: "soreness at 24-72 h: 3 of 4 due readings recorded
    (75%); 1 week: none due yet; ..." """
    parts = []
    for d in done:
        if d.share is None:
            parts.append(f"{d.label}: none due yet")
        else:
            parts.append(
                f"{d.label}: {d.recorded} of {d.due} due readings recorded ({d.share:.0%},"
                f" {d.patients} patient{'s' if d.patients != 1 else ''})"
            )
    return "; ".join(parts)
