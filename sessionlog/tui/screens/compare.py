"""Compare techniques across the clinic, with filters: relief by window, curves,
responders, soreness, dose and safety.

The figures are computed in a thread worker (its own database connection for a
file database), so typing in the filters never freezes the screen.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Input, Select, Static, TabbedContent, TabPane

from ...analysis import DEFAULT_LONG, DEFAULT_SHORT, Filters
from ...analysis.table import (
    DETAIL_COLUMNS,
    LASTING_COLUMNS,
    WINDOW_COLUMNS,
    detail_rows,
    kept_rows,
    lasting_rows,
    soreness_rows,
    window_rows,
)
from ...analysis.windows import DEFAULT_WINDOWS, edges_legend
from ...charts import draw_durability, draw_lasting, draw_responders, draw_soreness
from ...domain.techniques import BODY_REGIONS, FAMILIES, FAMILY_LABELS, TECHNIQUES
from ...domain.text import counted
from ...errors import SessionlogError, ValidationError, WriteFailed
from ..safe import plain
from ..tables import FitTable, fill_columns, merge_columns
from ..widgets.chart import Chart
from ..widgets.footer import Footer

if TYPE_CHECKING:
    from ...store import Store

# The relief table had nine columns, 152 characters wide: at 120 columns the responder
# rates were cut off, at 100 the relief in percent too. The responder rates go to the
# Responders tab, under their chart, with the counts they rest on.
# With patients and sessions in every n, the relief in percent goes there too, and how
# complete each window is gets a tab of its own.
_RESPONDERS = ("percent", "resp2", "resp30")
_COMPLETE = ("complete", "worst")
_ROW = ("technique", "window", "sessions")
RELIEF_COLUMNS = [c for c in WINDOW_COLUMNS if c[0] not in _RESPONDERS + _COMPLETE]
RESPONDER_COLUMNS = [c for c in WINDOW_COLUMNS if c[0] in _ROW + _RESPONDERS]
COMPLETE_COLUMNS = [c for c in WINDOW_COLUMNS if c[0] in _ROW + _COMPLETE]
# Merged into one column each where the screen is too narrow for them side by side.
_STILL = ("s72", "s1w", "s4w", "s12w")
_AT = {"s72": "at 72 h"}
_EVENTS = ("mild", "significant", "serious")
_EVENT = {key: key for key in _EVENTS}  # "mild: 11.1 (0.0-97.9)" under "Adverse events /100"


_IN_MEMORY = threading.Lock()


@contextmanager
def reader(store: Store) -> Iterator[Store]:
    """A store for a worker thread: its own connection, unless the database is in memory
    (one connection, which the screen's workers then take in turn: one worker's
    rollback would abort the other's statement)."""
    if str(store.path) == ":memory:":
        with _IN_MEMORY:
            yield store
        return
    from ...store import Store

    own = Store.open(store.path, clock=store.clock)
    try:
        yield own
    finally:
        own.close()


def _date(field: str, text: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(field, f"{text.strip()!r} is not a date: use YYYY-MM-DD") from None


class CompareScreen(Screen[None]):
    """Techniques side by side, with the counts and intervals behind every figure."""

    BINDINGS = [
        Binding("escape", "close", "Back", id="compare.close"),
        Binding("ctrl+r", "recompute", "Apply filters", id="compare.apply"),
        Binding("ctrl+s", "scales", "Scales", id="compare.scales"),
        # Electro-acupuncture beside acupuncture (the CLI's --by technique).
        Binding("ctrl+g", "toggle_by", "By technique", id="compare.by"),
    ]
    # Six filters fit one row only on a wide terminal; below that they go in two rows
    # of three (selects, then text), so no label wraps ("All practitioners" needs ~24).
    HORIZONTAL_BREAKPOINTS = [(0, "-two-rows"), (150, "-one-row")]
    DEFAULT_CSS = """
    CompareScreen #cmp-filters { height: auto; }
    CompareScreen.-two-rows #cmp-filters {
        layout: grid; grid-size: 3; grid-rows: 3; grid-columns: 1fr; height: 6;
    }
    CompareScreen #cmp-filters Select { width: 1fr; }
    CompareScreen #cmp-filters Input { width: 1fr; }
    CompareScreen #cmp-status { height: auto; padding: 0 1; color: $text-muted; }
    CompareScreen #cmp-status.-error { color: $error; }
    CompareScreen #cmp-window-edges { height: auto; padding: 0 1; color: $text-muted; }
    /* The tabs take the rest of the screen and no more, so a chart's x-axis is on it
       (the tabs sized to their tallest pane put it below the bottom at 24 rows). */
    CompareScreen #cmp-tabs { height: 1fr; }
    CompareScreen #cmp-tabs ContentSwitcher { height: 1fr; }
    CompareScreen #cmp-tabs TabPane { height: 1fr; overflow-y: auto; scrollbar-gutter: stable; }
    CompareScreen PlotextPlot { height: 1fr; min-height: 10; }
    CompareScreen DataTable { height: auto; max-height: 20; }
    CompareScreen #tab-responders PlotextPlot { min-height: 10; }
    /* Below 150 columns the filters are one line each, without a frame (framed, they
       took six of 24 rows) and a chart is the pane's height: the curves' x-axis shows,
       the next chart is a scroll away. */
    CompareScreen.-two-rows #cmp-filters { grid-rows: 1; height: 2; grid-gutter: 0 1; }
    CompareScreen.-two-rows #cmp-filters Input { border: none; height: 1; padding: 0 1; }
    CompareScreen.-two-rows #cmp-filters SelectCurrent { border: none; height: 1; }
    CompareScreen.-two-rows #cmp-filters Select { height: 1; }
    CompareScreen.-two-rows TabPane PlotextPlot { height: 100%; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.result: Any = None
        self.details: Any = None
        self.by = "family"  # or "technique": each technique its own row and curve

    def compose(self) -> ComposeResult:
        store = self.app.store  # type: ignore[attr-defined]
        techniques = [(FAMILY_LABELS[f], f) for f in FAMILIES] + [
            (t.label, k) for k, t in TECHNIQUES.items() if k not in FAMILIES
        ]
        people = [(plain(p["name"]), p["id"]) for p in store.practitioners()]
        regions = [(r.replace("_", " "), r) for r in BODY_REGIONS]
        with Horizontal(id="cmp-filters"):
            yield Select(techniques, prompt="All techniques", id="cmp-technique")
            yield Select(people, prompt="All practitioners", id="cmp-practitioner")
            yield Select(regions, prompt="All regions", id="cmp-region")
            yield Input(placeholder="complaint words", id="cmp-complaint")
            yield Input(placeholder="since YYYY-MM-DD", id="cmp-since")
            yield Input(placeholder="until YYYY-MM-DD", id="cmp-until")
        yield Static("Computing...", id="cmp-status")
        with TabbedContent(id="cmp-tabs"):
            with TabPane("Relief", id="tab-relief"):
                yield FitTable(id="cmp-windows", zebra_stripes=True)
                # The windows' real edges (padded by a day): the labels name timepoints.
                yield Static(edges_legend(DEFAULT_WINDOWS), id="cmp-window-edges")
                # Relief kept within the same sessions (what durability means), then
                # how long relief lasted.
                yield FitTable(id="cmp-kept")
                yield FitTable(id="cmp-durability")
            with TabPane("Curves", id="tab-curves"):
                yield Chart(id="cmp-curves")
                yield Chart(id="cmp-lasting")
            with TabPane("Responders", id="tab-responders"):
                yield Chart(id="cmp-responders")
                yield FitTable(id="cmp-responder-table", zebra_stripes=True)
            with TabPane("Completeness", id="tab-complete"):
                yield FitTable(id="cmp-complete", zebra_stripes=True)
                yield Static("", id="cmp-due-done")
            with TabPane("Soreness", id="tab-soreness"):
                yield Chart(id="cmp-soreness")
                yield FitTable(id="cmp-soreness-table")
            with TabPane("Dose & safety", id="tab-details"):
                yield FitTable(id="cmp-details")
        yield Footer()

    FILTER_IDS = ("cmp-technique", "cmp-practitioner", "cmp-region", "cmp-complaint",
                  "cmp-since", "cmp-until")  # fmt: skip

    def on_mount(self) -> None:
        # The filters of the last visit are kept (they reset when the screen was left).
        kept = dict(getattr(self.app, "remembered", {}).get("compare", {}))
        self.by = kept.pop("by", "family")
        for widget_id, value in kept.items():
            widget = self.query_one(f"#{widget_id}")
            with widget.prevent(Select.Changed, Input.Changed):
                widget.value = value  # type: ignore[attr-defined]
        self.action_recompute()
        self.due_done()

    @work(thread=True, exclusive=True, group="due_done")
    def due_done(self) -> None:
        """Per due window, the share of due readings recorded (every patient: the due
        list's windows are the clinic's, not the filters')."""
        from ...analysis.due import completion, completion_line
        from ...services.due import clinic_checks

        try:
            with reader(self.app.store) as store:  # type: ignore[attr-defined]
                done = completion(store.reading_courses(), store.clock(), clinic_checks(store))
        except SessionlogError as exc:
            self.app.call_from_thread(self._if_shown, self._refused, str(exc))
            return
        line = "Follow-ups by the clinic's due windows: " + completion_line(done)
        self.app.call_from_thread(self._if_shown, self._show_due_done, line)

    def _show_due_done(self, line: str) -> None:
        self.query_one("#cmp-due-done", Static).update(plain(line))

    def _if_shown(self, show: Any, *args: Any) -> None:
        """Run ``show`` (a worker's result, on the UI thread) only while this screen is
        still open: a comparison can finish after the user has left with Escape, and its
        widgets are gone then (querying them raised and ended the app)."""
        if self in self.app.screen_stack:
            show(*args)

    def _remember(self) -> None:
        values = {i: self.query_one(f"#{i}").value for i in self.FILTER_IDS}  # type: ignore[attr-defined]
        values["by"] = self.by
        if hasattr(self.app, "remembered"):
            self.app.remembered["compare"] = values

    def filters(self) -> Filters:
        """The filters as typed; raises ValidationError naming a bad field."""

        def chosen(widget_id: str) -> Any:
            value = self.query_one(widget_id, Select).value
            return None if value is Select.NULL else value

        complaint = self.query_one("#cmp-complaint", Input).value.strip()
        return Filters(
            technique=chosen("#cmp-technique"),
            practitioner_id=chosen("#cmp-practitioner"),
            region=chosen("#cmp-region"),
            complaint=complaint or None,
            since=_date("since", self.query_one("#cmp-since", Input).value),
            until=_date("until", self.query_one("#cmp-until", Input).value),
        )

    @on(Select.Changed)
    @on(Input.Submitted)
    def _filters_changed(self) -> None:
        self.action_recompute()

    def action_recompute(self) -> None:
        try:
            filters = self.filters()
        except ValidationError as exc:
            self._refused(str(exc))
            return
        self._status("Computing...")
        self.compute(filters, self.by)

    def action_toggle_by(self) -> None:
        self.by = "technique" if self.by == "family" else "family"
        self.action_recompute()

    @work(thread=True, exclusive=True, group="compare")
    def compute(self, filters: Filters, by: str = "family") -> None:
        """Compute the comparison off the UI thread and show it; then the details."""
        from ...services.reports import (
            comparison_report,
            details_report,
            prepare_outcomes,
            repair_outcomes,
        )

        def progress(step: int, steps: int) -> None:
            self.app.call_from_thread(
                self._if_shown,
                self._status,
                "Preparing the outcome figures for the whole clinic (first comparison after"
                f" an import or an upgrade): step {step} of {steps}...",
            )

        try:
            with reader(self.app.store) as store:  # type: ignore[attr-defined]
                try:
                    said = repair_outcomes(store)  # counts changed outside sessionlog
                    prepare_outcomes(store, progress)
                except WriteFailed as exc:
                    # A read: the figures come from a copy in memory, said not kept.
                    store = store.in_memory()
                    repair_outcomes(store)
                    prepare_outcomes(store, progress)
                    said = f"{exc.reason}: these figures could not be kept for next time."
                result = comparison_report(store, filters, by=by)
                self.app.call_from_thread(self._if_shown, self.show, result, said)
                # Dose and safety take longer on a large clinic: they come second.
                details = details_report(store, filters, by=by)
                # Shown before this store closes: closing copies a cache it has just
                # built into the file (a quarter of a second at 100,000 sessions).
                self.app.call_from_thread(self._if_shown, self.show_details, details)
        except SessionlogError as exc:
            self.app.call_from_thread(self._if_shown, self._refused, str(exc))

    def show(self, result: Any, said: str | None = None) -> None:
        """Put a computed comparison on the screen (``said``: what was done first, put
        before the status line's own words)."""
        self.result = result
        sessions = sum(g.sessions for g in result.groups)
        patients = ", ".join(f"{g.label} {g.patients}" for g in result.groups)
        grouped = (
            "Each technique (Ctrl+G: by family)"
            if self.by == "technique"
            else "By family (Ctrl+G: each technique)"
        )
        self._status(
            (f"{said} " if said else "")
            + f"{result.filters.describe()}: {sessions} sessions; patients: {patients}."
            f" {grouped}. Descriptive only: techniques were not randomised."
        )
        windows = window_rows(result)
        fill_columns(self.query_one("#cmp-windows", DataTable), RELIEF_COLUMNS, windows)
        fill_columns(self.query_one("#cmp-responder-table", DataTable), RESPONDER_COLUMNS, windows)
        fill_columns(self.query_one("#cmp-complete", DataTable), COMPLETE_COLUMNS, windows)
        lasting = lasting_rows(result)
        fill_columns(
            self.query_one("#cmp-durability", DataTable),
            LASTING_COLUMNS,
            lasting,
            # At 80 columns the four "still relieved" figures share a column.
            merge_columns(LASTING_COLUMNS, lasting, _STILL, "still", "Still relieved", "; ", _AT),
        )
        columns, rows = kept_rows(result)
        fill_columns(self.query_one("#cmp-kept", DataTable), columns, rows)
        columns, rows = soreness_rows(result)
        fill_columns(self.query_one("#cmp-soreness-table", DataTable), columns, rows)
        for plot_id, draw in (
            ("#cmp-curves", lambda plt: draw_durability(plt, result)),
            ("#cmp-lasting", lambda plt: draw_lasting(plt, result)),
            (
                "#cmp-responders",
                lambda plt: draw_responders(plt, result, DEFAULT_SHORT, DEFAULT_LONG),
            ),
            ("#cmp-soreness", lambda plt: draw_soreness(plt, result)),
        ):
            plot = self.query_one(plot_id, Chart)
            draw(plot.plt)
            plot.refresh()

    def show_details(self, details: Any) -> None:
        """Dose and adverse events per technique."""
        self.details = details
        rows = detail_rows(details)
        fill_columns(
            self.query_one("#cmp-details", DataTable),
            DETAIL_COLUMNS,
            rows,
            # At 80 columns the three adverse-event rates share a column.
            merge_columns(
                DETAIL_COLUMNS, rows, _EVENTS, "events", "Adverse events /100", "; ", _EVENT
            ),
        )

    def _refused(self, text: str) -> None:
        """An error in the status line, which also says what the tables still show."""
        if self.result is not None:
            sessions = sum(g.sessions for g in self.result.groups)
            shown = f"{self.result.filters.describe()} ({counted(sessions, 'session')})"
            text = f"{text.rstrip('.')}. The figures below are still for: {shown}."
        self._status(text, error=True)

    def _status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#cmp-status", Static)
        status.update(plain(text))
        # "-error", not "error": the forms' .error lines are hidden until shown.
        status.set_class(error, "-error")

    def action_scales(self) -> None:
        from .scale_compare import ScaleCompareScreen

        self.app.push_screen(ScaleCompareScreen())

    def action_close(self) -> None:
        self._remember()
        self.dismiss()
