"""Opening a sessionlog database: the one way the TUI, the CLI and the tests all use.

WAL journal, ``synchronous=FULL`` (a saved session survives a power cut), a busy
timeout, migrations from ``schema/``, then foreign keys on. A file that is not a
sessionlog database, or was written by a newer sessionlog, is refused with a message
that says so.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DatabaseError
from ..private_files import create_private_file, make_private_folder
from .file.cipher import connect_file, passphrase
from .file.failures import DAMAGE_WORDS, open_failed
from .file.guard import RESTORE_HINT, file_id, guard, new_identity, same_file
from .file.netfs import refuse_network_fs

if TYPE_CHECKING:  # sqlite-utils costs ~100 ms to import: only when a database opens
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

APPLICATION_ID = 0x53534C47  # "SSLG" in the SQLite header marks our files
MIGRATION_SET = "sessionlog"
BUSY_TIMEOUT_MS = 10_000


def default_path() -> Path:
    """Where the database lives: ``$SESSIONLOG_DB``, else the user data directory."""
    env = os.environ.get("SESSIONLOG_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("sessionlog", appauthor=False) / "sessionlog.db"


def schema_dir() -> Path:
    """The migrations folder: inside the installed package, or at the repository top."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "schema", here.parent / "schema"):
        if candidate.is_dir():
            return candidate
    raise DatabaseError("the schema migrations are missing from this installation")


@cache
def migration_files() -> tuple[Path, ...]:
    """The versioned migrations, in order (``0001_initial.sql``, ``0002_...``)."""
    return tuple(sorted(schema_dir().glob("[0-9][0-9][0-9][0-9]_*.sql")))


