"""The correction form and Ctrl+R keep each site's own settings (review: opening a
correction and only adding a note gave a site on the stimulator with no Hz the other
site's 2 Hz). The rows saved are read back and compared field by field."""

from __future__ import annotations

from pathlib import Path

import tui_scenarios as ts
from helpers_site_variety import RESPONSE_COLUMNS, save_varied, site_rows
from textual.widgets import Input, TextArea

from sessionlog.tui.screens.session_form import SessionScreen


def _store(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "clinic.db"
    return ts.seeded_store(str(path)), path


def test_a_correction_of_pain_after_or_a_note_keeps_every_site_row(tmp_path: Path) -> None:
    store, path = _store(tmp_path)
    records = save_varied(store, 3, 1, 4)  # one of each electrical technique and more

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        for i, record_id in enumerate(records):
            app.push_screen(SessionScreen(3, record_id=record_id))
            await pilot.pause()
            form = app.screen
            assert isinstance(form, SessionScreen)
            if i % 2:  # only a note added, as the reviewer did
                form.query_one("#f-notes", TextArea).focus()
                await pilot.press(*"checked")
            else:
                form.query_one("#f-pain_after", Input).focus()
                await pilot.press("end", "backspace", "4")
            await pilot.press("ctrl+s", *"typo", "enter")
            await pilot.pause()
            assert not isinstance(app.screen, SessionScreen), record_id

    ts.run_app(ts.make_app(store), steps)
    store.close()
    for record_id in records:
        assert site_rows(path, record_id, 2) == site_rows(path, record_id, 1), record_id
    assert [s["estim_frequency_hz"] for s in site_rows(path, records[0], 2)] == [2.0, None]


def test_repeat_last_from_home_repeats_each_sites_own_settings(tmp_path: Path) -> None:
    store, path = _store(tmp_path)
    # Each patient's last session: the reviewer's case, and a drawn electrical one.
    last = {chart: save_varied(store, pid, 1, n)[-1] for chart, pid, n in
            (("1002", 2, 1), ("1003", 3, 2))}  # fmt: skip

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        for chart in last:
            await pilot.press(*chart, "ctrl+r")
            await pilot.pause()
            assert isinstance(app.screen, SessionScreen)
            await pilot.press("y", "5", "enter", "enter", "2", "ctrl+s")
            await pilot.pause()
            assert not isinstance(app.screen, SessionScreen), chart
            app.screen.query_one("#search", Input).value = ""

    ts.run_app(ts.make_app(store), steps)
    for chart, pid in (("1002", 2), ("1003", 3)):
        repeat = store.last_session(pid)
        assert repeat["record_id"] != last[chart]
        assert site_rows(path, repeat["record_id"], 1, RESPONSE_COLUMNS) == site_rows(
            path, last[chart], 1, RESPONSE_COLUMNS
        ), chart
    store.close()


def test_a_changed_hz_says_which_sites_take_it_and_which_keep_their_own(
    tmp_path: Path,
) -> None:
    from textual.widgets import Static

    store, path = _store(tmp_path)
    (record_id,) = save_varied(store, 3, 1, 1)  # trap 2 Hz on lead 1, levator no Hz

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        app.push_screen(SessionScreen(3, record_id=record_id))
        await pilot.pause()
        form = app.screen
        line = form.query_one("#settings-reach", Static)
        assert (form.query_one("#s-estim_hz", Input).value, line.display) == ("2", False)
        form.query_one("#s-estim_hz", Input).focus()
        await pilot.press("end", "backspace", "5")
        assert line.display
        assert str(line.render()) == "Hz 5: site 1 takes it; site 2 keeps its own (none)"
        await pilot.press("backspace", "2")  # back as it opened: nothing to say
        assert not line.display
        await pilot.press("backspace", "5", "ctrl+s", *"hz was 5", "enter")
        await pilot.pause()

    ts.run_app(ts.make_app(store), steps)
    store.close()
    sites = site_rows(path, record_id, 2)
    assert [(s["target"], s["estim_frequency_hz"]) for s in sites] == [
        ("upper trapezius", 5.0),
        ("levator scapulae", None),
    ]
