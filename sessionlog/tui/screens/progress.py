"""A patient's progress, for the practitioner: chart, summary, one row per session.

No SQL and no statistics here: the figures come from
:mod:`sessionlog.services.reports`, the chart from :mod:`sessionlog.charts`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Static

from ...analysis import patient_sentences
from ...analysis.activity_words import scale_words
from ...analysis.progress import Progress
from ...analysis.scale_course import ScaleCourse
from ...analysis.table import progress_summary, session_rows
from ...charts import draw_progress
from ...charts.progress import key_entries
from ...charts.scales import draw_scale
from ...errors import SessionlogError
from ...services.reports import progress_report
from ...services.take_home import patient_scales, write_take_home_default
from ..access import record_access
from ..safe import plain
from ..tables import FitTable, Layout, fill_columns, merge_columns, technique_name
from ..widgets.chart import Chart, ChartKey
from ..widgets.footer import Footer

PREVIEW_ROWS = 20  # more than #progress-sessions' max-height shows
COMPLAINT_WIDTH = 13  # the sessions table's complaints: "Low back pain", "Shoulder pain"


class ProgressScreen(Screen[None]):
    """Patient ``patient_id``'s pain over time, relief per session, and whether it lasted."""

    BINDINGS = [
        Binding("escape,q", "close", "Back", id="progress.close"),
        Binding("v", "patient_view", "Show the patient", id="progress.patient_view"),
        Binding("r", "take_home", "Take-home report", id="progress.take_home"),
        Binding("s", "record_scale", "Record a scale", id="progress.record_scale"),
        Binding("c", "scale_readings", "Correct a scale", id="progress.scale_readings"),
    ]
    DEFAULT_CSS = """
    ProgressScreen #progress-title { height: 1; padding: 0 1; background: $primary;
                                     color: $text; text-style: bold; }
    ProgressScreen #progress-chart { height: 1fr; min-height: 12; }
    ProgressScreen #progress-key { height: auto; padding: 0 1; color: $text-muted; }
    ProgressScreen #progress-summary { height: auto; padding: 0 1; }
    ProgressScreen #progress-scales { height: auto; }
    ProgressScreen #progress-scales PlotextPlot { height: 12; width: 1fr; }
    ProgressScreen #progress-sessions { height: auto; max-height: 14; }
    """

    _resumed = False  # the first ScreenResume has come (see _on_screen_resume)

    def __init__(self, patient_id: int) -> None:
        super().__init__()
        self.patient_id = patient_id
        self.progress: Progress | None = None
        self.last_report: Path | None = None

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # As the home screen's: the first resume comes right after the screen was built
        # and each widget styled as it was mounted; Textual's restyle of every widget
        # then changed nothing and took 1.8-3 ms of CPU of opening a 400-session
        # patient's progress (issue 17). Later ones restyle when Textual asks it.
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False

    def compose(self) -> ComposeResult:
        yield Static(id="progress-title")
        yield Chart(id="progress-chart")
        yield Static(id="progress-key")  # the chart's key: inside, it covered readings
        yield Horizontal(id="progress-scales")
        yield Static(id="progress-summary")
        yield FitTable(id="progress-sessions", zebra_stripes=True, cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        record_access(self.app, self.patient_id, "progress")
        self.load()

    def load(self) -> None:
        """Read the patient's records again and redraw everything."""
        store = self.app.store  # type: ignore[attr-defined]
        patient = store.patient(self.patient_id)
        title = self.query_one("#progress-title", Static)
        if patient is None:
            title.update(plain(f"There is no patient {self.patient_id}."))
            return
        title.update(plain(f"Progress  {patient['chart_id']}  {patient['name']}"))
        self.progress = progress_report(store, self.patient_id)
        plot = self.query_one(Chart)
        draw_progress(plot.plt, self.progress)
        plot.refresh()
        self.query_one("#progress-key", Static).update(ChartKey(key_entries(self.progress)))
        summary = Text()
        for line in patient_sentences(self.progress):
            summary.append_text(plain(line, style="bold"))
            summary.append("\n")
        courses = patient_scales(store, self.patient_id)
        for course in courses:
            summary.append_text(plain(scale_words(course), style="bold"))
            summary.append("\n")
        self._draw_scales(courses)
        summary.append_text(plain("\n".join(progress_summary(self.progress))))
        self.query_one("#progress-summary", Static).update(summary)
        columns, rows = session_rows(self.progress)
        for row in rows:
            row["technique"] = technique_name(row["technique"])
        # Long headings on two lines: the table fits 120 columns (it was 131 wide). Below
        # that, pain before and after share a column, then so do the later readings (at
        # 80 columns the last window was cut off).
        # (Made only when the table does not fit without them: at 120 columns it does.)
        later = [k for k, _ in columns if k[0] == "w" or k == "between"]

        @cache
        def pain() -> Layout:
            return merge_columns(columns, rows, ("before", "after"), "pain", "Pain", "->")

        def merged() -> Layout:
            return merge_columns(*pain(), later, "later", "Later readings", "; ")

        table = self.query_one("#progress-sessions", DataTable)
        # A long history: filled once, before the first frame, at the width it will have
        # (it spans the screen, as wide as the app). A short one: its rows unwrapped until
        # the table has its width.
        width = self.app.size.width
        # A technique on one line ("Dry" over "needling" read as two); a complaint cut
        # short ("Tension-type hea…": the sentences above name it whole) before it wraps.
        kept, cut = ("date", "technique"), {"complaint": COMPLAINT_WIDTH}
        fill_columns(
            table, columns, rows, pain, merged, until_sized=PREVIEW_ROWS, width=width,
            kept=kept, cut=cut,
        )  # fmt: skip

    def _draw_scales(self, courses: list[ScaleCourse]) -> None:
        """One small chart per scale the patient has (up to three), beside each other."""
        row = self.query_one("#progress-scales", Horizontal)
        row.remove_children()
        plots = [Chart(classes="scale-chart") for _ in courses[:3]]
        row.mount_all(plots)
        for plot, course in zip(plots, courses, strict=False):
            draw_scale(plot.plt, course)

    def action_take_home(self) -> None:
        """Write the patient's take-home report (HTML, for A4) and say where."""
        app = self.app
        try:
            dest = write_take_home_default(app.store, self.patient_id, app.practitioner_id)  # type: ignore[attr-defined]
        except (SessionlogError, OSError) as exc:  # a folder not there, a full disk
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            self.notify(plain(f"Report not written: {why}"), severity="error", timeout=8)  # type: ignore[arg-type]
            return
        self.last_report = dest
        self.notify(f"Report written to {dest}", title="Take-home report")

    def action_record_scale(self) -> None:
        from .scale_entry import ScaleEntry

        def saved(what: str | None) -> None:
            if what:
                self.load()
                if " saved. " in what:  # with a note worth a look (other activities...)
                    self.notify(plain(what), timeout=12)  # type: ignore[arg-type]

        self.app.push_screen(ScaleEntry(self.patient_id), saved)

    def action_scale_readings(self) -> None:
        """The patient's readings, to correct or void one; the figures drawn anew after."""
        from .scale_readings import ScaleReadingsScreen

        self.app.push_screen(ScaleReadingsScreen(self.patient_id), lambda _: self.load())

    def action_close(self) -> None:
        self.dismiss()

    def action_patient_view(self) -> None:
        from .patient_view import PatientViewScreen

        self.app.push_screen(PatientViewScreen(self.patient_id))
