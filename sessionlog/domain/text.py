"""Cleaning text that people type or paste, before it is stored or shown."""

from __future__ import annotations

import unicodedata

# Bidirectional controls can make a note display as something other than what is
# stored ("Trojan source"); they have no place in a clinical note.
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Remove control and bidirectional-override characters; keep newlines and tabs
    only where ``multiline``. Leading and trailing white space is stripped."""
    if value.isprintable():
        # No control, format (the bidirectional ones are format characters), surrogate,
        # private-use, unassigned or separator character but the plain space: nothing
        # below would be removed, so the loop is skipped (an import cleans millions).
        return value.strip()
    keep = {"\n", "\t"} if multiline else set()
    out = []
    for ch in value:
        if ch in keep:
            out.append(ch)
        elif ch in _BIDI:
            continue
        elif unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") or ch in ("\u2028", "\u2029"):
            if ch in ("\n", "\r", "\t"):
                out.append(" ")
            continue
        else:
            out.append(ch)
    return "".join(out).strip()


def next_chart_id(last: str) -> str:
    """The chart id after ``last`` in the clinic's own numbering: ``P0042`` gives
    ``P0043``, ``2026-009`` gives ``2026-010``, ``P9999`` gives ``P10000``; an id that
    does not end in digits gives ``""`` (no suggestion: the clinic numbers otherwise)."""
    stem = last.rstrip("0123456789")
    digits = last[len(stem) :]
    if not digits or not digits.isascii():
        return ""
    return f"{stem}{int(digits) + 1:0{len(digits)}d}"
