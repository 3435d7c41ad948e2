"""A terminal paste holding an escape sequence reaches the app as one cleaned paste
(review17 #7: ``abc<ESC>[31mdef`` pasted into the protocol name was saved as
``^[31mdefabc``: Textual's parser turned the text after the escape into keys)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from textual import events
from textual._xterm_parser import XTermParser

from sessionlog.tui.paste_parser import PasteCleaningParser, install

PASTE = "\x1b[200~abc\x1b[31mdef\x1b[201~"


def _events(parser: XTermParser, chunks: list[str]) -> list[Any]:
    out: list[Any] = []
    for chunk in chunks:
        out += parser.feed(chunk)
    return out


def _described(found: list[Any]) -> list[str]:
    return [
        f"paste {e.text!r}" if isinstance(e, events.Paste) else f"key {e.key!r}"
        for e in found
        if isinstance(e, (events.Paste, events.Key))
    ]


def test_textual_alone_turns_the_paste_into_keys() -> None:
    """What the fix is for: Textual's own parser, on the same input."""
    assert _described(_events(XTermParser(), [PASTE]))[-1] == "paste 'abc'"


@pytest.mark.parametrize("size", [len(PASTE), 1, 2, 3, 5, 7])
def test_a_paste_with_an_escape_arrives_whole_and_cleaned(size: int) -> None:
    chunks = [PASTE[i : i + size] for i in range(0, len(PASTE), size)]
    assert _described(_events(PasteCleaningParser(), chunks)) == ["paste 'abcdef'"]


def test_keys_around_a_paste_keep_their_order() -> None:
    typed = "x\x1b[A" + PASTE + "y"  # a key, the Up arrow, the paste, a key
    found = _described(_events(PasteCleaningParser(), [typed]))
    assert found == ["key 'x'", "key 'up'", "paste 'abcdef'", "key 'y'"]


def test_a_lone_escape_is_still_the_escape_key() -> None:
    parser = PasteCleaningParser()
    assert _described(_events(parser, ["\x1b"])) == []  # the parser waits to time it out
    assert _described(list(parser.feed(""))) == ["key 'escape'"]


def test_a_paste_of_lines_keeps_its_lines() -> None:
    pasted = "\x1b[200~first\x1b[1mline\nsecond\x1b[201~"
    assert _described(_events(PasteCleaningParser(), [pasted])) == ["paste 'firstline\\nsecond'"]


def test_install_swaps_only_textuals_own_parser() -> None:
    driver = ModuleType("driver")
    driver.XTermParser = XTermParser  # type: ignore[attr-defined]
    install(driver)
    assert driver.XTermParser is PasteCleaningParser  # type: ignore[attr-defined]
    other = ModuleType("other")
    other.XTermParser = object  # type: ignore[attr-defined]
    install(other)
    assert other.XTermParser is object  # type: ignore[attr-defined]
