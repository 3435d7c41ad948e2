"""Filling a DataTable with text that must fit the terminal, down to 80 columns.

The outcome screens show tables whose headings are longer than their figures
(``Mean relief, points (95% CI)`` over ``1.2 (0.9 to 1.5)``) and a few long cells
(``median day 2; by 72 h 72% (60-82%), 42/58 (14 patients)``). Laid out on one line
they ran off the right edge. Here long headings take two lines and long cells a line
per clause, so a column is as wide as its figures; in a :class:`FitTable`, the widest
columns then wrap at spaces until the table fits its width (at 80 columns the relief
table's intervals, the durability table and progress's last window were cut off). An
interval in brackets, ``(0.1 to 1.7)``, is never split across lines.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import repeat, zip_longest
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets._data_table import DuplicateKey, Row
from textual.widgets.data_table import RowKey

from ..domain.techniques import group_label
from .safe import plain
from .table_lines import draw_cell, draw_row_line

_LONG_HEADING = 10  # headings longer than this take two lines
_LONG_CELL = 40  # cells longer than this take a line per clause ("...; ...")


def _heading(text: str) -> str:
    """A long heading on two lines: after its comma, else at the space or slash nearest
    the middle (``Sessions/`` ``week``); a column is then as wide as its figures."""
    if len(text) <= _LONG_HEADING:
        return text
    if ", " in text:
        first, _, rest = text.partition(", ")
        return f"{first},\n{rest}"
    cuts = [i for i, c in enumerate(text) if c in " /"]
    if not cuts:
        return text
    cut = min(cuts, key=lambda i: abs(i - len(text) // 2))
    if text[cut] == "/":
        return f"{text[: cut + 1]}\n{text[cut + 1 :]}"
    return f"{text[:cut]}\n{text[cut + 1 :]}"


def _cell(text: str) -> str:
    # "median day 2; by 72 h 72% (60-82%), 42/58 (14 patients)": a clause a line.
    return text.replace("; ", ";\n") if len(text) > _LONG_CELL else text


def technique_name(key: str) -> str:
    """A technique's (or family's) one name, as the picker and every other place say it."""
    return group_label(key)


_NBSP = "\xa0"
_BRACKETS = re.compile(r"\([^()]{1,14}\)")  # an interval: "(0.1 to 1.7)", "(-10.5 to -2.3)"
_CHANGE = re.compile(r"[^\s(]+ \([^()\s]{1,5}\)")  # a figure and its change or n: "8 (+0)"

Columns = list[tuple[str, str]]  # (key, heading)
Rows = Sequence[Mapping[str, str | Text]]  # a Text cell keeps its style, wrapped or not
Layout = tuple[Columns, Rows]
# A narrower layout, or what makes it: made only when the wider ones do not fit (a
# 400-session patient's two merged layouts were 800 rows made and never shown at 120
# columns).
Narrower = Layout | Callable[[], Layout]


def _wrap(text: str, width: int, whole: bool) -> list[str]:
    """``text`` in lines of at most ``width`` where it has spaces to break at (a word
    longer than ``width`` keeps its line); its own line breaks kept, and with ``whole``
    an interval in brackets kept on one line."""
    if whole:
        text = _BRACKETS.sub(lambda m: m.group(0).replace(" ", _NBSP), text)
        text = _CHANGE.sub(lambda m: m.group(0).replace(" ", _NBSP), text)
    lines: list[str] = []
    for line in text.split("\n"):
        lines += textwrap.wrap(line, width, break_long_words=False) or [""]
    return [line.replace(_NBSP, " ") for line in lines]


def _widest(texts: Iterable[str]) -> int:
    return max((len(line) for t in texts for line in t.split("\n")), default=0)


def fit_cells(
    columns: list[list[str]],
    room: int,
    padding: int = 2,
    whole: bool = True,
    kept: Iterable[int] = (),
    cut: Mapping[int, int] | None = None,
) -> tuple[list[list[str]], bool]:
    """Each column's texts (its heading first) wrapped so that the columns, each with
    ``padding``, fit in ``room`` cells, and whether they do: the widest column gives way
    first, a cell at a time, down to its longest word (with ``whole``, its longest
    interval in brackets). The columns ``kept`` are never wrapped; those of ``cut``
    (index -> narrowest width) have their cells cut short with "…" instead, down to
    that width (their headings wrapped)."""
    texts = [list(column) for column in columns]
    # Each column's distinct texts measured once (a long history repeats "-", a pain, a
    # technique: 4,400 cells, a tenth as many texts).
    widths = [_widest(set(column)) for column in texts]
    fixed: set[int] = set(kept)
    cut = cut or {}
    while sum(widths) + padding * len(widths) > room:
        shrinkable = [i for i in range(len(widths)) if i not in fixed and widths[i] > 1]
        if not shrinkable:
            return texts, False
        i = max(shrinkable, key=lambda c: widths[c])
        if i in cut:
            wrapped = [_shortened(t, widths[i] - 1) for t in columns[i][1:]]
            wrapped.insert(0, "\n".join(_wrap(columns[i][0], widths[i] - 1, whole)))
            if widths[i] - 1 < cut[i]:
                fixed.add(i)  # as short as it may be
                continue
        else:
            wrapped = ["\n".join(_wrap(t, widths[i] - 1, whole)) for t in columns[i]]
        if _widest(wrapped) >= widths[i]:
            fixed.add(i)  # its longest word: it can give no more
            continue
        texts[i], widths[i] = wrapped, _widest(wrapped)
    return texts, True


def _shortened(text: str, width: int) -> str:
    """Each line of ``text`` of more than ``width`` characters cut to its first
    ``width - 1`` and "…"."""
    return "\n".join(
        line if len(line) <= width else line[: width - 1].rstrip() + "…"
        for line in text.split("\n")
    )


def _texts(columns: Columns, rows: Rows) -> list[list[str]]:
    """Each column's heading and cells (:func:`_cell`, done inline: a long history has
    thousands of cells)."""
    out = []
    for key, heading in columns:
        cells = [str(row.get(key, "")) for row in rows]
        long = _LONG_CELL
        out.append([_heading(heading), *[_cell(c) if len(c) > long else c for c in cells]])
    return out


def fill_columns(
    table: DataTable,
    columns: Columns,
    rows: Rows,
    *narrower: Narrower,
    until_sized: int | None = None,
    width: int | None = None,
    kept: Iterable[str] = (),
    cut: Mapping[str, int] | None = None,
) -> None:
    """Replace a table's columns and rows (as plain text), long headings and long cells
    on more than one line. A :class:`FitTable` wraps them to its width (and again when
    it changes), taking the first of the layouts (``columns, rows``, then each of
    ``narrower``, with fewer or merged columns, each made when first needed when it is
    given as a function) that fits: no column is cut.

    ``until_sized``: a FitTable not laid out yet shows only that many of the first rows
    (unwrapped) until its first resize fills it, wrapped: enough to take the height it
    will take. With more rows than that and a ``width`` (the width it will be laid out
    at: its screen's, when it spans it), it is filled at once at that width, wrapped:
    its first rows unwrapped and all of them wrapped take more lines than it shows, so
    its first frame has the height it keeps, and its first resize fills it again only if
    it is laid out at another width. (A 400-session patient's progress filled its table
    with every row unwrapped, then again wrapped: 100 ms of CPU no one saw; then with 20
    rows, painted, and again with every row, painted again.) A table of fewer rows keeps
    its unwrapped first layout, on which a screen that scrolls centres it.

    ``kept``: the keys of columns never wrapped (a technique: "Dry" over "needling");
    ``cut``: those whose cells are cut short with "…" rather than wrapped, each down to
    its width (:func:`fit_cells`)."""
    layouts: list[Narrower] = [(columns, rows), *narrower]
    chosen: Layout = (columns, rows)
    room = 0
    if isinstance(table, FitTable):
        table.source = layouts
        table.rules = (tuple(kept), dict(cut or {}))
        sized = table.region.width > 0
        at_once = until_sized is None or (width is not None and len(rows) > until_sized)
        room = table.room(None if sized or not at_once else width)
        if not room and until_sized is not None:
            chosen = (columns, rows[:until_sized])
    if not room:
        _show(table, chosen[0], _texts(*chosen), chosen[1])
        return
    made: dict[int, list[list[str]]] = {}  # each layout's texts, made once for each try
    # The rules kept while any layout fits with them; then none kept from wrapping (a
    # technique over two lines), then a cut column wrapped whole instead, before any is
    # cut shorter, and then off. Cut to 6, "Chronic neck pain" and "Chronic knee pain"
    # were both "Chronic…" at 80 columns (review21); wrapped, each reads whole.
    kept, cut = tuple(kept), dict(cut or {})
    tries = [(kept, cut, True), (kept, cut, False), ((), cut, False), ((), {}, False)]
    tries.append(((), dict.fromkeys(cut, 6), False))
    for (keep, short, whole), n in [(t, n) for t in tries for n in range(len(layouts))]:
        chosen = _layout(layouts, n)
        if n not in made:
            made[n] = _texts(*chosen)
        keys = [key for key, _ in chosen[0]]
        fixed = [keys.index(key) for key in keep if key in keys]
        shortest = {keys.index(key): w for key, w in short.items() if key in keys}
        texts, fits = fit_cells(made[n], room, 2 * table.cell_padding, whole, fixed, shortest)
        if fits:
            break
    _show(table, chosen[0], texts, chosen[1])


def _layout(layouts: list[Narrower], n: int) -> Layout:
    """Layout ``n``, made now if it was given as a function (kept made in ``layouts``,
    a FitTable's ``source``, for its next fill)."""
    layout = layouts[n]
    if callable(layout):
        layout = layouts[n] = layout()
    return layout


def _show(table: DataTable, columns: Columns, texts: list[list[str]], rows: Rows) -> None:
    count = len(rows)
    cursor = table.cursor_row
    table.clear(columns=True)
    table.header_height = max((column[0].count("\n") + 1 for column in texts), default=1)
    for (key, _), column in zip(columns, texts, strict=True):
        table.add_column(column[0], key=key)
    keys = [key for key, _ in columns]
    widths: dict[str, int] = {}
    heights = [1] * count  # each row's, its cell of most lines
    # A long history repeats its cells ("-", "5", a technique, a date's week): each
    # text made once (with its size), the same Text in every cell that shows it.
    made: dict[tuple[str, str], tuple[Text, int, int]] = {}
    by_column: list[list[Text]] = []
    for key, column in zip(keys, texts, strict=True):  # a column at a time: fewer lookups
        values = [row.get(key, "") for row in rows]
        shown = column[1:]
        if not any(map(isinstance, values, repeat(Text))):  # plain text: by its text alone
            known = {text: _made(made, text, "") for text in set(shown)}
            by_column.append([known[text][0] for text in shown])
            widths[key] = max((k[2] for k in known.values()), default=0)
            if any(k[1] > 1 for k in known.values()):  # a cell of several lines
                for i, text in enumerate(shown):
                    heights[i] = max(heights[i], known[text][1])
            continue
        cells: list[Text] = []
        widest = 0
        for i, value in enumerate(values):
            cell, lines, wide = _made(
                made, shown[i], str(value.style) if isinstance(value, Text) else ""
            )
            cells.append(cell)
            if lines > heights[i]:
                heights[i] = lines
            if wide > widest:
                widest = wide
        by_column.append(cells)
        widths[key] = widest
    by_row = list(zip(*by_column, strict=True)) if by_column else [()] * count
    if isinstance(table, FitTable):
        table.add_sized_rows([(str(i), by_row[i], heights[i]) for i in range(count)])
        table.measured(widths)
    else:  # a plain DataTable measures a row of several lines itself
        for i in range(count):
            table.add_row(*by_row[i], key=str(i), height=None if heights[i] > 1 else 1)
    if count and table.cursor_type == "row":
        table.move_cursor(row=min(max(cursor, 0), count - 1))


def _made(
    made: dict[tuple[str, str], tuple[Text, int, int]], text: str, style: str
) -> tuple[Text, int, int]:
    """The cell's Text, its lines and its width, made once per text and style."""
    known = made.get((text, style))
    if known is None:
        cell = plain(text, style)  # as tall and wide as Rich draws and measures it
        lines = cell.plain.count("\n") + 1
        wide = max(map(cell_len, cell.plain.splitlines()), default=0)
        known = made[text, style] = (cell, lines, wide)
    return known


def merge_columns(
    columns: Columns,
    rows: Rows,
    keys: Sequence[str],
    key: str,
    heading: str,
    join: str,
    labels: Mapping[str, str] | None = None,
) -> tuple[Columns, Rows]:
    """``columns`` with those of ``keys`` merged into one (``key``, ``heading``) where the
    first of them was: each row's cell their non-empty cells (``-`` is empty), each
    ``"label: cell"`` (the column's heading, or its ``labels`` entry) when ``join`` is
    ``"; "`` (one column per window merged into one), ``-`` for an empty one when it is
    ``"->"`` (``8->3`` from before and after), else the non-empty ones joined."""
    present = [k for k in keys if any(k == c for c, _ in columns)]
    if not present:
        return columns, rows
    headings = {**dict(columns), **(labels or {})}
    merged: Columns = []
    for c, h in columns:
        if c == present[0]:
            merged.append((key, heading))
        elif c not in present:
            merged.append((c, h))
    out: list[dict[str, str | Text]] = []
    for row in rows:
        new = {c: v for c, v in row.items() if c not in present}
        cells = [(headings[k], row.get(k, "")) for k in present]
        if join == "; ":
            new[key] = join.join(f"{h}: {v}" for h, v in cells if str(v) not in ("", "-")) or "-"
        elif join == "->":
            new[key] = join.join(str(v) or "-" for _, v in cells)
        else:
            new[key] = join.join(str(v) for _, v in cells if str(v))
        out.append(new)
    return merged, out


class FitTable(DataTable):
    """A DataTable filled by :func:`fill_columns` whose columns always fit its width:
    filled again, wrapped to the new width, when its width changes."""

    source: list[Narrower] | None = None
    rules: tuple[tuple[str, ...], dict[str, int]] = ((), {})  # fill_columns' kept and cut
    _fitted = 0  # the room the rows were last wrapped to
    _measured: frozenset[RowKey] = frozenset()  # rows whose size fill_columns gave

    def measured(self, widths: Mapping[str, int]) -> None:
        """The rows now in the table were sized by :func:`fill_columns`, which wrapped
        them: each column as wide as its widest line (``widths``), each row as tall as
        its cell of most lines (given to ``add_row``). DataTable would measure each cell
        again when next idle, through Rich (a 400-session patient's table:
        4,400 cells, 150 ms); it now measures only rows added otherwise.
        ``tests/tui/test_tables_measured.py`` holds the two equal."""
        for column in self.ordered_columns:
            column.content_width = max(column.content_width, widths.get(str(column.key.value), 0))
        self._measured = frozenset(self.rows)

    def add_sized_rows(self, rows: Sequence[tuple[str, Sequence[Text], int]]) -> None:
        """Add ``rows`` (key, cells, height) at the bottom, as ``add_row`` adds each one
        but at once: ``add_row`` sets the cursor again and counts the table changed
        after every row (adding 400 rows: 26 ms). ``tests/tui/test_tables_drawn.py``
        holds the two equal (rows, cells, heights, cursor, highlight messages)."""
        columns = [column.key for column in self.ordered_columns]
        first = self.row_count
        for key, cells, height in rows:
            row_key = RowKey(key)
            if row_key in self._row_locations:
                raise DuplicateKey(f"The row key {row_key!r} already exists.")
            if len(cells) > len(columns):
                raise ValueError("More values provided than there are columns.")
            self._row_locations[row_key] = len(self._row_locations)
            self._data[row_key] = dict(zip_longest(columns, cells))
            self.rows[row_key] = Row(row_key, height, None, False)
            self._new_rows.add(row_key)
        if not rows:
            return
        self._require_update_dimensions = True
        self.cursor_coordinate = self.cursor_coordinate
        # add_row highlights the cursor when its row is the table's first
        if first == 0 and self.columns and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()
        self._update_count += len(rows)
        self.check_idle()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._paint_styles: dict[str, Style] = {}  # component styles of this paint
        super().__init__(*args, **kwargs)

    def notify_style_update(self) -> None:
        self._paint_styles = {}
        super().notify_style_update()

    def render_lines(self, crop: Region) -> list[Strip]:
        self._paint_styles = {}  # the component styles, worked out again once per paint
        return super().render_lines(crop)

    def _render_line_in_row(
        self,
        row_key: RowKey,
        line_no: int,
        base_style: Style,
        cursor_location: Coordinate,
        hover_location: Coordinate,
    ) -> tuple[list[list[Segment]], list[list[Segment]]]:
        """A line of a row, drawn by :func:`~.table_lines.draw_row_line` when it can
        (DataTable's own drawing otherwise), kept in DataTable's cache of row lines."""
        key = (
            row_key,
            line_no,
            base_style,
            cursor_location,
            hover_location,
            self.cursor_type,
            self.show_cursor,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        cache = self._row_render_cache
        if key in cache:
            return cache[key]
        memo = self._paint_styles
        args = (row_key, line_no, base_style, cursor_location, hover_location)
        drawn = draw_row_line(self, memo, *args)
        if drawn is None:
            return super()._render_line_in_row(*args)
        cache[key] = drawn
        return drawn

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        measured, self._measured = self._measured, frozenset()
        super()._update_dimensions([key for key in new_rows if key not in measured])

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        """A cell's lines, drawn by :func:`~.table_lines.draw_cell` when the cell is one
        of ours (DataTable's drawing through Rich otherwise): for the lines of a row
        DataTable draws itself, one with a cell of several styles."""
        drawn = draw_cell(self, row_index, column_index, base_style, width, cursor, hover)
        if drawn is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        return drawn

    def room(self, width: int | None = None) -> int:
        """The cells the columns may take: the width inside the border and padding, less
        a vertical scrollbar's (kept free even while none shows, so that one appearing
        never cuts the last column); of the table as laid out, or as ``width`` wide."""
        inside = (self.region.width if width is None else width) - self.styles.gutter.width
        self._fitted = max(0, inside - self.styles.scrollbar_size_vertical)
        return self._fitted

    def on_resize(self, event: events.Resize) -> None:
        fitted = self._fitted
        if self.source is not None and self.room() != fitted:
            kept, cut = self.rules
            fill_columns(self, *_layout(self.source, 0), *self.source[1:], kept=kept, cut=cut)
