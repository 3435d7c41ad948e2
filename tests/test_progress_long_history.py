"""A long history (400 weekly sessions, three follow-ups each) gives the same progress,
figure for figure, and the same chart as the code before it was made faster (issue 17:
opening such a patient's progress took 97-126 ms). The reference is the old code of
what changed (``helpers_progress_reference``)."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import helpers_progress_reference as reference
import pytest

from sessionlog.analysis import FollowUp, SessionOutcome, patient_progress
from sessionlog.analysis import readings as readings_module
from sessionlog.analysis.progress import Progress
from sessionlog.analysis.readings import Reading, latest_by_window, readings_by_record
from sessionlog.analysis.stats import CHANGE, bounded
from sessionlog.analysis.windows import DEFAULT_WINDOWS, SORENESS_WINDOWS, parse_windows
from sessionlog.charts import PROGRESS_POINTS, draw_progress, progress_key, thin
from sessionlog.domain.techniques import TECHNIQUES

# Windows with gaps: readings between them count as "between" (GAP_SLOT).
GAPPED = parse_windows("24h, 1w-2w, 6w-10w")
History = tuple[list[SessionOutcome], list[FollowUp]]


def long_history(seed: int, sessions: int = 400) -> History:
    """A chronic patient seen about weekly: three episodes, every technique, some
    sessions at the same minute, some without pain after, follow-ups from before the
    session (ignored) to months later, some at the next session's very time, some times
    with microseconds, and some follow-ups of a session not loaded (voided)."""
    rng = random.Random(seed)
    t = datetime(2018, 1, 1, 9, 0)
    out: list[SessionOutcome] = []
    follow: list[FollowUp] = []
    for i in range(1, sessions + 1):
        if i > 1 and rng.random() > 0.03:  # else: the same minute as the one before
            t += timedelta(days=rng.choice([3, 6, 7, 7, 7, 8, 14]), minutes=rng.randint(-90, 90))
        before = rng.randint(0, 10)
        out.append(
            SessionOutcome(
                record_id=1000 + i if i % 7 else 5000 - i,  # ids not in time order
                patient_id=1,
                practitioner_id=rng.choice([1, 2]),
                started_at=t.replace(microsecond=500_000) if i % 11 == 0 else t,
                technique=rng.choice(list(TECHNIQUES)),
                pain_before=before,
                pain_after=None if rng.random() < 0.1 else max(0, before - rng.randint(-1, 5)),
                soreness_after=None if rng.random() < 0.3 else rng.randint(0, 6),
                insertions=rng.randint(1, 20),
                twitches=rng.randint(0, 5),
                episode_id=None if i % 50 == 0 else 1 + i // 150,
            )
        )
    for n, s in enumerate(out):
        for _ in range(3):
            at = s.started_at + timedelta(
                hours=rng.choice([-2, 0, 20, 24, 48, 72, 73, 200, 500, 1000, 2200]),
                seconds=rng.randint(0, 3599),
                microseconds=rng.choice([0, 0, 0, 250_000]),
            )
            if rng.random() < 0.05 and n + 1 < len(out):
                at = out[n + 1].started_at  # the same moment as the next session
            owner = s.record_id if rng.random() > 0.02 else 999_999  # a voided session's
            soreness = None if rng.random() < 0.4 else rng.randint(0, 5)
            follow.append(FollowUp(owner, at, rng.randint(0, 10), soreness, len(follow) + 1))
    rng.shuffle(follow)  # the store gives them by time; the analysis must not depend on it
    return out, follow


def old_readings(history: History, monkeypatch: pytest.MonkeyPatch) -> dict[int, list[Reading]]:
    """``readings_by_record`` with its old helpers (the rest of it did not change)."""
    with monkeypatch.context() as m:
        m.setattr(readings_module, "_seconds", reference.old_seconds)
        m.setattr(readings_module, "_ORDER", reference.old_order)
        return readings_by_record(*history)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_readings_and_windows_equal_the_old_code(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    history = long_history(seed)
    new = readings_by_record(*history)
    assert new == old_readings(history, monkeypatch)
    for readings in new.values():
        for windows in (DEFAULT_WINDOWS, GAPPED):
            assert latest_by_window(readings, windows) == reference.latest_by_window(
                readings, windows
            )
        assert latest_by_window(
            readings, SORENESS_WINDOWS, soreness=True
        ) == reference.latest_by_window(readings, SORENESS_WINDOWS, soreness=True)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_progress_equals_the_old_code(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    history = long_history(seed)
    readings = old_readings(history, monkeypatch)
    timeline = reference.timeline(*history)
    for windows in (DEFAULT_WINDOWS, GAPPED):
        p = patient_progress(7, *history, windows)
        rows, _ = reference.rows_and_families(history[0], readings, windows)
        assert p.rows == tuple(rows)  # every window's change, between, soreness, dose
        # Whether relief lasted: each episode's, as the old code said it of the episode's
        # sessions alone; none pooled over the patient's complaints.
        assert p.families == () and p.dose == ()
        assert p.timeline == tuple(timeline)
        # Three episodes (and sessions outside any): each its own settled reading, of
        # its own sessions and their readings (review17: none across complaints).
        assert p.settled is None and p.change is None
        assert [e.episode_id for e in p.episodes] == [1, None, 2, 3]
        for e in p.episodes:
            own = sorted(
                (s for s in history[0] if s.episode_id == e.episode_id),
                key=lambda s: s.started_at,
            )
            ids = {s.record_id for s in own}
            settled = reference.settled_reading(own, [t for t in timeline if t.record_id in ids])
            assert e.settled == settled and e.settled is not None
            assert e.timeline == tuple(t for t in timeline if t.record_id in ids)
            assert (e.sessions, e.baseline) == (len(own), own[0].pain_before)
            # (bounded to -10..10 as the code has long done: a few sessions' intervals
            # reach past them, the whole history's never did)
            families = [
                replace(f, immediate=bounded(f.immediate, *CHANGE), later=bounded(f.later, *CHANGE))
                for f in reference.rows_and_families(own, readings, windows)[1]
            ]
            assert e.families == tuple(families) and e.families
    assert len(p.rows) == 400 and any(r.between is not None for r in p.rows)


class Recorder:
    """A stand-in figure: the series drawn on it."""

    def __init__(self) -> None:
        self.series: list[tuple[str, Any, Any, Any]] = []

    def __getattr__(self, name: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> None:
            if name in ("plot", "scatter"):
                self.series.append((name, list(args[0]), list(args[1]), kwargs.get("label")))

        return record


@pytest.mark.parametrize("seed", [1, 2])
def test_the_chart_plots_the_old_series(seed: int) -> None:
    p = patient_progress(7, *long_history(seed))
    plt = Recorder()
    draw_progress(plt, p)
    assert_old_series(plt, p)


def assert_old_series(plt: Recorder, p: Progress) -> None:
    """The old chart's series, point for point, but for the line through the readings:
    one per episode of care (review of episode16: none joins two complaints' readings);
    what the old legend said inside the plot is now its key, a line under it (the
    legend hid the first readings)."""
    old = reference.plotted_series(p.timeline)
    if len(p.episodes) > 1:  # the line through every reading: one per episode of care
        start = p.timeline[0].at
        span = (p.timeline[-1].at - start).total_seconds() / 86400
        lines = []
        for e in p.episodes:  # each its share of the chart's points, by the days it spans
            days = [(t.at - start).total_seconds() / 86400 for t in e.timeline]
            share = max(2, math.ceil(PROGRESS_POINTS * (days[-1] - days[0]) / span))
            pains = [float(t.pain) for t in e.timeline]
            lines.append(("plot", *thin(days, pains, share), None))
        old[:1] = lines
        assert sum(len(e.timeline) for e in p.episodes) == len(p.timeline)
    assert plt.series == [(call, xs, ys, None) for call, xs, ys, _ in old]
    # (its last line: with several episodes a line naming each one's number before it)
    assert progress_key(p).splitlines()[-1] == "   ".join(label for *_, label in old if label)


def test_short_histories_equal_the_old_code(monkeypatch: pytest.MonkeyPatch) -> None:
    sessions, follow = long_history(4, sessions=12)
    for n in range(1, len(sessions) + 1):
        history = (sessions[:n], follow)
        p = patient_progress(3, *history)
        assert p.rows == tuple(
            reference.rows_and_families(
                sessions[:n], old_readings(history, monkeypatch), DEFAULT_WINDOWS
            )[0]
        )
        plt = Recorder()
        draw_progress(plt, p)
        assert_old_series(plt, p)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_timeline_holds_the_follow_ups_the_figures_count(seed: int) -> None:
    # review18 #5: the chart (and the change) read every follow-up, the figures only
    # those after their session and before its course's next one. The two rules, in
    # progress._timeline and readings.readings_by_record, held equal.
    from sessionlog.analysis.readings import RANK_FOLLOW_UP, readings_by_record

    sessions, follow = long_history(seed)
    counted = sorted(
        (r.record_id, r.at, r.pain)
        for readings in readings_by_record(sessions, follow).values()
        for r in readings
        if r.rank == RANK_FOLLOW_UP
    )
    timeline = patient_progress(7, sessions, follow).timeline
    drawn = sorted((t.record_id, t.at, t.pain) for t in timeline if t.kind == "follow_up")
    assert drawn == counted and len(drawn) < len(follow)
