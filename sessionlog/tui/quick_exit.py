"""The terminal driver without Textual's idle tenth of a second at every quit.

Textual's Linux driver stops its input thread (on quit, and when the app suspends) by
setting an event and joining the thread. The thread's loop wakes from its
``select(0.1)``, unregisters the terminal and then selects once more, "final", on a
selector with nothing registered in it: ``select`` on no descriptor sleeps the whole
timeout. So every quit waited 100-200 ms for the thread (profiled on the user's path:
``disable_input`` was 203 ms of a 220 ms shutdown; the bare Textual app pays it too).

:class:`QuickExitDriver` is Textual's driver with one difference: its input thread's
selector returns at once when nothing is registered (there is nothing to wait for),
so the thread ends as soon as it is told to. Everything else is Textual's own.
"""

from __future__ import annotations

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


class QuickExitDriver(LinuxDriver):
    """Textual's Linux driver whose input thread ends without sleeping."""

    def run_input_thread(self) -> None:
        # The driver module names the selector through its module global `selectors`
        # (read when the thread starts): it is given the one above, once.
        if not isinstance(linux_driver.selectors, _Selectors):
            linux_driver.selectors = _Selectors("selectors")
        super().run_input_thread()
