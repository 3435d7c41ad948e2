"""Before SQLite touches a database file: is it one, and does the ``-wal`` beside it belong?

SQLite treats any path as a database: an empty file becomes a new one, and a ``-wal``
beside the main file is replayed into it whatever database wrote it. Both destroy
evidence (the file a clinic had is silently replaced by an empty one, or by a
malformed merge). So before any connection opens, this module refuses:

- an existing empty (0-byte) file, and an existing file that is not an SQLite
  database (only a missing path makes a new database);
- a ``-wal`` whose database is missing;
- a ``-wal`` that SQLite would replay but that was written for another database;
- a ``-wal`` of this database older than the file, or a file older than its ``-wal``
  (each save counts itself: walstamp.py).

How a ``-wal`` is matched to its database: every sessionlog database carries a random
identity in its header's ``user_version`` field (set when it is created, and new in
every backup and every restored copy), and every sessionlog write rewrites that field,
so each WAL generation holds a copy of page 1 with the identity in it. A WAL is replayed
only from the frames whose salts match its header (SQLite's rule); if those frames hold
a page 1 whose page size, application id (another program's database) or identity
(another sessionlog database) differs from the main file's, the WAL belongs to another
database (or to this file before a backup was copied over it) and is refused.
A WAL with no page 1 in its live frames cannot be matched and is let through (an older
sessionlog, or another SQLite program, wrote it). Encrypted databases (SQLCipher) keep
page 1 encrypted: for them only the orphan and empty checks apply.
"""

from __future__ import annotations

import os
import struct
import weakref
from pathlib import Path

from ...errors import DatabaseError
from . import walstamp

SQLITE_MAGIC = b"SQLite format 3\x00"
IDENTITY_OFFSET = 60  # the header's user_version: 4 bytes, big-endian
# What to do with a damaged database; `restore` keeps the file it replaces (an empty
# or foreign file, or a -wal without its database, too) as DB.before-restore-TIME.
_RESTORE = "restore the latest good backup with `sessionlog restore BACKUP_FILE`"
RESTORE_HINT = f"Stop using this file: {_RESTORE} (the damaged file is kept beside it)."


# The open stores of this process, by file. Closing any file descriptor of a file drops
# every POSIX lock this process holds on it (SQLite's own locks included), so a file
# this process already has open is not read again here: it was checked when first
# opened, and its -wal is the one this process is writing.
_OPEN: dict[tuple[int, int], weakref.WeakSet[object]] = {}


def register(path: str, owner: object) -> None:
    """Note that ``owner`` (a Store) holds the database at ``path`` open."""
    key = file_id(path)
    if key is not None:
        _OPEN.setdefault(key, weakref.WeakSet()).add(owner)


def unregister(path: str, owner: object) -> None:
    for owners in _OPEN.values():
        owners.discard(owner)


def _open_here(path: Path) -> bool:
    key = file_id(str(path))
    return key is not None and bool(_OPEN.get(key))


def new_identity() -> int:
    """A random, non-zero identity for a database file (fits SQLite's signed 32 bits)."""
    import secrets  # here: only a new file (or a restored copy) draws one

    return secrets.randbelow(0x7FFFFFFE) + 1


def _header_identity(page1: bytes) -> tuple[int, int, int]:
    """(page size, application id, identity) from the first 100 bytes of page 1."""
    size = struct.unpack(">H", page1[16:18])[0]
    page_size = 65536 if size == 1 else size
    identity, app_id = struct.unpack(">I4xI", page1[IDENTITY_OFFSET : IDENTITY_OFFSET + 12])
    return page_size, app_id, identity


