"""From sessions and follow-ups to one value per session per window (the pure path).

A session's later readings are: the pain (and soreness) recorded at its end (time 0);
every current follow-up linked to it, after its time and before the patient's next
session in the same episode (a follow-up from then on follows that session too: the
store refuses to link one so, but a session entered late may come between); and the
pain before that next session, at its time. When several readings fall in one window
the latest counts (the one that says most about how long relief lasted); of follow-ups
taken at the same moment, the last recorded.

The store computes the same points in SQL for a whole clinic (``store.outcomes.cache``);
both number the results by *slot*, defined here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter

from .maker import maker
from .model import FollowUp, SessionOutcome
from .windows import DEFAULT_WINDOWS, SORENESS_WINDOWS, Window

# Slot numbers: pain window i is slot i; soreness window i is SORENESS_SLOT + i.
GAP_SLOT = 19  # a pain reading between windows (counted, never analysed)
SORENESS_SLOT = 20
RESOLUTION_SLOT = 30  # value: day soreness reached 0; -1 not by the last reading
# How long relief lasted (sessions with clinically important relief right after only):
# value = 2 × days + 1 when a later reading lost it, 2 × days when relief was still
# there at the last reading (censored). Days are whole (a loss rounded up, a censoring
# down) and binned (:func:`loss_days`) so that a clinic's curve is a few hundred
# counts, not one per hour. Its points carry no pain before (0): the value says it all.
LOSS_SLOT = 31
# Soreness near 24 h by dose (cache only, per-patient sums: no points): slot
# DOSE_BAND_SLOT + i for insertion band i, then one per twitch band (soreness.DOSE_BANDS).
DOSE_BAND_SLOT = 32
SESSION_SLOT = 40  # value: pain before; one per session, for counting sessions
# Adverse events (cache only): slot ADVERSE_SLOT + 1 + the tier's index in AE_TIERS,
# value: how many events of that tier the session and its follow-ups recorded.
ADVERSE_SLOT = 50

RANK_AFTER, RANK_NEXT, RANK_FOLLOW_UP = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Reading:
    """A pain (and maybe soreness) score ``seconds`` after a session started."""

    record_id: int
    at: datetime
    seconds: int
    pain: int | None
    soreness: int | None
    rank: int
    source_id: int = 0

    @property
    def hours(self) -> float:
        return self.seconds / 3600

    @property
    def order(self) -> tuple[int, int, int]:
        return (self.seconds, self.rank, self.source_id)


_reading = maker(Reading)  # every field in order, quicker than Reading(...) (see .maker)


def _seconds(later: datetime, earlier: datetime) -> int:
    if later.microsecond or earlier.microsecond:  # stored times have none: skip the copies
        later, earlier = later.replace(microsecond=0), earlier.replace(microsecond=0)
    return int((later - earlier).total_seconds())


_ORDER = attrgetter("seconds", "rank", "source_id")  # Reading.order, without the property


def readings_by_record(
    sessions: Iterable[SessionOutcome], follow_ups: Iterable[FollowUp]
) -> dict[int, list[Reading]]:
    """Every reading of every session, by record id, in time order."""
    by_record = {s.record_id: s for s in sessions}
    out: dict[int, list[Reading]] = {rid: [] for rid in by_record}
    courses: dict[tuple[int, int | None], list[SessionOutcome]] = defaultdict(list)
    next_start: dict[int, datetime] = {}  # record id -> its course's next session's time
    for s in by_record.values():
        out[s.record_id].append(
            _reading(s.record_id, s.started_at, 0, s.pain_after, s.soreness_after, RANK_AFTER, 0)
        )
        courses[(s.patient_id, s.episode_id)].append(s)
    for course in courses.values():
        course.sort(key=lambda s: (s.started_at, s.record_id))
        for prev, nxt in zip(course, course[1:], strict=False):
            gap = _seconds(nxt.started_at, prev.started_at)
            if gap > 0:
                next_start[prev.record_id] = nxt.started_at
                out[prev.record_id].append(
                    _reading(
                        prev.record_id, nxt.started_at, gap, nxt.pain_before, None, RANK_NEXT, 0
                    )
                )
    for f in follow_ups:
        owner = by_record.get(f.session_record_id)
        if owner is None:
            continue  # its session was voided, or is outside what was loaded
        gap = _seconds(f.at, owner.started_at)
        after = next_start.get(owner.record_id)
        # One at the session's own time is not a later reading (its pain after is); one
        # from the next session of its course on follows that one too (its pain before
        # is this session's last reading). The store refuses both; older data has them.
        if gap > 0 and (after is None or f.at < after):
            out[owner.record_id].append(
                _reading(owner.record_id, f.at, gap, f.pain, f.soreness, RANK_FOLLOW_UP,
                        f.follow_up_id)
            )  # fmt: skip
    for readings in out.values():
        readings.sort(key=_ORDER)
    return out


Spans = tuple[tuple[int, float, float | None], ...]
# By the windows tuple's identity (hashing six windows for each session costs more than
# the lookups it saves); each entry keeps its tuple alive, so an id is never reused.
_SPANS: dict[int, tuple[tuple[Window, ...], Spans]] = {}


def _spans(windows: tuple[Window, ...]) -> Spans:
    """``(index, after_h, until_h)`` of each window."""
    known = _SPANS.get(id(windows))
    if known is not None and known[0] is windows:
        return known[1]
    if len(_SPANS) >= 32:
        _SPANS.clear()
    spans = tuple((i, w.after_h, w.until_h) for i, w in enumerate(windows))
    _SPANS[id(windows)] = (windows, spans)
    return spans


def latest_by_window(
    readings: list[Reading], windows: tuple[Window, ...], *, soreness: bool = False
) -> dict[int, Reading]:
    """The latest reading in each window, by window index (pain, or soreness)."""
    chosen: dict[int, Reading] = {}
    spans = _spans(windows)
    for r in readings:  # in time order, so later ones replace earlier ones
        if (r.soreness if soreness else r.pain) is None:
            continue
        hours = r.seconds / 3600  # window_index(r.hours, windows), inlined: once a reading
        i = None
        if hours >= 0:
            for j, after, until in spans:
                if hours > after and (until is None or hours <= until):
                    i = j
                    break
        if i is None and not soreness:
            i = GAP_SLOT
        if i is not None:
            chosen[i] = r
    return chosen


def resolution_day(readings: list[Reading]) -> int | None:
    """The day soreness was first reported 0 (0: at the session's end; 1: within 24 h...).

    -1 when soreness was recorded but never 0; None when it was never recorded.
    """
    scored = [r for r in readings if r.soreness is not None]
    if not scored:
        return None
    for r in scored:
        if r.soreness == 0:
            return -(-r.seconds // 86400)
    return -1


def relieved(before: int, pain: int) -> bool:
    """Clinically important relief: 2 points or 30% below the session's pain before."""
    return before - pain >= 2 or (before > 0 and (before - pain) * 100 >= 30 * before)


def loss_days(days: int) -> int:
    """Days binned for the curve: exact to 2 weeks, then whole weeks to 12 weeks, then
    4-week steps to a year (a time in a bin counts at its end)."""
    if days <= 14:
        return days
    if days <= 84:
        return 7 * -(-days // 7)
    return min(364, 28 * -(-days // 28))


def loss_of_relief(session: SessionOutcome, readings: list[Reading]) -> int | None:
    """When relief after a session was lost (see :data:`LOSS_SLOT` for the value).

    Only a session whose pain right after it was clinically important relief counts.
    Relief is lost at the first later reading (a follow-up or the next session's pain
    before) that is no longer 2 points or 30% below the pain before the session; it is
    censored at the last reading when none was, and readings after the next session are
    not looked at (that session starts a new course of relief). None: the session had
    no relief right after it, or no later reading.
    """
    if session.pain_after is None or not relieved(session.pain_before, session.pain_after):
        return None
    nxt = next((r.seconds for r in readings if r.rank == RANK_NEXT), None)
    last = None
    for r in readings:  # in time order
        if r.pain is None or r.seconds <= 0 or (nxt is not None and r.seconds > nxt):
            continue
        if not relieved(session.pain_before, r.pain):
            return 2 * loss_days(-(-r.seconds // 86400)) + 1
        last = r.seconds
    return None if last is None else 2 * loss_days(last // 86400)


def session_points(
    session: SessionOutcome,
    readings: list[Reading],
    windows: tuple[Window, ...] = DEFAULT_WINDOWS,
) -> list[tuple[int, int]]:
    """The ``(slot, value)`` points of one session, as the store's cache holds them."""
    points = [(SESSION_SLOT, session.pain_before)]
    for i, r in latest_by_window(readings, windows).items():
        points.append((i, r.pain))  # type: ignore[arg-type]
    for i, r in latest_by_window(readings, SORENESS_WINDOWS, soreness=True).items():
        points.append((SORENESS_SLOT + i, r.soreness))  # type: ignore[arg-type]
    day = resolution_day(readings)
    if day is not None:
        points.append((RESOLUTION_SLOT, day))
    loss = loss_of_relief(session, readings)
    if loss is not None:
        points.append((LOSS_SLOT, loss))
    return sorted(points)
