"""The derived outcome cache (schema 0002): one row per session per slot, and its counts.

Computing relief by window for a whole clinic from the clinical tables takes seconds
at 100,000 sessions (every follow-up joined to its current session, the next session
found, the latest reading per window chosen). This module does that work once per
patient and keeps the answer in ``outcome_point``, with ``outcome_cell`` and
``outcome_patient`` counting it, so a comparison reads a few thousand rows.

Keeping it current needs no triggers: clinical rows are append-only, so every change
is a new ``session`` or ``follow_up`` row with a higher id. :func:`refresh` recomputes
the patients who have rows above the marks it stored last time, then moves the marks.
It runs before every outcome query; after a bulk import the first one does it all.
The SQL here mirrors :mod:`sessionlog.analysis.readings` (same slots, same choice of
the latest reading); a test holds the two to the same answers.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from ..analysis.readings import (
    ADVERSE_SLOT,
    GAP_SLOT,
    RANK_AFTER,
    RANK_FOLLOW_UP,
    RANK_NEXT,
    RESOLUTION_SLOT,
    SESSION_SLOT,
    SORENESS_SLOT,
)
from ..analysis.soreness import DOSE_WINDOW
from ..analysis.windows import DEFAULT_WINDOWS, SORENESS_WINDOWS, Window
from ..domain.techniques import AE_TIERS, TECHNIQUES
from ..errors import DatabaseError

if TYPE_CHECKING:
    from .store import Store

DERIVATION_VERSION = 2  # a change here rebuilds every database's cache on its next use
CACHE_TABLES = (
    "outcome_point",
    "outcome_cell",
    "outcome_total",
    "outcome_patient",
    "outcome_group",
    "outcome_dose",
    "outcome_dose_patient",
    "outcome_dose_soreness",
)
CACHED_WINDOWS = DEFAULT_WINDOWS


def signature(windows: tuple[Window, ...] = CACHED_WINDOWS) -> str:
    """What the cached rows were computed with; a change means a full rebuild."""
    spans = ";".join(f"{w.after_h:g}:{w.until_h}" for w in windows + SORENESS_WINDOWS)
    return f"v{DERIVATION_VERSION}|{spans}"


def family_sql(column: str = "technique") -> str:
    """A CASE expression giving the family of the technique in ``column``."""
    whens = " ".join(f"WHEN '{k}' THEN '{t.family}'" for k, t in TECHNIQUES.items())
    return f"CASE {column} {whens} END"


def _seconds(hours: float) -> str:
    return repr(float(hours) * 3600)


def slot_sql(windows: tuple[Window, ...], first_slot: int, otherwise: int | None) -> str:
    """A CASE expression numbering the window ``dt`` (seconds) falls in."""
    whens = " ".join(
        f"WHEN dt > {_seconds(w.after_h)}"
        + (f" AND dt <= {_seconds(w.until_h)}" if w.until_h is not None else "")
        + f" THEN {first_slot + i}"
        for i, w in enumerate(windows)
    )
    return f"CASE {whens} ELSE {'NULL' if otherwise is None else otherwise} END"


def points_sql(windows: tuple[Window, ...] = CACHED_WINDOWS) -> str:
    """INSERT the points of every patient listed in ``temp.outcome_dirty``."""
    whens = " ".join(f"WHEN '{t}' THEN {ADVERSE_SLOT + 1 + i}" for i, t in enumerate(AE_TIERS))
    tier_sql = f"CASE tier {whens} END"
    return f"""
