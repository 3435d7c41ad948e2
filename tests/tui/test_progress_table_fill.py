"""Opening a patient's progress with a long history fills its sessions table once, with
every row, wrapped to the width it is laid out at (issue 17). Before it had a width, it
was filled with all rows unwrapped (400 for a chronic patient, 100 ms of CPU that no one
saw), later with its first 20 rows and again with all of them on its first resize: the
table filled twice and painted twice. (A short history keeps its rows unwrapped until
the first resize: a screen that scrolls centres the table on that layout; the progress
snapshots hold it.)"""

from __future__ import annotations

from typing import Any

import pytest
import tui_scenarios as ts
from helpers_store import dry_needling
from textual.widgets import DataTable

from sessionlog.tui import tables
from sessionlog.tui.screens.progress import ProgressScreen

WEEKS = 25  # a long history: more rows than the first, unwrapped ones (20)


def _long_history(store: Any, patient: int) -> None:
    for week in range(WEEKS):
        day = f"2026-{1 + week // 4:02d}-{1 + 7 * (week % 4):02d} 09:15"
        store.save_session(dry_needling(patient, started_at=day))


@pytest.mark.parametrize(("size", "scrolls"), [((120, 48), False), ((100, 32), True)])
def test_the_sessions_table_is_filled_once_with_every_row(
    store: Any, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int], scrolls: bool
) -> None:
    """At 120x48 the screen fits: one fill, at the screen's width. At 100x32 the screen
    scrolls, so its scrollbar takes two columns from the table after the first layout:
    filled again then, at its own width. (At 120x40 this patient's screen scrolls by a
    line since each complaint has its own lines.)"""
    lena = 5
    _long_history(store, lena)
    shown: list[int] = []  # the rows of each fill
    show = tables._show

    def counted(table: DataTable, columns: Any, texts: Any, rows: Any) -> None:  # type: ignore[type-arg]
        if table.id == "progress-sessions":
            shown.append(len(rows))
        show(table, columns, texts, rows)

    monkeypatch.setattr(tables, "_show", counted)

    async def steps(pilot: Any, app: Any) -> None:
        await app.push_screen(ProgressScreen(lena))
        await pilot.pause()
        table = app.screen.query_one("#progress-sessions", tables.FitTable)
        sessions = len(app.screen.progress.rows)
        assert sessions >= WEEKS and table.row_count == sessions
        assert app.screen.show_vertical_scrollbar is scrolls
        assert shown == [sessions] * (2 if scrolls else 1)
        assert table._fitted == table.room() > 0  # wrapped to the width it has

    ts.run_app(ts.make_app(store), steps, size=size)


def test_the_table_holds_every_session_and_the_chart_every_reading(store: Any) -> None:
    lena = 5
    _long_history(store, lena)

    async def steps(pilot: Any, app: Any) -> None:
        await app.push_screen(ProgressScreen(lena))
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#progress-sessions", tables.FitTable)
        days = [r.started_at.strftime("%Y-%m-%d") for r in screen.progress.rows]
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == days
        plot = screen.query_one("#progress-chart").plt
        drawn = plot._active.monitor  # a pain line through each episode's readings, in
        # time order (these 25 sessions are outside Lena's one episode, a line of their own)
        episodes = screen.progress.episodes
        lines = [list(y) for y in drawn.y[: len(episodes)]]
        assert lines == [[float(p.pain) for p in e.timeline] for e in episodes]
        assert sum(map(len, lines)) == len(screen.progress.timeline) > WEEKS

    ts.run_app(ts.make_app(store), steps)
