"""Sign-in: the app's first screen, its lock, and switching practitioner.

No patient data is on it or behind it: it is a full screen, the first one (the home
screen's widgets are built while the first secret is typed, empty and unseen: it reads
no patient before a sign-in), and when the app locks it covers whatever was
open (an unsaved form stays as it was, under it). It lists the practitioners by name
and asks for the chosen one's secret in a masked field; the secret's hash is computed
after Enter, never at start-up.

Three uses (``mode``):

- ``start``: the first screen. A database without practitioners asks for the first
  one (name and secret in one step); a practitioner without a secret yet (a database
  from before sign-in) chooses one here.
- ``switch`` (F2): another practitioner signs in; Escape goes back. An admin signed in
  adds a practitioner here (Ctrl+N) or resets the highlighted one's secret (Ctrl+R),
  giving a temporary secret (audited; nobody can read a secret, only replace it).
- ``lock`` (Ctrl+L, or idle): only the practitioner who locked can open it again.

A secret given by an admin (a new practitioner, a reset) signs in once, then asks for
the practitioner's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from ...errors import SessionlogError
from ...services import auth
from ..safe import plain
from ..widgets.list_table import ListTable

if TYPE_CHECKING:
    from ...store import Store

TITLES = {
    "start": "Who is signing in?",
    "switch": "Switch practitioner: who is signing in?",
    "lock": "Locked. Sign in again to go on where you were.",
}
ASK_SECRET = "Secret (your PIN or passphrase), then Enter"
CHOOSE_FIRST = "No secret yet: choose one (a PIN of 6+ digits or a passphrase of 8+ characters)"
NO_SECRET = "No secret yet: an admin gives you one (they press F2, then Ctrl+R on your name)"
CHOOSE_OWN = "Your secret was given by an admin: choose your own (PIN 6+ digits or passphrase 8+)"


class SignInScreen(Screen[None]):
    """Practitioners by name and a masked secret; signs one in (``app.signed_in``)."""

    SIGN_IN = True  # the app refuses its patient keys (F7, F2, Ctrl+L, palette) here
    BINDINGS = [
        Binding("escape", "back", "Back", id="sign_in.back", show=False),
        Binding("ctrl+n", "add_practitioner", "Add practitioner", id="sign_in.add"),
        Binding("ctrl+r", "reset_secret", "Reset secret", id="sign_in.reset"),
    ]

    def __init__(self, mode: str = "start", current: int | None = None) -> None:
        super().__init__()
        self.mode = mode
        self.current = current  # the locked practitioner, or the one signed in
        self.LOCKED = mode == "lock"  # over the lock, no app key works (not even quit)
        self.names: list[auth.SignInChoice] = []
        self.choosing: str | None = None  # 'first' | 'own': two fields, a new secret
        self._signed: int | None = None  # signed in with a given secret, choosing own
        self._highlighted: int | None = None  # the practitioner the list is on

    def compose(self) -> ComposeResult:
        yield Static(" sessionlog: sign in", id="topbar")
        yield Static(TITLES[self.mode], id="si-title", classes="si-line")
        names = ListTable(id="si-names", classes="box", cursor_type="row", show_header=False)
        names.border_title = "Practitioners"
        yield names
        yield Static(ASK_SECRET, id="si-prompt", classes="si-line")
        yield Input(id="si-secret", password=True, compact=True, placeholder="secret")
        yield Input(id="si-repeat", password=True, compact=True, placeholder="the same again")
        yield Static("", id="si-message", classes="si-line")
        hint = (
            "Type your secret, then Enter"
            if self.mode == "lock"
            else ("Up/Down: practitioner · Enter: secret")
        )
        hint += " · Escape: back" if self.mode == "switch" else ""
        if self.admin:
            hint += " · Ctrl+N: add a practitioner · Ctrl+R: reset their secret"
        hint += " · Ctrl+Q: quit" if self.mode == "start" else ""
        yield Static(hint, id="si-hint", classes="si-line")

    @property
    def admin(self) -> bool:
        """An admin is signed in and switching: they may add and reset here."""
        if self.mode != "switch" or self.current is None:
            return False
        access = self.app.store.access(self.current)  # type: ignore[attr-defined]
        return access is not None and access.role == "admin"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add_practitioner", "reset_secret"):
            return self.admin
        return True

    @property
    def store(self) -> Store:
        return self.app.store  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        app: Any = self.app
        self.query_one("#si-repeat").display = False
        if not app.started:
            app.start()  # takes the database (opened meanwhile)
            if app.return_code is not None:
                return  # leaving (a database that cannot be opened)
            # While the secret is typed: the end of the audit chain is looked at for
            # Home's banner (3-4 ms at 100k), the sign-in's audit row is the first write,
            # and what a first write does once (5-10 ms) is done before Enter; so is
            # building the home screen's widgets (~40 ms of CPU), empty: Enter fills and
            # shows it (sign_in_flow.prepare_home). A
            # moment after the first frame, not right after it is handed to Textual's
            # writer thread: that thread waits for the interpreter lock to write it.
            self.set_timer(0.1, self._prepare_home)
        self.fill()

    def _prepare_home(self) -> None:
        if self.is_attached and self.app.is_running:
            self.app.check_chain()  # type: ignore[attr-defined]
            self.store.prepare_writes()
            if self.names:  # Enter reads the access row: its type is made now (lazy_rows)
                self.store.access(self.chosen().practitioner_id)
            self.app.prepare_home()  # type: ignore[attr-defined]

    def fill(self) -> None:
        """List the practitioners (only the locked one, on the lock)."""
        app: Any = self.app
        self.names = auth.sign_in_choices(self.store)
        if self.mode == "lock":
            self.names = [n for n in self.names if n.practitioner_id == self.current]
        if not self.names:
            from .practitioner import PractitionerSetup

            self.app.push_screen(PractitionerSetup(first_run=True), self._first_added)
            return
        table = self.query_one("#si-names", DataTable)
        table.clear(columns=True)
        table.add_column("Name")
        for n in self.names:
            table.add_row(plain(n.name), key=str(n.practitioner_id))
        ids = [n.practitioner_id for n in self.names]
        current = next(
            (i for i in (self._highlighted, self.current) if i in ids),
            app.remembered_practitioner(),
        )
        table.move_cursor(row=ids.index(current) if current in ids else 0)
        self._ready_for(self.chosen())
        if len(self.names) == 1:
            self.query_one("#si-secret", Input).focus()
        else:
            table.focus()

    def _first_added(self, pid: int | None) -> None:
        # Called while the setup dialog is still on top: carry on once it has gone.
        if pid is not None:
            self.app.call_next(self.app.signed_in, pid, self)  # type: ignore[attr-defined]

    def chosen(self) -> auth.SignInChoice:
        table = self.query_one("#si-names", DataTable)
        return self.names[min(table.cursor_row, len(self.names) - 1)]

    def _ready_for(self, who: auth.SignInChoice) -> None:
        self._signed = None
        if who.has_secret:
            self._ask(None)
        elif self.store.has_admin():  # an admin gives the first secret: nobody claims it
            self._ask(None, NO_SECRET)
        else:
            self._ask("first")

    def _ask(self, choosing: str | None, prompt: str | None = None) -> None:
        self.choosing = choosing
        prompt = prompt or {None: ASK_SECRET, "first": CHOOSE_FIRST, "own": CHOOSE_OWN}[choosing]
        self.query_one("#si-prompt", Static).update(prompt)
        for field in self.query(Input):
            field.value = ""
        self.query_one("#si-repeat").display = choosing is not None

    def say(self, message: str) -> None:
        self.query_one("#si-message", Static).update(plain(message))

    # -- events -------------------------------------------------------------------------

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        # Another practitioner: start their secret afresh (the list refilled on the
        # same one keeps what was just said).
        if self.names and self.chosen().practitioner_id != self._highlighted:
            self._highlighted = self.chosen().practitioner_id
            self._ready_for(self.chosen())
            self.say("")

    def on_key(self, event: Any) -> None:
        # Up and Down choose the practitioner from the secret field too.
        if event.key in ("up", "down") and isinstance(self.focused, Input):
            event.stop()
            table = self.query_one("#si-names", DataTable)
            table.action_cursor_up() if event.key == "up" else table.action_cursor_down()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.query_one("#si-secret", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "si-secret" and self.choosing is not None:
            self.query_one("#si-repeat", Input).focus()
        elif event.input.id == "si-secret":
            self.try_secret(event.value)
        else:
            self.set_secret()

    def try_secret(self, secret: str) -> None:
        """Check the secret (the hash runs now, after Enter)."""
        app: Any = self.app
        who = self.chosen()
        try:
            signed = auth.sign_in(self.store, who.practitioner_id, secret, app.clock())
        except SessionlogError as exc:
            self.query_one("#si-secret", Input).value = ""
            self.say(str(exc))
            return
        if signed.must_change:
            self._ask("own")
            self._signed = signed.practitioner_id
            self.say("Signed in with the secret you were given.")
            self.query_one("#si-secret", Input).focus()
            return
        app.signed_in(signed.practitioner_id, self)

    def set_secret(self) -> None:
        """Save a new secret typed twice: a first one, or one's own after a reset."""
        secret = self.query_one("#si-secret", Input).value
        repeat = self.query_one("#si-repeat", Input)
        if repeat.value != secret:
            repeat.value = ""
            self.say("Secret again: is not the same as the secret; type it again")
            return
        who = self.chosen()
        try:
            if self.choosing == "own" and self._signed is not None:
                auth.choose_secret(self.store, self._signed, secret)
            else:
                auth.claim_first_secret(self.store, who.practitioner_id, secret)
        except SessionlogError as exc:
            self._ask(self.choosing)
            self.query_one("#si-secret", Input).focus()
            self.say(str(exc) if not hasattr(exc, "message") else f"Secret: {exc.message}")
            return
        self.app.signed_in(who.practitioner_id, self)  # type: ignore[attr-defined]

    def action_back(self) -> None:
        if self.mode == "switch":
            self.dismiss()
        elif len(self.names) > 1:
            self.query_one("#si-names", DataTable).focus()

    # -- an admin's keys (switch mode) ----------------------------------------------------

    def action_add_practitioner(self) -> None:
        from .practitioner import PractitionerSetup

        def added(pid: int | None) -> None:
            if pid is not None:
                self.fill()
                added_one = self.store.practitioner(pid)
                assert added_one is not None  # just added, and practitioners are never deleted
                name = added_one["name"]
                self.say(
                    f"{name} added: they sign in with the temporary secret, then choose their own"
                )

        self.app.push_screen(PractitionerSetup(first_run=False, admin_id=self.current), added)

    def action_reset_secret(self) -> None:
        from .modals import AskText

        who = self.chosen()

        def given(secret: str | None) -> None:
            if secret is None or self.current is None:
                return
            try:
                auth.give_secret(self.store, self.current, who.practitioner_id, secret)
            except SessionlogError as exc:
                self.say(str(exc))
                return
            self.fill()
            self.say(
                f"{who.name}'s secret is reset: they sign in with the one you gave,"
                " then choose their own"
            )

        question = (
            f"A temporary secret for {who.name} (they choose their own when they next sign in)"
        )
        self.app.push_screen(AskText(question, password=True), given)
