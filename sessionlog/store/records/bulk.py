"""Reading whole tables and writing many rows at once: the SQL behind export and import.

Import writes every table with ``executemany`` inside one ``BEGIN IMMEDIATE``
transaction, with one audit row for the whole import: all of it is saved or none of
it. The append-only triggers stay on (they refuse updates and deletes, not inserts).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from ..integrity import audit, seal
from ..integrity.seal import RECORD_TABLES
from ..integrity.sealahead import Batch, SealsAhead, seals_of

# Tables this module may name in SQL: the exported ones (names never come from a file).
KNOWN_TABLES = (*RECORD_TABLES, "audit_log")
CHUNK = 5_000  # rows per executemany call, so a progress bar can move


def _known(table: str) -> str:
    if table not in KNOWN_TABLES:
        raise ValueError(f"not an exported table: {table}")
    return table


def _columns_sql(columns: Sequence[str]) -> str:
    for c in columns:
        if not c.isidentifier():
            raise ValueError(f"not a column name: {c!r}")
    return ", ".join(columns)


def read_table(
    conn: sqlite3.Connection, table: str, columns: Sequence[str]
) -> list[tuple[Any, ...]]:
    """Every row of ``table`` (the given columns), in id order."""
    sql = f"SELECT {_columns_sql(columns)} FROM {_known(table)} ORDER BY id"
    return conn.execute(sql).fetchall()


def schema_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    """The columns the database itself has for ``table`` (to check the format is complete)."""
    return [r[1] for r in conn.execute(f"PRAGMA table_info({_known(table)})")]


def all_tables(conn: sqlite3.Connection) -> list[str]:
    """The names of the database's own tables (SQLite's and the migrations' left out)."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlite_%' ORDER BY name"
        )
    ]


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    """The names of the schema migrations applied to this database, in order."""
    try:
        return [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    except sqlite3.OperationalError:
        return []


def max_ids(conn: sqlite3.Connection) -> dict[str, int]:
    """The highest id in use per table (0 for an empty table); an id sessionlog removed
    (a replaced protocol) counts as in use: its seal says it is gone."""
    ids = {
        t: conn.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0] for t in KNOWN_TABLES
    }
    for table, sealed in seal.max_sealed(conn).items():
        ids[table] = max(ids[table], sealed)
    return ids


def existing_keys(conn: sqlite3.Connection) -> dict[str, Any]:
    """What an import matches against: one query per table, never one per row."""
    return {
        "practitioner": {
            (name, prof, cred): pid
            for pid, name, prof, cred in conn.execute(
                "SELECT id, name, profession, credential FROM practitioner ORDER BY id DESC"
            )
        },
        "patient": {
            r[1]: r for r in conn.execute("SELECT id, chart_id, name, birth_year, sex FROM patient")
        },
        "episode": {
            (pid, complaint, region, on): eid
            for eid, pid, complaint, region, on in conn.execute(
                "SELECT id, patient_id, complaint, body_region, started_on FROM episode"
                " ORDER BY id DESC"
            )
        },
        "patient_contact": {
            (pid, contact, at): cid
            for cid, pid, contact, at in conn.execute(
                "SELECT id, patient_id, contact, at FROM patient_contact"
            )
        },
        "session_record": dict(conn.execute("SELECT uid, id FROM session_record")),
        "protocol": {
            (pid, name): rid
            for rid, pid, name in conn.execute("SELECT id, practitioner_id, name FROM protocol")
        },
        "superseded_follow_up": {
            r[0]
            for r in conn.execute(
                "SELECT supersedes_id FROM follow_up WHERE supersedes_id IS NOT NULL"
            )
        },
    }


def insert_rows(
    conn: sqlite3.Connection,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    progress: Callable[[int], None] | None = None,
) -> None:
    """Insert ``rows`` into ``table`` with executemany; the caller holds the transaction
    (``with store.write() as conn``). ``progress`` is told how many rows went in.
    ``rows`` may be an iterator: it is read a chunk at a time, never held whole."""
    sql = (
        f"INSERT INTO {_known(table)} ({_columns_sql(columns)})"
        f" VALUES ({', '.join('?' * len(columns))})"
    )
    rows = iter(rows)
    while chunk := list(islice(rows, CHUNK)):
        conn.executemany(sql, chunk)
        if progress:
            progress(len(chunk))


