"""Outcome scales by technique: the compare screen's companion (``s`` there).

The figures are ``sessionlog scale compare``'s: per scale and technique family, the
change from each patient's first reading by window since their first session, with
patients counted, a 95% interval on patients and the share reaching the MCID.
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from ...analysis.model import group_label
from ...analysis.scale_compare import compare_scales
from ...errors import SessionlogError
from ...services.scales import cell_text
from ..safe import plain
from ..widgets.footer import Footer
from .compare import reader

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
    ScaleCompareScreen #scale-compare-status { height: auto; padding: 0 1; }
    ScaleCompareScreen #scale-compare-status.-error { color: $error; }
    """
    WORKING = "Working out the scales' figures from every patient's readings..."

    def compose(self) -> ComposeResult:
        yield Static(
            "Outcome scales by technique: every patient (the comparison's filters do not"
            " apply here)",
            id="scale-compare-title",
        )
        yield Static(self.WORKING, id="scale-compare-status")
        yield DataTable(id="scale-compare", zebra_stripes=True, cursor_type="row")
        yield Static(NOTE, id="scale-compare-note")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*COLUMNS)
        self.compute()

    @work(thread=True, exclusive=True, group="scale_compare")
    def compute(self) -> None:
        """Read every current reading and work out the figures off the UI thread."""
        try:
            with reader(self.app.store) as store:  # type: ignore[attr-defined]
                groups = compare_scales(store.scale_facts())
        except SessionlogError as exc:
            self.app.call_from_thread(self._if_shown, self._refused, str(exc))
            return
        rows = []
        for g in groups:
            for c in g.cells:
                if c.patients:
                    change, share = cell_text(c, g.scale)
                    rows.append((
                        plain(g.scale.code), plain(group_label(g.family)), plain(c.label),
                        plain(f"{c.patients} of {g.baseline_patients}"), plain(change),
                        plain(share),
                    ))  # fmt: skip
        self.app.call_from_thread(self._if_shown, self.show, rows)

    def _if_shown(self, show: Any, *args: Any) -> None:
        """Run a worker's result only while this screen is open (Escape may come first)."""
        if self in self.app.screen_stack:
            show(*args)

    def show(self, rows: list[tuple[Any, ...]]) -> None:
        table = self.query_one(DataTable)
        table.add_rows(rows)
        self.query_one("#scale-compare-status", Static).display = False
        if not rows:
            self.query_one("#scale-compare-note", Static).update("No scale readings yet.")

    def _refused(self, text: str) -> None:
        status = self.query_one("#scale-compare-status", Static)
        status.update(plain(text))
        status.add_class("-error")

    def action_close(self) -> None:
        self.dismiss()
