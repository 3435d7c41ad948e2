"""Outcome queries: the rows and counts that :mod:`sessionlog.analysis` works from.

Two ways to the same counts. The fast one reads the derived cache
(:mod:`.cache`, refreshed first): aggregated cells for all sessions or one
technique, practitioner or region, the per-session points for date and complaint
filters. The reference one loads sessions and follow-ups and counts them in Python
(:func:`sessionlog.analysis.counts_from_sessions`); it serves windows other than the
cached ones, and the tests hold the two to the same answers.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ...analysis.counts import GroupCounts, counts_from_sessions
from ...analysis.model import (
    Filters,
    FollowUp,
    SessionOutcome,
    family_of,
    make_follow_up,
    make_session,
)
from ...analysis.readings import ADVERSE_SLOT
from ...analysis.windows import DEFAULT_WINDOWS, Window, min_days
from ...domain.techniques import BODY_REGIONS, FAMILIES, TECHNIQUES
from ...errors import ValidationError
from . import cache as outcome_cache
from .clusters import DOSE_BAND_SLOTS, GROUP_COLUMNS, cluster_sums
from .counts import cells_sql, loss_pairs_sql, moments_by_slot_sql, points_of
from .points import site_insertions_sql

if TYPE_CHECKING:
    from ..store import Store

GROUPINGS = ("family", "technique")


def techniques_in(key: str | None) -> tuple[str, ...] | None:
    """The techniques a filter value covers: a family's, or one technique; None for all."""
    if key is None:
        return None
    if key in FAMILIES:
        return tuple(k for k, t in TECHNIQUES.items() if t.family == key)
    if key in TECHNIQUES:
        return (key,)
    allowed = ", ".join(FAMILIES + tuple(k for k in TECHNIQUES if k not in FAMILIES))
    raise ValidationError("technique", f"{key!r} is not a technique: one of {allowed}")


def check_filters(filters: Filters) -> Filters:
    """Refuse filter values that cannot match anything, naming the field."""
    techniques_in(filters.technique)
    if filters.region is not None and filters.region not in BODY_REGIONS:
        raise ValidationError(
            "region", f"{filters.region!r} is not a body region: one of {', '.join(BODY_REGIONS)}"
        )
    if filters.since and filters.until and filters.since > filters.until:
        raise ValidationError("since", f"{filters.since} is after --until {filters.until}")
    return filters


def _like(text: str) -> str:
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def filter_sql(filters: Filters, cols: dict[str, str]) -> tuple[str, list[Any]]:
    """SQL conditions for ``filters`` over the columns named in ``cols``."""
    clauses, params = ["1"], []  # type: ignore[var-annotated]
    techniques = techniques_in(filters.technique)
    if techniques:
        clauses.append(f"{cols['technique']} IN ({', '.join('?' * len(techniques))})")
        params.extend(techniques)
    for name, value in (
        ("practitioner_id", filters.practitioner_id),
        ("region", filters.region),
    ):
        if value is not None:
            clauses.append(f"{cols[name]} = ?")
            params.append(value)
    if filters.complaint:
        clauses.append(
            f"{cols['episode_id']} IN (SELECT id FROM episode WHERE complaint LIKE ? ESCAPE '\\')"
        )
        params.append(_like(filters.complaint))
    if filters.since:
        clauses.append(f"{cols['started_on']} >= ?")
        params.append(filters.since.isoformat())
    if filters.until:
        clauses.append(f"{cols['started_on']} <= ?")
        params.append(filters.until.isoformat())
    return " AND ".join(clauses), params


POINT_COLUMNS = {c: c for c in ("technique", "practitioner_id", "region", "episode_id")} | {
    "started_on": "started_on"
}
SESSION_COLUMNS = {
    "technique": "s.technique",
    "practitioner_id": "s.practitioner_id",
    "region": "e.body_region",
    "episode_id": "s.episode_id",
    "started_on": "date(s.started_at)",
}


# -- a patient's own rows ---------------------------------------------------------