def guard(path: Path, *, encrypted: bool) -> None:
    """Refuse a database path SQLite would silently make new or merge wrongly.

    A missing path with no ``-wal`` is fine (a new database). Raises
    :class:`DatabaseError` naming the file and what to do; touches no file.
    """
    wal = Path(f"{path}-wal")
    if not path.exists():
        if wal.exists():
            raise DatabaseError(
                f"{wal} is there but its database {path} is missing: nothing was opened or"
                " deleted. Put the database file back beside it and run again; or restore a"
                " backup with `sessionlog restore BACKUP_FILE` (the -wal is kept beside it:"
                " it may hold saves)."
            )
        return
    if path.is_dir() or _open_here(path):
        return  # a folder: SQLite says it cannot open it
    if not path.is_file():
        raise DatabaseError(
            f"{path} is not a file (a device or a pipe): nothing was opened; give the path"
            " of the clinic's database file"
        )
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(100)
    except OSError as exc:
        raise DatabaseError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if size == 0:
        raise DatabaseError(
            f"{path} is empty (0 bytes): no sessionlog database is, so nothing was opened or"
            f" made new. If it held the clinic's records, {_RESTORE} (the empty file is kept"
            " beside it); if it never held any, delete it and run again to start a new one."
        )
    if encrypted:
        return
    if head[:16] != SQLITE_MAGIC:
        if _looks_encrypted(head, size):
            raise DatabaseError(
                f"{path} looks encrypted (it is not a plain SQLite file): give its passphrase"
                " with --passphrase or SESSIONLOG_PASSPHRASE. It was left as it is; do not"
                " restore a backup over it unless you know it was never encrypted."
            )
        raise DatabaseError(
            f"{path} is not a sessionlog database (not an SQLite file): it was left as it"
            f" is. If it is the clinic's database, it is damaged: {_RESTORE} (this file is"
            " kept beside it); if it is another file, give the database's path with --db."
        )
    _guard_journal(path)
    _guard_wal(path, wal, head)


def _guard_journal(path: Path) -> None:
    """Refuse a ``-journal`` that is a whole database (a copy saved under that name):
    SQLite would take it for a hot journal, fail on a read-only open, and delete it at
    the next write."""
    journal = Path(f"{path}-journal")
    if journal.is_file() and plain_sqlite_file(journal):
        raise DatabaseError(
            f"{journal} is a whole SQLite database, not a journal of {path} (a copy saved"
            " under that name?): SQLite would take it for an unfinished write and delete it,"
            " so nothing was opened. Move it elsewhere (keep it: it may be a backup) and run"
            " again."
        )


def plain_sqlite_file(path: Path) -> bool:
    """Whether ``path`` is a file that starts as a plain SQLite database."""
    try:
        with path.open("rb") as fh:
            return fh.read(16) == SQLITE_MAGIC
    except OSError:
        return False


