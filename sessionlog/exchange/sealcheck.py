"""The file's record seals, and the comparison of an import's rows with them.

An export carries every seal the database kept (the ``record_seal`` list: table, row
id, audit row id, seal as hex). Each audit row that sealed rows holds how many and the
digest of their seals, and its chained hash covers that digest: the file's audit log
vouches for the seals, and the seals for the rows. When an import keeps the file's audit
log (into a new database, ids kept), :func:`compare` recomputes the seal of every row
written and refuses the import, naming each row (table and id, never its text) that was
altered, added or removed in the file, and each audit row whose seals were changed.

A file with an audit log but no seals (an export made before they were written) is
imported with its rows unchecked, and the import says so; so is a file without an audit
log. Neither can prove more than its own hash chain: a file whose chain was rewritten
from the edit onwards is found only by ``check --against`` an export kept elsewhere.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from ..errors import ValidationError
from ..store.integrity.kept_seals import kept_seals
from ..store.integrity.seal import RECORD_TABLES, columns, removal_seal, sealed_rows

SEALS = "record_seal"
SEAL_COLUMNS = ("tbl", "row_id", "audit_id", "hash")
MAX_NAMED = 20
_MAX_ID = 2**63 - 1


class FileSeals:
    """A file's seals, packed per table: row ids, audit ids and the 32-byte seals."""

    def __init__(self) -> None:
        self.tables: dict[str, tuple[array[int], array[int], bytearray]] = {}
        self.count = 0

    def add(self, number: int, tbl: Any, row_id: Any, audit_id: Any, seal: Any) -> None:
        """One seal row (``number``: its place in the file), checked."""
        where = f"{SEALS} row {number}"
        if tbl not in RECORD_TABLES:
            raise ValidationError(where, f"tbl {str(tbl)[:40]!r} is not a record table")
        for name, value in (("row_id", row_id), ("audit_id", audit_id)):
            if type(value) is not int or not 1 <= value <= _MAX_ID:
                raise ValidationError(where, f"{name} must be a whole number from 1")
        try:
            raw = bytes.fromhex(seal) if isinstance(seal, str) and len(seal) == 64 else b""
        except ValueError:
            raw = b""
        if len(raw) != 32:
            raise ValidationError(where, "hash must be 64 hexadecimal digits")
        rows, audits, seals = self.tables.setdefault(tbl, (array("q"), array("q"), bytearray()))
        rows.append(row_id)
        audits.append(audit_id)
        seals += raw
        self.count += 1

    def add_plain(self, tbl: str, row_id: int, audit_id: int, seal: str) -> None:
        """One seal row as an export writes it (ids whole numbers from 1, the seal 64
        hexadecimal digits: the reader's pattern): checked by :meth:`add` unless its
        table has a seal already and its ids are in range."""
        packed = self.tables.get(tbl)
        if packed is None or row_id > _MAX_ID or audit_id > _MAX_ID:
            self.add(self.count + 1, tbl, row_id, audit_id, seal)
            return
        packed[0].append(row_id)
        packed[1].append(audit_id)
        packed[2].extend(bytes.fromhex(seal))
        self.count += 1

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """The seals as an export writes them, table by table in the order given."""
        for table, (rows, audits, seals) in self.tables.items():
            for i, (rid, aid) in enumerate(zip(rows, audits, strict=True)):
                yield {
                    "tbl": table,
                    "row_id": rid,
                    "audit_id": aid,
                    "hash": seals[32 * i : 32 * i + 32].hex(),
                }

    def of(self, table: str) -> Iterator[tuple[int, int, bytes]]:
        """(row id, audit id, seal) of ``table``, in (row id, audit id) order."""
        rows, audits, seals = self.tables.get(table, (array("q"), array("q"), bytearray()))
        order: Iterable[int] = range(len(rows))
        pairs = list(zip(rows, audits, strict=True))
        if any(pairs[i] >= pairs[i + 1] for i in range(len(pairs) - 1)):
            order = sorted(order, key=pairs.__getitem__)
        for i in order:
            yield rows[i], audits[i], bytes(seals[32 * i : 32 * i + 32])


def not_a_seal(number: int) -> ValidationError:
    """The error for a seal row that is not an object of the seal columns."""
    return ValidationError(
        f"{SEALS} row {number}", f"must be an object with {', '.join(SEAL_COLUMNS)}"
    )


