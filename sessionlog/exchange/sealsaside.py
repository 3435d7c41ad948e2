"""The record seals of a large export read aside, in a second process, while this one
reads the rest of the file.

The seals are the file's last table and its longest (1.2 million lines at 100,000
sessions, about a fifth of the reading). A child forked as the reading starts finds
their header line (``"record_seal":[`` on a line of its own, as ``sessionlog export``
writes it), reads the seals after it with the reader's own code (:func:`read`, from
``rowlines.py``) and hands them back packed (arrays: a few bytes a seal) with where
they end. When this process reaches the same header (the same byte in the file), it
takes them and goes on after them. In every other case (no such line, a line break
the reader would read otherwise, a seal the reader would refuse or word, a child that
failed) it reads the seals itself, as before: the child only ever saves time.
"""

from __future__ import annotations

import io
import mmap
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from .aside import Aside, can_fork, fork

HEADER = b'\n"record_seal":[\n'
MIN_BYTES = 8 << 20  # a smaller file: its seals are read in less time than a fork takes

# (the file from the seals' first line) -> (seals, comma after them, lines read)
Read = Callable[[TextIO], tuple[Any, bool, int]]


class SealsAside(Aside):
    """The child reading a file's seals."""

    @classmethod
    def start(cls, path: Path, read: Read) -> SealsAside | None:  # type: ignore[override]
        """Fork the child over the file at ``path``; None when not worth it or not
        possible (a small file, no fork, or another thread whose locks a fork would copy)."""
        try:
            size = path.stat().st_size
        except OSError:
            return None
        if size < MIN_BYTES or not can_fork():
            return None

        def answer() -> bytes:
            return pickle.dumps(_read_aside(path, read), protocol=pickle.HIGHEST_PROTOCOL)

        return cls(*fork(answer))

    def take(self, at: int) -> tuple[Any, bool, int, int] | None:
        """The seals read aside if they start at byte ``at`` of the file (where this
        process found their header): (seals, comma after them, lines read, the byte
        after their closing line); None when this process must read them itself."""
        with os.fdopen(self.fd, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        if status != 0 or not data:
            return None
        answer = pickle.loads(data)  # noqa: S301 (our own child's, through our own pipe)
        if answer is None or answer[0] != at:
            return None
        _, seals, more, lines, end = answer
        return seals, more, lines, end


def _read_aside(path: Path, read: Read) -> tuple[int, Any, bool, int, int] | None:
    """(The child) (where the seals start, seals, comma, lines, where they end), or
    None when this process should read them itself."""
    with path.open("rb") as raw:
        with mmap.mmap(raw.fileno(), 0, access=mmap.ACCESS_READ) as whole:
            found = whole.find(HEADER)
            if found < 0:
                return None
            start = found + len(HEADER)
            raw.seek(start)
            # Decoded as the reader decodes (UTF-8, universal line breaks), from a line's start.
            fh = io.TextIOWrapper(raw, encoding="utf-8")
            try:
                seals, more, lines = read(fh)
                end = fh.tell()
            finally:
                fh.detach()
            # A carriage return might end a line otherwise than at "\n" for the reader
            # (whose position there says more than a byte): none, or read in place.
            if not start < end <= len(whole) or whole.find(b"\r", start, end) >= 0:
                return None
            return start, seals, more, lines, end
