"""Small modal questions: leave without saving?, replace what was typed?, why?, a name.
Each dismisses a typed result.

:func:`leave_asking` is the one way a form is left: at once when nothing is unsaved,
else only after :class:`ConfirmDiscard` is answered "discard" (the session form, the
follow-up form, and the app's Ctrl+Q over either).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, Static

from ..safe import plain


class Confirm(ModalScreen[bool]):
    """A yes-or-no question before something typed is lost: ``True`` means go ahead.
    The safe answer has the focus, so Enter keeps what was typed."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, yes: str, no: str) -> None:
        super().__init__()
        self.question, self.yes, self.no = question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(plain(self.question))
            with Horizontal(classes="buttons"):
                yield Button(f"{self.no} (n)", id="keep", variant="primary")
                yield Button(f"{self.yes} (y)", id="go", variant="error")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "go")

    def action_answer(self, go: bool) -> None:
        self.dismiss(go)


class ConfirmDiscard(Confirm):
    """Leaving a form with unsaved changes: ``True`` means throw them away."""

    BINDINGS = [
        Binding("y,d", "answer(True)", "Discard", id="confirm.discard"),
        Binding("n,escape", "answer(False)", "Keep editing", id="confirm.keep"),
    ]

    def __init__(self, what: str = "this session", leave: str = "Leave") -> None:
        # leave: "Quit sessionlog and leave" when the app is quitting
        super().__init__(
            f"{leave} {what} without saving? What you typed will be lost.",
            yes="Discard",
            no="Keep editing",
        )


def leave_asking(form: Screen[int | None], what: str, *, unsaved: bool) -> None:
    """Leave ``form`` (it dismisses ``None``): at once when nothing is ``unsaved``, else
    only if the user throws ``what`` ("this session") away when asked."""
    if not unsaved:
        form.dismiss(None)
        return

    def answer(discard: bool | None) -> None:
        if discard:
            form.dismiss(None)

    form.app.push_screen(ConfirmDiscard(what), answer)


class AskText(ModalScreen[str | None]):
    """One line of text (a reason, a name); ``None`` when cancelled with Escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="ask.cancel")]
    # The answer has no label beside it: its error starts under it, not 14 cells in.
    DEFAULT_CSS = "AskText #answer-error { padding-left: 1; }"

    def __init__(
        self,
        question: str,
        *,
        placeholder: str = "",
        value: str = "",
        required: str = "",
        password: bool = False,
    ) -> None:
        super().__init__()
        self.password = password  # masked as typed (a secret)
        self.question = question
        self.placeholder = placeholder
        self.value = value
        self.required = required  # the message shown when Enter is pressed on nothing

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(plain(self.question))
            yield Input(
                value=self.value, placeholder=self.placeholder, id="answer", password=self.password
            )
            yield Label("", id="answer-error", classes="error")
            yield Static("Enter to confirm, Escape to cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#answer", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            error = self.query_one("#answer-error", Label)
            error.update(plain(self.required or "Type something, or Escape to cancel"))
            error.add_class("-shown")  # .error lines are hidden until shown
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


def void_asking(
    app: App[Any],
    what: str,
    then: Callable[[str], None],
    *,
    placeholder: str,
    several: bool = False,
) -> None:
    """Void ``what`` (``follow-up #3 (...)``) only after a reason and a yes: ``then``
    gets the reason. Escape or "n" at either question leaves it as it was. ``several``:
    what is named is more than one record (a follow-up and the readings taken with it)."""

    def asked(reason: str | None) -> None:
        if reason:
            app.push_screen(
                Confirm(
                    f"Void {what}? {'They' if several else 'It'} will count in no figure.",
                    "Void",
                    "Keep it",
                ),
                lambda go: then(reason) if go else None,
            )

    app.push_screen(
        AskText(
            f"Void {what}? It stays in the record, marked void. Why?",
            placeholder=placeholder,
            required="Voiding needs a reason: it is kept with the record",
        ),
        asked,
    )
