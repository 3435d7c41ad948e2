"""Clinic-wide dose, soreness by dose and adverse-event counts, from the outcome cache.

Each answers from the smallest table that can: per-patient dose rows and counts for
all sessions, one technique, practitioner or region; the per-session points (through
partial indexes) when dates or a complaint are asked for.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from ..analysis.dose import DoseSummary, dose_from_sums
from ..analysis.model import Filters
from ..analysis.readings import ADVERSE_SLOT, SESSION_SLOT, SORENESS_SLOT
from ..analysis.soreness import DOSE_WINDOW
from ..domain.techniques import AE_TIERS, FAMILIES
from . import outcome_cache
from .outcome_cache import family_sql
from .outcomes import (
    POINT_COLUMNS,
    cache_level,
    check_filters,
    filter_sql,
    group_function,
    techniques_in,
)

if TYPE_CHECKING:
    from .store import Store


def _per_patient(filters: Filters, by: str) -> tuple[str, list[object]]:
    """SQL for one row per group and patient: sessions, first, last, insertions."""
    where, params = filter_sql(filters, POINT_COLUMNS)
    if cache_level(filters) == "point":
        group = family_sql() if by == "family" else "technique"  # covered by the index
        return (
            f"SELECT {group} AS g, patient_id, count(*) AS n, min(started_at) AS first_at,"
            " max(started_at) AS last_at, sum(insertions) AS ins,"
            " sum(insertions * insertions) AS ins_sq"
            " FROM outcome_point INDEXED BY outcome_point_dose"  # SQLite picks a worse plan
            f" WHERE slot = {SESSION_SLOT} AND {where} GROUP BY g, patient_id",
            params,
        )
    group = "family" if by == "family" else "technique"
    return (
        f"SELECT {group} AS g, patient_id, sum(sessions) AS n, min(first_at) AS first_at,"
        " max(last_at) AS last_at, sum(insertions) AS ins, sum(insertions_sq) AS ins_sq"
        f" FROM outcome_dose WHERE {where} GROUP BY g, patient_id",
        params,
    )


def dose_summaries(
    store: Store, filters: Filters | None = None, by: str = "family"
) -> dict[str, DoseSummary]:
    """Per group: sessions, patients, sessions per patient, the median frequency
    (sessions a week) among patients with two or more, insertions per session."""
    filters = check_filters(filters or Filters())
    group_of = group_function(by)
    outcome_cache.refresh(store)
    if cache_level(filters) == "total":
        return _whole_clinic_doses(store.conn, filters, by, group_of)
    per, params = _per_patient(filters, by)
    # Frequency as the analysis defines it: (sessions - 1) * 7 / days from the first to
    # the last; its median the mean of the middle one or two values.
    medians = dict(
        store.conn.execute(
            f"WITH per AS ({per}), weekly AS (SELECT g,"
            " (n - 1) * 7.0 / (julianday(last_at) - julianday(first_at)) AS v FROM per"
            " WHERE n > 1 AND last_at > first_at), ranked AS (SELECT g, v,"
            " row_number() OVER (PARTITION BY g ORDER BY v) AS r,"
            " count(*) OVER (PARTITION BY g) AS c FROM weekly)"
            " SELECT g, avg(v) FROM ranked WHERE r IN ((c + 1) / 2, (c + 2) / 2) GROUP BY g",
            params,
        ).fetchall()
    )
    return {
        g: dose_from_sums(g, patients, n, n_sq, ins, ins_sq, medians.get(g), ins_p2, ins_n)
        for g, patients, n, n_sq, ins, ins_sq, ins_p2, ins_n in store.conn.execute(
            f"WITH per AS ({per}) SELECT g, count(*), sum(n), sum(n * n), sum(ins),"
            " sum(ins_sq), sum(ins * ins), sum(ins * n) FROM per GROUP BY g",
            params,
        )
    }


def _whole_clinic_doses(
    conn: sqlite3.Connection, filters: Filters, by: str, group_of: Any
) -> dict[str, DoseSummary]:
    # One technique asked for under its family: that technique's rows are the family's.
    techniques = techniques_in(filters.technique)
    grouping = "technique" if techniques and filters.technique not in FAMILIES else by
    out = {}
    for key, patients, n, n_sq, ins, ins_sq, ins_p2, ins_n in conn.execute(
        "SELECT key, count(*), sum(sessions), sum(sessions * sessions), sum(insertions),"
        " sum(insertions_sq), sum(insertions * insertions), sum(insertions * sessions)"
        " FROM outcome_dose_patient WHERE grouping = ? GROUP BY key",
        (grouping,),
    ).fetchall():
        if techniques and key not in techniques and key != filters.technique:
            continue
        group = group_of(key)
        out[group] = dose_from_sums(
            group, patients, n, n_sq, ins, ins_sq, _median_per_week(conn, grouping, key),
            ins_p2, ins_n,
        )  # fmt: skip
    return out


def _median_per_week(conn: sqlite3.Connection, grouping: str, key: str) -> float | None:
    """The median frequency of one group, read from the index at the middle rank(s)."""
    where = "grouping = ? AND key = ? AND per_week IS NOT NULL"
    count = conn.execute(
        f"SELECT count(*) FROM outcome_dose_patient WHERE {where}", (grouping, key)
    ).fetchone()[0]
    if not count:
        return None
    row = conn.execute(
        f"SELECT avg(per_week) FROM (SELECT per_week FROM outcome_dose_patient WHERE {where}"
        " ORDER BY per_week LIMIT ? OFFSET ?)",
        (grouping, key, 2 - count % 2, (count - 1) // 2),
    ).fetchone()
    return float(row[0])


def soreness_dose_rows(
    store: Store, filters: Filters | None = None, by: str = "family"
) -> dict[str, list[tuple[int, int, int, int]]]:
    """Per group, counts of (insertions, twitches, soreness at about 24 h)."""
    filters = check_filters(filters or Filters())
    group_of = group_function(by)
    outcome_cache.refresh(store)
    where, params = filter_sql(filters, POINT_COLUMNS)
    if cache_level(filters) == "point":
        sql = (
            "SELECT technique, insertions, twitches, value, count(*)"
            " FROM outcome_point INDEXED BY outcome_point_dose_soreness"
            f" WHERE slot = {SORENESS_SLOT + DOSE_WINDOW} AND {where}"
            " GROUP BY technique, insertions, twitches, value"
        )
    else:
        sql = (
            "SELECT technique, insertions, twitches, value, sum(n) FROM outcome_dose_soreness"
            f" WHERE {where} GROUP BY technique, insertions, twitches, value"
        )
    out: dict[str, list[tuple[int, int, int, int]]] = {}
    for technique, ins, tw, value, n in store.conn.execute(sql, params):
        out.setdefault(group_of(technique), []).append((ins, tw, value, n))
    return out


def adverse_counts(
    store: Store, filters: Filters | None = None, by: str = "family"
) -> dict[str, dict[str, tuple[int, int]]]:
    """Per group and tier: (sessions with an adverse event, events).

    Events recorded at a session or at one of its follow-ups count for that session;
    only current versions count (the cache holds them as points, one per tier).
    """
    filters = check_filters(filters or Filters())
    group_of = group_function(by)
    outcome_cache.refresh(store)
    where, params = filter_sql(filters, POINT_COLUMNS)
    where += f" AND slot > {ADVERSE_SLOT}"
    table, count = {
        "total": ("outcome_total", "sum(n)"),
        "cell": ("outcome_cell", "sum(n)"),
        "point": ("outcome_point", "count(*)"),
    }[cache_level(filters)]
    out: dict[str, dict[str, tuple[int, int]]] = {}
    for technique, slot, events, n in store.conn.execute(
        f"SELECT technique, slot, value, {count} FROM {table} WHERE {where}"
        " GROUP BY technique, slot, value",
        params,
    ):
        tier = AE_TIERS[slot - ADVERSE_SLOT - 1]
        tiers = out.setdefault(group_of(technique), {})
        k, e = tiers.get(tier, (0, 0))
        tiers[tier] = (k + n, e + n * events)
    return out
