"""Backup and restore through SQLite's online backup API.

``backup`` copies a consistent snapshot (other programs may keep writing) to a
temporary name in the destination folder, makes the copy a self-contained file
(rollback journal, no ``-wal`` beside it), runs ``integrity_check`` on it, flushes it
to disk, and only then renames it to its real name. A crash leaves no half backup.

``restore`` refuses a file that is not a sessionlog database, is newer than this
sessionlog, is damaged, or whose audit chain is broken; it keeps the database it
replaces as a timestamped copy beside it.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ...errors import DatabaseError, ValidationError, WriteFailed
from ...private_files import (
    create_private_file,
    existing_folder,
    make_private,
    make_private_folder,
)
from ..db import APPLICATION_ID, BUSY_TIMEOUT_MS
from ..integrity.alarm import raise_alarm
from ..integrity.chainhead import Head
from ..store import Store
from .cipher import connect_file, passphrase
from .failures import write_failed
from .guard import beside_a_database, looks_encrypted_file, new_identity, plain_sqlite_file
from .health import Health, inspect, open_readonly, practitioner_exists
from .netfs import filesystem_type, is_network


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    sha256: str
    sessions: int
    chain_head: str = ""  # the audit row it was taken at, in words (chainhead.Head)
    warning: str = ""  # what is wrong in the copy, kept as it is (text not UTF-8)


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    previous: Path | None  # where the replaced database was kept
    sessions: int
    audit_rows: int
    warning: str = ""  # what is wrong in the restored copy, kept as it is (text not UTF-8)


def _fsync(path: Path, directory: bool = False) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return  # a folder cannot be opened on Windows; the rename is atomic anyway
    try:
        os.fsync(fd)
    except OSError:
        if not directory:
            raise
    finally:
        os.close(fd)


def sha256(path: Path) -> str:
    """The SHA-256 of a file (written in the audit log, to check a backup later)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy(source: sqlite3.Connection, temp: Path) -> Health:
    """Snapshot ``source`` into ``temp`` (made 0600); make it standalone and check it."""
    create_private_file(temp)
    target = connect_file(str(temp), BUSY_TIMEOUT_MS / 1000)  # encrypted like the source
    try:
        source.backup(target)
        # A copy is a file of its own: a -wal of the original never belongs to it.
        target.execute(f"PRAGMA user_version = {new_identity()}")
        target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        health = Health(str(temp))
        inspect(target, health)
        if target.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            health.problems.append("the copy is not marked as a sessionlog database")
    finally:
        target.close()
    _fsync(temp)
    return health


def _temp_beside(dest: Path) -> Path:
    """The hidden name a copy is written under before it takes ``dest``'s name; the
    ones a killed backup or restore left in that folder are removed first."""
    _remove_stale_partials(dest.parent)
    return dest.parent / f".{dest.name}.{os.getpid()}.partial"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return pid < (1 << 31)  # another user's process (an absurd pid is nobody's)
    return True


def _remove_stale_partials(folder: Path) -> None:
    """Remove the hidden ``.NAME.PID.partial`` copies (each a whole copy of the
    records) left by a backup or restore whose process is gone (killed: a process that
    ends any other way removes its own). Only where a pid can be asked about safely
    (POSIX: on Windows, signal 0 is Ctrl+C), and not in a folder other computers share
    (a pid there may be another computer's process)."""
    if os.name != "posix" or is_network(filesystem_type(folder)):
        return
    try:
        names = [p for p in folder.glob(".*.partial") if p.is_file()]
    except OSError:
        return
    for path in names:
        pid = path.name[: -len(".partial")].rpartition(".")[2]
        if not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)):
            continue
        try:
            if path.stat().st_uid == os.getuid():
                path.unlink()
        except OSError:
            pass


def restorable(health: Health) -> bool:
    """Whether a backup can be restored: sound, or sound but for record text that is
    not valid UTF-8 (a backup keeps such a file, so a restore takes it back: the clinic
    must be able to restore the backup it has, told what is wrong in it)."""
    return health.ok or bool(health.only_not_utf8)


def not_utf8_places(health: Health, most: int = 3) -> list[str]:
    """Where record text is not valid UTF-8: ``["episode 1, complaint", ...]``."""
    return [f"{t} {rid}, {col}" for t, rid, col in health.only_not_utf8[:most]]


def not_utf8_where(health: Health) -> str:
    more = "..." if len(health.only_not_utf8) > 3 else ""
    return ", ".join(not_utf8_places(health)) + more


