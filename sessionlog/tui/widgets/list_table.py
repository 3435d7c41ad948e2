"""A DataTable whose cells are redrawn when its columns widen.

Textual's DataTable measures new rows when it is next idle and widens their columns
then, but it caches each cell's drawing without its width. When the table is painted
between adding rows and that idle moment (a row added as a screen is shown again: the
home screen after a save), the cells are drawn at the old widths and stay cut off
(``09:4``, ``Kira Us``) until the table is cleared. This table drops those drawings
when its columns' widths are no longer those they were drawn at; a table given its
columns' widths with its rows (the home screen's lists) keeps them.
"""

from __future__ import annotations

from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widgets import DataTable


class ListTable(DataTable):
    """A DataTable that never shows a cell cut to a column's earlier width."""

    _drawn: tuple[int, ...] = ()  # the columns' widths when the cells were last drawn

    def _widths(self) -> tuple[int, ...]:
        return tuple(column.get_render_width(self) for column in self.ordered_columns)

    def render_lines(self, crop: Region) -> list[Strip]:
        self._drawn = self._widths()
        return super().render_lines(crop)

    def watch_virtual_size(self, old: Size, new: Size) -> None:
        if old.width != new.width and self._widths() != self._drawn:
            # Columns only change width when rows or cells come or go: redraw them all
            # (notify_style_update drops every cached drawing, then refreshes).
            self.notify_style_update()