_SESSIONS_SQL = f"""
SELECT s.record_id, s.patient_id, s.practitioner_id, s.started_at, s.technique,
       s.pain_before, s.pain_after, s.soreness_after,
       (SELECT coalesce(sum({site_insertions_sql()}), 0) FROM site WHERE session_id = s.id),
       (SELECT coalesce(sum(twitch_count), 0) FROM site WHERE session_id = s.id),
       s.episode_id
FROM current_session s WHERE s.patient_id {{match}} ORDER BY s.started_at, s.record_id
"""
_FOLLOW_UPS_SQL = """
SELECT session_record_id, at, pain, soreness, id FROM current_follow_up
WHERE patient_id {match} ORDER BY at, id
"""


_FROM_ISO = datetime.fromisoformat


def _session(row: tuple[Any, ...]) -> SessionOutcome:
    return make_session(
        row[0], row[1], row[2], _FROM_ISO(row[3]), row[4], row[5], row[6], row[7], row[8],
        row[9], row[10],
    )  # fmt: skip


def _follow_up(row: tuple[Any, ...]) -> FollowUp:
    return make_follow_up(row[0], _FROM_ISO(row[1]), row[2], row[3], row[4])


def patient_outcomes(store: Store, patient_id: int) -> tuple[list[SessionOutcome], list[FollowUp]]:
    """A patient's current sessions (oldest first) and current follow-ups."""
    conn = store.conn
    sessions = [_session(r) for r in conn.execute(_SESSIONS_SQL.format(match="= ?"), (patient_id,))]
    return sessions, patient_follow_ups(store, patient_id)


def patient_follow_ups(store: Store, patient_id: int) -> list[FollowUp]:
    """A patient's current follow-ups, in time order."""
    sql = _FOLLOW_UPS_SQL.format(match="= ?")
    rows = store.conn.execute(sql, (patient_id,))
    return [make_follow_up(r, _FROM_ISO(at), p, s, i) for r, at, p, s, i in rows]


# -- counts for the clinic ----------------------------------------------------------


def group_function(by: str) -> Any:
    """Technique key -> group key: its family (``by="family"``) or itself."""
    if by not in GROUPINGS:
        raise ValidationError("by", f"{by!r} is not allowed: one of {', '.join(GROUPINGS)}")
    return family_of if by == "family" else (lambda t: t)


def cache_level(filters: Filters) -> str:
    """Which part of the cache answers ``filters``: ``total`` (all sessions or one
    technique: the whole clinic's counts) or ``point`` (a practitioner, region, dates or
    complaint: the points of the sessions they cover, grouped when asked)."""
    if filters.complaint or filters.since or filters.until:
        return "point"
    if filters.practitioner_id is not None or filters.region is not None:
        return "point"
    return "total"


def group_counts(
    store: Store,
    filters: Filters | None = None,
    windows: tuple[Window, ...] = DEFAULT_WINDOWS,
    by: str = "family",
) -> dict[str, GroupCounts]:
    """Every count behind the comparison, per family (or exact technique)."""
    filters = check_filters(filters or Filters())
    group_of = group_function(by)
    if windows != outcome_cache.CACHED_WINDOWS:
        return reference_counts(store, filters, windows, by)
    outcome_cache.refresh(store)
    if cache_level(filters) == "point":
        out = _counts_from_points(store.conn, filters, by)
    else:
        out = _counts_from_totals(store.conn, filters, by, group_of)
    _count_eligible(store.conn, out, filters, windows, group_of)
    return out