def _kept_anyway(store: Store, health: Health) -> str:
    """The warning a backup of a sound file whose records were changed outside
    sessionlog is kept with (the alarm raised); "" when its copy is not kept for that.

    Kept as it is: saves go on (with a warning) until someone finds what was changed,
    and the work recorded meanwhile needs a backup too; the copy keeps the altered rows
    as evidence (restore refuses it, as any altered backup)."""
    if health.only_not_utf8:  # a copy keeps the rest, and the damaged row as it is
        raise_alarm(store.path, health.problems)
        return (
            f"the copy holds text that is not valid UTF-8 ({not_utf8_where(health)}):"
            " `sessionlog check` says more"
        )
    if health.tampered:
        raise_alarm(store.path, health.problems)
        return (
            "the records copied were changed outside sessionlog (as `sessionlog check`"
            f" says of the database): {' '.join(health.problems)} This backup keeps them as"
            " they are; restore refuses it until that is resolved"
        )
    return ""


def _beside_under_new_name(target: Path, now: datetime) -> Path:
    """A name beside ``target`` that no file has: ``NAME-altered-YYYYMMDD-HHMMSS.db``."""
    stem = f"{target.stem}-altered-{now:%Y%m%d-%H%M%S}"
    found, n = target.with_name(f"{stem}{target.suffix}"), 1
    while found.exists():
        n += 1
        found = target.with_name(f"{stem}-{n}{target.suffix}")
    return found


def backup(
    store: Store, dest: str | Path, *, actor_id: int | None = None, force: bool = False
) -> BackupResult:
    """Back up ``store`` to ``dest``: a file name, or a folder (a dated name is made).

    An existing file is replaced only with ``force``. The backup is logged in the audit
    log with its SHA-256.
    """
    target = Path(dest).expanduser()
    if target.is_dir() or str(dest).endswith(("/", os.sep)):
        target = target / f"sessionlog-{store.clock():%Y%m%d-%H%M%S}.db"
    if store.path != ":memory:" and target.exists() and target.samefile(store.path):
        raise ValidationError("destination", "is the database itself: give another file")
    if beside_a_database(target, store.path):  # there yet or not (see the guard)
        raise ValidationError(
            "destination",
            f"{target} is a file SQLite keeps beside a database (the next open would replay"
            " or delete it): give another file name",
        )
    if target.exists() and not force:
        raise ValidationError(
            "destination", f"{target} already exists: give a new name (or --force to replace it)"
        )
    existing_folder(target.parent, "destination")
    temp = _temp_beside(target)
    try:
        try:
            health = _copy(store.conn, temp)
        except sqlite3.OperationalError as exc:
            failed = write_failed(exc, str(temp))
            raise WriteFailed(
                f"the backup could not be written: {failed.reason}", failed.remedy
            ) from None
        warning = "" if health.damaged else _kept_anyway(store, health)
        if not health.ok and not warning:
            if health.tampered:
                raise_alarm(store.path, health.problems)
            raise DatabaseError(
                "the backup copy failed its integrity check, so it was not kept: "
                + " ".join(health.problems)
            )
        if warning and target.exists():
            # Never over the backup there (the last good one, maybe: restore refuses this
            # copy), whatever --force says: beside it, under a name of its own.
            target = _beside_under_new_name(target, store.clock())
            warning += f"; it did not replace the file that was there: it is {target.name}"
        taken_at = Head(**health.chain_head)  # type: ignore[arg-type]
        result = BackupResult(
            target,
            temp.stat().st_size,
            sha256(temp),
            health.sessions,
            taken_at.words(),
            warning,
        )
        # The audit row first: a backup that cannot be logged is not kept.
        store.log_event(
            actor_id,
            "backup",
            "database",
            chain_head=health.chain_head,
            destination=str(target),
            sha256=result.sha256,
            size=result.size,
            sessions=result.sessions,
        )
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    _fsync(target.parent, directory=True)
    return result


def check_backup(src: str | Path, actor_id: int | None = None) -> Health:
    """Whether ``src`` can be restored: ours, not newer, not damaged, chain intact (and
    ``actor_id``, who restores, one of its practitioners).

    Raises :class:`DatabaseError` for a file that is not a sessionlog database.
    """
    path = Path(src).expanduser()
    conn = open_readonly(path)
    try:
        health = Health(str(path))
        inspect(conn, health)
        if actor_id is not None and restorable(health) and not practitioner_exists(conn, actor_id):
            raise ValidationError("practitioner", f"there is no practitioner {actor_id} in {path}")
    finally:
        conn.close()
    return health


