"""A DataTable whose cells are redrawn when its columns widen.

Textual's DataTable measures new rows when it is next idle and widens their columns
then, but it caches each cell's drawing without its width. When the table is painted
between adding rows and that idle moment (a row added as a screen is shown again: the
home screen after a save), the cells are drawn at the old widths and stay cut off
(``09:4``, ``Kira Us``) until the table is cleared. This table drops those drawings
whenever its width changes.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.widgets import DataTable


class ListTable(DataTable):
    """A DataTable that never shows a cell cut to a column's earlier width."""

    def watch_virtual_size(self, old: Size, new: Size) -> None:
        if old.width != new.width:
            # Columns only change width when rows or cells come or go: redraw them all
            # (notify_style_update drops every cached drawing, then refreshes).
            self.notify_style_update()
