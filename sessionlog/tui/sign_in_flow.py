"""Who is signed in: the sign-in taken, remembered for this database, the lock and F2.

Plain functions of the app (``tui/app.py`` keeps one-line methods that call them, the
names screens and tests use). The screens themselves are ``screens/sign_in.py``: this
module decides what follows a sign-in (the home screen, built empty while the first
secret is typed, is filled and shown after it; a lock or a switch uncovers the screens
as they were), when the app locks (Ctrl+L, or
after the settings' ``idle_lock_minutes`` without a key), and who is highlighted at the
next sign-in (the last one to sign in to this database on this machine).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import SessionlogApp


def database_key(app: SessionlogApp) -> str:
    """This database as the settings remember it: its whole resolved path (a path as
    typed, ``demo.db``, would be another folder's database from another folder)."""
    path = str(app.store.path)
    return path if path == ":memory:" else os.path.realpath(path)


def remembered_practitioner(app: SessionlogApp) -> int | None:
    """Who signed in last on this machine to this database (highlighted at sign-in)."""
    remembered = app.settings.get("practitioners", {})
    value = remembered.get(database_key(app)) if isinstance(remembered, dict) else None
    return value if isinstance(value, int) else None


def signed_in(app: SessionlogApp, practitioner_id: int, screen: Any) -> None:
    """``screen`` (a sign-in screen) took ``practitioner_id``'s secret: carry on as them.

    From the first screen, the home screen (built while the secret was typed, else now)
    is filled and replaces it; from a lock or a switch, the screens under it come back
    as they were.
    """
    if screen.mode != "start":
        practitioner_chosen(app, practitioner_id)
        app.last_input = app.clock()
        screen.dismiss()
        app._repaint_soon()
        return
    from .screens.home import HomeScreen

    home, app._home = app._home or HomeScreen(), None
    app.pause_gc_until_painted(home)
    practitioner_chosen(app, practitioner_id)
    app.last_input = app.clock()
    # The first screen was not pushed, so it has no result callback for
    # switch_screen to drop (Textual's switch_screen pushes one for the next).
    screen._push_result_callback(app, None)
    app.switch_screen(home)
    if home.ready:  # built while the secret was typed: filled now (else when mounted)
        home.refresh_all()
    app._repaint_soon()


def prepare_home(app: SessionlogApp) -> None:
    """Build the home screen's widgets while the first secret is typed, not shown and
    empty: it reads no patient until a practitioner has signed in (:func:`signed_in`
    fills it then)."""
    if app._home is None and app.practitioner_id is None:
        from .screens.home import HomeScreen

        app._home = HomeScreen()
        app._register(app, app._home)  # composed and mounted now (Textual's _get_screen)


def practitioner_chosen(app: SessionlogApp, practitioner_id: int) -> None:
    """``practitioner_id`` is the one signed in: remembered in the settings for this
    database, and the home screen (once built) refilled for them."""
    from . import config

    app.practitioner_id = practitioner_id
    remembered = dict(app.settings.get("practitioners") or {})
    key = database_key(app)
    if remembered.get(key) != practitioner_id:
        remembered[key] = practitioner_id
        app.settings["practitioners"] = remembered
        config.update({"practitioners": remembered}, app.config_path)
    refresh_home(app)


def refresh_home(app: SessionlogApp) -> None:
    """Refill the home screen's lists, once it has been built (else it fills itself)."""
    from .screens.home import HomeScreen

    for screen in app.screen_stack:
        if isinstance(screen, HomeScreen) and screen.ready:
            screen.refresh_all()


def switch_practitioner(app: SessionlogApp) -> None:
    """F2: another practitioner signs in (with their secret); Escape goes back."""
    if app.store is not None and app.practitioner_id is not None:
        from .screens.sign_in import SignInScreen

        app.push_screen(SignInScreen("switch", app.practitioner_id))


def idle_lock_seconds(app: SessionlogApp) -> float:
    """After how long without a key the app locks: the settings' ``idle_lock_minutes``
    (a number above 0), else the app's ``IDLE_LOCK_MINUTES``."""
    minutes = app.settings.get("idle_lock_minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int | float) or minutes <= 0:
        minutes = app.IDLE_LOCK_MINUTES
    return float(minutes) * 60


def lock_if_idle(app: SessionlogApp) -> bool:
    """Lock if nobody has pressed a key for the idle time (by the app's clock); runs
    every few seconds, and tests call it after moving their clock on."""
    if not app.screen_stack or app.last_input is None:
        return False  # closing, or not started
    if getattr(app.screen, "KIOSK", False):
        return False  # the patient view is a lock of its own; they may read on
    idle = (app.clock() - app.last_input).total_seconds()
    if idle < app.idle_lock_seconds():
        return False
    return lock(app)


def lock(app: SessionlogApp) -> bool:
    """Cover every screen with the signed-in practitioner's sign-in (unless nobody is
    signed in, or it is locked already). Whatever is open stays as it is, F2's
    switch screen included (Escape there would go back to the patients)."""
    if app.practitioner_id is None or app.store is None:
        return False
    from .screens.sign_in import SignInScreen

    if any(isinstance(s, SignInScreen) and s.mode != "switch" for s in app.screen_stack):
        return False  # signed out, or locked already (F2's screen is locked over)
    app.push_screen(SignInScreen("lock", app.practitioner_id))
    app._repaint_soon()
    return True
