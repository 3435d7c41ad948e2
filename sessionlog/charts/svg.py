"""Self-contained SVG line charts for the take-home report: no scripts, no fonts fetched.

A chart is a score against the date, with an optional shaded band (the scale's
minimal clinically important change from the first score, or pain 2 points / 30%
below the first session's). Every piece of text is escaped: a chart only ever shows
numbers, dates and the titles given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 28, 34


@dataclass(frozen=True)
class Series:
    label: str
    points: tuple[tuple[datetime, float], ...]
    color: str = "#1f5fa8"
    line: bool = True
    named: bool = False  # its label written on the chart, beside its first point


def _fmt(v: float) -> str:
    return f"{v:.0f}" if v == int(v) else f"{v:.1f}"


def _ticks(lo: float, hi: float) -> list[float]:
    span = hi - lo
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100) if span / s <= 6)
    first = -(-lo // step) * step
    return [first + i * step for i in range(int((hi - first) // step) + 1)]


def line_chart(
    title: str,
    series: Sequence[Series],
    y_range: tuple[float, float],
    *,
    band: tuple[float, float] | None = None,
    band_label: str = "",
    caption: str = "",
) -> str:
    """An inline ``<svg>`` of the series against the date (x spaced by real time)."""
    lo, hi = y_range
    every = [p for s in series for p in s.points]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(title)}">',
        f'<title>{escape(title)}</title>',
        f'<text x="{LEFT}" y="16" class="t">{escape(title)}</text>',
    ]  # fmt: skip
    if not every:
        out.append(f'<text x="{LEFT}" y="{TOP + 30}">No readings yet</text></svg>')
        return "".join(out)
    t0 = min(p[0] for p in every)
    t1 = max(p[0] for p in every)
    days = max((t1 - t0).total_seconds() / 86400, 1.0)

    def x(at: datetime) -> float:
        return LEFT + (at - t0).total_seconds() / 86400 / days * plot_w

    def y(v: float) -> float:
        return TOP + (hi - v) / (hi - lo) * plot_h

    if band is not None:
        top, bottom = y(max(band)), y(min(band))
        out.append(
            f'<rect class="band" x="{LEFT}" y="{top:.1f}" width="{plot_w}"'
            f' height="{max(bottom - top, 1):.1f}" fill="#d8ecd8"><title>{escape(band_label)}'
            "</title></rect>"
        )  # fmt: skip
    for v in _ticks(lo, hi):
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}"'
            f' stroke="#ddd"/><text x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end">'
            f"{_fmt(v)}</text>"
        )  # fmt: skip
    # One date when the readings are all of one day (two would be drawn over each other).
    ends = ((t0, "start"), (t1, "end")) if t1.date() != t0.date() else ((t0, "start"),)
    for at, anchor in ends:
        out.append(
            f'<text x="{x(at):.1f}" y="{HEIGHT - 12}" text-anchor="{anchor}">'
            f"{at.date().isoformat()}</text>"
        )
    for s in series:
        # By time only: a session's before and after share its time, in that order.
        pts = sorted(s.points, key=lambda point: point[0])
        coords = " ".join(f"{x(a):.1f},{y(v):.1f}" for a, v in pts)
        if s.line and len(pts) > 1:
            out.append(
                f'<polyline fill="none" stroke="{s.color}" stroke-width="2" points="{coords}"/>'
            )
        if s.named and pts:
            # Beside its first point; ending at its last when it would run off the chart
            # (about 7 px a character at the chart's 11 px).
            (a, v), anchor = pts[0], "start"
            if x(a) + 6 + 7 * len(s.label) > WIDTH:
                (a, v), anchor = pts[-1], "end"
            left = x(a) + (6 if anchor == "start" else 0)
            out.append(
                f'<text x="{left:.1f}" y="{y(v) - 6:.1f}" text-anchor="{anchor}"'
                f' fill="{s.color}">{escape(s.label)}</text>'
            )
        for a, v in pts:
            out.append(
                f'<circle cx="{x(a):.1f}" cy="{y(v):.1f}" r="3.5" fill="{s.color}">'
                f"<title>{escape(s.label)} {a.date().isoformat()}: {_fmt(v)}</title></circle>"
            )
    if caption:
        out.append(f'<text x="{WIDTH - RIGHT}" y="16" text-anchor="end">{escape(caption)}</text>')
    out.append("</svg>")
    return "".join(out)
