"""The session form: a needling session recorded from the keyboard in under a minute.

Focus runs the way a session is told: technique, consent, pain before, the sites,
pain after and the rest; Enter moves on. The sites are typed as shorthand in one
entry line (see :mod:`sessionlog.services.entry.site_text`) and listed in a table where they can
be edited or removed. Nothing is saved until :func:`parse_session` accepts the whole
session; each problem is shown on the line under its field. A saved session opened
again is amended (with a reason), never overwritten. The optional STRICTA details
(style, rationale, IMS findings per segment) are edited in a panel of their own, F4
(:mod:`.session_details`), so they add no key to the usual path.

The screen is built from widgets that say what happened by messages:
:class:`~..widgets.session_fields.SessionFields` (every field and its error line),
:class:`~..widgets.sites_editor.SitesEditor` (the sites), :class:`~..widgets.
settings_rows.SettingsRows` (the settings row) and :class:`~..widgets.details_line.
DetailsLine` (the details). This module holds the screen: its keys, loading, the
form's state (a :class:`FormState`) and the messages. What its keys do lives beside
it: :mod:`.session_save` (Ctrl+S and F8: checking, saving, amending and voiding, by
:mod:`sessionlog.services.sessions`), :mod:`.session_reuse` (Ctrl+R, Ctrl+T and
Ctrl+B: the last session repeated, protocols applied and saved) and
:mod:`.session_episode` (F5: the episode of care chosen); leaving with unsaved
changes asks first (:func:`.modals.leave_asking`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import ScreenResume
from textual.screen import Screen
from textual.widgets import Input, Select, Static

from ...services.entry.field_words import sentence, slot
from ...services.entry.form_model import FormState, Settings, family
from .. import config
from ..access import record_access
from ..safe import plain
from ..widgets.choice import TechniquePicker
from ..widgets.detail_complete import RegionAutoComplete
from ..widgets.footer import Footer
from ..widgets.number_input import KeyRefused
from ..widgets.session_fields import SessionFields
from ..widgets.settings_rows import SettingsRows
from ..widgets.site_entry import SiteAutoComplete, SiteInput
from ..widgets.sites_editor import SitesEditor
from . import session_episode, session_reuse, session_save
from .modals import leave_asking

if TYPE_CHECKING:
    from ...store import Store
    from ..app import SessionlogApp
    from .session_details import DetailsResult


class SessionScreen(Screen[int | None]):
    """A new session for ``patient_id``, or (``record_id``) a saved one to amend.

    Dismisses with the session's record id when saved, ``None`` when left.
    """

    # ``on_mount`` focuses the first field itself. Textual's default would first focus
    # the first focusable widget, the form's scroll container, and restyle its 85
    # widgets on that focus and again on the blur that follows: about a sixth of the
    # time the form took to open.
    AUTO_FOCUS = ""

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
        Binding("f5", "choose_episode", "Episode", id="session.episode"),
        Binding("f6", "new_episode", "New episode", id="session.new_episode"),
        Binding("f8", "void", "Void", id="session.void"),
    ]
    UNSAVED = "this session"  # what leaving with unsaved changes would throw away

    def __init__(
        self, patient_id: int, *, record_id: int | None = None, repeat: bool = False
    ) -> None:
        super().__init__()
        self.patient_id = patient_id
        self.record_id = record_id
        self.repeat = repeat
        self.state = FormState(technique="acupuncture", settings=Settings())
        # The patient's current episode of care, continued unless a new one is typed
        # (the complaint row shown: F6, or a patient with no episode yet).
        self.episode_id: int | None = None
        # The episode the user chose (F5): a new session's, kept whatever the time; a
        # saved session's new one (a correction). None: the day's, or the one saved in.
        self.chosen_episode: int | None = None
        self.saved_episode: int | None = None  # the episode of the session amended
        self.version: int | None = None  # the version opened (an amendment is made from it)
        self.snapshot = ""  # the form as loaded: leaving asks first when it differs
        self.refused_slot = ""  # the error line saying why a key was refused
        self.problems_shown = False  # a save refused: the lines follow the form
        self.resumed = False  # shown once (Textual's restyle on showing is then needed)
        self.form: SessionFields  # the fields (made in compose, which reads the store)
        self.sites: SitesEditor  # the form's sites editor

    # -- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="topbar")
        yield Static(id="patient-line")
        # Who treated: the signed-in practitioner for a new session, the one who treated
        # for an amendment (on_mount); never chosen on the form.
        practitioners = [(p["name"], p["id"]) for p in self.store.practitioners()]
        self.form = SessionFields(practitioners, self.session_app.practitioner_id)
        self.sites = self.form.sites
        yield self.form
        yield SiteAutoComplete(self.sites.entry)
        yield Footer()

    def on_screen_resume(self, event: ScreenResume) -> None:
        # Runs before Textual's own handler. Shown the first time, each widget was
        # styled as it was mounted: Textual restyled all ~80 of them again, a quarter
        # of the form's opening. Back from a dialog it restyles as it decides.
        if not self.resumed:
            self.resumed = True
            event.refresh_styles = False

    # -- loading --------------------------------------------------------------------

    @property
    def session_app(self) -> SessionlogApp:
        return cast("SessionlogApp", self.app)

    @property
    def store(self) -> Store:
        return self.session_app.store

    def on_mount(self) -> None:
        from ...services.entry.form_start import opening, patient_line

        what = "New session" if self.record_id is None else f"Session #{self.record_id}: correcting"
        self.query_one("#topbar", Static).update(plain(f" {what}"))
        self.form.details.key = config.bound_key(self.app, SessionScreen, "session.details")
        line = patient_line(self.store, self.patient_id, self.record_id)
        self.query_one("#patient-line", Static).update(plain(line))
        app = self.session_app
        start = opening(
            self.store, self.patient_id, self.record_id, app.practitioner_id, app.clock()
        )
        if start is None:
            self.notify("That session is no longer current (voided).", severity="error")
            self.dismiss(None)
            return
        if self.record_id is not None:
            self.version = start.version
            self.saved_episode = start.episode_id
            record_access(app, self.patient_id, "record")
            self.query_one("#practitioner", Select).value = start.practitioner_id
        self.apply_state(start.state)
        self.show_episode(start.episode_id)
        self.snapshot = self.fingerprint()
        first = "#f-complaint" if self.query_one("#new-episode").display else "#technique"
        self.query_one(first).focus()
        if self.repeat:
            self.action_repeat_last()

    def show_episode(self, amended_episode: int | None = None) -> None:
        """The episode line: the current episode (a new session continues it), the
        amended session's, or the complaint row for a patient with none."""
        from ...services.entry.form_start import episode_line

        line = episode_line(
            self.store, self.patient_id, self.record_id, amended_episode,
            new_key=self.new_episode_key(),
        )  # fmt: skip
        if self.record_id is None:
            self.episode_id = line.current_id
        self.query_one("#episode-line", Static).update(plain(line.text))
        self.ask_new_episode(line.ask_new)

    def new_episode_key(self) -> str:
        """The key that starts a new episode, as the user's settings bind it (the
        episode line names it)."""
        return config.bound_key(self.app, SessionScreen, "session.new_episode")

    def ask_new_episode(self, shown: bool) -> None:
        """Show or hide the complaint row (built, with its region completion, when first
        shown)."""
        region = self.form.ask_new_episode(shown)
        if region is not None:
            self.mount(RegionAutoComplete(region), after=self.query_one(SiteAutoComplete))

    # -- state <-> widgets ------------------------------------------------------------

    def apply_state(self, state: FormState) -> None:
        """Show ``state`` in the widgets (technique, settings, sites, fields)."""
        self.state = state
        self.form.show(state)

    def collect_state(self) -> FormState:
        """Read the widgets back into the form state."""
        return self.form.read(self.state)

    def refresh_sites(self) -> None:
        """Show the state's sites (as the state has them) in the sites editor."""
        self.sites.show(self.state.sites, self.state.technique, self.state.settings)

    def show_details(self) -> None:
        self.form.details.show(self.state.details, family(self.state.technique))

    def fingerprint(self) -> str:
        """The form as typed, as text (the snapshot it is compared with), and the
        episode chosen (F5)."""
        return f"{self.form.fingerprint(self.collect_state())} {self.chosen_episode}"

    @property
    def dirty(self) -> bool:
        # A site still in the entry line is work too: Ctrl+S would save it.
        return bool(self.sites.typed) or self.fingerprint() != self.snapshot

    # -- saving and leaving (session_save.py) ---------------------------------------

    def practitioner(self) -> int | None:
        """Who treated: the one chosen on the form, else the signed-in practitioner."""
        value = self.query_one("#practitioner", Select).value
        return value if isinstance(value, int) else self.session_app.practitioner_id

    def add_site(self, text: str) -> None:
        """Read the typed site and add it (or replace the one being edited)."""
        state = self.collect_state()
        self.sites.add(text, state.technique, state.settings)
        self.state.sites = list(self.sites.sites)

    def action_save(self) -> None:
        session_save.save(self)

    def action_void(self) -> None:
        session_save.void(self)

    def action_back(self) -> None:
        if not self.sites.cancel_edit():
            leave_asking(self, self.UNSAVED, unsaved=self.dirty)

    # -- the other keys (repeat and protocols: session_reuse.py) --------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Hide the keys that do not apply: history and void need a saved session,
        # repeat needs a new one.
        if action in ("history", "void"):
            return self.record_id is not None
        if action in ("repeat_last", "new_episode"):
            return self.record_id is None
        return True

    def action_choose_episode(self) -> None:
        session_episode.choose(self)

    def action_new_episode(self) -> None:
        """Start a new episode with this session (F6 again: continue the current one)."""
        row = self.query_one("#new-episode")
        if self.record_id is not None:
            return
        if row.display and self.episode_id is not None:
            self.ask_new_episode(False)
            self.form.set_error("episode", "")  # the new episode's problem, gone with it
            self.follow_date(self.query_one("#f-started_at", Input).value)
            self.query_one("#technique").focus()
            return
        if self.chosen_episode is not None:  # a new episode, not the one chosen (F5)
            self.chosen_episode = None
            self.follow_date(self.query_one("#f-started_at", Input).value)
        self.ask_new_episode(True)
        self.query_one("#f-complaint").focus()

    def action_repeat_last(self) -> None:
        session_reuse.repeat_last(self)

    def action_apply_protocol(self) -> None:
        session_reuse.pick_protocol(self)

    def action_save_protocol(self) -> None:
        session_reuse.save_sites_as_protocol(self)

    def action_history(self) -> None:
        if self.record_id is None:
            self.notify("A new session has no history yet.", timeout=2)
            return
        from .history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.record_id))

    def action_details(self) -> None:
        from ...domain import TECHNIQUES
        from .session_details import DetailsScreen

        state = self.collect_state()
        label = TECHNIQUES[state.technique].label
        self.app.push_screen(
            DetailsScreen(state.details, family(state.technique), label), self._details_closed
        )

    def _details_closed(self, result: DetailsResult | None) -> None:
        if result is None:
            return
        self.state.details = result.details
        self.show_details()
        if result.save:
            self.action_save()

    # -- events ---------------------------------------------------------------------

    def on_technique_picker_changed(self, event: TechniquePicker.Changed) -> None:
        if event.value == self.state.technique or event.value != event.picker.value:
            return  # nothing new, or overtaken (a session shown since): never reset to it
        self.change_technique(event.value)
        session_save.recheck(self)

    def change_technique(self, technique: str) -> bool:
        """Switch to ``technique``: the settings typed that it takes (retention in its
        own unit), its defaults for the rest, the picker, the unit label and every site
        revalidated. The one way the technique changes, whether picked or brought by a
        protocol. Refused, in one line under the sites, while a site holds what
        ``technique`` does not record (a response, a stimulator lead): False then."""
        from ...domain import TECHNIQUES
        from ...services.entry import technique_switch

        state = self.collect_state()
        old = state.technique
        refused = technique_switch.refusal(state.sites, state.settings, old, technique)
        picker = self.query_one("#technique", TechniquePicker)
        if refused:
            picker.value = old
            picker.focus()  # still on the technique: the letter picked nothing
            self.sites.say(refused)
            return False
        before = list(state.sites)
        self.state.technique = technique
        picker.value = technique
        self.state.settings, note = technique_switch.carried_settings(
            state.settings, old, technique
        )
        self.form.settings.show(self.state.settings)
        self.sites.revalidate(technique, self.state.settings)
        self.state.sites = list(self.sites.sites)
        self.form.show_technique(self.state)
        notes = [n for n in (note, technique_switch.kind_note(before, self.state.sites, old)) if n]
        label = TECHNIQUES[technique].label
        self.sites.say(f"{label}: {'; '.join(notes)}" if notes else "")
        return True

    def on_sites_editor_changed(self, event: SitesEditor.Changed) -> None:
        self.state.sites = list(self.sites.sites)
        self.show_reach()

    def on_settings_rows_changed(self, event: SettingsRows.Changed) -> None:
        self.state.settings = self.form.settings.value
        self.sites.set_technique(self.state.technique, self.state.settings)
        self.show_reach()

    def show_reach(self) -> None:
        """Say which sites a changed setting reaches when some keep their own: the
        table shows no Hz, and a correction must change no site silently."""
        from ...services.entry.settings_reach import reach

        self.form.settings.show_reach(reach(self.state, self.form.settings.opened))

    def on_key_refused(self, event: KeyRefused) -> None:
        """A key a field cannot take is said, in one line under it (never dropped)."""
        self.refused_slot = slot(event.field)
        self.form.set_error(self.refused_slot, sentence(event.field, event.why))

    def on_input_changed(self, event: Input.Changed) -> None:
        self._refusal_is_old_news()
        if event.input.id == "f-started_at":
            self.follow_date(event.value)
        session_save.recheck(self)

    def follow_date(self, typed: str) -> None:
        """The episode line of a new session follows its time as typed: entered late, it
        continues the episode under way that day (which saving picks too); one chosen
        (F5) stays, its line saying when it began after that day. An amended session
        keeps its episode."""
        from ...services.entry.form_start import episode_on

        if self.chosen_episode is not None:
            session_episode.show(self)
            return
        if self.record_id is not None:
            return
        if self.query_one("#new-episode").display:
            return  # the session starts a new episode (F6): the line is not what it saves
        line = episode_on(self.store, self.patient_id, typed, self.new_episode_key())
        if line is None or line.current_id is None:
            return
        self.episode_id = line.current_id
        self.query_one("#episode-line", Static).update(plain(line.text))

    def on_descendant_blur(self) -> None:
        """Moving on from a field: its refused key is old news."""
        self._refusal_is_old_news()

    def _refusal_is_old_news(self) -> None:
        if self.refused_slot:
            self.form.set_error(self.refused_slot, "")  # a key taken: the refusal is old news
            self.refused_slot = ""

    def on_site_input_move_on(self, event: SiteInput.MoveOn) -> None:
        if not self.sites.typed:
            self.focus_next()  # on to the sites table (to edit one), as before
            return
        self.add_site(self.sites.typed)
        if not self.sites.typed:  # added (else refused: its line says why)
            self.query_one("#f-pain_after", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "site-entry":
            if event.value.strip():
                self.add_site(event.value)
            else:
                self.query_one("#f-pain_after", Input).focus()
        elif event.input.id == "f-pain_before":
            self.sites.entry.focus()
        else:
            self.focus_next()
