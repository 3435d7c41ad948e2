"""The outcome points of many patients (or all) at once, in set-based SQL.

:mod:`.outcome_cache` decides whose points to recompute; this module computes them in
temporary tables and writes them to ``outcome_point``:

1. ``oc_session``: each current session of those patients, keyed by record id, with
   what every point repeats (region, family, date, insertions: a bilateral site's
   twice) and two group numbers: ``cg`` for its technique, practitioner and region,
   ``pg`` for the same and its patient (the counting tables group by these; see
   :mod:`.outcome_counts`);
2. ``oc_course``: the same sessions numbered in course order (patient, episode, time),
   so a session's next one in its course is the next number;
3. ``oc_point``, keyed ``(slot, record_id)`` like ``outcome_point``: the readings
   upserted into their windows (:mod:`.outcome_latest`), the session's own point and
   its adverse events by tier;
4. ``outcome_point`` filled from ``oc_point`` in key order (appends, no random inserts).

Why temporary tables: each step reads the previous one by integer key instead of
re-running the views and window functions (the one query this replaces took most of
the 26 s the cache took to build at 100,000 sessions).
"""

from __future__ import annotations

import sqlite3

from ..analysis.readings import (
    ADVERSE_SLOT,
    GAP_SLOT,
    LOSS_SLOT,
    RESOLUTION_SLOT,
    SESSION_SLOT,
    SORENESS_SLOT,
)
from ..analysis.windows import SORENESS_WINDOWS, Window
from ..domain.techniques import AE_TIERS, SIDES_NEEDLED, TECHNIQUES
from . import outcome_latest
from .outcome_latest import SLOT_BITS, keys_sql

DIRTY = "(SELECT patient_id FROM temp.outcome_dirty)"
MAX_SLOT = ADVERSE_SLOT + len(AE_TIERS)
assert MAX_SLOT < 2**SLOT_BITS  # a slot takes the low bits of the counting keys
_TEMP_TABLES = ("oc_dose", "oc_patient_group", "oc_cell_group", "oc_session", "oc_course",
                "oc_point")  # fmt: skip
POINT_COLUMNS = (
    "record_id, slot, patient_id, practitioner_id, episode_id, region, family, technique,"
    " started_at, started_on, pain_before, value, insertions, twitches"
)
_CREATE = (
    "CREATE TEMP TABLE oc_dose (session_id INTEGER PRIMARY KEY, insertions INTEGER,"
    " twitches INTEGER)",
    "CREATE TEMP TABLE oc_patient_group (pg INTEGER PRIMARY KEY, cg INTEGER, family TEXT,"
    " technique TEXT, practitioner_id INTEGER, region TEXT, patient_id INTEGER,"
    " UNIQUE (technique, practitioner_id, region, patient_id))",
    "CREATE TEMP TABLE oc_cell_group (cg INTEGER PRIMARY KEY, technique TEXT,"
    " practitioner_id INTEGER, region TEXT, UNIQUE (technique, practitioner_id, region))",
    "CREATE TEMP TABLE oc_session (record_id INTEGER PRIMARY KEY, session_id INTEGER,"
    " patient_id INTEGER, practitioner_id INTEGER, episode_id INTEGER, region TEXT,"
    " family TEXT, technique TEXT, started_at TEXT, started_on TEXT, t0 INTEGER,"
    " pain_before INTEGER, pain_after INTEGER, soreness_after INTEGER, insertions INTEGER,"
    " twitches INTEGER, cg INTEGER, pg INTEGER)",
    "CREATE TEMP TABLE oc_course (seq INTEGER PRIMARY KEY, record_id INTEGER,"
    " patient_id INTEGER, episode_id INTEGER, t0 INTEGER, pain_before INTEGER, cg INTEGER,"
    " pg INTEGER)",
    # ord, rank, source_id: what makes one reading later than another in its window;
    # ckey, pkey: the point's cell and patient-group keys (see outcome_counts).
    "CREATE TEMP TABLE oc_point (slot INTEGER NOT NULL, record_id INTEGER NOT NULL,"
    " value INTEGER NOT NULL, ord INTEGER, rank INTEGER, source_id INTEGER, ckey INTEGER,"
    " pkey INTEGER, PRIMARY KEY (slot, record_id)) WITHOUT ROWID",
)


