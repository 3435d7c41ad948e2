"""Follow-up entry: pain (and soreness) some time after a session, linked to it; F3 lists
the patient's follow-ups (:mod:`.follow_ups`). Given a follow-up, the same form corrects
it: filled with its values, Ctrl+S asks why and saves a correction that keeps it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Label, Select, Static

from ...errors import ValidationError
from ...services.entry.field_words import sentence
from ...services.follow_ups import correct, current, record
from ...services.sessions import Refused
from ..safe import not_saved, plain
from ..tables import technique_name
from ..widgets.footer import Footer
from ..widgets.number_input import KeyRefused, NumberInput
from .modals import AskText, leave_asking

if TYPE_CHECKING:
    from ...services.follow_ups import Corrected, Recorded
    from ...store import FollowUpRow, Store

FIELDS = (
    ("pain", "Pain now", "0-10", r"\d{0,2}"),
    ("soreness", "Soreness", "0-10", r"\d{0,2}"),
    # GROC: the global rating of change, -7 (a very great deal worse) to +7 (better).
    ("groc", "Change (GROC)", "-7..7", r"[-+]?\d{0,1}"),
    ("notes", "Notes", "optional", None),
    ("at", "When", "YYYY-MM-DD HH:MM", None),
)


def _blank(value: object) -> str:
    return "" if value is None else str(value)


class FollowUpScreen(Screen[int | None]):
    """Record a follow-up for ``patient_id`` (or correct follow-up ``correcting`` of
    theirs); dismisses the new follow-up's id, or None."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="follow_up.save", priority=True),
        Binding("escape", "back", "Back", id="follow_up.back"),
        Binding("f3", "list", "Follow-ups", id="follow_up.list"),
    ]
    UNSAVED = "this follow-up"  # what leaving with unsaved changes would throw away

    def __init__(self, patient_id: int, correcting: int | None = None) -> None:
        super().__init__()
        self.patient_id = patient_id
        self.correcting = correcting
        self.snapshot: dict[str, str] = {}

    @property
    def store(self) -> Store:
        return self.app.store  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        title = f"Correct follow-up #{self.correcting}" if self.correcting else "Follow-up"
        yield Static(title, id="topbar")
        yield Static(id="patient-line")
        with VerticalScroll(id="form"):
            with Horizontal(classes="row"):
                yield Label("Follows", classes="field-label")
                yield self._session_select()
            yield Label(id="err-session_record_id", classes="error")
            for name, label, placeholder, restrict in FIELDS:
                with Horizontal(classes="row"):
                    yield Label(label, classes="field-label")
                    if restrict:  # a number: a key it cannot take is said, not dropped
                        yield NumberInput(
                            name,
                            f"a whole number from {placeholder.replace('..', ' to ')}",
                            digits=1 if name == "groc" else 2,
                            signed=name == "groc",
                            id=f"f-{name}",
                            placeholder=placeholder,
                            compact=True,
                            classes="wide-num" if name == "groc" else "num",
                        )
                    else:
                        yield Input(id=f"f-{name}", placeholder=placeholder, compact=True)
                yield Label(id=f"err-{name}", classes="error")
            yield Static("Enter moves on · Ctrl+S saves · Escape leaves", classes="hint")
        yield Footer()

    def _session_select(self) -> Select[int]:
        sessions = list(self.store.sessions(self.patient_id, limit=30))
        self._own_voided = False
        if self.correcting and self._row:  # its own session, however old
            own = self.store.session(self._row["session_record_id"])
            if own is not None and all(s["record_id"] != own["record_id"] for s in sessions):
                sessions.append(own)  # type: ignore[arg-type]  # the fields shown are there
            # Its session voided since: none is chosen for it (the newest one was, and
            # a correction of its pain alone moved it there unseen).
            self._own_voided = own is None
        options = [
            (
                plain(
                    f"{str(s['started_at'])[:16]}  {technique_name(s['technique'])}"
                    f"  pain {s['pain_before']}->{_blank(s['pain_after'])}"
                ),
                s["record_id"],
            )
            for s in sessions
        ]
        # Newest first: the default is the latest session, the one a follow-up usually
        # follows (a correction's: its own; none when that one was voided since).
        first = options[0][1] if options else Select.NULL
        return Select(
            options,
            id="session",
            allow_blank=not options or self._own_voided,
            compact=True,
            value=Select.NULL
            if self._own_voided
            else next((v for _, v in options if v == self._own_session), first),
        )

    @property
    def _row(self) -> FollowUpRow | None:
        """The follow-up corrected (None for a new one, or when it is current no more)."""
        if self.correcting is None:
            return None
        if not hasattr(self, "_corrected"):
            try:
                self._corrected: FollowUpRow | None = current(self.store, self.correcting)
            except ValidationError as exc:
                self._corrected, self._gone = None, str(exc)
        return self._corrected

    def on_mount(self) -> None:
        patient = self.store.patient(self.patient_id)
        if self.correcting is not None and self._row is None:
            self.notify(plain(f"Not corrected: {self._gone}"), severity="error", timeout=8)  # type: ignore[arg-type]  # a Text: user text shown as text, never markup
            self.dismiss(None)
            return
        if patient is None or (
            self.query_one("#session", Select).is_blank() and not self._own_voided
        ):
            self.notify(
                "A follow-up follows a session: this patient has none yet.", severity="warning"
            )
            self.dismiss(None)
            return
        self.query_one("#patient-line", Static).update(
            plain(f" {patient['chart_id']}  {patient['name']}")
        )
        clock = self.app.clock  # type: ignore[attr-defined]
        self.query_one("#f-at", Input).value = clock().strftime("%Y-%m-%d %H:%M")
        if self._row is not None:  # the follow-up corrected, as it was saved
            row = self._row
            for name in ("pain", "soreness", "groc", "notes"):
                self.query_one(f"#f-{name}", Input).value = _blank(row[name])
            self.query_one("#f-at", Input).value = str(row["at"])[:16]
        self.snapshot = self._values()
        self.query_one("#f-pain", Input).focus()
        if self._own_voided:
            label = self.query_one("#err-session_record_id", Label)
            label.update(
                plain(
                    f"Follows: session {self._own_session} was voided: choose the session this"
                    " follow-up follows (or void the follow-up: F8 on the list)"
                )
            )
            label.add_class("-shown")

    def _values(self) -> dict[str, str]:
        return {name: self.query_one(f"#f-{name}", Input).value for name, *_ in FIELDS}

    def on_key_refused(self, event: KeyRefused) -> None:
        label = self.query_one(f"#err-{event.field}", Label)
        label.update(plain(sentence(event.field, event.why)))
        label.add_class("-shown")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "f-at":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        for name in ("session_record_id", *(f[0] for f in FIELDS)):
            self.query_one(f"#err-{name}", Label).update("")
            self.query_one(f"#err-{name}", Label).remove_class("-shown")
        chosen = self.query_one("#session", Select).value
        if chosen is Select.NULL:
            label = self.query_one("#err-session_record_id", Label)
            label.update("Follows: choose the session this follow-up follows")
            label.add_class("-shown")
            return
        raw: dict[str, Any] = {**self._values(), "session_record_id": chosen}
        actor: int = self.app.practitioner_id  # type: ignore[attr-defined]
        now = self.app.clock()  # type: ignore[attr-defined]
        if self.correcting is None:
            self._done(record(self.store, {**raw, "patient_id": self.patient_id}, actor, now=now))
            return
        # Only what was changed: a time shown to the minute, left as it was, keeps its
        # seconds (and a follow-up not moved keeps its place, checked or not).
        changes = {k: v for k, v in raw.items() if self.snapshot.get(k, self._own_session) != v}
        if not changes:
            self.notify("Nothing changed: correct a value, or Escape to leave.", timeout=4)
            return
        fid = self.correcting

        def save_with(reason: str | None) -> None:
            if reason:
                self._done(correct(self.store, fid, changes, actor, reason, now=now))

        self.app.push_screen(
            AskText(
                f"Correct follow-up #{fid}? The one saved stays in the record. Why?",
                placeholder="e.g. pain misheard: 5, not 3",
                required="A correction needs a reason: it is kept with the record",
            ),
            save_with,
        )

    @property
    def _own_session(self) -> object:
        return self._row["session_record_id"] if self._row else None

    def _done(self, done: Recorded | Corrected | Refused) -> None:
        """Saved: the form closes with the new id; refused: each problem in red under
        its field (or said once), what was typed kept."""
        if isinstance(done, Refused) and done.problems:
            for error in done.problems:
                if error.field in ("follow_up", "amend", "reason"):  # no field of the form's
                    self.notify(plain(f"Not saved: {error}"), severity="error", timeout=8)  # type: ignore[arg-type]  # a Text: user text shown as text, never markup
                    return
                name = error.field if error.field.isidentifier() else "at"
                target = self.query(f"#err-{name}")
                label = target.first(Label) if target else self.query_one("#err-at", Label)
                label.update(plain(sentence(error.field, error.message)))
                label.add_class("-shown")
            self.notify("Not saved: see the lines in red", severity="error", timeout=3)
            return
        if isinstance(done, Refused):  # the form keeps what was typed
            self.notify(not_saved(done.error), severity="error", timeout=8)  # type: ignore[arg-type]  # a Text: user text shown as text, never markup
            return
        self.notify(done.message, timeout=2)
        self.snapshot = self._values()
        self.dismiss(done.follow_up_id)

    @property
    def dirty(self) -> bool:
        """Something typed and not saved (the app asks before quitting, too)."""
        return self._values() != self.snapshot

    def action_back(self) -> None:
        leave_asking(self, self.UNSAVED, unsaved=self.dirty)

    def action_list(self) -> None:
        from .follow_ups import FollowUpsScreen

        self.app.push_screen(FollowUpsScreen(self.patient_id))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action != "list" or self.correcting is None  # (the list opened this one)
