"""The terminal driver without Textual's idle tenth of a second at every quit.

Textual's Linux driver stops its input thread (on quit, and when the app suspends) by
setting an event and joining the thread. The thread's loop wakes from its
``select(0.1)``, unregisters the terminal and then selects once more, "final", on a
selector with nothing registered in it: ``select`` on no descriptor sleeps the whole
timeout. So every quit waited 100-200 ms for the thread (profiled on the user's path:
``disable_input`` was 203 ms of a 220 ms shutdown; the bare Textual app pays it too).

:class:`QuickExitDriver` is Textual's driver with one difference: its input thread's
selector returns at once when nothing is registered (there is nothing to wait for),
so the thread ends as soon as it is told to.

It also notices when the terminal goes away. Textual's thread reads the terminal when
select says it is ready; a terminal closed without a hangup signal reaching the app (a
window closed under a multiplexer, a harness that sends none) is always "ready" and
reads end-of-file, which the thread skipped, then selected again: the app stayed, a
core at 60-70% and its database open, until killed. Here the end of the input ends
the thread and quits the app, as Ctrl+Q with nothing to ask would: the database is
closed as on any quit. A bracketed paste is read whole and cleaned
(``paste_parser.py``). Everything else is Textual's own.
"""

from __future__ import annotations

import os
import selectors
from types import ModuleType
from typing import Any

from textual.drivers import linux_driver
from textual.drivers.linux_driver import LinuxDriver


class QuickExitSelector(selectors.SelectSelector):
    """A select()-based selector that does not sleep when it has nothing to watch."""

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if not self.get_map():
            return []
        return super().select(timeout)


class _Selectors(ModuleType):
    """The ``selectors`` module as the driver sees it, with the selector above."""

    SelectSelector = QuickExitSelector

    def __getattr__(self, name: str) -> Any:
        return getattr(selectors, name)


class TerminalGone(Exception):
    """The terminal's input ended: nothing more can be typed."""


def _read(fd: int, size: int) -> bytes:
    """``os.read``, but the end of the terminal's input (end-of-file, or the error a
    hung-up terminal gives) raises :class:`TerminalGone`."""
    try:
        data = os.read(fd, size)
    except OSError as exc:
        raise TerminalGone from exc
    if not data:
        raise TerminalGone
    return data


class _Os(ModuleType):
    """The ``os`` module as the driver sees it, with the ``read`` above."""

    read = staticmethod(_read)

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)


class QuickExitDriver(LinuxDriver):
    """Textual's Linux driver whose input thread ends without sleeping, and ends the
    app when the terminal goes away."""

    def run_input_thread(self) -> None:
        # The driver module names the selector and os.read through its module globals
        # `selectors` and `os` (read when the thread starts): it is given the ones
        # above, once.
        if not isinstance(linux_driver.selectors, _Selectors):
            linux_driver.selectors = _Selectors("selectors")
        if not isinstance(linux_driver.os, _Os):
            linux_driver.os = _Os("os")
        from .paste_parser import install

        install(linux_driver)  # a paste arrives whole and cleaned (paste_parser.py)
        try:
            super().run_input_thread()
        except TerminalGone:
            self._app.call_later(self._app.exit)
