"""Follow-up entry: pain (and soreness) some time after a session, linked to it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Label, Select, Static

from ...services.entry.field_words import sentence
from ...services.follow_ups import record
from ...services.sessions import Refused
from ..safe import not_saved, plain
from ..tables import technique_name
from ..widgets.footer import Footer
from ..widgets.number_input import KeyRefused, NumberInput
from .modals import leave_asking

if TYPE_CHECKING:
    from ...store import Store

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
    """Record a follow-up for ``patient_id``; dismisses the new follow-up id or None."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="follow_up.save", priority=True),
        Binding("escape", "back", "Back", id="follow_up.back"),
    ]
    UNSAVED = "this follow-up"  # what leaving with unsaved changes would throw away

    def __init__(self, patient_id: int) -> None:
        super().__init__()
        self.patient_id = patient_id
        self.snapshot: dict[str, str] = {}

    @property
    def store(self) -> Store:
        return self.app.store  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield Static("Follow-up", id="topbar")
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
        sessions = self.store.sessions(self.patient_id, limit=30)
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
        # Newest first: the default is the latest session, the one a follow-up usually follows.
        return Select(
            options,
            id="session",
            allow_blank=not options,
            compact=True,
            value=options[0][1] if options else Select.NULL,
        )

    def on_mount(self) -> None:
        patient = self.store.patient(self.patient_id)
        if patient is None or self.query_one("#session", Select).is_blank():
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
        self.snapshot = self._values()
        self.query_one("#f-pain", Input).focus()

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
        raw: dict[str, Any] = {
            **self._values(),
            "patient_id": self.patient_id,
            "session_record_id": self.query_one("#session", Select).value,
        }
        actor: int = self.app.practitioner_id  # type: ignore[attr-defined]
        done = record(self.store, raw, actor, now=self.app.clock())  # type: ignore[attr-defined]
        if isinstance(done, Refused) and done.problems:
            for error in done.problems:
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
