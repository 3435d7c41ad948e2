"""The session form: a needling session recorded from the keyboard in under a minute.

Focus runs the way a session is told: technique, consent, pain before, the sites,
pain after and the rest; Enter moves on. The sites are typed as shorthand in one
entry line (see :mod:`sessionlog.services.entry.site_text`) and listed in a table where they can
be edited or removed. Nothing is saved until :func:`parse_session` accepts the whole
session; each problem is shown on the line under its field. A saved session opened
again is amended (with a reason), never overwritten. Saving, amending and the other
actions live in :mod:`.session_actions`. The optional STRICTA details (style,
rationale, IMS findings per segment) are edited in a panel of their own, F4
(:mod:`.session_more`, :mod:`.session_details`), so they add no key to the usual path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Label, Select, Static, TextArea

from ...services.entry.form_model import (
    FormState,
    Settings,
    default_settings,
    family,
    site_defaults,
    state_from_session,
)
from ...services.entry.technique_settings import retention_unit
from ..access import record_access
from ..safe import plain
from ..tables import technique_name
from ..widgets.choice import ConsentToggle, TechniquePicker
from ..widgets.detail_complete import RegionAutoComplete
from ..widgets.footer import Footer
from ..widgets.number_input import KeyRefused, NumberInput
from ..widgets.site_entry import SiteAutoComplete, SiteInput
from ..widgets.sites_table import SitesTable
from .session_actions import SessionActions
from .session_more import SessionMore
from .session_sites import SessionSites

if TYPE_CHECKING:
    from ...store import Store
    from ...store.people import PatientRow

PAIN_FIELDS = (
    ("pain_after", "Pain after"),
    ("pain_during", "during"),
    ("soreness_after", "soreness"),
    ("face_to_face_min", "face-to-face min"),
)
SETTINGS = (
    # Widths that show what is typed at 80 columns ("2/100", "no", "manual_even").
    ("retention", "Retention", 5),
    ("stimulation", "stim", 14),
    ("estim_hz", "Hz", 8),
    ("deqi", "De Qi", 4),
    ("deqi_quality", "quality", 12),
)
# The needle and the depth, on a second line of the settings: every site's unless the
# site's shorthand gives its own (``20mm``, ``0.30x50``).
SIZES = (
    ("needle", "Needle", 16, "e.g. 0.25x30"),
    ("depth", "Depth", 17, "e.g. 15mm, 1cun"),
)
SIZES_HINT = "all sites; per site: 20mm"
SITE_HINT = {
    "acupuncture": "st36 · li4 l · hegu b ache · ashi knee r",
    "dry_needling": "upper trap r 3 (twitches) · infra l 2 · x2 insertions a side",
    "ims": "L4-L5 b strong · L5-S1 r mild · gluteus medius r",
}
# Electrical techniques: e1 puts a site on the stimulator's lead 1 (the others are not).
ELECTRO_HINT = {
    "acupuncture": "st36 l e1 · st36 r e1 (lead 1) · gv20",
    "dry_needling": "upper trap r 3 e1 · levator r e1 (lead 1)",
}


class SessionScreen(SessionActions, SessionSites, SessionMore, Screen[int | None]):
    """A new session for ``patient_id``, or (``record_id``) a saved one to amend.

    Dismisses with the session's record id when saved, ``None`` when left.
    """

    DEFAULT_CSS = """
    #details-summary { width: 1fr; height: auto; }
    #details-summary.-empty { color: $text-muted; }
    #details-summary.-invalid { background: $error 25%; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="session.save", priority=True),
        Binding("escape", "back", "Back", id="session.back"),
        Binding("ctrl+r", "repeat_last", "Repeat last", id="session.repeat_last"),
        Binding("ctrl+t", "apply_protocol", "Protocol", id="session.protocol"),
        Binding(
            "ctrl+b", "save_protocol", "Save as protocol", id="session.save_protocol", show=False
        ),
        Binding("f4", "details", "Details", id="session.details"),
        Binding("f3", "history", "History", id="session.history"),
        Binding("f6", "new_episode", "New episode", id="session.new_episode"),
        Binding("f8", "void", "Void", id="session.void"),
    ]

    def __init__(
        self, patient_id: int, *, record_id: int | None = None, repeat: bool = False
    ) -> None:
        super().__init__()
        self.patient_id = patient_id
        self.record_id = record_id
        self.repeat = repeat
        self.state = FormState(technique="acupuncture", settings=Settings())
        self.editing: int | None = None  # index of the site being edited in the entry
        # The patient's current episode of care, continued unless a new one is typed
        # (the complaint row shown: F6, or a patient with no episode yet).
        self.episode_id: int | None = None
        self.snapshot = ""  # the form as loaded: leaving asks first when it differs

    # -- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="topbar")
        yield Static(id="patient-line")
        with VerticalScroll(id="form"):
            with Horizontal(classes="row", id="episode-row"):
                yield Label("Episode", classes="field-label")
                yield Static(id="episode-line")
            with Horizontal(classes="row", id="new-episode"):
                yield Label("Complaint", classes="field-label")
                yield Input(id="f-complaint", compact=True, placeholder="e.g. neck pain")
                yield Label("Region", classes="small-label")
                self._region_input = Input(
                    id="f-body_region", compact=True, placeholder="neck, low back..."
                )
                yield self._region_input
            yield Label(id="err-episode", classes="error")
            with Horizontal(classes="row"):
                yield Label("Technique", classes="field-label")
                yield TechniquePicker(id="technique")
            yield Label(id="err-technique", classes="error")
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
            yield Label(id="err-top", classes="error")
            with Horizontal(classes="row"):
                yield Label("Site", classes="field-label")
                self._site_input = SiteInput(
                    id="site-entry", compact=True, placeholder="code, side, response; Enter adds"
                )
                yield self._site_input
                yield Static(id="site-hint", classes="hint")
            yield Label(id="err-sites", classes="error")
            yield SitesTable(id="sites")
            with Horizontal(classes="row"):
                for name, label in PAIN_FIELDS:
                    yield Label(
                        label, classes="field-label" if name == "pain_after" else "small-label"
                    )
                    yield NumberInput(
                        name,
                        "minutes, 0 to 480" if name == "face_to_face_min" else "0 to 10",
                        digits=3 if name == "face_to_face_min" else 2,
                        id=f"f-{name}",
                        classes="num",
                        compact=True,
                    )
            yield Label(id="err-pain", classes="error")
            with Horizontal(classes="row", id="settings-row"):
                for name, label, _width in SETTINGS:
                    yield Label(label, classes=f"small-label s-{name}", id=f"l-{name}")
                    yield Input(id=f"s-{name}", classes=f"setting s-{name}", compact=True)
                    if name == "retention":
                        yield Label("min", id="retention-unit", classes="unit")
            with Horizontal(classes="row", id="sizes-row"):
                for name, label, _width, example in SIZES:
                    yield Label(label, classes="small-label", id=f"l-{name}")
                    yield Input(
                        id=f"s-{name}", classes="setting", compact=True, placeholder=example
                    )
                yield Static(SIZES_HINT, classes="hint")
            yield Label(id="err-settings", classes="error")
            with Horizontal(classes="row"):
                yield Label("Adverse events", classes="field-label")
                yield Input(
                    id="f-adverse",
                    compact=True,
                    placeholder="tier kind: note; e.g. mild bruising; mild pain",
                )
            yield Label(id="err-adverse", classes="error")
            with Horizontal(classes="row"):
                yield Label("Co-interventions", classes="field-label")
                yield Input(
                    id="f-co_interventions",
                    compact=True,
                    placeholder="exercise, manual_therapy, heat, cupping, ...",
                )
            yield Label(id="err-co", classes="error")
            with Horizontal(classes="row", id="details-row"):
                # Style, rationale, IMS findings: not focusable, F4 edits them.
                yield Label("More (STRICTA)", classes="field-label")
                yield Static(id="details-summary")
            yield Label(id="err-more", classes="error")
            with Horizontal(classes="row notes-row"):
                yield Label("Notes", classes="field-label")
                yield TextArea(id="f-notes", compact=True, soft_wrap=True)
            yield Label(id="err-notes", classes="error")
            with Horizontal(classes="row"):
                yield Label("Started", classes="field-label")
                yield Input(id="f-started_at", classes="when", compact=True)
                yield Label("Practitioner", classes="small-label")
                yield self._practitioner_select()
            yield Label(id="err-details", classes="error")
        yield SiteAutoComplete(self._site_input)
        yield RegionAutoComplete(self._region_input)
        yield Footer()

    def _practitioner_select(self) -> Select[int]:
        """Who treated: the signed-in practitioner for a new session, the one who treated
        for an amendment; never chosen here, so nothing is recorded under a colleague's
        name without their secret (F2 signs the colleague in)."""
        options = [(plain(p["name"]), p["id"]) for p in self.store.practitioners()]
        current = self.app.practitioner_id  # type: ignore[attr-defined]
        ids = [value for _, value in options]
        return Select(
            options,
            id="practitioner",
            allow_blank=not options,
            compact=True,
            value=current if current in ids else (ids[0] if ids else Select.NULL),
            disabled=True,
        )

    # -- loading --------------------------------------------------------------------

    @property
    def store(self) -> Store:
        return self.app.store  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        app: Any = self.app
        for name, _label, width, *_ in SETTINGS + SIZES:
            self.query_one(f"#s-{name}", Input).styles.width = width
        select = self.query_one("#practitioner", Select)
        patient = self.store.patient(self.patient_id)
        self._show_patient(patient)
        episode_id: int | None = None
        if self.record_id is not None:
            stored = self.store.session(self.record_id)
            if stored is None:
                self.notify("That session is no longer current (voided).", severity="error")
                self.dismiss(None)
                return
            record_access(app, self.patient_id, "record")
            state = state_from_session(stored, with_outcomes=True)
            episode_id = stored["episode_id"]
            select.value = stored["practitioner_id"]
        else:
            technique = self._default_technique(app)
            state = FormState(
                technique=technique,
                settings=default_settings(technique),
                fields={"started_at": app.clock().strftime("%Y-%m-%d %H:%M")},
            )
        self.apply_state(state)
        self.show_episode(episode_id)
        self.snapshot = self.fingerprint()
        first = "#f-complaint" if self.query_one("#new-episode").display else "#technique"
        self.query_one(first).focus()
        if self.repeat:
            self.action_repeat_last()

    def show_episode(self, amended_episode: int | None = None) -> None:
        """The episode line: the current episode (a new session continues it), the
        amended session's, or the complaint row for a patient with none."""
        from ...services.episodes import describe_episode

        if self.record_id is not None:
            episode = self.store.episode(amended_episode) if amended_episode else None
        else:
            episode = self.store.current_episode(self.patient_id)
            self.episode_id = episode["id"] if episode else None
        if episode is None and self.record_id is not None:
            text = "none recorded"
        elif episode is None:
            text = "first episode of care: type the complaint and its region"
        else:
            text = describe_episode(
                episode["complaint"], episode["body_region"], episode["started_on"]
            )
            text += "  (F6: new)" if self.record_id is None else ""
        self.query_one("#episode-line", Static).update(plain(text))
        self.query_one("#new-episode").display = self.record_id is None and episode is None

    def action_new_episode(self) -> None:
        """Start a new episode with this session (F6 again: continue the current one)."""
        row = self.query_one("#new-episode")
        if self.record_id is not None:
            return
        if row.display and self.episode_id is not None:
            row.display = False
            self.query_one("#technique").focus()
            return
        row.display = True
        self.query_one("#f-complaint").focus()

    def _default_technique(self, app: Any) -> str:
        last = self.store.last_session(self.patient_id)
        if last:
            return str(last["technique"])
        practitioner = self.store.practitioner(app.practitioner_id) if app.practitioner_id else None
        return (
            "dry_needling"
            if practitioner and practitioner["profession"] == "physiotherapist"
            else "acupuncture"
        )

    def _show_patient(self, patient: PatientRow | None) -> None:
        what = "New session" if self.record_id is None else f"Session #{self.record_id}: correcting"
        self.query_one("#topbar", Static).update(plain(f" {what}"))
        if patient is None:
            self.query_one("#patient-line", Static).update(plain(" No such patient"))
            return
        bits = [f" {patient['chart_id']}  {patient['name']}"]
        if patient.get("birth_year"):
            bits.append(f"born {patient['birth_year']}")
        if patient.get("sex") and patient["sex"] != "unknown":
            bits.append(str(patient["sex"]))
        last = self.store.last_session(self.patient_id) if self.record_id is None else None
        if last:
            bits.append(
                f"last {str(last['started_at'])[:10]}: {technique_name(last['technique'])},"
                f" {len(last['sites'])} sites (Ctrl+R repeats)"
            )
        self.query_one("#patient-line", Static).update(plain(" · ".join(bits)))

    # -- state <-> widgets ------------------------------------------------------------

    def apply_state(self, state: FormState) -> None:
        """Show ``state`` in the widgets (technique, settings, sites, fields)."""
        self.state = state
        self.query_one("#technique", TechniquePicker).value = state.technique
        self.query_one("#consent", ConsentToggle).value = state.consent
        for key, value in state.fields.items():
            if key == "notes":
                self.query_one("#f-notes", TextArea).text = value
            elif self.query(f"#f-{key}"):
                self.query_one(f"#f-{key}", Input).value = value
        self.query_one("#f-adverse", Input).value = state.adverse
        self._show_settings(state.settings)
        self._technique_changed()  # shows the details line too

    def collect_state(self) -> FormState:
        """Read the widgets back into the form state."""
        state = self.state
        state.consent = self.query_one("#consent", ConsentToggle).value
        for key in (
            "pain_before",
            "pain_after",
            "pain_during",
            "soreness_after",
            "face_to_face_min",
            "co_interventions",
            "started_at",
        ):
            state.fields[key] = self.query_one(f"#f-{key}", Input).value
        state.fields["notes"] = self.query_one("#f-notes", TextArea).text
        state.adverse = self.query_one("#f-adverse", Input).value
        state.settings = Settings(
            **{name: self.query_one(f"#s-{name}", Input).value for name, *_ in SETTINGS + SIZES}
        )
        return state

    def _show_settings(self, settings: Settings) -> None:
        for name, *_ in SETTINGS + SIZES:
            self.query_one(f"#s-{name}", Input).value = getattr(settings, name)

    def _technique_changed(self) -> None:
        technique = self.state.technique
        fam = family(technique)
        electrical = "electr" in technique
        self.query_one("#retention-unit", Label).update(retention_unit(technique))
        for name, shown in (
            ("estim_hz", electrical),
            ("deqi", fam == "acupuncture"),
            ("deqi_quality", fam == "acupuncture"),
        ):
            for widget in self.query(f".s-{name}"):
                widget.display = shown
        hint = ELECTRO_HINT.get(fam, SITE_HINT[fam]) if electrical else SITE_HINT[fam]
        self.query_one("#site-hint", Static).update(plain(hint))
        self._site_input.technique = technique
        self.show_details()  # its hint names IMS findings for IMS
        self.refresh_sites()

    def refresh_sites(self) -> None:
        state = self.state
        defaults = site_defaults(state.settings, state.technique)
        self.query_one(SitesTable).show(state.sites, state.technique, defaults)

    def fingerprint(self) -> str:
        import json

        state = self.collect_state()
        return json.dumps(
            {
                "t": state.technique,
                "s": [r.raw for r in state.sites],
                "f": state.fields,
                "a": state.adverse,
                "c": state.consent,
                "g": vars(state.settings),
                "d": vars(state.details),
                "e": [self.query_one(f"#f-{k}", Input).value for k in ("complaint", "body_region")],
            },
            sort_keys=True,
            default=str,
        )

    @property
    def dirty(self) -> bool:
        return self.fingerprint() != self.snapshot

    # -- events ---------------------------------------------------------------------

    def on_technique_picker_changed(self, event: TechniquePicker.Changed) -> None:
        if event.value == self.state.technique or event.value != event.picker.value:
            return  # nothing new, or overtaken (a session shown since): never reset to it
        self.change_technique(event.value)
        self.recheck()

    def change_technique(self, technique: str) -> None:
        """Switch to ``technique``: its settings (retention in its own unit), the picker,
        the unit label and every site revalidated. The one way the technique changes,
        whether picked or brought by a protocol."""
        typed = self.collect_state().settings
        self.state.technique = technique
        self.query_one("#technique", TechniquePicker).value = technique
        self.state.settings = default_settings(technique)
        # The needle and depth typed are the practitioner's, whatever the technique.
        self.state.settings.needle, self.state.settings.depth = typed.needle, typed.depth
        self._show_settings(self.state.settings)
        self._revalidate_sites()
        self._technique_changed()

    def on_key_refused(self, event: KeyRefused) -> None:
        """A key a field cannot take is said, in one line under it (never dropped)."""
        from ...services.entry.field_words import sentence, slot

        self.refused_slot = slot(event.field)
        self.set_error(self.refused_slot, sentence(event.field, event.why))

    def on_input_changed(self, event: Input.Changed) -> None:
        slot: str | None = getattr(self, "refused_slot", None)
        if slot:
            self.set_error(slot, "")  # a key taken: the refusal is old news
            self.refused_slot = ""
        if event.input.id and event.input.id.startswith("s-"):
            self.collect_state()
            self.refresh_sites()
        self.recheck()

    def on_descendant_blur(self) -> None:
        """Moving on from a field: its refused key is old news."""
        slot: str | None = getattr(self, "refused_slot", None)
        if slot:
            self.set_error(slot, "")
            self.refused_slot = ""

    def on_site_input_move_on(self, event: SiteInput.MoveOn) -> None:
        text = self._site_input.value.strip()
        if not text:
            self.focus_next()  # on to the sites table (to edit one), as before
            return
        self.add_site(text)
        if not self._site_input.value.strip():  # added (else refused: its line says why)
            self.query_one("#f-pain_after", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "site-entry":
            if event.value.strip():
                self.add_site(event.value)
            else:
                self.query_one("#f-pain_after", Input).focus()
        elif event.input.id == "f-pain_before":
            self._site_input.focus()
        else:
            self.focus_next()
