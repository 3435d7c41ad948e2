"""Opening a patient's record, history, progress or patient view leaves one access row
(who, when, which patient) in the audit log; moving around Home leaves none."""

from __future__ import annotations

import tui_scenarios as ts

from sessionlog.store.records.access import AccessRow
from sessionlog.tui.screens.history import HistoryScreen
from sessionlog.tui.screens.patient_view import PatientViewScreen
from sessionlog.tui.screens.progress import ProgressScreen
from sessionlog.tui.screens.session_form import SessionScreen

AT = "2026-11-23 10:30:00"


def views(store, patient_id: int) -> list[tuple[int | None, str, str]]:  # type: ignore[no-untyped-def]
    return [(r.practitioner_id, r.action, r.what) for r in store.patient_access(patient_id)]


def test_each_patient_screen_is_logged_once_on_opening(store) -> None:  # type: ignore[no-untyped-def]
    maria = 1  # her session a week ago is record 1

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        for screen in (
            SessionScreen(maria, record_id=1),
            HistoryScreen(1),
            ProgressScreen(maria),
            PatientViewScreen(maria),
        ):
            await app.push_screen(screen)
            await pilot.pause()
            await pilot.press("down", "down", "up")  # moving inside a screen adds nothing
        assert views(store, maria) == [
            (1, "view", "record"),
            (1, "view", "history"),
            (1, "view", "progress"),
            (1, "view", "patient_view"),
        ]
        assert store.patient_access(maria)[0] == AccessRow(AT, 1, "Dr Ada Lin", "view", "record")
        assert views(store, 5) == []  # Lena's chart was not opened

    ts.run_app(ts.make_app(store), steps)


def test_moving_through_home_and_searching_writes_nothing(store) -> None:  # type: ignore[no-untyped-def]
    before = store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press("tab", "down", "down", "up", "shift+tab", *"kel", "escape")

    ts.run_app(ts.make_app(store), steps)
    assert store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before
