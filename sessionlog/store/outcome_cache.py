"""The derived outcome cache (schema 0002): one row per session per slot, and its counts.

Computing relief by window for a whole clinic from the clinical tables takes seconds
at 100,000 sessions (every follow-up joined to its current session, the next session
found, the latest reading per window chosen). The cache keeps the answer in
``outcome_point``, with ``outcome_cell``, ``outcome_patient`` and the dose tables
counting it, so a comparison reads a few thousand rows.

Keeping it current needs no triggers: clinical rows are append-only, so every change
is a new ``session`` or ``follow_up`` row with a higher id. :func:`refresh` recomputes
the patients who have rows above the marks it stored last time, then moves the marks;
it runs before every outcome query. When there is no cache yet (a new or upgraded
database, a bulk import) or most patients changed, it builds everything at once:
the same SQL over all patients, with the cache tables' indexes made afresh at the
end (about a quarter of the time the previous build took: 7 s against 29 s at 100,000
sessions, side by side on a busy machine). :func:`rebuild` does that on demand; the
importer calls :func:`refresh` after an import, so the first comparison is instant.

This module decides what to recompute; :mod:`.outcome_points` computes the points
(:mod:`.outcome_latest` picks the reading per window) and :mod:`.outcome_counts` keeps
the counts. The SQL mirrors :mod:`sessionlog.analysis.readings` (same slots, same
choice of the latest reading); tests hold the two to the same answers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..analysis.stats import QUANTITIES
from ..analysis.windows import DEFAULT_WINDOWS, SORENESS_WINDOWS, Window
from ..errors import DatabaseError
from . import bulk, outcome_counts, outcome_points
from .outcome_clusters import GROUP_COLUMNS, grouped_sql, moments_sql, per_patient_sql
from .outcome_latest import slot_sql
from .outcome_points import DIRTY, family_sql

if TYPE_CHECKING:
    from .store import Store

__all__ = ["family_sql", "is_current", "rebuild", "refresh", "signature", "slot_sql"]

# A change here rebuilds every database's cache on its next use. 3: a bilateral site's
# insertions count on both sides. 4: per-patient sums for clustered intervals (0006).
# 5: time to loss of relief (slot 31) in binned days. 6: relief kept (0014).
DERIVATION_VERSION = 6
CACHE_TABLES = (
    "outcome_point",
    "outcome_cell",
    "outcome_total",
    "outcome_patient",
    "outcome_group",
    "outcome_dose",
    "outcome_dose_patient",
    "outcome_dose_group",
    "outcome_day",
)
CACHED_WINDOWS = DEFAULT_WINDOWS


def signature(windows: tuple[Window, ...] = CACHED_WINDOWS) -> str:
    """What the cached rows were computed with; a change means a full rebuild."""
    spans = ";".join(f"{w.after_h:g}:{w.until_h}" for w in windows + SORENESS_WINDOWS)
    return f"v{DERIVATION_VERSION}|{spans}"


# Patients per family (and technique) and slot, and the sums of their totals and
# products (outcome_clusters), change only by the dirty patients: each counts -1 with
# their old totals and +1 with their new ones.
_BY = {"family": "family, slot, patient_id", "technique": "technique, slot, patient_id"}
_PRESENCE = "INSERT INTO temp.outcome_presence " + " UNION ALL ".join(
    f"SELECT '{grouping}', * , {{sign}} FROM ("
    + per_patient_sql("outcome_patient", keys, f"patient_id IN {DIRTY}")
    + ")"
    for grouping, keys in _BY.items()
)
_APPLY_PRESENCE = (
    f"INSERT INTO outcome_group (grouping, key, slot, patients, {GROUP_COLUMNS})"
    f" SELECT grouping, key, slot, sum(sign), {moments_sql('sign * ')}"
    " FROM temp.outcome_presence WHERE true GROUP BY grouping, key, slot"
    " ON CONFLICT (grouping, key, slot) DO UPDATE SET patients = patients + excluded.patients, "
    + ", ".join(f"{c} = {c} + excluded.{c}" for c in GROUP_COLUMNS.split(", "))
)
_COUNT_GROUPS = tuple(
    f"INSERT INTO outcome_group (grouping, key, slot, patients, {GROUP_COLUMNS})"
    f" SELECT '{grouping}', * FROM ("
    + grouped_sql(per_patient_sql("outcome_patient", keys), keys.rsplit(", ", 1)[0])
    + ")"
    for grouping, keys in _BY.items()
)
# A refresh that would recompute more than this share of the patients (and more than
# FULL_MIN of them) rebuilds all: the same answer, without taking old points and counts
# out record by record. Below that, recomputing a few is cheaper.
FULL_SHARE, FULL_MIN = 0.3, 500
BUILD_CACHE_MIB = 64  # page cache (main and temp) while the cache is computed
Progress = Callable[[int], None]
STEPS = 6  # how many times a refresh calls its progress function (once per step)


def _state(conn: sqlite3.Connection) -> tuple[dict[str, str], int, int]:
    meta = dict(conn.execute("SELECT key, value FROM outcome_meta").fetchall())
    sessions = conn.execute("SELECT coalesce(max(id), 0) FROM session").fetchone()[0]
    follow_ups = conn.execute("SELECT coalesce(max(id), 0) FROM follow_up").fetchone()[0]
    return meta, sessions, follow_ups


def latest_record(conn: sqlite3.Connection) -> str:
    """The time of the clinic's latest session or follow-up, as the cache last saw it
    ('' for none): the day the windows' completeness is counted from."""
    row = conn.execute("SELECT value FROM outcome_meta WHERE key = 'latest_at'").fetchone()
    return row[0] if row else ""


