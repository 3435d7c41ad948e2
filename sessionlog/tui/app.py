"""The sessionlog terminal app: the store and the clock come in, screens come and go.

Nobody sees a patient before signing in: the app's first screen is the sign-in screen
(:mod:`.screens.sign_in`), and the home screen reads no patient until a practitioner
has given their secret (its widgets are built, empty and unseen, while the first secret
is typed; Enter fills and shows it). It locks (Ctrl+L, or after ``idle_lock_minutes`` without a key,
5 by default, in the settings file) by covering every screen with the sign-in screen
of the same practitioner. ``SessionlogApp(store, practitioner_id=N)`` starts signed in
as N on the home screen: for tests and benchmarks, never reachable by a user.

Start-up is kept close to a bare Textual app: the first screen is the app's first
screen (nothing is swapped out after the first frame), the database is opened on a
thread from the moment the app runs, the first frame is styled with the home screen's
rules alone (app.tcss; screens.tcss comes with the first other screen or form), and
whatever the home screen does not show (the other screens, the new-patient form,
sqlite-utils, the charts, the domain's dataclasses) loads when first used. Tests
inject a store, a clock and a practitioner.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.command import Provider
from textual.screen import Screen

from . import opening, sign_in_flow
from .key_order import KeyOrder

if TYPE_CHECKING:
    from textual.driver import Driver

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
        Binding("ctrl+l", "lock", "Lock", id="app.lock", show=False),
    ]
    IDLE_LOCK_MINUTES = 5.0  # default; the settings' "idle_lock_minutes" changes it
    IDLE_CHECK_S = 5.0  # how often the idle time is looked at
    SAVES_CHECK_S = 5.0  # how often Home looks for saves made elsewhere

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
        self.store: Store = store  # type: ignore[assignment]  # None until opened in on_mount
        self._owns_store = store is None  # opened here, so closed here (a given one is not)
        self.db_path = db_path
        self.clock = clock
        self.practitioner_id = practitioner_id
        self.signed_in_at_start = practitioner_id is not None  # the code-only way in
        self.last_input: datetime | None = None  # the last key or click, by self.clock
        self._keys = KeyOrder(self)  # keys held while one may change the screen on top
        self.config_path = config_path
        self.settings: dict[str, Any] = {}
        self.keymap_problems: list[str] = []  # what of the settings file was not used
        self._saves_pending = False  # Home could not show every save made elsewhere yet
        self.startup_error: str | None = None  # why the database could not be opened
        # True once the store is open: the home screen fills its lists from then on
        # (see start() and HomeScreen.on_mount).
        self.started = False
        # A broken audit chain seen at start-up (store/integrity/alarm.py): the banner.
        self.chain_warning: str | None = None
        self._chain_checked = False
        # A read of the database that failed while running (tui/read_failures.py).
        self.store_failure: str | None = None
        # What a screen keeps between visits (compare's filters): screen name -> values.
        self.remembered: dict[str, dict[str, Any]] = {}
        self._gc_paused = False  # run() pauses garbage collection until the first frame
        self._screen_styles = False  # screens.tcss added (see load_screen_styles)
        self._opener: threading.Thread | None = None  # opens the database (no store given)
        self._opened: Store | None = None  # what it opened (tui/opening.py)
        self._switch_interval = sys.getswitchinterval()  # Python's, while the opener runs
        self._home: Any = None  # the home screen built while the first secret is typed

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """Run the app on the terminal (what ``sessionlog`` does; tests use run_test).

        Garbage collection is paused until the first frame is painted: start-up makes
        20,000-30,000 objects that live as long as the app, and little garbage, and
        the collector's passes over them (and over the ~45,000 objects loaded before)
        were 30-40 ms of a cold start. What is loaded by now (Python, Textual, this
        package) is also frozen, so later full collections do not walk it again.
        """
        self._start_opening()  # first thing: the database opens while Textual starts
        gc.freeze()
        self._gc_paused = gc.isenabled()
        gc.disable()
        try:
            return super().run(*args, **kwargs)
        finally:
            self._resume_gc()

    def pause_gc_until_painted(self, screen: Screen[Any]) -> None:
        """Garbage collection off until ``screen``'s next frame is painted, as for the
        first frame (see run()): Home after the sign-in makes thousands of objects that
        live on, and a collection over them was 7 ms of the 40 before its first frame."""
        if gc.isenabled():
            gc.disable()
            self._gc_paused = True
            screen.call_after_refresh(self._resume_gc)

    def _resume_gc(self) -> None:
        if self._gc_paused:
            self._gc_paused = False
            gc.enable()

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver, but on a Linux terminal the one whose input thread ends at
        once (``quick_exit.py``: a quit no longer waits 100-200 ms for it). Pastes are
        read whole and cleaned on a terminal and in a browser (``paste_parser.py``)."""
        driver = super().get_driver_class()
        if driver.__name__ == "LinuxDriver" and driver.__module__.startswith("textual."):
            from .quick_exit import QuickExitDriver

            return QuickExitDriver
        if driver.__module__ == "textual.drivers.web_driver":  # the browser's (serve)
            from .paste_parser import install

            install(sys.modules[driver.__module__])  # its pastes whole and cleaned too
        return driver

    def get_default_screen(self) -> Screen[Any]:
        """The sign-in screen is the first screen: its first frame is the app's first
        frame (the home screen when started signed in, ``practitioner_id`` given)."""
        if self.signed_in_at_start:
            from .screens.home import HomeScreen

            return HomeScreen()
        from .screens.sign_in import SignInScreen

        return SignInScreen("start")

    def load_screen_styles(self) -> None:
        """Add the rules of every screen and form but the home screen (screens.tcss), once.

        The first frame is styled with app.tcss alone: Textual parses every rule it
        has at start-up and checks each widget against them. Called before any other
        screen is shown (push_screen) or a form is mounted on the home screen; the new
        rules are parsed when the next widget is styled (Textual keeps the others).
        """
        if not self._screen_styles:
            self._screen_styles = True
            self.stylesheet.read(Path(__file__).with_name("screens.tcss"))

    def push_screen(self, screen: Any, *args: Any, **kwargs: Any) -> Any:
        self.load_screen_styles()
        return super().push_screen(screen, *args, **kwargs)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Over a locked screen (the patient view, the lock) no app-wide key works: not
        quit, not the command palette, not compare; the screen's own keys still do. Over
        a sign-in screen (and its dialogs) only quit does."""
        # Any such screen in the stack counts: a dialog over it (adding a practitioner)
        # must not open compare or the palette either.
        screens = self.screen_stack
        if action in ("focus_next", "focus_previous"):
            return True  # Tab and Shift+Tab (the screens' keys, run as the app's)
        if any(getattr(s, "LOCKED", False) for s in screens):
            return False
        if any(getattr(s, "SIGN_IN", False) for s in screens):
            return action == "quit"
        return True

    async def action_quit(self) -> None:
        """Quit (Ctrl+Q); a form with unsaved changes asks first, as leaving it does."""
        unsaved = [s for s in self.screen_stack if getattr(s, "dirty", False)]
        if not unsaved:
            # Nothing to ask: quit without importing the dialogs.
            self.exit()
            return
        from .screens.modals import ConfirmDiscard

        if isinstance(self.screen, ConfirmDiscard):
            return  # already asking
        what = getattr(unsaved[-1], "UNSAVED", "this session")  # the form's own words

        def answer(discard: bool | None) -> None:
            if discard:
                self.exit()

        self.push_screen(ConfirmDiscard(what, leave="Quit sessionlog and leave"), answer)

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

    def action_help_quit(self) -> None:
        """Ctrl+C: say how to quit, in plain text (Textual's own message is markup,
        which notify() above shows as typed: "Press [b]ctrl+q[/b] to quit")."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(f"Press {key} to quit the app", title="Do you want to quit?")
                return

    def _start_opening(self) -> None:
        opening.start_opening(self)  # the database opens on a thread: tui/opening.py

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown,
                              events.MouseScrollUp, events.Paste)):  # fmt: skip
            self.last_input = self.clock()  # the idle lock counts from the last input
        if isinstance(event, events.Paste) and not event.is_forwarded:
            # A paste is cleaned as the CLI cleans its arguments (escape sequences and
            # control characters removed whole), so "AAA <ESC>[31mBBB" arrives in order
            # as "AAA BBB", in the search, the notes and every other field.
            from ..domain.text import clean_text

            text = clean_text(event.text, multiline=True)
            if text != event.text:
                event = events.Paste(text)
        if isinstance(event, events.Key) and not event.is_forwarded:
            await self._keys.key(event, super().on_event)  # in order: tui/key_order.py
            return
        await super().on_event(event)

    async def _check_bindings(self, key: str, priority: bool = False) -> bool:
        found = await super()._check_bindings(key, priority)
        self._keys.binding_checked(key, found, priority)
        return found

    def on_load(self) -> None:
        from . import read_failures

        read_failures.install()  # a failed read is a line, not a stopped screen
        self._start_opening()  # run_test and other ways in that skip run()

    def _handle_exception(self, error: Exception) -> None:
        """A failed read of the database in a timer, a callback or a worker: one line
        (tui/read_failures.py); anything else ends the app, as Textual does."""
        from .read_failures import failure_line

        line = failure_line(error)
        if line is None:
            super()._handle_exception(error)
        else:
            self.store_failed(line)

    def _fatal_error(self) -> None:
        """Textual's crash report, without the locals of each frame: they can hold a
        patient's notes or a practitioner's secret hash and salt, printed to the
        terminal (and its scroll-back) for anyone to read. Textual has no setting for
        this, so its method is repeated here with ``show_locals=False``."""
        import rich
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None, suppress=[rich])
        self._exit_renderables.append(
            Segments(self.console.render(traceback, self.console.options))
        )
        self._close_messages_no_wait()

    def store_failed(self, line: str) -> None:
        """Say once (a notice, and the home screen's banner) that the database could
        not be read, and what to do; the screens stay as they are."""
        if line == self.store_failure:
            return
        self.store_failure = line
        self.notify(line, title="Database", severity="error", timeout=30)
        from .screens.home import HomeScreen

        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen) and screen.ready:
                screen.show_banner()

    def on_mount(self) -> None:
        self._apply_settings()  # the keys and theme the home screen is built with
        self.call_after_refresh(self._resume_gc)  # once the first frame is painted
        self.last_input = self.clock()
        self.set_interval(self.IDLE_CHECK_S, self.lock_if_idle)
        self.set_interval(self.SAVES_CHECK_S, self.show_saves_elsewhere)

    def on_unmount(self) -> None:
        # Close the database the app opened, explicitly: the last connection to close
        # checkpoints the write-ahead log into the file and removes it. (Not left to
        # the garbage collector at exit: run() froze the app object, so it is never
        # collected, and nothing else would close the connection.)
        if self._owns_store and self.store is not None:
            self.store.close()

    def _open_store(self) -> None:
        """What the opening thread runs (tui/opening.py)."""
        opening.open_store(self)

    def _apply_settings(self) -> None:
        from . import config

        self.settings, unreadable = config.read(self.config_path)
        wanted, problems = config.keymap(self.settings)
        if wanted:
            keymap, refused = config.checked_keymap(wanted, config.binding_keys())
            self.set_keymap(keymap)
            problems += refused
        self.keymap_problems = [unreadable, *problems] if unreadable else problems
        for problem in self.keymap_problems:
            self.notify(problem, severity="warning", timeout=30, markup=False)
        if self.settings.get("theme") in self.available_themes:
            self.theme = self.settings["theme"]
        self.theme_changed_signal.subscribe(self, self._remember_theme)

    def check_chain(self) -> None:
        """Look at the end of the audit chain once (``Store.chain_alarm``, 3-4 ms): the
        home screen's banner (``chain_warning``). Started signed in, the opening thread
        does it; from the sign-in screen, after its first frame (tui/opening.py)."""
        if not self._chain_checked and self.store is not None:
            self._chain_checked = True
            self.chain_warning = self.store.chain_alarm()

    def start(self) -> None:
        """Take the opened store (unless given); started signed in, fill the home screen.

        The first screen calls this once it is built, before its first frame is
        painted: the database opens on a thread while Textual starts and builds the
        screen, and is waited for only when the screen needs it.
        """
        if not opening.take_opened(self):
            return
        self.started = True
        if self.signed_in_at_start and self.practitioner_id is not None:
            self._practitioner_chosen(self.practitioner_id)

    def _repaint_soon(self) -> None:
        # Screens pushed or popped from start-up code and dismiss callbacks were not
        # painted on a real terminal until the next key press: ask for a frame. Only
        # where a dialog comes or goes: the timer's relayout delays the first frame.
        self.set_timer(0.05, self._repaint)

    def _repaint(self) -> None:
        if self.screen_stack:  # none while the app is closing (a lock just before)
            self.screen.refresh(layout=True)

    def _remember_theme(self, theme: Any) -> None:
        from . import config

        config.update({"theme": theme.name}, self.config_path)

    # -- who is signed in: tui/sign_in_flow.py ------------------------------------------

    def remembered_practitioner(self) -> int | None:
        """Who signed in last on this machine to this database (highlighted at sign-in)."""
        return sign_in_flow.remembered_practitioner(self)

    def signed_in(self, practitioner_id: int, screen: Any) -> None:
        """``screen`` (a sign-in screen) took ``practitioner_id``'s secret: carry on as them."""
        sign_in_flow.signed_in(self, practitioner_id, screen)

    def prepare_home(self) -> None:
        """Build the home screen, empty, while the first secret is typed."""
        sign_in_flow.prepare_home(self)

    def _practitioner_chosen(self, practitioner_id: int) -> None:
        sign_in_flow.practitioner_chosen(self, practitioner_id)

    def action_switch_practitioner(self) -> None:
        """F2: another practitioner signs in (with their secret); Escape goes back."""
        sign_in_flow.switch_practitioner(self)

    def idle_lock_seconds(self) -> float:
        """After how long without a key the app locks (the settings' ``idle_lock_minutes``)."""
        return sign_in_flow.idle_lock_seconds(self)

    def show_saves_elsewhere(self) -> bool:
        """Refill Home, when it is the screen shown, if another workstation or the
        command line saved since it was filled (whether it did)."""
        if self._exit or not self.is_running or not self.screen_stack:
            return False  # closing (exit asked, or shutting down): Home's lists may be gone
        show = getattr(self.screen, "show_saves_elsewhere", None)
        if not self.started or self.store is None or self.store_failure or show is None:
            return False
        if not self.store.changed_elsewhere() and not self._saves_pending:
            return False
        # (a list left as it was, its highlighted row gone, is asked for again later)
        self._saves_pending = not show()
        return True

    def lock_if_idle(self) -> bool:
        """Lock if nobody has pressed a key for the idle time (by ``self.clock``)."""
        return sign_in_flow.lock_if_idle(self)

    def lock(self) -> bool:
        """Cover every screen with the signed-in practitioner's sign-in (if not already)."""
        return sign_in_flow.lock(self)

    def action_lock(self) -> None:
        """Ctrl+L: lock now."""
        self.lock()

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
