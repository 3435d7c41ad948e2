"""Keys reach the screen on top in the order they were typed, each after the one before.

Textual hands each key to the focused widget of the screen on top as it arrives, and
does not wait for the keys before it:

- a priority key's action (Ctrl+S) ran at once, before the keys typed just before it
  had reached their field: "0" and Ctrl+S typed together saved the "1" before it while
  the field showed 10. A priority key now first waits until they have;
- keys typed right after Ctrl+S, Escape or the "y" of "discard?" went to the form or
  dialog that key was closing, and were lost with it (a chart id typed while the form
  closed), and keys typed right after the Enter that opens a form went to Home. After
  a bound key or Enter, the keys that follow are held here until its action has run
  and the screens have settled, then handed to the one on top.

The app owns one :class:`KeyOrder` and calls it from its ``on_event`` and
``_check_bindings`` (see ``tui/app.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from textual import events
from textual.app import App
from textual.screen import Screen


class KeyOrder:
    """The keys held back while a key that may change the screen on top is handled."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.held: list[events.Key] | None = None  # keys waiting for the screens to settle
        self.holding: list[str] = []  # the key they wait for, then "done" once handled

    async def key(
        self, event: events.Key, dispatch: Callable[[events.Key], Awaitable[None]]
    ) -> None:
        """Hand ``event`` on with ``dispatch`` (Textual's own handling), or hold it until
        the keys before it are handled."""
        if self.held is not None:
            self.held.append(event)
            return
        screen = self.app.screen
        # A bound key (Ctrl+S, Escape, F5, the dialog's y...) or Enter (an Input's
        # submit, which may open a form): its action may change the screen on top.
        closing = event.key in screen.active_bindings or event.key == "enter"
        if closing:
            active = screen.active_bindings.get(event.key)
            if active is not None and active.binding.priority:  # runs before the focused
                await self.after_the_keys_before(screen)  # widget's queue: let it empty
            self.held, self.holding = [], [event.key]
        await dispatch(event)
        if closing:
            self.release_when_settled(screen, None)

    async def after_the_keys_before(self, screen: Screen[Any]) -> None:
        """Return once the keys typed before a priority key have reached their widgets
        (Ctrl+S runs at once: "0" and Ctrl+S typed together saved the "1" before it, and
        the field showed 10; other keys pass through the focused widget's queue, in
        order). Each widget takes its queue on its own task, so yielding lets them; the
        keys after this one wait in the app's."""
        for _ in range(100):  # bounded: a widget that keeps posting cannot hold a key
            if not any(
                node._message_queue.qsize() for node in screen.walk_children(with_self=True)
            ):
                return
            await asyncio.sleep(0)

    def binding_checked(self, key: str, found: bool, priority: bool) -> None:
        """The app ran (or looked for) ``key``'s binding: the screen's action, once the
        key has come back up from the focused widget; after that, the held keys may go on."""
        if self.holding == [key] and (found or not priority):
            self.holding.append("done")

    def release_when_settled(
        self, first: Screen[Any], seen: Screen[Any] | None, rounds: int = 0
    ) -> None:
        """Hand the held keys on once the key that may close ``first`` has been handled
        (or ``first`` is gone) and the screen on top has stayed the same, with nothing
        queued, from one look to the next."""
        app = self.app

        async def check() -> None:
            await asyncio.sleep(0)  # the other widgets' turn: a key on its way up
            screen = app.screen if app.screen_stack else None
            # Every node's queue: a message on its way up (an Input's Submitted, which
            # opens a form) passes through the containers between.
            quiet = screen is not None and not any(
                node._message_queue.qsize() for node in (app, *screen.walk_children(with_self=True))
            )
            done = "done" in self.holding or screen is not first
            settled = screen is seen and quiet and done
            if settled or screen is None or rounds >= 200:
                held, self.held, self.holding = self.held or [], None, []
                for key in held:
                    again = events.Key(key.key, key.character)
                    again.set_sender(app)
                    app.post_message(again)
            else:
                self.release_when_settled(first, screen or seen, rounds + 1)

        # Through the app's own queue (not after a refresh): while keys are held, the
        # app is never idle, and nothing waiting for it to be (a Pilot test) goes on.
        app.call_later(check)
