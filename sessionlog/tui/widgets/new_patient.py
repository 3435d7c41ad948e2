"""Adding a patient inline on the home screen: chart id, name, year of birth, sex."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label

from ...domain import InvalidRecord, parse_patient
from ...errors import SessionlogError, ValidationError
from ...services.entry.field_words import sentence
from ..safe import not_saved, plain

if TYPE_CHECKING:
    from ...store import Store

SEX_LETTERS = {"f": "female", "m": "male", "o": "other", "u": "unknown"}
FIELDS = (
    ("chart_id", "Chart id", 12, None),
    ("name", "Name", 28, None),
    ("birth_year", "Born", 6, r"\d{0,4}"),
    ("sex", "Sex f/m/o/u", 8, r"[a-zA-Z]*"),
)


class NewPatientForm(Vertical):
    """One line of fields; Enter moves on and, on the last field, adds the patient."""

    class Created(Message):
        def __init__(self, patient_id: int) -> None:
            super().__init__()
            self.patient_id = patient_id

    def compose(self) -> ComposeResult:
        with Horizontal(classes="row"):
            yield Label("New patient", classes="field-label")
            for name, label, width, restrict in FIELDS:
                yield Label(label, classes="small-label")
                # A name carried over from the search is continued, not replaced; a
                # chart id (typed or suggested) is selected, so typing replaces it.
                field = Input(
                    id=f"np-{name}",
                    compact=True,
                    restrict=restrict,
                    select_on_focus=name != "name",
                )
                field.styles.width = width
                yield field
        yield Label(id="np-errors", classes="error")

    def start(self, chart_or_name: str = "") -> None:
        """Show the form, prefilled from what was typed in the search."""
        for name, *_ in FIELDS:
            self.query_one(f"#np-{name}", Input).value = ""
        text = chart_or_name.strip()
        key = "chart_id" if any(c.isdigit() for c in text) else "name"
        if text:
            self.query_one(f"#np-{key}", Input).value = text
        if key == "name":
            # The clinic's next number, selected when the field takes focus: Enter keeps
            # it, typing replaces it.
            store: Store = self.app.store  # type: ignore[attr-defined]
            self.query_one("#np-chart_id", Input).value = store.suggested_chart_id()
        self.display = True
        self.query_one("#np-chart_id", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "np-sex":
            self.save()
        else:
            self.screen.focus_next()

    def save(self) -> None:
        data: dict[str, Any] = {
            name: self.query_one(f"#np-{name}", Input).value for name, *_ in FIELDS
        }
        sex = data["sex"].strip().lower()
        data["sex"] = SEX_LETTERS.get(sex, sex)
        errors_label = self.query_one("#np-errors", Label)
        for name, *_ in FIELDS:
            self.query_one(f"#np-{name}", Input).remove_class("-invalid")
        store: Store = self.app.store  # type: ignore[attr-defined]
        try:
            patient = parse_patient(data, this_year=self.app.clock().year)  # type: ignore[attr-defined]
            pid = store.add_patient(patient, actor_id=self.app.practitioner_id)  # type: ignore[attr-defined]
        except (InvalidRecord, ValidationError) as exc:
            errors = getattr(exc, "errors", [exc])
            for error in errors:
                for widget in self.query(f"#np-{error.field}"):
                    widget.add_class("-invalid")
            errors_label.update(plain("\n".join(sentence(e.field, e.message) for e in errors)))
            errors_label.add_class("-shown")
            return
        except SessionlogError as exc:  # a full disk, a read-only file: nothing saved
            errors_label.update(not_saved(exc, "Enter"))
            errors_label.add_class("-shown")
            return
        errors_label.update("")
        errors_label.remove_class("-shown")
        self.display = False
        self.notify(plain(f"Added {patient.chart_id} {patient.name}"), timeout=2)  # type: ignore[arg-type]  # a Text: user text shown as text, never markup
        self.post_message(self.Created(pid))
