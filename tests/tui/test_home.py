"""The home screen, first run and start-up: patients, practitioners, database errors."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
import tui_scenarios as ts
from textual.widgets import DataTable, Input

from sessionlog.domain import parse_patient, parse_practitioner
from sessionlog.services import auth
from sessionlog.store import Store
from sessionlog.tui.app import SessionlogApp
from sessionlog.tui.screens.home import HomeScreen
from sessionlog.tui.screens.practitioner import PractitionerSetup
from sessionlog.tui.screens.sign_in import SignInScreen


def drive(app: SessionlogApp, steps) -> None:  # type: ignore[no-untyped-def]
    ts.run_app(app, steps)


def rows(table: DataTable) -> list[list[str]]:  # type: ignore[type-arg]
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def test_home_lists_today_recent_and_filters_as_you_type(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        home = app.screen
        assert isinstance(home, HomeScreen)
        today = home.query_one("#today", DataTable)
        assert rows(today) == [["09:15", "2001", "Lena Fischer", "5->2", "Dry needling", "1"]]
        patients = home.query_one("#patients", DataTable)
        assert [r[0] for r in rows(patients)] == ["2001", "1001"]  # seen most recently first
        await pilot.press(*"kel")
        assert rows(patients) == [["1001", "Maria Keller", "1961", "2026-11-16"]]
        sessions = home.query_one("#patient-sessions", DataTable)
        assert [rows(sessions)[0][i] for i in (0, 1, 5, 2)] == [
            "2026-11-16 09:00",
            "Acupuncture",
            "ST36 LI4 SP6 GB21",
            "6->3",
        ]
        await pilot.press("escape")
        assert home.query_one("#search", Input).value == ""

    drive(ts.make_app(store), steps)


def test_new_patient_inline_refuses_bad_fields_then_adds(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"3001", "ctrl+n")  # the chart id typed in the search comes along
        assert app.screen.query_one("#np-chart_id", Input).value == "3001"
        await pilot.press("enter", *"Ana [b]Ruiz[/b]", "enter", *"1890", "enter", "x", "enter")
        errors = str(app.screen.query_one("#np-errors").render())
        assert "Year of birth: 1890 is out of range: a whole number from 1900 to 2026" in errors
        assert "Sex: 'x' is not allowed" in errors
        assert store.patient_by_chart("3001") is None
        await pilot.press("shift+tab", *["backspace"] * 4, *"1990", "enter")
        await pilot.press("backspace", "f", "enter")
        patient = store.patient_by_chart("3001")
        assert (patient["name"], patient["birth_year"], patient["sex"]) == (
            "Ana [b]Ruiz[/b]",
            1990,
            "female",
        )
        patients = app.screen.query_one("#patients", DataTable)
        assert rows(patients)[0][:2] == ["3001", "Ana [b]Ruiz[/b]"]  # shown as typed, not as markup

    drive(ts.make_app(store), steps)


def test_new_patient_suggests_the_clinics_next_chart_id(store) -> None:  # type: ignore[no-untyped-def]
    store.add_patient(parse_patient({"chart_id": "2002", "name": "Taken Out Of Order"}))
    store.add_patient(parse_patient({"chart_id": "2001b", "name": "No Number At The End"}))
    store.add_patient(parse_patient({"chart_id": "2000", "name": "Newest"}))

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"ana", "ctrl+n")  # a name typed: the chart id is suggested
        chart = app.screen.query_one("#np-chart_id", Input)
        # After the newest patient's 2000; 2001 is taken, as is 2002.
        assert (chart.value, chart.has_focus) == ("2003", True)
        await pilot.press("enter", *" Ruiz", "enter", "enter", "f", "enter")
        assert store.patient_by_chart("2003")["name"] == "ana Ruiz"
        await pilot.press("ctrl+n", *"P-7")  # typing replaces the suggestion
        assert app.screen.query_one("#np-chart_id", Input).value == "P-7"

    drive(ts.make_app(store), steps)


def test_first_run_asks_who_records_and_their_secret_in_one_step(settings_file: Path) -> None:
    store = Store.open(":memory:", clock=ts.clock)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        assert isinstance(app.screen, PractitionerSetup)
        assert [type(s) for s in app.screen_stack] == [SignInScreen, PractitionerSetup]
        await pilot.press("tab", "tab", "tab", "tab", "enter")  # save with no name: refused
        assert "is required" in str(app.screen.query_one("#err-name").render())
        await pilot.press(*["shift+tab"] * 4, *"Sam Okafor", "enter")
        await pilot.press("down", "down", "enter")  # profession: physiotherapist
        await pilot.press(*"DPT", "enter")  # the list closed: focus moved on by itself
        await pilot.press(*"12345", "enter", *"12345", "enter")  # a PIN too short
        assert str(app.screen.query_one("#err-secret").render()) == (
            "Secret: a PIN needs at least 6 digits"
        )
        assert store.practitioners() == []  # nothing half-saved
        focused = app.screen.focused
        assert focused is not None and focused.id == "p-secret"  # both cleared, typed again
        await pilot.press(*"123456", "enter", *"123456", "enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert [type(s) for s in app.screen_stack] == [HomeScreen]

    drive(SessionlogApp(store, clock=ts.clock), steps)
    (p,) = store.practitioners()
    assert (p["name"], p["profession"], p["credential"]) == ("Sam Okafor", "physiotherapist", "DPT")
    access = store.access(p["id"])
    assert access is not None and access.role == "admin"
    assert json.loads(settings_file.read_text())["practitioners"] == {":memory:": p["id"]}


def test_several_practitioners_sign_in_and_switching_signs_in_again(store, settings_file) -> None:  # type: ignore[no-untyped-def]
    second = store.add_practitioner(
        parse_practitioner({"name": "Ben Cho", "profession": "physiotherapist"})
    )
    auth.set_first_secret(store, 1, "ada secret phrase")
    auth.set_first_secret(store, second, "864213")
    settings_file.write_text(json.dumps({"practitioners": {":memory:": second}}))

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        assert isinstance(app.screen, SignInScreen)
        await pilot.press("enter")  # the remembered one is highlighted: on to the secret
        await pilot.press(*"864213", "enter")
        assert isinstance(app.screen, HomeScreen) and app.practitioner_id == second
        await pilot.press("f2", "down", "enter", *"wrong secret", "enter")
        assert isinstance(app.screen, SignInScreen) and app.practitioner_id == second
        assert str(app.screen.query_one("#si-message").render()) == "Wrong secret for Dr Ada Lin"
        await pilot.press(*"ada secret phrase", "enter")
        assert isinstance(app.screen, HomeScreen) and app.practitioner_id == 1

    drive(SessionlogApp(store, clock=ts.clock), steps)
    assert json.loads(settings_file.read_text())["practitioners"] == {":memory:": 1}


def test_a_file_that_is_not_a_sessionlog_database_exits_with_a_message(tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_bytes(b"this is not a database at all, just text" * 50)
    app = SessionlogApp(db_path=str(bad), clock=ts.clock)

    async def body() -> None:
        async with app.run_test(size=ts.SIZE) as pilot:
            await pilot.pause()

    asyncio.run(body())
    assert app.return_code == 1
    assert app.startup_error == (
        f"{bad} is not a sessionlog database (not an SQLite file): it was left as it is."
        " If it is the clinic's database, it is damaged: restore the latest good backup with"
        " `sessionlog restore BACKUP_FILE` (this file is kept beside it); if it is another"
        " file, give the database's path with --db."
    )


def test_outcome_screens_missing_or_present_never_crash(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1001", "f5")
        await pilot.press("escape") if not isinstance(app.screen, HomeScreen) else None
        await pilot.press("f7")
        await pilot.pause()
        assert app.is_running

    drive(ts.make_app(store), steps)


def test_command_palette_lists_the_screens_actions(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        from sessionlog.tui.commands import ScreenActions

        provider = ScreenActions(app.screen)
        titles = {title: help_text for title, help_text, _ in provider._commands()}
        assert titles["Repeat last"] == "key: ^r · id: home.repeat_last"
        assert {"New session", "Follow-up", "New patient", "Progress", "Compare"} <= titles.keys()
        app.set_keymap({"home.repeat_last": "f9"})
        await pilot.pause()
        titles = {title: help_text for title, help_text, _ in provider._commands()}
        assert titles["Repeat last"] == "key: f9 · id: home.repeat_last"
        store.add_patient(parse_patient({"chart_id": "9", "name": "X"}))

    drive(ts.make_app(store), steps)


def test_toasts_show_typed_text_as_text(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press("ctrl+n", *"[b]9", "enter", *"Zed [/]", "enter", "enter", "f", "enter")
        await pilot.pause()
        (note,) = list(app._notifications)
        assert (note.message, note.markup) == ("Added [b]9 Zed [/]", False)
        assert app.is_running

    drive(ts.make_app(store), steps)


def test_a_broken_audit_chain_shows_a_banner_until_check_passes(tmp_path: Path) -> None:
    """Issue 12, defect 6: the app says so at start-up (the end of the chain recomputed)."""
    import sqlite3

    path = tmp_path / "clinic.db"
    ts.seeded_store(str(path)).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET detail = '{}' WHERE id = 2")
    conn.close()

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        banner = app.screen.query_one("#chain-banner")
        assert banner.display and banner.has_class("shown")
        assert str(banner.render()) == (
            "The audit chain is broken (audit row 2 was altered): records may have been"
            " changed outside sessionlog. Run `sessionlog check` (this warning stays until it"
            " passes)."
        )

    store = Store.open(path, clock=ts.clock)
    drive(ts.make_app(store), steps)
    store.close()


def test_from_the_sign_in_the_chain_is_checked_after_its_first_frame_before_any_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17: the sign-in screen shows nothing of the chain, so its first frame does
    not wait for the check (3-4 ms at 100k); the check still sees the rows found at
    start (before the sign-in's audit row) and Home shows the banner."""
    import sqlite3

    path = tmp_path / "clinic.db"
    seeded = ts.seeded_store(str(path))
    auth.set_first_secret(seeded, 1, "ada's long phrase")
    seeded.close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET detail = '{}' WHERE id = 2")
    conn.close()
    seen: list[str] = []
    chain_alarm, fill = Store.chain_alarm, SignInScreen.fill

    def checked(store: Store) -> str | None:
        signs = store.conn.execute("SELECT count(*) FROM audit_log WHERE action = 'sign_in'")
        seen.append(f"chain checked, sign-ins audited: {signs.fetchone()[0]}")
        return chain_alarm(store)

    def filled(screen: SignInScreen) -> None:
        seen.append("sign-in screen filled")
        fill(screen)

    monkeypatch.setattr(Store, "chain_alarm", checked)
    monkeypatch.setattr(SignInScreen, "fill", filled)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*ts.typed("ada's long phrase"), "enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        banner = app.screen.query_one("#chain-banner")
        assert banner.display and "audit row 2 was altered" in str(banner.render())

    drive(SessionlogApp(db_path=str(path), clock=ts.clock), steps)
    assert seen == ["sign-in screen filled", "chain checked, sign-ins audited: 0"]


