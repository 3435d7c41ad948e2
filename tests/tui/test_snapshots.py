"""SVG snapshots at fixed sizes, seeded data and a fixed clock.

Update with ``pytest tests/tui/test_snapshots.py --snapshot-update`` and look at the
report before committing the new pictures.
"""

from __future__ import annotations

import tui_scenarios as ts


async def _form_with_sites(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.press(*"1001", "ctrl+r", "y", "8", "enter", *"hegu l ache", "enter")
    await pilot.press(*"st99", "enter")  # refused: its error shows under the entry
    pilot.app.clear_notifications()  # the "Repeated 4 sites" toast is timed: not pictured
    await pilot.pause()


async def _home(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.press(*"ke")
    await pilot.pause()


async def _light(pilot) -> None:  # type: ignore[no-untyped-def]
    pilot.app.theme = "textual-light"
    await _form_with_sites(pilot)


async def _follow_up(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.press(*"1001", "ctrl+f", "2")
    await pilot.pause()


def test_home_100x32(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(ts.make_app(), terminal_size=(100, 32), run_before=_home)


def test_home_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(ts.make_app(), terminal_size=(80, 24), run_before=_home)


def test_session_form_100x32(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(ts.make_app(), terminal_size=(100, 32), run_before=_form_with_sites)


def test_session_form_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(ts.make_app(), terminal_size=(80, 24), run_before=_form_with_sites)


def test_session_form_light_100x32(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(ts.make_app(), terminal_size=(100, 32), run_before=_light)


def test_follow_up_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(ts.make_app(), terminal_size=(80, 24), run_before=_follow_up)
