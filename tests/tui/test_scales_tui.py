"""Outcome scales in the app: the due list from Home clears when a follow-up is
recorded; the progress screen says how each scale changed and writes the take-home
report (audited) on a key."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import tui_scenarios as ts
from helpers_store import sql_rows
from textual.widgets import DataTable, Input, Static

from sessionlog.domain.models import FollowUpInput
from sessionlog.domain.scales import parse_scale_reading
from sessionlog.tui.screens.due import DueScreen
from sessionlog.tui.screens.progress import ProgressScreen


def rows(table: DataTable) -> list[list[str]]:  # type: ignore[type-arg]
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def test_due_list_from_home_clears_after_a_follow_up() -> None:
    store = ts.seeded_store()  # Maria Keller seen a week ago: her 1-week check is due
    store.set_contact(1, "555 0101", 1)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, DueScreen)
        table = app.screen.query_one(DataTable)
        assert rows(table) == [["due", "1001", "Maria Keller", "1 week", "2026-11-23 09:00",
                                "555 0101"]]  # fmt: skip
        store.add_follow_up(FollowUpInput(1, 1, datetime(2026, 11, 23, 10, 0), 2), 1)
        await pilot.press("r")
        assert rows(table) == []
        assert str(app.screen.query_one("#due-title", Static).render()) == "Nobody is due"
        await pilot.press("escape")
        assert not isinstance(app.screen, DueScreen)

    ts.run_app(ts.make_app(store), steps)


def test_progress_shows_scales_and_writes_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SESSIONLOG_REPORT_DIR", str(tmp_path))
    store = ts.seeded_store()
    for at, total in (("2026-11-16 08:50", 30), ("2026-11-23 10:00", 18)):
        store.add_scale_reading(parse_scale_reading(
            {"scale": "NDI", "patient_id": 1, "session_record_id": 1, "at": at,
             "total": total}, now=ts.NOW), 1)  # fmt: skip

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        app.push_screen(ProgressScreen(1))
        await pilot.pause()
        summary = str(app.screen.query_one("#progress-summary", Static).render())
        assert "Your Neck Disability Index has improved from 30.0 of 50 (60%) to 18.0" in summary
        await pilot.press("r")
        await pilot.pause()
        assert app.screen.last_report == tmp_path / "1001-2026-11-23.html"

    ts.run_app(ts.make_app(store), steps)
    page = (tmp_path / "1001-2026-11-23.html").read_text(encoding="utf-8")
    assert "Maria Keller" in page and "Lena Fischer" not in page and "<svg" in page
    last = sql_rows(
        store, "SELECT actor_id, action, entity FROM audit_log ORDER BY id DESC LIMIT 1"
    )
    assert last == [{"actor_id": 1, "action": "export", "entity": "report"}]


def test_a_report_that_cannot_be_written_says_why_and_the_app_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The reports folder named by SESSIONLOG_REPORT_DIR on a drive not mounted: "r" ended
    # the app with a traceback.
    usb = tmp_path / "usb"
    monkeypatch.setenv("SESSIONLOG_REPORT_DIR", str(usb))
    store = ts.seeded_store()

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        app.push_screen(ProgressScreen(1))
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, ProgressScreen)
        assert app.screen.last_report is None
        assert [str(n.message) for n in app._notifications] == [
            f"Report not written: output: the folder {usb} does not exist (is the drive"
            " mounted?): create it first"
        ]

    ts.run_app(ts.make_app(store), steps)
    assert not usb.exists()


def test_a_clinician_records_an_ndi_at_a_session_and_at_a_follow_up() -> None:
    store = ts.seeded_store()  # Lena Fischer (5) seen today; Maria Keller (1) a week ago
    store.add_follow_up(FollowUpInput(1, 1, datetime(2026, 11, 23, 10, 0), 3), 1)

    async def record(pilot, app, patient: int, *keys: str) -> None:  # type: ignore[no-untyped-def]
        app.push_screen(ProgressScreen(patient))
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await record(pilot, app, 5, *"ndi", "enter", *"3,2,1,0,4,2,1,3,-,-", "enter", "enter")
        error = app.screen.query_one("#scale-error")
        assert str(error.render()) == (
            "items: NDI cannot be scored with 2 items unanswered: at most 1 may be left blank"
        )
        assert store.scale_readings(5) == []
        # Back to the answers (focus selects them all: End keeps them), fix the last two.
        await pilot.press("shift+tab", "end", *["backspace"] * 3, *"2,-", "enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ProgressScreen)
        summary = str(app.screen.query_one("#progress-summary", Static).render())
        assert "Your Neck Disability Index is 20.0 of 50 (40%)" in summary
        await pilot.press("escape")
        await record(pilot, app, 1, *"NDI", "enter", "enter", *"12", "enter")

    ts.run_app(ts.make_app(store), steps)
    [lena] = store.scale_readings(5)
    assert (lena.session_record_id, lena.follow_up_id, lena.score) == (2, None, 20.0)
    assert lena.items == (3, 2, 1, 0, 4, 2, 1, 3, 2, None)
    [maria] = store.scale_readings(1)
    assert (maria.session_record_id, maria.follow_up_id, maria.score, maria.items) == (
        1, 1, 12.0, None
    )  # fmt: skip
    assert maria.entered_by == "practitioner" and maria.recorded_by == 1


def test_progress_draws_a_chart_per_scale() -> None:
    store = ts.seeded_store()
    for code, total in (("NDI", 30), ("PSFS", 4), ("GROC", 3)):
        store.add_scale_reading(parse_scale_reading(
            {"scale": code, "patient_id": 1, "session_record_id": 1, "total": total,
             "at": "2026-11-16 08:50"}, now=ts.NOW), 1)  # fmt: skip

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        app.push_screen(ProgressScreen(1))
        await pilot.pause()
        plots = list(app.screen.query("#progress-scales PlotextPlot"))
        assert len(plots) == 3
        app.push_screen(ProgressScreen(2))  # Tom Baker: no scales, no charts
        await pilot.pause()
        assert list(app.screen.query("#progress-scales PlotextPlot")) == []

    ts.run_app(ts.make_app(store), steps)


def test_compare_screen_opens_the_scales_by_technique() -> None:
    from sessionlog.tui.screens.compare import CompareScreen
    from sessionlog.tui.screens.scale_compare import ScaleCompareScreen

    store = ts.seeded_store()
    store.add_scale_reading(parse_scale_reading(
        {"scale": "NDI", "patient_id": 1, "session_record_id": 1, "total": 30,
         "at": "2026-11-16 08:50"}, now=ts.NOW), 1)  # fmt: skip
    store.add_scale_reading(parse_scale_reading(
        {"scale": "NDI", "patient_id": 1, "session_record_id": 1, "total": 18,
         "at": "2026-11-23 09:00"}, now=ts.NOW), 1)  # fmt: skip

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        app.push_screen(CompareScreen())
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ScaleCompareScreen)
        table = app.screen.query_one(DataTable)
        assert rows(table) == [["NDI", "Acupuncture", "72 h to 1 week", "1 of 1",
                                "not enough data (n=1)", ""]]  # fmt: skip

    ts.run_app(ts.make_app(store), steps)


def test_the_patient_view_says_which_psfs_activities_were_added_or_dropped() -> None:
    from sessionlog.tui.screens.patient_view import PatientViewScreen

    store = ts.seeded_store()
    readings = (("2026-11-16 08:50", "sitting at work|sleeping|lifting", "4,6,5"),
                ("2026-11-23 10:00", "Sleeping|lifting|climbing stairs", "7,9,3"))  # fmt: skip
    for at, names, items in readings:
        store.add_scale_reading(parse_scale_reading(
            {"scale": "PSFS", "patient_id": 1, "session_record_id": 1, "at": at,
             "items": items, "labels": names.split("|")}, now=ts.NOW), 1)  # fmt: skip

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        app.push_screen(PatientViewScreen(1))
        await pilot.pause()
        words = str(app.screen.query_one("#pv-sentences", Static).render())
        assert (
            "from 5.5 of 10 to 8.0 of 10; on this scale higher is better. That is a change most"
            " people notice clearly. Added since 2026-11-16, so not in the chart or the change:"
            " climbing stairs (3 of 10). No longer rated: sitting at work."
        ) in " ".join(words.split())

    ts.run_app(ts.make_app(store), steps)


def test_a_clinician_records_psfs_activities_each_with_its_answer() -> None:
    # The form had answers and a total only: a PSFS from the app named no activity, so
    # it could never be compared with the next one.
    store = ts.seeded_store()  # Lena Fischer (5) seen today

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        app.push_screen(ProgressScreen(5))
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        error = app.screen.query_one("#scale-error")
        field = app.screen.query_one("#scale-activities", Input)
        assert not field.display  # not asked for a scale whose items are not named
        await pilot.press(*"psfs", "enter")
        await pilot.pause()
        assert field.display and app.screen.focused is field
        assert not app.screen.query_one("#scale-items").display  # answers come with names
        for typed, said in (
            ("sleeping; lifting 9", "activities: give each activity its answer after its"
             " name, e.g. sleeping 7; lifting 9 (sleeping has none)"),
            ("sleeping 7; lifting 11", "activities: lifting is 11; PSFS answers are whole"
             " numbers 0 to 10"),
            ("sleeping 7; Sleeping 8", "activities: Sleeping is named twice: name each"
             " activity once"),
            ("a 1; b 2; c 3; d 4; e 5; f 6", "activities: PSFS takes 1 to 5 activities (6"
             " given)"),
            ("\x1b[31mlifting 4", "activities: an activity's name is 1-80 printable"
             " characters"),
            ("sleeping 7.5", "activities: sleeping is 7.5; PSFS answers are whole numbers 0"
             " to 10"),
        ):  # fmt: skip
            field.value = typed  # as pasted
            await pilot.press("enter")
            await pilot.pause()
            assert str(error.render()) == said, typed
            assert store.scale_readings(5) == []
        from textual import events

        field.value = ""
        field.post_message(events.Paste("sleeping 7; " * 10_000))  # as a terminal sends it
        await pilot.pause()
        assert field.value == "" and str(error.render()) == (
            "activities: at most 430 characters (up to 5 activities, each with its answer, e.g."
            " sleeping 7; lifting 9): the pasted text (120,000 characters) was left out."
        )
        assert store.scale_readings(5) == []
        await pilot.press(*"Sleeping 7; lifting: 9, climbing stairs 3", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ProgressScreen)

    ts.run_app(ts.make_app(store), steps)
    assert sql_rows(store, "SELECT scale, labels, items, score, entered_by FROM scale_reading") == [
        {"scale": "PSFS", "labels": '["Sleeping", "lifting", "climbing stairs"]',
         "items": "[7, 9, 3]", "score": 6.3, "entered_by": "practitioner"}
    ]  # fmt: skip


def test_the_scales_by_technique_are_worked_out_off_the_ui_thread(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # At 100,000 sessions reading every reading takes seconds: the screen must not
    # freeze the app meanwhile. It says it is working, reads on a worker's own
    # connection (a file database: not the app's), then shows the rows.
    import threading

    from sessionlog.tui.screens import scale_compare
    from sessionlog.tui.screens.scale_compare import ScaleCompareScreen

    store = ts.seeded_store(str(tmp_path / "clinic.db"))
    for total, at in ((30, "2026-11-16 08:50"), (18, "2026-11-23 09:00")):
        store.add_scale_reading(parse_scale_reading(
            {"scale": "NDI", "patient_id": 1, "session_record_id": 1, "total": total,
             "at": at}, now=ts.NOW), 1)  # fmt: skip
    seen: list[tuple[bool, bool]] = []
    real = scale_compare.compare_scales

    def watched(facts):  # type: ignore[no-untyped-def]
        facts = list(facts)
        seen.append((threading.current_thread() is threading.main_thread(), bool(facts)))
        return real(facts)

    monkeypatch.setattr(scale_compare, "compare_scales", watched)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        screen = ScaleCompareScreen()
        app.push_screen(screen)
        await pilot.pause()
        assert seen == [(False, True)]  # on a worker thread, with the reading
        status = screen.query_one("#scale-compare-status", Static)
        assert str(status.render()) == ScaleCompareScreen.WORKING
        assert status.display is False  # hidden once the rows are in
        shown = rows(screen.query_one(DataTable))
        assert shown == [["NDI", "Acupuncture", "72 h to 1 week", "1 of 1",
                          "not enough data (n=1)", ""]]  # fmt: skip

    ts.run_app(ts.make_app(store), steps)


def test_the_scales_by_technique_say_why_when_the_readings_cannot_be_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sessionlog.errors import DatabaseError
    from sessionlog.tui.screens import scale_compare
    from sessionlog.tui.screens.scale_compare import ScaleCompareScreen

    def unreadable(facts):  # type: ignore[no-untyped-def]
        raise DatabaseError("the database could not be read: disk I/O error")

    monkeypatch.setattr(scale_compare, "compare_scales", unreadable)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        screen = ScaleCompareScreen()
        app.push_screen(screen)
        await pilot.pause()
        status = screen.query_one("#scale-compare-status", Static)
        assert str(status.render()) == "the database could not be read: disk I/O error"
        assert status.has_class("-error") and status.display
        assert screen.query_one(DataTable).row_count == 0

    ts.run_app(ts.make_app(), steps)


def test_the_scales_by_technique_say_so_when_sqlite_refuses_the_read(tmp_path: Path) -> None:
    # review21 #5: an SQLite error (here a hand-edited file whose view of the current
    # readings was dropped) left "Working out..." on the screen for good.
    import sqlite3

    from sessionlog.tui.screens.scale_compare import ScaleCompareScreen

    store = ts.seeded_store(str(tmp_path / "clinic.db"))

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        raw = sqlite3.connect(tmp_path / "clinic.db")
        raw.execute("DROP VIEW current_scale_reading")
        raw.commit()
        raw.close()
        screen = ScaleCompareScreen()
        app.push_screen(screen)
        await pilot.pause()
        status = screen.query_one("#scale-compare-status", Static)
        assert str(status.render()) == (
            "the scale readings could not be read (no such table: current_scale_reading):"
            " try again; if it lasts, run `sessionlog check`"
        )
        assert status.has_class("-error")

    ts.run_app(ts.make_app(store), steps)
