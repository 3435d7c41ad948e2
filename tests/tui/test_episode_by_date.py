"""A session entered late in the form goes into the episode of care under way on its
day, as `log` puts it, and the form's episode line says which before it is saved
(fixes18 found the form continuing an episode begun after the session's date)."""

from __future__ import annotations

from typing import Any

import tui_scenarios as ts
from textual.widgets import Input

from sessionlog.domain import Episode
from sessionlog.tui.screens.session_form import SessionScreen


def test_a_back_dated_session_goes_into_the_episode_of_its_day(tmp_path: Any) -> None:
    store = ts.seeded_store(str(tmp_path / "clinic.db"))
    later = store.add_episode(Episode(2, "hip pain", "hip", "2026-11-20"))  # Tom Baker

    async def steps(pilot: Any, app: Any) -> None:
        await pilot.press(*"1002", "enter")
        form = app.screen
        assert isinstance(form, SessionScreen)
        line = form.query_one("#episode-line")
        assert str(line.render()) == "hip pain · hip · since 2026-11-20  (F6: new)"
        form.query_one("#f-started_at", Input).value = "2026-11-10 09:00"
        await pilot.pause()
        assert str(line.render()) == "low back pain · low back · since 2026-11-01  (F6: new)"
        form.query_one("#f-started_at", Input).value = "2026-11-2"  # typing: not a date yet
        await pilot.pause()
        assert str(line.render()) == "low back pain · low back · since 2026-11-01  (F6: new)"
        form.query_one("#f-started_at", Input).value = "2026-11-21 09:00"
        await pilot.pause()
        assert str(line.render()) == "hip pain · hip · since 2026-11-20  (F6: new)"
        form.query_one("#f-started_at", Input).value = "2026-11-10 09:00"
        await pilot.press("a", "y", "7", "enter", *"st36", "enter", "ctrl+s")
        assert not form.is_current

    ts.run_app(ts.make_app(store), steps)
    (row,) = store.sessions(patient_id=2)
    saved = store.session(row["record_id"])
    assert saved is not None and saved["episode_id"] == 2
    assert later != 2
    store.close()


def test_a_new_complaint_typed_keeps_its_line_while_the_time_changes(tmp_path: Any) -> None:
    """review20 #3: F6 and a new complaint typed, then the time: the episode line switched
    to an existing episode beside the new complaint's row (the save made the new one).
    With the new-episode row open the line stays; closed again (F6), it follows the
    time; a time before every episode says the episode shown began after it."""
    store = ts.seeded_store(str(tmp_path / "clinic.db"))
    store.add_episode(Episode(2, "hip pain", "hip", "2026-11-20"))  # Tom Baker

    async def steps(pilot: Any, app: Any) -> None:
        await pilot.press(*"1002", "enter", "f6", *"knee pain", "tab", *"knee")
        form = app.screen
        assert isinstance(form, SessionScreen)
        line = form.query_one("#episode-line")
        shown = "hip pain · hip · since 2026-11-20  (F6: new)"
        form.query_one("#f-started_at", Input).value = "2026-11-10 09:00"
        await pilot.pause()
        assert str(line.render()) == shown
        assert form.query_one("#new-episode").display
        await pilot.press("f6")  # back to continuing an episode: the one of the time typed
        assert not form.query_one("#new-episode").display
        assert str(line.render()) == "low back pain · low back · since 2026-11-01  (F6: new)"
        form.query_one("#f-started_at", Input).value = "2026-10-01 09:00"
        await pilot.pause()
        assert str(line.render()) == (
            "hip pain · hip · since 2026-11-20  (F6: new); it began after 2026-10-01"
        )

    ts.run_app(ts.make_app(store), steps)
    store.close()
