"""The latest reading per window of every session in ``oc_session``, in SQL.

The same readings and the same choice as :mod:`sessionlog.analysis.readings`: a
session's end (time 0), the next session in its course (:mod:`.outcome_points`'
``oc_course``) and its current follow-ups. Each is upserted into ``oc_point`` under
``(slot, record_id)``; a later one (by time, then rank, then follow-up id) replaces
what is there, so the latest per window is found in one pass, without sorting a
million readings. Readings before the session are ignored; pain outside every window
goes to the gap slot; soreness outside every soreness window is dropped.
"""

from __future__ import annotations

from ..analysis.readings import (
    GAP_SLOT,
    LOSS_SLOT,
    RANK_AFTER,
    RANK_FOLLOW_UP,
    RANK_NEXT,
    RESOLUTION_SLOT,
    SORENESS_SLOT,
)
from ..analysis.windows import SORENESS_WINDOWS, Window, window_index

# A point's cell key packs (cg, pain before, slot), its patient-group key (pg, slot)
# into one integer each: pain before is 0 to 10 (a CHECK constraint), slots are below 64,
# and cg and pg, at most the number of sessions, leave plenty of room above.
PAIN_BITS, SLOT_BITS = 4, 6


def keys_sql(slot: str, alias: str = "") -> str:
    """The cell key and the patient-group key of the point of ``slot`` of a session."""
    a = f"{alias}." if alias else ""
    return (
        f"({a}cg << {PAIN_BITS} | {a}pain_before) << {SLOT_BITS} | {slot},"
        f" {a}pg << {SLOT_BITS} | {slot}"
    )


# Lower than any negated time: a soreness above 0 ranks below every zero (see below).
_NOT_RESOLVED = -(2**62)
_UPSERT = """
ON CONFLICT (slot, record_id) DO UPDATE SET
    value = excluded.value, ord = excluded.ord, rank = excluded.rank,
    source_id = excluded.source_id
WHERE (excluded.ord, excluded.rank, excluded.source_id) > (ord, rank, source_id)
"""


def _seconds(hours: float) -> str:
    seconds = float(hours) * 3600
    # An integer literal when exact: dt is an integer, and int-to-int compares are cheaper.
    return str(int(seconds)) if seconds.is_integer() else repr(seconds)


def slot_sql(windows: tuple[Window, ...], first_slot: int, otherwise: int | None) -> str:
    """A CASE expression numbering the window ``dt`` (seconds) falls in."""
    whens = " ".join(
        f"WHEN dt > {_seconds(w.after_h)}"
        + (f" AND dt <= {_seconds(w.until_h)}" if w.until_h is not None else "")
        + f" THEN {first_slot + i}"
        for i, w in enumerate(windows)
    )
    return f"CASE {whens} ELSE {'NULL' if otherwise is None else otherwise} END"


def _upsert(candidates: str) -> str:
    """Upsert ``candidates`` (slot, record_id, value, ord, rank, source_id, cg,
    pain_before, pg) into oc_point, with the point's cell and patient-group keys."""
    return (
        "INSERT INTO oc_point (slot, record_id, value, ord, rank, source_id, ckey, pkey)"
        f" SELECT slot, record_id, value, ord, rank, source_id, {keys_sql('slot')}"
        f" FROM ({candidates}) WHERE slot IS NOT NULL{_UPSERT}"
    )


def _resolution(dt: str, soreness: str) -> str:
    """The resolution slot keeps the earliest zero soreness, not the latest reading: its
    ord is the negated time of a zero, and any other soreness (value -1, "not by the
    last reading") ranks below every zero."""
    return (
        f"SELECT {RESOLUTION_SLOT} AS slot, record_id,"
        f" CASE WHEN {soreness} = 0 THEN ({dt} + 86399) / 86400 ELSE -1 END AS value,"
        f" CASE WHEN {soreness} = 0 THEN -{dt} ELSE {_NOT_RESOLVED} END AS ord,"
        " 0 AS rank, 0 AS source_id, cg, pain_before, pg"
    )


def follow_ups(everyone: bool, join: str = "") -> str:
    """FROM and WHERE for the current follow-ups (f) of the sessions in ``oc_session``
    (cs). For everyone, every follow-up finds its session by key; for a few patients,
    their sessions find their follow-ups through the index (SQLite keeps no statistics
    on temporary tables to choose so itself)."""
    if everyone:
        tables = "follow_up f JOIN oc_session cs ON cs.record_id = f.session_record_id"
    else:
        tables = "oc_session cs CROSS JOIN follow_up f ON f.session_record_id = cs.record_id"
    # The current_follow_up view's condition, as an anti-join (see outcome_points.current).
    return (
        f"FROM {tables}{join} WHERE f.status = 'active' AND f.id NOT IN"
        " (SELECT supersedes_id FROM follow_up WHERE supersedes_id IS NOT NULL)"
    )


