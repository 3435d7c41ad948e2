"""Identifiers the app shows are the ones the CLI takes (issue 14 defect 8): a session is
named by its record (``sessions --json``'s ``session_id``, ``report``, History), never by
a version row; a chart id too long for an integer is a search with no match, not a
crash."""

from __future__ import annotations

import tui_scenarios as ts
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Static

from sessionlog.tui.screens.home import HomeScreen

HUGE = "99999999999999999999"


def test_the_app_names_a_session_by_its_record_in_every_version(store) -> None:  # type: ignore[no-untyped-def]
    record = store.last_session(1)["record_id"]  # Maria Keller's session, version 1

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1001", "tab", "tab", "tab", "enter")  # her session: a correction
        await pilot.press("enter", "enter", "enter", "enter", "backspace", "4", "ctrl+s")
        await pilot.press(*"typo", "enter")  # version 2: a new row, the same record
        assert isinstance(app.screen, HomeScreen)
        table = app.screen.query_one("#patient-sessions", DataTable)
        key = str(table.coordinate_to_cell_key(Coordinate(0, 0)).row_key.value)
        assert key.split(":")[0] == str(record)  # the row of the list: the record
        await pilot.press("tab", "tab", "tab", "f3")
        title = str(app.screen.query_one(".title", Static).render())
        assert title == f"History of session #{record}"
        await pilot.press("escape", "escape", *HUGE)
        text = ts.screen_text(app)
        assert f"Matching '{HUGE}': 0" in text  # no patient, no traceback

    ts.run_app(ts.make_app(store), steps)
    rows = store.sessions(patient_id=1)
    assert [(r["record_id"], r["version"]) for r in rows] == [(record, 2)]
    assert rows[0]["id"] != record  # the version row is another row: never shown as "#"
