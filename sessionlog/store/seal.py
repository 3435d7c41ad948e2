"""Record seals: every record row bound into the audit chain by a hash of its content.

A row's seal is the SHA-256 of its canonical form: the JSON array ``[table, name, value,
name, value, ...]`` over the row's columns (read from the database, so a new column
needs no change here) in the order of their names, NULL columns left out (a later
migration that adds a nullable column changes no seal). Values keep SQLite's types:
an integer, a real (Python's shortest ``repr``) and a text are written differently.

When a change writes rows, the audit row describing it seals them: each new row gets a
``record_seal`` row (table, id, the audit row's id, the seal), and the audit row's
detail holds how many rows it sealed and the SHA-256 of their seals in (table, id)
order, which its own chained hash covers. ``health.py`` (via ``tamper.py``) recomputes
all of it. Only rows written in the writer's own transaction are sealed (the
transaction's starting ids are noted by :func:`begin`), so a row slipped in by another
program is never sealed by the next save: it stays visible to ``check``.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from itertools import islice
from typing import Any

# The tables that hold the record, in the order rows depend on each other. Declared
# once: the exchange's table list (store/bulk.py) and the checks derive from it.
RECORD_TABLES = (
    "practitioner",
    "patient",
    "episode",
    "session_record",
    "session",
    "site",
    "ims_finding",
    "follow_up",
    "adverse_event",
    "protocol",
)
MIGRATION = "0005_record_seals"

Marks = dict[str, int]


def _blob(value: object) -> object:
    if isinstance(value, bytes):
        return {"blob": value.hex()}
    raise TypeError(f"cannot seal a {type(value).__name__}")


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_blob).encode


def sealer(table: str, names: Sequence[str]) -> Any:
    """A function from a row (its values in ``names`` order) to its seal."""
    order = sorted(range(len(names)), key=names.__getitem__)
    pairs = [(names[i], i) for i in order]
    sha = hashlib.sha256

    def seal(row: Sequence[object]) -> bytes:
        parts: list[object] = [table]
        for name, i in pairs:
            value = row[i]
            if value is not None:
                parts.append(name)
                parts.append(value)
        return sha(_ENCODE(parts).encode("utf-8")).digest()

    return seal


def removal_seal(table: str, row_id: int) -> bytes:
    """The seal that says a row was removed by sessionlog (a replaced protocol)."""
    return hashlib.sha256(_ENCODE(["removed", table, row_id]).encode("utf-8")).digest()


def digest(seals: Iterable[bytes]) -> str:
    """The digest an audit row holds of the seals it wrote, given in (table, id) order."""
    h = hashlib.sha256()
    for seal in seals:
        h.update(seal)
    return h.hexdigest()


_MAX_IDS = "SELECT " + ", ".join(f"(SELECT coalesce(max(id), 0) FROM {t})" for t in RECORD_TABLES)
_MAX_SEALED = "SELECT " + ", ".join(
    f"(SELECT coalesce(max(row_id), 0) FROM record_seal WHERE tbl = '{t}')" for t in RECORD_TABLES
)

# The starting ids of each connection's open write transaction (sqlite3 connections
# cannot be weakly referenced: an entry lives from begin() to end()).
_OPEN: dict[int, Marks] = {}


def max_ids(conn: sqlite3.Connection) -> Marks:
    """The highest id in each record table."""
    return dict(zip(RECORD_TABLES, conn.execute(_MAX_IDS).fetchone(), strict=True))


def max_sealed(conn: sqlite3.Connection) -> Marks:
    """The highest sealed id of each record table (a removed protocol's included)."""
    return dict(zip(RECORD_TABLES, conn.execute(_MAX_SEALED).fetchone(), strict=True))


def begin(conn: sqlite3.Connection) -> None:
    """Note where the record tables end as a write transaction begins on ``conn``."""
    _OPEN[id(conn)] = max_ids(conn)


def end(conn: sqlite3.Connection) -> None:
    """The write transaction on ``conn`` is over (committed or rolled back)."""
    _OPEN.pop(id(conn), None)


def _rows_after(conn: sqlite3.Connection, table: str, after: int) -> Iterator[tuple[int, bytes]]:
    cur = conn.execute(f"SELECT * FROM {table} WHERE id > ? ORDER BY id", (after,))
    names = [d[0] for d in cur.description]
    seal, at = sealer(table, names), names.index("id")
    for row in cur:
        yield row[at], seal(row)


def _starts(conn: sqlite3.Connection, since: Mapping[str, int]) -> dict[str, int]:
    """Per table, the id after which rows are to be sealed (None: nothing new)."""
    now = conn.execute(
        "SELECT "
        + ", ".join(
            f"(SELECT coalesce(max(id), 0) FROM {t}),"
            f" (SELECT coalesce(max(row_id), 0) FROM record_seal WHERE tbl = '{t}')"
            for t in RECORD_TABLES
        )
    ).fetchone()
    starts = {}
    for i, table in enumerate(RECORD_TABLES):
        top, sealed = now[2 * i], now[2 * i + 1]
        after = max(since.get(table, top), sealed)
        if top > after:
            starts[table] = after
    return starts


CHUNK = 5_000  # seals per executemany call: an import's are never all held at once


def seal_rows(
    conn: sqlite3.Connection,
    since: Mapping[str, int] | None,
    removed: Sequence[tuple[str, int]],
    audit_id: int,
) -> tuple[int, str]:
    """Seal, under the audit row ``audit_id`` (about to be written), the rows written
    after ``since`` (ids per table; None: none) that have no seal yet, and the
    ``removed`` (table, id) rows. Returns how many and their digest, in (table, id)
    order, streamed: an import's rows are read and sealed a chunk at a time."""
    starts = _starts(conn, since) if since is not None else {}
    gone: dict[str, list[tuple[int, bytes]]] = {}
    for table, rid in removed:
        gone.setdefault(table, []).append((rid, removal_seal(table, rid)))
    h = hashlib.sha256()
    count = 0
    for table in sorted(set(starts) | set(gone)):
        rows: Iterable[tuple[int, bytes]] = sorted(gone.get(table, []))
        if table in starts:
            rows = heapq.merge(_rows_after(conn, table, starts[table]), rows)
        it = iter(rows)
        while chunk := list(islice(it, CHUNK)):
            for _, seal in chunk:
                h.update(seal)
            count += len(chunk)
            conn.executemany(
                "INSERT INTO record_seal (tbl, row_id, audit_id, hash) VALUES (?, ?, ?, ?)",
                [(table, rid, audit_id, seal) for rid, seal in chunk],
            )
    return count, h.hexdigest()


def seal_pending(
    conn: sqlite3.Connection, removed: Sequence[tuple[str, int]], audit_id: int
) -> tuple[int, str]:
    """What an audit row about to be appended on ``conn`` seals: the rows its transaction
    wrote (none when no transaction was begun through :func:`begin`), and ``removed``."""
    since = _OPEN.get(id(conn))
    if since is None and not removed:
        return 0, ""
    return seal_rows(conn, since, removed, audit_id)


def seal_existing(conn: sqlite3.Connection, *, at: str, reason: str) -> int:
    """Seal every record row that has no seal yet, with one audit row saying so (none
    when there is nothing to seal). The caller holds the transaction. Returns how many
    rows were sealed. For the migration that introduced seals and for generated data."""
    from . import audit

    last = conn.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0]
    count, digest_hex = seal_rows(conn, {t: 0 for t in RECORD_TABLES}, (), last + 1)
    if not count:
        return 0
    audit.append(
        conn,
        at=at,
        actor_id=None,
        action="seal",
        entity="database",
        entity_id=None,
        detail={"reason": reason},
        sealed=(count, digest_hex),
    )
    return count


def migrate(conn: sqlite3.Connection) -> None:
    """The Python half of migration 0005: seal the rows of an existing database once."""
    seal_existing(
        conn,
        at=datetime.now().replace(microsecond=0).isoformat(sep=" "),
        reason=(
            "schema 0005: the record rows already here were sealed as they stood when"
            " this sessionlog first opened the database"
        ),
    )
