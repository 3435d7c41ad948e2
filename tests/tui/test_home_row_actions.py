"""Home's patient actions act on the row the practitioner is on (the focused list's
highlighted row), never on another list's cursor."""

from __future__ import annotations

import pytest
import tui_scenarios as ts

from sessionlog.tui.screens.follow_up import FollowUpScreen
from sessionlog.tui.screens.patient_view import PatientViewScreen
from sessionlog.tui.screens.progress import ProgressScreen
from sessionlog.tui.screens.session_form import SessionScreen

LENA, MARIA = 5, 1  # Lena Fischer (today's session), Maria Keller (seen a week ago)


@pytest.mark.parametrize(
    ("key", "screen_type"),
    [
        ("f6", PatientViewScreen),
        ("f5", ProgressScreen),
        ("ctrl+f", FollowUpScreen),
        ("ctrl+o", SessionScreen),
        ("enter", SessionScreen),
    ],
)
def test_an_action_on_todays_row_acts_on_that_rows_patient(store, key, screen_type) -> None:  # type: ignore[no-untyped-def]
    # The defect: Recent's cursor on Maria, Today's row on Lena; F6 showed Maria's chart
    # to Lena (and F5, Ctrl+F acted on Maria), while Enter opened Lena's session.
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press("down", "down")  # into Recent, onto its second row: Maria
        assert app.screen.listed_patient() == MARIA
        await pilot.press("tab")  # into Today: Lena's session
        assert app.screen.focused.id == "today"
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, screen_type)
        assert app.screen.patient_id == LENA

    ts.run_app(ts.make_app(store), steps)


def test_an_action_on_the_patients_sessions_acts_on_that_patient(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press("down", "down")  # Maria, whose sessions show below
        await pilot.press("tab", "tab")  # into her sessions
        assert app.screen.focused.id == "patient-sessions"
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, PatientViewScreen) and app.screen.patient_id == MARIA

    ts.run_app(ts.make_app(store), steps)


def test_enter_in_an_empty_search_opens_nobody(store) -> None:  # type: ignore[no-untyped-def]
    # The defect: back from a discarded form, the chart id typed next was lost (typed
    # while the form was still closing) and the Enter after it opened a session for the
    # first recent patient, whom nobody had chosen; it was saved for the wrong patient.
    # Enter in the search opens someone only when something was typed there; an empty
    # search says how to choose, and the list (Down, then Enter) still opens its row.
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        assert app.screen.focused.id == "search" and app.screen.focused.value == ""
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"
        assert [str(n.message) for n in app._notifications] == [
            "Type a chart id or name to find the patient (or Down to choose from the list)."
        ]
        await pilot.press(*"1001", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen) and app.screen.patient_id == MARIA

    ts.run_app(ts.make_app(store), steps)
