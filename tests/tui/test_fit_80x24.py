"""Every screen can be read at 80x24, 100x30 and 120x40 (issue 14 defect 14): no key of
the footer, no column of Home, no long name cut off. Checked on the screen's text."""

from __future__ import annotations

import pytest
import tui_scenarios as ts

from sessionlog.demo import build_demo
from sessionlog.domain import parse_patient
from sessionlog.store import Store
from sessionlog.tui.widgets.footer import KeyLine

SIZES = ((80, 24), (100, 30), (120, 40))
LONG_NAME = "Maximiliane Oyelaran-Fitzgerald"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_footer_key_and_home_column_shows_in_full(store, size) -> None:  # type: ignore[no-untyped-def]
    store.add_patient(
        parse_patient({"chart_id": "3001", "name": LONG_NAME, "birth_year": 1970}, this_year=2026)
    )

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"3001")  # the long name's patient, found
        await pilot.pause()
        text = ts.screen_text(app)
        [line] = app.screen.query(KeyLine)
        for key in line.keys:
            if key.key != "ctrl+p":  # the palette's key may give way; Ctrl+P still works
                assert f"{key.display} {key.description}" in text, key
        assert LONG_NAME in text
        assert "Last visit" in text and "Technique" in text  # headings of both lists
        await pilot.press("escape", *"1001")
        await pilot.pause()
        text = ts.screen_text(app)
        assert "2026-11-16" in text  # Maria Keller's last visit, in full
        assert "Lena Fischer" in text  # today's session: its patient
        assert "Dry needling" in text  # and its technique, by its one name

    ts.run_app(ts.make_app(store), steps, size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_compare_curves_x_axis_is_on_the_screen(size) -> None:  # type: ignore[no-untyped-def]
    # At 80x24 the framed filters took six rows and both charts shared the pane: the
    # curves' x-axis (immediate ... 12w+) was below the bottom, and nothing scrolled.
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        app.animation_level = "none"
        await pilot.press("f7")
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.screen.query_one("#cmp-tabs").active = "tab-curves"
        await pilot.pause()
        plot = app.screen.query_one("#cmp-curves")
        footer_top = app.screen.query_one("Footer").region.y
        assert plot.region.height >= 10 and plot.region.bottom <= footer_top
        text = ts.screen_text(app)
        for tick in ("immediate", "72h", "1-4w", "time since the session"):
            assert tick in text

    store = Store.open(":memory:", clock=ts.clock)
    build_demo(store, patients=9, months=3, today=ts.NOW.date())  # enough for curves
    ts.run_app(ts.make_app(store), steps, size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_form_shows_the_patient_line_and_every_technique_whole(store, size) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1001", "enter")
        await pilot.pause()
        text = " ".join(ts.screen_text(app).split())  # a line wrapped reads on
        assert "last 2026-11-16: Acupuncture, 4 sites (Ctrl+R repeats)" in text
        for name in ("Electro-acupuncture", "Electrical dry needling", "IMS"):
            assert name in text  # the picker, each technique by its one name

    ts.run_app(ts.make_app(store), steps, size)
