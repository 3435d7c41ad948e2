"""A FitTable draws the cells ``fill_columns`` gave it (one style, lines it wrapped to
the column's width) and its headings itself, as Textual's DataTable draws them through
Rich (issue 17: a 400-session patient's progress drew its visible rows through Rich twice
per opening), a line of a row at a time with its styles worked out once per paint
(DataTable works out the row's style again for every line, 0.1 ms each). Here every
character and its style are held equal to DataTable's own drawing, cell by cell and
line by line: at the cursor and the hover, zebra rows, styled cells, cells of several
lines in taller rows, headings of two lines, wide characters, empty cells; and the
FitTable is shown to draw none of them through Rich."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

import pytest
from rich.segment import Segment
from rich.text import Text
from textual.app import App, ComposeResult
from textual.coordinate import Coordinate
from textual.renderables.styled import Styled
from textual.widgets import DataTable

from sessionlog.tui.tables import FitTable, fill_columns

COLUMNS = [("date", "Date"), ("name", "Name, in full"), ("note", "Note"), ("n", "N")]
ROWS: list[dict[str, Any]] = [
    {"date": "2026-01-02", "name": "Mei Lin", "note": "", "n": "1"},
    {"date": "2026-01-09", "name": "陳美玲 (Chén)", "note": "first\nsecond line", "n": "12"},
    {"date": "2026-01-16", "name": Text("x", style="bold red"), "note": "a\n\nb", "n": "-"},
    {
        "date": "",
        "name": Text("", style="bold red"),
        "note": "one; two; three; four; five; six; seven; eight",
        "n": "-",
    },
    {"date": "2026-01-23", "name": "[b]not markup[/b]", "note": "tab\there", "n": "7"},
]


class Tables(App[None]):
    def compose(self) -> ComposeResult:
        yield FitTable(id="fit", zebra_stripes=True, cursor_type="row")


def _chars(lines: list[list[Segment]]) -> list[Any]:
    """Each line's characters with their styles, and its segments once those of one
    style are joined (as the screen's pictures hold them: an empty segment shows)."""
    return [
        ([(ch, seg.style) for seg in line for ch in seg.text], list(Segment.simplify(line)))
        for line in lines
    ]


def _drawn(table: FitTable, own: bool) -> list[Any]:
    """Every cell of every row, at and off the cursor, hovered or not, drawn by the
    FitTable (``own``) or by DataTable's drawing."""
    draw = table._render_cell if own else super(FitTable, table)._render_cell
    table._cell_render_cache.clear()
    out = []
    for row in range(table.row_count):
        style = table._get_row_style(row, table.rich_style)
        for column, spec in enumerate(table.ordered_columns):
            width = spec.get_render_width(table)
            for cursor, hover in ((False, False), (True, False), (False, True), (True, True)):
                out.append(_chars(draw(row, column, style, width, cursor=cursor, hover=hover)))
    return out


@pytest.mark.parametrize("width", [160, 40])  # room for every column, and wrapped
def test_a_fit_table_draws_its_cells_as_datatable_does(width: int) -> None:
    async def run() -> None:
        app = Tables()
        async with app.run_test(size=(width, 30)) as pilot:
            await pilot.pause()
            fit = app.query_one("#fit", FitTable)
            fill_columns(fit, COLUMNS, ROWS)
            await pilot.pause()
            assert fit.row_count == len(ROWS)
            assert _drawn(fit, own=True) == _drawn(fit, own=False)
            fit.focus()
            await pilot.press("down")
            await pilot.pause()
            assert _drawn(fit, own=True) == _drawn(fit, own=False)

    asyncio.run(run())


def test_a_fit_table_draws_its_own_cells_without_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    async def run() -> None:
        app = Tables()
        async with app.run_test(size=(160, 30)) as pilot:
            await pilot.pause()
            fit = app.query_one("#fit", FitTable)
            fill_columns(fit, COLUMNS, ROWS)
            await pilot.pause()
            drawn: list[Any] = []
            render_lines = app.console.render_lines

            def counted(renderable: Any, *args: Any, **kw: Any) -> Any:
                if isinstance(renderable, Styled):  # a cell (Rich renders its parts too)
                    drawn.append(renderable)
                return render_lines(renderable, *args, **kw)

            monkeypatch.setattr(app.console, "render_lines", counted)
            fit._cell_render_cache.clear()
            fit._row_render_cache.clear()
            fit._line_cache.clear()
            fit.refresh()
            await pilot.pause()
            # only the one cell with a tab, which Rich expands (and its line's other cells)
            cells = {str(c.renderable.renderable) for c in drawn}
            assert "tab\there" in cells
            assert cells.isdisjoint(["Date", "Name,\nin full", "Note", "N", "Mei Lin"])

    asyncio.run(run())


def _lines(table: FitTable, own: bool) -> list[Any]:
    """Every line of every row, the headings' first, with the cursor and the hover on
    each row in turn, drawn by the FitTable (``own``) or by DataTable's drawing."""
    draw = table._render_line_in_row if own else super(FitTable, table)._render_line_in_row
    keys = [table._header_row_key, *table.rows]
    out = []
    for cursor_row in range(table.row_count):
        cursor, hover = Coordinate(cursor_row, 0), Coordinate((cursor_row + 2) % 5, 1)
        table._row_render_cache.clear()
        table._cell_render_cache.clear()
        for key in keys:
            height = table.get_row_height(key)
            for line in range(height):
                fixed, scrollable = draw(key, line, table.rich_style, cursor, hover)
                out.append((_chars(fixed), _chars(scrollable)))
    return out


@pytest.mark.parametrize("width", [160, 40])
@pytest.mark.parametrize("cursor_type", ["row", "cell", "column", "none"])
def test_a_fit_table_draws_its_lines_as_datatable_does(
    width: int, cursor_type: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def run() -> None:
        app = Tables()
        async with app.run_test(size=(width, 30)) as pilot:
            await pilot.pause()
            fit = app.query_one("#fit", FitTable)
            fit.cursor_type = cursor_type  # type: ignore[assignment]
            fill_columns(fit, COLUMNS, ROWS)
            await pilot.pause()
            ours = _lines(fit, own=True)
            # DataTable's lines, each cell drawn by Rich (as DataTable._render_cell does)
            monkeypatch.setattr(fit, "_render_cell", partial(DataTable._render_cell, fit))
            assert ours == _lines(fit, own=False)
            fit.zebra_stripes = False
            monkeypatch.undo()
            ours = _lines(fit, own=True)
            monkeypatch.setattr(fit, "_render_cell", partial(DataTable._render_cell, fit))
            assert ours == _lines(fit, own=False)

    asyncio.run(run())


def test_a_paint_works_out_the_rows_styles_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A paint of every line of 40 zebra rows: the headings', even and odd rows' styles
    each worked out once, not once per line."""
    asked: list[str] = []
    own = FitTable.get_component_styles

    def counted(self: FitTable, *names: str) -> Any:
        asked.extend(names)
        return own(self, *names)

    async def run() -> None:
        app = Tables()
        async with app.run_test(size=(160, 50)) as pilot:
            await pilot.pause()
            fit = app.query_one("#fit", FitTable)
            fill_columns(fit, COLUMNS, ROWS[:2] * 20)
            await pilot.pause()
            monkeypatch.setattr(FitTable, "get_component_styles", counted)
            fit._row_render_cache.clear()
            fit._line_cache.clear()
            fit.refresh()
            await pilot.pause()
            rows = ["datatable--header", "datatable--even-row", "datatable--odd-row"]
            assert sorted(name for name in asked if name in rows) == sorted(rows)

    asyncio.run(run())


class Two(App[None]):
    """Two FitTables, and the rows each was told were highlighted."""

    def __init__(self) -> None:
        super().__init__()
        self.highlighted: dict[str, list[int]] = {"a": [], "b": []}

    def compose(self) -> ComposeResult:
        yield FitTable(id="a", zebra_stripes=True, cursor_type="row")
        yield FitTable(id="b", zebra_stripes=True, cursor_type="row")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.highlighted[str(event.data_table.id)].append(event.cursor_row)


def _state(table: FitTable) -> tuple[Any, ...]:
    rows = [(str(k.value), r.height, r.label, r.auto_height) for k, r in table.rows.items()]
    data = [
        [(str(c.value), str(v), getattr(v, "style", "")) for c, v in cells.items()]
        for cells in table._data.values()
    ]
    return rows, data, table.row_count, table.cursor_coordinate, table.virtual_size


def _one_by_one(table: FitTable, rows: Any) -> None:
    for key, cells, height in rows:
        DataTable.add_row(table, *cells, key=key, height=height)


def test_a_fit_table_takes_its_rows_at_once_as_add_row_takes_them_one_by_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The rows of a fill are added at once (adding 400 rows one by one cost 26 ms, most
    of it the cursor set again after each): the same rows, cells, heights, cursor and
    highlight messages as DataTable.add_row row by row; the cursor kept where it was."""
    added: list[int] = []
    own = FitTable.add_sized_rows

    def counted(self: FitTable, rows: Any) -> None:
        added.append(len(rows))
        own(self, rows)

    async def run() -> None:
        app = Two()
        async with app.run_test(size=(160, 40)) as pilot:
            await pilot.pause()
            a, b = app.query_one("#a", FitTable), app.query_one("#b", FitTable)
            monkeypatch.setattr(FitTable, "add_sized_rows", counted)
            fill_columns(a, COLUMNS, ROWS)
            monkeypatch.setattr(FitTable, "add_sized_rows", _one_by_one)
            fill_columns(b, COLUMNS, ROWS)
            await pilot.pause()
            assert added == [len(ROWS)]
            assert _state(a) == _state(b)
            for table in (a, b):
                table.move_cursor(row=3)
            monkeypatch.setattr(FitTable, "add_sized_rows", own)
            fill_columns(a, COLUMNS, ROWS[:2] + ROWS)  # filled again: more rows
            monkeypatch.setattr(FitTable, "add_sized_rows", _one_by_one)
            fill_columns(b, COLUMNS, ROWS[:2] + ROWS)
            await pilot.pause()
            assert _state(a) == _state(b) and a.cursor_row == 3
            assert app.highlighted["a"] == app.highlighted["b"] != []

    asyncio.run(run())
