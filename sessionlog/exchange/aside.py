"""A check of a large import run aside, in a second process, while the others run.

The file's audit log chain (a SHA-256 per row, ~1.5 s at 100,000 sessions) needs only
the audit rows, which are checked before the sessions: a forked child walks the chain
while this process checks the sessions. The child answers only whether the chain is
intact; when it is not (or the child fails), the chain is checked again here, so the
problems reported are the ones the check in place gives, word for word.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable

MIN_ROWS = 20_000  # fewer rows: the check costs less than a fork


def can_fork() -> bool:
    """Whether a child can be forked here: not without fork, nor with another thread
    running, whose locks a fork would copy."""
    return hasattr(os, "fork") and threading.active_count() == 1


def fork(answer: Callable[[], bytes]) -> tuple[int, int]:
    """Run ``answer`` in a forked child: (its pid, the pipe its bytes come through);
    the child exits 0 once they are written, 1 if ``answer`` failed."""
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child: seen through its answer)
        status = 1
        try:
            os.close(rfd)
            data = answer()
            with os.fdopen(wfd, "wb") as pipe:  # every byte, however many
                pipe.write(data)
            status = 0
        finally:
            os._exit(status)  # no cleanup: nothing of the parent's is the child's
    os.close(wfd)
    return pid, rfd


class Aside:
    """One check running in a forked child."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid, self.fd = pid, fd

    @classmethod
    def start(cls, check: Callable[[], bool], rows: int) -> Aside | None:
        """Run ``check`` (True: passed) in a child; None when not worth it or not
        possible (few rows, no fork, or another thread whose locks a fork would copy)."""
        if rows < MIN_ROWS or not can_fork():
            return None
        return cls(*fork(lambda: b"passed" if check() else b"failed"))

    def passed(self) -> bool:
        """Wait for the child: whether the check passed (False if the child failed)."""
        with os.fdopen(self.fd, "rb") as pipe:
            answer = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        return status == 0 and answer == b"passed"

    def close(self) -> None:
        """End the child if its answer was never asked for (the import stopped)."""
        if self.pid:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
            self.pid = 0
            with contextlib.suppress(OSError):
                os.close(self.fd)