WITH cs AS (
    SELECT s.id AS session_id, s.record_id, s.patient_id, s.practitioner_id, s.episode_id,
           coalesce(e.body_region, '') AS region, s.technique, s.started_at,
           unixepoch(s.started_at) AS t0, s.pain_before, s.pain_after, s.soreness_after,
           lead(s.pain_before) OVER course AS next_pain,
           lead(unixepoch(s.started_at)) OVER course AS next_t
    FROM current_session s LEFT JOIN episode e ON e.id = s.episode_id
    WHERE s.patient_id IN (SELECT patient_id FROM temp.outcome_dirty)
    WINDOW course AS (PARTITION BY s.patient_id, s.episode_id
                      ORDER BY s.started_at, s.record_id)
),
dose AS (
    SELECT session_id, sum(insertions) AS insertions,
           coalesce(sum(twitch_count), 0) AS twitches
    FROM site WHERE session_id IN (SELECT session_id FROM cs) GROUP BY session_id
),
adverse AS (
    SELECT cs.record_id, a.tier FROM cs JOIN adverse_event a ON a.session_id = cs.session_id
    UNION ALL
    SELECT cs.record_id, a.tier FROM cs
    JOIN current_follow_up f ON f.session_record_id = cs.record_id
    JOIN adverse_event a ON a.follow_up_id = f.id
),
reading AS (
    SELECT record_id, 0 AS dt, pain_after AS pain, soreness_after AS soreness,
           {RANK_AFTER} AS rank, 0 AS source_id FROM cs
    UNION ALL
    SELECT cs.record_id, unixepoch(f.at) - cs.t0, f.pain, f.soreness, {RANK_FOLLOW_UP}, f.id
    FROM cs JOIN current_follow_up f ON f.session_record_id = cs.record_id
    UNION ALL
    SELECT record_id, next_t - t0, next_pain, NULL, {RANK_NEXT}, 0
    FROM cs WHERE next_pain IS NOT NULL AND next_t > t0
),
slotted AS (
    SELECT record_id, {slot_sql(windows, 0, GAP_SLOT)} AS slot, pain AS value,
           dt, rank, source_id
    FROM reading WHERE pain IS NOT NULL AND dt >= 0
    UNION ALL
    SELECT record_id, {slot_sql(SORENESS_WINDOWS, SORENESS_SLOT, None)}, soreness,
           dt, rank, source_id
    FROM reading WHERE soreness IS NOT NULL AND dt >= 0
),
latest AS (
    SELECT record_id, slot, value FROM (
        SELECT record_id, slot, value, row_number() OVER (
            PARTITION BY record_id, slot ORDER BY dt DESC, rank DESC, source_id DESC) AS nth
        FROM slotted WHERE slot IS NOT NULL)
    WHERE nth = 1
    UNION ALL
    SELECT record_id, {RESOLUTION_SLOT},
           coalesce((min(CASE WHEN soreness = 0 THEN dt END) + 86399) / 86400, -1)
    FROM reading WHERE soreness IS NOT NULL AND dt >= 0 GROUP BY record_id
    UNION ALL
    SELECT record_id, {SESSION_SLOT}, pain_before FROM cs
    UNION ALL
    SELECT record_id, {tier_sql}, count(*) FROM adverse GROUP BY record_id, tier
)
INSERT INTO outcome_point (record_id, slot, patient_id, practitioner_id, episode_id, region,
    family, technique, started_at, started_on, pain_before, value, insertions, twitches)
SELECT l.record_id, l.slot, cs.patient_id, cs.practitioner_id, cs.episode_id, cs.region,
       {family_sql("cs.technique")}, cs.technique, cs.started_at, date(cs.started_at),
       cs.pain_before, l.value, coalesce(d.insertions, 0), coalesce(d.twitches, 0)
FROM latest l JOIN cs ON cs.record_id = l.record_id
LEFT JOIN dose d ON d.session_id = cs.session_id
ORDER BY l.slot, l.record_id
"""


_DIRTY = "(SELECT patient_id FROM temp.outcome_dirty)"
_CELL_KEY = "technique, practitioner_id, region, slot, pain_before, value"
_TOTAL_KEY = "technique, slot, pain_before, value"
_PATIENT_KEY = "family, technique, practitioner_id, region, slot, patient_id"


_DOSE_SORENESS_KEY = "technique, practitioner_id, region, insertions, twitches, value"
_DOSE_SORENESS_SLOT = SORENESS_SLOT + DOSE_WINDOW  # soreness near 24 h
_ADD_DOSE = f"""
INSERT INTO outcome_dose (family, technique, practitioner_id, region, patient_id, sessions,
                          first_at, last_at, insertions, insertions_sq)
SELECT family, technique, practitioner_id, region, patient_id, count(*), min(started_at),
       max(started_at), sum(insertions), sum(insertions * insertions)
