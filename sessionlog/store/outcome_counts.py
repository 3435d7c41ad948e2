"""The outcome cache's counting tables: the new points counted in, the old taken out.

:mod:`.outcome_points` leaves the recomputed patients' points in temporary tables
(``oc_point`` joined to ``oc_session``). Here they are counted into ``outcome_cell``,
``outcome_total``, ``outcome_patient`` and the dose tables. A point is counted under
an integer key (``cg``, numbering technique, practitioner and region, or ``pg``, the
same and the patient, packed with the slot and pain before: see
:func:`.outcome_latest.keys_sql`) in a table of thousands of rows, and the keys are
decoded through the group tables afterwards: half the time of grouping a million
points by six text and integer columns.

Before a patient is recomputed, :func:`take_out` subtracts that patient's old points
(read from ``outcome_point``) from every count.
"""

from __future__ import annotations

import sqlite3

from ..analysis.readings import ADVERSE_SLOT, SESSION_SLOT, SORENESS_SLOT
from ..analysis.soreness import DOSE_WINDOW
from ..analysis.stats import QUANTITIES, median_ranks
from ..domain.techniques import AE_TIERS
from .outcome_clusters import IMMEDIATE_SLOT, LATER, PATIENT_COLUMNS, band_slot_sql, point_sql
from .outcome_latest import PAIN_BITS, SLOT_BITS
from .outcome_points import DIRTY

CELL_KEY = "technique, practitioner_id, region, slot, pain_before, value"
TOTAL_KEY = "technique, slot, pain_before, value"
_PATIENT_KEY = "family, technique, practitioner_id, region, slot, patient_id"
_DOSE_SORENESS_SLOT = SORENESS_SLOT + DOSE_WINDOW  # soreness near 24 h
_SLOT_MASK = 2**SLOT_BITS - 1
_TEMP_TABLES = ("oc_cell_count", "oc_cell", "oc_patient_count")


def _upsert(key: str) -> str:
    return f" ON CONFLICT ({key}) DO UPDATE SET n = n + excluded.n"