def split_sql(script: str) -> list[str]:
    """Split a migration script into statements (triggers keep their inner ``;``)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        if not current and (not line.strip() or line.lstrip().startswith("--")):
            continue
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        raise DatabaseError(f"unterminated SQL statement in a migration: {current[:60]!r}")
    return statements


def _migrations() -> Migrations:
    from sqlite_utils import Migrations

    from .integrity import seal

    migrations = Migrations(MIGRATION_SET)
    for path in migration_files():

        def apply(db: Database, path: Path = path) -> None:
            for statement in split_sql(path.read_text(encoding="utf-8")):
                db.execute(statement)
            if path.stem == seal.MIGRATION:  # its Python half: seal the rows already there
                seal.migrate(db.conn)

        migrations(name=path.stem)(apply)
    return migrations


def _check_ours(conn: sqlite3.Connection, path: str) -> None:
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        applied: set[str] = set()
        if "_sqlite_migrations" in tables:
            applied = {
                r[0]
                for r in conn.execute(
                    "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET]
                )
            }
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and not str(exc).startswith("no such"):
            raise  # locked, a full disk, an I/O error: the file may be fine (see _configure)
        if passphrase() is None and any(w in str(exc).lower() for w in DAMAGE_WORDS):
            raise DatabaseError(
                f"{path} is damaged: SQLite cannot read it ({exc}). {RESTORE_HINT}"
            ) from None
        raise DatabaseError(
            f"{path} is not a sessionlog database ({exc}). {RESTORE_HINT}"
        ) from None
    # The header is marked only after the first migrations commit: a first open killed
    # in between leaves our tables (or just the migrations table) with application_id 0,
    # and that file is still ours.
    unmarked_but_ours = applied or not tables - {"_sqlite_migrations"}
    if app_id not in (0, APPLICATION_ID) or (app_id == 0 and not unmarked_but_ours):
        raise DatabaseError(
            f"{path} is not a sessionlog database (it holds other data); "
            "give a new file name or a sessionlog database"
        )
    if applied:
        known = {p.stem for p in migration_files()}
        newer = sorted(applied - known)
        if newer:
            raise DatabaseError(
                f"{path} was written by a newer sessionlog (schema {newer[-1]}); "
                "upgrade sessionlog to open it"
            )


def connect(path: str | Path) -> sqlite3.Connection:
    """A raw connection with our pragmas; no migrations. For readers in worker threads.

    Refused before SQLite touches anything (fileguard.py): an empty or foreign file, a
    ``-wal`` without its database or written for another one. A file replaced while
    this connection was being opened (a restore) is opened again, so no connection
    reads, or writes to, the file a restore has just set aside.
    """
    name = str(path)
    if name == ":memory:":
        return _configure(_open_file(name), name)  # type: ignore[return-value]
    # `--db` may come from $SESSIONLOG_DB as typed ("~/clinic.db"): no shell expanded it.
    name = str(Path(name).expanduser())
    refuse_network_fs(name)
    for _attempt in range(3):
        guard(Path(name), encrypted=passphrase() is not None)
        # A new file is made 0600 (in 0700 folders) before SQLite opens it: its -wal and
        # -shm then get the same mode.
        try:
            _create_whole(Path(name))
        except OSError as exc:
            raise DatabaseError(f"{name}: cannot be created ({exc.strerror or exc})") from None
        before = file_id(name)
        beside = [Path(f"{name}{s}") for s in ("-wal", "-shm")]
        new_beside = [p for p in beside if not p.exists()]
        try:
            conn = _configure(_open_file(name), name, before)
        except DatabaseError:
            remove_empty(new_beside)  # a refused file is left as it was: nothing beside it
            raise
        if conn is not None:
            return conn
    raise DatabaseError(
        f"{name} kept being replaced (restored) while it was opened: nothing was saved; try again"
    )


def _create_whole(path: Path) -> None:
    """Make a missing database file appear whole: an SQLite file with its first page
    written beside it, then linked into place (if no other sessionlog has just made
    it). Made empty in place, another sessionlog opening the same new path a moment
    later saw an empty file and refused it as one."""
    if path.exists():
        return
    make_private_folder(path.parent)
    import secrets  # here: only a new file needs a random name

    temp = path.with_name(f".{path.name}.new-{secrets.token_hex(4)}")
    create_private_file(temp)
    try:
        conn = connect_file(str(temp), BUSY_TIMEOUT_MS / 1000)
        try:
            conn.execute("PRAGMA journal_mode = WAL")  # writes the header: page 1
        finally:
            conn.close()
        try:
            os.link(temp, path)
        except FileExistsError:
            pass  # another sessionlog made it meanwhile: that one is opened
        except OSError:  # a file system without hard links
            create_private_file(path)
    finally:
        for leftover in (temp, Path(f"{temp}-wal"), Path(f"{temp}-shm")):
            leftover.unlink(missing_ok=True)


def remove_empty(paths: list[Path]) -> None:
    """Remove the -wal (if still empty) and -shm SQLite made beside a file it refused."""
    for p in paths:
        try:
            if p.name.endswith("-shm") or p.stat().st_size == 0:
                p.unlink()
        except OSError:
            pass


def _open_file(name: str) -> sqlite3.Connection:
    try:
        return connect_file(name, BUSY_TIMEOUT_MS / 1000)  # SQLCipher with a passphrase
    except sqlite3.DatabaseError as exc:
        raise open_failed(exc, name) from None


def _configure(
    conn: sqlite3.Connection, name: str, before: tuple[int, int] | None = None
) -> sqlite3.Connection | None:
    """Our pragmas on a new connection; ``None`` (closed) when the file at ``name`` is
    no longer the one it opened (``before``): its first read waited for a restore."""
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _check_ours(conn, name)
        if before is not None and not same_file(name, before):
            conn.close()  # before it writes anything (the WAL switch) into the old file
            return None
        if name != ":memory:":
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise DatabaseError(f"{name}: could not switch the journal to WAL (got {mode})")
            if before is not None and not same_file(name, before):
                conn.close()  # a rollback-mode file, replaced while switching
                return None
        conn.execute("PRAGMA synchronous = FULL")
    except sqlite3.DatabaseError as exc:
        conn.close()
        # A file that is not a database was refused by _check_ours; what reaches here is
        # a file that cannot be opened or is locked ("database is locked").
        raise open_failed(exc, name) from None
    except DatabaseError:
        conn.close()
        raise
    return conn


def _pending(conn: sqlite3.Connection) -> list[str]:
    """The migrations not applied yet, read directly (no sqlite-utils needed for that)."""
    try:
        applied = {
            r[0]
            for r in conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET]
            )
        }
    except sqlite3.OperationalError:  # no migrations table: a new file
        applied = set()
    return [p.stem for p in migration_files() if p.stem not in applied]


def checkpoint(path: str) -> None:
    """Copy the WAL back into the database without blocking readers or writers
    (a PASSIVE checkpoint), on a connection of its own: meant for a background thread."""
    try:
        conn = connect_file(path, BUSY_TIMEOUT_MS / 1000)
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            conn.close()
    except (sqlite3.Error, DatabaseError):
        pass  # a later checkpoint, or closing the last connection, will do it


class Checkpoints:
    """A passive :func:`checkpoint` of one database on a thread of its own, asked for
    after a commit: :meth:`ask` returns at once. The thread is started by the first
    request and then waits for the next: starting one per checkpoint made the save that
    asked wait until the new thread had been scheduled (``Thread.start`` waits for it),
    milliseconds on a busy machine, once in every ``CHECKPOINT_EVERY`` saves. A request
    made while one is still to do or running is dropped (that one copies it back)."""

    NAME = "sessionlog-checkpoint"

    def __init__(self, path: str) -> None:
        self.path = path
        self._cond = threading.Condition()
        self._asked = self._done = 0
        self._closing = False
        self._thread: threading.Thread | None = None

    def pending(self) -> int:
        """How many requests are still to do or running (0 or 1)."""
        with self._cond:
            return self._asked - self._done

    def ask(self) -> None:
        """Have the WAL copied back soon; never waits for it."""
        with self._cond:
            if self._closing or self._asked > self._done:
                return
            self._asked += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.NAME, daemon=True)
                self._thread.start()
            else:
                self._cond.notify_all()

    def wait(self) -> None:
        """Return once no checkpoint is to do or running."""
        with self._cond:
            while self._done < self._asked and self._thread is not None:
                self._cond.wait()

    def close(self) -> None:
        """Let the pending checkpoint finish, then end the thread."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._asked == self._done and not self._closing:
                    self._cond.wait()
                if self._asked == self._done:
                    return  # closing, nothing left to do
                asked = self._asked
            try:
                checkpoint(self.path)
            finally:
                with self._cond:
                    self._done = asked
                    self._cond.notify_all()


