"""Errors the layers below the user interface raise.

Every error a user can cause names the field and says what is allowed, so the CLI and
the TUI can show it as one plain line.
"""

from __future__ import annotations


class SessionlogError(Exception):
    """Base class: an error whose message is meant for the user as it is."""


class ValidationError(SessionlogError, ValueError):
    """A value a user gave is not allowed. ``field`` names it; ``message`` says why."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class FollowUpLeftOut(ValidationError):
    """A session moved (in time, or to another episode) would leave a follow-up counting
    in no figure. ``message`` names the records by id, as the command line acts on them;
    ``in_words`` by their times only, as the form shows them (it shows no id)."""

    def __init__(self, field: str, message: str, in_words: str) -> None:
        self.in_words = in_words
        super().__init__(field, message)


class UnknownCode(ValidationError):
    """A point, muscle or spinal level that is not in the catalogue."""

    def __init__(self, field: str, text: str, suggestions: list[str]) -> None:
        self.text = text
        self.suggestions = suggestions
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(field, f"{text!r} is not a known point, muscle or spinal level{hint}")


class DatabaseError(SessionlogError):
    """The database cannot be used: not ours, newer than this code, damaged, locked."""


class WriteFailed(DatabaseError):
    """A write refused for a reason outside the record (a full disk, a read-only file,
    a failing disk): nothing was saved. ``reason`` and ``remedy`` are plain words."""

    def __init__(self, reason: str, remedy: str) -> None:
        self.reason = reason
        self.remedy = remedy
        super().__init__(f"{reason}: nothing was saved; {remedy} and try again")

    def retry_with(self, key: str) -> str:
        """The message for a screen where ``key`` saves again."""
        return f"{self.reason}: nothing was saved; {self.remedy} and press {key} again"
