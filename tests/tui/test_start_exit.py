"""Start-up and exit: the home screen is the first screen, and the database the app
opened is closed when it exits (a store handed in is left to its owner)."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

import pytest
import tui_scenarios as ts
from textual.widgets import DataTable

from sessionlog.tui.app import SessionlogApp
from sessionlog.tui.screens.home import HomeScreen


def test_the_app_opens_the_database_on_its_home_screen_and_closes_it_on_exit(
    tmp_path: Path,
) -> None:
    db = tmp_path / "clinic.db"
    ts.seeded_store(str(db)).close()
    app = SessionlogApp(db_path=str(db), clock=ts.clock, practitioner_id=1)
    switch_interval = sys.getswitchinterval()

    async def body() -> None:
        async with app.run_test(size=ts.SIZE) as pilot:
            await pilot.pause()
            # Python's thread switching is quicker only while the database opens.
            assert sys.getswitchinterval() == switch_interval
            assert [type(s) for s in app.screen_stack] == [HomeScreen]
            patients = app.screen.query_one("#patients", DataTable)
            assert [str(patients.get_row_at(i)[0]) for i in range(patients.row_count)] == [
                "2001",
                "1001",
            ]
            today = app.screen.query_one("#today", DataTable)
            assert [str(c) for c in today.get_row_at(0)][:3] == ["09:15", "2001", "Lena Fischer"]

    asyncio.run(body())
    with pytest.raises(sqlite3.ProgrammingError):  # closed
        app.store.conn.execute("SELECT 1")
    assert not Path(f"{db}-wal").exists()  # the last connection checkpointed and removed it


def test_a_store_handed_in_stays_open(store) -> None:  # type: ignore[no-untyped-def]
    app = ts.make_app(store)

    async def body() -> None:
        async with app.run_test(size=ts.SIZE) as pilot:
            await pilot.pause()

    asyncio.run(body())
    assert [p["chart_id"] for p in store.recent_patients(2)] == ["2001", "1001"]
