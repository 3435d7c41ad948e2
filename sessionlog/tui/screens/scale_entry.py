"""Recording an outcome scale (NDI, ODI, PSFS...) for a patient, from their progress.

The answers in the form's order (``-`` for a blank) or the total; the reading goes to
the patient's latest session (a baseline) or to today's follow-up of it, through the
same service as ``sessionlog scale record``. A scale whose items the patient names (PSFS)
asks for the activities instead of the answers, each with its answer
(:mod:`sessionlog.services.activity_entry`); Enter there saves, or, left empty, goes on
to the total. Bad input shows one line and saves nothing.

Given a reading (``correcting``), the same form corrects it, as ``sessionlog scale
amend`` does (:func:`sessionlog.services.scales.correct_reading`): its scale fixed, its
answers filled in to be typed again, checked as a new reading's are, then a reason is
asked; the reading saved stays in the record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ...domain.scales import Scale, catalogue, find_scale, format_score
from ...errors import SessionlogError
from ...services.activity_entry import EXAMPLE, MAX_TEXT, parse_activities
from ...services.scales import (
    answers_to_type,
    check_correction,
    correct_reading,
    reading_words,
    record_scale,
)
from ..safe import plain
from .kiosk_follow_up import AnswerInput
from .modals import AskText

if TYPE_CHECKING:
    from ...services.scales import Corrected
    from ...store import ScaleReadingRow


class ScaleEntry(ModalScreen[str | None]):
    """Dismisses with what was saved ("NDI 20.0 of 50 (40%)"), or None on Escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="scale.cancel")]
    DEFAULT_CSS = "ScaleEntry #scale-error { padding-left: 1; }"

    def __init__(
        self,
        patient_id: int,
        entered_by: str = "practitioner",
        correcting: ScaleReadingRow | None = None,
    ) -> None:
        super().__init__()
        self.patient_id = patient_id
        self.entered_by = entered_by
        self.correcting = correcting  # a practitioner's correction of this reading
        self.done: Corrected | None = None  # the correction saved
        # Over the patient view it is as locked as the view (the app refuses quit and
        # the palette): a patient reaches nothing else from here.
        self.LOCKED = entered_by == "patient"

    def compose(self) -> ComposeResult:
        codes = ", ".join(catalogue())
        was = self.correcting
        with Vertical(classes="dialog"):
            if was is None:
                yield Static(plain(f"Record a scale ({codes})"))
            else:
                yield Static(plain(f"Correct scale reading #{was.id} ({self._was_words})"))
            yield Input(
                placeholder="scale, e.g. NDI",
                id="scale-code",
                value="" if was is None else was.scale,
                disabled=was is not None,  # a reading of another scale is voided instead
            )
            yield AnswerInput(
                placeholder=f"activities, each with its answer: {EXAMPLE}",
                id="scale-activities",
                max_length=MAX_TEXT,
            )
            yield Input(placeholder="answers in order, e.g. 3,2,1,0,4,2,1,3,2,-", id="scale-items")
            yield Input(placeholder="or the total", id="scale-total")
            if was is not None:  # a new reading's time is now; a correction's may move
                yield Input(value=was.at[:16], placeholder="when: YYYY-MM-DD HH:MM", id="scale-at")
            yield Label("", id="scale-error", classes="error")
            hint = "Enter to go on and save, Escape to cancel"
            if was is not None:  # the time field's placeholder is hidden under the time
                hint = f"The last field is its time. {hint}"
            yield Static(hint, classes="hint")

    @property
    def _was_words(self) -> str:
        was = self.correcting
        return "" if was is None else f"{reading_words(was)}, {was.at[:16]}"

    def on_mount(self) -> None:
        was = self.correcting
        self.query_one("#scale-activities").display = False
        if was is None:
            self.query_one("#scale-code", Input).focus()
            return
        field, text = answers_to_type(was)
        self.query_one("#scale-activities").display = field == "activities"
        self.query_one("#scale-items").display = field != "activities"
        answers = self.query_one(f"#scale-{field}", Input)
        answers.value = text
        answers.focus()

    def _named(self) -> Scale | None:
        """The scale typed, when the patient names its items (PSFS)."""
        try:
            scale = find_scale(self.query_one("#scale-code", Input).value)
        except SessionlogError:
            return None  # said on saving
        return scale if scale.named_items else None

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "scale-code" and self.correcting is None:
            # the activities, or the answers in order (a correction's are where its
            # answers read back as they are)
            named = self._named() is not None
            self.query_one("#scale-activities").display = named
            self.query_one("#scale-items").display = not named

    def on_answer_input_too_long(self, event: AnswerInput.TooLong) -> None:
        named = self._named()  # the field shows only for such a scale
        most = named.items if named is not None else 5
        self._say(
            f"activities: at most {event.field.max_length} characters (up to {most} activities,"
            f" each with its answer, e.g. {EXAMPLE}): the pasted text ({event.length:,}"
            " characters) was left out."
        )

    def _say(self, line: str) -> None:
        error = self.query_one("#scale-error", Label)
        error.update(plain(line))
        error.set_class(bool(line), "-shown")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        activities = event.input.id == "scale-activities" and event.input.value.strip()
        if event.input.id not in ("scale-total", "scale-at") and not activities:
            self.focus_next()
            return
        try:
            self._save()
        except SessionlogError as exc:
            self._say(str(exc))

    def _save(self) -> None:
        """Check and save what the visible fields say (a hidden field is not sent)."""
        app = self.app
        value = {i.id: i.value.strip() for i in self.query(Input) if i.display}
        named, items = self._named(), value.get("scale-items")
        labels: tuple[str, ...] = ()
        if named is not None and value.get("scale-activities"):
            labels, answers = parse_activities(named, value["scale-activities"])
            items = ",".join(map(str, answers))
        was = self.correcting
        if was is not None:
            at = value["scale-at"] if value["scale-at"] != was.at[:16] else None
            field, shown = answers_to_type(was)
            typed = {k: v for k, v in value.items() if v and k != "scale-at" and k != "scale-code"}
            if at and typed == {f"scale-{field}": shown}:
                self._correct(at=at)  # the time alone: the answers stay as entered, by whom
                return
            # Every answer field left empty: said as for a new reading, not "no change".
            empty = not (items or value["scale-total"] or labels)
            self._correct(items="" if empty else items or None,
                          total=value["scale-total"] or None, labels=labels or None,
                          at=at)  # fmt: skip
            return
        done = record_scale(
            app.store,  # type: ignore[attr-defined]
            patient_id=self.patient_id,
            scale=value["scale-code"],
            actor_id=app.practitioner_id,  # type: ignore[attr-defined]
            items=items or None,
            total=value["scale-total"] or None,
            labels=labels,
            entered_by=self.entered_by,
        )
        scale = find_scale(done.reading.scale)
        saved = f"{scale.code} {format_score(scale, done.reading.score)}"
        self.dismiss(" ".join((f"{saved} saved.", *done.notes)) if done.notes else saved)

    def _correct(self, **answers: Any) -> None:
        """Check the correction, then ask why, then save it (as ``scale amend``)."""
        store, was = self.app.store, self.correcting  # type: ignore[attr-defined]
        assert was is not None
        now = check_correction(store, was.id, **answers)  # bad input: said, nothing asked
        self._say("")  # what was wrong before is right now

        def save_with(reason: str | None) -> None:
            if not reason:
                return  # left mid-way: the form as typed, nothing saved
            try:
                done = correct_reading(store, was.id, self.app.practitioner_id, reason, **answers)  # type: ignore[attr-defined]
            except SessionlogError as exc:  # corrected or voided at another desk since
                self._say(str(exc))
                return
            self.done = done
            self.dismiss(done.message)

        when = f", {now.at:%Y-%m-%d %H:%M}" if answers.get("at") else ""
        self.app.push_screen(
            AskText(
                f"Correct scale reading #{was.id} ({self._was_words}) to {reading_words(now)}"
                f"{when}?"
                " The one saved stays in the record. Why?",
                placeholder="e.g. lifting misheard: 8, not 6",
                required="A correction needs a reason: it is kept with the record",
            ),
            save_with,
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