def open_connection(path: str | Path) -> sqlite3.Connection:
    """Open (creating if needed) and migrate a sessionlog database: the raw connection.

    sqlite-utils is imported only when a migration is due: its import is ~50 ms of the
    app's start-up. Raises :class:`DatabaseError` for a file that is not ours, is
    newer than this code or cannot be opened.
    """
    conn = connect(path)
    try:
        # Migrations run with foreign keys off (as SQLite's table-rebuild recipe needs),
        # each in its own transaction; then the header is marked as ours.
        conn.execute("PRAGMA foreign_keys = OFF")
        pending = _pending(conn)
        if pending:
            _migrate(conn)
        if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.commit()
        if conn.execute("PRAGMA user_version").fetchone()[0] == 0:  # its identity (fileguard)
            conn.execute(f"PRAGMA user_version = {new_identity()}")
            conn.commit()
        # Only a migration (run with foreign keys off) can leave dangling references, so
        # check after one; checking on every open scans every table (~0.4 s at 100k
        # sessions, more than the app's whole first frame).
        problems = conn.execute("PRAGMA foreign_key_check").fetchall() if pending else []
        if problems:
            raise DatabaseError(f"{path}: {len(problems)} rows point at records that do not exist")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise open_failed(exc, str(path)) from None
    conn.execute("PRAGMA recursive_triggers = ON")  # as sqlite-utils' Database() sets it
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _migrate(conn: sqlite3.Connection) -> None:
    """Apply the migrations due, holding the write lock from finding them due to the
    last one: two sessionlogs making one new database at once (two imports) do not
    both apply them (the second failed: "table practitioner already exists"); the one
    that waits finds them applied. Each migration is a savepoint inside."""
    from sqlite_utils import Database

    conn.execute("BEGIN IMMEDIATE")
    try:
        if _pending(conn):
            _migrations().apply(Database(conn))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def open_database(path: str | Path) -> Database:
    """:func:`open_connection` wrapped in a sqlite-utils ``Database``."""
    from sqlite_utils import Database

    return Database(open_connection(path))
