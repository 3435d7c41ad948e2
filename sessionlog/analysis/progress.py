"""One patient's progress: pain over time, each session's relief, and whether it lasts.

The baseline is the pain before the patient's first session; the change compares it
with the latest *settled* reading: one taken at least :data:`SETTLED_AFTER_H` hours
after a session (a follow-up, or the pain before a later session), never a score taken
right after needling, which says how the session felt, not how the patient is.
``latest`` is still the most recent score of any kind.
A patient treated for several complaints (episodes of care) has each episode's own
baseline and change (:class:`EpisodeCourse`): the neck's pain before its first session
is never compared with the knee's latest (review17); and each episode's own verdicts
on whether relief lasted, per technique: the neck's lasting relief after dry needling
is never pooled with the knee's none into "not yet certain".
Relief "lasted" (:func:`verdict`) only when the relief right after the sessions was
clinically important (2 points or 30% of the pain before: Farrar 2001, DOMAIN.md) and the
readings more than :data:`LASTING_AFTER_H` hours after them were still that much below
the pain before; neither mean may have an interval reaching 0 (the sessions' values
differ too much to say). Each session gives one such later reading, its latest (the
session is the unit: several readings of one session are not independent). Each session gives at
most one reading per window, and one for the time between windows (the latest there): a
reading on day 10 is between the clinic's windows but still says whether relief lasted
for this patient.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from ..domain.techniques import TECHNIQUES
from .change import RESPONDER_PERCENT, RESPONDER_POINTS, Change, change
from .dose import DoseSummary, PatientDose, dose_summary
from .maker import maker
from .model import FollowUp, SessionOutcome
from .readings import (
    GAP_SLOT,
    Reading,
    _seconds,  # whole seconds, as readings_by_record tells a later reading
    latest_by_window,
    readings_by_record,
    resolution_day,
)
from .stats import CHANGE, Mean, bounded, mean_of_counts
from .windows import DEFAULT_WINDOWS, Window

LASTING_AFTER_H = 72
SETTLED_AFTER_H = 24
KIND_ORDER = {"before": 0, "after": 1, "follow_up": 2}
_BEFORE, _AFTER, _FOLLOW_UP = KIND_ORDER["before"], KIND_ORDER["after"], KIND_ORDER["follow_up"]


@dataclass(frozen=True, slots=True)
class TimelinePoint:
    at: datetime
    pain: int
    kind: str  # "before" | "after" | "follow_up"
    technique: str
    record_id: int


@dataclass(frozen=True, slots=True)
class SessionRow:
    """One session and its relief in each window (index-aligned with the windows)."""

    record_id: int
    started_at: datetime
    technique: str
    before: int
    after: int | None
    windows: tuple[Change | None, ...]
    soreness_after: int | None
    resolution_day: int | None
    insertions: int
    # The latest reading between the clinic's windows (day 10, day 41...) and its day:
    # no window column shows it, but it counts for whether relief lasted.
    between: Change | None = None
    between_day: int | None = None
    # Its episode of care (None: outside any): rows of several complaints told apart.
    episode_id: int | None = None


@dataclass(frozen=True, slots=True)
class SessionPoints:
    """A session's pain in each window, as the outcome cache holds it (index-aligned
    with the windows it was computed for; None: no reading there), and the day its
    soreness reached 0 (:func:`.readings.resolution_day`)."""

    pains: tuple[int | None, ...]
    resolution_day: int | None


# Every field in order, quicker than the classes' own __init__ (see .maker).
_point = maker(TimelinePoint)
_session_row = maker(SessionRow)
make_points = maker(SessionPoints)


def points_answer(windows: tuple[Window, ...]) -> bool:
    """Whether per-window pains (:class:`SessionPoints`) say all a session row needs
    under ``windows``: the windows follow one another from the session's end with no
    gap (so no reading is "between" them, whose day no point keeps), and none spans
    :data:`LASTING_AFTER_H` (so each window's reading is wholly before or after it)."""
    if not windows or not windows[0].immediate:
        return False
    for w, nxt in zip(windows, windows[1:], strict=False):
        if w.until_h is None or nxt.after_h != w.until_h:
            return False
    return windows[-1].until_h is None and not any(
        w.after_h < LASTING_AFTER_H and (w.until_h is None or w.until_h > LASTING_AFTER_H)
        for w in windows
    )


@dataclass(frozen=True)
class FamilyCourse:
    """How relief after one technique behaved for this patient."""

    # The technique's key: electro-acupuncture apart from acupuncture (grouped by family,
    # the report and the patient's sentences called electro-acupuncture "acupuncture").
    family: str
    sessions: int
    immediate: Mean  # relief in points at the session's end
    later: Mean  # relief in points more than LASTING_AFTER_H hours later
    # "lasting" | "partly" | "faded" | "later_only" | "unclear" | "no_after" | "small"
    # | "uncertain" | "no_relief"
    # | "unknown" (see :func:`verdict`)
    verdict: str
    before: float | None = None  # the mean pain before these sessions


@dataclass(frozen=True)
class EpisodeCourse:
    """One episode of care (one complaint): its sessions, the pain before the first of
    them, its latest settled reading (:func:`settled_reading`, of its own sessions and
    their follow-ups only) and the change between the two."""

    episode_id: int | None
    complaint: str  # as recorded ("" when unknown: a session outside any episode)
    sessions: int
    first_at: datetime
    last_at: datetime
    baseline: int
    settled: TimelinePoint | None
    change: Change | None
    # Whether relief lasted after each technique, in this episode's sessions only.
    families: tuple[FamilyCourse, ...] = ()
    dose: tuple[DoseSummary, ...] = ()
    # This episode's readings, in time order (what its line on the chart joins).
    timeline: tuple[TimelinePoint, ...] = ()


@dataclass(frozen=True)
class Progress:
    """``baseline``, ``change``, ``settled``, ``band``, ``families`` and ``dose`` are
    those of the patient's one episode of care; with several the first four are None
    and ``families`` and ``dose`` empty (a change from one complaint's pain to another's
    means nothing, nor does relief pooled over complaints): each episode's own are in
    ``episodes``."""

    patient_id: int
    windows: tuple[Window, ...]
    sessions: int
    first_at: datetime | None
    last_at: datetime | None
    baseline: int | None
    latest: TimelinePoint | None
    change: Change | None  # from the baseline to ``settled``
    # (band, timeline... below) The latest reading a day or more after a session.
    band: tuple[float, float] | None  # pain at 2 points and at 30% below the baseline
    timeline: tuple[TimelinePoint, ...]
    rows: tuple[SessionRow, ...]
    families: tuple[FamilyCourse, ...]
    dose: tuple[DoseSummary, ...]
    settled: TimelinePoint | None = None
    episodes: tuple[EpisodeCourse, ...] = ()


def settled_reading(
    sessions: list[SessionOutcome], timeline: list[TimelinePoint]
) -> TimelinePoint | None:
    """The latest reading at least :data:`SETTLED_AFTER_H` hours after a session: a
    follow-up that long after its session, or a later session's pain before it that
    long after the previous session (None when there is none yet)."""
    by_record = {s.record_id: s for s in sessions}
    starts = sorted(s.started_at for s in sessions)
    for p in reversed(timeline):  # the latest first: the first that qualifies
        if p.kind == "follow_up":
            owner = by_record[p.record_id].started_at
            ok = (p.at - owner).total_seconds() >= SETTLED_AFTER_H * 3600
        elif p.kind == "before":
            i = bisect.bisect_left(starts, p.at)  # the sessions before it: starts[:i]
            ok = i > 0 and (p.at - starts[i - 1]).total_seconds() >= SETTLED_AFTER_H * 3600
        else:
            ok = False
        if ok:
            return p
    return None


def important_relief(points: float, before: float | None) -> bool:
    """Relief of 2 points, or of 30% of the pain before (Farrar 2001; DOMAIN.md)."""
    if points >= RESPONDER_POINTS - 1e-9:
        return True
    return before is not None and before > 0 and points * 100 >= RESPONDER_PERCENT * before - 1e-9


def _above_zero(m: Mean) -> bool:
    """A mean above 0 whose interval (when the values give one) stays above 0 too."""
    return m.value is not None and m.value > 0 and (m.low is None or m.low > 0)


def verdict(immediate: Mean, later: Mean, before: float | None = None) -> str:
    """Did the relief last? ``before``: the mean pain before the sessions (for 30%).
    "Clearly" below: the mean's interval (when the values give one) stays above 0.

    * ``unknown``: no reading more than LASTING_AFTER_H hours after a session yet
      (:func:`patient_progress` makes it ``not_recorded`` when that time has passed
      since the technique's latest session: none was recorded, it is not too early);
    * ``no_after``: no pain score right after the sessions: no relief to follow;
    * ``small``: relief right after of a point or more, clearly above 0, but not
      important, and none
      clearly important later;
    * ``uncertain``: relief right after as large as a change that matters on average,
      but its interval reaches 0 (the sessions differ too much to be sure yet);
    * ``no_relief``: no relief clearly above 0 right after, nor important relief later;
      ``later_only``: none right after, but later clearly important relief (not "lasted":
      there was none to last);
    * then, after clearly important relief right after: ``lasting`` when it is still
      clearly important later; ``partly`` when a point or more is clearly left;
      ``faded`` when less than a point is; ``unclear`` when a point or more is left but
      its interval reaches 0 (the sessions differ too much to say).
    """
    if later.n == 0 or later.value is None:
        return "unknown"
    if immediate.n == 0 or immediate.value is None:
        return "no_after"
    now, kept = immediate.value, later.value
    if not (important_relief(now, before) and _above_zero(immediate)):
        if important_relief(kept, before) and _above_zero(later):
            return "later_only"
        # Clearly lower right after, by less than a change most people notice: "not
        # clearly lowered" would contradict the figures (found by review14).
        if now >= 1 and _above_zero(immediate):
            return "small"
        # An important change on average whose interval reaches 0: too uncertain to say,
        # not "not clearly lowered" beside 8->6, 6->3, 6->1 (found by review15).
        return "uncertain" if important_relief(now, before) else "no_relief"
    if kept < 1:
        return "faded"
    if not _above_zero(later):
        return "unclear"
    return "lasting" if important_relief(kept, before) else "partly"


def _timeline(
    sessions: list[SessionOutcome], follow_ups: Iterable[FollowUp]
) -> list[TimelinePoint]:
    """Every reading the figures count, in time order (then before, after, follow-up;
    then record; then as given): each point sorted under a key tuple that ends in its
    position, so no two keys tie and the sort compares no points (a key function per
    point took longer). A follow-up the figures leave out (:func:`.readings.
    readings_by_record`, by the same rule and whole seconds: at its session's time, or
    from its course's next session on; ``check`` names them) is not a reading here:
    the chart drew it as one, and the change was read from it, while every other
    figure left it out."""
    technique_of = {s.record_id: s.technique for s in sessions}
    start_of = {s.record_id: s.started_at for s in sessions}
    next_start: dict[int, datetime] = {}  # record id -> its course's next session's time
    last: dict[int | None, SessionOutcome] = {}  # each course's latest session so far
    for s in sessions:  # (in time order)
        prev = last.get(s.episode_id)
        if prev is not None and _seconds(s.started_at, prev.started_at) > 0:  # (as readings)
            next_start[prev.record_id] = s.started_at
        last[s.episode_id] = s
    keyed: list[tuple[datetime, int, int, int, TimelinePoint]] = []
    add = keyed.append
    n = 0
    for s in sessions:
        at, rid, technique = s.started_at, s.record_id, s.technique
        add((at, _BEFORE, rid, n, _point(at, s.pain_before, "before", technique, rid)))
        n += 1
        if s.pain_after is not None:
            add((at, _AFTER, rid, n, _point(at, s.pain_after, "after", technique, rid)))
            n += 1
    for f in follow_ups:
        rid = f.session_record_id
        owner = technique_of.get(rid)
        if owner is None:
            continue  # its session was voided, or is outside what was loaded
        at, nxt = f.at, next_start.get(rid)
        if _seconds(at, start_of[rid]) > 0 and (nxt is None or at < nxt):
            add((at, _FOLLOW_UP, rid, n, _point(at, f.pain, "follow_up", owner, rid)))
            n += 1
    keyed.sort()
    return [k[4] for k in keyed]


def _between(before: int, r: Reading | None) -> tuple[Change | None, int | None]:
    """The change at a reading between windows, and its day after the session."""
    if r is None or r.pain is None:
        return None, None
    return _change(before, r.pain), int(r.hours // 24)


# A Change is frozen and depends on the two scores only (0-10 each): one per pair,
# shared, instead of one per session and window.
_change = lru_cache(maxsize=256)(change)


Relief = dict[int, float]  # per session (record id): points of relief more than 72 h after


def patient_progress(
    patient_id: int,
    sessions: Iterable[SessionOutcome],
    follow_ups: Iterable[FollowUp],
    windows: tuple[Window, ...] = DEFAULT_WINDOWS,
    points: Mapping[int, SessionPoints] | None = None,
    *,
    complaints: Mapping[int, str] | None = None,
    now: datetime | None = None,
) -> Progress:
    """Everything the progress screen, the patient view and ``report`` show.

    ``points``: each session's pain per window, by record id, as the outcome cache
    computed them from the same readings under ``windows`` (which must pass
    :func:`points_answer`): the figures are the same, without working them out again.
    ``complaints``: each episode's complaint, by episode id. ``now``: when the figures
    are read (without it, a technique with no later reading is ``unknown``, never
    ``not_recorded``)."""
    sessions = sorted(sessions, key=lambda s: (s.started_at, s.record_id))
    follow_ups = list(follow_ups)
    timeline = _timeline(sessions, follow_ups)
    if points is None:
        rows, relief_later = _rows_from_readings(sessions, follow_ups, windows)
    else:
        rows, relief_later = _rows_from_points(sessions, points, windows)
    episodes = _episodes(sessions, timeline, complaints or {}, relief_later, now)
    one = episodes[0] if len(episodes) == 1 else None
    baseline = one.baseline if one else None
    latest = timeline[-1] if timeline else None
    settled = one.settled if one else None
    return Progress(
        patient_id=patient_id,
        windows=windows,
        sessions=len(sessions),
        first_at=sessions[0].started_at if sessions else None,
        last_at=sessions[-1].started_at if sessions else None,
        baseline=baseline,
        latest=latest,
        change=one.change if one else None,
        band=(baseline - RESPONDER_POINTS, baseline * (1 - RESPONDER_PERCENT / 100))
        if baseline is not None
        else None,
        timeline=tuple(timeline),
        rows=tuple(rows),
        families=one.families if one else (),
        dose=one.dose if one else (),
        settled=settled,
        episodes=tuple(episodes),
    )


def _waited(last_session: datetime, now: datetime | None) -> bool:
    """More than :data:`LASTING_AFTER_H` hours have passed since ``last_session``: the
    time for a later reading has come (unknown without ``now``)."""
    return now is not None and (now - last_session).total_seconds() > LASTING_AFTER_H * 3600


def _episodes(
    sessions: list[SessionOutcome],
    timeline: list[TimelinePoint],
    complaints: Mapping[int, str],
    relief_later: Mapping[int, float],
    now: datetime | None,
) -> list[EpisodeCourse]:
    """Each episode's course, in the order of their first sessions (``sessions`` and
    ``timeline`` in time order). A follow-up belongs to its session's episode, and
    only that episode's next session's pain before is a later reading of it."""
    by_episode: dict[int | None, list[SessionOutcome]] = {}
    for s in sessions:
        by_episode.setdefault(s.episode_id, []).append(s)
    if len(by_episode) == 1:  # the whole timeline is the episode's
        ((eid, own),) = by_episode.items()
        return [_episode(eid, own, timeline, complaints, relief_later, now)]
    episode_of = {s.record_id: s.episode_id for s in sessions}
    points: dict[int | None, list[TimelinePoint]] = {eid: [] for eid in by_episode}
    for t in timeline:
        points[episode_of[t.record_id]].append(t)
    return [
        _episode(eid, own, points[eid], complaints, relief_later, now)
        for eid, own in by_episode.items()
    ]


def _episode(
    episode_id: int | None,
    sessions: list[SessionOutcome],
    timeline: list[TimelinePoint],
    complaints: Mapping[int, str],
    relief_later: Mapping[int, float],
    now: datetime | None,
) -> EpisodeCourse:
    baseline = sessions[0].pain_before
    settled = settled_reading(sessions, timeline)
    return EpisodeCourse(
        episode_id=episode_id,
        complaint=complaints.get(episode_id, "") if episode_id is not None else "",
        sessions=len(sessions),
        first_at=sessions[0].started_at,
        last_at=sessions[-1].started_at,
        baseline=baseline,
        settled=settled,
        change=change(baseline, settled.pain) if settled else None,
        families=tuple(_families(sessions, relief_later, now)),
        dose=tuple(_doses(sessions)),
        timeline=tuple(timeline),
    )


def _families(
    sessions: list[SessionOutcome], relief_later: Mapping[int, float], now: datetime | None
) -> list[FamilyCourse]:
    """Whether relief lasted after each technique, over ``sessions`` (one episode's, in
    time order); ``relief_later``: each session's relief at its latest reading more than
    :data:`LASTING_AFTER_H` hours after it, by record id (none: no such reading)."""
    by_technique: dict[str, list[SessionOutcome]] = {}
    for s in sessions:
        by_technique.setdefault(s.technique, []).append(s)
    families = []
    for fam in TECHNIQUES:
        own = by_technique.get(fam)
        if not own:
            continue
        right_after = bounded(
            mean_of_counts(
                [(float(s.pain_before - s.pain_after), 1) for s in own if s.pain_after is not None]
            ),
            *CHANGE,
        )
        later = bounded(
            mean_of_counts(
                [(relief_later[s.record_id], 1) for s in own if s.record_id in relief_later]
            ),
            *CHANGE,
        )
        before = sum(s.pain_before for s in own) / len(own)
        said = verdict(right_after, later, before)
        if said == "unknown" and _waited(own[-1].started_at, now):
            said = "not_recorded"
        families.append(FamilyCourse(fam, len(own), right_after, later, said, before))
    return families


def _row(
    s: SessionOutcome,
    changes: tuple[Change | None, ...],
    resolution: int | None,
    between: Change | None = None,
    between_day: int | None = None,
) -> SessionRow:
    return _session_row(
        s.record_id, s.started_at, s.technique, s.pain_before, s.pain_after, changes,
        s.soreness_after, resolution, s.insertions, between, between_day, s.episode_id,
    )  # fmt: skip


def _rows_from_readings(
    sessions: list[SessionOutcome], follow_ups: list[FollowUp], windows: tuple[Window, ...]
) -> tuple[list[SessionRow], Relief]:
    """Each session's row from its readings, and the relief of readings more than
    :data:`LASTING_AFTER_H` hours after it."""
    readings = readings_by_record(sessions, follow_ups)
    rows: list[SessionRow] = []
    relief_later: Relief = {}
    slots = range(len(windows))
    for s in sessions:
        before = s.pain_before
        own = readings[s.record_id]
        chosen = latest_by_window(own, windows)
        changes = tuple(_change(before, chosen[i].pain) if i in chosen else None for i in slots)
        between = _between(before, chosen.get(GAP_SLOT))
        rows.append(_row(s, changes, resolution_day(own), *between))
        # One value per session (within a patient the session is the unit): its latest
        # reading more than LASTING_AFTER_H hours after it, of the windows' readings and
        # the one between windows, as each window takes its latest reading.
        last = None
        for r in chosen.values():
            if r.seconds / 3600 > LASTING_AFTER_H and (last is None or r.seconds > last.seconds):
                last = r
        if last is not None:
            relief_later[s.record_id] = float(before - (last.pain or 0))
    return rows, relief_later


class _ChangesFrom(dict[int | None, Change | None]):
    """The change from ``before`` to each pain looked up (None: no reading, no change),
    each worked out once: a long history repeats a few pains before and after."""

    def __init__(self, before: int) -> None:
        super().__init__({None: None})
        self.before = before

    def __missing__(self, then: int | None) -> Change | None:
        change = self[then] = _change(self.before, then)
        return change


def _rows_from_points(
    sessions: list[SessionOutcome], points: Mapping[int, SessionPoints], windows: tuple[Window, ...]
) -> tuple[list[SessionRow], Relief]:
    """:func:`_rows_from_readings` from each session's pain per window: no gap between
    the windows, and a window's reading is later than LASTING_AFTER_H when it starts
    there (:func:`points_answer`)."""
    later = [i for i, w in enumerate(windows) if w.after_h >= LASTING_AFTER_H]
    rows: list[SessionRow] = []
    relief_later: Relief = {}
    changes_from: dict[int, _ChangesFrom] = {}
    for s in sessions:
        before = s.pain_before
        own = points[s.record_id]
        pains = own.pains
        of = changes_from.get(before)
        if of is None:
            of = changes_from[before] = _ChangesFrom(before)
        changes = tuple(map(of.__getitem__, pains))
        rows.append(
            _session_row(s.record_id, s.started_at, s.technique, before, s.pain_after, changes,
                         s.soreness_after, own.resolution_day, s.insertions, None, None,
                         s.episode_id)
        )  # fmt: skip
        for i in reversed(later):  # the latest window with a reading: one per session
            v = pains[i]
            if v is not None:
                relief_later[s.record_id] = float(before - v)
                break
    return rows, relief_later


def _doses(sessions: list[SessionOutcome]) -> list[DoseSummary]:
    out = []
    for fam in TECHNIQUES:  # each technique's own dose, as its own course above
        own = [s for s in sessions if s.technique == fam]
        if own:
            dose = PatientDose(
                fam,
                own[0].patient_id,
                len(own),
                own[0].started_at,
                own[-1].started_at,
                sum(s.insertions for s in own),
                sum(s.insertions**2 for s in own),
            )
            out.append(dose_summary(fam, [dose]))
    return out
