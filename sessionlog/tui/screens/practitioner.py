"""Adding a practitioner: the first run's setup (name and secret in one step, its
practitioner becomes the admin) and an admin's "add a practitioner" (with a temporary
secret, replaced by its owner at their first sign-in)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from ...domain import InvalidRecord, parse_practitioner
from ...domain.techniques import PROFESSIONS
from ...errors import SessionlogError, ValidationError
from ...services import auth
from ...services.entry.field_words import sentence
from ..safe import plain
from ..widgets.choice import NextSelect

SECRET_FIELDS = (
    ("secret", "Secret", "a PIN of 6+ digits or a passphrase of 8+ characters"),
    ("repeat", "Secret again", "the same, to be sure"),
)


class PractitionerSetup(ModalScreen[int | None]):
    """Add a practitioner: name, profession, credential and a secret. Dismisses the new id.

    ``first_run``: the database has no practitioner yet; the one added becomes its admin.
    Otherwise ``admin_id`` adds one, whose secret is a temporary one for them to replace.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="setup.cancel")]

    def __init__(self, *, first_run: bool = True, admin_id: int | None = None) -> None:
        super().__init__()
        self.first_run = first_run
        self.admin_id = admin_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            if self.first_run:
                yield Static("Welcome to sessionlog. Who records sessions here?", classes="title")
                yield Static(
                    "Your name is kept with every session you record (the audit trail);"
                    " your secret signs you in. You are this database's admin: you add"
                    " colleagues and reset a forgotten secret (F2).",
                    classes="hint",
                )
            else:
                yield Static("Add a practitioner", classes="title")
            for name, label, placeholder in (
                ("name", "Name", "e.g. Dr Ada Lin"),
                ("credential", "Credential", "e.g. L.Ac., PT, DPT (optional)"),
            ):
                with Horizontal(classes="field-row"):
                    yield Label(label, classes="field-label")
                    yield Input(placeholder=placeholder, id=f"p-{name}", compact=True)
                yield Label("", id=f"err-{name}", classes="error")
                if name == "name":
                    with Horizontal(classes="field-row"):
                        yield Label("Profession", classes="field-label")
                        yield NextSelect(
                            [(p, p) for p in PROFESSIONS],
                            value="acupuncturist",
                            allow_blank=False,
                            id="p-profession",
                            compact=True,
                        )
                    yield Label("", id="err-profession", classes="error")
            if not self.first_run:
                yield Static("A temporary secret: they choose their own at first sign-in.",
                             classes="hint")  # fmt: skip
            for name, label, placeholder in SECRET_FIELDS:
                with Horizontal(classes="field-row"):
                    yield Label(label, classes="field-label")
                    yield Input(
                        placeholder=placeholder, id=f"p-{name}", password=True, compact=True
                    )
            yield Label("", id="err-secret", classes="error")
            yield Static("Enter moves on; Enter on the last field saves.", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#p-name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "p-repeat":
            self.save()
        else:
            self.focus_next()

    def save(self) -> None:
        data: dict[str, Any] = {
            "name": self.query_one("#p-name", Input).value,
            "profession": self.query_one("#p-profession", Select).value,
            "credential": self.query_one("#p-credential", Input).value,
        }
        for name in ("name", "profession", "credential", "secret"):
            label = self.query_one(f"#err-{name}", Label)
            label.update("")
            label.remove_class("-shown")
        try:
            practitioner = parse_practitioner(data)
        except InvalidRecord as exc:
            for error in exc.errors:
                label = self.query_one(f"#err-{error.field}", Label)
                label.update(plain(sentence(error.field, error.message)))
                label.add_class("-shown")  # .error lines are hidden until shown
            return
        secret = self.query_one("#p-secret", Input).value
        problem = self._secret_error(secret)
        if problem is None:
            store = self.app.store  # type: ignore[attr-defined]
            try:
                if self.first_run:
                    pid = auth.first_practitioner(store, practitioner, secret)
                else:
                    assert self.admin_id is not None
                    pid = auth.add_practitioner(
                        store, self.admin_id, practitioner, secret, "practitioner"
                    )
            except SessionlogError as exc:
                problem = str(exc)
            else:
                self.dismiss(pid)
                return
        label = self.query_one("#err-secret", Label)
        label.update(plain(problem or ""))
        label.add_class("-shown")
        for name in ("repeat", "secret"):  # typed again, from the first
            field = self.query_one(f"#p-{name}", Input)
            field.value = ""
            field.focus()

    def _secret_error(self, secret: str) -> str | None:
        try:
            auth.check_secret_rule(secret)
        except ValidationError as exc:
            return f"Secret: {exc.message}"
        if self.query_one("#p-repeat", Input).value != secret:
            return "Secret again: is not the same as the secret"
        return None

    def action_cancel(self) -> None:
        if not self.first_run:
            self.dismiss(None)
        else:
            self.app.exit()