def slots(windows: tuple[Window, ...]) -> tuple[int, ...]:
    """Every slot a point can have when computed with ``windows``."""
    return (
        *range(len(windows)),
        GAP_SLOT,
        *range(SORENESS_SLOT, SORENESS_SLOT + len(SORENESS_WINDOWS)),
        RESOLUTION_SLOT,
        LOSS_SLOT,
        SESSION_SLOT,
        *range(ADVERSE_SLOT + 1, MAX_SLOT + 1),
    )


def family_sql(column: str = "technique") -> str:
    """A CASE expression giving the family of the technique in ``column``."""
    whens = " ".join(f"WHEN '{k}' THEN '{t.family}'" for k, t in TECHNIQUES.items())
    return f"CASE {column} {whens} END"


def site_insertions_sql() -> str:
    """A site row's needle insertions: per side, so twice for a bilateral site (the
    SQL of :func:`sessionlog.domain.models.site_insertions`)."""
    whens = " ".join(f"WHEN '{side}' THEN {n}" for side, n in SIDES_NEEDLED.items() if n != 1)
    return f"insertions * CASE side {whens} ELSE 1 END"


def current(alias: str, table: str) -> str:
    """The condition of the ``current_session`` / ``current_follow_up`` views (active,
    superseded by nothing) as an anti-join: SQLite answers it from one small list of
    the superseded ids instead of a lookup per row (a third of the time)."""
    return (
        f"{alias}.status = 'active' AND {alias}.id NOT IN"
        f" (SELECT supersedes_id FROM {table} WHERE supersedes_id IS NOT NULL)"
    )


def drop_temp_tables(conn: sqlite3.Connection) -> None:
    """Remove this module's temporary tables (their pages go back to the cache)."""
    for table in _TEMP_TABLES:
        conn.execute(f"DROP TABLE IF EXISTS temp.{table}")


def _sessions(everyone: bool, join: str = "") -> str:
    """FROM and WHERE for the current sessions (s) of everyone or the dirty patients."""
    return (
        f"FROM session s LEFT JOIN episode e ON e.id = s.episode_id{join}"
        f" WHERE {current('s', 'session')}" + ("" if everyone else f" AND s.patient_id IN {DIRTY}")
    )


def _session_sql(everyone: bool) -> tuple[str, ...]:
    """Fill oc_dose, the group tables, oc_session and oc_course."""
    dirty = f"SELECT id FROM session WHERE patient_id IN {DIRTY}"  # every version: cheap
    region = "coalesce(e.body_region, '')"
    return (
        f"INSERT INTO oc_dose SELECT session_id, sum({site_insertions_sql()}),"
        " coalesce(sum(twitch_count), 0)"
        f" FROM site{'' if everyone else f' WHERE session_id IN ({dirty})'} GROUP BY session_id",
        # Group numbers by INSERT OR IGNORE on the natural key: cheaper than dense_rank().
        "INSERT OR IGNORE INTO oc_patient_group (family, technique, practitioner_id, region,"
        f" patient_id) SELECT {family_sql('s.technique')}, s.technique, s.practitioner_id,"
        f" {region}, s.patient_id {_sessions(everyone)}",
        "INSERT OR IGNORE INTO oc_cell_group (technique, practitioner_id, region)"
        " SELECT technique, practitioner_id, region FROM oc_patient_group",
        "UPDATE oc_patient_group SET cg = c.cg FROM oc_cell_group c"
        " WHERE c.technique = oc_patient_group.technique"
        " AND c.practitioner_id = oc_patient_group.practitioner_id"
        " AND c.region = oc_patient_group.region",
        "INSERT INTO oc_session SELECT s.record_id, s.id, s.patient_id, s.practitioner_id,"
        f" s.episode_id, {region}, g.family, s.technique, s.started_at, date(s.started_at),"
        " unixepoch(s.started_at), s.pain_before, s.pain_after, s.soreness_after,"
        " coalesce(d.insertions, 0), coalesce(d.twitches, 0), g.cg, g.pg "
        + _sessions(
            everyone,
            " LEFT JOIN oc_dose d ON d.session_id = s.id JOIN oc_patient_group g"
            " ON g.technique = s.technique AND g.practitioner_id = s.practitioner_id"
            f" AND g.region = {region} AND g.patient_id = s.patient_id",
        ),
        # Numbered as readings.py orders a course (patient, episode, then time and record):
        # the next session of a course is the next number with the same patient and episode.
        "INSERT INTO oc_course SELECT row_number() OVER"
        " (ORDER BY patient_id, episode_id, started_at, record_id), record_id, patient_id,"
        " episode_id, t0, pain_before, cg, pg FROM oc_session",
    )


