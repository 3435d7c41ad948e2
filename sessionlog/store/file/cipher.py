"""Encryption at rest (optional): a database opened with a passphrase, via SQLCipher.

With ``pip install 'sessionlog[encrypted]'`` (the ``sqlcipher3`` package) and a
passphrase in ``$SESSIONLOG_PASSPHRASE`` (the command line's ``--passphrase`` asks for
it and puts it there), a new database is created encrypted and an encrypted one is
opened. Without a passphrase, databases are plain SQLite files, as before.

A wrong passphrase gives a clear message, never a traceback. Litestream cannot
replicate an encrypted database (it reads the WAL's pages, which are encrypted).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any, cast

from ...errors import DatabaseError

ENV = "SESSIONLOG_PASSPHRASE"
SQLITE_MAGIC = b"SQLite format 3\x00"

_given: str | None = None  # handed over without the environment (see use_passphrase)


def use_passphrase(secret: str) -> None:
    """Use ``secret`` for this process's databases without putting it in the process's
    environment, where every program it starts would inherit it (``sessionlog serve``
    hands it to each browser session's process through a pipe)."""
    global _given
    _given = secret or None


def passphrase() -> str | None:
    """The passphrase for this process's databases, if one was given."""
    return _given or os.environ.get(ENV) or None


def _driver() -> Any:
    try:
        from sqlcipher3 import dbapi2
    except ImportError:
        raise DatabaseError(
            "a passphrase was given, but encryption support is not installed:"
            " pip install 'sessionlog[encrypted]' (or unset SESSIONLOG_PASSPHRASE)"
        ) from None
    return dbapi2


def looks_encrypted(name: str) -> bool:
    """A non-empty file that does not start like an SQLite database."""
    path = Path(name)
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return False
        with path.open("rb") as fh:
            return fh.read(16) != SQLITE_MAGIC
    except OSError:
        return False


def connect_file(name: str, timeout: float, *, uri: bool = False) -> sqlite3.Connection:
    """A connection to ``name``: through SQLCipher with the passphrase when one is set
    (checked at once: a wrong one is a :class:`DatabaseError`), else plain sqlite3."""
    secret = passphrase()
    if secret is None or name == ":memory:":
        return sqlite3.connect(name, timeout=timeout, check_same_thread=False, uri=uri)
    dbapi2 = _driver()
    raw = dbapi2.connect(name, timeout=timeout, check_same_thread=False, uri=uri)
    try:
        # SQLCipher logs a wrong key to stderr ("ERROR CORE ... hmac check failed"):
        # the one-line message below says it instead.
        raw.execute("PRAGMA cipher_log_level = NONE")
        raw.execute("PRAGMA key = '{}'".format(secret.replace("'", "''")))
        raw.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except dbapi2.DatabaseError:
        raw.close()
        raise DatabaseError(
            f"{name}: wrong passphrase, or not an encrypted sessionlog database"
            " (a plain one opens without SESSIONLOG_PASSPHRASE)"
        ) from None
    # The wrapper answers every call the store makes of a sqlite3 connection.
    return cast(sqlite3.Connection, CipherConnection(raw, dbapi2))


def is_encrypted_connection(conn: Any) -> bool:
    """Whether ``conn`` came from SQLCipher."""
    return isinstance(conn, CipherConnection)


class _Errors:
    """SQLCipher raises its own exception classes; the store catches sqlite3's. Each is
    re-raised as the sqlite3 class of the same name, so every ``except`` still works."""

    NAMES = (
        "IntegrityError",
        "OperationalError",
        "ProgrammingError",
        "NotSupportedError",
        "DataError",
        "InternalError",
        "DatabaseError",
        "InterfaceError",
        "Error",
    )

    def __init__(self, dbapi2: Any) -> None:
        self.pairs = [(getattr(dbapi2, n), getattr(sqlite3, n)) for n in self.NAMES]
        self.base = dbapi2.Error

    def call(self, fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except self.base as exc:
            for theirs, ours in self.pairs:
                if isinstance(exc, theirs):
                    raise ours(*exc.args) from None
            raise


class _Cursor:
    def __init__(self, cursor: Any, errors: _Errors) -> None:
        self._cursor, self._errors = cursor, errors

    def fetchone(self) -> Any:
        return self._errors.call(self._cursor.fetchone)

    def fetchall(self) -> Any:
        return self._errors.call(self._cursor.fetchall)

    def fetchmany(self, *args: Any) -> Any:
        return self._errors.call(self._cursor.fetchmany, *args)

    def __iter__(self) -> Any:
        return iter(self.fetchall())

    def execute(self, *args: Any) -> _Cursor:
        self._errors.call(self._cursor.execute, *args)
        return self

    def executemany(self, *args: Any) -> _Cursor:
        self._errors.call(self._cursor.executemany, *args)
        return self

    def __getattr__(self, name: str) -> Any:  # description, lastrowid, rowcount, close
        return getattr(self._cursor, name)


class CipherConnection:
    """An SQLCipher connection that behaves like a sqlite3 one for the store."""

    def __init__(self, raw: Any, dbapi2: Any) -> None:
        self._raw, self._errors = raw, _Errors(dbapi2)

    def execute(self, *args: Any) -> _Cursor:
        return _Cursor(self._errors.call(self._raw.execute, *args), self._errors)

    def executemany(self, *args: Any) -> _Cursor:
        return _Cursor(self._errors.call(self._raw.executemany, *args), self._errors)

    def executescript(self, script: str) -> _Cursor:
        return _Cursor(self._errors.call(self._raw.executescript, script), self._errors)

    def cursor(self) -> _Cursor:
        return _Cursor(self._raw.cursor(), self._errors)

    def commit(self) -> None:
        self._errors.call(self._raw.commit)

    def rollback(self) -> None:
        self._errors.call(self._raw.rollback)

    def backup(self, target: Any, **kw: Any) -> None:
        """Copy into ``target``, another connection opened with the same passphrase."""
        self._errors.call(lambda: self._raw.backup(getattr(target, "_raw", target), **kw))

    def __enter__(self) -> CipherConnection:
        self._raw.__enter__()
        return self

    def __exit__(self, *exc: Any) -> Any:
        return self._raw.__exit__(*exc)

    def __getattr__(self, name: str) -> Any:  # in_transaction, close, total_changes...
        return getattr(self._raw, name)
