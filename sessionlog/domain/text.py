"""Cleaning text that people type or paste, before it is stored or shown."""

from __future__ import annotations

import re
import unicodedata

# Bidirectional controls can make a note display as something other than what is
# stored ("Trojan source"); they have no place in a clinical note.
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


# Terminal escape sequences as a paste or a copied log brings them: CSI (colours,
# ``ESC[31m``), OSC (titles, links: ``ESC]...BEL``) and the two-character ones.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]"  # CSI, 7- and 8-bit
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC
    r"|\x1b[@-Z\\-_]"
)


def counted(n: int, noun: str) -> str:
    """``1 site``, ``2 sites``, ``0 sites``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def ascii_digits(text: str) -> str:
    """Digits in any script as ASCII digits: full-width ``７`` (and the full-width signs,
    ``－`` ``．``, by NFKC), Arabic-Indic ``٧`` and Devanagari ``७`` all become ``7``.
    Superscripts (``²``) are not decimal digits and stay as they are (then refused).
    The one place numbers typed in the app or given to the CLI are normalised."""
    if text.isascii():
        return text
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
        elif (digit := unicodedata.decimal(ch, None)) is not None:
            out.append(str(digit))
        elif "\uff01" <= ch <= "\uff5e":  # the full-width forms of ASCII
            out.append(unicodedata.normalize("NFKC", ch))
        else:
            out.append(ch)
    return "".join(out)


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Remove terminal escape sequences (whole: ``ESC[31m`` leaves nothing), control and
    bidirectional-override characters; keep newlines and tabs only where ``multiline``.
    Leading and trailing white space is stripped. The app cleans pasted text with this
    too, so a paste and a CLI argument are cleaned alike."""
    if value.isprintable():
        # No control, format (the bidirectional ones are format characters), surrogate,
        # private-use, unassigned or separator character but the plain space: nothing
        # below would be removed, so the loop is skipped (an import cleans millions).
        return value.strip()
    value = _ESCAPES.sub("", value)
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
