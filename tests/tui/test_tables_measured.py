"""A FitTable's rows are sized by ``fill_columns``, which wrapped them (issue 17): each
column as wide as its widest line, each row as tall as its cell of most lines. Textual's
DataTable would measure every cell again through Rich when next idle (a 400-session
patient's progress: 4,400 cells). Here the two sizings are held equal on awkward cells
(lines of several cells, wide characters, a line break at the end, empty cells), and
the FitTable is shown to measure no cell itself."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.widgets import DataTable
from textual.widgets import _data_table as data_table_module

from sessionlog.tui import tables
from sessionlog.tui.safe import plain
from sessionlog.tui.tables import FitTable, fill_columns

COLUMNS = [("date", "Date"), ("name", "Name, in full"), ("note", "Note"), ("n", "N")]
ROWS: list[dict[str, Any]] = [
    {"date": "2026-01-02", "name": "Mei Lin", "note": "", "n": "1"},
    {"date": "2026-01-09", "name": "陳美玲 (Chén)", "note": "first\nsecond line", "n": "12"},
    {"date": "2026-01-16", "name": "x", "note": "ends with a break\n", "n": "-"},
    {"date": "", "name": "", "note": "a\n\nb", "n": "-"},
]


class Tables(App[None]):
    def compose(self) -> ComposeResult:
        yield FitTable(id="fit")
        yield DataTable(id="stock")


def _sizes(table: DataTable) -> tuple[Any, ...]:  # type: ignore[type-arg]
    widths = [c.content_width for c in table.ordered_columns]
    heights = [r.height for r in table.ordered_rows]
    return widths, heights, table.virtual_size


def test_a_fit_table_is_sized_as_datatable_measures_it() -> None:
    async def run() -> None:
        app = Tables()
        async with app.run_test(size=(160, 40)) as pilot:
            await pilot.pause()
            fit = app.query_one("#fit", FitTable)
            stock = app.query_one("#stock", DataTable)
            fill_columns(fit, COLUMNS, ROWS)  # room for every column: nothing wrapped
            # The same cells, in a DataTable that measures them itself.
            texts = [col[0] for col in tables._texts(COLUMNS, ROWS)]
            stock.header_height = fit.header_height
            for (key, _), heading in zip(COLUMNS, texts, strict=True):
                stock.add_column(heading, key=key)
            for i, row in enumerate(ROWS):
                cells = [plain(tables._cell(str(row[key]))) for key, _ in COLUMNS]
                stock.add_row(*cells, key=str(i), height=None)
            await pilot.pause()
            assert _sizes(fit) == _sizes(stock)
            assert [r.height for r in fit.ordered_rows] == [
                1,
                2,
                1,
                3,
            ]  # (the break at the end is cleaned away)

    asyncio.run(run())


def test_a_fit_table_measures_none_of_the_cells_it_was_filled_with(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    measured: list[str] = []
    measure = data_table_module.measure

    def counted(console: Any, renderable: Any, default: int, **kw: Any) -> int:
        measured.append(str(renderable))
        return measure(console, renderable, default, **kw)

    monkeypatch.setattr(data_table_module, "measure", counted)

    async def run() -> None:
        app = Tables()
        async with app.run_test(size=(160, 40)) as pilot:
            await pilot.pause()
            fit = app.query_one("#fit", FitTable)
            measured.clear()
            fill_columns(fit, COLUMNS, ROWS * 50)
            await pilot.pause()
            assert fit.row_count == 200
            # Only the headings (add_column measures each label), never a row's cell.
            assert measured == [str(c.label) for c in fit.ordered_columns]

    asyncio.run(run())