def _count_eligible(
    conn: sqlite3.Connection,
    out: dict[str, GroupCounts],
    filters: Filters,
    windows: tuple[Window, ...],
    group_of: Any,
) -> None:
    """Sessions old enough for each window (see ``windows.old_enough``), per group:
    from the sessions per day, or for a practitioner, region, dates or complaint from
    the sessions' own rows."""
    latest = outcome_cache.latest_record(conn)
    if not latest:
        return
    day = datetime.fromisoformat(latest).date()
    cutoffs = [(day - timedelta(days=min_days(w))).isoformat() for w in windows]
    if cache_level(filters) == "total":
        # Old enough = every session but the recent ones: only the days after the
        # earliest cutoff are read (by outcome_day's key), then taken from the total.
        techniques = techniques_in(filters.technique) or tuple(TECHNIQUES)
        recent = ", ".join("sum(CASE WHEN started_on > ? THEN n ELSE 0 END)" for _ in cutoffs)
        rows = conn.execute(
            f"SELECT technique, {recent} FROM outcome_day"
            f" WHERE technique IN ({', '.join('?' * len(techniques))}) AND started_on > ?"
            " GROUP BY technique",
            [*cutoffs, *techniques, min(cutoffs)],
        ).fetchall()
        too_recent: dict[str, list[int]] = {}
        for technique, *counts in rows:
            group = too_recent.setdefault(group_of(technique), [0] * len(cutoffs))
            for i, n in enumerate(counts):
                group[i] += n
        for key, group_counts_ in out.items():
            late = too_recent.get(key, [0] * len(cutoffs))
            for i, n in enumerate(late):
                if group_counts_.sessions - n:
                    group_counts_.eligible[i] = group_counts_.sessions - n
        return
    sums = ", ".join("sum(started_on <= ?)" for _ in cutoffs)
    where, params = filter_sql(filters, POINT_COLUMNS)
    sql = f"SELECT technique, {sums} FROM outcome_session WHERE {where} GROUP BY technique"
    for technique, *counts in conn.execute(sql, [*cutoffs, *params]):
        found = out.get(group_of(technique))
        if found is not None:
            for i, n in enumerate(counts):
                if n:
                    found.eligible[i] = found.eligible.get(i, 0) + n


def _counts_from_totals(
    conn: sqlite3.Connection, filters: Filters, by: str, group_of: Any
) -> dict[str, GroupCounts]:
    where, params = filter_sql(filters, POINT_COLUMNS)
    where += f" AND slot < {ADVERSE_SLOT}"
    out: dict[str, GroupCounts] = {}
    for technique, slot, before, value, n in conn.execute(
        f"SELECT technique, slot, pain_before, value, n FROM outcome_total WHERE {where}", params
    ):
        key = group_of(technique)
        group = out.get(key)
        if group is None:  # (a GroupCounts made per row only to be dropped cost a third)
            group = out[key] = GroupCounts(key)
        group.add(slot, before, value, n)
    analysed = f"slot < {ADVERSE_SLOT} AND NOT {DOSE_BAND_SLOTS}"
    for key, slot, patients, sums in patient_sums(conn, filters, by, analysed, group_of):
        if key in out:
            _set_patients(out[key], slot, patients, sums)
    _add_loss_pairs(conn, out, filters, by, group_of)
    return out


def patient_sums(
    conn: sqlite3.Connection, filters: Filters, by: str, slots: str, group_of: Any
) -> Iterator[tuple[str, int, int, list[float]]]:
    """(group, slot, patients, sums over patients) of the slots matching ``slots`` (SQL),
    from outcome_group: the whole clinic or one technique (``cache_level`` "total")."""
    # Whole-clinic patient counts are kept per family and per technique. One technique
    # asked for under its family: that technique's count is the family's.
    grouping, techniques = _grouping(filters, by)
    rows = conn.execute(
        f"SELECT key, slot, patients, {GROUP_COLUMNS} FROM outcome_group"
        f" WHERE grouping = ? AND {slots}",
        (grouping,),
    )
    for key, slot, patients, *sums in rows:
        if techniques is None or key in techniques or key == filters.technique:
            yield group_of(key), slot, patients, sums


def _grouping(filters: Filters, by: str) -> tuple[str, tuple[str, ...] | None]:
    """The whole clinic's rows to read (per ``family`` or ``technique``), and the
    techniques ``filters`` ask for (None: all)."""
    techniques = techniques_in(filters.technique)
    exact = techniques is not None and filters.technique not in FAMILIES
    return "technique" if exact else by, techniques


def _add_loss_pairs(
    conn: sqlite3.Connection,
    out: dict[str, GroupCounts],
    filters: Filters,
    by: str,
    group_of: Any,
) -> None:
    """The whole clinic's loss pairs (``outcome_loss_pair``) of the groups in ``out``."""
    grouping, techniques = _grouping(filters, by)
    rows = conn.execute(
        "SELECT key, a, b, n FROM outcome_loss_pair WHERE grouping = ?", (grouping,)
    )
    for key, a, b, n in rows:
        if techniques is None or key in techniques or key == filters.technique:
            found = out.get(group_of(key))
            if found is not None:
                found.loss_pairs[(a, b)] = found.loss_pairs.get((a, b), 0) + n


