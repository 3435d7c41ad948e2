"""The suite's one-step new databases (helpers_schema.py) are what the migrations make."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from helpers_schema import REAL_MIGRATE, fast_migrate, schema_of

from sessionlog.store import Store
from sessionlog.store import db as db_module


def _made_by(migrate: object, path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    migrate(conn)  # type: ignore[operator]
    return conn


def _without_times(tables: tuple) -> list:  # type: ignore[type-arg]
    """The rows, but when each migration was applied (the copy's are its own)."""
    return [
        (name, [r[:3] for r in rows] if name == "_sqlite_migrations" else list(rows))
        for name, _width, rows in tables
    ]


def test_a_new_database_gets_every_entry_and_row_the_migrations_make(tmp_path: Path) -> None:
    real = _made_by(REAL_MIGRATE, tmp_path / "real.db")
    fast = _made_by(fast_migrate, tmp_path / "fast.db")
    real_statements, real_rows = schema_of(real)
    fast_statements, fast_rows = schema_of(fast)
    assert sorted(fast_statements) == sorted(real_statements)
    assert len(real_statements) > 50  # (the whole schema: 97 entries at schema 0016)
    assert _without_times(fast_rows) == _without_times(real_rows)
    assert {r[0] for r in real_rows} >= {"_sqlite_migrations", "session", "audit_log"}
    for name, _width, _rows in real_rows:
        info = f'PRAGMA table_info("{name}")'
        assert fast.execute(info).fetchall() == real.execute(info).fetchall(), name
    assert fast.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert fast.execute("PRAGMA foreign_key_check").fetchall() == []


def test_the_suite_opens_new_files_through_it_and_old_ones_through_the_migrations(
    tmp_path: Path,
) -> None:
    assert db_module._migrate is fast_migrate  # (installed by tests/conftest.py)
    store = Store.open(tmp_path / "new.db")
    try:
        applied = store.conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
        assert applied == len(db_module.migration_files())
        # the header is stamped by the store as for any new file: ours, with an identity
        assert store.conn.execute("PRAGMA application_id").fetchone()[0] == db_module.APPLICATION_ID
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] != 0
    finally:
        store.close()
