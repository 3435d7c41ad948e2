"""What a failed write means, in plain words: SQLite's and the system's errors turned
into one :class:`~sessionlog.errors.WriteFailed` line a clinician can act on.

The message never carries the record being written (a traceback printed the session:
patient, sites, pain into the terminal's scrollback).
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import sqlite3
from pathlib import Path

from ...errors import DatabaseError, WriteFailed
from .guard import RESTORE_HINT

LOW_SPACE = 1 << 20  # less free than this, and an I/O error is a full disk

# (words in SQLite's message or an errno, what it means, what to do)
_CAUSES: tuple[tuple[tuple[str, ...], int | None, str, str], ...] = (
    (("disk is full", "no space"), errno.ENOSPC, "the disk is full", "free space"),
    (
        ("readonly", "read-only", "read only"),
        errno.EROFS,
        "the database file is read-only",
        "make it writable (or open a copy that is)",
    ),
    (
        ("permission", "access"),
        errno.EACCES,
        "sessionlog may not write to the database file or its folder",
        "give it write permission",
    ),
    (
        ("disk i/o error", "i/o error"),
        errno.EIO,
        "the disk reported an error while saving",
        "check the disk (run `sessionlog check`; restore a backup if it is failing)",
    ),
    (
        ("locked", "busy"),
        None,
        "the database is busy (another sessionlog is saving or restoring)",
        "wait a moment",
    ),
)


def _disk_full(path: str | None) -> bool:
    if not path or path == ":memory:":
        return False
    try:
        return shutil.disk_usage(Path(path).expanduser().parent).free < LOW_SPACE
    except OSError:
        return False


def _cause(exc: BaseException, path: str | None) -> tuple[str, str] | None:
    text = str(exc).lower()
    number = getattr(exc, "errno", None)
    if ("i/o" in text or number == errno.EIO) and _disk_full(path):
        return _CAUSES[0][2], _CAUSES[0][3]  # SQLite's shared memory fails as an I/O error
    for words, code, reason, remedy in _CAUSES:
        if any(w in text for w in words) or (code is not None and number == code):
            return reason, remedy
    return None


def write_failed(exc: BaseException, path: str | None = None) -> WriteFailed:
    """The :class:`WriteFailed` for ``exc`` (an ``sqlite3.Error`` or an ``OSError``)
    raised while writing to the database at ``path``."""
    found = _cause(exc, path)
    if found:
        return WriteFailed(*found)
    kind = "the database" if isinstance(exc, sqlite3.Error) else "the system"
    return WriteFailed(
        f"{kind} refused the write ({type(exc).__name__}: {exc})", "run `sessionlog check`"
    )


def _read_only_place(path: str) -> bool:
    """Whether the file at ``path``, or its folder, cannot be written (a read-only disk:
    SQLite then says only "unable to open database file", as it cannot make the -shm)."""
    file = Path(path).expanduser()
    try:
        if os.statvfs(file.parent).f_flag & os.ST_RDONLY:
            return True
    except OSError:
        return False
    return not os.access(file.parent, os.W_OK) or (file.exists() and not os.access(file, os.W_OK))


def open_failed(exc: BaseException, path: str) -> DatabaseError:
    """Why the database at ``path`` could not be opened, and what to do, in one line."""
    found = _cause(exc, path)
    if found is None and path != ":memory:" and _read_only_place(path):
        found = _CAUSES[1][2], _CAUSES[1][3]
    if found is None:
        return DatabaseError(f"{path}: cannot be opened ({exc})")
    reason, remedy = found
    if "busy" in reason:
        return DatabaseError(
            f"{path} is held by another sessionlog (a restore or a long import):"
            " nothing was done; try again in a moment"
        )
    return DatabaseError(f"{path} cannot be opened: {reason}; {remedy} and run again")


DAMAGE_WORDS = ("malformed", "not a database", "corrupt")


def damaged(exc: BaseException) -> DatabaseError | None:
    """A :class:`DatabaseError` with the restore hint when ``exc`` says the file is
    damaged (SQLite's "database disk image is malformed"), else ``None``."""
    if not any(w in str(exc).lower() for w in DAMAGE_WORDS):
        return None
    return DatabaseError(f"the database file is damaged (SQLite: {exc}). {RESTORE_HINT}")


_NOT_UTF8 = re.compile(r"Could not decode to UTF-8 column '(\w+)'")


def not_utf8(exc: BaseException) -> DatabaseError | None:
    """The line for a record's text that is not valid UTF-8 (Python's sqlite3 refuses
    to read it), naming the column but never the text; else ``None``."""
    text = str(exc)
    if not text.startswith("Could not decode to UTF-8"):
        return None
    match = _NOT_UTF8.match(text)
    what = f"a record's {match.group(1)}" if match else "a record"
    return DatabaseError(
        f"{what} holds text that is not valid UTF-8 (a disk fault, or an edit outside"
        " sessionlog): run `sessionlog check` to see which row; `sessionlog backup` still"
        " copies the file"
    )


def database_error(exc: BaseException) -> DatabaseError:
    """Any SQLite error that reached a command, as one line with what to do."""
    found = damaged(exc) or not_utf8(exc)
    if found is not None:
        return found
    cause = _cause(exc, None)
    if cause is not None:
        return DatabaseError(f"{cause[0]}: {cause[1]} and run the command again")
    return DatabaseError(f"the database refused this ({exc}); run `sessionlog check`")


def read_failed(exc: BaseException) -> DatabaseError | None:
    """A failed read of the database (damaged pages, a disk error, a lock held too long),
    or a write no form caught (a full disk), as one line with what to do; ``None`` when
    ``exc`` is not SQLite's. The line never carries a value read or asked for."""
    if not isinstance(exc, sqlite3.Error):
        return None
    found = damaged(exc)
    if found is not None:
        return DatabaseError(f"The database could not be read: {found}")
    found = not_utf8(exc)
    if found is not None:
        return DatabaseError(f"The database could not be read: {found}.")
    cause = _cause(exc, None)
    if cause is None:
        return DatabaseError(
            f"The database could not be read ({type(exc).__name__}); run `sessionlog check`."
            f" {RESTORE_HINT}"
        )
    reason, remedy = cause
    if cause[0] in (c[2] for c in _CAUSES[:3]):  # full, read-only: only a write meets these
        return DatabaseError(str(WriteFailed(reason, remedy)))
    return DatabaseError(
        f"The database could not be read: {reason.replace('while saving', 'while reading')};"
        f" {remedy}"
    )
