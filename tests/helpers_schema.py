"""New test databases get the migrated schema in one step instead of migration by migration.

Opening a new file runs every migration in ``schema/``: 181 statements, 68 of them
``ALTER TABLE``, each of which makes SQLite read the whole schema again. That is about
100 ms per new database (0.1 s of the 0.2 s a typical store test takes), and the
suite makes well over a thousand of them. So each test process migrates one database
the real way, keeps what it ended with (every schema entry and every row the
migrations wrote), and gives each later new database exactly that in one transaction.

Only brand-new, empty files take this path, and only while the migrations are the
real ones: a test that replaces ``migration_files`` or ``split_sql`` (to build an old
schema, or to fail half-way) gets the real migrations, as does every sessionlog
started as a process of its own (the command-line, kill and concurrency tests).
``tests/test_fresh_schema.py`` holds the copy to the real thing, entry by entry and row
by row.
"""

from __future__ import annotations

import functools
import sqlite3
import tempfile
from pathlib import Path

from sessionlog.store import db as db_module

REAL_MIGRATE = db_module._migrate
_REAL_SPLIT = db_module.split_sql
_REAL_FILES = db_module.migration_files

# Created in this order: tables (and their rows, before any trigger could fire on
# them), then views, indexes and triggers, each kind in the order SQLite stored it.
_KINDS = ("table", "view", "index", "trigger")


Tables = tuple[tuple[str, int, tuple[tuple[object, ...], ...]], ...]  # (name, width, rows)


@functools.cache
def migrated() -> tuple[tuple[str, ...], Tables]:
    """(every schema statement, in creation order; every table's rows) of a database
    made by the real migrations."""
    with tempfile.TemporaryDirectory() as folder:
        conn = sqlite3.connect(Path(folder) / "migrated.db", isolation_level=None)
        try:
            conn.execute("PRAGMA foreign_keys = OFF")
            REAL_MIGRATE(conn)
            return schema_of(conn)
        finally:
            conn.close()


def schema_of(conn: sqlite3.Connection) -> tuple[tuple[str, ...], Tables]:
    """A database's schema statements (creation order) and the rows of each table."""
    entries = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL"
        " AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
    ).fetchall()
    if any(sql.upper().startswith("CREATE VIRTUAL") for _, _, sql in entries):
        raise NotImplementedError("a virtual table: its shadow tables cannot be copied as tables")
    statements = tuple(sql for kind in _KINDS for t, _, sql in entries if t == kind)
    tables = [name for t, name, _ in entries if t == "table"]
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
        tables.append("sqlite_sequence")
    rows = []
    for name in tables:
        width = len(conn.execute(f'SELECT * FROM "{name}" LIMIT 0').description)
        rows.append((name, width, tuple(sorted(conn.execute(f'SELECT * FROM "{name}"'), key=repr))))
    return statements, tuple(rows)


def fast_migrate(conn: sqlite3.Connection) -> None:
    """``db._migrate`` for the tests: a new, empty file gets :func:`migrated`'s schema
    and rows in one transaction; anything else (or swapped migrations) the real ones."""
    swapped = db_module.split_sql is not _REAL_SPLIT or db_module.migration_files is not _REAL_FILES
    if swapped or _has_schema(conn):
        REAL_MIGRATE(conn)
        return
    statements, tables = migrated()
    n_tables = len(tables) - any(name == "sqlite_sequence" for name, _, _ in tables)
    conn.execute("BEGIN IMMEDIATE")
    try:
        if not _has_schema(conn):  # (still empty now that this connection holds the lock)
            for sql in statements[:n_tables]:
                conn.execute(sql)
            for name, width, rows in tables:
                if rows:
                    marks = ", ".join("?" * width)
                    conn.executemany(f'INSERT INTO "{name}" VALUES ({marks})', rows)
            for sql in statements[n_tables:]:
                conn.execute(sql)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _has_schema(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0


def install() -> None:
    db_module._migrate = fast_migrate  # type: ignore[assignment]
