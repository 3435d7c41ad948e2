"""How much needling: sessions, their frequency and insertions; adverse-event rates.

Frequency is ``(sessions - 1) / weeks between the first and the last session``: weekly
visits give 1 a week whatever their number; a single session has no frequency.
Adverse-event rates are sessions with at least one event of the tier per 100 sessions,
with a 95% interval that treats the patient as the unit; with none, the rule of three
gives the upper bound (3/G × 100 for G patients), since no events does not mean a
rate of 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from ..domain.techniques import AE_TIERS
from .stats import (
    ClusterSums,
    Mean,
    bounded,
    cluster_mean,
    cluster_proportion,
    mean_from_sums,
    median_with_interval,
    rule_of_three,
    wilson,
)


@dataclass(frozen=True)
class PatientDose:
    """One patient's sessions of one technique (or family), summed."""

    key: str
    patient_id: int
    sessions: int
    first: datetime
    last: datetime
    insertions: int
    insertions_sq: int

    @property
    def per_week(self) -> float | None:
        days = (self.last - self.first).total_seconds() / 86400
        if self.sessions < 2 or days <= 0:
            return None
        return (self.sessions - 1) * 7 / days


@dataclass(frozen=True)
class DoseSummary:
    """Dose for a technique across patients (or for one patient: ``patients`` = 1)."""

    key: str
    sessions: int
    patients: int
    sessions_per_patient: Mean
    per_week_median: float | None  # among patients with two or more sessions
    insertions_per_session: Mean
    # The median's 95% interval (order statistics; one value per patient): None under 6.
    per_week_ci: tuple[float, float] | None = None


def dose_summary(key: str, doses: Iterable[PatientDose]) -> DoseSummary:
    """Summarise the per-patient doses of one technique."""
    doses = list(doses)
    per_week = sorted(d.per_week for d in doses if d.per_week is not None)
    median, ci = median_with_interval(per_week)
    return dose_from_sums(
        key,
        len(doses),
        sum(d.sessions for d in doses),
        sum(d.sessions**2 for d in doses),
        sum(d.insertions for d in doses),
        sum(d.insertions_sq for d in doses),
        median,
        sum(d.insertions**2 for d in doses),
        sum(d.insertions * d.sessions for d in doses),
        ci,
    )


def dose_from_sums(
    key: str,
    patients: int,
    sessions: int,
    sessions_sq: int,
    insertions: int,
    insertions_sq: int,
    per_week_median: float | None,
    insertions_patient_sq: float | None = None,
    insertions_by_sessions: float | None = None,
    per_week_ci: tuple[float, float] | None = None,
) -> DoseSummary:
    """The same summary from sums over patients (the store computes them in SQL):
    Σ sessions and Σ sessions² per patient, Σ insertions and Σ insertions² per session;
    with Σ (a patient's insertions)² and Σ insertions × sessions over patients, the
    insertions per session get an interval with the patient as the unit (stats)."""
    per_session = mean_from_sums(sessions, insertions, insertions_sq)
    if insertions_patient_sq is not None and insertions_by_sessions is not None:
        c = ClusterSums(
            patients,
            {"v": insertions, "n": sessions},
            {
                ("v", "v"): insertions_patient_sq,
                ("v", "n"): insertions_by_sessions,
                ("n", "n"): sessions_sq,
            },
        )
        per_session = replace(cluster_mean(c, "v", "n"), sd=per_session.sd)
    per_session = bounded(per_session, 0.0, math.inf)  # no fewer than none
    return DoseSummary(
        key=key,
        sessions=sessions,
        patients=patients,
        sessions_per_patient=mean_from_sums(patients, sessions, sessions_sq),
        per_week_median=per_week_median,
        insertions_per_session=per_session,
        per_week_ci=per_week_ci,
    )


@dataclass(frozen=True)
class AdverseRate:
    """Sessions with an adverse event of ``tier`` per 100 sessions."""

    tier: str
    sessions: int
    with_event: int
    events: int
    per_100: float | None
    low: float | None
    high: float | None
    rule_of_three: bool  # ``high`` is 3/n × 100 because there were none


def adverse_rates(
    sessions: int,
    by_tier: Mapping[str, tuple[int, int]],
    clusters: Mapping[str, ClusterSums] | None = None,
) -> list[AdverseRate]:
    """Rates for every tier; ``by_tier[tier]`` = (sessions with one, events).

    With ``clusters`` (per tier, each patient's sessions with an event, ``k``, of their
    sessions, ``n``) the interval treats the patient as the unit (stats'
    ``cluster_proportion``) and the rule of three counts patients: none in G patients
    puts the rate at most 3/G (conservative: the sessions of a patient may be alike).
    Without them, sessions are the unit (Wilson; 3/n)."""
    out = []
    for tier in AE_TIERS:
        k, events = by_tier.get(tier, (0, 0))
        c = clusters.get(tier) if clusters else None
        p = cluster_proportion(c, "k", "n") if c is not None else wilson(k, sessions)
        if sessions and k == 0:
            upper = rule_of_three(c.patients if c is not None else sessions)
            high = min(100.0, 100 * (upper or 0))  # 3/n passes 100% below 3 sessions
            out.append(AdverseRate(tier, sessions, 0, events, 0.0, 0.0, high, True))
            continue
        out.append(
            AdverseRate(
                tier,
                sessions,
                k,
                events,
                None if p.value is None else 100 * p.value,
                None if p.low is None else 100 * p.low,
                None if p.high is None else 100 * p.high,
                False,
            )
        )
    return out
