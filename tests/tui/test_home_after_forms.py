"""Home after a form (issue 14 defect 12): the patient stays highlighted, the search is
ready for the next one, "/" does not type itself."""

from __future__ import annotations

import tui_scenarios as ts
from textual.widgets import Input, Static, TabbedContent

from sessionlog.tui.screens.home import HomeScreen


def test_home_keeps_the_patient_after_a_follow_up_and_an_amendment(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1001", "ctrl+f", "2", "ctrl+s")  # Maria Keller's follow-up
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.selected_patient() == 1
        search = app.screen.query_one("#search", Input)
        assert app.screen.focused is search
        await pilot.press(*"1002")  # the next patient: typed over, never "10011002"
        assert search.value == "1002"
        assert app.screen.selected_patient() == 2
        await pilot.press("escape", *"1001", "tab", "tab", "tab", "enter")  # her session
        await pilot.press("enter", "enter", "enter", "enter", "backspace", "4", "ctrl+s")
        await pilot.press(*"typo", "enter")  # the reason: amended
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.selected_patient() == 1

    ts.run_app(ts.make_app(store), steps)
    assert store.last_session(1)["version"] == 2


def test_slash_in_the_search_does_not_type_a_slash(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"ke", "/")
        assert app.screen.query_one("#search", Input).value == "ke"

    ts.run_app(ts.make_app(store), steps)


def test_f8_on_home_voids_the_highlighted_session_which_stays_listed_marked(store) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import DataTable

    from sessionlog.tui.screens.history import HistoryScreen

    record = store.last_session(1)["record_id"]

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1001", "tab", "tab", "tab", "f8", *"wrong patient", "enter")
        assert isinstance(app.screen, HomeScreen)
        table = app.screen.query_one("#patient-sessions", DataTable)
        assert [str(c) for c in table.get_row_at(0)][4] == "void"
        assert table.border_title == "Sessions of 1001 Maria Keller: 0 (+1 void)"
        table.focus()
        await pilot.press("enter")  # a void session opens as its history
        assert isinstance(app.screen, HistoryScreen)

    ts.run_app(ts.make_app(store), steps)
    assert [v["status"] for v in store.session_history(record)] == ["active", "void"]


def test_compare_curves_fit_the_screen_and_filters_are_kept(store) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import Select

    from sessionlog.tui.screens.compare import CompareScreen

    for size in ((80, 24), (120, 40)):

        async def steps(pilot, app):  # type: ignore[no-untyped-def]
            await pilot.press("f7")
            assert isinstance(app.screen, CompareScreen)
            await app.workers.wait_for_complete()
            app.screen.query_one("#cmp-tabs", TabbedContent).active = "tab-curves"
            await pilot.pause()
            plot = app.screen.query_one("#cmp-curves")
            # The whole chart, its x-axis labels at the bottom included, is on screen
            # above the footer.
            assert plot.region.height >= 10
            assert plot.region.bottom <= app.size.height - 1
            app.screen.query_one("#cmp-region", Select).value = "neck"
            await app.workers.wait_for_complete()
            await pilot.press("escape", "f7")
            await pilot.pause()
            assert app.screen.query_one("#cmp-region", Select).value == "neck"

        ts.run_app(ts.make_app(store), steps, size)


def test_the_durability_row_says_not_enough_data_where_the_table_does(store) -> None:  # type: ignore[no-untyped-def]
    from sessionlog.analysis.table import durability_rows, window_rows
    from sessionlog.services.reports import comparison_report

    result = comparison_report(store)
    said = " ".join(str(v) for row in window_rows(result) for v in row.values())
    assert "not enough data" in said  # two patients: too few everywhere
    for row in durability_rows(result):
        for side in (row["short"], row["long"]):
            assert "pts" not in side, side  # no figure where the table has none
            assert side == "-" or "not enough data" in side


def test_compare_tells_electro_acupuncture_apart_with_ctrl_g(store) -> None:  # type: ignore[no-untyped-def]
    from sessionlog.domain import parse_session

    store.save_session(
        parse_session(
            {
                "patient_id": 2,
                "practitioner_id": 1,
                "episode_id": 2,
                "technique": "electroacupuncture",
                "started_at": "2026-11-20 09:00",
                "consent": True,
                "pain_before": 6,
                "pain_after": 3,
                "sites": [{"target": "st36", "side": "left", "estim_frequency_hz": 2}],
            },
            now=ts.NOW,
        )
    )

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press("f7")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "electroacupuncture" not in [g.key for g in app.screen.result.groups]
        await pilot.press("ctrl+g")
        await app.workers.wait_for_complete()
        await pilot.pause()
        keys = [g.key for g in app.screen.result.groups]
        assert "electroacupuncture" in keys and "acupuncture" in keys
        assert "Each technique (Ctrl+G" in str(app.screen.query_one("#cmp-status").render())

    ts.run_app(ts.make_app(store), steps)


def _type_ahead(app, text: str) -> None:  # type: ignore[no-untyped-def]
    """Keys typed faster than the screens change: all queued at once, as a terminal
    delivers them, not one at a time after each is handled (as ``pilot.press`` does)."""
    from textual import events

    for key in ["enter" if c == "\n" else k for c, k in zip(text, ts.typed(text), strict=True)]:
        event = events.Key(key, {"space": " ", "enter": "\r"}.get(key, key))
        event.set_sender(app)
        app._driver.send_message(event)  # as Pilot sends a key, without its waits


def test_keys_typed_while_a_form_closes_reach_the_search(store) -> None:  # type: ignore[no-untyped-def]
    # In tmux: Escape, y and the next chart id typed at once; the chart id reached the
    # search before Home reset it for the patient just left, and was lost.
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "d", "y", "6", "enter", "escape")
        _type_ahead(app, "y1003")  # discard, then the next patient at once
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("shift")  # a key that types nothing: waits until all is handled
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.query_one("#search", Input).value == "1003"
        assert app.screen.selected_patient() == 3
        await pilot.press("enter", "a", "y", "4", "enter", *"st36", "enter", "ctrl+s")
        _type_ahead(app, "1004")  # saved: the next one typed while the form closes
        await pilot.pause()
        await pilot.press("shift")
        assert app.screen.query_one("#search", Input).value == "1004"
        assert app.screen.selected_patient() == 4

    ts.run_app(ts.make_app(store), steps)
    assert [s["pain_before"] for s in store.sessions(patient_id=3)] == [4]


