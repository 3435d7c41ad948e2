"""Faster, exact stand-ins for eight of plotext's inner functions (issue 17).

Building a patient's pain chart at 118x20 took 8 ms of the 32 a long history's progress
screen took: a third of it in four pure functions of plotext 5.3.2 that work one cell
or one point at a time (the text of the canvas, its background colours, each reading's
cell, the dots of the line between two readings). The stand-ins below give the same
values by the same arithmetic, only without a function call and a list per cell; on
anything they were not written for (other than plain numbers, NaN, infinities) they
hand over to plotext's own. :func:`install` puts them in place for plotext 5.3.2 only:
another version keeps its own code. ``tests/test_plotext_speed.py`` holds each to
plotext's original on random input and the charts to their snapshots.

Three more (``join``, ``get_lim``, ``hd_group``: flattening the series, their limits,
and the braille dots of the line's cells) took another 1.5 ms of a 400-session
patient's chart: their stand-ins skip plotext's per-element function calls the same way.
``insert_element`` (each cell a marker goes to: four method calls a cell) too; and the
check that data are plain numbers now looks at their types and their sum in C.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any

VERIFIED = "5.3.2"  # the plotext whose functions these were checked against
ORIGINAL: dict[str, Callable[..., Any]] = {}  # plotext's own, once installed

_FLOOR, _CEIL, _ISFINITE = math.floor, math.ceil, math.isfinite
_E8_UP, _E8_DOWN = 10**8, 10 ** (-8)  # as plotext's round(n, 8) computes them
_NUMBERS = frozenset((int, float))


def _plain(data: Sequence[object]) -> bool:
    """Only finite floats and ints (no bools, strings, None, NaN or infinities): the
    types checked in one pass, the values by their sum (a NaN or an infinity makes it
    NaN or infinite; a sum too large for a float says no too, and plotext's own
    function answers: slower, never wrong)."""
    if not {*map(type, data)} <= _NUMBERS:
        return False
    try:
        return _ISFINITE(sum(data))  # type: ignore[arg-type]
    except OverflowError:  # ints beyond a float's range
        return False


def get_matrix_data(data: list[Any], lim: list[float], bins: int) -> list[Any]:
    """plotext's: each value's cell, ``floor(round(0.5 + (bins - 1) * (v - lo) / (hi -
    lo), 8))`` with plotext's rounding (half up)."""
    if not _plain(data):
        return list(ORIGINAL["get_matrix_data"](data, lim, bins))
    lo, span, scale = lim[0], lim[1] - lim[0], bins - 1
    out = []
    for el in data:
        n = (0.5 + scale * (el - lo) / span) * _E8_UP
        f = _FLOOR(n)
        out.append(_FLOOR((f if n - f < 0.5 else _CEIL(n)) * _E8_DOWN))
    return out


def get_lines(x: list[Any], y: list[Any], *other: list[Any]) -> list[list[Any]]:
    """plotext's: the cells of the straight line between each two points (of whole
    cells), each point's marker, colour and style repeated along its segment."""
    n = len(x)
    if not (
        n
        and other
        and len(y) == n
        and all(len(el) == n for el in other)
        and {*map(type, x)} == {*map(type, y)} == {int}
    ):
        return list(ORIGINAL["get_lines"](x, y, *other))
    xl: list[Any] = []
    yl: list[Any] = []
    ol: list[list[Any]] = [[] for _ in other]
    for i in range(n - 1):
        x0, x1, y0, y1 = x[i], x[i + 1], y[i], y[i + 1]
        a = max(abs(x1 - x0), abs(y1 - y0))  # plotext's a - 1: the cells but the last
        if a:  # linspace(x0, x1, a + 1) without its last point, each made whole
            sx, sy = (x1 - x0) / a, (y1 - y0) / a
            xl += [int(x0 + k * sx) for k in range(a)]
            yl += [int(y0 + k * sy) for k in range(a)]
            for out, own in zip(ol, other, strict=True):
                out += [own[i]] * a
    xl.append(x[-1])
    yl.append(y[-1])
    for out, own in zip(ol, other, strict=True):
        out.append(own[-1])
    return [xl, yl, *ol]


def join(data: list[Any]) -> list[Any]:
    """plotext's: the lists in ``data`` flattened (each nested list in turn), the rest
    kept as they are."""
    out: list[Any] = []
    for row in data:
        if type(row) is not list:
            out.append(row)
        elif list in {*map(type, row)}:  # a nested list (the types gathered in C)
            out += join(row)
        else:
            out += row
    return out


