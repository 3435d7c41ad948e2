"""Outcome scales by technique: the compare screen's companion (``s`` there).

The figures are ``sessionlog scale compare``'s: per scale and technique family, the
change from each patient's first reading by window since their first session, with
patients counted, a 95% interval on patients and the share reaching the MCID.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from ...analysis.model import group_label
from ...analysis.scale_compare import compare_scales
from ...services.scales import cell_text
from ..safe import plain
from ..widgets.footer import Footer

COLUMNS = ("Scale", "Technique", "Since first session", "Patients", "Better by (95% CI)",
           "Reached MCID (95% CI)")  # fmt: skip
NOTE = (
    "One value per patient per window (their latest reading there). PGIC and GROC: the"
    " mean answer and the share of responders. Descriptive: techniques were not randomised."
)


class ScaleCompareScreen(Screen[None]):
    BINDINGS = [Binding("escape,q", "close", "Back", id="scale_compare.close")]
    DEFAULT_CSS = """
    ScaleCompareScreen #scale-compare-title { height: 1; padding: 0 1; background: $primary;
                                              color: $text; text-style: bold; }
    ScaleCompareScreen DataTable { height: 1fr; }
    ScaleCompareScreen #scale-compare-note { height: auto; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static(
            "Outcome scales by technique: every patient (the comparison's filters do not"
            " apply here)",
            id="scale-compare-title",
        )
        yield DataTable(id="scale-compare", zebra_stripes=True, cursor_type="row")
        yield Static(NOTE, id="scale-compare-note")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        for g in compare_scales(self.app.store.scale_facts()):  # type: ignore[attr-defined]
            for c in g.cells:
                if c.patients:
                    change, share = cell_text(c, g.scale)
                    table.add_row(
                        plain(g.scale.code), plain(group_label(g.family)), plain(c.label),
                        plain(f"{c.patients} of {g.baseline_patients}"), plain(change),
                        plain(share),
                    )  # fmt: skip
        if not table.row_count:
            self.query_one("#scale-compare-note", Static).update("No scale readings yet.")

    def action_close(self) -> None:
        self.dismiss()
