"""Each session's points, for many patients (or all) at once, in set-based SQL.

:mod:`.cache` decides whose points to recompute; this module computes them into
rows of ``outcome_session`` (schema 0016): one row per current session, the value of
each slot in a column of its own (``s<slot>``; NULL: no point there). Steps, each a
temporary table read by integer key:

1. ``oc_dose``: each session's insertions (a bilateral site's twice) and twitches;
2. ``oc_course``: the current sessions in course order (patient, episode, time), so a
   session's next one in its course is the next number, with what every row repeats;
3. ``oc_follow``: per session, the latest follow-up per window and what soreness and
   the time to loss of relief need (:func:`.outcome_latest.follow_up_sql`);
4. ``oc_adverse``: per session, its adverse events by tier (its own and its
   follow-ups');
5. the rows, from the four (:func:`.outcome_latest.session_inputs_sql`, then
   :func:`.outcome_latest.session_row_sql`), in record order.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from ...analysis.readings import ADVERSE_SLOT
from ...analysis.windows import Window
from ...domain.techniques import AE_TIERS, SIDES_NEEDLED, TECHNIQUES
from . import latest as outcome_latest

DIRTY = "(SELECT patient_id FROM temp.outcome_dirty)"
Part = tuple[int, int]  # (first, last): the patients whose id is first to last (both in)
ADVERSE_SLOTS = tuple(range(ADVERSE_SLOT + 1, ADVERSE_SLOT + 1 + len(AE_TIERS)))
STEPS = 4  # how many times compute calls its progress function
NEW_ROWS = "temp.oc_new"  # a refresh's recomputed rows, before they go in
_TEMP_TABLES = ("oc_dose", "oc_course", "oc_follow", "oc_adverse", "oc_new")
SESSION_COLUMNS = (
    "record_id, patient_id, practitioner_id, episode_id, region, family, technique,"
    " started_at, started_on, pain_before, insertions, twitches"
)


def slot_columns(windows: tuple[Window, ...]) -> tuple[int, ...]:
    """The slots with a column in ``outcome_session``, in its order."""
    return (*outcome_latest.row_slots(windows), *ADVERSE_SLOTS)


def row_columns(windows: tuple[Window, ...]) -> str:
    return SESSION_COLUMNS + "".join(f", s{slot}" for slot in slot_columns(windows))


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


def part_sql(part: Part, column: str = "patient_id") -> str:
    """The condition on ``column`` that picks the patients of ``part``."""
    first, last = part
    return f"{column} BETWEEN {int(first)} AND {int(last)}"


def _course_sql(everyone: bool, part: Part | None = None) -> tuple[str, ...]:
    """Fill oc_dose and oc_course (and its index by record); for everyone, or only
    everyone in ``part`` (the patients of one connection of a parallel build)."""
    if everyone and part is None:
        dirty, only = "", ""
    else:
        patients = part_sql(part) if everyone and part else f"patient_id IN {DIRTY}"
        dirty = f" WHERE session_id IN (SELECT id FROM session WHERE {patients})"  # every version
        only = f" AND s.{patients}"
    return (
        "CREATE TEMP TABLE oc_dose (session_id INTEGER PRIMARY KEY, insertions INTEGER,"
        " twitches INTEGER)",
        f"INSERT INTO oc_dose SELECT session_id, sum({site_insertions_sql()}),"
        " coalesce(sum(twitch_count), 0)"
        f" FROM site{dirty} GROUP BY session_id",
        "CREATE TEMP TABLE oc_course (seq INTEGER PRIMARY KEY, record_id INTEGER,"
        " session_id INTEGER, patient_id INTEGER, practitioner_id INTEGER, episode_id INTEGER,"
        " region TEXT, family TEXT, technique TEXT, started_at TEXT, t0 INTEGER,"
        " pain_before INTEGER, pain_after INTEGER, soreness_after INTEGER, insertions INTEGER,"
        " twitches INTEGER)",
        # Numbered as readings.py orders a course (patient, episode, then time and record):
        # the next session of a course is the next number with the same patient and episode.
        "INSERT INTO oc_course (record_id, session_id, patient_id, practitioner_id, episode_id,"
        " region, family, technique, started_at, t0, pain_before, pain_after, soreness_after,"
        " insertions, twitches)"
        " SELECT s.record_id, s.id, s.patient_id, s.practitioner_id, s.episode_id,"
        f" coalesce(e.body_region, ''), {family_sql('s.technique')}, s.technique, s.started_at,"
        " unixepoch(s.started_at), s.pain_before, s.pain_after, s.soreness_after,"
        " coalesce(d.insertions, 0), coalesce(d.twitches, 0)"
        " FROM session s LEFT JOIN episode e ON e.id = s.episode_id"
        " LEFT JOIN oc_dose d ON d.session_id = s.id"
        f" WHERE {current('s', 'session')}{only}"
        " ORDER BY s.patient_id, s.episode_id, s.started_at, s.record_id",
        "CREATE INDEX temp.oc_course_record ON oc_course (record_id, t0, pain_before)",
    )


def _follow_up_sql(
    windows: tuple[Window, ...], everyone: bool, source_bits: int, part: Part | None = None
) -> tuple[str, str]:
    # For everyone, every follow-up finds its session by key; for a few patients, their
    # sessions find their follow-ups through the index (SQLite keeps no statistics on
    # temporary tables to choose so itself). A part's follow-ups are a range of the
    # patient index (a follow-up's patient is its session's: schema 0001's trigger).
    only = f" AND {part_sql(part, 'f.patient_id')}" if everyone and part else ""
    tables = (
        "follow_up f JOIN oc_course c ON c.record_id = f.session_record_id"
        if everyone
        else "oc_course c CROSS JOIN follow_up f ON f.session_record_id = c.record_id"
    )
    # Up to the next session of the course (readings.py): the same next as _rows_sql's.
    readings = (
        "SELECT rid, id, pain, soreness, pb, dt FROM (SELECT f.session_record_id AS rid, f.id,"
        " f.pain, f.soreness, c.pain_before AS pb, unixepoch(f.at) - c.t0 AS dt,"
        f" n.t0 - c.t0 AS nd FROM {tables} LEFT JOIN oc_course n ON n.seq = c.seq + 1"
        " AND n.patient_id = c.patient_id AND n.episode_id IS c.episode_id AND n.t0 > c.t0"
        f" WHERE {current('f', 'follow_up')}{only}) WHERE dt > 0 AND (nd IS NULL OR dt < nd)"
    )
    keys = [f"k{s}" for s in outcome_latest.pain_columns(windows)]
    keys += [f"k{s}" for s in outcome_latest.soreness_columns()]
    create = (
        f"CREATE TEMP TABLE oc_follow (rid INTEGER PRIMARY KEY, {', '.join(keys)},"
        " zdt, sn, lost, last)"
    )
    return create, "INSERT INTO oc_follow " + outcome_latest.follow_up_sql(
        windows, readings, source_bits
    )


def _adverse_sql(everyone: bool) -> tuple[str, str]:
    """Each session's adverse events by tier: recorded at the session (its current
    version) or at one of its current follow-ups. For everyone, from the events (few);
    for a few patients, from their sessions through the indexes."""
    counts = ", ".join(f"sum(tier = '{t}') AS ae_{t}" for t in AE_TIERS)
    if everyone:
        own = (
            "adverse_event a JOIN session s ON s.id = a.session_id"
            " JOIN oc_course c ON c.record_id = s.record_id AND c.session_id = a.session_id"
        )
        later = (
            "adverse_event a JOIN follow_up f ON f.id = a.follow_up_id"
            " JOIN oc_course c ON c.record_id = f.session_record_id"
        )
    else:
        own = "oc_course c CROSS JOIN adverse_event a ON a.session_id = c.session_id"
        later = (
            "oc_course c CROSS JOIN follow_up f ON f.session_record_id = c.record_id"
            " CROSS JOIN adverse_event a ON a.follow_up_id = f.id"
        )
    return (
        "CREATE TEMP TABLE oc_adverse (record_id INTEGER PRIMARY KEY, "
        + ", ".join(f"ae_{t} INTEGER" for t in AE_TIERS)
        + ")",
        f"INSERT INTO oc_adverse SELECT record_id, {counts} FROM ("
        f" SELECT c.record_id, a.tier FROM {own} UNION ALL SELECT c.record_id, a.tier"
        f" FROM {later} WHERE {current('f', 'follow_up')}) GROUP BY record_id",
    )


def _rows_sql(windows: tuple[Window, ...], target: str, source_bits: int) -> str:
    # Each session with its next one, its follow-ups' and adverse events' rows, and what
    # several slots read computed once (a co-routine in record order: the rows go in
    # in key order), then every slot of the row.
    slots_ = ", ".join(outcome_latest.session_row_sql(windows, source_bits))
    follow = [f"k{s}" for s in outcome_latest.pain_columns(windows)]
    follow += [f"k{s}" for s in outcome_latest.soreness_columns()]
    follow += ["zdt", "sn"]
    sessions = (
        "c.record_id, c.patient_id, c.practitioner_id, c.episode_id, c.region, c.family,"
        " c.technique, c.started_at, c.pain_before, c.pain_after, c.soreness_after,"
        " c.insertions, c.twitches, "
        + ", ".join(f"fa.{k} AS {k}" for k in follow)
        + ", "
        + ", ".join(f"coalesce(ae.ae_{t}, 0) AS ae_{t}" for t in AE_TIERS)
        + ", "
        + ", ".join(outcome_latest.session_inputs_sql(windows, source_bits))
    )
    adverse = ", ".join(f"c.ae_{t}" for t in AE_TIERS)
    return (
        f"INSERT INTO {target} ({row_columns(windows)})"
        " SELECT c.record_id, c.patient_id, c.practitioner_id, c.episode_id, c.region,"
        " c.family, c.technique, c.started_at, date(c.started_at), c.pain_before,"
        f" c.insertions, c.twitches, {slots_}, {adverse}"
        f" FROM (SELECT {sessions}"
        " FROM (SELECT c.*, n.t0 - c.t0 AS nd, n.pain_before AS np FROM oc_course c"
        " LEFT JOIN oc_course n ON n.seq = c.seq + 1 AND n.patient_id = c.patient_id"
        " AND n.episode_id IS c.episode_id AND n.t0 > c.t0) AS c"
        " LEFT JOIN oc_follow fa ON fa.rid = c.record_id"
        " LEFT JOIN oc_adverse ae ON ae.record_id = c.record_id"
        " ORDER BY c.record_id LIMIT -1) AS c"
    )


def compute(
    conn: sqlite3.Connection,
    windows: tuple[Window, ...],
    everyone: bool,
    progress: Callable[[int], None] = lambda n: None,
    part: Part | None = None,
    target: str | None = None,
) -> str:
    """Compute the rows of every patient, or of those listed in ``temp.outcome_dirty``:
    into ``outcome_session`` itself for everyone (the caller emptied it), else into
    :data:`NEW_ROWS` (:func:`write` adds them). Returns the table that holds them.
    With ``part`` (for everyone), only that part's patients, into ``target`` if given.
    ``progress(1)`` after each of :data:`STEPS` steps."""
    drop_temp_tables(conn)
    target = target or ("outcome_session" if everyone else NEW_ROWS)
    if not everyone:
        conn.execute("CREATE TEMP TABLE oc_new AS SELECT * FROM outcome_session WHERE false")
    ids = conn.execute("SELECT coalesce(max(id), 0) FROM follow_up").fetchone()[0]
    source_bits = max(1, int(ids).bit_length())
    for step in (
        _course_sql(everyone, part),
        _follow_up_sql(windows, everyone, source_bits, part),
        _adverse_sql(everyone),
        (_rows_sql(windows, target, source_bits),),
    ):
        for statement in step:
            conn.execute(statement)
        progress(1)
    return target


def write(conn: sqlite3.Connection, windows: tuple[Window, ...]) -> None:
    """Add a refresh's recomputed rows (:data:`NEW_ROWS`) to ``outcome_session``."""
    columns = row_columns(windows)
    conn.execute(f"INSERT INTO outcome_session ({columns}) SELECT {columns} FROM {NEW_ROWS}")
