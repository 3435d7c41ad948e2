"""The patient view: the screen turned toward the patient, locked like a kiosk.

Their own data only: a large chart of their pain and a few plain sentences. Nothing
on it leads to another patient (no search, no lists) and nothing on it says how to
leave. Leaving takes the practitioner's secret: :data:`ASK_KEY` shows a masked field
(and nothing else), which goes away again after :data:`FIELD_TIMEOUT_S` seconds without
a key; the right secret (checked like a sign-in: wrong ones are audited and back off)
closes the view. :data:`ENTER_KEY` lets the patient record their own follow-up (today's
pain, soreness and the scales assigned to them, saved as entered by the patient), on a
screen as locked as this one; their chart and sentences then show it.

A screen cannot veto the app's own priority bindings (Textual's ``ctrl+q`` quits),
so ``LOCKED`` marks this screen and the app's ``check_action`` refuses every app-wide
action while it is on top: quit, Ctrl+C, the command palette, compare, switch, lock.
Every key this screen does not use is swallowed here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static
from textual_plotext import PlotextPlot

from ...analysis import patient_sentences
from ...analysis.activity_words import scale_words
from ...analysis.scale_course import ScaleCourse
from ...charts import draw_progress
from ...charts.progress import key_entries
from ...charts.scales import draw_scale
from ...errors import SessionlogError
from ...services import auth
from ...services.reports import progress_report
from ...services.take_home import patient_scales
from .. import outcome_upkeep
from ..access import record_access
from ..safe import plain
from ..widgets.chart import Chart, ChartKey
from .kiosk_follow_up import KioskFollowUp

ASK_KEY = "ctrl+l"  # the lock key elsewhere; here it asks for the practitioner's secret
FIELD_TIMEOUT_S = 8.0
ENTER_KEY = "e"
ENTER_HINT = "Press e to tell your clinician how you are today (pain, soreness, forms)."
SAVED = "Saved. Thank you: your clinician will see it."
MORE_HINT = "Press the arrow keys for your other charts."
BAND = "On your questionnaire charts, the orange line marks a change most people notice."
MAX_SCALE_CHARTS = 6
CHART_ROWS = 8  # a scale chart needs about this many rows to be read
# Below this, the pain chart's axes overlap into stray lines ("0", "6 -----"): the
# charts give way to a line saying so, and the sentences keep the room.
MIN_PAIN_ROWS, MIN_PAIN_COLUMNS = 8, 30
SMALL = "Make the window larger to see your charts."
FLIP_KEYS = ("right", "left", "down", "up")


class PatientViewScreen(ModalScreen[None]):
    """Patient ``patient_id``'s own progress, in large type, for them to read."""

    LOCKED = True  # the app refuses every app-wide key over this screen
    KIOSK = True  # and does not idle-lock it: the patient may read on
    AUTO_FOCUS = None
    BINDINGS = [
        Binding(ASK_KEY, "ask_secret", show=False, priority=True, id="patient_view.ask"),
        Binding("escape", "hide_field", show=False, priority=True, id="patient_view.hide"),
    ]
    DEFAULT_CSS = """
    PatientViewScreen { background: $surface; align: center middle; }
    PatientViewScreen #pv-body { width: 100%; height: 100%; background: $surface;
                                 padding: 0 2; }
    PatientViewScreen #pv-title { height: 1; text-style: bold; color: $text; }
    PatientViewScreen #pv-charts { height: 1fr; min-height: 8; }
    PatientViewScreen #pv-pain { height: 1fr; width: 3fr; }
    PatientViewScreen #pv-chart { height: 1fr; }
    PatientViewScreen #pv-key { height: auto; padding: 0 1; color: $text-muted; }
    PatientViewScreen #pv-scales { height: 1fr; width: 2fr; }
    PatientViewScreen #pv-scales PlotextPlot { height: 1fr; }
    PatientViewScreen #pv-sentences { height: auto; text-style: bold; }
    PatientViewScreen #pv-small { height: auto; color: $text-muted; }
    PatientViewScreen #pv-enter { height: auto; color: $text-muted; text-style: italic; }
    PatientViewScreen #pv-unlock { dock: bottom; height: auto; padding: 0 2; }
    PatientViewScreen #pv-secret { width: 40; }
    PatientViewScreen #pv-said { height: auto; color: $text-muted; }
    """

    def __init__(self, patient_id: int, *, field_timeout: float = FIELD_TIMEOUT_S) -> None:
        super().__init__()
        self.patient_id = patient_id
        self.field_timeout = field_timeout
        self.field_touched: datetime | None = None  # last key while the field was up
        self._palette_was = True
        self.courses: list[ScaleCourse] = []
        self.pain_words: list[str] = []  # the pain sentences, always shown
        self.first_chart = 0  # the first scale chart shown, when not all have room

    def compose(self) -> ComposeResult:
        with Vertical(id="pv-body"):
            yield Static("Your progress: pain from 0 (none) to 10 (worst)", id="pv-title")
            # Under the title, so that it is on the screen however long the sentences.
            yield Static(ENTER_HINT, id="pv-enter")
            yield Static(SMALL, id="pv-small")
            with Horizontal(id="pv-charts"):
                with Vertical(id="pv-pain"):
                    yield Chart(id="pv-chart")  # its lines' numbers placed at its size
                    yield Static(id="pv-key")  # the chart's key: inside, it hid readings
                yield Vertical(id="pv-scales")
            yield Static(id="pv-sentences")
        with Vertical(id="pv-unlock"):
            yield Static("", id="pv-said")
            # Disabled while hidden, so nothing can focus it and take the patient's keys.
            yield Input(id="pv-secret", password=True, compact=True, disabled=True)

    def on_mount(self) -> None:
        self._palette_was = self.app.use_command_palette
        self.app.use_command_palette = False
        self.query_one("#pv-secret").display = False
        self.query_one("#pv-small").display = False
        record_access(self.app, self.patient_id, "patient_view")
        self.load()
        self.set_interval(1.0, self.expire_field)

    def load(self) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        progress = progress_report(store, self.patient_id)
        plot = self.query_one("#pv-chart", Chart)
        draw_progress(plot.plt, progress, title="Your pain", for_patient=True)
        plot.refresh()
        self.query_one("#pv-key", Static).update(ChartKey(key_entries(progress)))
        self.courses = patient_scales(store, self.patient_id)
        self.pain_words = patient_sentences(progress)
        self._say(range(len(self.courses)))
        self._draw_scales()

    def _say(self, shown: Iterable[int], *, charts: bool = True) -> None:
        """The pain sentences, then those of the scale charts on the screen (a sentence
        under a chart the patient cannot see would crowd the chart out of a small
        screen; the arrows bring the other charts with their sentences). Without the
        charts (too small a window), no word about their orange line."""
        scales = [scale_words(self.courses[i]) for i in shown]
        if scales and charts:
            scales.append(BAND)
        self.query_one("#pv-sentences", Static).update(plain("\n".join(self.pain_words + scales)))

    def _draw_scales(self) -> None:
        """Each scale the patient has (up to :data:`MAX_SCALE_CHARTS`) beside the pain
        chart, with its MCID (or responder) line; none, and pain has the width."""
        box = self.query_one("#pv-scales", Vertical)
        box.remove_children()
        box.display = bool(self.courses)
        plots = [PlotextPlot() for _ in self.courses[:MAX_SCALE_CHARTS]]
        box.mount_all(plots)
        for plot, course in zip(plots, self.courses, strict=False):
            draw_scale(plot.plt, course, for_patient=True)
        self.call_after_refresh(self.show_charts)

    def show_charts(self) -> None:
        """Show as many scale charts as have room (at least one), from
        :attr:`first_chart`; the arrow keys show the others, and the hint says so."""
        charts = self.query_one("#pv-charts")
        if not charts.display:
            return  # too small a window: shown again on the next resize
        pain = self.query_one("#pv-chart").size
        if pain.height < MIN_PAIN_ROWS or pain.width < MIN_PAIN_COLUMNS:
            charts.display = False
            self.query_one("#pv-small").display = True
            self._say(range(len(self.courses)), charts=False)
            self.query_one("#pv-enter", Static).update(ENTER_HINT)
            return
        plots = list(self.query("#pv-scales PlotextPlot"))
        room = max(1, charts.size.height // CHART_ROWS)
        room = min(room, len(plots)) if plots else 1
        if plots:
            self.first_chart %= len(plots)
        shown = [i for i in range(len(plots)) if (i - self.first_chart) % len(plots) < room]
        for i, plot in enumerate(plots):
            plot.display = i in shown
        self._say(sorted(shown, key=lambda i: (i - self.first_chart) % len(plots)))
        more = len(plots) > room
        self.query_one("#pv-enter", Static).update(ENTER_HINT + (" " + MORE_HINT if more else ""))

    def on_resize(self) -> None:
        # The charts back, laid out, then measured again (show_charts).
        self.query_one("#pv-charts").display = True
        self.query_one("#pv-small").display = False
        self.call_after_refresh(self.show_charts)

    def on_unmount(self) -> None:
        self.app.use_command_palette = self._palette_was

    @property
    def field(self) -> Input:
        return self.query_one("#pv-secret", Input)

    def _now(self) -> datetime:
        app: Any = self.app
        when: datetime = app.clock()
        return when

    def on_key(self, event: events.Key) -> None:
        # With the field up, its keys go on to its bindings (Enter, Backspace: Textual
        # looks at bindings once the key has bubbled up; the app's are refused while
        # this screen is on top). Without it, every key stops here.
        if self.field.display and self.field.has_focus:
            self.field_touched = self._now()
            return
        event.stop()
        event.prevent_default()
        if event.key in FLIP_KEYS and self.query_one("#pv-charts").display:
            # their other scale charts, when not all have room
            self.first_chart += -1 if event.key in ("left", "up") else 1
            self.show_charts()
        elif event.key == ENTER_KEY:  # the patient's own follow-up, for themselves only
            self.app.push_screen(KioskFollowUp(self.patient_id), self._entered)

    def _entered(self, saved: bool | None) -> None:
        if saved:
            outcome_upkeep.records_changed(self.app)
            self.load()
            self.query_one("#pv-said", Static).update(SAVED)

    def on_click(self, event: events.Click) -> None:
        event.stop()

    def action_ask_secret(self) -> None:
        self.field.value = ""
        self.field.disabled = False
        self.field.display = True
        self.field.focus()
        self.field_touched = self._now()

    def action_hide_field(self) -> None:
        self.field.value = ""
        self.field.display = False
        self.field.disabled = True
        self.query_one("#pv-said", Static).update("")
        self.set_focus(None)

    def expire_field(self) -> bool:
        """Hide the field once :attr:`field_timeout` seconds have passed without a key
        (by the app's clock; tests move the clock on and call this)."""
        if not self.field.display or self.field_touched is None:
            return False
        if (self._now() - self.field_touched).total_seconds() < self.field_timeout:
            return False
        self.action_hide_field()
        return True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        app: Any = self.app
        secret, self.field.value = event.value, ""
        try:
            auth.sign_in(app.store, app.practitioner_id, secret, self._now(), via="patient_view")
        except SessionlogError:
            self.query_one("#pv-said", Static).update("Not accepted.")
            self.field_touched = self._now()
            return
        self.dismiss()
