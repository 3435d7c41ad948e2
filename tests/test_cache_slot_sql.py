"""The cache numbers a follow-up's window with a CASE that leaves out the tests a time
after the session cannot fail (``slot_sql(..., after=True)``): for every time above 0
it gives the window the full CASE gives, for the default, soreness and given windows
(with gaps and an open end), and it names every slot it can give."""

from __future__ import annotations

import sqlite3

import pytest

from sessionlog.analysis.readings import GAP_SLOT, SORENESS_SLOT
from sessionlog.analysis.windows import (
    DEFAULT_WINDOWS,
    IMMEDIATE,
    SORENESS_WINDOWS,
    Window,
    parse_windows,
)
from sessionlog.store.outcomes.latest import reached, slot_sql

GIVEN = (
    (DEFAULT_WINDOWS, 0, GAP_SLOT),
    (SORENESS_WINDOWS, SORENESS_SLOT, None),
    (parse_windows("24h, 3d-8d, 13d-29d"), 0, GAP_SLOT),  # gaps, no open end
    (parse_windows("72h, 3d-8d, 83d-"), 0, GAP_SLOT),  # a gap, then an open end
    ((IMMEDIATE, Window("late", "late", 48, None)), 0, GAP_SLOT),  # nothing before 48 h
)
# Every window edge, a second either side, and times between and beyond them.
SECONDS = sorted(
    {1, 2, 59, 3600, 10**9}
    | {
        int(edge * 3600) + d
        for windows, _, _ in GIVEN
        for w in windows
        for edge in (w.after_h, w.until_h)
        if edge is not None and edge > 0
        for d in (-1, 0, 1, 1800)
    }
)


@pytest.mark.parametrize(("windows", "first", "otherwise"), GIVEN)
def test_a_time_after_the_session_falls_in_the_same_window_either_way(
    windows: tuple[Window, ...], first: int, otherwise: int | None
) -> None:
    full = slot_sql(windows, first, otherwise)
    short = slot_sql(windows, first, otherwise, after=True)
    assert len(short) < len(full)
    conn = sqlite3.connect(":memory:")
    rows = conn.execute(
        f"SELECT dt, {full}, {short} FROM (SELECT value AS dt FROM json_each(?))",
        (str([s for s in SECONDS if s > 0]),),
    ).fetchall()
    assert [(dt, a) for dt, a, _ in rows] == [(dt, b) for dt, _, b in rows]
    assert {a for _, a, _ in rows} - {None} <= reached(windows, first, otherwise)
