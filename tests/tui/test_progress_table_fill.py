"""Opening a patient's progress fills its sessions table with every row once, wrapped
to its width (issue 17: before it had a width, it was filled with all of them too,
unwrapped: 400 rows for a chronic patient that no one saw, 100 ms of CPU); until then
it holds its first rows only, enough to take the height it will take."""

from __future__ import annotations

from typing import Any

import pytest
import tui_scenarios as ts
from helpers_store import dry_needling
from textual.widgets import DataTable

from sessionlog.tui import tables
from sessionlog.tui.screens.progress import PREVIEW_ROWS, ProgressScreen


def test_the_sessions_table_is_filled_once_with_every_row(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    lena = 5
    for week in range(PREVIEW_ROWS + 5):  # a long history: more rows than the preview
        day = f"2026-{1 + week // 4:02d}-{1 + 7 * (week % 4):02d} 09:15"
        store.save_session(dry_needling(lena, started_at=day))
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
        table = app.screen.query_one("#progress-sessions", DataTable)
        sessions = len(app.screen.progress.rows)
        assert sessions > PREVIEW_ROWS and table.row_count == sessions
        assert shown == [PREVIEW_ROWS, sessions]  # the preview, then all, at its width

    ts.run_app(ts.make_app(store), steps)
