"""The IMS findings of a session, one row per segment: edit (Enter, e) or remove (x)."""

from __future__ import annotations

from typing import Any

from textual.binding import Binding

from ...services.entry.site_text import SIDE_SHORT
from ...services.entry.stricta import signs_text
from ..safe import plain
from .row_list import RowListTable


class FindingsTable(RowListTable):
    """Findings as entered; the row under the cursor can be edited or removed."""

    BINDINGS = [
        Binding("e,enter", "edit", "Edit finding", id="findings.edit"),
        Binding("x,delete,backspace", "remove", "Remove finding", id="findings.remove"),
    ]

    class Edit(RowListTable.Edit):
        """Edit the finding at ``index``."""

    class Remove(RowListTable.Remove):
        """Remove the finding at ``index``."""

    def on_mount(self) -> None:
        super().on_mount()
        self.add_columns("#", "Level", "Side", "Signs", "Notes")

    def show(self, findings: list[dict[str, Any]]) -> None:
        """Redraw for ``findings``, keeping the cursor where it was."""
        cursor = self.cursor_row
        self.clear()
        for i, finding in enumerate(findings, start=1):
            side = str(finding.get("side", ""))
            self.add_row(
                str(i),
                plain(finding.get("level")),
                SIDE_SHORT.get(side, side),
                plain(signs_text(finding)),
                plain(finding.get("notes") or ""),
                key=str(i),
            )
        if findings:
            self.move_cursor(row=min(max(cursor, 0), len(findings) - 1))
