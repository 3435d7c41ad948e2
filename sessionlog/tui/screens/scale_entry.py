"""Recording an outcome scale (NDI, ODI, PSFS...) for a patient, from their progress.

The answers in the form's order (``-`` for a blank) or the total; the reading goes to
the patient's latest session (a baseline) or to today's follow-up of it, through the
same service as ``sessionlog scale record``. Bad input shows one line and saves nothing.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ...domain.scales import catalogue, find_scale, format_score
from ...errors import SessionlogError
from ...services.scales import record_scale
from ..safe import plain


class ScaleEntry(ModalScreen[str | None]):
    """Dismisses with what was saved ("NDI 20.0 of 50 (40%)"), or None on Escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="scale.cancel")]
    DEFAULT_CSS = "ScaleEntry #scale-error { padding-left: 1; }"

    def __init__(self, patient_id: int, entered_by: str = "practitioner") -> None:
        super().__init__()
        self.patient_id = patient_id
        self.entered_by = entered_by
        # Over the patient view it is as locked as the view (the app refuses quit and
        # the palette): a patient reaches nothing else from here.
        self.LOCKED = entered_by == "patient"

    def compose(self) -> ComposeResult:
        codes = ", ".join(catalogue())
        with Vertical(classes="dialog"):
            yield Static(plain(f"Record a scale ({codes})"))
            yield Input(placeholder="scale, e.g. NDI", id="scale-code")
            yield Input(placeholder="answers in order, e.g. 3,2,1,0,4,2,1,3,2,-", id="scale-items")
            yield Input(placeholder="or the total", id="scale-total")
            yield Label("", id="scale-error", classes="error")
            yield Static("Enter to go on and save, Escape to cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#scale-code", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id != "scale-total":
            self.focus_next()
            return
        app = self.app
        value = {i.id: i.value.strip() for i in self.query(Input)}
        try:
            done = record_scale(
                app.store,  # type: ignore[attr-defined]
                patient_id=self.patient_id,
                scale=value["scale-code"],
                actor_id=app.practitioner_id,  # type: ignore[attr-defined]
                items=value["scale-items"] or None,
                total=value["scale-total"] or None,
                entered_by=self.entered_by,
            )
        except SessionlogError as exc:
            error = self.query_one("#scale-error", Label)
            error.update(plain(str(exc)))
            error.add_class("-shown")
            return
        scale = find_scale(done.reading.scale)
        saved = f"{scale.code} {format_score(scale, done.reading.score)}"
        self.dismiss(" ".join((f"{saved} saved.", *done.notes)) if done.notes else saved)

    def action_cancel(self) -> None:
        self.dismiss(None)
