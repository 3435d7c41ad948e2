"""The patient view inside the real app: nothing but the deliberate chord leaves it."""

from __future__ import annotations

import asyncio
import html

import tui_scenarios as ts
from textual.command import CommandPalette

from sessionlog.tui.screens.patient_view import PatientViewScreen


def test_app_keys_cannot_leave_the_patient_view(store) -> None:  # type: ignore[no-untyped-def]
    async def body() -> None:
        app = ts.make_app(store)
        async with app.run_test(size=ts.SIZE) as pilot:
            await pilot.pause()
            await app.push_screen(PatientViewScreen(1))  # Maria Keller
            await pilot.pause()
            # quit (once), palette, compare, switch practitioner, escape: all refused
            for key in ("ctrl+q", "escape", "ctrl+p", "f7", "f2", "ctrl+o", "ctrl+n"):
                await pilot.press(key)
                if key == "ctrl+q":
                    await pilot.press("a")  # any other key disarms the chord
                await pilot.pause()
                assert app.is_running, key
                assert isinstance(app.screen, PatientViewScreen), key
                assert not any(isinstance(s, CommandPalette) for s in app.screen_stack), key
            text = html.unescape(app.export_screenshot()).replace("\xa0", " ")
            for _chart, name, *_ in ts.PATIENTS[1:]:
                assert name not in text
            await pilot.press("ctrl+q", "ctrl+q")
            await pilot.pause()
            assert app.is_running
            assert not isinstance(app.screen, PatientViewScreen)

    asyncio.run(body())
