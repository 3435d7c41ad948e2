"""Whether a table of the outcome cache was written outside sessionlog (schema 0022).

Every write to a table of the cache (``outcome_meta``, ``outcome_session`` and the whole
clinic's counts) notes that table in ``outcome_edited``, through triggers of its own
(named ``<table>_edited_<insert|update|delete>``); sessionlog's refresh empties it at
its end, in the same transaction. A name found there is a write by someone else: a hand
edit, which may keep every count consistent (:mod:`.sound` cannot see it) or sit in a
row only a filtered comparison or a patient's progress reads. A trigger dropped,
altered or added on a table of the cache counts as such a write too: what it would have
noted is unknown. Both are read in microseconds (the flags, and the schema's triggers
against those the migrations create), so every reader of the cache asks before using it;
a refresh that finds either rebuilds the cache whole and puts the triggers back.

A whole build writes every table of the cache afresh inside one write transaction: it
takes the triggers off first (:func:`suspend`) and puts them back at its end
(:func:`resume`), before it commits. Nobody else can write meanwhile, and a trigger per
row written cost more than the rows (at 100,000 sessions 0.4 s of 0.6 s for the
patients' dose rows, 0.2 s of 0.4 s for the session rows; a table with triggers is also
emptied row by row, not at once).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from ..db import split_sql
from ..integrity.triggers import CACHE_PREFIX, applied_migrations, expected_triggers, plain

TABLE = "outcome_edited"
_MIGRATION = "0022_outcome_edited"
_FOUND_SQL = (  # the triggers on the cache's tables (those on the records are check's)
    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
    f" AND substr(tbl_name, 1, {len(CACHE_PREFIX)}) = '{CACHE_PREFIX}'"
)


def _expected(conn: sqlite3.Connection) -> dict[str, str] | None:
    """The cache's triggers as the migrations make them; None before schema 0022."""
    applied = frozenset(applied_migrations(conn))
    if _MIGRATION not in applied:
        return None
    return {n: s for n, s in expected_triggers(applied).items() if n.startswith(CACHE_PREFIX)}


def edited(conn: sqlite3.Connection) -> list[str]:
    """What was written outside sessionlog since its last refresh: the tables noted,
    and the cache's triggers dropped, altered or added (in words); [] when nothing."""
    expected = _expected(conn)
    if expected is None:
        return []
    found = {name: plain(sql or "") for name, sql in conn.execute(_FOUND_SQL)}
    said = [f"its trigger {n} dropped" for n in expected if n not in found]
    said += [f"its trigger {n} altered" for n in expected if n in found and found[n] != expected[n]]
    said += [f"a trigger {n} added" for n in sorted(set(found) - set(expected))]
    try:
        tables = [str(r[0]) for r in conn.execute(f"SELECT name FROM {TABLE} ORDER BY name")]
    except sqlite3.DatabaseError:
        return [f"{TABLE} dropped or altered", *said]
    return tables + said


def restore(conn: sqlite3.Connection) -> None:
    """Put back the flags' table and the cache's triggers as the migration makes them
    when they are not (inside the caller's write transaction)."""
    expected = _expected(conn)
    if expected is None:
        return
    found = dict(conn.execute(_FOUND_SQL).fetchall())
    try:
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({TABLE})")]
        table = conn.execute(
            "SELECT type FROM sqlite_master WHERE name = ?", (TABLE,)
        ).fetchone() == ("table",)
    except sqlite3.DatabaseError:
        columns, table = [], False
    if table and columns == ["name"] and {n: plain(s or "") for n, s in found.items()} == expected:
        return
    _drop_triggers(conn, found)
    if not table or columns != ["name"]:
        conn.execute(f"DROP VIEW IF EXISTS {TABLE}")
        conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
        conn.execute(_create_table())
    for sql in expected.values():
        conn.execute(sql)


def suspend(conn: sqlite3.Connection) -> dict[str, str]:
    """Drop the cache's triggers, whatever they are, inside the caller's write
    transaction, for a whole build that ends with :func:`resume` (nothing is noted
    meanwhile); returns them (name: SQL)."""
    if _expected(conn) is None:
        return {}
    found = dict(conn.execute(_FOUND_SQL).fetchall())
    _drop_triggers(conn, found)
    return found


def resume(conn: sqlite3.Connection, suspended: dict[str, str]) -> None:
    """Put back the triggers :func:`suspend` dropped when they were the migrations'
    (their very text), else as the migrations make them (:func:`restore`)."""
    expected = _expected(conn)
    if expected is None:
        return
    if {n: plain(s or "") for n, s in suspended.items()} == expected:
        for sql in suspended.values():
            conn.execute(sql)
    restore(conn)  # (and the table of notes, if it is not as made)


def _drop_triggers(conn: sqlite3.Connection, names: Iterable[str]) -> None:
    for name in names:  # (names from sqlite_master, quoted as identifiers)
        conn.execute(f'DROP TRIGGER "{name.replace(chr(34), chr(34) * 2)}"')


def clear(conn: sqlite3.Connection) -> None:
    """The cache is sessionlog's own again (the end of a refresh)."""
    if _expected(conn) is not None:
        conn.execute(f"DELETE FROM {TABLE}")


def _create_table() -> str:
    from ..db import migration_files

    (path,) = [p for p in migration_files() if p.stem == _MIGRATION]
    (create,) = [
        s for s in split_sql(path.read_text(encoding="utf-8")) if s.startswith("CREATE TABLE")
    ]
    return create


def describe(found: list[str]) -> str:
    """What :func:`edited` found, for a sentence (up to three)."""
    return ", ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
