"""The session form's behaviour: never losing work, editing sites, protocols, void."""

from __future__ import annotations

import tui_scenarios as ts
from textual.widgets import DataTable

from sessionlog.tui.screens.history import HistoryScreen
from sessionlog.tui.screens.home import HomeScreen
from sessionlog.tui.screens.modals import AskText, ConfirmDiscard
from sessionlog.tui.screens.session_form import SessionScreen


def drive(store, steps) -> None:  # type: ignore[no-untyped-def]
    ts.run_app(ts.make_app(store), steps)


def cells(table: DataTable, column: int) -> list[str]:  # type: ignore[type-arg]
    return [str(table.get_row_at(i)[column]) for i in range(table.row_count)]


def test_leaving_with_unsaved_changes_asks_first(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "escape")  # nothing typed: leaves at once
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("enter", "a", "y", "7", "enter", *"st36", "enter", "escape")
        assert isinstance(app.screen, ConfirmDiscard)
        await pilot.press("n")  # keep editing: the work is still there
        assert isinstance(app.screen, SessionScreen)
        assert cells(app.screen.query_one("#sites", DataTable), 1) == ["ST36 Zusanli"]
        await pilot.press("escape", "y")
        assert isinstance(app.screen, HomeScreen)

    drive(store, steps)
    assert store.sessions(patient_id=2) == []


def test_a_site_typed_but_not_added_is_unsaved_work(store) -> None:  # type: ignore[no-untyped-def]
    # Ctrl+S saves a site still in the entry line, so Escape and Ctrl+Q must not throw
    # it away unasked (they left at once: the typed line counted for nothing).
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter")
        form: SessionScreen = app.screen
        form.sites.entry.focus()
        await pilot.press(*"st36 b", "escape")
        assert isinstance(app.screen, ConfirmDiscard)
        await pilot.press("n")
        assert not isinstance(app.screen, ConfirmDiscard) and app.screen is form
        assert form.sites.typed == "st36 b"
        await pilot.press("ctrl+q")
        assert isinstance(app.screen, ConfirmDiscard)
        await pilot.press("n")
        assert not isinstance(app.screen, ConfirmDiscard) and app.screen is form
        assert form.sites.typed == "st36 b"

    drive(store, steps)
    assert store.sessions(patient_id=2) == []


def test_sites_are_edited_and_removed_from_the_keyboard(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1003", "enter", "d", "y", "6", "enter")
        await pilot.press(*"ut r 3", "enter", *"infra r 2", "enter", *"gb21 l", "enter")
        screen = app.screen
        table = screen.query_one("#sites", DataTable)
        assert cells(table, 1) == [
            "upper trapezius (neck)",
            "infraspinatus (shoulder)",
            "GB21 Jianjing",
        ]
        assert cells(table, 2) == ["! lung"] * 3  # the catalogue's thorax flag, on every row
        assert cells(table, 3) == ["R", "R", "L"]
        await pilot.press("tab")  # into the table, cursor on the last site added
        await pilot.press("x")  # remove GB21
        await pilot.press("e")  # the cursor is on infraspinatus now: edit it
        assert screen.query_one("#site-entry").value == "infraspinatus r 2"
        await pilot.press("backspace", "4", "enter")
        assert cells(table, 9) == ["twitch 3", "twitch 4"]
        await pilot.press("enter", "4", "ctrl+s")

    drive(store, steps)
    (row,) = store.sessions(patient_id=3)
    s = store.session(row["record_id"])
    assert [(x["target"], x["side"], x["twitch_count"]) for x in s["sites"]] == [
        ("upper trapezius", "right", 3),
        ("infraspinatus", "right", 4),
    ]


def test_a_protocol_is_saved_and_applied(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(
            *"1002", "enter", "a", "y", "4", "enter", *"li4", "enter", *"lr3", "enter"
        )
        await pilot.press("ctrl+b", *"four gates", "enter")
        await pilot.press("escape", "y", *"1003", "enter", "ctrl+t")
        await pilot.pause()  # the picker is up and its list focused before Enter
        await pilot.press("enter")
        table = app.screen.query_one("#sites", DataTable)
        assert cells(table, 1) == ["LI4 Hegu", "LR3 Taichong"]

    drive(store, steps)
    (protocol,) = store.protocols(1)
    assert (protocol["name"], protocol["technique"]) == ("four gates", "acupuncture")
    assert protocol["sites"] == [
        {"target": "LI4", "side": "bilateral"},
        {"target": "LR3", "side": "bilateral"},
    ]


def test_void_asks_why_and_history_shows_who_when_why(store) -> None:  # type: ignore[no-untyped-def]
    record = store.last_session(1)["record_id"]

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1001", "tab", "tab", "tab", "enter")
        assert isinstance(app.screen, SessionScreen) and app.screen.record_id == record
        await pilot.press("ctrl+s")  # nothing changed: nothing to amend
        assert store.session_history(record)[-1]["version"] == 1
        await pilot.press("f8")
        assert isinstance(app.screen, AskText)
        await pilot.press("enter")  # a void needs a reason
        assert isinstance(app.screen, AskText)
        await pilot.press(*"wrong patient", "enter")
        assert isinstance(app.screen, HomeScreen)
        await pilot.press(*"1001", "tab", "tab", "tab")
        table = app.screen.query_one("#patient-sessions", DataTable)
        assert [str(c) for c in table.get_row_at(0)][4] == "void"  # shown, marked

    drive(store, steps)
    history = store.session_history(record)
    assert [(v["version"], v["status"], v["amend_reason"]) for v in history] == [
        (1, "active", None),
        (2, "void", "wrong patient"),
    ]
    assert store.session(record) is None


def test_history_screen_lists_versions(store) -> None:  # type: ignore[no-untyped-def]
    record = store.last_session(1)["record_id"]
    before = store.session(record)
    from sessionlog.domain import parse_session

    changed = {
        **before,
        "pain_after": 4,
        "sites": before["sites"][:3],
        "started_at": "2026-11-16 09:00",
    }
    store.amend_session(record, parse_session(changed, now=ts.NOW), 1, "GB21 was not needled")

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1001", "tab", "tab", "tab", "f3")
        assert isinstance(app.screen, HistoryScreen)
        table = app.screen.query_one("#versions", DataTable)
        # Why is in the details under the table; what changed wraps to the width left.
        assert [str(c).replace("\n", " ") for c in table.get_row_at(1)] == [
            "2",
            "current",
            "2026-11-23 10:30",
            "Dr Ada Lin",
            "pain after 3 -> 4; sites -GB21 right",
        ]
        assert "Why: GB21 was not needled" in str(app.screen.query_one("#version-details").render())

    drive(store, steps)
