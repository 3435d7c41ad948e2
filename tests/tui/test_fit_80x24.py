"""Every screen can be read at 80x24, 100x30 and 120x40 (issue 14 defect 14): no key of
the footer, no column of Home, no long name cut off. Checked on the screen's text."""

from __future__ import annotations

import pytest
import tui_scenarios as ts

from sessionlog.domain import parse_patient
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
        assert "Dry needling" in text or "dry needling" in text  # and its technique

    ts.run_app(ts.make_app(store), steps, size)