def _set_patients(counts: GroupCounts, slot: int, patients: int, sums: list[float]) -> None:
    """The patients of a slot, and (below the adverse-event slots) their sums."""
    counts.set_patients(slot, patients)
    if slot < ADVERSE_SLOT:
        counts.clusters[slot] = cluster_sums(patients, sums)


def _counts_from_points(
    conn: sqlite3.Connection, filters: Filters, by: str
) -> dict[str, GroupCounts]:
    """From the rows of the sessions ``filters`` cover (picked once), grouped slot by slot."""
    picked, params = picked_sql(filters)
    column = "family" if by == "family" else "technique"
    specs = points_of(outcome_cache.CACHED_WINDOWS)
    out: dict[str, GroupCounts] = {}
    rows = conn.execute(picked + cells_sql(specs, "picked", "true", group=column), params)
    for key, slot, before, value, n in rows:
        group = out.get(key)
        if group is None:  # (a GroupCounts made per row only to be dropped cost a third)
            group = out[key] = GroupCounts(key)
        group.add(slot, before, value, n)
    moments = picked + moments_by_slot_sql(specs, "picked", "true", column)
    for key, slot, patients, *sums in conn.execute(moments, params):
        _set_patients(out[key], slot, patients, sums)
    pairs = picked + loss_pairs_sql("picked", "true", column, ", ")
    for key, a, b, n in conn.execute(pairs, params):
        out[key].loss_pairs[(a, b)] = n
    return out


def picked_sql(filters: Filters) -> tuple[str, list[Any]]:
    """A WITH clause naming ``picked`` the rows of ``outcome_session`` that ``filters``
    cover, made once (an ephemeral table: no write on the connection) for the query's
    many parts to read, and its parameters."""
    where, params = filter_sql(filters, POINT_COLUMNS)
    return f"WITH picked AS MATERIALIZED (SELECT * FROM outcome_session WHERE {where}) ", params


def _load_patients(
    conn: sqlite3.Connection, patient_ids: set[int]
) -> tuple[list[SessionOutcome], list[FollowUp]]:
    # The ids travel as one JSON parameter: no temporary table, so a read never
    # opens a write transaction on the shared connection.
    ids = json.dumps(sorted(patient_ids))
    match = "IN (SELECT value FROM json_each(?))"
    sessions = [_session(r) for r in conn.execute(_SESSIONS_SQL.format(match=match), (ids,))]
    follow_ups = [_follow_up(r) for r in conn.execute(_FOLLOW_UPS_SQL.format(match=match), (ids,))]
    return sessions, follow_ups


def reference_counts(
    store: Store,
    filters: Filters | None = None,
    windows: tuple[Window, ...] = DEFAULT_WINDOWS,
    by: str = "family",
) -> dict[str, GroupCounts]:
    """The same counts as :func:`group_counts`, computed in Python from the records."""
    filters = check_filters(filters or Filters())
    group_of = group_function(by)
    where, params = filter_sql(filters, SESSION_COLUMNS)
    matching = store.conn.execute(
        "SELECT s.record_id, s.patient_id FROM current_session s"
        f" LEFT JOIN episode e ON e.id = s.episode_id WHERE {where}",
        params,
    ).fetchall()
    keep = {r[0] for r in matching}
    sessions, follow_ups = _load_patients(store.conn, {r[1] for r in matching})
    latest = store.conn.execute(
        "SELECT max(x) FROM (SELECT max(started_at) AS x FROM session"
        " UNION ALL SELECT max(at) FROM follow_up)"
    ).fetchone()[0]
    return counts_from_sessions(
        sessions,
        follow_ups,
        windows,
        group=lambda s: group_of(s.technique),
        keep=lambda s: s.record_id in keep,
        latest=datetime.fromisoformat(latest).date() if latest else None,
    )