FROM outcome_point WHERE slot = {SESSION_SLOT} AND patient_id IN {_DIRTY}
GROUP BY family, technique, practitioner_id, region, patient_id
"""


_ADD_DOSE_PATIENT = f"""
INSERT INTO outcome_dose_patient (grouping, key, patient_id, sessions, first_at, last_at,
                                  insertions, insertions_sq, per_week)
SELECT grouping, key, patient_id, n, first_at, last_at, ins, ins_sq,
       CASE WHEN n > 1 AND last_at > first_at
            THEN (n - 1) * 7.0 / (julianday(last_at) - julianday(first_at)) END
FROM (SELECT 'family' AS grouping, family AS key, patient_id, count(*) AS n,
             min(started_at) AS first_at, max(started_at) AS last_at,
             sum(insertions) AS ins, sum(insertions * insertions) AS ins_sq
      FROM outcome_point WHERE slot = {SESSION_SLOT} AND patient_id IN {_DIRTY}
      GROUP BY family, patient_id
      UNION ALL
      SELECT 'technique', technique, patient_id, count(*), min(started_at), max(started_at),
             sum(insertions), sum(insertions * insertions)
      FROM outcome_point WHERE slot = {SESSION_SLOT} AND patient_id IN {_DIRTY}
      GROUP BY technique, patient_id)
"""


def _points(key: str, slot: int | None) -> str:
    only = f" AND slot = {slot}" if slot is not None else ""
    return (
        f"SELECT {key}, count(*) AS n FROM outcome_point"
        f" WHERE patient_id IN {_DIRTY}{only} GROUP BY {key}"
    )


def _subtract(table: str, key: str, slot: int | None = None) -> str:
    """Take the dirty patients' points (of ``slot``, or all) out of a counting table."""
    match = " AND ".join(f"{table}.{c} = d.{c}" for c in key.split(", "))
    return f"UPDATE {table} SET n = {table}.n - d.n FROM ({_points(key, slot)}) AS d WHERE {match}"


def _add(table: str, key: str, slot: int | None = None) -> str:
    """Count the dirty patients' (new) points (of ``slot``, or all) into a counting table."""
    return (
        f"INSERT INTO {table} ({key}, n) SELECT * FROM ({_points(key, slot)}) WHERE true"
        f" ON CONFLICT ({key}) DO UPDATE SET n = n + excluded.n"
    )


# Distinct patients per family (and technique) and slot change only by the dirty
# patients: each counts -1 where they were before and +1 where they are after.
_PRESENCE = (
    "INSERT INTO temp.outcome_presence"
    f" SELECT DISTINCT 'family', family, slot, patient_id, {{sign}} FROM outcome_patient"
    f" WHERE patient_id IN {_DIRTY}"
    f" UNION ALL SELECT DISTINCT 'technique', technique, slot, patient_id, {{sign}}"
    f" FROM outcome_patient WHERE patient_id IN {_DIRTY}"
)
_APPLY_PRESENCE = (
    "INSERT INTO outcome_group (grouping, key, slot, patients)"
    " SELECT grouping, key, slot, sum(sign) FROM temp.outcome_presence WHERE true"
    " GROUP BY grouping, key, slot HAVING sum(sign) != 0"
    " ON CONFLICT (grouping, key, slot) DO UPDATE SET patients = patients + excluded.patients"
)
_COUNT_GROUPS = (
    "INSERT INTO outcome_group (grouping, key, slot, patients)"
    " SELECT 'family', family, slot, count(DISTINCT patient_id) FROM outcome_patient"
    " GROUP BY family, slot",
    "INSERT INTO outcome_group (grouping, key, slot, patients)"
    " SELECT 'technique', technique, slot, count(DISTINCT patient_id) FROM outcome_patient"
    " GROUP BY technique, slot",
)


def _state(conn: sqlite3.Connection) -> tuple[dict[str, str], int, int]:
    meta = dict(conn.execute("SELECT key, value FROM outcome_meta").fetchall())
    sessions = conn.execute("SELECT coalesce(max(id), 0) FROM session").fetchone()[0]
    follow_ups = conn.execute("SELECT coalesce(max(id), 0) FROM follow_up").fetchone()[0]
    return meta, sessions, follow_ups


