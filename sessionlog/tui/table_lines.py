"""A FitTable's lines drawn a line at a time, its styles worked out once per paint.

Textual's DataTable draws a line of a row cell by cell: for each cell it works out the
row's style from its component classes (walking the DOM up to the screen each time),
then draws the cell through Rich (``Styled(Padding(cell))``), the headings too. Opening
a 400-session patient's progress spent 18 ms of CPU in the 14 lines its table shows
(the heading's first line alone 4.4 ms). Here a line of cells that ``fill_columns``
gave (a Text of one style whose lines fit its column, in a row of fixed height) and of
the headings is drawn directly: each style combination made once per line, each cell's
segments with its own ``row``/``column`` meta as DataTable gives them (clicks read it).
Anything else (row labels, fixed rows or columns, a cell of several styles or too wide)
is left to DataTable; :func:`draw_cell` draws such a line's cells of one style.
``tests/tui/test_tables_drawn.py`` holds every line and cell equal to DataTable's
drawing, character and style, at and off the cursor and hover.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.coordinate import Coordinate

if TYPE_CHECKING:
    from textual.widgets import DataTable
    from textual.widgets.data_table import ColumnKey, RowKey

Lines = list[list[Segment]]


def component_style(table: DataTable[Any], memo: dict[str, Style], name: str) -> Style:
    """``table.get_component_styles(name).rich_style``, worked out once per paint."""
    style = memo.get(name)
    if style is None:
        style = memo[name] = table.get_component_styles(name).rich_style
    return style


def row_style(table: DataTable[Any], memo: dict[str, Style], row_index: int, base: Style) -> Style:
    """``DataTable._get_row_style``, its component styles from ``memo``."""
    if row_index == -1:
        return component_style(table, memo, "datatable--header")
    if row_index < table.fixed_rows:
        return component_style(table, memo, "datatable--fixed")
    if table.zebra_stripes:
        name = "datatable--odd-row" if row_index % 2 else "datatable--even-row"
        return component_style(table, memo, name)
    return base


def _texts(table: DataTable[Any], row_key: RowKey, row_index: int) -> tuple[list[Text], int] | None:
    """The row's cells (the headings for the heading row) and its height, when every
    one of them can be drawn without Rich: a Text of one style, no tabs, left to Rich's
    defaults, every line within its column."""
    columns = table.ordered_columns
    if row_index == -1:
        cells: list[Any] = [column.label for column in columns]
        height = table.header_height
    else:
        row = table.rows.get(row_key)
        if row is None or row.auto_height or row.height < 1:
            return None
        data = table._data.get(row_key, {})
        cells = [data.get(column.key) for column in columns]
        height = row.height
    padding = 2 * table.cell_padding
    for text, column in zip(cells, columns, strict=True):
        if not _drawable(text, column.get_render_width(table) - padding):
            return None
    return cells, height


def _drawable(text: object, inner: int) -> bool:
    """Whether ``text`` is a Text of one style, no tabs, left to Rich's defaults, each of
    its lines within ``inner`` cells: what is drawn here as Rich would draw it."""
    if type(text) is not Text or text.spans or text.justify or text.overflow:
        return False
    plain = text.plain
    return inner >= 0 and "\t" not in plain and all(cell_len(x) <= inner for x in plain.split("\n"))


def draw_row_line(
    table: DataTable[Any],
    memo: dict[str, Style],
    row_key: RowKey,
    line_no: int,
    base_style: Style,
    cursor_location: Coordinate,
    hover_location: Coordinate,
) -> tuple[Lines, Lines] | None:
    """What ``DataTable._render_line_in_row`` returns for line ``line_no`` of the row
    (fixed cells, scrollable cells and the space right of them), or None when the
    table or the row needs DataTable's own drawing."""
    if table.fixed_rows or table.fixed_columns:
        return None
    if table._labelled_row_exists and table.show_row_labels:
        return None
    row_index = table._row_locations.get(row_key) if row_key in table._row_locations else -1
    assert row_index is not None
    found = _texts(table, row_key, row_index)
    if found is None:
        return None
    cells, height = found
    cursor_type, show_cursor = table.cursor_type, table.show_cursor
    show_hover = table._show_hover_cursor
    fg_css = table.cursor_foreground_priority == "css"
    bg_css = table.cursor_background_priority == "css"
    highlight = table._should_highlight
    header = row_index == -1
    style = row_style(table, memo, row_index, base_style)
    console = table.app.console
    padding = table.cell_padding
    # (cursor, hover, text's style) -> the pad's and the text's style, before the meta
    made: dict[tuple[bool, bool, str | Style], tuple[Style, Style]] = {}
    scrollable: Lines = []
    table_width = 0
    for column_index, (text, column) in enumerate(zip(cells, table.ordered_columns, strict=True)):
        width = column.get_render_width(table)
        table_width += width
        at = Coordinate(row_index, column_index)
        cursor = highlight(cursor_location, at, cursor_type)
        hover = highlight(hover_location, at, cursor_type)
        key = (cursor, hover, text.style)
        styles = made.get(key)
        if styles is None:
            pre_style, post_style = table._get_styles_to_render_cell(
                header, False, False, hover, cursor, show_cursor, show_hover, fg_css, bg_css
            )
            pre = style + pre_style
            written = pre + console.get_style(text.style, default=Style.null())
            styles = made[key] = (pre + post_style, written + post_style)
        # The cell's meta, as DataTable adds it to the row's style: it changes no colour.
        meta = Style.from_meta({"row": row_index, "column": column_index})
        pad, written = styles[0] + meta, styles[1] + meta
        lines = text.plain.split("\n")[:height]
        if line_no < len(lines) and lines[line_no]:
            line = lines[line_no]
            right = Segment(" " * (width - 2 * padding - cell_len(line) + padding), pad)
            scrollable.append([Segment(" " * padding, pad), Segment(line, written), right])
        elif line_no < len(lines):  # Rich draws no segment for an empty line
            right = Segment(" " * (width - padding), pad)
            scrollable.append([Segment(" " * padding, pad), right])
        else:
            scrollable.append([Segment(" " * width, pad)])
    extension = _extension(table, style, row_index, table_width, cursor_location, hover_location)
    scrollable.append([extension])
    return [], scrollable


