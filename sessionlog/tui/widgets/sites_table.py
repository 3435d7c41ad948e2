"""The table of a session's sites: edit (Enter, e) or remove (Delete, x) from the keyboard."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.binding import Binding

from ...services.entry.form_model import SiteRow
from ...services.entry.needle_depth import depth_text, needle_text
from ...services.entry.site_text import SIDE_SHORT, response_text, stimulator_text
from ...services.entry.technique_settings import retention_unit
from ..tables import FitTable, fill_columns, merge_columns
from .row_list import RowListTable

KIND_SHORT = {
    "acupuncture_point": "point",
    "trigger_point": "trigger",
    "motor_point": "motor",
    "paraspinal": "paraspinal",
    "ashi": "ashi",
    "other": "other",
}


# The lung-risk flag and the numbers come first; words come last.
SITE_COLUMNS = [
    ("n", "#"),
    ("site", "Site"),
    ("risk", "Risk"),
    ("side", "Side"),
    ("ins", "Ins"),
    ("stim", "Stim"),
    ("depth", "Depth"),
    ("needle", "Needle"),
    ("retain", "Retain"),
    ("response", "Response"),
    ("kind", "Kind"),
]


class SitesTable(RowListTable, FitTable):
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
        fill_columns(self, SITE_COLUMNS, [])

    def show(self, rows: list[SiteRow], technique: str, defaults: dict) -> None:
        """Redraw for ``rows``; ``defaults`` are the settings every site inherits."""
        cursor = self.cursor_row
        unit = retention_unit(technique)
        cells: list[dict[str, str | Text]] = []
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
            side = str(row.raw.get("side", ""))
            cells.append(
                {
                    "n": str(i),
                    "site": row.label,
                    # Over the thorax: pneumothorax risk (the toast on adding the site
                    # says so).
                    "risk": Text("! lung" if row.thorax_risk else "", style="bold red"),
                    "side": SIDE_SHORT.get(side, side),
                    "ins": str(row.raw.get("insertions", 1)),
                    "stim": stimulator_text(merged),  # e1: on the stimulator's lead 1
                    "depth": depth_text(merged, tissue=False),
                    "needle": needle_text(merged, material=False),
                    "retain": retention,
                    "response": response_text(merged),
                    "kind": KIND_SHORT.get(row.kind, row.kind),
                }
            )
        # At 80 columns every column from Depth on was cut off: the long words wrap, and
        # where that is not enough the depth and needle share a column, then the kind
        # goes under the site's name.
        depth_needle = merge_columns(
            SITE_COLUMNS, cells, ("depth", "needle"), "depth", "Depth, needle", " "
        )
        kind_under = merge_columns(*depth_needle, ("site", "kind"), "site", "Site, kind", "\n")
        fill_columns(self, SITE_COLUMNS, cells, depth_needle, kind_under)
        if rows:
            self.move_cursor(row=min(max(cursor, 0), len(rows) - 1))