def looks_encrypted_file(path: Path) -> bool:
    """Whether ``path`` is a file that is not plain SQLite and looks encrypted."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(100)
    except OSError:
        return False
    return head[:16] != SQLITE_MAGIC and _looks_encrypted(head, size)


def _looks_encrypted(head: bytes, size: int) -> bool:
    """Whether a file that is not plain SQLite looks like an SQLCipher database: whole
    pages (1 KiB multiples), starting with its random salt (16 bytes, nearly all
    different), where a damaged file or another file (text, zeros) rarely is both."""
    return size >= 1024 and size % 1024 == 0 and len(set(head[:16])) >= 12


def _guard_wal(path: Path, wal: Path, head: bytes) -> None:
    try:
        if not wal.exists() or wal.stat().st_size == 0:
            return
        db_page_size, db_app, identity = _header_identity(head)
        stamp = walstamp.stamp_page(path)
        before = None if stamp is None else walstamp.file_count(path, stamp, db_page_size)
        found = walstamp.wal_frames(wal, {1} if stamp is None else {1, stamp})
    except OSError:
        return  # SQLite will say what is wrong with it
    if found is None:
        return  # nothing SQLite would replay
    page_size, newest = found.page_size, found.newest.get(1)
    foreign = page_size != db_page_size
    if newest is not None and len(newest) == 100:
        wal_page_size, wal_app, wal_identity = _header_identity(newest)
        # A file's header is marked (application id, identity) once, by a commit that
        # goes through its WAL: until a checkpoint the main file may still say 0, but a
        # main file that says more was marked, and every page 1 written since says it too.
        foreign = (
            foreign
            or wal_page_size != db_page_size
            or (db_app != 0 and wal_app != db_app)
            or (identity != 0 and wal_identity != identity)
        )
    if foreign:
        raise DatabaseError(
            f"{wal} does not belong to {path} (it was written for another database, or for"
            " this file before a copy replaced it): both files were left untouched. Move the"
            f" -wal file elsewhere (keep it: it may hold saves) and run again, or restore a"
            " backup with `sessionlog restore BACKUP_FILE`."
        )
    if stamp is not None:
        walstamp.check_order(path, wal, stamp, db_page_size, before, found)


def same_file(path: str, identity: tuple[int, int] | None) -> bool:
    """Whether ``path`` is still the file whose (device, inode) is ``identity``."""
    if identity is None:
        return True
    try:
        st = os.stat(path)
    except OSError:
        return False
    return (st.st_dev, st.st_ino) == identity


def file_id(path: str) -> tuple[int, int] | None:
    """(device, inode) of ``path``, or ``None`` when it is not there."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


BESIDE = ("-wal", "-shm", "-journal")  # the files SQLite keeps beside a database


def beside_a_database(dest: Path, database: str) -> str:
    """Whether ``dest`` is (or would be, once there) a file SQLite keeps beside a
    database: ``database``'s own ``-wal``, ``-shm`` or ``-journal`` (there or not: SQLite
    makes, replays and deletes them), or one of another database file beside it.

    A file written under such a name is lost (the next open deletes or replays it) and
    can destroy the database's saves, so no command writes one. Says which (for the
    message), or "" when ``dest`` is none of them."""
    try:
        if database != ":memory:" and Path(database).exists():
            live = Path(database).resolve()
            if dest.parent.resolve() == live.parent and any(
                dest.name == f"{live.name}{suffix}" or dest.name == f"{Path(database).name}{suffix}"
                for suffix in BESIDE
            ):
                return "a file of the clinic's database"
        if any(
            dest.name.endswith(suffix)
            and plain_or_encrypted(dest.with_name(dest.name[: -len(suffix)]))
            for suffix in BESIDE
        ):
            return "a file SQLite keeps beside a database"
    except OSError:
        pass
    return ""


def plain_or_encrypted(path: Path) -> bool:
    """Whether ``path`` is a database file (plain SQLite, or one that looks encrypted)."""
    return path.is_file() and (plain_sqlite_file(path) or looks_encrypted_file(path))


def check_output(dest: Path, database: str, *, force: bool, folder_ok: bool = False) -> None:
    """Refuse to write an export or a report to ``dest`` when that would replace a
    database (``database`` itself, a file SQLite keeps beside it, whether there yet or
    not: a backup, any SQLite or encrypted database file), or, without ``force``, any
    existing file; a folder only when ``folder_ok`` (a CSV export's, which must hold no
    file yet: see the export)."""
    from ...errors import ValidationError

    own = database != ":memory:" and Path(database).exists()
    beside = beside_a_database(dest, database)
    if beside:
        what = beside
    elif not dest.exists():
        return
    elif dest.is_dir():
        if folder_ok:
            return
        raise ValidationError("output", f"{dest} is a folder: give a file name")
    elif own and dest.samefile(database):
        what = "the clinic's database"
    elif plain_or_encrypted(dest):
        what = "a database"
    elif force:
        return
    else:
        raise ValidationError(
            "output", f"{dest} already exists: give a new name (or --force to replace it)"
        )
    raise ValidationError(
        "output",
        f"{dest} is {what}: an export or a report never replaces one; give another file name",
    )
