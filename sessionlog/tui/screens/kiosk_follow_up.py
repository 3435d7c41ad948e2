"""The patient's own follow-up, from the patient view: plain questions, for them only.

Today's pain, soreness where the needles went, and each scale their clinician has
recorded for them (the answers typed from their paper form; no questionnaire text is
shipped). Enter goes to the next question and, on the last, saves through
:func:`sessionlog.services.kiosk.record_own_follow_up`; a refused answer shows one line
naming the question and saves nothing; Escape goes back without saving. As locked as
the view (``LOCKED``: the app refuses every app-wide key; ``KIOSK``: never idle-locked).
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ...errors import SessionlogError
from ...services.kiosk import Assigned, assigned_scales, record_own_follow_up
from ..safe import plain

PAIN_ASK = "Your pain today: 0 = no pain, 10 = the worst pain you can imagine"
SORE_ASK = "Soreness where the needles went: 0 = not sore, 10 = very sore (or leave it empty)"
HINT = "Enter: next question (on the last one: save).  Escape: back, nothing saved."
NUMBER = "type a number from 0 to 10"


def example(a: Assigned) -> str:
    """The shape of an answer, in the field until the patient types."""
    s = a.scale
    if s.items == 1:
        return f"type a number from {s.item_min} to {s.item_max}"
    count = len(a.labels) or s.items
    shown = ",".join(str(s.item_min + (i % 3)) for i in range(min(count, 10)))
    return f"type your answers, e.g. {shown}"


def scale_ask(a: Assigned) -> str:
    """What the patient is asked for one of their scales, in plain words."""
    s = a.scale
    each = f"each a whole number from {s.item_min} to {s.item_max}"
    if a.labels:
        return f"{s.name}: score your activities ({', '.join(a.labels)}), {each}, commas between"
    if s.items == 1:
        return f"{s.name}: one answer, a whole number from {s.item_min} to {s.item_max}"
    return (
        f"{s.name}: the {s.items} answers from your paper form in order, {each},"
        " commas between (a dash for one you left out), or its total"
    )


class AnswerInput(Input):
    """A field that says so when a paste is longer than it takes (Textual's Input drops
    such a paste whole, without a word): :class:`TooLong` goes to the screen."""

    class TooLong(Message):
        def __init__(self, field: AnswerInput, length: int) -> None:
            super().__init__()
            self.field = field
            self.length = length

    def _on_paste(self, event: events.Paste) -> None:
        # Before Input's own handler (Textual calls each class's, the subclass's first).
        line = event.text.splitlines()[0] if event.text else ""
        start, end = sorted(self.selection)
        if self.max_length and len(self.value) - (end - start) + len(line) > self.max_length:
            event.stop()
            event.prevent_default()  # Input's handler does not run
            self.post_message(self.TooLong(self, len(line)))


def too_long(what: str, takes: str, field: Input, length: int) -> str:
    """One line: what the field takes, and that the paste was left out."""
    return (
        f"{what} takes {takes} (at most {field.max_length} characters): the pasted text"
        f" ({length:,} characters) was left out."
    )


class KioskFollowUp(ModalScreen[bool]):
    """Dismisses with True once saved, False on Escape."""

    LOCKED = True
    KIOSK = True
    BINDINGS = [Binding("escape", "back", show=False, priority=True, id="kiosk.back")]
    DEFAULT_CSS = """
    KioskFollowUp { align: center middle; }
    KioskFollowUp #kf-box { width: 100%; height: 100%; padding: 0 2; background: $surface; }
    KioskFollowUp #kf-title { height: 1; text-style: bold; }
    KioskFollowUp #kf-questions { height: 1fr; }
    KioskFollowUp .kf-ask { height: auto; margin-top: 1; }
    KioskFollowUp Input { width: 100%; max-width: 60; background: $boost; }
    KioskFollowUp Input:focus { background: $primary 40%; }
    KioskFollowUp #kf-error { width: 100%; height: auto; color: $error; text-style: bold; }
    KioskFollowUp #kf-hint { height: auto; color: $text-muted; }
    """

    def __init__(self, patient_id: int) -> None:
        super().__init__()
        self.patient_id = patient_id
        self.entered_by = "patient"
        self.scales: list[Assigned] = []
        self.pasted_too_long = False  # the error line is about a paste left out

    def compose(self) -> ComposeResult:
        self.scales = assigned_scales(self.app.store, self.patient_id)  # type: ignore[attr-defined]
        with Vertical(id="kf-box"):
            yield Static("How are you today?", id="kf-title")
            with VerticalScroll(id="kf-questions", can_focus=False):
                yield Static(PAIN_ASK, classes="kf-ask")
                yield AnswerInput(id="kf-pain", compact=True, max_length=4, placeholder=NUMBER)
                yield Static(SORE_ASK, classes="kf-ask")
                yield AnswerInput(id="kf-sore", compact=True, max_length=4, placeholder=NUMBER)
                for i, a in enumerate(self.scales):
                    yield Static(plain(scale_ask(a)), classes="kf-ask")
                    yield AnswerInput(
                        id=f"kf-scale-{i}", compact=True, max_length=120, placeholder=example(a)
                    )
            yield Label("", id="kf-error")
            yield Static(HINT, id="kf-hint")

    def on_mount(self) -> None:
        self.query_one("#kf-pain", Input).focus()

    @property
    def inputs(self) -> list[Input]:
        return list(self.query(Input))

    def on_click(self, event: events.Click) -> None:
        event.stop()

    def on_answer_input_too_long(self, event: AnswerInput.TooLong) -> None:
        event.stop()
        fid = event.field.id or ""
        if fid in ("kf-pain", "kf-sore"):
            what = "Pain today" if fid == "kf-pain" else "Soreness"
            line = too_long(what, "a number from 0 to 10", event.field, event.length)
        else:
            name = self.scales[int(fid.rsplit("-", 1)[1])].scale.name
            line = too_long(name, "your answers", event.field, event.length)
        self.query_one("#kf-error", Label).update(plain(line))
        self.pasted_too_long = True

    def on_input_changed(self, event: Input.Changed) -> None:
        # A line about a refused paste goes once the field takes what is typed (a
        # refused answer's line stays until the next save).
        if self.pasted_too_long:
            self.pasted_too_long = False
            self.query_one("#kf-error", Label).update("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = self.inputs
        at = inputs.index(event.input)
        if at + 1 < len(inputs):
            inputs[at + 1].focus()
            return
        self.save()

    def save(self) -> None:
        app = self.app
        answers = {
            a.scale.code: self.query_one(f"#kf-scale-{i}", Input).value
            for i, a in enumerate(self.scales)
        }
        try:
            record_own_follow_up(
                app.store,  # type: ignore[attr-defined]
                patient_id=self.patient_id,
                actor_id=app.practitioner_id,  # type: ignore[attr-defined]
                pain=self.query_one("#kf-pain", Input).value,
                soreness=self.query_one("#kf-sore", Input).value,
                answers=answers,
            )
        except SessionlogError as exc:
            self.query_one("#kf-error", Label).update(plain(str(exc)))
            self._focus_on(getattr(exc, "field", ""))
            return
        self.dismiss(True)

    def _focus_on(self, name: str) -> None:
        target = {"Pain today": "#kf-pain", "Soreness": "#kf-sore"}.get(name)
        for i, a in enumerate(self.scales):
            if name in (a.scale.name, a.scale.code):
                target = f"#kf-scale-{i}"
        if target:
            self.query_one(target, Input).focus()

    def action_back(self) -> None:
        self.dismiss(False)
