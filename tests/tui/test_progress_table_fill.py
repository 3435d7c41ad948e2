"""Opening a patient's progress fills its sessions table once, wrapped to its width
(issue 17: it was filled twice, the first time before the table had a width, 400 rows
for a chronic patient that no one saw)."""

from __future__ import annotations

from typing import Any

import pytest
import tui_scenarios as ts
from textual.widgets import DataTable

from sessionlog.tui import tables
from sessionlog.tui.screens.progress import ProgressScreen


def test_the_sessions_table_is_filled_once_on_opening(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    maria = 1
    shown: list[int] = []  # the rows of each fill
    show = tables._show

    def counted(table: DataTable, columns: Any, texts: Any, rows: Any) -> None:  # type: ignore[type-arg]
        if table.id == "progress-sessions":
            shown.append(len(rows))
        show(table, columns, texts, rows)

    monkeypatch.setattr(tables, "_show", counted)

    async def steps(pilot: Any, app: Any) -> None:
        await app.push_screen(ProgressScreen(maria))
        await pilot.pause()
        table = app.screen.query_one("#progress-sessions", DataTable)
        sessions = len(app.screen.progress.rows)
        assert sessions and table.row_count == sessions
        assert shown == [sessions]  # once, at the table's width
        await pilot.press("s", "escape")  # a scale form opened and left: nothing saved
        await pilot.pause()
        assert shown == [sessions]

    ts.run_app(ts.make_app(store), steps)
