"""Relief in each window after a session, and how much of it lasts (durability).

Works from the 11 × 11 cells of :mod:`.counts`, so every figure is exact. A window with
fewer patients than ``min_patients`` is reported as "not enough data (n=2)" and is not
drawn. Percent figures leave out sessions with a baseline of 0 (no percent exists for
them); how many were left out is reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from .change import TIERS, immpact_tier, percent_relief
from .counts import Cell
from .stats import (
    CHANGE,
    PERCENT,
    ClusterSums,
    Mean,
    Proportion,
    bounded,
    cluster_mean,
    cluster_proportion,
    design_effect,
    mean_of_counts,
    median_interval,
    median_of_counts,
    patients_with,
    singletons,
    t975,
    wilson_share,
)
from .windows import Window

MIN_PATIENTS = 3


def not_enough(patients: int) -> str:
    """The words shown instead of a figure that too few patients stand behind."""
    return f"not enough data (n={patients})"


@dataclass(frozen=True)
class WindowRelief:
    """Relief from the session's baseline in one window, for one technique."""

    window: Window
    sessions: int
    patients: int
    enough: bool
    mean_points: Mean
    median_points: float | None
    mean_percent: Mean
    median_percent: float | None
    responders_points: Proportion
    responders_percent: Proportion
    recovered: Proportion
    tiers: dict[str, int]
    baseline_zero: int
    mean_before: float | None
    mean_then: float | None
    # 95% intervals of the medians (patients as the unit, see stats); None without one.
    median_points_ci: tuple[float, float] | None = None
    median_percent_ci: tuple[float, float] | None = None
    # Completeness: sessions old enough to have a reading here by the clinic's latest
    # record (0: not known), and the 2-point responder rate had every one of them
    # without a reading had no relief (missing follow-ups are not missing at random).
    eligible: int = 0
    responders_if_missing_none: Proportion | None = None
    # Of the relief right after the session, the share still there in this window,
    # over the same sessions (those with both readings); None for the immediate window.
    kept: ReliefKept | None = None
    # The patients behind the percent figures (mean relief %, 30%+, recovered): sessions
    # with pain 0 before have no percent, so a patient with only such sessions gives
    # none; the 3-patient floor applies to them (``percent_enough``).
    percent_patients: int = 0
    percent_enough: bool = False
    # The most there can be: the sums bound the count (stats.patients_with) unless every
    # session had a percent; equal to ``percent_patients`` when the count is exact.
    percent_patients_most: int = 0

    @property
    def complete_percent(self) -> float | None:
        """Sessions with a reading as a percent of those old enough to have one."""
        return 100 * self.sessions / self.eligible if self.eligible else None

    @property
    def note(self) -> str:
        """Empty when the figures stand; else why they are not shown."""
        return "" if self.enough else not_enough(self.patients)


@dataclass(frozen=True)
class ReliefKept:
    """The share of the relief right after the session still present in a later window,
    computed within the same sessions: Σ relief in the window / Σ relief right after,
    over the sessions with both readings (a ratio estimator; its 95% interval treats the
    patient as the unit: see stats). 1.0 = all of it kept, 0 = none, below 0 = pain now
    above where it was before the session."""

    share: float | None
    low: float | None
    high: float | None
    sessions: int  # sessions with both readings
    patients: int  # patients behind them
    relief_right_after: float | None  # mean relief right after, over those sessions
    relief_then: float | None  # mean relief in the window, over the same sessions
    enough: bool
    note: str = ""
    alike: bool = False  # every patient kept the same share: no interval (see Mean)


def relief_kept(c: ClusterSums | None, min_patients: int = MIN_PATIENTS) -> ReliefKept:
    """Relief kept in a window from its cluster sums (``pn``, ``k0``, ``kw``)."""
    if c is None:
        return ReliefKept(None, None, None, 0, 0, None, None, False, not_enough(0))
    sessions = int(round(c.sums.get("pn", 0)))
    patients = c.having.get("pn", 0)
    if sessions <= 0:
        return ReliefKept(None, None, None, 0, 0, None, None, False, not_enough(0))
    after, then = c.sums.get("k0", 0) / sessions, c.sums.get("kw", 0) / sessions
    if patients < min_patients:
        return ReliefKept(None, None, None, sessions, patients, after, then, False,
                          not_enough(patients))  # fmt: skip
    if after <= 0:
        return ReliefKept(None, None, None, sessions, patients, after, then, False,
                          "no relief right after to keep")  # fmt: skip
    share, var, _ = c.ratio("kw", "k0", patients)
    if share is None or var is None:
        return ReliefKept(share, None, None, sessions, patients, after, then, True)
    if var <= 1e-12 * max(1.0, share * share):
        return ReliefKept(share, None, None, sessions, patients, after, then, True, alike=True)
    half = t975(c.df("k0", patients)) * var**0.5
    return ReliefKept(share, share - half, share + half, sessions, patients, after, then, True)


def _median_ci(
    pairs: Sequence[tuple[float, int]],
    m: Mean,
    c: ClusterSums,
    num: str,
    den: str,
    patients: int | None = None,
) -> tuple[float, float] | None:
    """The median's interval on the effective n of the matching mean ``m`` (its
    session-level sd; see stats)."""
    naive = None if m.sd is None or not m.n else m.sd**2 / m.n
    n_eff = m.n / design_effect(c, num, den, naive, patients)
    g = c.patients if patients is None else patients
    return median_interval(pairs, n_eff, g, c.df(den, g))


