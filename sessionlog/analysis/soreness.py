"""Post-needling soreness: its course over the first days, when it resolves, and dose.

Soreness (0-10) is expected after needling, worse with more insertions and twitch
responses. The course takes the latest score near 24, 48 and 72 h
(:data:`~.windows.SORENESS_WINDOWS`). Resolution is the first reading with soreness 0,
in whole days (0: already none at the session's end); a session whose soreness was
never reported 0 is "not resolved yet" and counts against every "resolved by" figure,
so those figures are lower bounds when follow-up stopped early.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .readings import DOSE_BAND_SLOT
from .relief import MIN_PATIENTS
from .stats import (
    LEVEL,
    ClusterSums,
    Mean,
    Proportion,
    bounded,
    cluster_mean,
    cluster_proportion,
    mean_of_counts,
    median_of_counts,
    point_totals,
    wilson,
)
from .windows import SORENESS_WINDOWS, Window

INSERTION_BANDS: tuple[tuple[int, int | None], ...] = ((1, 5), (6, 10), (11, 20), (21, None))
TWITCH_BANDS: tuple[tuple[int, int | None], ...] = ((0, 0), (1, 5), (6, 15), (16, None))
DOSE_WINDOW = 1  # soreness by dose is read at about 24 h (SORENESS_WINDOWS[1])


@dataclass(frozen=True)
class SorenessPoint:
    window: Window
    sessions: int
    patients: int
    enough: bool
    mean: Mean
    median: float | None
    none: Proportion  # sessions with soreness 0


@dataclass(frozen=True)
class Resolution:
    sessions: int  # sessions with any soreness score
    unresolved: int
    median_day: float | None  # None when half or more never resolved
    by_day: dict[int, Proportion]  # resolved by day 1, 2, 3
    patients: int = 0  # patients behind ``sessions``


@dataclass(frozen=True)
class SorenessCourse:
    points: tuple[SorenessPoint, ...]
    resolution: Resolution


def resolution_summary(
    days: Mapping[int, int], patients: int = 0, clusters: ClusterSums | None = None
) -> Resolution:
    """Time to resolution from counts of sessions by day soreness reached 0 (-1: not yet),
    with the number of ``patients`` behind those sessions (and their sums, ``clusters``:
    the "resolved by" shares then have intervals with the patient as the unit)."""
    total = sum(days.values())
    unresolved = days.get(-1, 0)
    # Unresolved sessions sort after every day, so the median is a day only when more
    # than half resolved: then it is exact whatever their eventual day.
    ranked = [(float(d), n) for d, n in days.items() if d >= 0] + [(float("inf"), unresolved)]
    median = median_of_counts(ranked) if total else None
    by_day = {
        d: cluster_proportion(clusters, f"by{d}", "n")
        if clusters is not None
        else wilson(sum(n for day, n in days.items() if 0 <= day <= d), total)
        for d in (1, 2, 3)
    }
    return Resolution(
        total, unresolved, None if median in (None, float("inf")) else median, by_day, patients
    )


def soreness_course(
    cells: Mapping[int, Mapping[int, int]],
    patients: Mapping[int, int],
    resolution_days: Mapping[int, int],
    min_patients: int = MIN_PATIENTS,
    windows: tuple[Window, ...] = SORENESS_WINDOWS,
    *,
    resolution_patients: int = 0,
    clusters: Mapping[int, ClusterSums] | None = None,
) -> SorenessCourse:
    """The soreness course from counts of each score in each soreness window; with the
    per-patient sums of each window (``clusters``, by soreness window index, and
    ``RESOLUTION`` for the resolution day), intervals treat the patient as the unit."""
    clusters = clusters or {}
    points = []
    for i, w in enumerate(windows):
        scores = cells.get(i, {})
        n = sum(scores.values())
        pts = patients.get(i, 0)
        points.append(
            SorenessPoint(
                window=w,
                sessions=n,
                patients=pts,
                enough=n > 0 and pts >= min_patients,
                mean=bounded(
                    cluster_mean(clusters[i], "v", "n")
                    if i in clusters
                    else mean_of_counts((float(v), c) for v, c in scores.items()),
                    *LEVEL,
                ),
                median=median_of_counts((float(v), c) for v, c in scores.items()),
                none=cluster_proportion(clusters[i], "zero", "n")
                if i in clusters
                else wilson(scores.get(0, 0), n),
            )
        )
    return SorenessCourse(
        tuple(points),
        resolution_summary(resolution_days, resolution_patients, clusters.get(RESOLUTION)),
    )


RESOLUTION = -1  # the key of the resolution day's sums in ``soreness_course``'s clusters


def band_label(value: int, bands: tuple[tuple[int, int | None], ...]) -> str:
    """The band a dose falls in: ``"6-10"``, ``"21+"``, ``"0"``."""
    for lo, hi in bands:
        if value >= lo and (hi is None or value <= hi):
            return f"{lo}+" if hi is None else (str(lo) if lo == hi else f"{lo}-{hi}")
    return f"under {bands[0][0]}"


DOSE_BANDS = (("insertions", INSERTION_BANDS), ("twitches", TWITCH_BANDS))


def band_index(value: int, bands: tuple[tuple[int, int | None], ...]) -> int | None:
    """The index of the band a dose falls in (None: below the first)."""
    for i, (lo, hi) in enumerate(bands):
        if value >= lo and (hi is None or value <= hi):
            return i
    return None


def band_slots(insertions: int, twitches: int) -> list[int]:
    """The slots (``readings.DOSE_BAND_SLOT`` + ...) of a session's two dose bands."""
    out, first = [], DOSE_BAND_SLOT
    for value, (_, bands) in zip((insertions, twitches), DOSE_BANDS, strict=True):
        i = band_index(value, bands)
        if i is not None:
            out.append(first + i)
        first += len(bands)
    return out


@dataclass(frozen=True)
class DoseBand:
    dimension: str  # "insertions" or "twitches"
    band: str
    sessions: int
    mean: Mean  # soreness at about 24 h, its interval with the patient as the unit
    patients: int = 0


def dose_band_clusters(
    rows: Iterable[tuple[int, int, int, int, int]],
) -> dict[int, ClusterSums]:
    """Per dose-band slot, the sums over patients of soreness at about 24 h, from one
    ``(patient, insertions, twitches, pain before, soreness)`` row per session (the
    pure path of the store's sums)."""
    totals: dict[int, dict[int, dict[str, float]]] = {}
    for patient, insertions, twitches, before, soreness in rows:
        for slot in band_slots(insertions, twitches):
            mine = totals.setdefault(slot, {}).setdefault(patient, {})
            for q, x in point_totals(before, soreness).items():
                mine[q] = mine.get(q, 0) + x
    out: dict[int, ClusterSums] = {}
    for slot, by_patient in totals.items():
        c = out[slot] = ClusterSums()
        for mine in by_patient.values():
            c.add_patient(mine)
    return out


def soreness_by_dose(clusters: Mapping[int, ClusterSums]) -> list[DoseBand]:
    """Soreness at about 24 h by bands of insertions and of twitch responses, from the
    sums over patients of each band (by slot): means with clustered intervals."""
    out, slot = [], DOSE_BAND_SLOT
    for dimension, bands in DOSE_BANDS:
        for lo, _hi in bands:
            c = clusters.get(slot) or ClusterSums()
            mean = bounded(cluster_mean(c, "v", "n"), *LEVEL)
            out.append(DoseBand(dimension, band_label(lo, bands), mean.n, mean, c.patients))
            slot += 1
    return out
