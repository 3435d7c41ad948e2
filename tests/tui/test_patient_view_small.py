"""The patient view on a small terminal, and a paste too long for a kiosk field: at
40x10 its charts overlapped into stray lines ("0", "6 -----", "10 2026-09-21"), and a
100,000-character paste into the pain field was dropped without a word."""

from __future__ import annotations

import tui_scenarios as ts
from test_kiosk_follow_up import MARIA, clinic
from textual.widgets import Input, Label, Static

from sessionlog.tui.screens.kiosk_follow_up import KioskFollowUp
from sessionlog.tui.screens.patient_view import SMALL, PatientViewScreen


async def _settled(pilot, view, want: bool):  # type: ignore[no-untyped-def]
    """Wait frames for the layout check (a callback after a frame), not one pause."""
    for _ in range(100):
        if view.query_one("#pv-charts").display is want:
            return
        await pilot.pause()


def test_a_small_terminal_shows_words_and_a_line_instead_of_broken_charts() -> None:
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await app.push_screen(PatientViewScreen(MARIA))
        view = app.screen
        await _settled(pilot, view, False)
        assert view.query_one("#pv-charts").display is False
        small = view.query_one("#pv-small", Static)
        assert small.display and str(small.render()) == SMALL
        text = ts.screen_text(app)
        assert SMALL in " ".join(text.split())  # wrapped at 40 columns
        assert "┤" not in text and "└" not in text  # no piece of a chart
        await pilot.resize_terminal(80, 24)
        await _settled(pilot, view, True)
        assert view.query_one("#pv-charts").display is True and not small.display
        await pilot.resize_terminal(40, 10)
        await _settled(pilot, view, False)
        assert small.display

    ts.run_app(ts.make_app(clinic()), steps, size=(40, 10))


def test_a_paste_too_long_for_the_pain_field_is_said_in_one_line() -> None:
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await app.push_screen(PatientViewScreen(MARIA))
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, KioskFollowUp)
        pain = form.query_one("#kf-pain", Input)
        from textual import events

        # The paste goes to the focused field, as a terminal sends it.
        pain.post_message(events.Paste("7" * 100_000))
        await pilot.pause()
        assert pain.value == ""
        said = str(form.query_one("#kf-error", Label).render())
        assert said == (
            "Pain today takes a number from 0 to 10 (at most 4 characters): the pasted text"
            " (100,000 characters) was left out."
        )
        pain.post_message(events.Paste("6"))
        await pilot.pause()
        assert pain.value == "6" and str(form.query_one("#kf-error", Label).render()) == ""

    ts.run_app(ts.make_app(clinic()), steps, size=(80, 24))