def summarise_window(
    window: Window,
    cells: Mapping[Cell, int],
    patients: int,
    min_patients: int = MIN_PATIENTS,
    clusters: ClusterSums | None = None,
    eligible: int = 0,
    kept: bool = False,
) -> WindowRelief:
    """Every relief figure of one window from its (before, then) cell counts, and its
    intervals from the sums over its patients (``clusters``; without them every session
    is taken for its own patient: the classic session-level intervals)."""
    cells = {c: n for c, n in cells.items() if n > 0}
    c = clusters if clusters is not None else singletons((b, t, n) for (b, t), n in cells.items())
    sessions = sum(cells.values())
    points = [(b - t, n) for (b, t), n in cells.items()]
    pct_cells = {(b, t): n for (b, t), n in cells.items() if b > 0}
    percents = [(percent_relief(b, t) or 0.0, n) for (b, t), n in pct_cells.items()]
    n_pct = sum(pct_cells.values())
    # The patients behind the percent figures: from the sums (see stats.patients_with);
    # without them, the patients less one per session with pain 0 before, at the least.
    pct_g = patients_with(c, "np")
    zero = sessions - n_pct
    pct_patients = pct_g if clusters is not None else min(n_pct, patients - zero)
    responders = cluster_proportion(c, "r2", "n")
    plain_points, plain_percent = mean_of_counts(points), mean_of_counts(percents)
    tiers = dict.fromkeys(TIERS, 0)
    for (b, t), n in pct_cells.items():
        tiers[immpact_tier(percent_relief(b, t)) or "none"] += n
    return WindowRelief(
        window=window,
        sessions=sessions,
        patients=patients,
        enough=patients >= min_patients and sessions > 0,
        mean_points=bounded(replace(cluster_mean(c, "rel", "n"), sd=plain_points.sd), *CHANGE),
        median_points=median_of_counts(points),
        mean_percent=bounded(
            replace(cluster_mean(c, "pct", "np", pct_g), sd=plain_percent.sd), *PERCENT
        ),
        median_percent=median_of_counts(percents),
        responders_points=responders,
        responders_percent=cluster_proportion(c, "r30", "np", pct_g),
        recovered=cluster_proportion(c, "rec", "np", pct_g),
        tiers=tiers,
        baseline_zero=sessions - n_pct,
        mean_before=mean_of_counts((b, n) for (b, _), n in cells.items()).value,
        mean_then=mean_of_counts((t, n) for (_, t), n in cells.items()).value,
        median_points_ci=_median_ci(points, plain_points, c, "rel", "n"),
        median_percent_ci=_median_ci(percents, plain_percent, c, "pct", "np", pct_g),
        eligible=max(eligible, sessions) if eligible else 0,
        responders_if_missing_none=missing_as_none(responders, max(eligible, sessions))
        if eligible
        else None,
        kept=relief_kept(clusters, min_patients) if kept else None,
        percent_patients=max(0, pct_patients),
        percent_enough=pct_patients >= min_patients and n_pct > 0,
        percent_patients_most=max(0, pct_patients) if not zero else min(patients, n_pct),
    )


def missing_as_none(observed: Proportion, eligible: int) -> Proportion:
    """The responder rate had every session without a reading had no relief: the same
    responders out of every session old enough to have a reading. Its interval is
    Wilson's on the eligible sessions over the observed rate's design effect, with the
    observed t (an approximation: the missing sessions' clustering is not known)."""
    g = observed.patients
    if eligible <= 0 or observed.n <= 0 or g < 2 or not observed.effective_n:
        return Proportion(observed.k, eligible, None, None, patients=g)
    deff = max(1.0, observed.n / observed.effective_n)
    low, high = wilson_share(observed.k / eligible, eligible / deff, t975(observed.df or g - 1))
    return Proportion(observed.k, eligible, low, high, patients=g, effective_n=eligible / deff)


@dataclass(frozen=True)
class Durability:
    """Relief retained in the long window as a percent of the short window's.

    The sessions behind the two windows need not be the same ones: this is a
    descriptive ratio of two means, without an interval of its own.
    """

    short: WindowRelief | None
    long: WindowRelief | None
    retained_percent: float | None
    note: str
    # What to read instead: the relief right after still there in the long window,
    # within the same sessions, with its interval (see ReliefKept).
    kept: ReliefKept | None = None

    @property
    def short_key(self) -> str | None:
        return self.short.window.key if self.short else None

    @property
    def long_key(self) -> str | None:
        return self.long.window.key if self.long else None


def durability(windows: list[WindowRelief], short_key: str, long_key: str) -> Durability:
    """How much of the short-term relief is still there in the long window."""
    by_key = {w.window.key: w for w in windows}
    short, long = by_key.get(short_key), by_key.get(long_key)
    if short is None or long is None:
        missing = short_key if short is None else long_key
        return Durability(short, long, None, f"no window named {missing}")
    kept = long.kept
    for w in (short, long):
        if not w.enough:
            note = f"{w.window.label}: {not_enough(w.patients)}"
            return Durability(short, long, None, note, kept)
    relief = short.mean_points.value or 0.0
    if relief <= 0:
        return Durability(short, long, None, "no short-term relief to retain", kept)
    retained = (long.mean_points.value or 0.0) * 100.0 / relief
    return Durability(short, long, retained, "", kept)
