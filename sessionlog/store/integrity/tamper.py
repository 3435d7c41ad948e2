"""Finding tampering: record rows that no longer match their seals, and missing triggers.

``check`` and ``audit verify`` run :func:`findings` after walking the audit chain. Each
record row's seal is recomputed (``seal.py``) and compared with the newest seal kept
for it; every audit row's digest of the seals it wrote is recomputed too, so a seal
cannot be changed, added or removed without the chain breaking. The triggers are
compared with the ones the schema's migrations create. Every finding names its row.

Over a clinic of 100,000 sessions (about 1.4 million record rows) this reads each
table once in id order and hashes every row: see README ("What `check` proves").
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .seal import RECORD_TABLES, columns, digest, not_utf8, removal_seal, sealed_rows
from .triggers import CACHE_PREFIX, applied_migrations, expected_objects, plain


@dataclass(frozen=True)
class Finding:
    """One thing found, in words that name the row (``table`` and ``row_id``)."""

    table: str
    row_id: int | None
    text: str
    not_utf8: tuple[str, ...] = ()  # the row's columns whose text is not valid UTF-8


def trigger_findings(conn: sqlite3.Connection) -> list[Finding]:
    """Triggers and views missing, altered or added, and indexes missing or altered,
    against the schema's migrations (a view rewritten can hide records; an index
    added changes no answer, and SQLite makes its own for UNIQUE columns). The outcome
    cache's triggers are the cache's own business (store/outcomes/edits.py)."""
    applied = frozenset(applied_migrations(conn))
    out = []
    for kind in ("trigger", "view", "index"):
        found = {
            name: plain(sql or "")
            for name, sql, table in conn.execute(
                "SELECT name, sql, tbl_name FROM sqlite_master WHERE type = ? AND sql IS NOT NULL",
                (kind,),
            )
            if kind != "trigger" or not table.startswith(CACHE_PREFIX)
        }
        expected = expected_objects(applied, kind)
        if kind == "trigger":
            expected = {n: s for n, s in expected.items() if not n.startswith(CACHE_PREFIX)}
        for name, sql in sorted(expected.items()) if kind != "trigger" else expected.items():
            if name not in found:
                out.append(Finding(kind, None, f"the {kind} {name} is missing (dropped)"))
            elif found[name] != sql:
                out.append(Finding(kind, None, f"the {kind} {name} was altered"))
        if kind == "index":
            continue
        for name in sorted(set(found) - set(expected)):
            out.append(Finding(kind, None, f"the {kind} {name} is not sessionlog's (added)"))
    return out


def _claims(conn: sqlite3.Connection) -> tuple[dict[int, tuple[int, str]], int]:
    """What each audit row says it sealed (count, digest), and the id below which audit
    rows came from an imported file (their seals stayed in the file's database)."""
    claims = {
        rid: (int(n), str(d))
        for rid, n, d in conn.execute(
            "SELECT id, json_extract(detail, '$.sealed'), json_extract(detail, '$.seal')"
            " FROM audit_log WHERE detail LIKE '%\"seal\":%'"
            " AND json_extract(detail, '$.seal') IS NOT NULL"
        )
    }
    carried = conn.execute(
        "SELECT coalesce(max(id), 0) FROM audit_log WHERE action = 'import'"
        " AND entity = 'database' AND json_extract(detail, '$.audit_rows_copied') > 0"
    ).fetchone()[0]
    return claims, carried


def seal_findings(conn: sqlite3.Connection) -> list[Finding]:
    """Audit rows whose seals are not the ones they wrote (seal rows changed, added or
    removed), and seals under no audit row."""
    claims, carried = _claims(conn)
    last_audit = conn.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0]
    out: list[Finding] = []
    seen: set[int] = set()

    def close(audit_id: int, n: int, h: str) -> None:
        seen.add(audit_id)
        claim = claims.get(audit_id)
        if claim is None and audit_id > last_audit:
            out.append(
                Finding(
                    "audit_log",
                    audit_id,
                    f"audit row {audit_id} was removed: {n:,} record seal"
                    f"{'s still name' if n != 1 else ' still names'} it"
                    " (the audit log was cut short)",
                )
            )
        elif claim is None:
            out.append(
                Finding(
                    "audit_log",
                    audit_id,
                    f"{n:,} record seal{'s name' if n != 1 else ' names'} audit row {audit_id},"
                    " which sealed nothing: seals were added outside sessionlog",
                )
            )
        elif claim != (n, h):
            out.append(
                Finding(
                    "audit_log",
                    audit_id,
                    f"the seals written with audit row {audit_id} were changed"
                    + (
                        f" ({n:,} found, {claim[0]:,} written)"
                        if n != claim[0]
                        else " (they no longer match the digest it holds)"
                    ),
                )
            )

    current, count, block = None, 0, bytearray()
    for audit_id, seal in conn.execute(
        "SELECT audit_id, hash FROM record_seal ORDER BY audit_id, tbl, row_id"
    ):
        if audit_id != current:
            if current is not None:
                close(current, count, digest([bytes(block)]))
            current, count, block = audit_id, 0, bytearray()
        count += 1
        block += seal
    if current is not None:
        close(current, count, digest([bytes(block)]))
    for audit_id, (n, _) in sorted(claims.items()):
        if audit_id not in seen and audit_id > carried:
            out.append(
                Finding(
                    "audit_log",
                    audit_id,
                    f"audit row {audit_id} sealed {n:,} record row{'s' if n != 1 else ''}"
                    " whose seals are gone",
                )
            )
    return [_what_it_recorded(conn, f) for f in out]


