"""A number field that never drops a key silently.

Digits of any script are taken as ASCII digits (full-width ``７``, Arabic-Indic ``٧``:
the domain's :func:`~sessionlog.domain.text.ascii_digits`, as the CLI reads them); any
other key is refused with a :class:`KeyRefused` message that the screen shows in one
line under the field, instead of the key vanishing.
"""

from __future__ import annotations

from textual.message import Message

from ...domain.text import ascii_digits
from .field_input import FieldInput


class KeyRefused(Message):
    """A key a field cannot take: ``field`` (the domain's name) and why, in words."""

    def __init__(self, field: str, why: str) -> None:
        super().__init__()
        self.field = field
        self.why = why


class NumberInput(FieldInput):
    """Digits only (and ``-`` where ``signed``), up to ``digits`` of them."""

    def __init__(
        self, field: str, allowed: str, *, digits: int = 2, signed: bool = False, **kwargs
    ) -> None:
        sign = "[-+]?" if signed else ""
        super().__init__(restrict=rf"{sign}[0-9]{{0,{digits}}}", **kwargs)
        self.field = field
        self.allowed = allowed

    def insert(self, text: str, location: int) -> None:
        super().insert(ascii_digits(text), location)

    def replace(self, text: str, start: int, end: int) -> None:
        super().replace(ascii_digits(text), start, end)

    def restricted(self) -> None:
        self.post_message(KeyRefused(self.field, f"only {self.allowed} goes here"))