def refuse_plain_over_encrypted(source: Path, target: Path) -> None:
    """Refuse to replace an encrypted database by a plain backup (its records would be
    left in clear), and say which passphrase a restore needs before opening anything."""
    if passphrase() is None:
        if looks_encrypted_file(source):
            raise DatabaseError(
                f"{source} looks encrypted: give its passphrase (--passphrase or"
                " SESSIONLOG_PASSPHRASE) to restore it. Nothing was changed."
            )
        if looks_encrypted_file(target):
            raise DatabaseError(
                f"{target} looks encrypted, and {source} is a plain (unencrypted) backup:"
                " restoring it would leave the clinic's records unencrypted. Give the"
                " passphrase (--passphrase or SESSIONLOG_PASSPHRASE) to restore an encrypted"
                " backup; to replace the encrypted database by a plain one on purpose, move"
                " it elsewhere first. Nothing was changed."
            )
    elif plain_sqlite_file(source):
        raise DatabaseError(
            f"{source} is a plain (unencrypted) backup: it cannot replace the encrypted"
            f" {target}, whose records it would leave unencrypted. Nothing was changed."
            if looks_encrypted_file(target)
            else f"{source} is a plain (unencrypted) backup, but a passphrase was given:"
            " to restore it, run without --passphrase or SESSIONLOG_PASSPHRASE."
            " Nothing was changed."
        )