def is_current(conn: sqlite3.Connection) -> bool:
    """True when the cache reflects every session and follow-up row."""
    meta, sessions, follow_ups = _state(conn)
    return (
        meta.get("signature") == signature()
        and meta.get("session_mark") == str(sessions)
        and meta.get("follow_up_mark") == str(follow_ups)
    )


def refresh(store: Store) -> int:
    """Bring the cache up to date; returns how many patients were recomputed.

    Raises :class:`DatabaseError` when the database cannot be written (read-only).
    """
    if is_current(store.conn):
        return 0
    try:
        with store.write() as conn:
            return _refresh(conn)
    except sqlite3.OperationalError as exc:
        raise DatabaseError(f"the outcome cache cannot be updated ({exc})") from None


def _refresh(conn: sqlite3.Connection) -> int:
    meta, sessions, follow_ups = _state(conn)  # again, inside the write transaction
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS outcome_dirty (patient_id INTEGER PRIMARY KEY)")
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS outcome_presence"
        " (grouping TEXT, key TEXT, slot INTEGER, patient_id INTEGER, sign INTEGER)"
    )
    conn.execute("DELETE FROM temp.outcome_dirty")
    conn.execute("DELETE FROM temp.outcome_presence")
    full = meta.get("signature") != signature()
    if full:
        for table in CACHE_TABLES:
            conn.execute(f"DELETE FROM {table}")
        conn.execute("INSERT INTO temp.outcome_dirty SELECT DISTINCT patient_id FROM session")
    else:
        conn.execute(
            "INSERT OR IGNORE INTO temp.outcome_dirty"
            " SELECT patient_id FROM session WHERE id > ?"
            " UNION SELECT patient_id FROM follow_up WHERE id > ?",
            (int(meta.get("session_mark", 0)), int(meta.get("follow_up_mark", 0))),
        )
        for table, key, slot in (
            ("outcome_cell", _CELL_KEY, None),
            ("outcome_total", _TOTAL_KEY, None),
            ("outcome_dose_soreness", _DOSE_SORENESS_KEY, _DOSE_SORENESS_SLOT),
        ):
            conn.execute(_subtract(table, key, slot))
            conn.execute(f"DELETE FROM {table} WHERE n <= 0")
        conn.execute(f"DELETE FROM outcome_dose WHERE patient_id IN {_DIRTY}")
        conn.execute(f"DELETE FROM outcome_dose_patient WHERE patient_id IN {_DIRTY}")
        conn.execute(_PRESENCE.format(sign=-1))
        conn.execute(f"DELETE FROM outcome_patient WHERE patient_id IN {_DIRTY}")
        conn.execute(f"DELETE FROM outcome_point WHERE patient_id IN {_DIRTY}")
    conn.execute(points_sql())
    conn.execute(_add("outcome_cell", _CELL_KEY))
    conn.execute(_add("outcome_total", _TOTAL_KEY))
    conn.execute(_add("outcome_dose_soreness", _DOSE_SORENESS_KEY, _DOSE_SORENESS_SLOT))
    conn.execute(_ADD_DOSE)
    conn.execute(_ADD_DOSE_PATIENT)
    conn.execute(
        f"INSERT INTO outcome_patient ({_PATIENT_KEY}, n) SELECT {_PATIENT_KEY}, count(*)"
        f" FROM outcome_point WHERE patient_id IN {_DIRTY} GROUP BY {_PATIENT_KEY}"
    )
    if full:
        for statement in _COUNT_GROUPS:
            conn.execute(statement)
    else:
        conn.execute(_PRESENCE.format(sign=1))
        conn.execute(_APPLY_PRESENCE)
        conn.execute("DELETE FROM outcome_group WHERE patients <= 0")
    conn.executemany(
        "INSERT INTO outcome_meta (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [
            ("signature", signature()),
            ("session_mark", str(sessions)),
            ("follow_up_mark", str(follow_ups)),
        ],
    )
    dirty = conn.execute("SELECT count(*) FROM temp.outcome_dirty").fetchone()[0]
    conn.execute("DELETE FROM temp.outcome_dirty")
    conn.execute("DELETE FROM temp.outcome_presence")
    return int(dirty)


def rebuild(store: Store) -> int:
    """Recompute the whole cache from the clinical tables; returns the patients done."""
    with store.write() as conn:
        conn.execute("DELETE FROM outcome_meta")
    return refresh(store)
