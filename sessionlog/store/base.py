"""The Store's foundation: opening, the one write transaction, audit rows, plain reads.

Only the store package speaks SQL. Every write runs in one ``BEGIN IMMEDIATE``
transaction together with its audit row, so a record is saved whole or not at all,
and concurrent writers queue on the busy timeout instead of failing.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from ..errors import DatabaseError, ValidationError
from .db import Checkpoints, default_path, open_connection
from .file.failures import damaged, write_failed
from .file.guard import file_id, register, same_file, unregister
from .rows import (
    IMS_COLUMNS,
    SESSION_COLUMNS,
    SITE_COLUMNS,
    JsonValue,
    stamp,
)

if TYPE_CHECKING:
    from sqlite_utils import Database

    from .integrity.seal import Sealing

Clock = Callable[[], datetime]

_INSERT_SESSION = (
    "INSERT INTO session (record_id, version, supersedes_id, status, amend_reason, "
    + ", ".join(SESSION_COLUMNS)
    + ", recorded_by, recorded_at) VALUES ("
    + ", ".join("?" * (len(SESSION_COLUMNS) + 7))
    + ")"
)
_INSERT_SITE = (
    "INSERT INTO site (session_id, seq, "
    + ", ".join(SITE_COLUMNS)
    + ") VALUES ("
    + ", ".join("?" * (len(SITE_COLUMNS) + 2))
    + ")"
)
_INSERT_IMS = (
    "INSERT INTO ims_finding (session_id, "
    + ", ".join(IMS_COLUMNS)
    + ") VALUES ("
    + ", ".join("?" * (len(IMS_COLUMNS) + 1))
    + ")"
)


@dataclass(frozen=True)
class Saved:
    """What a save returns: the stable record id and the id of the version written."""

    record_id: int
    row_id: int
    version: int = 1


def _dicts(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class StoreBase:
    """A sessionlog database. Open with :meth:`Store.open`; the clock is injectable."""

    def __init__(
        self, db: Database | sqlite3.Connection, path: str, clock: Clock | None = None
    ) -> None:
        self._db: Database | None = None
        self.conn: sqlite3.Connection
        if isinstance(db, sqlite3.Connection) or not hasattr(db, "conn"):
            # a connection: sqlite3's, or SQLCipher's (cipher.py), which quacks alike
            self.conn = db  # type: ignore[assignment]
        else:
            self.conn, self._db = db.conn, db
        self.path = path
        self.clock: Clock = clock or datetime.now
        self._write_depth = 0
        self._sealing: Sealing | None = None  # made with the first write
        # Called once, before the first write (the CLI warns there of a broken chain).
        self.before_first_write: Callable[[], None] | None = None
        # A save must not wait for SQLite's automatic WAL checkpoint (it made one save
        # in fifty take 10-15 ms instead of 1). This connection never checkpoints;
        # every CHECKPOINT_EVERY commits a background thread does it on a connection
        # of its own. Closing the last connection checkpoints as SQLite always does.
        self._commits = 0
        self._checkpoints: Checkpoints | None = None
        if path != ":memory:":
            self.conn.execute("PRAGMA wal_autocheckpoint = 0")
        # Which file this is (a restore puts another in its place) and its identity,
        # rewritten by every write so each WAL holds it (see fileguard.py).
        self._file = None if path == ":memory:" else file_id(path)
        if self._file is not None:
            register(path, self)
        self._identity = int(self.conn.execute("PRAGMA user_version").fetchone()[0])
        self._data_version = self._read_data_version()

    def _read_data_version(self) -> int:
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def changed_elsewhere(self) -> bool:
        """Whether another connection (another workstation, the command line) committed
        since this was last asked (or since the store opened); this store's own saves
        do not count."""
        version = self._read_data_version()
        seen, self._data_version = self._data_version, version
        return version != seen

    @classmethod
    def open(cls, path: str | Path | None = None, clock: Clock | None = None) -> Self:
        """Open (creating and migrating if needed) the database at ``path``.

        ``None`` means the default: ``$SESSIONLOG_DB`` or the user data directory.
        """
        target = str(default_path() if path is None else path)
        return cls(open_connection(target), target, clock)

    @property
    def read_only(self) -> bool:
        """Whether the database file cannot be written (every save would be refused)."""
        return self.path != ":memory:" and not os.access(self.path, os.W_OK)

    @property
    def db(self) -> Database:
        """sqlite-utils' view of the connection, made on first use (not at start-up)."""
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn)
        return self._db

    CHECKPOINT_EVERY = 25

    def _committed(self) -> None:
        self._commits += 1
        if self.path == ":memory:" or self._commits % self.CHECKPOINT_EVERY:
            return
        if self._checkpoints is None:
            self._checkpoints = Checkpoints(self.path)
        self._checkpoints.ask()

    def wait_for_checkpoint(self) -> None:
        """Return once the background checkpoint (if one is running) has finished."""
        if self._checkpoints is not None:
            self._checkpoints.wait()

    def in_memory(self) -> Self:
        """A copy of this database in memory: a read whose figures could not be kept
        in the file (a full disk) computes them there, and the file is left as it was."""
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        self.conn.backup(copy)
        return type(self)(copy, ":memory:", self.clock)

    def close(self) -> None:
        if self._checkpoints is not None:
            self._checkpoints.close()  # the one running finishes first
        if self.path != ":memory:" and self._commits % self.CHECKPOINT_EVERY:
            # What this store wrote since its last checkpoint is copied back now: a
            # command-line command commits once or twice, never CHECKPOINT_EVERY times,
            # and while the app keeps the file open SQLite does not checkpoint on close,
            # so each command grew the WAL (and every later open reads it through).
            try:
                self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:
                pass  # busy or failing: a later checkpoint copies it back
        if self._sealing is not None:  # it wrote: its seal function goes with it
            from .integrity import seal

            seal.forget(self.conn)
        self.conn.close()
        unregister(self.path, self)

    def now(self) -> str:
        return stamp(self.clock())

    # -- transactions -------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction: everything inside commits or nothing does.

        Writes nested inside an outer ``write()`` (a batch such as the demo clinic) become
        savepoints of the outer transaction, so the batch too is all or nothing.
        """
        conn = self.conn
        if self._write_depth:
            self._write_depth += 1
            name = f"nested_{self._write_depth}"
            conn.execute(f"SAVEPOINT {name}")
            try:
                yield conn
                conn.execute(f"RELEASE SAVEPOINT {name}")
            except BaseException:
                if conn.in_transaction:
                    conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                    conn.execute(f"RELEASE SAVEPOINT {name}")
                raise
            finally:
                self._write_depth -= 1
            return
        if conn.in_transaction:
            raise DatabaseError("a write is already in progress on this connection")
        if self.before_first_write is not None:
            warn, self.before_first_write = self.before_first_write, None
            warn()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise DatabaseError(f"the database is busy; nothing was saved ({exc})") from None
            raise write_failed(exc, self.path) from None
        from .integrity import seal  # with the first write, like audit below

        if self._sealing is None:
            self._sealing = seal.Sealing()
        self._write_depth = 1
        committed = False
        try:
            seal.begin(conn, self._sealing)  # this transaction's audit rows seal its rows
            self._still_the_file(conn)
            yield conn
            conn.execute("COMMIT")
            committed = True
            self._committed()
        except sqlite3.OperationalError as exc:
            # A full disk, a read-only file, a failing disk: one plain line, and never
            # the record itself (a traceback would print it into the terminal).
            self._roll_back(conn)
            raise write_failed(exc, self.path) from None
        except sqlite3.DatabaseError as exc:
            self._roll_back(conn)
            found = damaged(exc)  # a damaged file: nothing saved, and the restore hint
            if found is None:
                raise
            raise found from None
        except BaseException:
            self._roll_back(conn)
            raise
        finally:
            seal.end(conn, self._sealing, committed=committed)
            self._write_depth = 0

    @staticmethod
    def _roll_back(conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # SQLite rolls back itself when it cannot (the journal is undone)

    def _still_the_file(self, conn: sqlite3.Connection) -> None:
        """Refuse to write into a file a restore has set aside (it would be lost), and
        mark the write with the file's identity and its count of writes."""
        if not same_file(self.path, self._file):
            raise DatabaseError(
                f"{self.path} was replaced (restored from a backup) after sessionlog opened"
                " it: nothing was saved. Close sessionlog, open it again, and save again."
            )
        if self._identity:
            conn.execute(f"PRAGMA user_version = {self._identity}")
        # Its place in the file's history, so a -wal copied aside and put back after
        # later saves is told from the live one (see file/walstamp.py).
        conn.execute("UPDATE file_stamp SET writes = writes + 1 WHERE id = 1")

    def _audit(
        self,
        conn: sqlite3.Connection,
        actor_id: int | None,
        action: str,
        entity: str,
        entity_id: int | None,
        removed: tuple[tuple[str, int], ...] = (),
        at: str | None = None,
        **detail: Any,
    ) -> None:
        """Append the audit row of a change; ``at``: the write's own reading of the
        clock (by default, read now)."""
        # Imported with the first write, not with the store: the app opens the store
        # before its first frame, which hashes nothing (hashlib is ~2 ms to load).
        from .integrity import audit

        audit.append(
            conn,
            at=at or self.now(),
            actor_id=actor_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            detail=detail,
            removed=removed,
        )

    def prepare_writes(self) -> None:
        """Do now what the first write on this connection does once: load the audit and
        seal modules, read the record tables' columns and compile the statement that
        seals a transaction's rows. For an idle moment before a first write that a user
        waits for (the sign-in's audit row); it writes nothing."""
        from .integrity import audit, seal  # noqa: F401 - loaded now, not with the first write

        if self._sealing is None:
            self._sealing = seal.Sealing()
        seal.prepare(self.conn, self._sealing)

    def chain_alarm(self) -> str | None:
        """A warning when the audit chain is known or seen (at its end) to be broken:
        cheap enough for start-up (see store/integrity/alarm.py)."""
        from .integrity.alarm import chain_alarm

        return chain_alarm(self.conn, self.path)

    def log_event(
        self, actor_id: int | None, action: str, entity: str, **detail: JsonValue
    ) -> None:
        """Record an event that changes no clinical row (an export, a backup) in the audit log."""
        with self.write() as conn:
            self._audit(conn, actor_id, action, entity, None, (), None, **detail)

    def _rows(self, sql: str, params: Sequence[object] = ()) -> list[dict[str, Any]]:
        """Rows of a read-only query as dicts, for the store's own methods: each public
        method gives them a row type (a TypedDict of ``rows.py`` or its module)."""
        return _dicts(self.conn.execute(sql, params))

    def _versions(self, sql: str, row_id: int) -> list[dict[str, Any]]:
        """Every version of the record row ``row_id`` is one of, oldest first: the rows
        it corrects and those correcting it, to the current one or its void. ``sql``
        selects the rows (with their id and supersedes_id) ``WHERE {} = ?``."""
        chain = self._rows(sql.format("id"), (row_id,))
        while chain and chain[0]["supersedes_id"] is not None and len(chain) < 10_000:
            chain[:0] = self._rows(sql.format("id"), (chain[0]["supersedes_id"],))
        while chain and len(chain) < 10_000:
            later = self._rows(sql.format("supersedes_id"), (chain[-1]["id"],))
            if not later:
                break
            chain += later
        return chain

    def counts(self) -> dict[str, int]:
        """How many of each kind of record the database holds (current versions)."""
        return dict(
            self._rows(
                "SELECT (SELECT count(*) FROM practitioner) AS practitioners,"
                " (SELECT count(*) FROM patient) AS patients,"
                " (SELECT count(*) FROM current_session) AS sessions,"
                " (SELECT count(*) FROM site WHERE session_id IN (SELECT id FROM current_session))"
                " AS sites,"
                " (SELECT count(*) FROM current_follow_up) AS follow_ups,"
                " (SELECT count(*) FROM adverse_event WHERE session_id IN"
                " (SELECT id FROM current_session) OR follow_up_id IN"
                " (SELECT id FROM current_follow_up)) AS adverse_events"
            )[0]
        )

    def _require_patient(self, patient_id: int) -> None:
        if not self.conn.execute("SELECT 1 FROM patient WHERE id = ?", (patient_id,)).fetchone():
            raise ValidationError("patient_id", f"there is no patient with id {patient_id}")

    def _require_practitioner(self, practitioner_id: int, field: str = "practitioner_id") -> None:
        if not self.conn.execute(
            "SELECT 1 FROM practitioner WHERE id = ?", (practitioner_id,)
        ).fetchone():
            raise ValidationError(field, f"there is no practitioner with id {practitioner_id}")
