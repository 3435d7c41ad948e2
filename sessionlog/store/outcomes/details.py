"""Clinic-wide dose, soreness by dose and adverse-event counts, from the outcome cache.

Each answers from the smallest table that can: the whole clinic's sums and counts for
all sessions or one technique; the sessions' rows (``outcome_session``) grouped when a
practitioner, region, dates or a complaint are asked for.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ...analysis.dose import DoseSummary, dose_from_sums
from ...analysis.model import Filters
from ...analysis.readings import ADVERSE_SLOT
from ...analysis.stats import ClusterSums, median_with_interval
from ...domain.techniques import AE_TIERS, FAMILIES
from . import cache as outcome_cache
from .clusters import (
    DOSE_BAND_SLOTS,
    cluster_sums,
)
from .counts import DOSE_GROUP_COLUMNS, DOSE_GROUP_SUMS, moments_by_slot_sql, points_of
from .queries import (
    POINT_COLUMNS,
    cache_level,
    check_filters,
    filter_sql,
    group_function,
    patient_sums,
    picked_sql,
    techniques_in,
)

if TYPE_CHECKING:
    from ..store import Store


AdverseSums = dict[str, ClusterSums]  # per tier: sessions with one ("k") of sessions ("n")


def _per_patient(filters: Filters, by: str) -> tuple[str, list[object]]:
    """SQL for one row per group and patient: sessions, first, last, insertions, and
    sessions with an adverse event of each tier (from the sessions' rows)."""
    where, params = filter_sql(filters, POINT_COLUMNS)
    group = "family" if by == "family" else "technique"
    adverse = ", ".join(
        f"sum(s{ADVERSE_SLOT + 1 + i} > 0) AS ae_{t}" for i, t in enumerate(AE_TIERS)
    )
    return (
        f"SELECT {group} AS g, patient_id, count(*) AS n, min(started_at) AS first_at,"
        " max(started_at) AS last_at, sum(insertions) AS ins,"
        f" sum(insertions * insertions) AS ins_sq, {adverse}"
        f" FROM outcome_session WHERE {where} GROUP BY g, patient_id",
        params,
    )


def _dose_and_adverse(
    key: str, median: float | None, row: Sequence[Any], ci: tuple[float, float] | None
) -> tuple[DoseSummary, AdverseSums]:
    """A group's dose summary and adverse-event sums from a row of
    :data:`.outcome_counts.DOSE_GROUP_SUMS`."""
    patients, n, n_sq, ins, ins_sq, ins_p2, ins_n, *ae = row
    dose = dose_from_sums(key, patients, n, n_sq, ins, ins_sq, median, ins_p2, ins_n, ci)
    sums = {}
    for i, tier in enumerate(AE_TIERS):
        k, k_sq, k_n = ae[3 * i : 3 * i + 3]
        sums[tier] = ClusterSums(
            patients, {"k": k, "n": n}, {("k", "k"): k_sq, ("k", "n"): k_n, ("n", "n"): n_sq}
        )
    return dose, sums


def dose_summaries(
    store: Store, filters: Filters | None = None, by: str = "family"
) -> dict[str, DoseSummary]:
    """Per group: sessions, patients, sessions per patient, the median frequency
    (sessions a week) among patients with two or more, insertions per session."""
    return {k: d for k, (d, _) in dose_and_adverse(store, filters, by).items()}


def dose_and_adverse(
    store: Store, filters: Filters | None = None, by: str = "family"
) -> dict[str, tuple[DoseSummary, AdverseSums]]:
    """Per group: its dose summary (:func:`dose_summaries`) and, per adverse-event tier,
    the per-patient sums of sessions with an event (for intervals by patient)."""
    filters = check_filters(filters or Filters())
    group_of = group_function(by)
    outcome_cache.refresh(store)
    if cache_level(filters) == "total":
        return _whole_clinic_doses(store.conn, filters, by, group_of)
    per, params = _per_patient(filters, by)
    # Frequency as the analysis defines it: (sessions - 1) * 7 / days from the first to
    # the last, one value per patient; its median and interval from the sorted values.
    weekly: dict[str, list[float]] = {}
    for g, v in store.conn.execute(
        f"WITH per AS ({per}) SELECT g, (n - 1) * 7.0 / (julianday(last_at) -"
        " julianday(first_at)) AS v FROM per WHERE n > 1 AND last_at > first_at ORDER BY g, v",
        params,
    ):
        weekly.setdefault(g, []).append(v)
    out = {}
    for g, *row in store.conn.execute(
        f"WITH per AS ({per}) SELECT g, {DOSE_GROUP_SUMS} FROM per GROUP BY g", params
    ):
        median, ci = median_with_interval(weekly.get(g, []))
        out[g] = _dose_and_adverse(g, median, row, ci)
    return out


def _whole_clinic_doses(
    conn: sqlite3.Connection, filters: Filters, by: str, group_of: Any
) -> dict[str, tuple[DoseSummary, AdverseSums]]:
    """From the sums over patients the cache keeps per family and technique."""
    # One technique asked for under its family: that technique's rows are the family's.
    techniques = techniques_in(filters.technique)
    grouping = "technique" if techniques and filters.technique not in FAMILIES else by
    out = {}
    for key, median, low, high, *row in conn.execute(
        "SELECT key, per_week_median, per_week_low, per_week_high,"
        f" {', '.join(DOSE_GROUP_COLUMNS)} FROM outcome_dose_group WHERE grouping = ?",
        (grouping,),
    ).fetchall():
        if techniques and key not in techniques and key != filters.technique:
            continue
        group = group_of(key)
        ci = None if low is None else (low, high)
        out[group] = _dose_and_adverse(group, median, row, ci)
    return out


def soreness_dose_clusters(
    store: Store, filters: Filters | None = None, by: str = "family"
) -> dict[str, dict[int, ClusterSums]]:
    """Per group and dose-band slot, the sums over patients of soreness at about 24 h
    (see ``analysis.soreness.soreness_by_dose``)."""
    filters = check_filters(filters or Filters())
    group_of = group_function(by)
    outcome_cache.refresh(store)
    out: dict[str, dict[int, ClusterSums]] = {}
    if cache_level(filters) != "point":
        rows = patient_sums(store.conn, filters, by, DOSE_BAND_SLOTS, group_of)
    else:  # each session's soreness point under its two bands, from the rows
        picked, params = picked_sql(filters)
        column = "family" if by == "family" else "technique"
        bands = points_of(outcome_cache.CACHED_WINDOWS, "band")
        sql = picked + moments_by_slot_sql(bands, "picked", "true", column)
        rows = (
            (key, slot, patients, sums)
            for key, slot, patients, *sums in store.conn.execute(sql, params)
        )
    for key, slot, patients, sums in rows:
        out.setdefault(key, {})[slot] = cluster_sums(patients, sums)
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
    if cache_level(filters) == "total":
        sql = (
            f"SELECT technique, slot, value, sum(n) FROM outcome_total"
            f" WHERE slot > {ADVERSE_SLOT} AND {where} GROUP BY technique, slot, value"
        )
    else:  # per tier: the sessions' events, from their rows
        picked, params = picked_sql(filters)
        sql = picked + " UNION ALL ".join(
            f"SELECT technique, {spec.slot}, {spec.value}, count(*) FROM picked"
            f" WHERE {spec.present} GROUP BY technique, {spec.value}"
            for spec in points_of(outcome_cache.CACHED_WINDOWS, "adverse")
        )
    out: dict[str, dict[str, tuple[int, int]]] = {}
    for technique, slot, events, n in store.conn.execute(sql, params):
        tier = AE_TIERS[slot - ADVERSE_SLOT - 1]
        tiers = out.setdefault(group_of(technique), {})
        k, e = tiers.get(tier, (0, 0))
        tiers[tier] = (k + n, e + n * events)
    return out
