"""Fixtures for the TUI tests: a seeded store, a fixed clock, no cursor blinking, and
settings written to a temporary file (never to the user's own config)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, TextArea

sys.path.insert(0, str(Path(__file__).parent))  # tui_scenarios, shared with the benchmark

import tui_scenarios  # noqa: E402


@pytest.fixture(autouse=True)
def no_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor makes snapshots differ from run to run."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)


@pytest.fixture(autouse=True)
def settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "tui.json"
    monkeypatch.setenv("SESSIONLOG_CONFIG", str(path))
    return path


@pytest.fixture
def store():  # type: ignore[no-untyped-def]
    s = tui_scenarios.seeded_store()
    yield s
    s.close()


@pytest.fixture(autouse=True)
def keys_wait_for_their_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """After each key a test presses, wait until what it set off has been handled, before
    the next key, however slow the machine.

    Pilot waits between keys until the process looks idle (little CPU time over a 20 ms
    sleep); on a loaded machine a starved process looks idle too, and a key typed right
    after Enter could reach a form not mounted yet. Here, after each key, every node of
    the app and its current screen is asked to run a callback after what it has queued
    (Pilot's own wait at the end of a press): a node busy in a handler runs it only once
    the handler is done. Passes repeat until one finds every queue empty and the same
    screen as the pass before; a screen pushed meanwhile is walked in the next pass."""
    from textual.app import App
    from textual.pilot import Pilot, WaitForScreenTimeout

    press_keys = App._press_keys

    async def settle(app: App[Any]) -> None:
        pilot, seen = Pilot(app), None
        for _ in range(50):  # a chain of messages (Enter, submitted, push, mount): a pass each
            try:
                screen = app.screen
                await pilot._wait_for_screen(timeout=5)  # a handler waiting for a later key
                nodes = [app, *app.screen.walk_children(with_self=True)]
            except (WaitForScreenTimeout, Exception):  # ... or an app that is closing
                return
            if app.screen is screen is seen and not any(n._message_queue.qsize() for n in nodes):
                return
            seen = app.screen

    async def press_and_settle(self: App[Any], keys: Any) -> None:
        for key in keys:
            await press_keys(self, [key])
            await settle(self)

    monkeypatch.setattr(App, "_press_keys", press_and_settle)
