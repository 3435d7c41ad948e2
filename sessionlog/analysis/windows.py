"""Time windows after a session, in which later pain and soreness are analysed.

Real follow-ups are irregular, so readings are grouped in windows rather than exact
days. A reading ``h`` hours after the session falls in a window when
``after_h < h <= until_h`` (``until_h`` None: no end).

Default pain windows (DOMAIN.md's trial timepoints), one after the other with no gap:

=========== ===================== =======================================
key         label                 hours after the session
=========== ===================== =======================================
immediate   immediately after     0 (the pain recorded at the session's end)
72h         up to 72 h            over 0, up to 72
1w          72 h to 1 week        over 72, up to 192 (the whole of day 7)
1-4w        1 to 4 weeks          over 192, up to 696 (day 29)
4-12w       4 to 12 weeks         over 696, up to 1992 (day 83)
12w+        12 weeks and later    over 1992
=========== ===================== =======================================

Week edges are padded by a day because visits drift by hours: a patient seen "a week
later" at a later hour still counts as one week, and one seen for the 12-week check a
day early counts as 12 weeks. So a label names the timepoint its window holds, and
:func:`window_edges` says its real edges ("over 8 days, up to 29 days"): the README,
``compare --help`` and the compare screen show them (:func:`edges_legend`). Every
reading after a session falls in one default window (a 6-week follow-up is "4 to 12
weeks"). Windows given with ``--windows`` may leave gaps: readings there are counted
as ``between`` and belong to no figure, so nothing is dropped silently.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..errors import ValidationError


@dataclass(frozen=True)
class Window:
    """A span of time after a session: ``after_h < hours <= until_h``."""

    key: str
    label: str
    after_h: float
    until_h: float | None

    def contains(self, hours: float) -> bool:
        return hours > self.after_h and (self.until_h is None or hours <= self.until_h)

    @property
    def immediate(self) -> bool:
        return self.after_h < 0 and self.until_h == 0


IMMEDIATE = Window("immediate", "immediately after", -1, 0)

DEFAULT_WINDOWS: tuple[Window, ...] = (
    IMMEDIATE,
    Window("72h", "up to 72 h", 0, 72),
    Window("1w", "72 h to 1 week", 72, 192),
    Window("1-4w", "1 to 4 weeks", 192, 696),
    Window("4-12w", "4 to 12 weeks", 696, 1992),
    Window("12w+", "12 weeks and later", 1992, None),
)

# Soreness is tracked at about 24, 48 and 72 h (DOMAIN.md): each point takes the
# readings within 12 h of it. Fixed, because soreness is a matter of days.
SORENESS_WINDOWS: tuple[Window, ...] = (
    Window("0h", "right after", -1, 0),
    Window("24h", "about 24 h", 12, 36),
    Window("48h", "about 48 h", 36, 60),
    Window("72h", "about 72 h", 60, 84),
)

# Durability compares the first window after the session with the last one.
DEFAULT_SHORT = "72h"
DEFAULT_LONG = "12w+"

MAX_WINDOWS = 12


def _span(hours: float) -> str:
    """72 -> "72 h"; 192 -> "8 days (192 h)" (a week's pad is easier seen in hours);
    696 -> "29 days"."""
    if hours <= 72 or hours % 24:
        return f"{hours:g} h"
    days = f"{hours / 24:g} days"
    return f"{days} ({hours:g} h)" if hours < 14 * 24 else days


def window_edges(w: Window) -> str:
    """A window's real edges in words: "over 8 days, up to 29 days"."""
    if w.immediate:
        return "at the session's end"
    if w.until_h is None:
        return f"over {_span(w.after_h).split(' (')[0]}"
    start = "over 0 h" if w.after_h <= 0 else f"over {_span(w.after_h).split(' (')[0]}"
    return f"{start}, up to {_span(w.until_h)}"


def edges_legend(windows: tuple[Window, ...]) -> str:
    """Every window's label with its edges, as one line."""
    return (
        "Windows by time since the session: "
        + "; ".join(f"{w.label} = {window_edges(w)}" for w in windows)
        + "."
    )


def window_index(hours: float, windows: tuple[Window, ...]) -> int | None:
    """The index of the window ``hours`` falls in, or None (before the session, or a gap)."""
    if hours < 0:
        return None
    for i, w in enumerate(windows):
        if w.contains(hours):
            return i
    return None


def old_enough(days_before_latest: int, window: Window) -> bool:
    """Whether a session ``days_before_latest`` whole days before the clinic's latest
    record could have a reading in ``window`` by then (day granularity: the cache
    counts sessions by date)."""
    return days_before_latest * 24 > window.after_h


def min_days(window: Window) -> int:
    """The fewest whole days before the latest record that :func:`old_enough` needs."""
    return max(0, math.floor(window.after_h / 24) + 1)


def check_windows(windows: tuple[Window, ...]) -> tuple[Window, ...]:
    """Refuse overlapping, unordered, duplicate or too many windows (ValidationError)."""
    if not windows or len(windows) > MAX_WINDOWS:
        raise ValidationError("windows", f"give from 1 to {MAX_WINDOWS} windows")
    keys = [w.key for w in windows]
    if len(set(keys)) != len(keys):
        raise ValidationError("windows", "two windows have the same name")
    for a, b in zip(windows, windows[1:], strict=False):
        if a.until_h is None or b.after_h < a.until_h:
            raise ValidationError(
                "windows", f"{a.label} and {b.label} overlap: give windows in time order"
            )
    for w in windows:
        if w.until_h is not None and w.until_h <= w.after_h:
            raise ValidationError("windows", f"{w.label} ends before it starts")
    return windows


_UNIT_HOURS = {"h": 1, "d": 24, "w": 168}
_PART = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([hdw])\s*$")


def _hours(text: str) -> float:
    if text.strip() == "0":
        return 0.0
    m = _PART.match(text)
    if not m:
        raise ValidationError(
            "windows",
            f"{text.strip()!r} is not a duration: a number and h, d or w (72h, 8d, 4w)",
        )
    return float(m.group(1)) * _UNIT_HOURS[m.group(2)]


def _fmt(hours: float) -> str:
    if hours and hours % 168 == 0:
        return f"{hours / 168:g}w"
    if hours >= 96 and hours % 24 == 0:  # 72h reads better than 3d
        return f"{hours / 24:g}d"
    return f"{hours:g}h"


def parse_windows(spec: str) -> tuple[Window, ...]:
    """Windows from text such as ``"72h, 72h-8d, 13d-29d, 83d-"``.

    Each item is ``FROM-TO`` (``-TO`` starts at the session, ``FROM-`` has no end),
    in hours (h), days (d) or weeks (w). The immediate window is always first.
    """
    windows = [IMMEDIATE]
    for item in (p for p in spec.split(",") if p.strip()):
        lo_text, sep, hi_text = item.partition("-")
        if not sep:
            lo_text, hi_text = "0h", lo_text
        lo = _hours(lo_text) if lo_text.strip() else 0.0
        hi = _hours(hi_text) if hi_text.strip() else None
        if hi is None:
            key = f"{_fmt(lo)}+"
        else:
            key = _fmt(hi) if lo == 0 else f"{_fmt(lo)}-{_fmt(hi)}"
        label = (
            f"{_fmt(lo)} and later"
            if hi is None
            else (f"up to {_fmt(hi)}" if lo == 0 else f"{_fmt(lo)} to {_fmt(hi)}")
        )
        windows.append(Window(key, label, lo, hi))
    if len(windows) == 1:
        raise ValidationError("windows", "give at least one window, e.g. 72h,72h-8d,83d-")
    return check_windows(tuple(windows))
