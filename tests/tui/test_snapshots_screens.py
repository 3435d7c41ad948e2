"""SVG snapshots of every screen at 80x24 and 120x40 (issue 14): seeded data, a fixed
clock, and nothing timed in the picture (no toast: no step here raises one; the
cursor does not blink, see conftest). Update with ``--snapshot-update`` and look at
the report before committing the new pictures.

Home, the form and the history show the five seeded patients; progress, the patient
view and compare show a small demo clinic (seeded, built for the fixed day), whose
tables are full: with two sessions they said "not enough data" and showed no figure
that could be cut."""

from __future__ import annotations

import pytest
import tui_scenarios as ts

from sessionlog.demo import build_demo
from sessionlog.store import Store

SIZES = ((80, 24), (120, 40))


async def _settled(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.app.workers.wait_for_complete()
    pilot.app.clear_notifications()  # a toast is timed: never in the picture
    await pilot.pause()


async def _home(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.press(*"1001")
    await _settled(pilot)


async def _form(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.press(*"1002", "enter", "a", "y", "7", "enter", *"st36 b", "enter")
    await pilot.press(*"li4 l ache", "enter")
    await _settled(pilot)


async def _history(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.press(*"1001", "tab", "tab", "tab", "f3")
    await _settled(pilot)


async def _progress(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.press(*"P0001", "f5")  # electro-acupuncture, three sessions, follow-ups
    await _settled(pilot)


async def _patient_view(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.press(*"P0001", "f6")
    await _settled(pilot)


def _compare(tab: str):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        # The tabs' underline slides to the tab chosen: a timed animation, never to be
        # caught half-way in the picture.
        pilot.app.animation_level = "none"
        await pilot.press("f7")
        await _settled(pilot)
        pilot.app.screen.query_one("#cmp-tabs").active = tab
        await pilot.wait_for_scheduled_animations()
        await _settled(pilot)

    return run_before


SCREENS = {
    "home": _home,
    "session_form": _form,
    "history": _history,
    "progress": _progress,
    "patient_view": _patient_view,
    **{
        f"compare_{tab}": _compare(f"tab-{tab}")
        for tab in ("relief", "curves", "responders", "complete", "soreness", "details")
    },
}


SEEDED = ("home", "session_form", "history")


def _demo() -> Store:
    store = Store.open(":memory:", clock=ts.clock)
    build_demo(store, patients=9, months=3, today=ts.NOW.date())
    return store


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare, screen: str, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = ts.make_app(None if screen in SEEDED else _demo())
    assert snap_compare(app, terminal_size=size, run_before=SCREENS[screen])