def is_current(conn: sqlite3.Connection) -> bool:
    """True when the cache reflects every session and follow-up row."""
    meta, sessions, follow_ups = _state(conn)
    return (
        meta.get("signature") == signature()
        and meta.get("session_mark") == str(sessions)
        and meta.get("follow_up_mark") == str(follow_ups)
    )


def refresh(store: Store, progress: Progress | None = None) -> int:
    """Bring the cache up to date; returns how many patients were recomputed.

    Cheap when nothing changed; one write transaction otherwise (all or nothing).
    ``progress`` (if given) is called with 1 after each of :data:`STEPS` steps, e.g.
    a progress bar's ``update``. Raises :class:`DatabaseError` when the database cannot
    be written (read-only, or busy).
    """
    if is_current(store.conn):
        return 0
    try:
        with bulk.big_cache(store.conn, BUILD_CACHE_MIB), store.write() as conn:
            return _refresh(conn, progress or (lambda n: None))
    except sqlite3.OperationalError as exc:
        raise DatabaseError(f"the outcome cache cannot be updated ({exc})") from None
    finally:
        outcome_points.drop_temp_tables(store.conn)


def rebuild(store: Store, progress: Progress | None = None) -> int:
    """Recompute the whole cache from the clinical tables; returns the patients done.

    ``progress`` as for :func:`refresh`. (After an import, :func:`refresh` is enough:
    it rebuilds everything when most patients are new, and only theirs otherwise.)
    """
    with store.write() as conn:
        conn.execute("DELETE FROM outcome_meta")
    return refresh(store, progress)


def _refresh(conn: sqlite3.Connection, progress: Progress) -> int:
    meta, sessions, follow_ups = _state(conn)  # again, inside the write transaction
    full, patients = _find_dirty(conn, meta)
    if full:
        for table in CACHE_TABLES:
            conn.execute(f"DELETE FROM {table}")
    else:
        conn.execute(_PRESENCE.format(sign=-1))
        outcome_counts.count_dose_groups(conn, -1)
        outcome_counts.take_out(conn, outcome_points.slots(CACHED_WINDOWS))
    progress(1)
    outcome_points.compute(conn, CACHED_WINDOWS, everyone=full)
    progress(1)
    # A full build fills every cache table: their indexes are made once, at the end.
    with bulk.indexes_built_after(conn, CACHE_TABLES if full else (), partial=False):
        outcome_points.write(conn)
        progress(1)
        outcome_counts.add(conn)
        progress(1)
    progress(1)
    if full:
        for statement in _COUNT_GROUPS:
            conn.execute(statement)
    else:
        conn.execute(_PRESENCE.format(sign=1))
        conn.execute(_APPLY_PRESENCE)
        conn.execute("DELETE FROM outcome_group WHERE patients <= 0")
    outcome_counts.count_dose_groups(conn, 0 if full else 1)
    latest = max(
        x
        for x in (
            meta.get("latest_at", "") if not full else "",
            conn.execute("SELECT coalesce(max(started_at), '') FROM session").fetchone()[0],
            conn.execute(
                "SELECT coalesce(max(at), '') FROM follow_up WHERE id > ?",
                (0 if full else int(meta.get("follow_up_mark", 0)),),
            ).fetchone()[0],
        )
    )
    conn.executemany(
        "INSERT INTO outcome_meta (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [
            ("latest_at", latest),
            ("signature", signature()),
            ("session_mark", str(sessions)),
            ("follow_up_mark", str(follow_ups)),
        ],
    )
    conn.execute("DELETE FROM temp.outcome_dirty")
    conn.execute("DELETE FROM temp.outcome_presence")
    progress(1)
    return patients


def _find_dirty(conn: sqlite3.Connection, meta: dict[str, str]) -> tuple[bool, int]:
    """Whether to rebuild everything, and how many patients will be recomputed (those
    with rows above the marks are listed in ``temp.outcome_dirty``)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS outcome_dirty (patient_id INTEGER PRIMARY KEY)")
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS outcome_presence (grouping TEXT, key TEXT,"
        f" slot INTEGER, patient_id INTEGER, {', '.join(f'q_{q} REAL' for q in QUANTITIES)},"
        " sign INTEGER)"
    )
    conn.execute("DELETE FROM temp.outcome_dirty")
    conn.execute("DELETE FROM temp.outcome_presence")
    if meta.get("signature") != signature():
        return True, _patients(conn)
    conn.execute(
        "INSERT OR IGNORE INTO temp.outcome_dirty"
        " SELECT patient_id FROM session WHERE id > ?"
        " UNION SELECT patient_id FROM follow_up WHERE id > ?",
        (int(meta.get("session_mark", 0)), int(meta.get("follow_up_mark", 0))),
    )
    dirty = int(conn.execute("SELECT count(*) FROM temp.outcome_dirty").fetchone()[0])
    patients = conn.execute("SELECT count(*) FROM patient").fetchone()[0]
    if dirty > max(FULL_MIN, FULL_SHARE * patients):
        return True, _patients(conn)
    return False, dirty


def _patients(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(DISTINCT patient_id) FROM session").fetchone()[0])
