"""The home screen: find a patient as you type, today's sessions, the patient's sessions.

Typing a chart id or a name filters the patients at once; Enter starts a new session
for the highlighted one, Ctrl+R repeats their last session, Ctrl+F records a
follow-up. Enter on a saved session (today's or the patient's) opens it to correct it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from .. import config, outcome_upkeep
from ..safe import plain
from ..widgets.footer import Footer
from . import home_actions
from . import home_lists as lists

if TYPE_CHECKING:
    from ...store import ListedSession, Store
    from ..widgets.new_patient import NewPatientForm


SESSIONS_LISTED = 50  # the highlighted patient's latest sessions


class HomeScreen(Screen[None]):
    """Patients, today's sessions and the highlighted patient's sessions."""

    # Under 140 columns the two lists side by side were cut (a long name, the last visit,
    # today's technique): there, today's sessions go under the patients, full width.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (140, "-wide")]

    BINDINGS = [
        Binding("ctrl+o", "new_session", "New session", id="home.new_session"),
        Binding("ctrl+r", "repeat_last", "Repeat last", id="home.repeat_last"),
        Binding("ctrl+f", "follow_up", "Follow-up", id="home.follow_up"),
        Binding("f4", "follow_ups", "Follow-ups", id="home.follow_ups"),
        Binding("ctrl+n", "new_patient", "New patient", id="home.new_patient"),
        Binding("f3", "history", "History", id="home.history"),
        Binding("f5", "progress", "Progress", id="home.progress"),
        Binding("f6", "patient_view", "Patient view", id="home.patient_view"),
        Binding("f9", "due", "Due", id="home.due"),
        Binding("f8", "void", "Void", id="home.void"),
        # Priority, so that "/" in the search jumps there rather than typing "/".
        Binding("slash", "focus_search", "Search", id="home.search", show=False, priority=True),
        Binding("escape", "clear", "Clear", id="home.clear", show=False),
    ]

    ready = False  # the tables have their columns: refresh_all() may fill them
    _resumed = False  # the first ScreenResume has come (see _on_screen_resume)
    _sessions_of: int | None = None  # the patient whose sessions the lower table shows
    _filled = False  # refresh_all() has run once (the start-up fill is in two steps)
    _lists_in = False  # today's and the patient's sessions tables are mounted
    _form_patient: int | None = None  # the patient of the form open: highlighted after it
    _sites_width = 0  # the sessions table's width when its site lists were fitted
    _search_before: str | None = None  # the search's text when a form was opened

    def __init__(self) -> None:
        super().__init__()
        # The breakpoint class Textual gives the screen on its first resize, given now:
        # added then, it restyled every widget of the screen a second time (10-20 ms of
        # the sign-in to the first frame of the patients).
        width = self.app.size.width
        for edge, name in sorted(self.HORIZONTAL_BREAKPOINTS, reverse=True):
            if width >= edge:
                self.add_class(name)
                break

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # The first resume comes right after the screen was built and styled: Textual's
        # restyle of every widget then (10-20 ms before the first frame) changes nothing.
        # Later ones (back from another screen) restyle as usual.
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False

    def compose(self) -> ComposeResult:
        yield Static(id="topbar")
        yield Static(id="chain-banner")  # shown only while the audit chain is broken
        with Horizontal(classes="row search-row"):
            # A Static, not a Label: the first frame then needs no Label styles at all.
            yield Static("Find patient", classes="field-label")
            yield Input(
                id="search",
                compact=True,
                placeholder="chart id or name · Enter: new session · Ctrl+N: new patient",
            )
        # The new-patient form (Ctrl+N) is mounted here when first asked for.
        # Today's and the patient's sessions are filled after the first frame: their
        # tables are mounted then too (two tables' styles and drawing were a third of
        # the sign-in to that frame), and boxes of the same size hold their places.
        with Horizontal(id="lists"):
            yield lists.new_list("patients", "Recent patients")
            yield lists.slot("today", "Today")
        yield lists.slot("patient-sessions", "Sessions")
        yield Footer()

    @property
    def store(self) -> Store:
        return self.app.store  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        self.query_one("#patients", DataTable).add_columns(*lists.PATIENT_COLUMNS)
        self.ready = True
        app: Any = self.app
        if not app.started:
            app.start()  # takes the database (opened meanwhile) and fills the lists
            if app.return_code is not None:
                return  # leaving (a database that cannot be opened): nothing to show
        elif app.practitioner_id is not None:
            self.refresh_all()
        # (else built while the first secret is typed: filled once signed in)
        self.query_one("#search", Input).focus()

    def refresh_all(self) -> None:
        """Reload everything from the store (after a save, a new patient, a switch)."""
        app: Any = self.app
        today = app.clock().date()
        practitioner = self.store.practitioner(app.practitioner_id) if app.practitioner_id else None
        who = (
            f"{practitioner['name']} ({practitioner['profession']})"
            if practitioner
            else "no practitioner"
        )
        self.query_one("#topbar", Static).update(
            Text.assemble((" sessionlog", "bold"), "  ·  ", plain(who), f"  ·  {today:%A %d %B %Y}")
        )
        self.show_banner()
        search = self.query_one("#search", Input).value
        if self._filled:
            self.fill_today(today)
            self.fill_patients(search)
            return
        # At start-up the first frame shows what the practitioner starts from (the
        # search box and the recent patients); the highlighted one's sessions and
        # today's sessions (up to 50 rows and a day's worth) follow one frame later.
        # Table cells are most of the cost of painting this screen: the first frame
        # comes sooner.
        self._filled = True
        self.fill_patients(search, sessions=False)
        self.call_after_refresh(self._fill_after_first_frame, today)

    async def _fill_after_first_frame(self, today: Any) -> None:
        await self._mount_lists()
        self.fill_patient_sessions()
        self.fill_today(today)

    async def _mount_lists(self) -> None:
        """Today's and the patient's sessions tables, in place of their boxes (once)."""
        if not self._lists_in:
            await lists.mount_lists(self, before=self.query_one(Footer))
            self._lists_in = True

    def show_banner(self) -> None:
        """The banner over the lists: a failed read of the database, else a broken
        audit chain; hidden when neither."""
        app: Any = self.app
        warning = app.store_failure or app.chain_warning
        banner = self.query_one("#chain-banner", Static)
        if warning:
            banner.update(plain(warning))
        banner.set_class(bool(warning), "shown")

    def fill_today(self, today: Any) -> None:
        if not self._lists_in:
            return  # filled once its table is mounted (after the first frame)
        lists.fill_today(self.query_one("#today", DataTable), self.store.sessions_on(today))

    def fill_patients(self, text: str, select: int | None = None, sessions: bool = True) -> None:
        """The patients found (or the recent ones), and the highlighted one's sessions
        (without ``sessions``: the caller fills them later; nothing else does meanwhile)."""
        rows, title = self._patients_for(text)
        lists.fill_patients(self.query_one("#patients", DataTable), rows, title, select)
        if sessions:
            self.fill_patient_sessions()
        else:
            self._sessions_of = self.listed_patient()  # the highlight event fills nothing

    def _patients_for(self, text: str) -> tuple[list[Any], str]:
        """The patients the search ``text`` finds (the recent ones when empty), titled."""
        if text.strip():
            rows = self.store.search_patients(text)
            return rows, f"Matching {text.strip()!r}: {len(rows)}"
        return self.store.recent_patients(12) or self.store.patients()[:12], "Recent patients"

    def show_saves_elsewhere(self) -> bool:
        """Another workstation (or the command line) saved: the lists are read again,
        each kept on the row it was on, so a key pressed next acts on the patient and
        the session the practitioner sees highlighted. A list whose highlighted row
        would go (a session voided or moved elsewhere, a 13th more recent patient) is
        left as it is while the practitioner is in it (the patients list: always, F5 and
        F6 act on it otherwise): moving the highlight to another row would move it to
        another patient unseen. Returns whether every list was read again (else: ask
        later)."""
        if not self._lists_in:
            return True  # the first fill has not happened yet: it reads everything
        done = True
        pid = self.listed_patient()
        rows, title = self._patients_for(self.query_one("#search", Input).value)
        if pid is None or any(row["id"] == pid for row in rows):
            lists.fill_patients(self.query_one("#patients", DataTable), rows, title, pid)
        else:
            done = False
        app: Any = self.app
        today = self.store.sessions_on(app.clock().date())
        # (Today's and the patient's sessions act only when the practitioner is in them:
        # another one is read again whatever its highlight was on.)
        table = self.query_one("#today", DataTable)
        keys = [lists.row_key(s) for s in today]
        if table is not self.focused or lists.keeps_row(table, keys):
            lists.keeping_row(table, lambda: lists.fill_today(table, today))
        else:
            done = False
        table = self.query_one("#patient-sessions", DataTable)
        listed = self.store.sessions(pid, limit=SESSIONS_LISTED, include_void=True) if pid else []
        keys = [lists.row_key(s) for s in listed]
        if table is not self.focused or lists.keeps_row(table, keys):
            # The rows just checked, not read again: a save in between could drop the
            # highlighted one (its highlight would move to another session unseen).
            lists.keeping_row(table, lambda: self.fill_patient_sessions(listed))
        else:
            done = False
        return done

    def listed_patient(self) -> int | None:
        """The patient highlighted in the patients list (whose sessions show below it)."""
        key = lists.highlighted_key(self.query_one("#patients", DataTable))
        return None if key is None else int(key or 0)

    def selected_patient(self) -> int | None:
        """The patient of the row the practitioner is on: the focused list's highlighted
        row (today's, or the patient's sessions), else the patients list's. Every patient
        action (F5, F6, Ctrl+O, Ctrl+R, Ctrl+F) acts on this one and no other."""
        table = self.focused
        if isinstance(table, DataTable) and table.id in ("today", "patient-sessions"):
            key = lists.highlighted_key(table)
            return None if key is None else int(key.split(":")[1])
        return self.listed_patient()

    def fill_patient_sessions(self, rows: list[ListedSession] | None = None) -> None:
        """The highlighted patient's latest sessions (``rows``, when just read for them)."""
        if not self._lists_in:
            return  # filled once its table is mounted (after the first frame)
        table = self.query_one("#patient-sessions", DataTable)
        pid = self._sessions_of = self.listed_patient()
        patient = self.store.patient(pid) if pid is not None else None
        if not patient:
            rows = []
        elif rows is None:
            rows = self.store.sessions(pid, limit=SESSIONS_LISTED, include_void=True)
        from ...services.episodes import short_names  # (after the first frame: its domain)

        names = short_names(self.store.episodes(pid)) if patient and pid is not None else {}
        lists.fill_sessions(table, patient, rows, self.app.size.width, names)
        self._sites_width = table.region.width

    def on_resize(self) -> None:
        self.call_after_refresh(self._refit_sessions)

    def _refit_sessions(self) -> None:
        if self.ready and self.query_one("#patient-sessions").region.width != self._sites_width:
            self.fill_patient_sessions()

    # -- events -------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "search":
            self.fill_patients(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "search":
            event.stop()
            if not event.value.strip():
                # Nobody was chosen: an Enter alone (or after keys lost while a form
                # closed) must not open the first listed patient's session.
                self.notify(
                    "Type a chart id or name to find the patient"
                    " (or Down to choose from the list).",
                    timeout=4,
                )
                return
            self.action_new_session()

    def on_key(self, event: Any) -> None:
        if event.key == "down" and self.focused is self.query_one("#search"):
            event.stop()
            self.query_one("#patients", DataTable).focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        # The table announces its first row after it is painted: the sessions shown are
        # that patient's already (fill_patients filled them), so no second fill.
        if event.data_table.id == "patients" and self.listed_patient() != self._sessions_of:
            self.fill_patient_sessions()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "patients":
            self.action_new_session()
        else:
            record_id, patient_id, *void = str(event.row_key.value).split(":")
            if void:  # a voided session is reviewed, never edited
                from .history import HistoryScreen

                self.app.push_screen(HistoryScreen(int(record_id)))
                return
            self.open_session(int(patient_id), int(record_id))

    def on_new_patient_form_created(self, event: NewPatientForm.Created) -> None:
        search = self.query_one("#search", Input)
        patient = self.store.patient(event.patient_id)
        if patient is None:  # not in this clinic's file (never: the id was just saved)
            return
        with search.prevent(Input.Changed):
            search.value = patient["chart_id"]
        self.fill_patients(patient["chart_id"], select=event.patient_id)
        self.query_one("#patients", DataTable).focus()

    # -- actions ------------------------------------------------------------------------

    def _patient_or_hint(self) -> int | None:
        pid = self.selected_patient()
        if pid is None:
            self.notify(
                "No patient highlighted: type a chart id or name, or Ctrl+N to add one.", timeout=3
            )
        return pid

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "focus_search" and isinstance(self.focused, Input):
            # "/" is text in the new-patient fields; in the search it only stays there.
            return self.focused.id == "search"
        return True

    def _after(self, saved: Any = None) -> None:
        # Back from a form (a session, a correction, a void, a follow-up): the patient
        # stays highlighted, and the search is empty or (when they are not among the
        # recent patients) holds their chart id selected, so typing replaces it.
        if saved is not None:  # (a form left without saving gives None)
            outcome_upkeep.records_changed(self.app)
        search = self.query_one("#search", Input)
        pid, self._form_patient = self._form_patient, None
        patient = self.store.patient(pid) if pid is not None else None
        # Keys typed while the form closed reach the search before this runs (after the
        # text it held for the patient left, which is not selected then): they are the
        # next patient asked for, kept, not reset away.
        before, self._search_before = self._search_before, None
        ahead = search.value[len(before) :] if before is not None else ""
        if before is None or not search.value.startswith(before):
            ahead = ""
        with search.prevent(Input.Changed):
            search.value = ""
        self.refresh_all()
        if ahead:
            search.value = ahead  # Changed: the patients matching it
            search.focus()
            search.cursor_position = len(ahead)
            return
        table = self.query_one("#patients", DataTable)
        if patient is not None and str(pid) not in [k.value for k in table.rows]:
            with search.prevent(Input.Changed):
                search.value = patient["chart_id"]
            self.fill_patients(patient["chart_id"], select=pid)
        elif patient is not None:
            table.move_cursor(row=table.get_row_index(str(pid)))
            self.fill_patient_sessions()
        search.focus()
        search.select_all()

    def _open_form(self, patient_id: int, form: Screen[Any]) -> None:
        """Open ``form`` for ``patient_id``; :meth:`_after` runs when it closes."""
        self._form_patient = patient_id
        self._search_before = self.query_one("#search", Input).value
        self.app.push_screen(form, self._after)

    def action_new_session(self, repeat: bool = False) -> None:
        pid = self._patient_or_hint()
        if pid is not None:
            from .session_form import SessionScreen

            self._open_form(pid, SessionScreen(pid, repeat=repeat))

    def action_repeat_last(self) -> None:
        pid = self._patient_or_hint()
        if pid is not None and self.store.last_session(pid) is None:
            self.notify("This patient has no earlier session to repeat.", timeout=3)
            return
        self.action_new_session(repeat=True)

    def open_session(self, patient_id: int, record_id: int) -> None:
        from .session_form import SessionScreen

        self._open_form(patient_id, SessionScreen(patient_id, record_id=record_id))

    def action_follow_up(self) -> None:
        pid = self._patient_or_hint()
        if pid is not None and self.store.last_session(pid) is None:
            # Said here, not by the follow-up screen: leaving it resets the search, and
            # the patient just found (or just added) would be lost from view.
            said = "none yet."  # (one who had sessions, all voided, may have follow-ups)
            if self.store.listed_follow_ups(pid, limit=1):
                lists = config.bound_key(self.app, HomeScreen, "home.follow_ups")
                said = f"no current one ({lists} lists their follow-ups)."
            self.notify(f"A follow-up follows a session: this patient has {said}", timeout=3)
            return
        if pid is not None:
            from .follow_up import FollowUpScreen

            self._open_form(pid, FollowUpScreen(pid))

    def action_follow_ups(self) -> None:
        """F4: the patient's follow-ups, to correct or void, whether or not they have a
        current session (the follow-up form, whose F3 lists them too, needs one)."""
        pid = self._patient_or_hint()
        if pid is not None:
            from .follow_ups import FollowUpsScreen

            self._open_form(pid, FollowUpsScreen(pid))

    async def action_new_patient(self) -> None:
        from ..widgets.new_patient import NewPatientForm

        forms = self.query(NewPatientForm)
        if forms:
            form = forms.first()
        else:
            self.app.load_screen_styles()  # type: ignore[attr-defined]
            form = NewPatientForm(id="new-patient")
            await self.mount(form, before="#lists")
        form.start(self.query_one("#search", Input).value)

    def action_history(self) -> None:
        home_actions.show_history(self)

    def action_void(self) -> None:
        """Void the highlighted session (today's or the patient's), with a reason."""
        home_actions.void_highlighted(self, self._voided)

    def _voided(self, patient_id: int) -> None:
        self._form_patient = patient_id
        self._after(True)

    def action_progress(self) -> None:
        home_actions.open_outcome(self, self._patient_or_hint(), "progress", "ProgressScreen")

    def action_patient_view(self) -> None:
        pid = self._patient_or_hint()
        home_actions.open_outcome(self, pid, "patient_view", "PatientViewScreen")

    def action_due(self) -> None:
        from .due import DueScreen

        self.app.push_screen(DueScreen())

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear(self) -> None:
        forms = self.query("#new-patient")
        if forms and forms.first().display:
            forms.first().display = False
        else:
            self.query_one("#search", Input).value = ""
        self.query_one("#search", Input).focus()