def from_json_rows(rows: Any) -> FileSeals:
    """The seals of a JSON export's ``record_seal`` list (objects with SEAL_COLUMNS)."""
    if not isinstance(rows, list):
        raise ValidationError(f"tables.{SEALS}", "must be a list of rows")
    out = FileSeals()
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or set(row) != set(SEAL_COLUMNS):
            raise not_a_seal(number)
        out.add(number, *(row[c] for c in SEAL_COLUMNS))
    return out


def from_csv_rows(rows: Iterator[list[str]]) -> FileSeals:
    """The seals of a CSV export's ``record_seal.csv`` (header row first)."""
    out = FileSeals()
    header = next(rows, None)
    if header is None:
        return out
    if [h.strip().lstrip("\ufeff") for h in header] != list(SEAL_COLUMNS):
        raise ValidationError(f"{SEALS}.csv", f"the columns must be {', '.join(SEAL_COLUMNS)}")
    for number, row in enumerate(rows, start=1):
        if len(row) != len(SEAL_COLUMNS):
            raise ValidationError(f"{SEALS}.csv row {number}", "must have 4 cells")
        tbl, row_id, audit_id, seal = row
        ids = [int(v) if v.isdigit() and len(v) < 20 else None for v in (row_id, audit_id)]
        out.add(number, tbl, ids[0], ids[1], seal)
    return out


