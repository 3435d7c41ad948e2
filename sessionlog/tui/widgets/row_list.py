"""A table of rows typed on a form (sites, IMS findings): the row under the cursor can
be edited (Enter, e) or removed (x, Delete, Backspace) from the keyboard."""

from __future__ import annotations

from textual.message import Message
from textual.widgets import DataTable


class RowListTable(DataTable):
    """Posts :class:`Edit` or :class:`Remove` with the cursor's row index.

    Subclasses bind the keys (with their own binding ids) and subclass both messages,
    so that their handlers are named after them (``on_sites_table_edit``).
    """

    class Edit(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    class Remove(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True

    def action_edit(self) -> None:
        if self.row_count:
            self.post_message(self.Edit(self.cursor_row))

    def action_remove(self) -> None:
        if self.row_count:
            self.post_message(self.Remove(self.cursor_row))
