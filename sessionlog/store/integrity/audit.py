"""The hash-chained audit log: every change, and every export, leaves a row.

Each row's hash covers its own content and the previous row's hash, so changing or
removing any row breaks every hash after it. Rows are written inside the same
transaction as the change they describe, and each seals the record rows that change
wrote (see ``seal.py``): its detail holds their number and digest, which its hash covers.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

GENESIS = "0" * 64
# What json.dumps(..., ensure_ascii=False, separators=(",", ":")) builds on every call,
# made once: an import checks the hash of every row of a file's audit log.
_PAYLOAD = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# And what append's json.dumps(detail, ..., sort_keys=True) built on every write.
_DETAIL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def row_hash(
    prev_hash: str,
    at: str,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    detail: str,
) -> str:
    """The hash of one audit row, chained to the one before it."""
    payload = _PAYLOAD.encode([prev_hash, at, actor_id, action, entity, entity_id, detail])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(
    conn: sqlite3.Connection,
    *,
    at: str,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    detail: dict[str, Any],
    removed: Sequence[tuple[str, int]] = (),
    sealed: tuple[int, str] | None = None,
) -> str:
    """Append one audit row; the caller holds the write transaction.

    The row seals the record rows its transaction wrote and the ``removed`` (table, id)
    rows (see ``seal.py``), or holds ``sealed`` (count, digest) for seals the caller
    wrote under its id: the count and digest join ``detail`` as ``sealed`` and ``seal``."""
    from . import seal

    last = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    rid, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    count, digest_hex = seal.seal_pending(conn, removed, rid) if sealed is None else sealed
    if count:
        detail = {**detail, "sealed": count, "seal": digest_hex}
    text = _DETAIL.encode(detail)
    digest = row_hash(prev, at, actor_id, action, entity, entity_id, text)
    conn.execute(
        "INSERT INTO audit_log (id, at, actor_id, action, entity, entity_id, detail, prev_hash,"
        " hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (rid, at, actor_id, action, entity, entity_id, text, prev, digest),
    )
    return digest


NOT_UTF8 = "its text is not valid UTF-8 (a byte changed on disk, or an edit outside sessionlog)"


@dataclass(frozen=True)
class ChainReport:
    rows: int
    broken_at: int | None  # id of the first row whose link is broken
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(conn: sqlite3.Connection) -> ChainReport:
    """Walk the chain from the first row; report the first broken link, if any."""
    prev = GENESIS
    count = rid = 0
    rows = conn.execute(
        "SELECT id, at, actor_id, action, entity, entity_id, detail, prev_hash, hash"
        " FROM audit_log ORDER BY id"
    )
    try:
        for row in rows:
            rid, at, actor, action, entity, entity_id, detail, prev_hash, digest = row
            count += 1
            if prev_hash != prev:
                return ChainReport(
                    count,
                    rid,
                    "it does not point at the row before it (a row was removed or inserted)",
                )
            if row_hash(prev_hash, at, actor, action, entity, entity_id, detail) != digest:
                return ChainReport(
                    count, rid, "its content does not match its hash (the row was altered)"
                )
            prev = digest
    except sqlite3.OperationalError as exc:  # Python's sqlite3 cannot decode the next row
        if not str(exc).startswith("Could not decode to UTF-8"):
            raise
        bad = conn.execute("SELECT min(id) FROM audit_log WHERE id > ?", (rid,)).fetchone()[0]
        return ChainReport(
            count + 1,
            bad,
            NOT_UTF8,
        )
    return ChainReport(count, None)
