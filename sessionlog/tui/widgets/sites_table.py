"""The table of a session's sites: edit (Enter, e) or remove (Delete, x) from the keyboard."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.binding import Binding

from ...services.entry.form_model import SiteRow
from ...services.entry.needle_depth import depth_text, needle_text
from ...services.entry.site_text import SIDE_SHORT, response_text, stimulator_text
from ...services.entry.technique_settings import retention_unit
from ..safe import plain
from .row_list import RowListTable

KIND_SHORT = {
    "acupuncture_point": "point",
    "trigger_point": "trigger",
    "motor_point": "motor",
    "paraspinal": "paraspinal",
    "ashi": "ashi",
    "other": "other",
}


class SitesTable(RowListTable):
    """Sites as typed; the row under the cursor can be edited or removed."""

    BINDINGS = [
        Binding("e,enter", "edit", "Edit site", id="sites.edit"),
        Binding("x,delete,backspace", "remove", "Remove site", id="sites.remove"),
    ]

    class Edit(RowListTable.Edit):
        """Edit the site at ``index``."""

    class Remove(RowListTable.Remove):
        """Remove the site at ``index``."""

    def on_key(self, event: events.Key) -> None:
        # e and x are bindings; any other character would vanish: say why.
        if event.is_printable and event.character not in ("e", "x"):
            from .number_input import KeyRefused

            event.stop()
            event.prevent_default()
            self.post_message(
                KeyRefused(
                    "sites",
                    f"{event.character!r} goes nowhere in the sites list: e or Enter edits"
                    " a site, x removes it, Tab goes on",
                )
            )

    def on_mount(self) -> None:
        super().on_mount()
        # The lung-risk flag and the numbers come first and fit in 80 columns even with a
        # long muscle name; words come last. A terminal too narrow cuts the rightmost
        # cell, and a cut word ("De Qi yes (ac") reads as cut where a cut number ("0.3x5")
        # would read as another needle.
        self.add_columns(
            "#",
            "Site",
            "Risk",
            "Side",
            "Ins",
            "Stim",
            "Depth",
            "Needle",
            "Retain",
            "Response",
            "Kind",
        )

    def show(self, rows: list[SiteRow], technique: str, defaults: dict) -> None:
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
            # Over the thorax: pneumothorax risk (the toast on adding the site says so).
            risk = Text("! lung", style="bold red") if row.thorax_risk else Text("")
            side = str(row.raw.get("side", ""))
            self.add_row(
                str(i),
                plain(row.label),
                risk,
                SIDE_SHORT.get(side, side),
                str(row.raw.get("insertions", 1)),
                stimulator_text(merged),  # e1: on the stimulator's lead 1
                plain(depth_text(merged, tissue=False)),
                plain(needle_text(merged, material=False)),
                retention,
                plain(response_text(merged)),
                KIND_SHORT.get(row.kind, row.kind),
                key=str(i),
            )
        if rows:
            self.move_cursor(row=min(max(cursor, 0), len(rows) - 1))
