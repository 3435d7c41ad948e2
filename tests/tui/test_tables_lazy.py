"""A long table is filled with less work, the same cells (issue 17, progress).

``fill_columns`` makes a narrower layout given as a function only when the wider ones
do not fit (a 400-session patient's progress made two merged layouts of 400 rows each
that 120 columns never showed), and a column of plain text is filled by its distinct
texts: the cells, widths and heights are those of the cell-by-cell fill (a column
holding a styled Text), here held equal."""

from __future__ import annotations

import asyncio
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult

from sessionlog.tui.tables import FitTable, Layout, fill_columns, merge_columns

COLUMNS = [("date", "Date"), ("before", "Before"), ("after", "After"), ("note", "Note")]
ROWS: list[dict[str, Any]] = [
    {"date": f"2026-01-{1 + i % 28:02d}", "before": str(i % 7), "after": str(i % 3),
     "note": ["", "sore\nafter", "陳美玲 ok", "a long note; with a clause"][i % 4]}
    for i in range(60)
]  # fmt: skip


class Tables(App[None]):
    def compose(self) -> ComposeResult:
        yield FitTable(id="a")
        yield FitTable(id="b")


def _cells(table: FitTable) -> tuple[Any, ...]:
    rows = [[(str(c), str(c.style)) for c in table.get_row_at(i)] for i in range(table.row_count)]
    widths = [(str(c.key.value), c.content_width) for c in table.ordered_columns]
    heights = [r.height for r in table.ordered_rows]
    return rows, widths, heights, table.header_height


def _fill_both(size: tuple[int, int], check: Any) -> None:
    async def run() -> None:
        app = Tables()
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            check(app.query_one("#a", FitTable), app.query_one("#b", FitTable))

    asyncio.run(run())


def test_a_narrower_layout_given_as_a_function_is_made_only_when_needed() -> None:
    made: list[str] = []

    def merged() -> Layout:
        made.append("merged")
        return merge_columns(COLUMNS, ROWS, ("before", "after"), "pain", "Pain", "->")

    def check(lazy: FitTable, eager: FitTable) -> None:
        fill_columns(lazy, COLUMNS, ROWS, merged)
        assert made == []  # 120 columns: the widest layout fits
        fill_columns(eager, COLUMNS, ROWS, merged())
        assert _cells(lazy) == _cells(eager)

    _fill_both((120, 40), check)


def test_a_narrower_layout_given_as_a_function_is_the_one_shown_when_only_it_fits() -> None:
    made: list[str] = []
    wide = [*COLUMNS, ("extra", "An extra column, long")]
    rows = [{**row, "extra": "x" * 30} for row in ROWS]

    def narrower() -> Layout:
        made.append("narrower")
        return COLUMNS, ROWS

    def check(lazy: FitTable, eager: FitTable) -> None:
        fill_columns(lazy, wide, rows, narrower)
        fill_columns(eager, wide, rows, (COLUMNS, ROWS))
        assert made == ["narrower"]
        assert [c.key.value for c in lazy.ordered_columns] == [k for k, _ in COLUMNS]
        assert _cells(lazy) == _cells(eager)
        assert lazy.source is not None and lazy.source[1] == (COLUMNS, ROWS)  # kept made

    _fill_both((40, 40), check)


def test_a_column_of_plain_text_is_filled_as_cell_by_cell() -> None:
    """The same cells as plain strings and as unstyled Texts (the cell-by-cell path):
    the same texts, styles, widths and heights (a cell of two lines makes its row two
    lines tall)."""
    texts = [{k: Text(v) for k, v in row.items()} for row in ROWS]

    def check(strings: FitTable, styled: FitTable) -> None:
        fill_columns(strings, COLUMNS, ROWS)
        fill_columns(styled, COLUMNS, texts)
        assert _cells(strings) == _cells(styled)
        assert max(r.height for r in strings.ordered_rows) >= 2

    for size in [(120, 40), (30, 40)]:  # unwrapped, and wrapped to a narrow table
        _fill_both(size, check)
