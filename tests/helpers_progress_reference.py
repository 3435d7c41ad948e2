"""The parts of the progress computation and chart that were made faster for long
histories (issue 17), as they were before (604d40f): the reference the faster code
must equal. Only what changed is here; the rest is the package's own.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sessionlog.analysis.change import change
from sessionlog.analysis.model import FollowUp, SessionOutcome
from sessionlog.analysis.progress import (
    LASTING_AFTER_H,
    SETTLED_AFTER_H,
    FamilyCourse,
    SessionRow,
    TimelinePoint,
    _timeline,
    verdict,
)
from sessionlog.analysis.readings import GAP_SLOT, Reading, resolution_day
from sessionlog.analysis.sentences import technique_words
from sessionlog.analysis.stats import mean_of_counts
from sessionlog.analysis.windows import Window, window_index
from sessionlog.charts.common import PROGRESS_POINTS, TECHNIQUE_MARKS, thin
from sessionlog.domain.techniques import TECHNIQUES


def old_seconds(later: datetime, earlier: datetime) -> int:
    """``readings._seconds`` before: both times copied without microseconds, always."""
    return int((later.replace(microsecond=0) - earlier.replace(microsecond=0)).total_seconds())


def old_order(r: Reading) -> tuple[int, int, int]:
    """``readings_by_record``'s sort key before."""
    return r.order


def latest_by_window(
    readings: list[Reading], windows: tuple[Window, ...], *, soreness: bool = False
) -> dict[int, Reading]:
    chosen: dict[int, Reading] = {}
    for r in readings:
        if (r.soreness if soreness else r.pain) is None:
            continue
        i = window_index(r.hours, windows)
        if i is None and not soreness:
            i = GAP_SLOT
        if i is not None:
            chosen[i] = r
    return chosen


def settled_reading(
    sessions: list[SessionOutcome], timeline: list[TimelinePoint]
) -> TimelinePoint | None:
    by_record = {s.record_id: s for s in sessions}
    starts = sorted(s.started_at for s in sessions)
    chosen = None
    for p in timeline:
        if p.kind == "follow_up":
            ok = (
                p.at - by_record[p.record_id].started_at
            ).total_seconds() >= SETTLED_AFTER_H * 3600
        elif p.kind == "before":
            i = bisect.bisect_left(starts, p.at)
            ok = i > 0 and (p.at - starts[i - 1]).total_seconds() >= SETTLED_AFTER_H * 3600
        else:
            ok = False
        if ok:
            chosen = p
    return chosen


def rows_and_families(
    sessions: Iterable[SessionOutcome],
    readings: dict[int, list[Reading]],
    windows: tuple[Window, ...],
) -> tuple[list[SessionRow], list[FamilyCourse]]:
    """``patient_progress``'s loop before: the rows and the families."""
    sessions = sorted(sessions, key=lambda s: (s.started_at, s.record_id))
    rows, relief_now, relief_later = [], {}, {}  # type: ignore[var-annotated]
    for s in sessions:
        chosen = latest_by_window(readings[s.record_id], windows)
        gap = chosen.get(GAP_SLOT)
        rows.append(
            SessionRow(
                s.record_id, s.started_at, s.technique, s.pain_before, s.pain_after,
                tuple(change(s.pain_before, chosen[i].pain) if i in chosen else None  # type: ignore[arg-type]
                      for i in range(len(windows))),
                s.soreness_after, resolution_day(readings[s.record_id]), s.insertions,
                None if gap is None or gap.pain is None else change(s.pain_before, gap.pain),
                None if gap is None or gap.pain is None else int(gap.hours // 24),
                s.episode_id,
            )
        )  # fmt: skip
        if s.pain_after is not None:
            relief_now.setdefault(s.technique, []).append((float(s.pain_before - s.pain_after), 1))
        after = [r for r in chosen.values() if r.hours > LASTING_AFTER_H]
        if after:  # one value per session: its latest reading after 72 h
            r = max(after, key=lambda r: r.hours)
            relief_later.setdefault(s.technique, []).append(
                (float(s.pain_before - (r.pain or 0)), 1)
            )
    families = []
    for fam in TECHNIQUES:
        n = sum(1 for s in sessions if s.technique == fam)
        if n:
            now = mean_of_counts(relief_now.get(fam, []))
            later = mean_of_counts(relief_later.get(fam, []))
            own = [s.pain_before for s in sessions if s.technique == fam]
            before = sum(own) / len(own)
            families.append(FamilyCourse(fam, n, now, later, verdict(now, later, before), before))
    return rows, families


def timeline(sessions: list[SessionOutcome], follow_ups: list[FollowUp]) -> list[TimelinePoint]:
    return _timeline(sorted(sessions, key=lambda s: (s.started_at, s.record_id)), follow_ups)


def plotted_series(points: tuple[TimelinePoint, ...]) -> list[tuple[str, Any, Any, Any]]:
    """``draw_progress``'s series before, as (call, xs, ys, label)."""
    start = points[0].at
    days = [(p.at - start).total_seconds() / 86400 for p in points]
    xs, ys = thin(days, [float(p.pain) for p in points], PROGRESS_POINTS)
    out: list[tuple[str, Any, Any, Any]] = [("plot", xs, ys, None)]
    before = [(d, p.pain) for d, p in zip(days, points, strict=True) if p.kind == "before"]
    if before:
        xs, ys = thin([b[0] for b in before], [float(b[1]) for b in before], PROGRESS_POINTS)
        out.append(("scatter", xs, ys, "o before session"))
    for technique, mark in TECHNIQUE_MARKS.items():
        after = [(d, p.pain) for d, p in zip(days, points, strict=True)
                 if p.kind == "after" and p.technique == technique]  # fmt: skip
        if after:
            xs, ys = thin([a[0] for a in after], [float(a[1]) for a in after], PROGRESS_POINTS)
            out.append(("scatter", xs, ys, f"{mark} after {technique_words(technique)}"))
    follow = [(d, p) for d, p in zip(days, points, strict=True) if p.kind == "follow_up"]
    if follow:
        xs, ys = thin([f[0] for f in follow], [float(f[1].pain) for f in follow], PROGRESS_POINTS)
        out.append(("scatter", xs, ys, "* follow-up"))
    return out