def get_lim(data: list[Any]) -> list[Any]:
    """plotext's: the least and greatest value (0.5 and 1.5 times a single non-zero
    value; -1 and 1 for zero or no data)."""
    if not _plain(data):
        return list(ORIGINAL["get_lim"](data))
    m, big = min(data, default=0), max(data, default=0)
    if m != big:
        return [m, big]
    return [0.5 * m, 1.5 * m] if m != 0 else [-1, 1]


def hd_group(x: list[Any], y: list[Any], xf: list[int], yf: list[int]) -> tuple[Any, Any, Any]:
    """plotext's: the cells of high-definition dots (``x // xf``, ``y // yf``) and, for
    each, the dots set in it (rows bottom first, flattened). For one marker (the same
    factors for every point) of whole cells; anything else is plotext's own."""
    whole = all(type(el) is int for el in x) and all(type(el) is int for el in y)
    if not x or not whole or xf.count(xf[0]) != len(xf) or yf.count(yf[0]) != len(yf):
        return tuple(ORIGINAL["hd_group"](x, y, xf, yf))
    from plotext._utility import transpose

    fx, fy = xf[0], yf[0]
    cells: dict[tuple[int, int], list[list[int]]] = {}
    for xi, yi in zip(x, y, strict=False):
        key = (xi // fx, yi // fy)
        if key not in cells:
            cells[key] = [[0] * fx for _ in range(fy)]
        cells[key][yi % fy][xi % fx] = 1
    cx, cy = transpose(cells.keys(), 2)
    dots = [tuple(v for row in el[::-1] for v in row) for el in cells.values()]
    return cx, cy, dots


def set_canvas(self: Any) -> str:
    """plotext's ``matrix_class.set_canvas``: the rows top first, each run of cells of
    the same colours opened by its ANSI codes and closed by the reset code."""
    from plotext._utility import ansi_end, colors_to_ansi

    out = []
    cols = self.cols
    for row in self.Rows[::-1]:
        m, f, s, b = self.marker[row], self.fullground[row], self.style[row], self.background[row]
        start = 0
        for col in range(1, cols + 1):
            if col == cols or f[col] != f[start] or s[col] != s[start] or b[col] != b[start]:
                out.append(colors_to_ansi(f[start], s[start], b[start]))
                out.append("".join(m[start:col]))
                out.append(ansi_end)
                start = col
        out.append("\n")
    canvas = self.canvas = "".join(out)
    return canvas


def insert_element(
    self: Any,
    col: Any,
    row: Any,
    marker: Any,
    fullground: Any = None,
    style: Any = None,
    background: Any = None,
    check_canvas: Any = False,
) -> None:
    """plotext's ``matrix_class.insert_element``: one cell's marker and the colours
    given, when the cell is on the matrix (and, asked, on the canvas); without the
    four method calls a cell."""
    if check_canvas is not False and not (col in self.Cols_canvas and row in self.Rows_canvas):
        return
    if col in self.Cols and row in self.Rows:
        self.marker[row][col] = marker
        if fullground is not None:
            self.fullground[row][col] = fullground
        if background is not None:
            self.background[row][col] = background
        if style is not None:
            self.style[row][col] = style


def set_matrices(self: Any) -> None:
    """plotext's ``matrix_class.set_matrices``: blank markers, no colours, and the
    canvas colour inside the canvas area, the axes colour outside it."""
    from plotext._utility import no_color, space

    cols, rows = self.cols, self.Rows
    self.marker = [[space] * cols for _ in rows]
    self.fullground = [[no_color] * cols for _ in rows]
    canvas, axes = self.canvas_color, self.axes_color
    inner = [canvas if col in self.Cols_canvas else axes for col in self.Cols]
    self.background = [list(inner) if row in self.Rows_canvas else [axes] * cols for row in rows]
    self.style = [[no_color] * cols for _ in rows]


def install() -> bool:
    """Put the stand-ins in place (once); False, and plotext left as it is, when the
    installed plotext is not the one they were checked against."""
    if ORIGINAL:
        return True
    try:
        if version("plotext") != VERIFIED:
            return False
    except PackageNotFoundError:
        return False
    import plotext._utility as ut
    from plotext._matrix import matrix_class

    ORIGINAL.update(
        get_matrix_data=ut.get_matrix_data,
        get_lines=ut.get_lines,
        set_canvas=matrix_class.set_canvas,
        set_matrices=matrix_class.set_matrices,
        insert_element=matrix_class.insert_element,
        join=ut.join,
        get_lim=ut.get_lim,
        hd_group=ut.hd_group,
    )
    ut.join = join
    ut.get_lim = get_lim
    ut.hd_group = hd_group
    ut.get_matrix_data = get_matrix_data
    ut.get_lines = get_lines
    matrix_class.set_canvas = set_canvas
    matrix_class.set_matrices = set_matrices
    matrix_class.insert_element = insert_element
    return True
