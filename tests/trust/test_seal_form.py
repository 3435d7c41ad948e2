"""The canonical form a seal hashes: fixed, typed, and blind to later NULL columns."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sessionlog.store.file.health import check
from sessionlog.store.integrity.seal import canonical_sql, columns, seal_of


def canonical(conn: sqlite3.Connection, table: str, row_id: int) -> str:
    sql = canonical_sql(table, columns(conn, table))
    return str(conn.execute(f"SELECT {sql} FROM {table} WHERE id = ?", (row_id,)).fetchone()[0])


def test_the_form_is_the_table_and_its_non_null_columns_by_name(clinic_path: Path) -> None:
    conn = sqlite3.connect(clinic_path)
    assert canonical(conn, "patient", 2) == (
        '["patient","chart_id","C002","created_at","2026-11-22 10:00:00","id",2,'
        '"name","Cy Doe Ünal","sex","unknown"]'  # birth_year is NULL: left out
    )
    # Reals keep 17 digits and a decimal point; integers their digits; texts are JSON.
    text = canonical(conn, "site", 5)
    assert '"depth_unit","cun","depth_value",0.5,' in text
    assert '"estim_frequency_hz",2.5,' in text and '"insertions",1,' in text
    assert '"depth_value",22.5,' in canonical(conn, "site", 1)


def test_a_later_nullable_column_changes_no_seal(clinic_path: Path) -> None:
    """Issues 13 and 14 add columns in their own migrations: old rows keep their seals."""
    conn = sqlite3.connect(clinic_path, isolation_level=None)
    before = seal_of(conn, "session", 1)
    conn.execute("ALTER TABLE session ADD COLUMN later_note TEXT")
    conn.execute("ALTER TABLE site ADD COLUMN later_depth REAL")
    assert seal_of(conn, "session", 1) == before
    conn.close()
    assert [p for p in check(clinic_path).problems if "was changed" in p] == []


def test_declared_types_and_row_types_give_the_same_form(clinic_path: Path) -> None:
    """The form is built from the declared (STRICT) types for speed; asking each value's
    type (what a column of no declared type does) must give the very same text."""
    conn = sqlite3.connect(clinic_path)
    for table in ("session", "site", "follow_up", "patient"):
        cols = columns(conn, table)
        untyped = tuple((name, "", False) for name, _, _ in cols)
        fast = canonical_sql(table, cols)
        slow = canonical_sql(table, untyped)
        assert (
            conn.execute(f"SELECT {fast} FROM {table}").fetchall()
            == conn.execute(f"SELECT {slow} FROM {table}").fetchall()
        )