def _extension(
    table: DataTable[Any],
    style: Style,
    row_index: int,
    table_width: int,
    cursor_location: Coordinate,
    hover_location: Coordinate,
) -> Segment:
    """The space right of the last column, styled as DataTable styles it."""
    remaining = max(0, table.size.width - table_width - table._row_label_column_width)
    if table.cursor_type == "row":
        hover = table._should_highlight(hover_location, Coordinate(row_index or 0, 0), "row")
        extend, _ = table._get_styles_to_render_cell(
            row_index == -1,
            False,
            False,
            hover,
            row_index == cursor_location.row,
            table.show_cursor,
            table._show_hover_cursor,
            False,
            False,
        )
        extend = style + extend
    elif style.bgcolor is not None:
        from textual.color import Color

        faded = Color.from_rich_color(style.bgcolor).blend(table.background_colors[1], factor=0.25)
        extend = Style.from_color(color=style.color, bgcolor=faded.rich_color)
    else:
        extend = Style.from_color(style.color, style.bgcolor)
    extend += Style.from_meta({"row": row_index, "column": 0, "out_of_bounds": True})
    return Segment(" " * remaining, extend)


def draw_cell(
    table: DataTable[Any],
    row_index: int,
    column_index: int,
    base_style: Style,
    width: int,
    cursor: bool,
    hover: bool,
) -> Lines | None:
    """A cell's lines, as DataTable draws them through Rich (``Styled(Padding(cell))``
    rendered to the cell's size), drawn here directly when the cell is one of ours: a
    Text of one style whose lines fit the column, in a row of a fixed height (what
    :func:`fill_columns` gives). Rich's drawing, per cell, was most of opening a
    400-session patient's progress: every visible row drawn twice per opening.
    ``tests/tui/test_tables_drawn.py`` holds the two equal, character and style."""
    row_key = table._row_locations.get_key(row_index)
    column_key = table._column_locations.get_key(column_index)
    ours = row_index >= max(0, table.fixed_rows) and column_index >= max(0, table.fixed_columns)
    if row_key is None or column_key is None or not ours:  # headings, labels
        return None
    key = (
        row_key,
        column_key,
        base_style,
        cursor,
        hover,
        table._show_hover_cursor,
        table._update_count,
        table._pseudo_class_state,
    )
    cache = table._cell_render_cache
    if key in cache:
        return cache[key]
    lines = _cell_lines(table, row_key, column_key, width)
    if lines is None:
        return None
    text, height = lines
    pre_style, post_style = table._get_styles_to_render_cell(
        False,
        False,
        False,
        hover,
        cursor,
        table.show_cursor,
        table._show_hover_cursor,
        table.cursor_foreground_priority == "css",
        table.cursor_background_priority == "css",
    )
    # Styled(pre, Padding(Text), post): each segment pre + its style, then + post.
    pre = base_style + Style.from_meta({"row": row_index, "column": column_index})
    pre += pre_style
    pad = pre + post_style if pre else post_style
    written = pre + table.app.console.get_style(text.style, default=Style.null())
    written = written + post_style if written else post_style
    padding = table.cell_padding
    inner = width - 2 * padding
    drawn: list[list[Segment]] = []
    for line in text.plain.split("\n")[:height]:
        right = Segment(" " * (inner - cell_len(line) + padding), pad)
        if not line:  # Rich draws no segment for an empty line
            drawn.append([Segment(" " * padding, pad), right])
            continue
        drawn.append([Segment(" " * padding, pad), Segment(line, written), right])
    drawn.extend([Segment(" " * width, pad)] for _ in range(height - len(drawn)))
    cache[key] = drawn
    return drawn


def _cell_lines(
    table: DataTable[Any], row_key: RowKey, column_key: ColumnKey, width: int
) -> tuple[Text, int] | None:
    """The cell's Text and its row's height when it can be drawn without Rich: one
    style, no tabs, left to Rich's defaults, every line within the column."""
    row = table.rows.get(row_key)
    if row is None or row.auto_height or row.height < 1:
        return None
    text = table._data.get(row_key, {}).get(column_key)
    if not _drawable(text, width - 2 * table.cell_padding):
        return None
    assert isinstance(text, Text)
    return text, row.height
