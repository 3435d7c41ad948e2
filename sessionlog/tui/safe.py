"""Showing user text as text: no markup interpretation, no control or bidi characters.

Textual's ``Label`` and ``Static`` read strings as markup, so a note containing ``[/]``
would crash the screen or restyle it. Everything a user typed goes through
:func:`plain` (a ``rich.text.Text``, never parsed as markup).
"""

from __future__ import annotations

from rich.text import Text

from ..domain.text import clean_text
from ..errors import SessionlogError, WriteFailed


def plain(value: object, style: str = "") -> Text:
    """User text as a Text that renders literally; ``None`` becomes an empty Text."""
    if value is None:
        return Text("", style=style)
    return Text(clean_text(str(value), multiline=True), style=style)


def not_saved(exc: SessionlogError, key: str = "Ctrl+S") -> Text:
    """Why a save failed, in one line ("the disk is full: nothing was saved; free space
    and press Ctrl+S again"); what was typed stays in the form."""
    if isinstance(exc, WriteFailed):
        return plain(exc.retry_with(key))
    return plain(f"Not saved: {exc}")
