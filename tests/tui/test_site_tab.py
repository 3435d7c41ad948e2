"""Tab after a site typed (issue 14, found in tmux): the digit typed next went into the
empty sites table and vanished instead of reaching "pain after". Reproduced in Pilot as
in tmux (not an artefact of either): Tab took the focus to the sites table."""

from __future__ import annotations

import tui_scenarios as ts
from textual.widgets import Label


def test_tab_after_a_typed_site_adds_it_and_goes_on_to_pain_after(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "d", "y", "6", "enter")
        await pilot.press(*ts.typed("upper trap r 3"), "tab", "4")
        screen = app.screen
        assert screen.query_one("#f-pain_after").value == "4"
        assert [r.raw["target"] for r in screen.state.sites] == ["upper trapezius"]
        assert screen.query_one("#site-entry").value == ""
        # From the empty entry Tab goes to the sites table (to edit a site), as before.
        await pilot.press("shift+tab", "shift+tab")
        assert app.focused.id == "site-entry"
        await pilot.press("tab")
        assert app.focused.id == "sites"

    ts.run_app(ts.make_app(store), steps, (80, 24))


def test_a_digit_on_the_sites_table_is_said_not_dropped(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "d", "y", "6", "enter")
        await pilot.press(*ts.typed("upper trap r 3"), "enter", "tab")
        assert app.focused.id == "sites"
        await pilot.press("4")
        line = str(app.screen.query_one("#err-sites", Label).render())
        assert line.startswith("Sites: '4' goes nowhere in the sites list")

    ts.run_app(ts.make_app(store), steps, (80, 24))