# Counting by upserts into temporary tables keyed by the points' integer keys (see
# outcome_latest.keys_sql): each point finds its key in a table of thousands of rows
# instead of a million points being sorted (half the time).
_COUNT_CELLS = (
    "CREATE TEMP TABLE oc_cell_count (key INTEGER, value INTEGER, n INTEGER,"
    " PRIMARY KEY (key, value)) WITHOUT ROWID",
    "INSERT INTO oc_cell_count SELECT ckey, value, 1 FROM temp.oc_point"
    " WHERE true ON CONFLICT DO UPDATE SET n = n + 1",
    f"CREATE TEMP TABLE oc_cell AS"
    f" SELECT g.technique, g.practitioner_id, g.region, k.key & {_SLOT_MASK} AS slot,"
    f" (k.key >> {SLOT_BITS}) & {2**PAIN_BITS - 1} AS pain_before, k.value, k.n"
    " FROM temp.oc_cell_count k JOIN temp.oc_cell_group g"
    f" ON g.cg = k.key >> {SLOT_BITS + PAIN_BITS}",
)
_ADD_CELLS = (
    f"INSERT INTO outcome_cell ({CELL_KEY}, n) SELECT {CELL_KEY}, n FROM temp.oc_cell"
    f" WHERE true{_upsert(CELL_KEY)}"
)
_ADD_TOTALS = (
    f"INSERT INTO outcome_total ({TOTAL_KEY}, n) SELECT {TOTAL_KEY}, sum(n) FROM temp.oc_cell"
    f" WHERE true GROUP BY {TOTAL_KEY}{_upsert(TOTAL_KEY)}"
)
# Each patient's totals (outcome_clusters): pain before is in the cell key's bits.
# Relief kept: a later window's point joined to its session's immediate point.
# Only the later windows' points look up their immediate point (a third of them).
_BEFORE = f"((p.ckey >> {SLOT_BITS}) & {2**PAIN_BITS - 1})"
_TOTALS = point_sql(_BEFORE, "p.value", "i.value")
_Q = [q for q in QUANTITIES if q != "n"]
_ADD_TO_PATIENT = " ON CONFLICT DO UPDATE SET n = n + 1, " + ", ".join(
    f"q_{q} = q_{q} + excluded.q_{q}" for q in _Q
)
_COUNT_PATIENTS = (
    "CREATE TEMP TABLE oc_patient_count (key INTEGER PRIMARY KEY, n INTEGER, "
    + ", ".join(f"q_{q} REAL" for q in _Q)
    + ")",
    f"INSERT INTO oc_patient_count SELECT p.pkey, 1,"
    f" {', '.join(point_sql(_BEFORE, 'p.value')[q] for q in _Q)}"
    f" FROM temp.oc_point p WHERE NOT p.{LATER}{_ADD_TO_PATIENT}",
    f"INSERT INTO oc_patient_count SELECT p.pkey, 1, {', '.join(_TOTALS[q] for q in _Q)}"
    f" FROM temp.oc_point p LEFT JOIN temp.oc_point i ON i.slot = {IMMEDIATE_SLOT}"
    f" AND i.record_id = p.record_id WHERE p.{LATER}{_ADD_TO_PATIENT}",
)
# Soreness near 24 h by dose: each session's point counted again under its two dose
# bands' slots, into the same per-patient totals (no points of their own).
_BAND_TOTALS = point_sql(_BEFORE, "p.value")
_COUNT_BANDS = tuple(
    f"INSERT INTO oc_patient_count SELECT (p.pkey >> {SLOT_BITS} << {SLOT_BITS}) | {band}, 1,"
    f" {', '.join(_BAND_TOTALS[q] for q in _Q)}"
    f" FROM temp.oc_point p JOIN temp.oc_session s ON s.record_id = p.record_id"
    f" WHERE p.slot = {_DOSE_SORENESS_SLOT} AND {band} IS NOT NULL{_ADD_TO_PATIENT}"
    for band in band_slot_sql("s.insertions", "s.twitches")
)
# In outcome_patient's key order: its rows are then appended.
_ADD_PATIENTS = (
    f"INSERT INTO outcome_patient ({_PATIENT_KEY}, n, {PATIENT_COLUMNS}) SELECT g.family,"
    f" g.technique, g.practitioner_id, g.region, k.key & {_SLOT_MASK} AS slot, g.patient_id,"
    f" k.n, {', '.join(f'k.q_{q}' for q in _Q)}"
    f" FROM temp.oc_patient_count k JOIN temp.oc_patient_group g ON g.pg = k.key >> {SLOT_BITS}"
    " ORDER BY g.family, slot, g.patient_id, g.technique, g.practitioner_id, g.region"
)
# One row per session (its SESSION_SLOT point): oc_session itself. With each patient's
# sessions with an adverse event of each tier (ae_*: adverse-event rates with the
# patient as the unit), from the sessions' adverse-event points.
AE_COLUMNS = ", ".join(f"ae_{t}" for t in AE_TIERS)
_AE_FLAGS = ", ".join(
    f"max(slot = {ADVERSE_SLOT + 1 + i}) AS ae_{t}" for i, t in enumerate(AE_TIERS)
)
_ADD_DOSE = f"""
INSERT INTO outcome_dose (family, technique, practitioner_id, region, patient_id, sessions,
                          first_at, last_at, insertions, insertions_sq, {AE_COLUMNS})
SELECT g.family, g.technique, g.practitioner_id, g.region, g.patient_id, k.n, k.first_at,
       k.last_at, k.ins, k.ins_sq, {", ".join(f"k.ae_{t}" for t in AE_TIERS)}
FROM (SELECT pg, count(*) AS n, min(started_at) AS first_at, max(started_at) AS last_at,
             sum(insertions) AS ins, sum(insertions * insertions) AS ins_sq,
             {", ".join(f"coalesce(sum(a.ae_{t}), 0) AS ae_{t}" for t in AE_TIERS)}
      FROM temp.oc_session s LEFT JOIN (SELECT record_id, {_AE_FLAGS} FROM temp.oc_point
                                        WHERE slot > {ADVERSE_SLOT} GROUP BY record_id) AS a
      ON a.record_id = s.record_id GROUP BY pg) AS k
JOIN temp.oc_patient_group g ON g.pg = k.pg
"""
_ADD_DAYS = (
    "INSERT INTO outcome_day (technique, started_on, n) SELECT technique, started_on,"
    " count(*) FROM temp.oc_session WHERE true GROUP BY technique, started_on"
    f"{_upsert('technique, started_on')}"
)
# Per patient and family (and technique): the dose rows just added, merged over
# practitioners and regions (sums of sums, the first of the firsts...).
_NEW_DOSE = "FROM outcome_dose WHERE patient_id IN (SELECT patient_id FROM temp.oc_patient_group)"
_AE_SUMS = ", ".join(f"sum(ae_{t}) AS ae_{t}" for t in AE_TIERS)
_ADD_DOSE_PATIENT = f"""
INSERT INTO outcome_dose_patient (grouping, key, patient_id, sessions, first_at, last_at,
                                  insertions, insertions_sq, per_week, {AE_COLUMNS})
SELECT grouping, key, patient_id, n, first_at, last_at, ins, ins_sq,
       CASE WHEN n > 1 AND last_at > first_at
            THEN (n - 1) * 7.0 / (julianday(last_at) - julianday(first_at)) END, {AE_COLUMNS}
FROM (SELECT 'family' AS grouping, family AS key, patient_id, sum(sessions) AS n,
             min(first_at) AS first_at, max(last_at) AS last_at,
             sum(insertions) AS ins, sum(insertions_sq) AS ins_sq, {_AE_SUMS}
      {_NEW_DOSE} GROUP BY family, patient_id
      UNION ALL
      SELECT 'technique', technique, patient_id, sum(sessions), min(first_at), max(last_at),
             sum(insertions), sum(insertions_sq), {_AE_SUMS}
      {_NEW_DOSE} GROUP BY technique, patient_id)
"""


