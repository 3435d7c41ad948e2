"""The session form's fields, top to bottom as a session is told: the episode, the
technique, consent and pain before, the sites, pain after, the settings, adverse
events, co-interventions, the details, notes, and when and by whom.

A view: :meth:`SessionFields.show` puts a :class:`FormState` in the widgets and
:meth:`SessionFields.read` reads them back; the error line under each group
(``#err-SLOT``) says what is wrong with it. What the user does reaches the screen as
messages: the inputs' own, :class:`~.sites_editor.SitesEditor.Changed`,
:class:`~.settings_rows.SettingsRows.Changed`, ``TechniquePicker.Changed`` and
``KeyRefused``.
"""

from __future__ import annotations

import json

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static, TextArea

from ...errors import ValidationError
from ...services.entry.field_words import sentence, slot
from ...services.entry.form_model import FormState, family
from ..safe import plain
from .choice import ConsentToggle, TechniquePicker
from .details_line import DetailsLine
from .error_line import ErrorLine
from .field_input import FieldInput
from .number_input import NumberInput
from .settings_rows import SettingsRows
from .sites_editor import SitesEditor

PAIN_FIELDS = (
    ("pain_after", "Pain after"),
    ("pain_during", "during"),
    ("soreness_after", "soreness"),
    ("face_to_face_min", "face-to-face min"),
)
# Fields typed as a line of words: (name, label, example, error line).
LINE_FIELDS = (
    ("adverse", "Adverse events", "tier kind: note; e.g. mild bruising; mild pain", "adverse"),
    ("co_interventions", "Co-interventions", "exercise, manual_therapy, heat, cupping, ...", "co"),
)
TEXT_INPUTS = ("pain_before", "pain_after", "pain_during", "soreness_after", "face_to_face_min",
               "co_interventions", "started_at")  # fmt: skip
# The error lines of the form, one under each group of fields.
ERROR_SLOTS = (
    "episode", "technique", "top", "sites", "pain", "settings", "adverse", "co", "more", "notes",
    "details",
)  # fmt: skip


