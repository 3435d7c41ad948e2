"""A terminal paste reaches the app whole, in order and cleaned, escapes and all.

Textual's input parser (``XTermParser``, Textual 8.2.8) reads an escape character inside
a bracketed paste as the start of a key sequence: ``abc<ESC>[31mdef`` pasted into a
field arrived as the keys ``^ [ 3 1 m d e f`` followed by a paste of ``abc``, and was
saved as ``^[31mdefabc`` (review17 #7). The app's own cleaning of pastes
(``SessionlogApp.on_event``) never saw it: what came were keys.

``PasteCleaningParser`` sits in front of that parser: it passes everything on as it
comes (the start marker too, even split across reads), but holds a paste's text until
its end marker and then gives the parser the text cleaned as the command line cleans its arguments
(``domain.text.clean_text``: escape sequences and control characters removed whole),
which holds no escape character for the parser to misread. ``install`` makes a
driver use it: the terminal's (``quick_exit.QuickExitDriver``) and the browser's
(``SessionlogApp.get_driver_class``).
"""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType
from typing import Any

from textual._xterm_parser import XTermParser

from ..domain.text import clean_text

START, END = "\x1b[200~", "\x1b[201~"
HOLD_AT_MOST = 1 << 20  # characters of one paste held before they are passed on cleaned


def _partial_tail(data: str, marker: str) -> int:
    """How many characters at the end of ``data`` begin ``marker`` (fewer than the
    whole marker); 0 if none."""
    for size in range(min(len(marker) - 1, len(data)), 0, -1):
        if data.endswith(marker[:size]):
            return size
    return 0


class PasteCleaningParser(XTermParser):
    """``XTermParser`` whose bracketed pastes arrive as one cleaned ``Paste`` event."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held = ""  # a paste's text not yet passed on (and its end marker's start)
        self._in_paste = False
        self._passed = ""  # the last characters passed on: a start marker may span reads

    def feed(self, data: str) -> Iterable[Any]:
        if not data:  # the end of the input: what is held goes on as it is, then the end
            held, self._held = self._held, ""
            return [*(super().feed(held) if held else ()), *super().feed("")]
        now = self._take(self._held + data)
        return list(super().feed(now)) if now else []  # feed("") would be the end

    def _take(self, data: str) -> str:
        """What of ``data`` the parser may have now; the rest is kept in ``_held``."""
        out: list[str] = []
        self._held = ""
        while data:
            if not self._in_paste:
                seen = self._passed + data
                start = seen.find(START)
                if start < 0:
                    out.append(data)
                    self._passed = seen[-(len(START) - 1) :]
                    break
                through = start + len(START) - len(self._passed)  # the marker's end in data
                out.append(data[:through])
                data, self._passed, self._in_paste = data[through:], "", True
            else:
                end = data.find(END)
                if end < 0:
                    keep = _partial_tail(data, END)
                    if len(data) - keep > HOLD_AT_MOST:  # a paste with no end in sight
                        out.append(clean_text(data[: len(data) - keep], multiline=True))
                        data = data[len(data) - keep :]
                    self._held = data
                    break
                out.append(clean_text(data[:end], multiline=True) + END)
                data, self._in_paste = data[end + len(END) :], False
        return "".join(out)


def install(driver_module: ModuleType) -> None:
    """Make a Textual driver module (it names ``XTermParser`` when its input thread
    starts) read input with ``PasteCleaningParser``."""
    if getattr(driver_module, "XTermParser", None) is XTermParser:
        driver_module.XTermParser = PasteCleaningParser  # type: ignore[attr-defined]
