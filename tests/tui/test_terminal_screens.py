"""Defects found by using the app's other screens in a real terminal (history, void,
quitting, follow-ups, dialogs, compare), each typed here as it was there."""

from __future__ import annotations

import tui_scenarios as ts
from textual.widgets import DataTable, Input, Static

from sessionlog.domain import parse_session
from sessionlog.tui.screens.follow_up import FollowUpScreen
from sessionlog.tui.screens.history import HistoryScreen
from sessionlog.tui.screens.home import HomeScreen
from sessionlog.tui.screens.modals import AskText, ConfirmDiscard
from sessionlog.tui.screens.session_form import SessionScreen


def drive(app, steps, size=(120, 40)) -> None:  # type: ignore[no-untyped-def]
    ts.run_app(app, steps, size)


def test_history_shows_the_original_values_and_why_in_full(store) -> None:  # type: ignore[no-untyped-def]
    # At 120 columns the history showed both versions as "active", the reason cut off
    # ("Patient re-rated pain after: 4, no") and what changed off to the right: the
    # original pain score could not be read.
    record = store.last_session(1)["record_id"]
    before = store.session(record)
    reason = "Patient re-rated the pain after needling: it was 4, not 3 as first typed"
    store.amend_session(record, parse_session({**before, "pain_after": 4}, now=ts.NOW), 1, reason)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1001", "tab", "tab", "tab", "f3")
        history = app.screen
        assert isinstance(history, HistoryScreen)
        table = history.query_one("#versions", DataTable)
        assert [str(table.get_row_at(i)[1]) for i in (0, 1)] == ["replaced", "current"]
        details = str(history.query_one("#version-details").render())
        assert "Version 2 · current · recorded 2026-11-23 10:30 by Dr Ada Lin" in details
        assert f"Why: {reason}" in details
        assert "Changed: pain after 3 -> 4" in details
        assert "Pain: before 6, after 4" in details
        await pilot.press("up")
        details = str(history.query_one("#version-details").render())
        assert "Version 1 · replaced by version 2" in details
        assert "Pain: before 6, after 3" in details
        assert "Sites (4): ST36 both, LI4 both, SP6 both, GB21 R" in details

    drive(ts.make_app(store), steps)


def test_voiding_says_voided_not_amended(store) -> None:  # type: ignore[no-untyped-def]
    record = store.last_session(1)["record_id"]

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1001", "tab", "tab", "tab", "enter", "f8")
        await pilot.press(*"wrong patient", "enter")
        await pilot.pause()
        toasts = [str(n.message) for n in app._notifications]
        assert f"Voided: session #{record}" in toasts
        assert not any("Amended" in t for t in toasts)

    drive(ts.make_app(store), steps)
    assert store.session_history(record)[-1]["status"] == "void"


def test_ctrl_q_on_a_form_with_unsaved_changes_asks_first(store) -> None:  # type: ignore[no-untyped-def]
    # Escape asked before throwing a typed session away; Ctrl+Q quit at once, and it
    # was lost.
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "a", "y", "7", "enter", *"st36", "enter")
        await pilot.press("ctrl+q")
        assert app.is_running and isinstance(app.screen, ConfirmDiscard)
        await pilot.press("ctrl+q")  # again: still the one question
        assert sum(isinstance(s, ConfirmDiscard) for s in app.screen_stack) == 1
        await pilot.press("n")  # keep editing
        assert isinstance(app.screen, SessionScreen)
        assert [r.raw["target"] for r in app.screen.state.sites] == ["ST36"]
        await pilot.press("escape", "y")  # leave the form: nothing unsaved any more
        await pilot.press(*"1001", "ctrl+f", "3", "ctrl+q")  # a follow-up typed: asks too
        assert app.is_running and isinstance(app.screen, ConfirmDiscard)
        await pilot.press("y")
        await pilot.pause()
        assert not app.is_running

    drive(ts.make_app(store), steps)
    assert store.sessions(patient_id=2) == []


def test_leaving_either_form_asks_the_one_question_naming_it(store) -> None:  # type: ignore[no-untyped-def]
    # Escape and Ctrl+Q ask the same thing on the session form and the follow-up form.
    def question(app) -> str:  # type: ignore[no-untyped-def]
        assert isinstance(app.screen, ConfirmDiscard)
        return str(app.screen.query_one(Static).render())

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "a", "y", "7", "escape")
        assert question(app) == "Leave this session without saving? What you typed will be lost."
        await pilot.press("n", "ctrl+q")
        assert question(app) == (
            "Quit sessionlog and leave this session without saving? What you typed will be lost."
        )
        await pilot.press("n", "escape", "y")
        await pilot.press(*"1001", "ctrl+f", "3", "escape")
        assert question(app) == (
            "Leave this follow-up without saving? What you typed will be lost."
        )
        await pilot.press("n")
        assert isinstance(app.screen, FollowUpScreen)
        assert app.screen.query_one("#f-pain", Input).value == "3"
        await pilot.press("ctrl+q")
        assert question(app) == (
            "Quit sessionlog and leave this follow-up without saving? What you typed will be lost."
        )
        await pilot.press("n", "escape", "y")
        assert isinstance(app.screen, HomeScreen)

    drive(ts.make_app(store), steps)
    assert store.sessions(patient_id=2) == [] and store.follow_ups(1) == []