class SessionFields(VerticalScroll):
    """``#form``: every field of the session form and the error lines under them.

    ``practitioners`` are the choices of who treated (``(name, id)``), ``treated_by``
    the one shown: never chosen here (F2 signs a colleague in)."""

    def __init__(self, practitioners: list[tuple[str, int]], treated_by: int | None) -> None:
        super().__init__(id="form")
        self.sites = SitesEditor()
        self.settings = SettingsRows()
        self.details = DetailsLine()
        self.region_input: Input | None = None  # built with the new-episode row
        self._practitioners = practitioners
        self._treated_by = treated_by

    def compose(self) -> ComposeResult:
        with Horizontal(classes="row", id="episode-row"):
            yield Label("Episode", classes="field-label")
            yield Static(id="episode-line")
        # The complaint and region of a new episode: built when first asked for
        # (ask_new_episode), most sessions continue an episode.
        row = Horizontal(classes="row", id="new-episode")
        row.display = False
        yield row
        yield ErrorLine("episode")
        with Horizontal(classes="row"):
            yield Label("Technique", classes="field-label")
            yield TechniquePicker(id="technique")
        yield ErrorLine("technique")
        with Horizontal(classes="row"):
            yield ConsentToggle(id="consent")
            yield Label("Pain before", classes="field-label right")
            yield NumberInput(
                "pain_before",
                "a number from 0 to 10",
                id="f-pain_before",
                classes="num",
                compact=True,
                placeholder="0-10",
            )
        yield ErrorLine("top")
        yield self.sites
        with Horizontal(classes="row"):
            for name, label in PAIN_FIELDS:
                yield Label(label, classes="field-label" if name == "pain_after" else "small-label")
                yield NumberInput(
                    name,
                    "minutes, 0 to 480" if name == "face_to_face_min" else "0 to 10",
                    digits=3 if name == "face_to_face_min" else 2,
                    id=f"f-{name}",
                    classes="num",
                    compact=True,
                )
        yield ErrorLine("pain")
        yield self.settings
        for name, label, example, where in LINE_FIELDS:
            with Horizontal(classes="row"):
                yield Label(label, classes="field-label")
                yield FieldInput(id=f"f-{name}", compact=True, placeholder=example)
            yield ErrorLine(where)
        yield self.details
        with Horizontal(classes="row notes-row"):
            yield Label("Notes", classes="field-label")
            yield TextArea(id="f-notes", compact=True, soft_wrap=True)
        yield ErrorLine("notes")
        with Horizontal(classes="row"):
            yield Label("Started", classes="field-label")
            yield FieldInput(id="f-started_at", classes="when", compact=True)
            yield Label("Practitioner", classes="small-label")
            yield self._practitioner_select()
        yield ErrorLine("details")

    def _practitioner_select(self) -> Select[int]:
        options = [(plain(name), pid) for name, pid in self._practitioners]
        ids = [pid for _, pid in self._practitioners]
        current = self._treated_by
        return Select(
            options,
            id="practitioner",
            allow_blank=not options,
            compact=True,
            value=current if current in ids else (ids[0] if ids else Select.NULL),
            disabled=True,
        )

    # -- the state in and out ---------------------------------------------------------

    def show(self, state: FormState) -> None:
        """Show ``state``: technique, consent, fields, settings, sites and details."""
        self.query_one("#technique", TechniquePicker).value = state.technique
        self.query_one("#consent", ConsentToggle).value = state.consent
        for key, value in state.fields.items():
            if key == "notes":
                self.query_one("#f-notes", TextArea).text = value
            elif self.query(f"#f-{key}"):
                self.query_one(f"#f-{key}", Input).value = value
        self.query_one("#f-adverse", Input).value = state.adverse
        self.settings.show(state.settings)
        self.sites.sites = list(state.sites)
        self.show_technique(state)

    def show_technique(self, state: FormState) -> None:
        """What follows the technique: which settings apply, the details' hint, the
        sites' hint and how they read."""
        self.settings.show_technique(state.technique)
        self.details.show(state.details, family(state.technique))
        self.sites.set_technique(state.technique, state.settings)

    def read(self, state: FormState) -> FormState:
        """``state`` with what the widgets hold now."""
        state.consent = self.query_one("#consent", ConsentToggle).value
        for key in TEXT_INPUTS:
            state.fields[key] = self.query_one(f"#f-{key}", Input).value
        state.fields["notes"] = self.query_one("#f-notes", TextArea).text
        state.adverse = self.query_one("#f-adverse", Input).value
        state.settings = self.settings.value
        state.sites = list(self.sites.sites)
        return state

    def ask_new_episode(self, shown: bool) -> Input | None:
        """Show (or hide) the complaint row of a new episode; the region input when it
        was built just now (its completion goes with it), else None. Hidden, what was
        typed in it stays there and is not saved."""
        row = self.query_one("#new-episode", Horizontal)
        row.display = shown
        if not shown or self.region_input is not None:
            return None
        region = FieldInput(id="f-body_region", compact=True, placeholder="neck, low back...")
        self.region_input = region
        complaint = FieldInput(id="f-complaint", compact=True, placeholder="e.g. neck pain")
        row.mount(
            Label("Complaint", classes="field-label"),
            complaint,
            Label("Region", classes="small-label"),
            region,
        )
        return region

    def new_episode(self) -> tuple[str, str]:
        """The complaint and region typed (both blank while their row is hidden)."""
        if not self.query_one("#new-episode").display:
            return "", ""
        return self._episode_typed()

    def _episode_typed(self) -> tuple[str, str]:
        if self.region_input is None:
            return "", ""
        return self.query_one("#f-complaint", Input).value, self.region_input.value

    def fingerprint(self, state: FormState) -> str:
        """``state`` (read from these fields) and the new episode typed, as one text:
        the form is unsaved when it differs from the text taken when it was loaded."""
        return json.dumps(
            {
                "t": state.technique,
                "s": [r.raw for r in state.sites],
                "f": state.fields,
                "a": state.adverse,
                "c": state.consent,
                "g": vars(state.settings),
                "d": vars(state.details),
                "e": list(self._episode_typed()),
            },
            sort_keys=True,
            default=str,
        )

    # -- error lines ------------------------------------------------------------------

    def set_error(self, where: str, text: str) -> None:
        self.query_one(f"#err-{where}", ErrorLine).show(text)

    def shown_errors(self) -> set[str]:
        """The error lines showing something."""
        return {s for s in ERROR_SLOTS if self.query_one(f"#err-{s}", ErrorLine).shown}

    def clear_errors(self) -> None:
        for where in ERROR_SLOTS:
            self.set_error(where, "")
        self.unmark()

    def unmark(self) -> None:
        """No field marked invalid."""
        for widget in self.query(".-invalid"):
            widget.remove_class("-invalid")

    def show_errors(self, errors: list[ValidationError]) -> None:
        """Each problem under its group of fields, and exactly the fields of ``errors``
        marked. A field marked already is left as it is: after a refused save this runs
        at every key (``recheck``), and each class taken off and put back restyled the
        field (25-45 ms a key on the 80x24 form)."""
        lines: dict[str, list[str]] = {}
        marked: set[Widget] = set()
        for error in errors:
            lines.setdefault(slot(error.field), []).append(sentence(error.field, error.message))
            if error.field.isidentifier():
                group = error.field.split("_")[0]  # needle_length_mm: the Needle input
                setting = f"#s-{group}" if group in ("needle", "depth") else f"#s-{error.field}"
                # the field's input, or the settings row's (retention: #s-retention)
                marked.update(self.query(f"#f-{error.field}, {setting}"))
        for where, texts in lines.items():
            self.set_error(where, "\n".join(texts))
        if "more" in lines:
            marked.add(self.query_one("#details-summary"))
        for widget in self.query(".-invalid"):
            if widget not in marked:
                widget.remove_class("-invalid")
        for widget in marked:
            widget.add_class("-invalid")
