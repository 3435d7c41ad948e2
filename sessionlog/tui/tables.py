"""Filling a DataTable with text that must fit a 100-120 column terminal.

The outcome screens show tables whose headings are longer than their figures
(``Mean relief, points (95% CI)`` over ``1.2 (0.9 to 1.5)``) and a few long cells
(``median day 2; by 72 h 72% (60-82%), 42/58 (14 patients)``). Laid out on one line
they ran off the right edge. Here long headings take two lines and long cells a line
per clause, so a column is as wide as its figures.
"""

from __future__ import annotations

from textual.widgets import DataTable

from ..analysis.model import group_label
from .safe import plain

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


def fill_columns(
    table: DataTable, columns: list[tuple[str, str]], rows: list[dict[str, str]]
) -> None:
    """Replace a table's columns and rows (as plain text), long headings and long cells
    on more than one line: the tables fit 100-120 columns instead of running off the
    right edge."""
    headings = [(key, _heading(text)) for key, text in columns]
    table.clear(columns=True)
    table.header_height = max((h.count("\n") + 1 for _, h in headings), default=1)
    for key, heading in headings:
        table.add_column(heading, key=key)
    for i, row in enumerate(rows):
        cells = [_cell(str(row.get(key, ""))) for key, _ in columns]
        table.add_row(
            *(plain(c) for c in cells),
            key=str(i),
            height=None if any("\n" in c for c in cells) else 1,
        )