def _what_it_recorded(conn: sqlite3.Connection, found: Finding) -> Finding:
    """A finding about an audit row's seals, with what that row recorded (the record
    whose rows were changed or removed along with their seals)."""
    row = conn.execute(
        "SELECT action, entity, entity_id FROM audit_log WHERE id = ?", (found.row_id,)
    ).fetchone()
    if row is None:
        return found
    action, entity, entity_id = row
    what = f"{action} {entity}" + (f" {entity_id}" if entity_id is not None else "")
    return Finding(found.table, found.row_id, f"{found.text} (it recorded: {what})")


def _newest_seals(conn: sqlite3.Connection, table: str) -> Iterator[tuple[int, int, bytes]]:
    """(row id, audit id, seal) of each sealed row of ``table``: its newest seal."""
    last: tuple[int, int, bytes] | None = None
    for entry in conn.execute(
        "SELECT row_id, audit_id, hash FROM record_seal WHERE tbl = ? ORDER BY row_id, audit_id",
        (table,),
    ):
        if last is not None and entry[0] != last[0]:
            yield last
        last = entry
    if last is not None:
        yield last


def row_findings(conn: sqlite3.Connection, table: str) -> list[Finding]:
    """Rows of ``table`` changed since sealed, present without a seal, or removed."""
    out: list[Finding] = []
    cols = columns(conn, table)
    rows = sealed_rows(conn, table, cols)
    seals = _newest_seals(conn, table)
    pending = next(seals, None)

    def removed(entry: tuple[int, int, bytes]) -> None:
        rid, audit_id, seal = entry
        if seal != removal_seal(table, rid):
            out.append(
                Finding(table, rid, f"{table} {rid} was removed (audit row {audit_id} wrote it)")
            )

    for rid, actual in rows:
        while pending is not None and pending[0] < rid:
            removed(pending)
            pending = next(seals, None)
        if pending is None or pending[0] != rid:
            out.append(Finding(table, rid, f"{table} {rid} was added without an audit row"))
            continue
        _, audit_id, seal = pending
        pending = next(seals, None)
        if seal == actual:
            continue
        if seal == removal_seal(table, rid):
            what = f"was put back after audit row {audit_id} removed it"
        else:
            what = f"was changed after audit row {audit_id} wrote it"
        bad = tuple(not_utf8(conn, table, rid, cols))
        if bad:
            verb = "are" if len(bad) > 1 else "is"
            what += f" (its {', '.join(bad)} {verb} not valid UTF-8 text)"
        out.append(Finding(table, rid, f"{table} {rid} {what}", bad))
    while pending is not None:
        removed(pending)
        pending = next(seals, None)
    return out


def sealed(conn: sqlite3.Connection) -> bool:
    """Whether this database keeps seals (schema 0005 or later)."""
    return bool(
        conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'record_seal'"
        ).fetchone()
    )


def findings(conn: sqlite3.Connection) -> list[Finding]:
    """Everything tampered with that the file shows: triggers, seals, record rows.

    Read in one transaction: a save committed meanwhile (check runs on a database in
    use) is either wholly seen, rows, seals and audit row, or not at all."""
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    try:
        out = trigger_findings(conn)
        if sealed(conn):
            out += seal_findings(conn)
            for table in RECORD_TABLES:
                out += row_findings(conn, table)
        elif claimed := _claims(conn)[0]:
            out.append(
                Finding(
                    "record_seal",
                    None,
                    f"the record seals are gone: {len(claimed):,} audit rows sealed rows"
                    f" (the first, audit row {min(claimed):,}), but the table of seals was"
                    " dropped",
                )
            )
    finally:
        if own and conn.in_transaction:
            conn.execute("COMMIT")
    return out


def in_background(conn: sqlite3.Connection) -> Callable[[], list[Finding]]:
    """Start :func:`findings` on a connection of its own to the file of ``conn``; return
    the function that waits for them. They run while ``conn`` does SQLite's own checks
    (``integrity_check`` leaves the interpreter free): on two cores the 100,000-session
    check takes the longer of the two instead of their sum."""
    from ..db import BUSY_TIMEOUT_MS
    from ..file.cipher import connect_file

    path = next((str(r[2]) for r in conn.execute("PRAGMA database_list") if r[1] == "main"), "")
    if not path:
        return lambda: findings(conn)
    done: list[list[Finding]] = []

    def work() -> None:
        try:
            own = connect_file(f"file:{path}?mode=ro", BUSY_TIMEOUT_MS / 1000, uri=True)
        except Exception:
            return  # found again on the caller's connection
        try:
            done.append(findings(own))
        except sqlite3.Error:
            pass
        finally:
            own.close()

    worker = threading.Thread(target=work, name="sessionlog-check", daemon=True)
    worker.start()

    def wait() -> list[Finding]:
        worker.join()
        return done[0] if done else findings(conn)

    return wait


SHOWN = 20  # findings named one by one; the rest are counted


def problems(found: list[Finding]) -> list[str]:
    """The findings as ``check``'s problem sentences: the first ``SHOWN`` one by one."""
    lines = [f"{f.text}." for f in found[:SHOWN]]
    if len(found) > SHOWN:
        lines.append(f"... and {len(found) - SHOWN:,} more like these.")
    if found:
        lines.append(
            "Records were changed outside sessionlog: keep this file as evidence, compare it"
            " with a backup (`sessionlog check --against BACKUP`) and restore if needed."
        )
    return lines
