"""Opening the database while Textual starts: on a thread, joined when a screen needs it.

Plain functions of the app (``tui/app.py`` keeps the methods that call them). The
database opens on a thread from the moment the app runs, while Textual sets up the
terminal and builds the first screen: the two overlap. The connection is made for use
from any thread (check_same_thread=False) and is only used from the main thread once
:func:`take_opened` has joined the thread. A database that cannot be opened (or only
read) ends the app with one line before the first screen is shown.
"""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .app import SessionlogApp


def start_opening(app: SessionlogApp) -> None:
    """Start the opening thread (once; not when the caller gave a store)."""
    if app.store is None and app._opener is None:
        # The opener lets go of the interpreter lock at every file read and SQLite
        # call, and the busy main thread handed it back only every 5 ms (Python's
        # switch interval): the opening took ~45 ms instead of ~13 and the home
        # screen waited for it. A short interval while it opens; open_store puts the
        # usual one back.
        sys.setswitchinterval(0.0002)
        app._opener = threading.Thread(target=app._open_store, daemon=True)
        app._opener.start()


def open_store(app: SessionlogApp) -> None:
    """What the opening thread does: the store opened (``app._opened``) and, started
    signed in, its audit chain checked; or why not (``app.startup_error``)."""
    from ..errors import DatabaseError

    try:
        from ..store import Store

        opened = Store.open(app.db_path, app.clock)
        if opened.read_only:  # every save would fail: say so before any typing
            opened.close()
            raise DatabaseError(
                f"{opened.path} is read-only: the app opens only a database it can"
                " save into. Make the file writable (or copy it where it can be"
                " written, and open the copy); `sessionlog check` reads it as it is."
            )
        app._opened = opened
        if app.signed_in_at_start:  # the home screen's first frame shows its banner
            app.chain_warning = opened.chain_alarm()  # on this thread: off the frame
            app._chain_checked = True
    except DatabaseError as exc:
        app.startup_error = str(exc)
    finally:
        sys.setswitchinterval(app._switch_interval)


def take_opened(app: SessionlogApp) -> bool:
    """Wait for the opening thread and take its store (a store given by the caller is
    taken as it is); False, the app ending with the reason, when it could not open."""
    if app.store is None:
        assert app._opener is not None  # started by run() or on_load()
        app._opener.join()
        if app.startup_error is not None:
            app.exit(return_code=1, message=f"sessionlog: {app.startup_error}")
            return False
        app.store = app._opened
    if app.signed_in_at_start:
        app.check_chain()  # (a store given by the caller: tests)
    else:
        check_chain_before_writes(app)
    return True


def check_chain_before_writes(app: SessionlogApp) -> None:
    """Started on the sign-in screen: the audit chain's end is looked at after its first
    frame (the sign-in screen calls ``check_chain`` while the secret is typed; it shows
    nothing of it, the home screen's banner does), and at the latest before the first
    write (the sign-in's audit row), so the rows checked are the ones found at start."""
    store = app.store
    earlier = store.before_first_write

    def check() -> None:
        app.check_chain()
        if earlier is not None:
            earlier()

    store.before_first_write = check
