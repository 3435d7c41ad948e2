"""The line under a group of fields that says what is wrong with it (hidden when empty)."""

from __future__ import annotations

from textual.widgets import Label

from ..safe import plain


class ErrorLine(Label):
    """``#err-SLOT``: one group's problems, a sentence a line, shown as text."""

    def __init__(self, slot: str) -> None:
        super().__init__(id=f"err-{slot}", classes="error")
        self.slot = slot
        self.shown = ""  # what the line says now ("" when hidden)

    def show(self, text: str) -> None:
        """Say ``text`` under the fields ("" hides the line)."""
        if text == self.shown:
            return  # each update costs a layout pass: skip the ones that change nothing
        self.shown = text
        self.update(plain(text))
        self.set_class(bool(text), "-shown")
