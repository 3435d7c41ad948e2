"""The session's details panel (F4 on the session form): style, rationale, IMS findings.

What STRICTA asks around the needling that is not typed every session. Style offers
the technique's usual styles (Down lists them). For IMS, each segment's findings are
typed on one line (``L4-L5 r``, Enter), the eight signs toggled by their letters
(Enter), a note (Enter adds the finding to the table below, where ``e`` edits and
``x`` removes a row). Each problem is shown under its field. F4 or Escape goes back to
the form keeping what was typed (nothing is saved until the session is); Ctrl+S goes
back and saves the session.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static, TextArea

from ...errors import ValidationError
from ...services.entry.field_words import sentence
from ...services.entry.stricta import SIGN_FIELDS, Details, check_finding, level_text, problems
from .. import config
from ..safe import plain
from ..widgets.detail_complete import LevelAutoComplete, StyleAutoComplete
from ..widgets.findings_table import FindingsTable
from ..widgets.sign_toggles import SignToggles

HINT = "{keep} or {back}: back to the form, keeping this · {save}: save the session"
LEVEL_HINT = "level and side (l r b) · Enter on empty: done"
_SLOT = {"style": "style", "rationale": "rationale", "ims_findings": "findings"}


@dataclass
class DetailsResult:
    """The details as left in the panel; ``save`` when Ctrl+S asked to save the session."""

    details: Details
    save: bool = False


class DetailsScreen(ModalScreen[DetailsResult | None]):
    """Edits a copy of the form's details; dismisses with them (never None)."""

    BINDINGS = [
        Binding("f4", "keep", "Back to the form", id="details.keep"),
        Binding("escape", "back", "Back to the form", id="details.back"),
        Binding("ctrl+s", "save", "Save the session", id="details.save", priority=True),
    ]
    DEFAULT_CSS = """
    DetailsScreen #details { width: 96; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1; }
    DetailsScreen .title { text-style: bold; }
    DetailsScreen .subtitle { text-style: bold; margin-top: 1; color: $text-primary; }
    DetailsScreen .drow, DetailsScreen #ims-section { height: auto; }
    DetailsScreen .dlabel { width: 11; color: $text-muted; }
    DetailsScreen #d-style, DetailsScreen #d-notes { width: 1fr; }
    DetailsScreen #d-level { width: 16; }
    DetailsScreen TextArea#d-rationale { height: 2; width: 1fr; padding: 0; }
    DetailsScreen .d-error { display: none; color: $text-error; padding-left: 11;
        width: 1fr; height: auto; }
    DetailsScreen .d-error.-shown { display: block; }
    DetailsScreen #d-findings { height: auto; max-height: 8; }
    DetailsScreen .hint { padding-left: 1; }
    DetailsScreen #details-hint { padding-left: 0; margin-top: 1; }
    """

    def __init__(self, details: Details, family: str, technique_label: str) -> None:
        super().__init__()
        self.details = Details(details.style, details.rationale, list(details.findings))
        self.family = family
        self.technique_label = technique_label
        self.editing: int | None = None  # the finding being edited on the entry line
        self._warned = False  # Escape was refused once for a finding line that is wrong
        self.errors: dict[str, str] = {}  # the text under each field, by slot

    def compose(self) -> ComposeResult:
        style = Input(
            self.details.style,
            id="d-style",
            compact=True,
            placeholder="e.g. TCM (Down lists the usual styles)",
        )
        level = Input(id="d-level", compact=True, placeholder="e.g. L4-L5 r")
        # The dropdowns come first: the screen centres the space of all its children,
        # and a dropdown laid out below the panel would make the panel jump up when it
        # opens; laid out at the top, it stays inside the panel's height.
        yield StyleAutoComplete(style, self.family)
        yield LevelAutoComplete(level)
        with VerticalScroll(id="details"):
            yield Static(plain(f"More details (STRICTA) · {self.technique_label}"), classes="title")
            with Horizontal(classes="drow"):
                yield Label("Style", classes="dlabel")
                yield style
            yield Label(id="derr-style", classes="d-error")
            with Horizontal(classes="drow"):
                yield Label("Rationale", classes="dlabel")
                yield TextArea(
                    self.details.rationale, id="d-rationale", compact=True, soft_wrap=True
                )
            yield Label(id="derr-rationale", classes="d-error")
            with Vertical(id="ims-section") as section:
                # Shown for IMS, and whenever there are findings (never hide what is saved).
                section.display = self.family == "ims" or bool(self.details.findings)
                yield Static("IMS findings per segment", classes="subtitle")
                with Horizontal(classes="drow"):
                    yield Label("Level", classes="dlabel")
                    yield level
                    yield Static(LEVEL_HINT, classes="hint")
                with Horizontal(classes="drow"):
                    yield Label("Signs", classes="dlabel")
                    yield SignToggles(id="d-signs")
                with Horizontal(classes="drow"):
                    yield Label("Notes", classes="dlabel")
                    yield Input(id="d-notes", compact=True, placeholder="Enter adds the finding")
                yield Label(id="derr-findings", classes="d-error")
                yield FindingsTable(id="d-findings")
            yield Static(self._hint(), id="details-hint", classes="hint")

    def on_mount(self) -> None:
        self.show_findings()
        self.show_errors(problems(self.details))
        self.query_one("#d-level" if self.family == "ims" else "#d-style").focus()

    def show_findings(self) -> None:
        self.query_one(FindingsTable).show(self.details.findings)

    # -- errors -------------------------------------------------------------------------

    def set_error(self, slot: str, text: str) -> None:
        self.errors[slot] = text
        label = self.query_one(f"#derr-{slot}", Label)
        label.update(plain(text))
        label.set_class(bool(text), "-shown")

    def show_errors(self, errors: list[ValidationError], only: str | None = None) -> None:
        """Each problem under its field; ``only`` leaves the other fields' lines alone."""
        lines: dict[str, list[str]] = {
            slot: [] for slot in _SLOT.values() if only is None or slot == only
        }
        for error in errors:
            base = error.field.split("[")[0].split(".")[0]
            slot = _SLOT.get(base, "findings")
            lines.setdefault(slot, []).append(sentence(error.field, error.message))
        for slot, texts in lines.items():
            self.set_error(slot, "\n".join(texts))

    # -- the finding line ---------------------------------------------------------------

    def _entry(self) -> tuple[str, dict[str, bool], str]:
        return (
            self.query_one("#d-level", Input).value,
            self.query_one(SignToggles).found,
            self.query_one("#d-notes", Input).value,
        )

    def _pending(self) -> bool:
        text, signs, notes = self._entry()
        return bool(text.strip() or notes.strip() or any(signs.values()))

    def _number(self) -> int:
        return (self.editing + 1) if self.editing is not None else len(self.details.findings) + 1

    def add_finding(self) -> bool:
        """Add (or put back, when editing) the finding on the entry line."""
        text, signs, notes = self._entry()
        finding, errors = check_finding(self.details, text, signs, notes, self._number())
        if finding is None:
            self.show_errors(errors, only="findings")
            if any(e.field.endswith((".level", ".side")) for e in errors):
                self.query_one("#d-level", Input).focus()
            return False
        if self.editing is not None:
            self.details.findings[self.editing] = finding
        else:
            self.details.findings.append(finding)
        self._clear_entry()
        self.show_findings()
        row = self._number() - 2 if self.editing is None else self.editing
        self.query_one(FindingsTable).move_cursor(row=row)
        self.editing = None
        return True

    def _clear_entry(self) -> None:
        self.query_one("#d-level", Input).value = ""
        self.query_one("#d-notes", Input).value = ""
        self.query_one(SignToggles).clear()
        self.set_error("findings", "")
        self._warned = False

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "d-style":
            self.query_one("#d-rationale").focus()
        elif event.input.id == "d-level":
            if not self._pending():
                self.action_keep()  # an empty line: the findings are done
                return
            _, errors = check_finding(self.details, event.value, {}, "", self._number())
            level_errors = [e for e in errors if e.field.endswith((".level", ".side"))]
            self.show_errors(level_errors, only="findings")
            if not level_errors:
                self.query_one(SignToggles).focus()
        elif event.input.id == "d-notes" and self.add_finding():
            self.query_one("#d-level", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in ("d-level", "d-notes"):
            self._warned = False  # the line changed: the next Escape tries it again

    def on_findings_table_edit(self, event: FindingsTable.Edit) -> None:
        finding = self.details.findings[event.index]
        self.editing = event.index
        level = self.query_one("#d-level", Input)
        level.value = level_text(finding)
        self.query_one(SignToggles).set_values({k: finding[k] for k in SIGN_FIELDS})
        self.query_one("#d-notes", Input).value = finding.get("notes") or ""
        level.focus()
        self.set_error(
            "findings",
            f"Editing finding {event.index + 1}: Enter on the notes keeps it,"
            " Escape leaves it as it was",
        )

    def on_findings_table_remove(self, event: FindingsTable.Remove) -> None:
        removed = self.details.findings.pop(event.index)
        self.editing = None
        self.show_findings()
        self.notify(plain(f"Removed the finding at {removed['level']}"), timeout=2)  # type: ignore[arg-type]  # a Text: user text shown as text, never markup

    # -- leaving ------------------------------------------------------------------------

    def _collect(self) -> Details:
        self.details.style = self.query_one("#d-style", Input).value
        self.details.rationale = self.query_one("#d-rationale", TextArea).text
        return self.details

    def _take_pending(self) -> bool:
        """Add a finding typed but not yet added; False (its problem shown) if refused."""
        return not self._pending() or self.add_finding()

    def action_back(self) -> None:
        if self.editing is not None:
            self.editing = None
            self._clear_entry()
            return
        self.action_keep()

    def _key(self, binding_id: str) -> str:
        """The key of ``binding_id`` as the user's settings bind it (the hints name it)."""
        return config.bound_key(self.app, DetailsScreen, binding_id)

    def _hint(self) -> str:
        keys = ("keep", "back", "save")
        return HINT.format(**{k: self._key(f"details.{k}") for k in keys})

    def action_keep(self) -> None:
        if not self._take_pending():
            if self._warned:
                self.notify("The finding line was left out", timeout=3)
            else:
                self._warned = True
                shown = self.errors.get("findings", "")
                back, keep = self._key("details.back"), self._key("details.keep")
                self.set_error("findings", f"{shown}\n{back} or {keep} again leaves this line out")
                return
        # Style or rationale with a problem are kept as typed: the form shows the
        # problem beside its details line and will not save until it is fixed.
        self.dismiss(DetailsResult(self._collect()))

    def action_save(self) -> None:
        if not self._take_pending():
            return
        details = self._collect()
        errors = problems(details)
        if errors:
            self.show_errors(errors)
            return
        self.dismiss(DetailsResult(details, save=True))
