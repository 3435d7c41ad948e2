"""Fixtures for the TUI tests: a seeded store, a fixed clock, no cursor blinking, and
settings written to a temporary file (never to the user's own config)."""

from __future__ import annotations

import asyncio
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
def lasting_toasts(monkeypatch: pytest.MonkeyPatch) -> None:
    """A toast the app raised stays in ``app._notifications`` until the test reads it:
    Textual reaps one 5 s after it was raised, by the wall clock, so on a loaded machine
    a test reading it later found another or none (test_terminal_walkthrough, seen
    failing under load). What a toast says is tested; how long it shows is Textual's."""
    from textual.notifications import Notification

    monkeypatch.setattr(Notification, "has_expired", property(lambda self: False))


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


def _busy(node: Any) -> bool:
    """``node`` has a message queued or in hand, a callback to run next, or is mounting."""
    return bool(
        node._message_queue.qsize()
        or getattr(node, "_in_hand", 0)
        or node._next_callbacks
        or not node._mounted_event.is_set()
    )


def _frame_due(screen: Any) -> bool:
    """``screen`` waits for its next frame: a layout, a repaint or ``call_after_refresh``."""
    return bool(
        screen._callbacks
        or screen._layout_required
        or screen._scroll_required
        or screen._repaint_required
        or screen._dirty_widgets
    )


async def _handled(app: Any, nodes: list[Any], timeout: float) -> bool:
    """Wait until each of ``nodes`` has run a callback queued after what it holds now (as
    Pilot's own wait does, for the busy nodes only); False after ``timeout`` seconds, or
    as soon as the app has failed (its nodes will never run the callbacks: a test of a
    crash waited out the whole timeout after each key)."""
    done = asyncio.Event()
    count = 0

    def one_done() -> None:
        nonlocal count
        count -= 1
        if not count:
            done.set()

    count = sum(bool(node.call_later(one_done)) for node in nodes)
    if not count:
        return True
    waits = [asyncio.ensure_future(done.wait()), asyncio.ensure_future(app._exception_event.wait())]
    try:
        await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()
    return done.is_set()


