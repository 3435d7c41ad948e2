"""What share of due readings were recorded, per check: a check counts once it was
recorded or its window closed (lapsed, or a new session started the schedule again);
one still open and not yet recorded is not counted either way."""

from __future__ import annotations

from datetime import datetime, timedelta

from helpers_store import dry_needling

from sessionlog.analysis.due import Course, completion, parse_checks
from sessionlog.domain.models import FollowUpInput
from sessionlog.store import Store

S = datetime(2026, 11, 1, 9, 0)


def course(sessions_h: tuple[float, ...], readings_h: tuple[float, ...], pid: int = 1) -> Course:
    def when(h: float) -> str:
        return str(S + timedelta(hours=h))

    return Course(pid, tuple(map(when, sessions_h)), tuple(map(when, readings_h)))


def shares(courses: list[Course], now_h: float, checks: str | None = None) -> list[tuple]:  # type: ignore[type-arg]
    now = S + timedelta(hours=now_h)
    got = completion(courses, now, parse_checks(checks)) if checks else completion(courses, now)
    return [(d.check, d.recorded, d.due, d.patients) for d in got]


def test_an_open_check_is_not_counted_a_closed_one_is() -> None:
    one = [course((0,), (40,))]
    assert shares(one, 200) == [("72h", 1, 1, 1), ("1w", 0, 0, 0), ("4w", 0, 0, 0),
                                ("12w", 0, 0, 0)]  # fmt: skip
    assert shares(one, 700)[:3] == [("72h", 1, 1, 1), ("1w", 0, 1, 1), ("4w", 0, 0, 0)]


def test_a_new_session_closes_the_checks_of_the_one_before() -> None:
    two = [course((0, 100), (40,)), course((0,), (30, 180), pid=2)]
    assert shares(two, 400)[:2] == [("72h", 2, 3, 2), ("1w", 1, 1, 1)]


def test_the_clinics_own_windows() -> None:
    assert shares([course((0,), (50,))], 400, "48h-96h,10d") == [
        ("48h-96h", 1, 1, 1), ("10d", 0, 0, 0)
    ]  # fmt: skip


def test_the_store_gives_each_patients_sessions_and_readings(store: Store) -> None:
    record = store.save_session(dry_needling()).record_id  # 2026-11-20 09:15
    store.add_follow_up(FollowUpInput(1, record, datetime(2026, 11, 21, 10, 0), 3), 1)
    [c] = store.reading_courses()
    assert c == Course(1, ("2026-11-20 09:15:00",), ("2026-11-21 10:00:00",))