def test_keys_typed_while_a_form_opens_reach_it(store) -> None:  # type: ignore[no-untyped-def]
    # In tmux: the technique's letter typed right after the Enter that opens the form
    # went to Home, and the form kept the last session's technique.
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1004")
        _type_ahead(app, "\nny5")  # open the form, electrical dry needling, consent, pain 5
        await pilot.pause()
        await pilot.press("shift")
        screen = app.screen
        assert not isinstance(screen, HomeScreen)
        assert screen.query_one("#f-pain_before", Input).value == "5"
        assert str(screen.query_one("#technique").value) == "electrical_dry_needling"

    ts.run_app(ts.make_app(store), steps)


def test_f8_on_home_says_the_readings_taken_at_the_session_go_with_it(store) -> None:  # type: ignore[no-untyped-def]
    # review17: readings outlived what they were recorded with; a void now takes them
    # out of every figure, and the question says so.
    from sessionlog.domain.scales import parse_scale_reading
    from sessionlog.tui.screens.modals import AskText

    record = store.last_session(1)["record_id"]
    for scale, total in (("NDI", 20), ("PSFS", 4)):
        store.add_scale_reading(parse_scale_reading(
            {"scale": scale, "patient_id": 1, "session_record_id": record,
             "at": "2026-11-16 08:50", "total": total}, now=ts.NOW), 1)  # fmt: skip

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1001", "tab", "tab", "tab", "f8")
        assert isinstance(app.screen, AskText)
        assert str(app.screen.query(Static).first().render()) == (
            f"Void session #{record} and the 2 scale readings taken with it (NDI, PSFS)? It"
            " stays in the record, marked void. Why?"
        )
        await pilot.press(*"wrong patient", "enter")
        assert isinstance(app.screen, HomeScreen)

    ts.run_app(ts.make_app(store), steps)
    assert store.scale_readings(1) == []
    assert store.conn.execute("SELECT count(*) FROM scale_reading").fetchone() == (2,)