@pytest.fixture(autouse=True)
def keys_wait_for_their_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """After each key a test presses, wait until what it set off has been handled, before
    the next key, however slow the machine, and without sleeping on a clock.

    Pilot's own press sleeps 2 x 20 ms after each key until the process looks idle (little
    CPU time over the sleep): on a loaded machine a starved process looks idle too, and a
    key typed right after Enter could reach a form not mounted yet; on an idle one, the
    sleeps were most of a long form test's time. Here each key is posted to the app as
    Pilot would post it, then ``settle`` waits on the app's own state: while any node of
    the app and its current screen has a message queued or in hand (counted around
    Textual's dispatch), a callback to run next, or is still mounting, it waits for those
    nodes to run a callback queued behind that work; while a worker runs, it waits for the
    worker to finish; while a resize is held back (Textual sends it on after 1/120 s) it
    sends it on; while the screen has a layout, a repaint or a ``call_after_refresh`` due,
    it makes that frame at once, as Pilot's own pause does, rather than sleeping until
    the screen's 60 Hz timer would (16.7 ms after most keys). It returns after three
    passes in a row find nothing to wait for on the same screen; a screen pushed
    meanwhile is walked in the next pass. An animation the key started (a scroll) is
    waited for to its end, as Pilot's own press does."""
    import unicodedata

    from textual import events
    from textual.app import App
    from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
    from textual.message_pump import MessagePump
    from textual.pilot import Pilot

    press_keys = App._press_keys
    dispatch = MessagePump._dispatch_message

    async def counted(self: Any, message: Any) -> None:
        """Textual's dispatch, counting the messages a node has in hand (see ``_busy``)."""
        self._in_hand = getattr(self, "_in_hand", 0) + 1
        try:
            await dispatch(self, message)
        finally:
            self._in_hand -= 1

    monkeypatch.setattr(MessagePump, "_dispatch_message", counted)

    def key_event(key: str, app: App[Any]) -> events.Key:
        """The event Textual's own ``_press_keys`` makes for ``key``."""
        if len(key) == 1 and not key.isalnum():
            key = _character_to_key(key)
        try:
            char: str | None = unicodedata.lookup(
                _get_unicode_name_from_key(REPLACED_KEYS.get(key, key))
            )
        except KeyError:
            char = key if len(key) == 1 else None
        event = events.Key(key, char)
        event.set_sender(app)
        return event

    async def settle(app: App[Any]) -> None:
        quiet, seen, frames = 0, None, 0
        for _ in range(10_000):  # a chain of messages (Enter, submitted, push, mount)
            try:
                screen = app.screen
                nodes = [app, *screen.walk_children(with_self=True)]
            except Exception:  # an app that is closing
                return
            busy = [node for node in nodes if _busy(node)]
            if screen is not seen:
                quiet, seen = 0, screen
            if busy:
                quiet = 0
                if not await _handled(app, busy, timeout=5):  # a handler waiting for a later key
                    return
            elif working := [w for w in app.workers if not w.is_finished]:
                quiet = 0  # a worker a key or a tab set off (compare's figures): its result
                await app.workers.wait_for_complete(working)
            elif app._resize_event is not None:  # a resize Textual sends on after 1/120 s
                quiet = 0
                app._check_resize()  # what Textual's timer (or its idle handler) would call
                await asyncio.sleep(0)
            elif _frame_due(screen) and frames < 20:  # what the next frame lays out and runs
                quiet, frames = 0, frames + 1
                screen._on_timer_update()  # the frame now, as Pilot's own pause makes it
                await asyncio.sleep(0)
            elif (quiet := quiet + 1) > 2:
                return
            else:
                await asyncio.sleep(0)  # work scheduled on the loop (a mount, a push) starts

    async def press_and_settle(self: App[Any], keys: Any) -> None:
        for key in keys:
            if key.startswith("wait:"):
                await press_keys(self, [key])
                continue
            self.post_message(key_event(key, self))
            await settle(self)
            if self._animator._animations or self._animator._scheduled:
                await self._animator.wait_until_complete()  # a scroll the key set off
                await settle(self)

    monkeypatch.setattr(App, "_press_keys", press_and_settle)

    pause = Pilot.pause

    async def pause_and_settle(self: Pilot[Any], delay: float | None = None) -> None:
        """Pilot's pause without its guess at idleness (sleeping until the process uses
        little CPU): the same wait on the app's own state as after a key, then the frame
        Pilot's pause ends with. A test's or a snapshot's pause never ends while a message,
        a mount, a worker or a frame is still to come. A pause with a delay still sleeps
        it first (none of our tests asks for one)."""
        if delay is not None:
            await pause(self, delay)
        await self._wait_for_screen()
        await settle(self.app)
        self.app.screen._on_timer_update()
        paint(self.app)

    monkeypatch.setattr(Pilot, "pause", pause_and_settle)


def paint(app: Any) -> None:
    """Paint what changed on ``app``'s screen since it was last painted (see
    ``paint_when_looked_at``)."""
    app._paint_now = True
    try:
        app.screen._compositor_refresh()
    finally:
        app._paint_now = False


@pytest.fixture(autouse=True)
def paint_when_looked_at(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test app paints its screen when the test looks: at each ``pilot.pause()`` and in
    each screenshot, not after every key. Nothing sees a headless app's frames (Textual
    renders each one and drops it), and painting them was about a third of a form test's
    CPU (24 form tests: 58-60 s of CPU painting each frame, 41-42 s painting when looked
    at). What changed is not lost: the screen's changed regions add up until the next
    pause paints them all, and the test's end paints them too (a test may end on a key:
    ``run_test`` below), so a widget that fails to draw still fails the test; a
    screenshot draws the whole screen as before."""
    from contextlib import asynccontextmanager

    from textual.app import App
    from textual.screen import Screen

    refresh = Screen._compositor_refresh

    def compositor_refresh(self: Any) -> None:
        app = self.app
        if (
            app.is_headless
            and self is app.screen
            and not app.is_inline
            and not getattr(app, "_paint_now", False)
        ):
            self._dirty_widgets.clear()  # their regions wait in the compositor for ``paint``
            app._update_mouse_over(self)
            return
        refresh(self)

    monkeypatch.setattr(Screen, "_compositor_refresh", compositor_refresh)

    run_test = App.run_test

    @asynccontextmanager
    async def run_test_painting_its_end(self: App[Any], *args: Any, **kwargs: Any) -> Any:
        async with run_test(self, *args, **kwargs) as pilot:
            yield pilot
            if self._running and self.is_headless and self._screen_stack:
                self.screen._on_timer_update()  # a frame still due after the last key
                paint(self)

    monkeypatch.setattr(App, "run_test", run_test_painting_its_end)
