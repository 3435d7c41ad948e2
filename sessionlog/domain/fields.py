"""Field-level validation: one value a user typed, checked and converted.

Each function names the field in its error and says what is allowed, e.g.
``pain_before: 11 is out of range: a whole number from 0 to 10``. The record parsers
in :mod:`.validate` are built from these.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from ..errors import ValidationError
from .text import ascii_digits, clean_text

T = TypeVar("T")
SQLITE_MAX_INT = 2**63 - 1


class InvalidRecord(ValidationError):
    """Several fields of one record are invalid; ``errors`` lists each of them."""

    def __init__(self, errors: list[ValidationError]) -> None:
        self.errors = errors
        first = errors[0]
        more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
        super().__init__(first.field, first.message + (more if len(errors) > 1 else ""))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def as_int(field: str, value: Any, lo: int, hi: int | None = None) -> int:
    """A whole number in ``lo..hi`` (``hi`` None: no upper bound)."""
    # The plain case first (an import checks millions): a whole number in range is
    # returned as it is, before the message below is even formatted.
    if type(value) is int and lo <= value <= SQLITE_MAX_INT and (hi is None or value <= hi):
        return value
    # An id's upper bound is SQLite's largest integer: not a range worth reading out.
    bounded = hi is not None and hi < SQLITE_MAX_INT
    allowed = f"a whole number from {lo} to {hi}" if bounded else f"a whole number, {lo} or more"
    if isinstance(value, bool):  # True is an int to Python, never a count or a score
        raise ValidationError(field, f"{value!r} is not a whole number: {allowed}")
    if _blank(value):
        raise ValidationError(field, f"is required: {allowed}")
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            raise ValidationError(field, f"{value!r} is not allowed: {allowed}")
        value = int(value)
    elif isinstance(value, str):
        text = ascii_digits(value.strip())  # "７" and "٧" are 7, as typed in the app
        # isdigit() alone lets "+-5" and "²" through to int(), which then raises.
        if not text.isascii() or not text.lstrip("+-").isdigit():
            raise ValidationError(field, f"{quoted(text)} is not a whole number: {allowed}")
        try:
            value = int(text)
        except ValueError:
            raise ValidationError(
                field, f"{quoted(text)} is not a whole number: {allowed}"
            ) from None
    elif not isinstance(value, int):
        raise ValidationError(field, f"{value!r} is not a whole number: {allowed}")
    if value > SQLITE_MAX_INT:  # an id beyond SQLite's integers would crash a query
        largest = allowed if bounded else f"the largest allowed is {SQLITE_MAX_INT}"
        raise ValidationError(field, f"{value} is too large: {largest}")
    if value < lo or (hi is not None and value > hi):
        raise ValidationError(field, f"{value} is out of range: {allowed}")
    return int(value)


def opt_int(field: str, value: Any, lo: int, hi: int | None = None) -> int | None:
    return None if _blank(value) else as_int(field, value, lo, hi)


def as_float(field: str, value: Any, lo: float, hi: float) -> float:
    """A finite number in ``lo..hi``. NaN is refused: SQLite would store it as NULL."""
    allowed = f"a number from {lo:g} to {hi:g}"
    if isinstance(value, bool):
        raise ValidationError(field, f"{value!r} is not a number: {allowed}")
    if _blank(value):
        raise ValidationError(field, f"is required: {allowed}")
    try:
        number = float(ascii_digits(value.strip()) if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise ValidationError(field, f"{quoted(value)} is not a number: {allowed}") from None
    except OverflowError:  # an integer too large for a float (JSON allows any length)
        raise ValidationError(field, f"is too large: {allowed}") from None
    if not math.isfinite(number) or not lo <= number <= hi:
        raise ValidationError(field, f"{value!r} is out of range: {allowed}")
    return number


def opt_float(field: str, value: Any, lo: float, hi: float) -> float | None:
    return None if _blank(value) else as_float(field, value, lo, hi)


def as_choice(field: str, value: Any, choices: Iterable[str]) -> str:
    """One of ``choices``; case, spaces and hyphens are forgiven (``Dry Needling``)."""
    options = tuple(choices)
    if _blank(value) or not isinstance(value, str):
        raise ValidationError(field, f"is required: one of {', '.join(options)}")
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in options:
        raise ValidationError(field, f"{quoted(value)} is not allowed: one of {', '.join(options)}")
    return key


def opt_choice(field: str, value: Any, choices: Iterable[str]) -> str | None:
    return None if _blank(value) else as_choice(field, value, choices)


def as_bool(field: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in (
        "yes",
        "y",
        "true",
        "1",
        "no",
        "n",
        "false",
        "0",
    ):
        return value.strip().lower() in ("yes", "y", "true", "1")
    raise ValidationError(field, f"{value!r} is not allowed: yes or no")


def opt_bool(field: str, value: Any) -> bool | None:
    return None if _blank(value) else as_bool(field, value)


def as_text(
    field: str, value: Any, *, max_len: int, required: bool = False, multiline: bool = False
) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(field, f"{value!r} is not text")
    text = clean_text(value, multiline=multiline)
    if required and not text:
        raise ValidationError(field, "is required")
    if len(text) > max_len:
        raise ValidationError(field, f"is {len(text)} characters long: at most {max_len} allowed")
    return text


def quoted(value: Any, longest: int = 40) -> str:
    """``value`` as an error message quotes it: whole when short, else its first
    characters and its length (3,000 pasted characters filled the screen)."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= longest:
        return repr(value)
    return f"{text[: longest - 16]!r}… ({len(text):,} characters)"


def as_datetime(field: str, value: Any, *, now: datetime | None = None) -> datetime:
    """A date and time: ISO ``2026-11-22 14:30`` (or a date alone, meaning midnight).

    With ``now`` given, more than a day in the future is refused (a mistyped year).
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(
                field, f"{quoted(value)} is not a date: use YYYY-MM-DD or YYYY-MM-DD HH:MM"
            ) from None
    else:
        raise ValidationError(field, "is required: a date, YYYY-MM-DD or YYYY-MM-DD HH:MM")
    if moment.tzinfo is not None or moment.microsecond:
        moment = moment.replace(tzinfo=None, microsecond=0)
    if moment.year < 1900:
        raise ValidationError(field, f"{quoted(value)} is too early: from 1900 on")
    if now is not None and moment > now + timedelta(days=1):
        raise ValidationError(field, f"{moment:%Y-%m-%d %H:%M} is in the future")
    return moment


def _collect(
    errors: list[ValidationError], fn: Callable[..., T], *args: Any, **kw: Any
) -> T | None:
    try:
        return fn(*args, **kw)
    except InvalidRecord as exc:
        errors.extend(exc.errors)
    except ValidationError as exc:
        errors.append(exc)
    return None


def _raise_if(errors: list[ValidationError]) -> None:
    if errors:
        raise InvalidRecord(errors)
