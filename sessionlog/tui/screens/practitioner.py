"""Who is recording: the first-run setup (no practitioner yet) and the picker (several)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from ...domain import InvalidRecord, parse_practitioner
from ...domain.techniques import PROFESSIONS
from ...errors import SessionlogError
from ..field_words import sentence
from ..safe import not_saved, plain
from ..widgets.choice import NextSelect


class PractitionerSetup(ModalScreen[int | None]):
    """Add a practitioner: name, profession, credential. Dismisses the new id."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="setup.cancel")]

    def __init__(self, *, first_run: bool = True) -> None:
        super().__init__()
        self.first_run = first_run

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            if self.first_run:
                yield Static("Welcome to sessionlog. Who records sessions here?", classes="title")
                yield Static(
                    "Your name is kept with every session you record (the audit trail).",
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
            yield Static("Enter moves on; Enter on the last field saves.", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#p-name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "p-credential":
            self.save()
        else:
            self.focus_next()

    def save(self) -> None:
        data: dict[str, Any] = {
            "name": self.query_one("#p-name", Input).value,
            "profession": self.query_one("#p-profession", Select).value,
            "credential": self.query_one("#p-credential", Input).value,
        }
        for name in ("name", "profession", "credential"):
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
        try:
            added = self.app.store.add_practitioner(practitioner)  # type: ignore[attr-defined]
        except SessionlogError as exc:
            self.notify(not_saved(exc, "Enter"), severity="error", timeout=8)
            return
        self.dismiss(added)

    def action_cancel(self) -> None:
        if not self.first_run:
            self.dismiss(None)
        else:
            self.app.exit()


class PickPractitioner(ModalScreen[int | None]):
    """Choose who is recording; the last choice on this machine is highlighted."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="pick.cancel"),
        Binding("ctrl+n", "add", "Add practitioner", id="pick.add"),
    ]

    def __init__(self, practitioners: list[dict[str, Any]], current: int | None) -> None:
        super().__init__()
        self.practitioners = practitioners
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Who is recording?", classes="title")
            options = [
                Option(
                    plain(
                        f"{p['name']}  ({p['profession']}"
                        + (f", {p['credential']}" if p["credential"] else "")
                        + ")"
                    ),
                    id=str(p["id"]),
                )
                for p in self.practitioners
            ]
            yield OptionList(*options, id="practitioners")
            yield Static("Enter picks · Ctrl+N adds a practitioner", classes="hint")

    def on_mount(self) -> None:
        options = self.query_one("#practitioners", OptionList)
        ids = [p["id"] for p in self.practitioners]
        options.highlighted = ids.index(self.current) if self.current in ids else 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def action_add(self) -> None:
        def added(pid: int | None) -> None:
            if pid is not None:
                self.dismiss(pid)

        self.app.push_screen(PractitionerSetup(first_run=False), added)

    def action_cancel(self) -> None:
        if self.current is not None:
            self.dismiss(self.current)
