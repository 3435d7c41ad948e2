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

import hashlib
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..errors import DatabaseError, ValidationError
from ..private_files import create_private_file, make_private, make_private_folder
from .cipher import connect_file
from .db import APPLICATION_ID, BUSY_TIMEOUT_MS
from .health import Health, inspect, open_readonly, practitioner_exists
from .store import Store


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    sha256: str
    sessions: int


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    previous: Path | None  # where the replaced database was kept
    sessions: int
    audit_rows: int


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
    return dest.parent / f".{dest.name}.{os.getpid()}.partial"


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
    if target.exists() and not force:
        raise ValidationError(
            "destination", f"{target} already exists: give a new name (or --force to replace it)"
        )
    make_private_folder(target.parent)
    temp = _temp_beside(target)
    try:
        health = _copy(store.conn, temp)
        if not health.ok:
            raise DatabaseError(
                "the backup copy failed its integrity check, so it was not kept: "
                + " ".join(health.problems)
            )
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    _fsync(target.parent, directory=True)
    result = BackupResult(target, target.stat().st_size, sha256(target), health.sessions)
    store.log_event(
        actor_id,
        "backup",
        "database",
        destination=str(target),
        sha256=result.sha256,
        size=result.size,
        sessions=result.sessions,
    )
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
        if actor_id is not None and health.ok and not practitioner_exists(conn, actor_id):
            raise ValidationError("practitioner", f"there is no practitioner {actor_id} in {path}")
    finally:
        conn.close()
    return health


def restore(
    src: str | Path, dest: str | Path, *, clock: datetime | None = None, actor_id: int | None = None
) -> RestoreResult:
    """Replace the database at ``dest`` by the backup ``src`` (the caller has asked).

    The replaced database is first kept as ``<dest>.before-restore-<time>``. Close
    sessionlog on the other workstations first.
    """
    source, target = Path(src).expanduser(), Path(dest).expanduser()
    if target.exists() and source.exists() and source.samefile(target):
        raise ValidationError("source", "is the database itself: give a backup file")
    health = check_backup(source, actor_id)
    if not health.ok:
        raise DatabaseError(
            f"{source} cannot be restored: "
            + " ".join(health.problems).rstrip(".")
            + ". Nothing was changed."
        )
    if target.exists() and in_use(target):
        raise DatabaseError(
            f"{target} is open in sessionlog elsewhere (on this or another computer): close"
            " it everywhere, then restore. Nothing was changed."
        )
    moment = clock or datetime.now()
    previous = _keep_previous(target, moment) if target.exists() else None
    make_private_folder(target.parent)
    temp = _temp_beside(target)
    try:
        src_conn = open_readonly(source)
        try:
            copied = _copy(src_conn, temp)
        finally:
            src_conn.close()
        if not copied.ok:
            raise DatabaseError("the restored copy failed its integrity check; nothing changed")
        # The old database's WAL must not be replayed onto the restored file.
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    _fsync(target.parent, directory=True)
    store = Store.open(target, clock=(lambda: moment) if clock else None)
    try:
        store.log_event(
            actor_id,
            "restore",
            "database",
            source=str(source.resolve()),
            sha256=sha256(source),
            previous=str(previous) if previous else None,
        )
    finally:
        store.close()
    return RestoreResult(target, previous, health.sessions, health.audit_rows + 1)


def in_use(path: Path) -> bool:
    """Whether another connection has the database open (a restore would be lost to it).

    An exclusive lock cannot be had while any other connection, in any process, holds
    the WAL database open.
    """
    try:
        conn = connect_file(str(path), 0.5)
    except (sqlite3.DatabaseError, DatabaseError):
        return False  # damaged, or another passphrase: checked again when it is read
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")
        return False
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc) or "busy" in str(exc)
    except sqlite3.DatabaseError:
        return False  # damaged: nobody can be using it well; it is kept before replacing
    finally:
        conn.close()


def _keep_previous(target: Path, moment: datetime) -> Path:
    """Copy the database about to be replaced, byte for byte, beside it.

    Nobody has it open (checked first), so its file and its ``-wal`` (saves not yet
    folded into the file) together are all of it; a damaged file is kept as it is.
    """
    stem = f"{target.name}.before-restore-{moment:%Y%m%d-%H%M%S}"
    kept = target.with_name(stem)
    n = 1
    while kept.exists():
        n += 1
        kept = target.with_name(f"{stem}-{n}")
    shutil.copy2(target, kept)
    make_private(kept)
    _fsync(kept)
    wal = Path(f"{target}-wal")
    if wal.exists() and wal.stat().st_size:
        shutil.copy2(wal, f"{kept}-wal")
        make_private(Path(f"{kept}-wal"))
        _fsync(Path(f"{kept}-wal"))
    return kept