def _own_points_sql(everyone: bool) -> tuple[str, str]:
    """Each session's own point (pain before) and its adverse events counted by tier."""
    whens = " ".join(f"WHEN '{t}' THEN {ADVERSE_SLOT + 1 + i}" for i, t in enumerate(AE_TIERS))
    follow_ups = (  # follow-ups with adverse events are few: for everyone, start from those
        "FROM adverse_event a CROSS JOIN follow_up f ON f.id = a.follow_up_id"
        " JOIN oc_session cs ON cs.record_id = f.session_record_id"
        f" WHERE {current('f', 'follow_up')}"
        if everyone
        else outcome_latest.follow_ups(everyone, " JOIN adverse_event a ON a.follow_up_id = f.id")
    )
    return (
        f"INSERT INTO oc_point (slot, record_id, value, ckey, pkey) SELECT {SESSION_SLOT},"
        f" s.record_id, s.pain_before, {keys_sql(str(SESSION_SLOT), 's')} FROM oc_session s",
        f"""
INSERT INTO oc_point (slot, record_id, value, ckey, pkey)
SELECT a.slot, s.record_id, a.n, {keys_sql("a.slot", "s")}
FROM (SELECT record_id, CASE tier {whens} END AS slot, count(*) AS n FROM (
          SELECT cs.record_id, a.tier FROM oc_session cs
          JOIN adverse_event a ON a.session_id = cs.session_id
          UNION ALL
          SELECT cs.record_id, a.tier {follow_ups}
      ) GROUP BY record_id, tier) AS a
JOIN oc_session s ON s.record_id = a.record_id
""",
    )


def compute(conn: sqlite3.Connection, windows: tuple[Window, ...], everyone: bool) -> None:
    """Fill ``oc_session`` and ``oc_point`` for every patient, or for those listed in
    ``temp.outcome_dirty``. :data:`NEW_POINTS` then reads them as ``outcome_point`` rows."""
    drop_temp_tables(conn)
    for statement in (
        *_CREATE,
        *_session_sql(everyone),
        *outcome_latest.latest_sql(windows, everyone),
        outcome_latest.loss_sql(everyone),
        *_own_points_sql(everyone),
    ):
        conn.execute(statement)


NEW_POINTS = f"""
SELECT p.record_id, p.slot, s.patient_id, s.practitioner_id, s.episode_id, s.region, s.family,
       s.technique, s.started_at, s.started_on,
       CASE WHEN p.slot = {LOSS_SLOT} THEN 0 ELSE s.pain_before END, p.value, s.insertions,
       s.twitches
FROM temp.oc_point p JOIN temp.oc_session s ON s.record_id = p.record_id
"""  # a time-to-loss point has no pain before (readings.LOSS_SLOT)


def write(conn: sqlite3.Connection) -> None:
    """Add the computed points to ``outcome_point`` (in its key order: appends)."""
    conn.execute(
        f"INSERT INTO outcome_point ({POINT_COLUMNS}) {NEW_POINTS} ORDER BY p.slot, p.record_id"
    )
