"""What every chart shares: a fresh plotext figure, colours and markers, thinning.

Charts draw on a plotext figure handed in (the TUI's ``PlotextPlot.plt``, a subclass
of the same figure class), or on a fresh one whose text :func:`render` returns for
the command line. Never more than :data:`MAX_POINTS` points per series: longer
series are averaged into buckets first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import repeat
from operator import truediv
from typing import Any

from . import plotext_speed

MAX_POINTS = 1000
# A patient's progress chart: at most this many points per series. A 120-column
# terminal shows the chart 118 characters wide, 236 braille dots: more points are not
# seen, and plotext's build grows with them (a patient with 400 weekly sessions: 21 ms
# with MAX_POINTS, 13 ms with this, on a loaded 2-core machine).
PROGRESS_POINTS = 240
DATE_FORM = "Y-m-d"  # plotext's default is d/m/Y, and ISO text crashes it otherwise

FAMILY_COLORS = {"acupuncture": "green", "dry_needling": "red", "ims": "blue"}
TECHNIQUE_COLORS = {
    "acupuncture": "green",
    "electroacupuncture": "cyan",
    "dry_needling": "red",
    "electrical_dry_needling": "magenta",
    "ims": "blue",
}
TECHNIQUE_MARKS = {
    "acupuncture": "A",
    "electroacupuncture": "E",
    "dry_needling": "D",
    "electrical_dry_needling": "N",
    "ims": "I",
}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")

Figure = Any  # plotext's figure class (and textual-plotext's Plot) have no type stubs


def color_of(key: str) -> str:
    return FAMILY_COLORS.get(key) or TECHNIQUE_COLORS.get(key, "gray")


def new_figure() -> Figure:
    """A fresh, independent plotext figure (not plotext's global one)."""
    from plotext._figure import _figure_class

    plotext_speed.install()
    return _figure_class()


_FRESH = "_sessionlog_fresh"  # set on a figure just made by render: nothing to clear
_TAGS = "_sessionlog_tags"  # a figure's tags (:func:`tag`), placed as it is built


def prepare(plt: Figure) -> None:
    """Clear a figure for a new drawing and fix its date format. (A figure :func:`render`
    has just made is not cleared: clearing makes the figure anew, a millisecond a chart.)"""
    plotext_speed.install()  # (a figure the TUI made: plotext may not have them yet)
    if not getattr(plt, _FRESH, False):
        plt.clear_figure()
    setattr(plt, _FRESH, False)
    setattr(plt, _TAGS, [])
    plt.date_form(DATE_FORM)


def render(draw: Callable[[Figure], None], width: int, height: int, color: bool = False) -> str:
    """Draw on a fresh figure of ``width`` × ``height`` characters; return the text.

    Without ``color`` the text carries no ANSI codes (for pipes and files).
    """
    plt = new_figure()
    setattr(plt, _FRESH, True)
    draw(plt)
    if not color:
        plt.theme("clear")
    plt._limit_size(False, False)  # the size asked for: plotext's cut it to the terminal's
    plt.plotsize(width, height)
    text = build(plt)
    return text if color else _ANSI.sub("", text)


@dataclass(frozen=True)
class Tag:
    """A short text (a line's number) to be put beside the point (``x``, ``y``)."""

    text: str
    x: float
    y: float
    color: str


def tag(plt: Figure, text: str, x: float, y: float, color: str) -> None:
    """Put ``text`` beside the point (``x``, ``y``) when the figure is built
    (:func:`build`): on blank cells next to the point's, at whatever size it is built."""
    getattr(plt, _TAGS).append(Tag(text, x, y, color))


def build(plt: Figure) -> str:
    """``plt.build()``, with the figure's tags (:func:`tag`) placed on its cells.

    A tag is placed once the figure knows its size and what every cell holds: placed in
    data units at drawing time (plotext's ``text``), numbers begun days apart were
    pushed apart in columns of the narrowest chart, five columns at 200 (review20 #4),
    and could land on a reading."""
    tags: list[Tag] = getattr(plt, _TAGS, [])
    if not tags or not plt._no_plots or plt.monitor.fast_plot:
        return str(plt.build())
    plt._set_sizes()
    plt._build_matrix()
    monitor = plt.monitor
    place_tags(monitor.matrix, monitor.xlim[0], monitor.ylim[0], tags)
    monitor.matrix.set_canvas()
    return str(monitor.matrix.get_canvas())


def place_tags(matrix: Any, xlim: Sequence[float], ylim: Sequence[float], tags: list[Tag]) -> None:
    """Write each tag on blank cells of the plot area nearest its point's cell: above
    it, else beside or below it, else further out, ring by ring (:func:`_spots`); never
    over a mark, the frame or another tag, nor touching another tag on its row (never
    "23" for lines 2 and 3). Tags whose points share a cell, or neighbouring cells of
    one row, are written as one (``2-6``, ``1,3``: :func:`_together`), each number in
    its line's colour: written one by one, five lines begun days apart at one pain had
    their numbers pushed rows away, onto the pain-10 row (review21 #4). A tag with no
    blank spot left is not written."""
    cols, rows = matrix.Cols_canvas, matrix.Rows_canvas
    if not len(cols) or not len(rows) or None in (*xlim, *ylim) or xlim[0] == xlim[1]:
        return
    blank = " "
    marker = matrix.marker
    taken: set[tuple[int, int]] = set()  # tags' cells and the cell either side of each
    cells_of = [
        (cols.start + _cell(t.x, xlim, len(cols)), rows.start + _cell(t.y, ylim, len(rows)), t)
        for t in tags
    ]
    for col, row, text in _together(cells_of):
        size = len(text)
        for c, r in _spots(col, row, size, cols, rows):
            cells = [(c + k, r) for k in range(size)]
            if all(marker[r][x] == blank and (x, r) not in taken for x, r in cells):
                for k, (ch, color) in enumerate(text):
                    matrix.insert_element(c + k, r, ch, color)
                taken.update((x, r) for x in range(c - 1, c + size + 1))
                break


def _together(
    cells_of: list[tuple[int, int, Tag]],
) -> list[tuple[int, int, list[tuple[str, str]]]]:
    """The tags to write, as (column, row, characters with their colours): tags whose
    cells are on one row and at most a column apart, one after another, as one tag at
    the middle of their cells, numbers in a run as ``first-last`` (its dash in the first's
    colour), others joined by commas."""
    groups: list[list[tuple[int, int, Tag]]] = []
    for col, row, t in cells_of:
        last = groups[-1][-1] if groups else None
        if last is not None and last[1] == row and abs(last[0] - col) <= 1:
            groups[-1].append((col, row, t))
        else:
            groups.append([(col, row, t)])
    out = []
    for group in groups:
        col = (group[0][0] + group[-1][0]) // 2  # the middle of the cells they begin at
        out.append((col, group[0][1], _joined([t for *_, t in group])))
    return out


def _joined(tags: list[Tag]) -> list[tuple[str, str]]:
    """``2-6`` for tags 2, 3, 4, 5 and 6 (a run of three or more numbers); ``1,3`` and
    ``2,3`` otherwise. Each number in its tag's colour, a separator in the colour of the
    number before it."""
    runs: list[list[Tag]] = []
    for t in tags:
        run = runs[-1] if runs else None
        if (
            run
            and t.text.isdigit()
            and run[-1].text.isdigit()
            and int(t.text) == int(run[-1].text) + 1
        ):
            run.append(t)
        else:
            runs.append([t])
    chars: list[tuple[str, str]] = []
    for run in runs:
        if chars:
            chars.append((",", chars[-1][1]))
        shown = [run[0], run[-1]] if len(run) >= 3 else run
        for k, t in enumerate(shown):
            if k:
                chars.append(("-" if len(run) >= 3 else ",", chars[-1][1]))
            chars.extend((ch, t.color) for ch in t.text)
    return chars


def _cell(value: float, lim: Sequence[float], cells: int) -> int:
    """The cell of ``value`` on an axis of ``cells`` cells from ``lim[0]`` to ``lim[1]``,
    as plotext places a point."""
    return math.floor(0.5 + (cells - 1) * (value - lim[0]) / (lim[1] - lim[0]))


def _spots(col: int, row: int, size: int, cols: range, rows: range) -> Iterator[tuple[int, int]]:
    """Where a tag of ``size`` cells may start, nearest the cell (``col``, ``row``) first:
    ring by ring (a ring: the spots whose nearest cell is that many cells away, rows or
    columns), in each ring above before beside before below, and left before right;
    only spots wholly on the plot area. Each ring's spots only: a chart with no blank
    cell is looked over once, not once a ring."""
    for ring in range(1, max(len(cols), len(rows)) + 1):
        found = []
        for dr in range(-ring, ring + 1):
            if row + dr not in rows:
                continue
            if abs(dr) == ring:  # the ring's top or bottom row: every start within reach
                starts = range(col - size - ring + 1, col + ring + 1)
            else:  # the rows between: the spot ``ring`` columns left, and right
                starts = range(col - size - ring + 1, col + ring + 1, size + 2 * ring - 1)
            for start in starts:
                if cols.start <= start and start + size <= cols.stop:
                    gap = max(start - col, col - (start + size - 1), 0)
                    side = 0 if dr > 0 else 1 if dr == 0 else 2
                    found.append((abs(dr) + gap, side, start > col, start, row + dr))
        for *_, start, r in sorted(found):
            yield start, r


def thin(
    xs: Sequence[float], ys: Sequence[float], limit: int = MAX_POINTS
) -> tuple[list[float], list[float]]:
    """At most ``limit`` points: consecutive points averaged in equal-count buckets."""
    n = len(xs)
    if n <= limit:
        return list(xs), list(ys)
    size = -(-n // limit)
    return _bucket_means(xs, size), _bucket_means(ys, size)


def _bucket_means(values: Sequence[float], size: int) -> list[float]:
    """The mean of each ``size`` consecutive values (the last bucket may be short),
    summed left to right as ``sum`` of a slice does: the whole buckets in one pass
    (``zip`` leaves the short one out)."""
    whole = len(values) // size * size
    means = list(map(truediv, map(sum, zip(*[iter(values)] * size, strict=False)), repeat(size)))
    if whole < len(values):
        rest = values[whole:]
        means.append(sum(rest) / len(rest))
    return means


def whole_ticks(low: float, high: float, most: int = 6) -> list[int]:
    """Whole-number y ticks from ``low`` to ``high`` with a round step (1, 2, 5, 10, 20,
    25, 50...), at most ``most`` of them: plotext's own divide the axis evenly (8.3,
    16.7 on a 0-50 scale), figures nobody reads a scale in."""
    span = max(high - low, 1)
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500) if span / s <= most - 1)
    first = math.ceil(low / step) * step
    return list(range(first, math.floor(high) + 1, step))


def date_ticks(start: datetime, span_days: float, count: int = 5) -> tuple[list[float], list[str]]:
    """Tick positions (days since ``start``) and their dates as YYYY-MM-DD."""
    if span_days <= 0:
        return [0.0], [start.strftime("%Y-%m-%d")]
    steps = max(1, count - 1)
    ticks = [span_days * i / steps for i in range(steps + 1)]
    labels = [(start + timedelta(days=t)).strftime("%Y-%m-%d") for t in ticks]
    # Short spans repeat a date: keep the first of each.
    seen: set[str] = set()
    keep_t, keep_l = [], []
    for t, lab in zip(ticks, labels, strict=True):
        if lab not in seen:
            seen.add(lab)
            keep_t.append(t)
            keep_l.append(lab)
    return keep_t, keep_l