def test_ctrl_q_quits_at_once_when_nothing_is_unsaved(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "ctrl+q")  # a new form, nothing typed
        await pilot.pause()
        assert not app.is_running

    drive(ts.make_app(store), steps)


def test_follow_up_for_a_patient_without_sessions_says_so(store) -> None:  # type: ignore[no-untyped-def]
    # Ctrl+F on a new patient crashed the app with a traceback (Select.BLANK is not
    # "no selection" in this Textual).
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "ctrl+f")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, HomeScreen)
        toasts = [str(n.message) for n in app._notifications]
        assert "A follow-up follows a session: this patient has none yet." in toasts
        assert app.screen.query_one("#search", Input).value == "1002"  # still found
        assert app.screen.selected_patient() == 2
        from sessionlog.tui.screens.follow_up import FollowUpScreen

        await app.push_screen(FollowUpScreen(2))  # opened some other way: refuses, no crash
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, HomeScreen)

    drive(ts.make_app(store), steps)


def test_compare_shows_a_bad_filter_date(store) -> None:  # type: ignore[no-untyped-def]
    # The message was set on the status line with the class "error", which the form's
    # styles hide unless shown: a bad date left the screen silent.
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press("f7")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        await pilot.press("tab", "tab", "tab", "tab", *"2026-13-01", "enter")
        await pilot.pause()
        status = screen.query_one("#cmp-status")
        assert "since: '2026-13-01' is not a date: use YYYY-MM-DD" in str(status.render())
        assert status.display and status.region.height >= 1

    drive(ts.make_app(store), steps)


def test_a_correction_without_a_reason_says_why_it_waits(store) -> None:  # type: ignore[no-untyped-def]
    # Enter on an empty reason kept the dialog open with its message set on a line the
    # styles hide: nothing visible happened.
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1001", "tab", "tab", "tab", "enter", "f8", "enter")
        dialog = app.screen
        assert isinstance(dialog, AskText)
        error = dialog.query_one("#answer-error")
        assert str(error.render()) == "Voiding needs a reason: it is kept with the record"
        assert error.display and error.region.height >= 1

    drive(ts.make_app(store), steps)


def test_a_practitioner_without_a_name_is_refused_visibly(settings_file) -> None:  # type: ignore[no-untyped-def]
    from sessionlog.store import Store
    from sessionlog.tui.app import SessionlogApp
    from sessionlog.tui.screens.practitioner import PractitionerSetup

    store = Store.open(":memory:", clock=ts.clock)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        assert isinstance(app.screen, PractitionerSetup)
        await pilot.press(*["tab"] * 4, "enter")  # save with no name: refused
        error = app.screen.query_one("#err-name")
        assert str(error.render()).startswith("Name is required")
        assert error.display and error.region.height >= 1
        await pilot.press(*["shift+tab"] * 4, *"Sam Okafor", "tab", "tab")
        await pilot.press("tab", *"246810", "enter", *"246810", "enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)

    drive(SessionlogApp(store, clock=ts.clock), steps)
    assert [p["name"] for p in store.practitioners()] == ["Sam Okafor"]


def test_compare_tables_fit_120_columns(store) -> None:  # type: ignore[no-untyped-def]
    # The relief table was 152 characters wide: the responder rates ran off the right
    # edge at 120 columns (and the relief in percent at 100). They are in the
    # Responders tab now, and long headings take two lines.
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press("f7")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        relief = screen.query_one("#cmp-windows", DataTable)
        labels = [c.label.plain for c in relief.ordered_columns]
        assert "2+ points" not in labels and "Mean relief,\npoints (95% CI)" in labels
        assert relief.virtual_size.width <= 100
        responders = screen.query_one("#cmp-responder-table", DataTable)
        assert [c.label.plain.replace("\n", " ") for c in responders.ordered_columns] == [
            "Technique", "Window", "Patients, sessions", "Mean relief %", "2+ points", "30%+",
        ]  # fmt: skip
        assert responders.row_count == relief.row_count
        assert responders.virtual_size.width <= 120
        complete = screen.query_one("#cmp-complete", DataTable)
        assert [c.label.plain.replace("\n", " ") for c in complete.ordered_columns][3:] == [
            "Reading there", "2+ points if missing = none",
        ]  # fmt: skip
        assert complete.virtual_size.width <= 120

    drive(ts.make_app(store), steps)