def latest_sql(windows: tuple[Window, ...], everyone: bool) -> tuple[str, ...]:
    """The statements that fill oc_point with the latest reading per window: each
    session's end first (into an empty table: appends), then the next session in the
    course, then the follow-ups."""
    pain0 = window_index(0, windows)
    soreness0 = window_index(0, SORENESS_WINDOWS)
    rest = f"0 AS ord, {RANK_AFTER} AS rank, 0 AS source_id, cg, pain_before, pg FROM oc_session"
    after = [  # in slot order, each by record id: appends to the empty table
        f"SELECT {GAP_SLOT if pain0 is None else pain0} AS slot, record_id,"
        f" pain_after AS value, {rest} WHERE pain_after IS NOT NULL",
    ]
    if soreness0 is not None:
        after.append(
            f"SELECT {SORENESS_SLOT + soreness0} AS slot, record_id, soreness_after AS value,"
            f" {rest} WHERE soreness_after IS NOT NULL"
        )
    after.append(
        f"{_resolution('0', 'soreness_after')} FROM oc_session WHERE soreness_after IS NOT NULL"
    )
    pain_slot = slot_sql(windows, 0, GAP_SLOT)
    soreness_slot = slot_sql(SORENESS_WINDOWS, SORENESS_SLOT, None)
    course = (
        "SELECT c.record_id, n.pain_before AS value, n.t0 - c.t0 AS dt, c.cg, c.pain_before,"
        " c.pg FROM oc_course c JOIN oc_course n ON n.seq = c.seq + 1"
        " AND n.patient_id = c.patient_id AND n.episode_id IS c.episode_id WHERE n.t0 > c.t0"
    )
    reading = (
        "SELECT cs.record_id, unixepoch(f.at) - cs.t0 AS dt, f.pain, f.soreness,"
        " cs.soreness_after, f.id AS source_id, cs.cg, cs.pain_before, cs.pg"
        f" {follow_ups(everyone)}"
    )
    return (
        _upsert(" UNION ALL ".join(after)),
        _upsert(
            f"SELECT {pain_slot} AS slot, record_id, value, dt AS ord, {RANK_NEXT} AS rank,"
            f" 0 AS source_id, cg, pain_before, pg FROM ({course})"
        ),
        f"WITH reading AS ({reading}) "
        + _upsert(
            f"SELECT {pain_slot} AS slot, record_id, pain AS value, dt AS ord,"
            f" {RANK_FOLLOW_UP} AS rank, source_id, cg, pain_before, pg"
            " FROM reading WHERE pain IS NOT NULL AND dt >= 0"
            f" UNION ALL SELECT {soreness_slot}, record_id, soreness, dt, {RANK_FOLLOW_UP},"
            " source_id, cg, pain_before, pg"
            " FROM reading WHERE soreness IS NOT NULL AND dt >= 0"
            f" UNION ALL {_resolution('dt', 'soreness')} FROM reading WHERE dt >= 0"
            # Only what can change the session's end's own resolution row: a zero after
            # a non-zero (or no) end, a non-zero where the end had no soreness.
            " AND (soreness = 0 AND soreness_after IS NOT 0"
            " OR soreness > 0 AND soreness_after IS NULL)"
        ),
    )


def _relieved(before: str, pain: str) -> str:
    """SQL of :func:`sessionlog.analysis.readings.relieved`."""
    return (
        f"({before} - {pain} >= 2 OR ({before} > 0 AND ({before} - {pain}) * 100 >= 30 * {before}))"
    )


def _bin(days: str) -> str:
    """SQL of :func:`sessionlog.analysis.readings.loss_days`."""
    return (
        f"(CASE WHEN {days} <= 14 THEN {days} WHEN {days} <= 84 THEN 7 * (({days} + 6) / 7)"
        f" ELSE min(364, 28 * (({days} + 27) / 28)) END)"
    )


def loss_sql(everyone: bool) -> str:
    """The time-to-loss-of-relief point of every session with relief right after it
    (:func:`sessionlog.analysis.readings.loss_of_relief`): the first later reading
    without relief (up to the next session in the course), else the last reading."""
    nxt = (
        "SELECT c.record_id, n.t0 - c.t0 AS dt, n.pain_before AS pain FROM oc_course c"
        " JOIN oc_course n ON n.seq = c.seq + 1 AND n.patient_id = c.patient_id"
        " AND n.episode_id IS c.episode_id WHERE n.t0 > c.t0"
    )
    reading = (
        f"SELECT cs.record_id, unixepoch(f.at) - cs.t0 AS dt, f.pain {follow_ups(everyone)}"
        f" AND f.pain IS NOT NULL UNION ALL {nxt}"
    )
    lost = f"NOT {_relieved('s.pain_before', 'r.pain')}"
    return f"""
INSERT INTO oc_point (slot, record_id, value, ckey, pkey)
SELECT {LOSS_SLOT}, record_id,
       CASE WHEN lost IS NOT NULL THEN 2 * {_bin("(lost + 86399) / 86400")} + 1
            ELSE 2 * {_bin("last / 86400")} END,
       {keys_sql(str(LOSS_SLOT))}
FROM (SELECT s.record_id, s.cg, 0 AS pain_before, s.pg,
             min(CASE WHEN {lost} THEN r.dt END) AS lost, max(r.dt) AS last
      FROM oc_session s JOIN ({reading}) AS r ON r.record_id = s.record_id
      LEFT JOIN ({nxt}) AS x ON x.record_id = s.record_id
      WHERE s.pain_after IS NOT NULL AND {_relieved("s.pain_before", "s.pain_after")}
        AND r.dt > 0 AND (x.dt IS NULL OR r.dt <= x.dt)
      GROUP BY s.record_id)
"""
