"""The clinic's comparison of techniques: relief by window, durability, soreness, dose.

Descriptive only: which patients received which technique was not randomised, so the
figures show what happened in this clinic, with their counts and 95% intervals, not
which technique works better.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..domain.techniques import FAMILIES, TECHNIQUES
from .counts import GroupCounts
from .dose import AdverseRate, DoseSummary, adverse_rates
from .lasting import ReliefLasting, relief_lasting
from .model import Filters, group_label
from .readings import LOSS_SLOT, RESOLUTION_SLOT, SORENESS_SLOT
from .relief import MIN_PATIENTS, Durability, WindowRelief, durability, summarise_window
from .soreness import RESOLUTION, DoseBand, SorenessCourse, soreness_by_dose, soreness_course
from .stats import ClusterSums
from .windows import DEFAULT_LONG, DEFAULT_SHORT, DEFAULT_WINDOWS, Window


@dataclass(frozen=True)
class TechniqueSummary:
    """One technique's (or family's) row of the comparison."""

    key: str
    label: str
    sessions: int
    patients: int
    windows: tuple[WindowRelief, ...]
    durability: Durability
    soreness: SorenessCourse
    between: int  # sessions with a reading between windows (not analysed)
    lasting: ReliefLasting | None = None  # how long relief lasts (time to its loss)


@dataclass(frozen=True)
class Comparison:
    filters: Filters
    windows: tuple[Window, ...]
    min_patients: int
    groups: tuple[TechniqueSummary, ...]

    def group(self, key: str) -> TechniqueSummary | None:
        return next((g for g in self.groups if g.key == key), None)


def summarise_group(
    counts: GroupCounts,
    windows: tuple[Window, ...],
    min_patients: int = MIN_PATIENTS,
    short: str = DEFAULT_SHORT,
    long: str = DEFAULT_LONG,
) -> TechniqueSummary:
    """Every figure for one technique from its counts."""
    reliefs = [
        summarise_window(
            w,
            counts.pain.get(i, {}),
            counts.pain_patients.get(i, 0),
            min_patients,
            counts.clusters.get(i),
            counts.eligible.get(i, 0),
            kept=not w.immediate and any(v.immediate for v in windows),
        )
        for i, w in enumerate(windows)
    ]
    return TechniqueSummary(
        key=counts.key,
        label=group_label(counts.key),
        sessions=counts.sessions,
        patients=counts.patients,
        windows=tuple(reliefs),
        durability=durability(reliefs, short, long),
        soreness=soreness_course(
            counts.soreness,
            counts.soreness_patients,
            counts.resolution,
            min_patients,
            resolution_patients=counts.resolution_patients,
            clusters={
                **{
                    slot - SORENESS_SLOT: c
                    for slot, c in counts.clusters.items()
                    if SORENESS_SLOT <= slot < RESOLUTION_SLOT
                },
                **(
                    {RESOLUTION: counts.clusters[RESOLUTION_SLOT]}
                    if RESOLUTION_SLOT in counts.clusters
                    else {}
                ),
            },
        ),
        between=counts.between,
        lasting=relief_lasting(
            counts.loss,
            counts.loss_patients,
            counts.clusters.get(LOSS_SLOT),
            min_patients,
            counts.loss_pairs or None,
        ),
    )


def compare(
    counts: Mapping[str, GroupCounts],
    windows: tuple[Window, ...] = DEFAULT_WINDOWS,
    *,
    filters: Filters | None = None,
    min_patients: int = MIN_PATIENTS,
    short: str = DEFAULT_SHORT,
    long: str = DEFAULT_LONG,
) -> Comparison:
    """The comparison table: every family always (a family with no data shows 0 sessions),
    or every technique present when grouped by exact technique; with a technique filter,
    that technique (with 0 sessions when it has none)."""
    keys = list(counts)
    if filters and filters.technique:
        keys = keys or [filters.technique]  # the technique asked for, even without data
    elif all(k in FAMILIES for k in keys):
        keys = list(FAMILIES)
    else:
        order = list(TECHNIQUES)
        keys.sort(key=lambda k: order.index(k) if k in order else len(order))
    groups = tuple(
        summarise_group(counts.get(k) or GroupCounts(k), windows, min_patients, short, long)
        for k in keys
    )
    return Comparison(filters or Filters(), windows, min_patients, groups)


@dataclass(frozen=True)
class Details:
    """Dose, safety and soreness by dose for one technique."""

    key: str
    label: str
    dose: DoseSummary
    adverse: tuple[AdverseRate, ...]
    soreness_by_dose: tuple[DoseBand, ...]


def details(
    dose: DoseSummary,
    adverse: Mapping[str, tuple[int, int]],
    dose_soreness: Mapping[int, ClusterSums],
    adverse_clusters: Mapping[str, ClusterSums] | None = None,
) -> Details:
    """Dose summary, adverse-event rates per tier and soreness by dose for one technique
    (``dose_soreness``: the sums over patients per dose-band slot; ``adverse_clusters``:
    per tier, the per-patient sums; both for intervals with the patient as the unit)."""
    return Details(
        dose.key,
        group_label(dose.key),
        dose,
        tuple(adverse_rates(dose.sessions, adverse, adverse_clusters)),
        tuple(soreness_by_dose(dose_soreness)),
    )
