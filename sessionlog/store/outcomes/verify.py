"""Whether the outcome cache is what the records give: ``check`` computes it again.

The cache is derived, so the one proof that a row of it was not edited is to compute it
from the records and compare. Its note of writes (``outcome_edited``, schema 0022) and
its counts' agreement (:mod:`.sound`) are read before every comparison, in microseconds,
but a hand that empties the note after its edit (or drops a trigger, edits, and puts the
trigger back) leaves both silent (review16), and the comparisons then show figures that
are not the records'. ``check`` has the seconds a build takes: :func:`differences`
builds the cache again on check's own read-only connection, into temporary tables of
the same names (they hide the file's, so the build's own SQL writes them, and nothing
is written to the file), and counts the rows that differ.

A cache behind its records (sessions or follow-ups saved since, by a command that does
not refresh it) is compared as the next refresh will leave it: that refresh recomputes
the patients with newer rows and keeps the others' rows and counts, less the rows it
takes out. So the rows of those patients' records are taken as kept, the others'
recomputed, and the counts of both compared with the kept counts. A cache due to be
rebuilt whole (none yet, an upgrade, most patients changed, a write noted) is not
compared: nothing of it will be read.
"""

from __future__ import annotations

import re
import sqlite3

from . import cache as outcome_cache
from . import counts as outcome_counts
from . import points as outcome_points
from . import sound
from .points import DIRTY

_REAL_TOLERANCE = 1e-9  # relative: sums counted in and out in another order
_KEPT = f"record_id IN (SELECT record_id FROM main.session WHERE patient_id IN {DIRTY})"


def differences(conn: sqlite3.Connection) -> dict[str, int] | None:
    """{table of the cache: rows that are not what the records give} ({} when all
    agree); None when the cache is not compared (a whole build is due) or cannot be
    computed here (a table of it missing or altered: the schema's checks say so)."""
    try:
        if sound.unsound_groups(conn):
            return None  # (check notes it: the next comparison rebuilds the cache)
        meta = outcome_cache.state(conn)[0]
        full, _ = outcome_cache.find_dirty(conn, meta)
        if full:
            return None
        _shadow(conn)
        try:
            found = _compare(conn)
        finally:
            _unshadow(conn)
        if meta.get("latest_at", "") != _latest(conn, meta):
            found["outcome_meta"] = 1
        return found
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.execute("DROP TABLE IF EXISTS temp.outcome_dirty")
        outcome_points.drop_temp_tables(conn)


def _latest(conn: sqlite3.Connection, meta: dict[str, str]) -> str:
    """The time of the latest session or follow-up up to the cache's marks: what each
    refresh keeps as ``latest_at`` (the newest it has seen, never lowered)."""
    return str(
        conn.execute(
            "SELECT max(coalesce((SELECT max(started_at) FROM main.session WHERE id <= ?), ''),"
            " coalesce((SELECT max(at) FROM main.follow_up WHERE id <= ?), ''))",
            (int(meta.get("session_mark", 0)), int(meta.get("follow_up_mark", 0))),
        ).fetchone()[0]
    )


def _shadow(conn: sqlite3.Connection) -> None:
    """Empty temporary tables (and indexes) named as the cache's, made as the file's."""
    _unshadow(conn)
    names = ", ".join(f"'{t}'" for t in outcome_cache.CACHE_TABLES)
    for kind, name, sql in conn.execute(
        "SELECT type, name, sql FROM main.sqlite_master WHERE tbl_name IN"
        f" ({names}) AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type = 'index'"
    ).fetchall():
        temp = f"CREATE TEMP TABLE {name}" if kind == "table" else f"CREATE INDEX temp.{name}"
        made = re.sub(
            rf"^CREATE\s+{kind}\s+\"?{re.escape(name)}\"?", temp, sql, count=1, flags=re.IGNORECASE
        )
        if made == sql:
            raise sqlite3.DatabaseError(f"the {kind} {name} is not as sessionlog makes it")
        conn.execute(made)


def _unshadow(conn: sqlite3.Connection) -> None:
    for table in outcome_cache.CACHE_TABLES:
        conn.execute(f"DROP TABLE IF EXISTS temp.{table}")


def _compare(conn: sqlite3.Connection) -> dict[str, int]:
    windows = outcome_cache.CACHED_WINDOWS
    outcome_points.compute(conn, windows, everyone=True, target="temp.outcome_session")
    outcome_points.drop_temp_tables(conn)
    conn.execute(f"DELETE FROM temp.outcome_session WHERE {_KEPT}")
    conn.execute(
        f"INSERT INTO temp.outcome_session SELECT * FROM main.outcome_session WHERE {_KEPT}"
    )
    # (the unqualified names the counts write are the temporary tables: they come first)
    outcome_counts.count(conn, windows, "temp.outcome_session", "true", 1)
    outcome_counts.drop_empty_groups(conn)
    outcome_counts.count_dose_groups(conn, 0)
    found = {}
    for table in outcome_cache.CACHE_TABLES:
        n = _differing(conn, table)
        if n:
            found[table] = n
    return found


def _differing(conn: sqlite3.Connection, table: str) -> int:
    """How many rows of ``table`` are in one of the file's and the recomputed, not both
    (a REAL within :data:`_REAL_TOLERANCE` of the other counts as the same)."""
    info = conn.execute(f"SELECT name, type, pk FROM main.pragma_table_info('{table}')").fetchall()
    keys = [name for name, _, pk in sorted(info, key=lambda r: r[2]) if pk]
    if not keys:
        raise sqlite3.DatabaseError(f"the table {table} has no key")
    differ = [f"a.{keys[0]} IS NULL", f"b.{keys[0]} IS NULL"]
    for name, kind, pk in info:
        if pk:
            continue
        if kind.upper() == "REAL":
            differ.append(
                f"NOT (a.{name} IS b.{name} OR abs(a.{name} - b.{name}) <= {_REAL_TOLERANCE}"
                f" * max(1.0, abs(a.{name}), abs(b.{name})))"
            )
        else:
            differ.append(f"a.{name} IS NOT b.{name}")
    on = " AND ".join(f"a.{k} = b.{k}" for k in keys)
    return int(
        conn.execute(
            f"SELECT count(*) FROM main.{table} a FULL JOIN temp.{table} b ON {on}"
            f" WHERE {' OR '.join(differ)}"
        ).fetchone()[0]
    )


def describe(found: dict[str, int]) -> str:
    """The tables and rows found, for a sentence: 'outcome_session: 1 row'."""
    return ", ".join(f"{t}: {n:,} row{'s' if n != 1 else ''}" for t, n in sorted(found.items()))
