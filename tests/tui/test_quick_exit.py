"""The terminal driver's input thread ends without sleeping (quick_exit.py).

No timing: the stdlib's select()-based selector with nothing registered waits for its
whole timeout (forever, with none), which is what made every quit wait; ours returns
at once, and still reports a descriptor that is ready.
"""

from __future__ import annotations

import os
import selectors
import sys

import pytest

from sessionlog.tui.quick_exit import QuickExitDriver, QuickExitSelector


def test_nothing_to_watch_returns_at_once_even_without_a_timeout() -> None:
    with QuickExitSelector() as selector:
        assert selector.select(timeout=None) == []  # the stdlib's would block forever


def test_a_ready_descriptor_is_still_reported() -> None:
    read, write = os.pipe()
    try:
        os.write(write, b"x")
        with QuickExitSelector() as selector:
            selector.register(read, selectors.EVENT_READ)
            events = selector.select(timeout=None)
            assert [(key.fd, mask) for key, mask in events] == [(read, selectors.EVENT_READ)]
    finally:
        os.close(read)
        os.close(write)


@pytest.mark.skipif(sys.platform == "win32", reason="the Linux driver")
def test_the_app_runs_on_the_quick_exit_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    from textual import constants

    from sessionlog.tui.app import SessionlogApp

    monkeypatch.setattr(constants, "DRIVER", None)  # no driver forced from outside
    app = SessionlogApp(db_path=":memory:")
    assert app.get_driver_class() is QuickExitDriver