def copy_audit(conn: sqlite3.Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """Copy audit rows (``id, at, actor_id, action, entity, entity_id, detail,
    prev_hash, hash``) as they are: their hashes still chain."""
    conn.executemany(
        "INSERT INTO audit_log (id, at, actor_id, action, entity, entity_id, detail,"
        " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def record_event(
    conn: sqlite3.Connection,
    at: str,
    actor_id: int | None,
    action: str,
    detail: dict[str, Any],
    sealed: tuple[int, str] | None = None,
) -> None:
    """Append the audit row of a whole-database event (an import) inside the caller's
    transaction; ``sealed``: (count, digest) of seals already written under its id."""
    audit.append(
        conn,
        at=at,
        actor_id=actor_id,
        action=action,
        entity="database",
        entity_id=None,
        detail=detail,
        sealed=sealed,
    )


def next_audit_id(conn: sqlite3.Connection) -> int:
    """The id the next audit row gets (``audit.append`` numbers it so)."""
    last = conn.execute("SELECT id FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return last[0] + 1 if last else 1


def seals_ahead(
    conn: sqlite3.Connection, batches: Sequence[Batch], counts: Mapping[str, int]
) -> SealsAhead | None:
    """A second process sealing the rows of ``batches`` (table, columns, rows about to
    be inserted) while they are written; None for a small import."""
    return SealsAhead.start(conn, batches, counts)


def seals_before_writing(
    conn: sqlite3.Connection, batches: Sequence[Batch], *, exact: bool = False
) -> Iterator[tuple[str, list[tuple[int, bytes]]]]:
    """(table, [(id, seal) in id order]) for each of ``batches`` (table, columns, rows
    as they would be inserted, ids and all): the seals the rows would get, computed
    here, nothing written (a merge compares a file's rows with its seals first).
    ``exact``: built by SQLite's own form, never the Python shortcut (sealahead.py)."""
    for table, order, rows in batches:
        yield _known(table), seals_of(conn, table, order, rows, exact=exact)


def empty_tables(conn: sqlite3.Connection) -> list[str]:
    """The exported tables that hold no row yet."""
    return [
        t
        for t in KNOWN_TABLES
        if conn.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {t})").fetchone()[0]
    ]


@contextmanager
def indexes_built_after(
    conn: sqlite3.Connection, tables: Sequence[str], *, partial: bool = True
) -> Iterator[None]:
    """Inside the caller's transaction: drop the secondary indexes of ``tables`` (tables
    about to be filled), let the caller insert, then create each index again from its
    own SQL in ``sqlite_master``. Building an index over rows already there is a sort,
    much faster than inserting into it row by row (measured at 100,000 sessions: the raw
    insert of every table 20.4 s with its indexes, 14.6 s with them built after).

    ``partial=False`` keeps partial indexes (``WHERE ...``) as they are: they take few
    of the rows, and building one reads them all. The UNIQUE constraints' own indexes
    cannot be dropped and stay. Nothing is skipped: the indexes exist again before the
    transaction commits, and if anything fails the rollback brings them back as they were.
    """
    if not conn.in_transaction:
        raise RuntimeError("indexes_built_after needs the caller's transaction")
    indexes = [
        (name, sql)
        for table in tables
        for name, sql in conn.execute(
            "SELECT il.name, m.sql FROM pragma_index_list(?) AS il"
            " JOIN sqlite_master AS m ON m.type = 'index' AND m.name = il.name"
            " WHERE il.origin = 'c' AND (? OR NOT il.partial) ORDER BY il.name",
            (table, partial),
        )
    ]
    for name, _ in indexes:
        # The name as SQL quotes an identifier (it comes from sqlite_master, not a file).
        conn.execute(f'DROP INDEX "{name.replace(chr(34), chr(34) * 2)}"')
    yield
    for _, sql in indexes:
        conn.execute(sql)


@contextmanager
def big_cache(conn: sqlite3.Connection, mib: int = 256) -> Iterator[None]:
    """A larger page cache (main and temporary database) while a large import or
    computation runs: its indexes, temporary tables and sorts then stay in memory
    (about a quarter faster at 500,000 sites). SQLite only takes the memory as pages
    are used; the usual sizes afterwards."""
    sizes = {db: conn.execute(f"PRAGMA {db}.cache_size").fetchone()[0] for db in ("main", "temp")}
    for db in sizes:
        conn.execute(f"PRAGMA {db}.cache_size = {-1024 * int(mib)}")
    try:
        yield
    finally:
        for db, size in sizes.items():
            conn.execute(f"PRAGMA {db}.cache_size = {int(size)}")
