"""Keys that arrive in one burst (a fast typist, a macro, ``tmux send-keys``) land exactly
where they would at human speed across the technique and consent lines, which move focus
on a letter. (Enter in a text field can still be overtaken by keys sent in one burst;
typing at human speed is not affected.)

The terminal driver posts every key it read in one go to the App before the App yields,
so :func:`burst` does the same instead of pilot.press (which waits for idle after each key).
"""

from __future__ import annotations

import asyncio
import unicodedata

import tui_scenarios as ts
from textual import events
from textual.keys import _get_unicode_name_from_key
from textual.widgets import Input

from sessionlog.tui.screens.session_form import SessionScreen
from sessionlog.tui.widgets.choice import ConsentToggle, TechniquePicker


def key_event(key: str) -> events.Key:
    """The Key event the driver would produce for ``key`` ("y", "enter", "space", ...)."""
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(key))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


async def burst(pilot, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """Post all ``keys`` to the App before it gets a chance to run, then wait for idle."""
    app = pilot.app
    for key in keys:
        event = key_event(key)
        event.set_sender(app)
        app.post_message(event)
    for _ in range(3):  # forwarded and re-posted keys take a few hops to settle
        await pilot.pause()


def chars(text: str) -> list[str]:
    return ["space" if c == " " else c for c in text]


def open_form(store, steps):  # type: ignore[no-untyped-def]
    """Open a new session form for Tom Baker (1002) at human speed, then run ``steps``."""

    async def body():  # type: ignore[no-untyped-def]
        app = ts.make_app(store)
        async with app.run_test(size=ts.SIZE) as pilot:
            await pilot.pause()
            await pilot.press(*"1002", "enter")
            assert isinstance(app.screen, SessionScreen)
            assert isinstance(app.focused, TechniquePicker)
            await steps(pilot, app)

    asyncio.run(body())


def test_consent_then_pain_in_one_burst(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press("a")
        assert isinstance(app.focused, ConsentToggle)
        await burst(pilot, "y", "4", "5")
        assert app.screen.query_one("#consent", ConsentToggle).value is True
        assert app.screen.query_one("#f-pain_before", Input).value == "45"
        assert app.focused is app.screen.query_one("#f-pain_before", Input)

    open_form(store, steps)


def test_technique_consent_pain_in_one_burst(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await burst(pilot, "d", "y", "7")
        screen = app.screen
        assert screen.query_one("#technique", TechniquePicker).value == "dry_needling"
        assert screen.query_one("#consent", ConsentToggle).value is True
        assert screen.query_one("#f-pain_before", Input).value == "7"

    open_form(store, steps)


def test_the_last_digit_typed_with_ctrl_s_in_one_burst_is_saved(store) -> None:  # type: ignore[no-untyped-def]
    # "1" then "0" and Ctrl+S at once: Ctrl+S (a priority key) ran before the pain field
    # had taken its "0", and 1 was saved while the form showed 10.
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press("a", "y", "7", "enter", *"st36", "enter")
        app.screen.query_one("#f-pain_after", Input).focus()
        await pilot.press("1")
        await burst(pilot, "0", "ctrl+s")
        assert not isinstance(app.screen, SessionScreen)  # saved and closed

    open_form(store, steps)
    (row,) = store.sessions(patient_id=2)
    saved = store.session(row["record_id"])
    assert (saved["pain_before"], saved["pain_after"]) == (7, 10)


def test_a_follow_up_pain_typed_with_ctrl_s_in_one_burst_is_saved(store) -> None:  # type: ignore[no-untyped-def]
    before = len(store.follow_ups(1))

    async def body():  # type: ignore[no-untyped-def]
        app = ts.make_app(store)
        async with app.run_test(size=ts.SIZE) as pilot:
            await pilot.pause()
            await pilot.press(*"1001", "ctrl+f", "1")
            await burst(pilot, "0", "ctrl+s")

    asyncio.run(body())
    saved = store.follow_ups(1)
    assert len(saved) == before + 1
    assert max(saved, key=lambda f: f["id"])["pain"] == 10