def restore(
    src: str | Path, dest: str | Path, *, clock: datetime | None = None, actor_id: int | None = None
) -> RestoreResult:
    """Replace the database at ``dest`` by the backup ``src`` (the caller has asked).

    The replaced database is first kept as ``<dest>.before-restore-<time>``. From the
    check that nobody else has it open until the new file is in its place, this
    process holds the database's exclusive lock: a save elsewhere either committed
    before (and is in the kept copy) or waits and is refused, never lost.
    """
    source, target = Path(src).expanduser(), Path(dest).expanduser()
    if target.exists() and source.exists() and source.samefile(target):
        raise ValidationError("source", "is the database itself: give a backup file")
    refuse_plain_over_encrypted(source, target)
    health = check_backup(source, actor_id)
    if not restorable(health):
        raise DatabaseError(
            f"{source} cannot be restored: "
            + " ".join(health.problems).rstrip(".")
            + ". Nothing was changed."
        )
    moment = clock or datetime.now()
    make_private_folder(target.parent)
    # Closing any descriptor of the live file would drop the lock held on it, so the
    # ones that copy it stay open until that lock is let go (ExitStack closes last).
    with ExitStack() as open_files, _held(target) as live:
        # (a -wal without its database is kept too: it may hold saves)
        orphan = not target.exists() and _has_content(Path(f"{target}-wal"))
        previous = _keep_previous(target, moment, open_files) if target.exists() else None
        if orphan:
            previous = _keep_previous(target, moment, open_files, wal_only=True)
        if live is not None:
            _set_aside(live)
        temp = _temp_beside(target)
        try:
            src_conn = open_readonly(source)
            try:
                copied = _copy(src_conn, temp)
            finally:
                src_conn.close()
            if not restorable(copied):
                raise DatabaseError("the restored copy failed its integrity check; nothing changed")
            _to_wal(temp)
            # The restore's audit row goes into the copy before it takes the database's
            # name: killed at any moment, the database is either the old one (no restore
            # happened, none is recorded) or the restored one, which says so.
            _log_restore(temp, source, previous, health, moment if clock else None, actor_id)
            # The old database's WAL must not be replayed onto the restored file.
            for suffix in ("-wal", "-shm", "-journal"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            os.replace(temp, target)
        finally:
            for left in (temp, Path(f"{temp}-wal"), Path(f"{temp}-shm")):
                left.unlink(missing_ok=True)
        _fsync(target.parent, directory=True)
    warning = ""
    if health.only_not_utf8:  # the banner, until check passes again
        raise_alarm(target, health.problems)
        warning = (
            f"the restored database holds text that is not valid UTF-8"
            f" ({not_utf8_where(health)}), as the backup does: `sessionlog check` names the"
            " rows; commands that read them stop until it is corrected, and a banner shows"
            " meanwhile"
        )
    return RestoreResult(target, previous, health.sessions, health.audit_rows + 1, warning)


def _log_restore(
    copy: Path,
    source: Path,
    previous: Path | None,
    health: Health,
    at: datetime | None,
    actor_id: int | None,
) -> None:
    """Record the restore in the restored copy's own audit log (its schema brought up
    to date first, as opening it does), and fold it into the file, flushed."""
    try:
        store = Store.open(copy, clock=(lambda: at) if at else None)
    except DatabaseError as exc:
        raise DatabaseError(f"the restore could not be recorded ({exc}): nothing changed") from None
    try:
        store.log_event(
            actor_id,
            "restore",
            "database",
            source=str(source.resolve()),
            sha256=sha256(source),
            previous=str(previous) if previous else None,
            **({"not_utf8": not_utf8_places(health, 20)} if health.only_not_utf8 else {}),
        )
    except WriteFailed as exc:
        raise WriteFailed(
            f"the restore could not be recorded ({exc.reason}), so it was not done", exc.remedy
        ) from None
    finally:
        store.close()
    if Path(f"{copy}-wal").exists():  # (the last close folds it in and removes it)
        raise DatabaseError("the restored copy could not be completed; nothing changed")
    _fsync(copy)


IN_USE = (
    "{} is open in sessionlog elsewhere (on this or another computer): close it"
    " everywhere, then restore. Nothing was changed."
)


@contextmanager
def _held(target: Path) -> Iterator[sqlite3.Connection | None]:
    """The live database's exclusive lock, held until the block ends (the connection
    holding it), or ``None`` for a file SQLite cannot lock (missing, empty, damaged,
    another passphrase: nobody can be saving into it).

    An exclusive lock cannot be had while any other connection, in any process, holds
    the WAL database open; once had, every other sessionlog waits on it (busy timeout)
    and is refused if it lasts.
    """
    conn = None
    # (an empty file is no database: opening it would make it one before it is kept)
    if _has_content(target):
        try:
            conn = connect_file(str(target), 0.5)
            conn.execute("PRAGMA locking_mode = EXCLUSIVE")
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("COMMIT")
        except (sqlite3.DatabaseError, DatabaseError) as exc:
            if conn is not None:
                conn.close()
                conn = None
            if "locked" in str(exc) or "busy" in str(exc):
                raise DatabaseError(IN_USE.format(target)) from None
    try:
        yield conn
    finally:
        if conn is not None:
            conn.close()


def _to_wal(path: Path) -> None:
    """Put the restored copy in WAL mode before it takes its place: a connection to a
    WAL database holds a lock from its first read to its close, so a restore cannot
    swap the file under it, whereas a rollback-mode file is unlocked between reads."""
    conn = connect_file(str(path), BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
    _fsync(path)


def _set_aside(conn: sqlite3.Connection) -> None:
    """Fold the live WAL into the file being replaced (already copied byte for byte)
    and keep its journal in memory, so that closing this connection after the swap
    touches no file beside the restored one; the exclusive lock stays held."""
    try:
        conn.execute("PRAGMA journal_mode = MEMORY")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(
            f"the database could not be set aside for the restore ({exc}). Nothing was changed."
        ) from None


def _has_content(path: Path) -> bool:
    return path.exists() and path.stat().st_size > 0


def _keep_previous(
    target: Path, moment: datetime, open_files: ExitStack, *, wal_only: bool = False
) -> Path:
    """Copy the database about to be replaced, byte for byte, beside it (the kept copy's
    path; with ``wal_only``, a ``-wal`` whose database is missing: the kept ``-wal``).

    Nobody has it open (the caller holds its lock), so its file and its ``-wal`` (saves
    not yet folded into the file) together are all of it; a damaged file is kept as it
    is. The live file is read through a descriptor left open in ``open_files``.
    """
    stem = f"{target.name}.before-restore-{moment:%Y%m%d-%H%M%S}"
    kept = target.with_name(stem)
    n = 1
    while kept.exists():
        n += 1
        kept = target.with_name(f"{stem}-{n}")
    pairs = [(target, kept), (Path(f"{target}-wal"), Path(f"{kept}-wal"))]
    pairs = [(a, b) for a, b in pairs[wal_only:] if a is target or _has_content(a)]
    needed = sum(a.stat().st_size for a, _ in pairs)
    if _free_space(target.parent) < needed:
        raise _no_room(needed)
    made: list[Path] = []
    try:
        for source, copy in pairs:
            reader = open_files.enter_context(source.open("rb"))
            # 0600 from its first byte; never over a file already there
            fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            made.append(copy)
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(reader, out, 1 << 20)
            shutil.copystat(source, copy)
            make_private(copy)
            _fsync(copy)
    except BaseException as exc:
        for copy in made:
            copy.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise _no_room(needed) from None
        if isinstance(exc, OSError):
            raise DatabaseError(
                "the current database could not be kept before restoring"
                f" ({exc.strerror or exc}); nothing was changed"
            ) from None
        raise
    return pairs[-1][1] if wal_only else kept


def _free_space(folder: Path) -> int:
    return shutil.disk_usage(folder).free


def _no_room(needed: int) -> DatabaseError:
    return DatabaseError(
        "not enough space to keep the current database before restoring:"
        f" {needed / 1_048_576:.1f} MB needed; nothing was changed"
    )
