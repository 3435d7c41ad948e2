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


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal")
def test_the_app_ends_when_its_terminal_goes_away(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # A terminal closed without a hangup signal reaching the app (its window closed
    # under a multiplexer or a harness that does not send one): the input thread read
    # end-of-file again and again, and the app stayed, a core at 60-70% and its
    # database open, until killed. It now quits as if Ctrl+Q were pressed with nothing
    # to ask, and closes its database.
    import fcntl
    import select
    import struct
    import subprocess
    import termios

    db = tmp_path / "clinic.db"
    main, side = os.openpty()
    fcntl.ioctl(side, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "SESSIONLOG_CONFIG": str(tmp_path / "t.json")}
    app = subprocess.Popen(
        [sys.executable, "-m", "sessionlog", "--db", str(db)],
        stdin=side,
        stdout=side,
        stderr=side,  # where Textual draws
        env=env,
        start_new_session=True,  # the terminal is not its controlling one: no SIGHUP
    )
    os.close(side)
    shown = b""
    try:
        try:
            while b"\x1b[?1049h" not in shown:  # the app took the screen: it reads its keys
                ready, _, _ = select.select([main], [], [], 60)
                assert ready, "the app drew nothing in 60 s"
                shown += os.read(main, 65536)
        finally:
            os.close(main)  # the terminal goes away
        app.wait(timeout=60)
    finally:
        app.kill()  # whatever happened above: no app left running
    assert app.returncode == 0
    assert not db.with_name("clinic.db-wal").exists()  # the database was closed
