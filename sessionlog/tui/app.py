"""The sessionlog terminal app: the store and the clock come in, screens come and go.

Start-up is kept as light as a bare Textual app: this module imports only Textual's
core, the first frame is drawn at once, and the database is opened right after it
(sqlite-utils, the screens and the catalogue load then). Tests inject a store, a
clock and a practitioner.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.command import Provider
from textual.widgets import Static

if TYPE_CHECKING:
    from ..store import Store


def _screen_actions() -> type[Provider]:
    from .commands import ScreenActions

    return ScreenActions


class SessionlogApp(App[None]):
    """Record needling sessions from the keyboard; see the outcomes."""

    CSS_PATH = "app.tcss"
    TITLE = "sessionlog"
    COMMANDS = App.COMMANDS | {_screen_actions}
    BINDINGS = [
        Binding("f7", "compare", "Compare", id="app.compare"),
        Binding("f2", "switch_practitioner", "Practitioner", id="app.practitioner"),
    ]

    def __init__(
        self,
        store: Store | None = None,
        *,
        db_path: str | None = None,
        clock: Callable[[], datetime] = datetime.now,
        practitioner_id: int | None = None,
        config_path: Path | None = None,
    ) -> None:
        super().__init__()
        self.store: Any = store
        self.db_path = db_path
        self.clock = clock
        self.practitioner_id = practitioner_id
        self.config_path = config_path
        self.settings: dict[str, Any] = {}
        self.startup_error: str | None = None  # why the database could not be opened

    def compose(self) -> ComposeResult:
        yield Static("sessionlog: opening the database...", id="boot")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Over a locked screen (the patient view) no app-wide key works: not quit, not
        the command palette, not compare. The screen's own leave chord still does."""
        if getattr(self.screen, "LOCKED", False):
            return False
        return True

    def notify(
        self,
        message: Any,
        *,
        title: str = "",
        severity: Any = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Toasts show text as text: codes, names and reasons a user typed may hold
        ``[`` and control characters, so markup is never read here."""
        from ..domain.text import clean_text

        text = message.plain if hasattr(message, "plain") else str(message)
        super().notify(
            clean_text(text, multiline=True),
            title=title,
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def on_mount(self) -> None:
        if self.store is None:
            # Open the database on a thread while Textual paints its first frame: the
            # two overlap, so the home screen is ready sooner. The connection is made
            # for use from any thread (check_same_thread=False) and is only used from
            # the main thread once start() has joined this one.
            self._opener = threading.Thread(target=self._open_store, daemon=True)
            self._opener.start()
        self.call_after_refresh(self.start)

    def _open_store(self) -> None:
        from ..errors import DatabaseError

        try:
            from ..store import Store

            self._opened = Store.open(self.db_path, self.clock)
        except DatabaseError as exc:
            self.startup_error = str(exc)
        from .screens import home  # noqa: F401  (loaded here too: it is needed next)

    def start(self) -> None:
        """Take the opened store (unless given), apply the settings, ask who records."""
        from . import config

        if self.store is None:
            self._opener.join()
            if self.startup_error is not None:
                self.exit(return_code=1, message=f"sessionlog: {self.startup_error}")
                return
            self.store = self._opened
        self.settings = config.load(self.config_path)
        keymap = config.keymap(self.settings)
        if keymap:
            self.set_keymap(keymap)
        if self.settings.get("theme") in self.available_themes:
            self.theme = self.settings["theme"]
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.practitioner_id not in [p["id"] for p in self.store.practitioners()]:
            # The question (who records?) is asked over the home screen: a screen
            # pushed from a modal's dismiss callback was not painted until a key press.
            from .screens.home import HomeScreen

            self.push_screen(HomeScreen())
        self.choose_practitioner()
        self._repaint_soon()

    def _repaint_soon(self) -> None:
        # Screens pushed or popped from start-up code and dismiss callbacks were not
        # painted on a real terminal until the next key press: ask for a frame.
        self.set_timer(0.05, lambda: self.screen.refresh(layout=True))

    def _remember_theme(self, theme: Any) -> None:
        from . import config

        config.update({"theme": theme.name}, self.config_path)

    def choose_practitioner(self, *, ask: bool = False) -> None:
        """Settle who is recording: the one given, the only one, or ask."""
        from .screens.practitioner import PickPractitioner, PractitionerSetup

        practitioners = self.store.practitioners()
        ids = [p["id"] for p in practitioners]
        if not ask and self.practitioner_id in ids:
            self._practitioner_chosen(self.practitioner_id)
        elif not practitioners:
            self.push_screen(PractitionerSetup(first_run=True), self._practitioner_chosen)
        elif len(practitioners) == 1 and not ask:
            self._practitioner_chosen(ids[0])
        else:
            remembered = self.settings.get("practitioners", {}).get(str(self.store.path))
            current = self.practitioner_id if ask else remembered
            self.push_screen(PickPractitioner(practitioners, current), self._practitioner_chosen)

    def _practitioner_chosen(self, practitioner_id: int | None) -> None:
        from . import config
        from .screens.home import HomeScreen

        if practitioner_id is None:
            return
        self.practitioner_id = practitioner_id
        remembered = dict(self.settings.get("practitioners") or {})
        if remembered.get(str(self.store.path)) != practitioner_id:
            remembered[str(self.store.path)] = practitioner_id
            self.settings["practitioners"] = remembered
            config.update({"practitioners": remembered}, self.config_path)
        homes = [s for s in self.screen_stack if isinstance(s, HomeScreen)]
        if homes:
            homes[0].refresh_all()
        else:
            self.push_screen(HomeScreen())
        self._repaint_soon()

    def action_switch_practitioner(self) -> None:
        if self.store is not None:
            self.choose_practitioner(ask=True)

    def outcome_screen(self, module: str, name: str, patient_id: int | None) -> Any:
        """One of the outcome screens, imported only now (charts are heavy to load).

        Returns None, after saying so, when that screen is not part of this build.
        """
        import importlib

        full = f"{__package__}.screens.{module}"
        try:
            screen_class = getattr(importlib.import_module(full), name)
        except (ImportError, AttributeError):
            self.notify(
                f"The {module.replace('_', ' ')} screen is not available in this build.",
                severity="warning",
                timeout=4,
            )
            return None
        return screen_class() if patient_id is None else screen_class(patient_id)

    def action_compare(self) -> None:
        if self.store is None:
            return
        screen = self.outcome_screen("compare", "CompareScreen", None)
        if screen is not None:
            self.push_screen(screen)


def run(db_path: str | None) -> None:
    """Run the app on the database at ``db_path`` (None: the default place)."""
    app = SessionlogApp(db_path=db_path)
    app.run()
    if app.return_code:
        raise SystemExit(app.return_code)