def test_no_banner_on_a_sound_chain(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        banner = app.screen.query_one("#chain-banner")
        assert not banner.display and app.chain_warning is None

    drive(ts.make_app(store), steps)


def test_the_practitioner_remembered_is_kept_per_database_file(
    tmp_path: Path, settings_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The defect: remembered under the path as typed, `--db demo.db` in one folder
    # highlighted at sign-in the practitioner who last signed in to another folder's
    # demo.db (a fresh clone's demo opened on "Tom Okafor"; Enter and Mei Lin Chen's
    # secret then said "Wrong secret for Tom Okafor").
    ids = {}
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        monkeypatch.chdir(tmp_path / folder)
        store = Store.open("demo.db", clock=ts.clock)
        for name in ("Ann Lee", "Ben Cho"):
            store.add_practitioner(parse_practitioner({"name": name, "profession": "other"}))
        ids[folder] = store
    remembered = {}

    async def ben_signs_in(pilot, app):  # type: ignore[no-untyped-def]
        app._practitioner_chosen(2)
        remembered["a"] = app.remembered_practitioner()

    async def nobody_yet(pilot, app):  # type: ignore[no-untyped-def]
        remembered["b"] = app.remembered_practitioner()

    monkeypatch.chdir(tmp_path / "a")
    drive(SessionlogApp(ids["a"], clock=ts.clock, practitioner_id=1), ben_signs_in)
    monkeypatch.chdir(tmp_path / "b")
    drive(SessionlogApp(ids["b"], clock=ts.clock), nobody_yet)  # at the sign-in
    assert remembered == {"a": 2, "b": None}
    saved = json.loads(settings_file.read_text())["practitioners"]
    assert saved == {os.path.realpath(tmp_path / "a" / "demo.db"): 2}
    for store in ids.values():
        store.close()


def test_home_shows_saves_from_another_workstation_keeping_the_highlighted_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Home was filled when shown and after this app's own saves only: a session saved
    # at the other workstation (or from the command line) stayed missing from Today and
    # from the patient's sessions until something else refreshed them.
    from sessionlog.domain import parse_session

    # The check runs here when the test says, never on the app's own 5 s timer.
    monkeypatch.setattr(SessionlogApp, "SAVES_CHECK_S", 24 * 3600.0)
    path = tmp_path / "clinic.db"
    store = ts.seeded_store(str(path))
    other = Store.open(path, clock=ts.clock)

    def saved_elsewhere(patient_id: int, at: str) -> int:
        fields = {"patient_id": patient_id, "practitioner_id": 1, "episode_id": patient_id}
        session = parse_session(
            {
                **fields,
                "technique": "ims",
                "started_at": at,
                "consent": True,
                "pain_before": 4,
                "sites": [{"target": "lumbar multifidus", "side": "left"}],
            },  # fmt: skip
            now=ts.NOW,
        )
        return other.save_session(session).record_id

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        home = app.screen
        await pilot.pause()
        today = home.query_one("#today", DataTable)
        sessions = home.query_one("#patient-sessions", DataTable)
        assert [r[2] for r in rows(today)] == ["Lena Fischer"]
        assert home.listed_patient() == 5 and sessions.row_count == 1
        today.focus()
        await pilot.pause()
        assert home.focused is today
        assert app.show_saves_elsewhere() is False  # nothing new: nothing refilled
        early = saved_elsewhere(2, "2026-11-23 08:30")
        later = saved_elsewhere(5, "2026-11-23 10:00")
        assert app.show_saves_elsewhere() is True
        assert [r[:3] for r in rows(today)] == [
            ["08:30", "1002", "Tom Baker"],
            ["09:15", "2001", "Lena Fischer"],
            ["10:00", "2001", "Lena Fischer"],
        ]
        assert today.border_title == "Today: 3 sessions"
        assert today.cursor_row == 1  # still on the row the practitioner was on
        assert [r[0][11:16] for r in rows(sessions)] == ["10:00", "09:15"]
        assert sessions.cursor_row == 1 and later  # the session it was on, not the new one
        assert early and app.show_saves_elsewhere() is False
        # The highlighted row voided elsewhere: the list was refilled and the highlight
        # landed on another patient's row (F5 or F6 then opened that patient). Today is
        # left as it is, still on Lena, until the practitioner moves.
        today.move_cursor(row=1)
        other.void_session(1 + 1, 1, "wrong patient")  # Lena's 09:15 session: record 2
        assert app.show_saves_elsewhere() is True
        assert today.row_count == 3 and today.cursor_row == 1
        assert home.selected_patient() == 5
        assert app.show_saves_elsewhere() is True  # still pending, still left as it is
        assert today.row_count == 3
        await pilot.press("up")  # onto Tom Baker's row, which stays
        assert app.show_saves_elsewhere() is True
        assert [r[2] for r in rows(today)] == ["Tom Baker", "Lena Fischer"]
        assert home.selected_patient() == 2
        assert app.show_saves_elsewhere() is False  # nothing pending any more
        # A list the practitioner is not in acts on nothing: it is read again, whatever
        # its highlight was on (it kept a voided session until someone moved in it).
        home.query_one("#search", Input).focus()
        await pilot.pause()
        other.void_session(early, 1, "duplicate")  # Tom's, highlighted in Today
        assert app.show_saves_elsewhere() is True
        assert [r[2] for r in rows(today)] == ["Lena Fischer"]
        assert app.show_saves_elsewhere() is False
        # The patient's sessions are read once: the rows checked are the rows shown
        # (read twice, a save in between could drop the highlighted one unchecked).
        reads = []
        store_sessions = home.store.sessions

        def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            reads.append(args)
            return store_sessions(*args, **kwargs)

        monkeypatch.setattr(home.store, "sessions", counted)
        sessions.focus()
        await pilot.pause()
        saved_elsewhere(5, "2026-11-23 11:00")
        reads.clear()
        assert app.show_saves_elsewhere() is True
        assert [a for a in reads if a] == [(5,)]
        assert [r[0][11:16] for r in rows(sessions)][:2] == ["11:00", "10:00"]
        monkeypatch.undo()
        # Under a form, Home is left as it is (it refills when the form closes).
        await pilot.press("ctrl+o")
        saved_elsewhere(3, "2026-11-23 08:45")
        assert app.show_saves_elsewhere() is False

    try:
        drive(ts.make_app(store), steps)
    finally:
        other.close()
        store.close()


def test_the_check_for_saves_elsewhere_after_the_screens_are_gone_does_nothing(store) -> None:  # type: ignore[no-untyped-def]
    # Its timer fired while the app was closing, after the last screen had gone:
    # ScreenStackError (a run of the suite failed so).
    app = ts.make_app(store)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.pause()

    ts.run_app(app, steps)
    assert app.screen_stack == []
    assert app.show_saves_elsewhere() is False


def test_the_saves_check_leaves_a_closing_home_alone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The 5 s check of saves made elsewhere fired while the app was closing (seen in
    # the suite under load): Home's lists were already gone, and reading the
    # highlighted patient raised NoMatches, which ended the app with a traceback.
    monkeypatch.setattr(SessionlogApp, "SAVES_CHECK_S", 24 * 3600.0)
    store = ts.seeded_store(str(tmp_path / "clinic.db"))

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        home = app.screen
        await pilot.pause()
        app._saves_pending = True  # a save elsewhere still to be shown
        app._exit = True  # what App.exit sets first (Ctrl+Q)
        await home.query_one("#patients", DataTable).remove()
        assert app.show_saves_elsewhere() is False  # nothing read, nothing raised
        app._exit = False

    ts.run_app(ts.make_app(store), steps)
