"""Whether a ``-wal`` of this very database is older, or newer, than the file beside it.

The identity in the header (guard.py) tells a ``-wal`` of another database from this
one's, but not a copy of this one's own ``-wal`` taken at some moment and put back after
later saves were folded into the file: SQLite checks a WAL's frames only against each
other (salts, checksums), so it would lay those older pages over newer ones. Nor an
older copy of the file put back under a newer ``-wal``.

So every sessionlog write adds one to ``file_stamp.writes`` (schema 0020) in its own
transaction: every save's frames hold that table's single page with the count it
reached, and the file holds the count of the newest save folded into it. A ``-wal``
that SQLite may replay is consistent with its file only if

- its newest count is not below the file's (else it is older than the file), and
- its first count is at most one above the file's (a WAL starts again from its first
  frame only once everything in it was folded into the file; else the file is older
  than the ``-wal`` and lacks the saves in between).

The file's count is read before the ``-wal`` and again after (another workstation may
fold frames in meanwhile: each bound is checked against the reading that favours the
live ``-wal``). Only writes made through sessionlog count: see README, Backup and restore.
"""

from __future__ import annotations

import sqlite3
import struct
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from ...errors import DatabaseError

TABLE = "file_stamp"
_LEAF_TABLE = 0x0D
WAL_MAGICS = (0x377F0682, 0x377F0683)
WAL_HEADER = 32
FRAME_HEADER = 24


@dataclass
class Frames:
    """What SQLite would replay from a ``-wal``: its page size, and for each page asked
    about, its copy in the newest and in the first committed transaction holding it."""

    page_size: int
    newest: dict[int, bytes] = field(default_factory=dict)
    first: dict[int, bytes] = field(default_factory=dict)


def wal_frames(wal: Path, pages: set[int]) -> Frames | None:
    """The committed copies of ``pages`` in ``wal`` (page 1: its first 100 bytes), or
    ``None`` when SQLite would replay nothing (no valid header, no committed frame).

    Frames count while their salts match the header's (a torn last frame after a crash
    may still count here; it can only make the checks stricter)."""
    with wal.open("rb") as fh:
        head = fh.read(WAL_HEADER)
        if len(head) < WAL_HEADER:
            return None
        magic, _version, page_size, _seq, salt1, salt2 = struct.unpack(">6I", head[:24])
        if magic not in WAL_MAGICS or page_size < 512 or page_size & (page_size - 1):
            return None
        found, pending = Frames(page_size), {}
        offset, committed = WAL_HEADER, False
        while True:
            fh.seek(offset)
            frame = fh.read(FRAME_HEADER)
            if len(frame) < FRAME_HEADER:
                break
            page, commit, s1, s2 = struct.unpack(">4I", frame[:16])
            if (s1, s2) != (salt1, salt2):
                break
            if page in pages:
                pending[page] = fh.read(100 if page == 1 else page_size)
            if commit:
                committed = True
                found.newest.update(pending)
                for number, content in pending.items():
                    found.first.setdefault(number, content)
                pending = {}
            offset += FRAME_HEADER + page_size
    return found if committed else None


def stamp_page(path: Path) -> int | None:
    """The page of ``file_stamp`` in the file alone (its ``-wal`` not read), or
    ``None`` (an older schema, or a file SQLite cannot read)."""
    uri = f"file:{quote(str(path.resolve()))}?immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            row = conn.execute(
                "SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = ?", [TABLE]
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return int(row[0]) if row and isinstance(row[0], int) and row[0] > 1 else None


def count_in(page: bytes | None) -> int | None:
    """The ``writes`` count held by a copy of the stamp table's page, or ``None`` when
    the page is not that table's single row (another page, an older file)."""
    if page is None or len(page) < 16 or page[0] != _LEAF_TABLE:
        return None
    if struct.unpack(">H", page[3:5])[0] != 1:
        return None
    try:
        at = struct.unpack(">H", page[8:10])[0]
        _size, at = _varint(page, at)
        rowid, at = _varint(page, at)
        header, pos = _varint(page, at)
        id_type, pos = _varint(page, pos)
        kind, _ = _varint(page, pos)
        body = at + header  # the record's header counts its own length
    except IndexError:
        return None
    if rowid != 1 or id_type != 0:
        return None
    if kind in (8, 9):
        return kind - 8
    width = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8}.get(kind)
    if width is None or body + width > len(page):
        return None
    return int.from_bytes(page[body : body + width], "big", signed=True)


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = 0
    for i in range(9):
        byte = data[at + i]
        if i == 8:
            return (value << 8) | byte, at + 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + i + 1
    raise IndexError  # pragma: no cover - the loop always returns


def file_count(path: Path, page: int, page_size: int) -> int | None:
    try:
        with path.open("rb") as fh:
            fh.seek((page - 1) * page_size)
            return count_in(fh.read(page_size))
    except OSError:
        return None


def check_order(
    path: Path, wal: Path, page: int, page_size: int, before: int | None, frames: Frames
) -> None:
    """Refuse a ``-wal`` older than ``path``, or a ``path`` older than its ``-wal``.

    ``before`` is the file's count read before ``frames`` were read from the ``-wal``."""
    newest = count_in(frames.newest.get(page))
    first = count_in(frames.first.get(page))
    if before is not None and newest is not None and newest < before:
        raise DatabaseError(
            f"{wal} is older than {path}: it is a copy of this database's -wal from before"
            f" later saves (it reaches write {newest:,}; the file holds {before:,}), and"
            " replaying it would lay old pages over newer ones. Both files were left"
            " untouched. Move the -wal file elsewhere (keep it) and run again, or restore"
            " a backup with `sessionlog restore BACKUP_FILE`."
        )
    after = file_count(path, page, page_size)
    if after is not None and first is not None and first - 1 > after:
        raise DatabaseError(
            f"{path} is older than its -wal: the file holds write {after:,}, its -wal"
            f" goes on from write {first:,}, so the saves in between are in neither (the"
            " file was put back from an older copy?). Both files were left untouched. Put"
            " back the database file that goes with this -wal, or move the -wal elsewhere"
            " (keep it) and restore a backup with `sessionlog restore BACKUP_FILE`."
        )