# Over patients: sessions, Σ sessions², insertions, Σ insertions², Σ (a patient's
# insertions)², Σ insertions × sessions; per tier Σ y, Σ y², Σ y × sessions (y: the
# patient's sessions with an event of the tier). From per-patient rows (n, ins, ins_sq,
# ae_*), as outcome_dose_group keeps them for the whole clinic.
_DOSE_TERMS = (
    "1", "n", "n * n", "ins", "ins_sq", "ins * ins", "ins * n",
    *(x for t in AE_TIERS for x in (f"ae_{t}", f"ae_{t} * ae_{t}", f"ae_{t} * n")),
)  # fmt: skip
DOSE_GROUP_SUMS = ", ".join(f"sum({term})" for term in _DOSE_TERMS)
DOSE_GROUP_COLUMNS = (
    "patients", "sessions", "sessions_sq", "insertions", "insertions_sq", "insertions_p2",
    "insertions_n", *(f"ae_{t}{end}" for t in AE_TIERS for end in ("", "_sq", "_n")),
)  # fmt: skip
_DOSE_ROWS = (
    "SELECT grouping, key, sessions AS n, insertions AS ins, insertions_sq AS ins_sq,"
    f" {AE_COLUMNS} FROM outcome_dose_patient"
)


def count_dose_groups(conn: sqlite3.Connection, change: int = 0) -> None:
    """Keep ``outcome_dose_group`` (the whole clinic's dose sums per family and
    technique): counted whole (``change`` 0, after a full build), or the patients in
    ``temp.outcome_dirty`` taken out (-1, before their rows go) or put back (+1, after
    their new rows are in). Then each group's median sessions a week, from the index."""
    cols = ", ".join(DOSE_GROUP_COLUMNS)
    if not change:
        conn.execute("DELETE FROM outcome_dose_group")
        conn.execute(
            f"INSERT INTO outcome_dose_group (grouping, key, {cols})"
            f" SELECT grouping, key, {DOSE_GROUP_SUMS} FROM ({_DOSE_ROWS}) GROUP BY grouping, key"
        )
    else:
        sums = ", ".join(f"sum({change} * ({term}))" for term in _DOSE_TERMS)
        conn.execute(
            f"INSERT INTO outcome_dose_group (grouping, key, {cols})"
            f" SELECT grouping, key, {sums} FROM ({_DOSE_ROWS} WHERE patient_id IN {DIRTY})"
            " WHERE true GROUP BY grouping, key ON CONFLICT (grouping, key) DO UPDATE SET "
            + ", ".join(f"{c} = {c} + excluded.{c}" for c in DOSE_GROUP_COLUMNS)
        )
        conn.execute("DELETE FROM outcome_dose_group WHERE patients <= 0")
        if change < 0:
            return
    where = "grouping = ? AND key = ? AND per_week IS NOT NULL"  # by outcome_dose_patient_week
    for grouping, key in conn.execute("SELECT grouping, key FROM outcome_dose_group").fetchall():
        count = conn.execute(
            f"SELECT count(*) FROM outcome_dose_patient WHERE {where}", (grouping, key)
        ).fetchone()[0]
        at = (
            f"SELECT avg(per_week) FROM (SELECT per_week FROM outcome_dose_patient"
            f" WHERE {where} ORDER BY per_week LIMIT ? OFFSET ?)"
        )
        median = (
            conn.execute(at, (grouping, key, 2 - count % 2, (count - 1) // 2)).fetchone()[0]
            if count
            else None
        )
        ranks = median_ranks(count)  # its interval: two order statistics
        low, high = (
            (None, None)
            if ranks is None
            else (conn.execute(at, (grouping, key, 1, r - 1)).fetchone()[0] for r in ranks)
        )
        conn.execute(
            "UPDATE outcome_dose_group SET per_week_median = ?, per_week_low = ?,"
            " per_week_high = ? WHERE grouping = ? AND key = ?",
            (median, low, high, grouping, key),
        )


def add(conn: sqlite3.Connection) -> None:
    """Count the points in the temporary tables into every counting table but
    ``outcome_group`` (whose distinct patients :mod:`.outcome_cache` recounts)."""
    for table in _TEMP_TABLES:
        conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
    for statement in (
        *_COUNT_CELLS,
        _ADD_CELLS,
        _ADD_TOTALS,
        *_COUNT_PATIENTS,
        *_COUNT_BANDS,
        _ADD_PATIENTS,
        _ADD_DOSE,
        _ADD_DOSE_PATIENT,
        _ADD_DAYS,
    ):
        conn.execute(statement)
    for table in _TEMP_TABLES:
        conn.execute(f"DROP TABLE temp.{table}")


def _old_points(slots: tuple[int, ...]) -> str:
    """WHERE for the dirty patients' points (of ``slots``), found by their primary key:
    each slot of each of their session records, a few seeks per record. (By patient_id,
    SQLite reads every point of the slot when one slot is asked for.)"""
    listed = ", ".join(str(s) for s in slots)
    return (
        f"slot IN ({listed}) AND record_id IN"
        f" (SELECT record_id FROM session WHERE patient_id IN {DIRTY})"
    )


def _subtract(table: str, key: str, slots: tuple[int, ...]) -> str:
    """Take the dirty patients' old points (of ``slots``) out of a counting table."""
    match = " AND ".join(f"{table}.{c} = d.{c}" for c in key.split(", "))
    return (
        f"UPDATE {table} SET n = {table}.n - d.n FROM (SELECT {key}, count(*) AS n"
        f" FROM outcome_point WHERE {_old_points(slots)} GROUP BY {key}) AS d WHERE {match}"
    )


def take_out(conn: sqlite3.Connection, slots: tuple[int, ...]) -> None:
    """Remove the old points of the patients in ``temp.outcome_dirty`` and their share of
    every count but ``outcome_group``'s (the caller notes who stood where first).
    ``slots``: every slot a point can have (see :func:`.outcome_points.slots`)."""
    for table, key, only in (
        ("outcome_cell", CELL_KEY, slots),
        ("outcome_total", TOTAL_KEY, slots),
        ("outcome_day", "technique, started_on", (SESSION_SLOT,)),
    ):
        conn.execute(_subtract(table, key, only))
        conn.execute(f"DELETE FROM {table} WHERE n <= 0")
    conn.execute(f"DELETE FROM outcome_point WHERE {_old_points(slots)}")
    for table in ("outcome_dose", "outcome_dose_patient", "outcome_patient"):
        conn.execute(f"DELETE FROM {table} WHERE patient_id IN {DIRTY}")