def export_rows(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """The database's seals as an export writes them."""
    return [
        {"tbl": t, "row_id": r, "audit_id": a, "hash": bytes(h).hex()}
        for t, r, a, h in kept_seals(conn)
    ]


class _Found:
    def __init__(self) -> None:
        self.names: list[str] = []
        self.total = 0

    def add(self, table: str, row_id: int, what: str) -> None:
        self.total += 1
        if len(self.names) < MAX_NAMED:
            self.names.append(f"{table} {row_id} ({what})")


def _claims(audit: Sequence[Any]) -> tuple[dict[int, tuple[Any, Any]], int]:
    """What each file audit row says it sealed (count, digest), and the last row below
    which audit rows came from a file imported before (their seals stayed behind)."""
    claims: dict[int, tuple[Any, Any]] = {}
    carried = 0
    for a in audit:
        text = a.detail
        # A detail that names neither key (nor could, escaped: no backslash) is not
        # parsed: most audit rows (a session saved) say nothing about seals or imports.
        if type(text) is str and "seal" not in text and a.action != "import" and "\\" not in text:
            continue
        try:
            detail = json.loads(text)
        except (TypeError, ValueError):
            continue
        if not isinstance(detail, dict):
            continue
        if detail.get("seal") is not None:
            claims[a.id] = (detail.get("sealed"), detail["seal"])
        copied = detail.get("audit_rows_copied")
        if a.action == "import" and a.entity == "database" and isinstance(copied, int):
            if copied > 0:
                carried = max(carried, a.id)
    return claims, carried


def rows_match_seals(
    conn: sqlite3.Connection,
    seals: FileSeals | None,
    audit: Sequence[Any],
    import_audit_id: int | None = None,
    written: Callable[[str], Iterator[tuple[int, bytes]]] | None = None,
) -> bool:
    """After a new database received the file's rows and audit log: whether the rows
    were compared with the file's seals (False: the file has none); refuses a mismatch.

    ``import_audit_id``: the import's own audit row, once written: its seals (made from
    the rows as written, in a second process or in SQL) are compared, not recomputed.
    ``written(table)``: those same seals ((id, seal) in id order) where the caller
    still holds them, instead of reading them back from ``record_seal``."""
    if seals is None:
        return False
    if written is not None:
        compare_rows(written, seals, audit)
    else:
        compare(conn, seals, audit, import_audit_id)
    return True


def _written_seals(
    conn: sqlite3.Connection, table: str, import_audit_id: int | None
) -> Iterator[tuple[int, bytes]]:
    """(id, seal) of each row of ``table`` as written, in id order."""
    if import_audit_id is None:
        return sealed_rows(conn, table, columns(conn, table))
    return (
        (int(rid), bytes(seal))
        for rid, seal in conn.execute(
            "SELECT row_id, hash FROM record_seal WHERE tbl = ? AND audit_id = ? ORDER BY row_id",
            (table, import_audit_id),
        )
    )


def compare(
    conn: sqlite3.Connection,
    seals: FileSeals,
    audit: Sequence[Any],
    import_audit_id: int | None = None,
) -> None:
    """Refuse (ValidationError, one line) unless every record row just written (with the
    file's ids) matches the newest seal the file gives it, and the seals under each
    audit row are the ones its digest names. The caller's transaction is rolled back."""
    compare_rows(lambda table: _written_seals(conn, table, import_audit_id), seals, audit)


def compare_rows(
    rows_of: Callable[[str], Iterator[tuple[int, bytes]]],
    seals: FileSeals,
    audit: Sequence[Any],
    exact_rows_of: Callable[[str], Iterator[tuple[int, bytes]]] | None = None,
) -> None:
    """:func:`compare` of the rows ``rows_of(table)`` gives ((id, seal) in id order):
    the rows written, or (a merge) the file's rows sealed before anything is written.
    A table whose rows differ is asked again, of ``exact_rows_of`` when given (seals
    made by SQL's own form: a shortcut's seal never refuses a row by itself)."""
    found = _Found()
    hashers: dict[int, Any] = {}
    counts: dict[int, int] = {}
    for table in sorted(RECORD_TABLES):
        if not _all_match(table, rows_of(table), seals, hashers, counts):
            rows = (exact_rows_of or rows_of)(table)
            _merge(table, rows, seals.of(table), hashers, counts, found)
    claims, carried = _claims(audit)
    for aid in sorted(set(hashers) | {a for a in claims if a > carried}):
        claim = claims.get(aid)
        if claim is None or aid not in hashers:
            found.add("audit_log", aid, "its seals are missing" if claim else "not a sealing row")
        elif claim != (counts[aid], hashers[aid].hexdigest()):
            found.add("audit_log", aid, "its seals' digest differs")
    if found.total:
        what = "1 row of the file does" if found.total == 1 else f"{found.total:,} rows do"
        more = found.total - len(found.names)
        raise ValidationError(
            "import",
            f"nothing was imported: {what} not match the seal its audit log recorded"
            f" (changed after it was written): {', '.join(found.names)}"
            + (f" and {more:,} more" if more > 0 else ""),
        )


def _all_match(
    table: str,
    rows: Iterator[tuple[int, bytes]],
    seals: FileSeals,
    hashers: dict[int, Any],
    counts: dict[int, int],
) -> bool:
    """The common case, compared whole: the file gives each row written one seal, in
    id order, and each is the seal written (then each seal counts for its audit row's
    digest, as :func:`_merge` counts it). False, and nothing counted, otherwise: the
    row-by-row walk then names what differs."""
    ids, audits, file_seals = seals.tables.get(table, (array("q"), array("q"), bytearray()))
    written_ids, written = array("q"), bytearray()
    for rid, seal in rows:
        written_ids.append(rid)
        written += seal
    if written_ids != ids or written != file_seals:
        return False
    for i, aid in enumerate(audits):  # (ids equal to the written ids: one seal a row)
        hasher = hashers.get(aid)
        if hasher is None:
            hasher = hashers[aid] = hashlib.sha256()
        hasher.update(file_seals[32 * i : 32 * i + 32])
        counts[aid] = counts.get(aid, 0) + 1
    return True


def _merge(
    table: str,
    rows: Iterator[tuple[int, bytes]],
    seals: Iterator[tuple[int, int, bytes]],
    hashers: dict[int, Any],
    counts: dict[int, int],
    found: _Found,
) -> None:
    """Walk ``table``'s rows and its file seals side by side, both in id order."""
    row = next(rows, None)
    seal = next(seals, None)
    while row is not None or seal is not None:
        if seal is None or (row is not None and row[0] < seal[0]):
            assert row is not None
            found.add(table, row[0], "added")
            row = next(rows, None)
            continue
        rid, latest = seal[0], b""
        while seal is not None and seal[0] == rid:
            _, aid, latest = seal
            hashers.setdefault(aid, hashlib.sha256()).update(latest)
            counts[aid] = counts.get(aid, 0) + 1
            seal = next(seals, None)
        if row is not None and row[0] == rid:
            if row[1] != latest:
                found.add(table, rid, "altered")
            row = next(rows, None)
        elif latest != removal_seal(table, rid):
            found.add(table, rid, "removed")
