"""The start users get: ``sessionlog --db FILE`` typed at a terminal, timed from outside.

Each run is a real process on a fresh pseudo-terminal of 120x40, started as a shell
starts the installed command (the same script pip writes for ``sessionlog``), with its
own empty settings folder. The benchmark reads what the process writes to the
terminal and notes the moment a frame's words have arrived there:

- first frame: from just before the spawn until the sign-in screen's title and every
  practitioner's name have reached the terminal (what the user must act on);
- sign-in to Home: the secret is typed and Enter pressed (the keys written to the
  terminal as a user's are); from that Enter until the home screen's recent patients
  have reached the terminal, minus the secret's hash (scrypt, deliberately slow: timed
  on the same secret right after each run, in a fresh process as the app's first hash
  is, and subtracted);
- quit: Ctrl+Q written to the terminal on the home screen, until the process exited.

The baseline is a bare Textual app (``bare_app.py``: header, a table of twelve rows,
footer) started the same way on the same kind of terminal, alternately with ours.
Peers (``--peers``, never in CI): other Textual apps' first frames, started the same
way (``peers.py``).
"""

from __future__ import annotations

import fcntl
import os
import re
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

COLS, LINES = 120, 40
TIMEOUT_S = 60.0
BARE_APP = Path(__file__).with_name("bare_app.py")
# What pip writes as the ``sessionlog`` console script (project.scripts in pyproject).
CONSOLE_SCRIPT = """#!{python}
import re
import sys
from sessionlog.cli import main
if __name__ == "__main__":
    sys.argv[0] = re.sub(r"(-script\\.pyw|\\.exe)?$", "", sys.argv[0])
    sys.exit(main())
"""
_ESCAPES = re.compile(  # CSI, OSC, DCS and two-byte escapes
    rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|P[^\x1b]*\x1b\\|[@-_])"
)


def screen_words(raw: bytes) -> str:
    """The text an app wrote to the terminal, escapes removed (words stay contiguous:
    Textual writes a cell's text in one run)."""
    return _ESCAPES.sub(b"", raw).decode("utf-8", "replace")


def spawn(
    argv: Sequence[str], env: dict[str, str], cwd: Path | None = None
) -> tuple[int, subprocess.Popen[bytes]]:
    """Start ``argv`` on a fresh COLS x LINES pseudo-terminal (its own session, as a
    terminal's shell starts a command); the terminal's side to read and type into."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLS, 0, 0))
    try:
        proc = subprocess.Popen(
            list(argv), stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd,
            start_new_session=True,
        )  # fmt: skip
    finally:
        os.close(slave)
    return master, proc


class Terminal:
    """One process on its own pseudo-terminal; what it writes is read as it arrives."""

    def __init__(self, argv: Sequence[str], env: dict[str, str], cwd: Path | None = None) -> None:
        self._raw = bytearray()
        self._lock = threading.Condition()
        self._closed = False
        self.began = time.monotonic()
        self.argv = list(argv)
        self.master, self.proc = spawn(argv, env, cwd)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                chunk = b""
            with self._lock:
                if not chunk:
                    self._closed = True
                    self._lock.notify_all()
                    return
                self._raw.extend(chunk)
                self._lock.notify_all()

    def wait_for(self, words: Sequence[str], since: int = 0) -> tuple[float, int]:
        """Wait until every one of ``words`` has reached the terminal after byte
        ``since``; the moment (monotonic) the last needed bytes were read, and the
        output's length then."""
        deadline = time.monotonic() + TIMEOUT_S
        with self._lock:
            while True:
                now = time.monotonic()
                text = screen_words(bytes(self._raw[since:]))
                if all(w in text for w in words):
                    return now, len(self._raw)
                if self._closed or now > deadline:
                    missing = [w for w in words if w not in text]
                    raise RuntimeError(
                        f"{self.argv[1] if len(self.argv) > 1 else self.argv[0]}:"
                        f" {missing} never reached the terminal; it last wrote:\n"
                        + last_words(bytes(self._raw))
                    )
                self._lock.wait(timeout=0.5)

    def size(self) -> int:
        with self._lock:
            return len(self._raw)

    def wait_output(self, since: int) -> None:
        """Wait until the app writes anything after byte ``since``."""
        deadline = time.monotonic() + TIMEOUT_S
        with self._lock:
            while len(self._raw) <= since and not self._closed:
                if time.monotonic() > deadline:
                    raise RuntimeError("the app wrote nothing after a key")
                self._lock.wait(timeout=0.5)

    def quiet(self, since: int, for_s: float = 0.2) -> None:
        """Wait until the app has written nothing for ``for_s`` seconds."""
        with self._lock:
            while True:
                size = len(self._raw)
                self._lock.wait(timeout=for_s)
                if len(self._raw) == size or self._closed:
                    return

    def type(self, keys: str) -> float:
        """Write ``keys`` as a user's typing; the moment they were written."""
        os.write(self.master, keys.encode())
        return time.monotonic()

    def wait_exit(self) -> float:
        """Wait for the process to end (killed after the time-out); the moment it ended."""
        timer = threading.Timer(TIMEOUT_S, self.proc.kill)
        timer.start()
        try:
            _, status = os.waitpid(self.proc.pid, 0)
            ended = time.monotonic()
        finally:
            timer.cancel()
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        return ended

    def close(self) -> None:
        if self.proc.returncode is None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(timeout=2)
        try:
            os.close(self.master)
        except OSError:
            pass


