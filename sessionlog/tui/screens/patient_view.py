"""The patient view: the screen turned toward the patient.

Their own data only: a large chart of their pain and a few plain sentences. Nothing
on it leads to another patient: no search, no lists, and the command palette is off
while it is shown. It is modal, so the app's ordinary keys do nothing; leaving takes
:data:`LEAVE_KEY` pressed twice in a row (any other key in between starts over).

The app must let that key through: a screen cannot veto the app's own priority
bindings (Textual's ``ctrl+q`` quits). ``LOCKED`` marks this screen so the app's
``check_action`` can refuse ``quit`` and the command palette while it is on top.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static
from textual_plotext import PlotextPlot

from ...analysis import patient_sentences
from ...analysis.scale_course import scale_sentence
from ...charts import draw_progress
from ...exchange.take_home import patient_scales
from ...store.outcome_reports import progress_report
from ..safe import plain
from .scale_entry import ScaleEntry

LEAVE_KEY = "ctrl+q"
LEAVE_HINT = "Practitioner: press Ctrl+Q twice to leave this view."
ENTER_KEY = "e"
ENTER_HINT = "Press e to record how you are doing (a questionnaire score)."
ARMED_HINT = "Press Ctrl+Q once more to leave this view."


class PatientViewScreen(ModalScreen[None]):
    """Patient ``patient_id``'s own progress, in large type, for them to read."""

    LOCKED = True  # the app refuses quit and the command palette over this screen
    AUTO_FOCUS = None
    BINDINGS = [
        Binding(LEAVE_KEY, "leave", "Leave", show=False, priority=True, id="patient_view.leave")
    ]
    DEFAULT_CSS = """
    PatientViewScreen { background: $surface; align: center middle; }
    PatientViewScreen #pv-body { width: 100%; height: 100%; background: $surface;
                                 padding: 0 2; }
    PatientViewScreen #pv-title { height: 1; text-style: bold; color: $text; }
    PatientViewScreen #pv-chart { height: 1fr; min-height: 12; }
    PatientViewScreen #pv-sentences { height: auto; padding: 1 0; text-style: bold; }
    PatientViewScreen #pv-hint, PatientViewScreen #pv-enter { height: 1; color: $text-muted;
                                                               text-style: italic; }
    """

    def __init__(self, patient_id: int) -> None:
        super().__init__()
        self.patient_id = patient_id
        self.armed = False
        self._palette_was = True

    def compose(self) -> ComposeResult:
        with Vertical(id="pv-body"):
            yield Static("Your progress: pain from 0 (none) to 10 (worst)", id="pv-title")
            yield PlotextPlot(id="pv-chart")
            yield Static(id="pv-sentences")
            yield Static(ENTER_HINT, id="pv-enter")
            yield Static(LEAVE_HINT, id="pv-hint")

    def on_mount(self) -> None:
        self._palette_was = self.app.use_command_palette
        self.app.use_command_palette = False
        self.load()

    def load(self) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        progress = progress_report(store, self.patient_id)
        plot = self.query_one(PlotextPlot)
        draw_progress(plot.plt, progress, title="Your pain", for_patient=True)
        plot.refresh()
        scales = [scale_sentence(c) for c in patient_scales(store, self.patient_id)[0]]
        self.query_one("#pv-sentences", Static).update(
            plain("\n\n".join(patient_sentences(progress) + scales))
        )

    def on_unmount(self) -> None:
        self.app.use_command_palette = self._palette_was

    def on_key(self, event: events.Key) -> None:
        if event.key == ENTER_KEY:  # the patient records a scale, for themselves only
            event.stop()
            self.app.push_screen(
                ScaleEntry(self.patient_id, entered_by="patient"),
                lambda saved: self.load() if saved else None,
            )
            return
        # Every other key is swallowed here, and breaks a half-typed chord.
        if event.key != LEAVE_KEY and self.armed:
            self.armed = False
            self.query_one("#pv-hint", Static).update(LEAVE_HINT)
        event.stop()
        event.prevent_default()

    def action_leave(self) -> None:
        if self.armed:
            self.dismiss()
            return
        self.armed = True
        self.query_one("#pv-hint", Static).update(ARMED_HINT)
