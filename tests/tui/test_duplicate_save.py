"""The form saving a session already saved says so under Started and keeps the form
(review17 #6: the same session saved twice was counted twice in every figure)."""

from __future__ import annotations

import tui_scenarios as ts
from textual.widgets import Label


def test_the_same_session_saved_again_is_refused_under_started(store) -> None:  # type: ignore[no-untyped-def]
    typed = [*"1002", "enter", "a", "y", "7", "enter", *"st36", "enter"]

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*typed, "ctrl+s")
        assert type(app.screen).__name__ == "HomeScreen"
        await pilot.press("ctrl+o")  # the same patient is still highlighted
        await pilot.press(*typed[2:], "ctrl+s")
        form = app.screen
        assert type(form).__name__ == "SessionScreen"  # kept, with what was typed
        shown = {line.id: str(line.render()) for line in form.query(".error") if str(line.render())}
        assert list(shown) == ["err-details"], shown
        said = shown["err-details"]
        assert form.query_one("#err-details", Label).region.height > 0  # on the screen
        assert said.startswith("Started: 1002 already has this session at ")
        assert said.endswith("nothing was saved; if it is another session, give it its own time")

    ts.run_app(ts.make_app(store), steps)
    assert len(store.sessions(patient_id=2)) == 1