def last_words(raw: bytes) -> str:
    text = screen_words(raw).replace("\r", "\n")
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    return "\n".join(lines[-12:]) or "(nothing)"


def base_env(home: Path) -> dict[str, str]:
    """A terminal's environment with its own empty settings and data folders."""
    for sub in ("config", "data", "cache"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST", "TEXTUAL", "SESSIONLOG_", "PYTHONDONTWRITEBYTECODE"))
    }
    return env | {
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "COLUMNS": str(COLS),
        "LINES": str(LINES),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }


@dataclass
class FirstFrame:
    """One start of an app: when its first frame's words reached the terminal."""

    first_frame: float  # seconds from spawn
    quit: float = 0.0  # seconds from Ctrl+Q to exit
    sign_in_to_home: float = 0.0  # seconds from Enter to Home, scrypt subtracted
    scrypt: float = 0.0  # the hash subtracted
    extra: dict[str, float] = field(default_factory=dict)


def start_bare(home: Path) -> FirstFrame:
    """The bare Textual app, started as ours is; quit from its first frame."""
    term = Terminal([sys.executable, str(BARE_APP)], base_env(home))
    try:
        at, _ = term.wait_for(["Patient 12", "Last visit"])
        pressed = term.type("\x11")  # Ctrl+Q
        ended = term.wait_exit()
        return FirstFrame(first_frame=at - term.began, quit=ended - pressed)
    finally:
        term.close()


@dataclass(frozen=True)
class UserPath:
    """What a user of ``db`` sees and types: who signs in and which words prove a screen."""

    script: Path  # the ``sessionlog`` console script
    db: Path
    root: Path  # on PYTHONPATH: the checkout being measured
    sign_in_words: tuple[str, ...]  # the sign-in screen's title and the practitioners
    secret_placeholder: str  # the secret field's, as it shows when empty
    secret: str  # the first listed practitioner's (the list starts on them)
    home_words: tuple[str, ...]  # recent patients on the home screen
    hash_secret: object  # () -> seconds: the hash sign-in computes, timed as its first


def console_script(folder: Path) -> Path:
    """The ``sessionlog`` command as pip installs it, for this interpreter."""
    path = folder / "sessionlog"
    path.write_text(CONSOLE_SCRIPT.format(python=sys.executable), encoding="utf-8")
    path.chmod(0o755)
    return path


def start_sessionlog(user: UserPath, home: Path) -> FirstFrame:
    """``sessionlog --db FILE`` as typed: first frame, sign-in to Home, then quit."""
    env = base_env(home)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(user.root), env.get("PYTHONPATH")]))
    term = Terminal([str(user.script), "--db", str(user.db)], env, cwd=home)
    try:
        at, seen = term.wait_for(user.sign_in_words)
        first = at - term.began
        term.quiet(since=seen)  # the first frame is complete, nothing else to paint
        term.type("\r")  # Enter on the list: to the secret field
        mark = term.size()
        # The field takes the focus in a message after the key, and the list's cursor
        # row repaints (no longer focused): keys typed before that would go to the list.
        term.wait_output(since=mark)
        typed = mark
        for i, key in enumerate(user.secret, start=1):  # each key seen in the field
            term.type(key)
            _, typed = term.wait_for(["\u2022" * i], since=mark)
        entered = term.type("\r")
        home_at, _ = term.wait_for(user.home_words, since=typed)
        pressed = term.type("\x11")
        ended = term.wait_exit()
    finally:
        term.close()
    scrypt = user.hash_secret()  # type: ignore[operator]
    return FirstFrame(
        first_frame=first,
        quit=ended - pressed,
        sign_in_to_home=max(0.0, home_at - entered - scrypt),
        scrypt=scrypt,
    )
