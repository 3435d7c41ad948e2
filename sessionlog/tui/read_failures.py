"""A read of the database that fails while the app runs: one line, and the app goes on.

A file can turn bad under a running app (a failing disk, a stray write, a file copied
over it): the next screen, search or list then meets SQLite's "database disk image is
malformed" or a disk I/O error. Textual's answer to an exception in a handler is to
stop the widget whose handler raised (its message loop ends) or the whole app, and to
print the traceback, which shows the values in the frames: patient names, pain scores.

Here a failed read is caught where Textual dispatches a message (every widget's and
screen's handlers, compose and mount) and where it reports any other exception
(timers, callbacks, workers): :meth:`SessionlogApp.store_failed` shows the one line
(``store.file.failures.read_failed``: what is wrong, what to do) and every widget goes on
working. Anything that is not a failed read still ends the app as before.

Textual gives no public hook for this, so its dispatch method is wrapped once (Textual
is pinned to one version; tests/tui/test_read_failures.py breaks if that changes). The
wrapper acts only inside a sessionlog app and only on SQLite's errors.
"""

from __future__ import annotations

from typing import Any

from textual._context import active_app
from textual.message_pump import MessagePump
from textual.worker import WorkerFailed

from ..store import read_failed


def failure_line(error: BaseException) -> str | None:
    """The one line for ``error`` when it is a failed read of the database, else None."""
    if isinstance(error, WorkerFailed):
        error = error.error
    found = read_failed(error)
    return None if found is None else str(found)


def _said(error: Exception) -> bool:
    """Whether the running sessionlog app took ``error`` as a failed read."""
    line = failure_line(error)
    app: Any = active_app.get(None)
    if line is None or not hasattr(app, "store_failed"):
        return False
    app.store_failed(line)
    return True


def install() -> None:
    """Wrap Textual's message dispatch (once): a failed read no longer stops a widget."""
    if getattr(MessagePump._dispatch_message, "_sessionlog", False):
        return
    dispatch = MessagePump._dispatch_message

    async def guarded(self: MessagePump, message: Any) -> None:
        try:
            await dispatch(self, message)
        except Exception as error:
            if not _said(error):
                raise

    guarded._sessionlog = True  # type: ignore[attr-defined]
    MessagePump._dispatch_message = guarded  # type: ignore[method-assign]
