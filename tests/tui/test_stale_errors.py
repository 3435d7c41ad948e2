"""An error line says what is wrong now (issue 14 defect 12): once the field is put right
it goes at once, not at the next refused key; a refused key's line goes when the user
moves on."""

from __future__ import annotations

import tui_scenarios as ts
from test_needle_depth import _dry_needling_to_needle
from textual.widgets import Label

from sessionlog.tui.screens.session_form import SessionScreen


def error(screen: SessionScreen, slot: str) -> str:
    return str(screen.query_one(f"#err-{slot}", Label).render())


def test_a_save_error_goes_as_soon_as_its_field_is_fixed(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await _dry_needling_to_needle(pilot)
        await pilot.press(*"2x30", "ctrl+s")  # refused: 2 mm is no needle
        screen = app.screen
        assert error(screen, "settings").startswith("Needle diameter (mm): 2.0 is out of range")
        assert screen.query_one("#s-needle").has_class("-invalid")
        await pilot.press("home", *"0.")  # 0.2x30: put right, nothing refused
        assert screen.query_one("#s-needle").value == "0.2x30"
        assert error(screen, "settings") == ""
        assert not screen.query_one("#s-needle").has_class("-invalid")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, SessionScreen)  # saved

    ts.run_app(ts.make_app(store), steps)
    assert len(store.sessions(patient_id=3)) == 1


def test_a_missing_site_error_goes_when_a_site_is_added(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "a", "y", "7", "enter", "ctrl+s")
        screen = app.screen
        assert error(screen, "sites") != ""
        await pilot.press(*"st36", "enter")
        assert error(screen, "sites") == ""

    ts.run_app(ts.make_app(store), steps)


def test_a_refused_key_line_goes_when_the_user_moves_on(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "a", "y", "x")  # a letter in pain before
        screen = app.screen
        assert error(screen, "top") != ""
        await pilot.press("tab")  # on to the next field, nothing typed
        assert error(screen, "top") == ""

    ts.run_app(ts.make_app(store), steps)
