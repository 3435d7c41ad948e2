"""The table of a session's sites: edit (Enter, e) or remove (Delete, x) from the keyboard."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from ..form_model import SiteRow, retention_unit
from ..safe import plain
from ..site_text import response_text

KIND_SHORT = {
    "acupuncture_point": "point",
    "trigger_point": "trigger pt",
    "motor_point": "motor pt",
    "paraspinal": "paraspinal",
    "ashi": "ashi",
    "other": "other",
}


class SitesTable(DataTable):
    """Sites as typed; the row under the cursor can be edited or removed."""

    BINDINGS = [
        Binding("e,enter", "edit", "Edit site", id="sites.edit"),
        Binding("x,delete,backspace", "remove", "Remove site", id="sites.remove"),
    ]

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
        self.add_columns("#", "Site", "Kind", "Side", "Ins", "Response", "Retention", "Risk")

    def show(self, rows: list[SiteRow], technique: str, defaults: dict) -> None:  # type: ignore[type-arg]
        """Redraw for ``rows``; ``defaults`` are the settings every site inherits."""
        cursor = self.cursor_row
        self.clear()
        unit = retention_unit(technique)
        for i, row in enumerate(rows, start=1):
            merged = {**defaults, **row.raw}
            seconds = merged.get("retention_s")
            if isinstance(seconds, int):
                retention = (
                    f"{seconds // 60} min"
                    if unit == "min" and seconds % 60 == 0
                    else f"{seconds} s"
                )
            else:
                retention = str(seconds or "")
            risk = Text("! pneumothorax", style="bold red") if row.thorax_risk else Text("")
            self.add_row(
                str(i),
                plain(row.label),
                KIND_SHORT.get(row.kind, row.kind),
                str(row.raw.get("side", "")),
                str(row.raw.get("insertions", 1)),
                plain(response_text(merged)),
                retention,
                risk,
                key=str(i),
            )
        if rows:
            self.move_cursor(row=min(max(cursor, 0), len(rows) - 1))

    def action_edit(self) -> None:
        if self.row_count:
            self.post_message(self.Edit(self.cursor_row))

    def action_remove(self) -> None:
        if self.row_count:
            self.post_message(self.Remove(self.cursor_row))
