"""How long relief lasts: a Kaplan-Meier curve of time to loss of relief, per technique.

The sessions are those with clinically important relief right after them (2 points or
30% below the pain before). Relief is lost at the first later reading that is no
longer that much below the pain before the session; a session whose relief was still
there at its last reading (or at the next session, which starts a new course of
relief) is censored then (:func:`.readings.loss_of_relief`; times in whole days, in
weeks after two weeks and in 4-week steps after twelve: :func:`.readings.loss_days`).

* The curve S(t) is the share of those sessions still relieved t after the session
  (Kaplan-Meier; at a tied time losses come before censorings).
* Its 95% interval is the log-log one on a variance of log S(t) with the patient as the
  unit: the cluster-robust (infinitesimal-jackknife) one of Lin and Wei 1989 and
  Williams 1995, the sum over patients of the square of the patient's summed influence
  on log S(t). A session's influence is, over the loss times u up to t while it was at
  risk, d(u) / (Y(u) (Y(u) - d(u))), less 1 / (Y(u) - d(u)) at its own loss (Y sessions
  at risk, d losses): with one session a patient the sum is Greenwood's variance
  exactly. It is linear in a patient's counts of each loss value, so it needs only the
  sums over patients of the products of those counts (``pairs``, :func:`loss_pairs`),
  which the cache keeps. As the other clustered intervals (:mod:`.stats`) it is divided
  by 1 - Σh² (h a patient's share of the sessions) and uses Student's t on the
  effective number of patients less one (``ClusterSums.df``). The design effect of the
  share of sessions that lost relief (used before, and still without ``pairs``) says
  nothing when nearly every session loses relief, however much patients differ in how
  long it lasts: with 14 patients of 4 sessions it held 86-92% at a week (sd of a
  patient's log median duration 0.75-1.5; 80% with 30 patients of 1, 1, 1 or 10
  sessions), this 94-97% (``docs/sim/km_coverage.py``).
* Where the curve has fallen to 0 (every session followed that long lost relief) the
  share is 0% with an upper bound (:func:`gone_upper`: an exact binomial bound on the
  sessions at risk at the last loss, over the design effect: the larger of the share's
  and the curve's own, its clustered variance over Greenwood's just before) and that
  number of sessions beside it; the median's interval is unchanged.
* The median time is the first time S(t) is 50% or less; its interval (Brookmeyer and
  Crowley's, through the log-log band as R's ``survival`` does) runs from the first
  time the band's lower edge is 50% or less to the first time its upper edge is (None:
  not reached while sessions were followed). With the patient-clustered band it held
  96.6-99.2% in simulated clinics (medians of 3.3, 8 and 30 days; 6 to 56 patients of
  1 to 20 sessions; ``docs/sim/km_median_coverage.py``); Greenwood's band alone held 59%
  where patients differed a lot.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .stats import ClusterSums, design_effect, t975

# The times the table reads the curve at, in days: 72 h, 1, 4 and 12 weeks.
READ_AT_DAYS = (3, 7, 28, 84)


@dataclass(frozen=True)
class Step:
    """The curve just after ``days``: ``at_risk`` sessions, ``lost`` of them then."""

    days: int
    at_risk: int
    lost: int
    survival: float
    low: float | None
    high: float | None


@dataclass(frozen=True)
class Still:
    """The share of sessions still relieved ``days`` after the session, with its interval."""

    days: int
    share: float | None  # None: no session was followed that long
    low: float | None
    high: float | None
    # At 0% (every session still followed had lost relief): how many were followed up to
    # the last loss, the number the upper bound rests on (see :func:`gone_upper`).
    at_risk: int | None = None


@dataclass(frozen=True)
class ReliefLasting:
    """Time to loss of relief for one technique (see the module docstring)."""

    sessions: int
    patients: int
    lost: int
    censored: int
    steps: tuple[Step, ...]
    median_days: float | None  # None: not reached (or no data)
    median_low_days: float | None
    median_high_days: float | None  # None: not reached
    still: tuple[Still, ...]
    design_effect: float
    enough: bool
    followed_days: int = 0  # the longest any session was followed (lost or not)


def _band(s: float, var_sum: float, z: float) -> tuple[float | None, float | None]:
    """The log-log interval of a survival ``s`` with Greenwood sum ``var_sum``; at 0
    (every session still followed lost relief then) the band is 0 too: the curve
    cannot rise again, so the median's upper bound is reached there at the latest."""
    if s <= 0 or s >= 1:
        return (0.0, 0.0) if s <= 0 else (1.0, 1.0)
    se = math.sqrt(var_sum) / abs(math.log(s))
    return s ** math.exp(z * se), s ** math.exp(-z * se)


# The two-sided 95% interval's upper edge for a share of which none of n was seen: the
# exact binomial (Clopper-Pearson) one-sided 97.5% bound 1 - 0.025^(1/n), about 3.7/n
# (the rule of three's 3/n is the one-sided 95% one).
GONE_TAIL = 0.025


def gone_upper(before: float, at_risk: int, deff: float) -> float:
    """The upper bound of a curve that fell to 0 when the last ``at_risk`` sessions all
    lost relief: the curve just before (``before``, its own upper bound) times the exact
    binomial bound on the share of those sessions that could have kept it, on their
    effective number (``at_risk`` over the design effect ``deff``, at least 1)."""
    n_eff = max(1.0, at_risk / max(1.0, deff))
    return min(1.0, before * (1 - float(GONE_TAIL ** (1 / n_eff))))


# Sums over patients of the products of a patient's counts of two loss values
# (``2 × days + lost``, the first at most the second): see :func:`loss_pairs`.
Pairs = Mapping[tuple[int, int], float]


def loss_pairs(per_patient: Iterable[Mapping[int, int]]) -> dict[tuple[int, int], int]:
    """The sums over patients of the products of their counts of each two loss values
    (``per_patient``: each patient's sessions per value), keyed (a, b) with a <= b."""
    out: dict[tuple[int, int], int] = {}
    for counts in per_patient:
        values = sorted(v for v, n in counts.items() if n)
        for i, a in enumerate(values):
            for b in values[i:]:
                out[(a, b)] = out.get((a, b), 0) + counts[a] * counts[b]
    return out


def clustered_log_variance(
    by_time: Mapping[int, tuple[int, int]], pairs: Pairs
) -> tuple[dict[int, float], float] | None:
    """Per loss time t, the clustered variance of log S(t) (inf once every session at
    risk lost relief), with Σh² (h a patient's share of the sessions); None when one
    patient holds all the sessions (see the module docstring). ``by_time``: losses and
    censorings per time."""
    at_risk = sum(d + c for d, c in by_time.values())
    square = sum(n if a == b else 2 * n for (a, b), n in pairs.items())  # Σ n_i²
    lever = square / (at_risk * at_risk) if at_risk else 1.0
    if lever >= 1 - 1e-9 or any(v // 2 not in by_time for pair in pairs for v in pair):
        return None  # (pairs of other sessions than the counts': not to be used)
    hazard, cum, jump = {}, 0.0, {}  # H(t), and 1 / (Y - d) at each loss time
    for days in sorted(by_time):
        d, c = by_time[days]
        if d:
            cum += d / (at_risk * (at_risk - d)) if at_risk > d else math.inf
            jump[days] = 1 / (at_risk - d) if at_risk > d else math.inf
        hazard[days] = cum
        at_risk -= d + c
    # A session's influence is psi(v) once t has reached its time (v: its loss value),
    # H(t) before. Σ_i U_i(t)² = Σ_ab P(a,b) psi_t(a) psi_t(b) is kept as t grows, the
    # values reached (E) and not (L) apart: Σ_EE P psi psi + 2 H(t) Σ_EL P psi + H(t)² Σ_LL P,
    # each value moved from L to E once (the pairs read twice in all, not once per time).
    partners: dict[int, list[tuple[int, float]]] = {}
    for (a, b), n in pairs.items():
        partners.setdefault(a, []).append((b, n))
        if a != b:
            partners.setdefault(b, []).append((a, n))
    psi = {v: hazard[v // 2] - (jump[v // 2] if v % 2 else 0.0) for v in partners}
    waiting = sorted(partners)
    reached: set[int] = set()
    both, mixed, neither = 0.0, 0.0, float(square)  # Σ_EE, Σ_EL, Σ_LL
    out: dict[int, float] = {}
    for t in sorted(jump):
        if not math.isfinite(hazard[t]):
            out[t] = math.inf
            continue
        while waiting and waiting[0] // 2 <= t:
            x = waiting.pop(0)
            px = psi[x]
            for y, n in partners[x]:
                if y == x:
                    both += n * px * px
                    neither -= n
                elif y in reached:
                    both += 2 * n * px * psi[y]
                    mixed -= n * psi[y]
                else:
                    mixed += n * px
                    neither -= 2 * n
            reached.add(x)
        h_t = hazard[t]
        out[t] = max(0.0, both + 2 * h_t * mixed + h_t * h_t * neither) / (1 - lever)
    return out, lever


def relief_lasting(
    loss: Mapping[int, int],
    patients: int,
    clusters: ClusterSums | None = None,
    min_patients: int = 3,
    pairs: Pairs | None = None,
) -> ReliefLasting:
    """The curve from counts of ``2 × days + lost`` values (see ``LOSS_SLOT``);
    ``pairs``: the patients' products of those counts (:func:`loss_pairs`), for the
    clustered variance (without them, Greenwood's times the share's design effect)."""
    by_time: dict[int, list[int]] = {}
    for value, n in loss.items():
        if n > 0:
            lost_censored = by_time.setdefault(value // 2, [0, 0])
            lost_censored[0 if value % 2 else 1] += n
    sessions = sum(loss.values())
    lost_total = sum(d for d, _ in by_time.values())
    share = lost_total / sessions if sessions else 0.0
    naive = share * (1 - share) / sessions if sessions else None
    deff = design_effect(clusters, "odd", "n", naive) if clusters is not None else 1.0
    df = clusters.df("n", patients) if clusters is not None else patients - 1
    clustered = (
        clustered_log_variance({t: (d, c) for t, (d, c) in by_time.items()}, pairs)
        if pairs and patients >= 2
        else None
    )
    if clustered is not None and clusters is None:  # the effective patients less one
        df = max(1, min(patients - 1, math.floor(1 / clustered[1] - 1 + 1e-9)))
    z = t975(df) if patients >= 2 else 1.959963984540054
    steps, at_risk, s, green = [], sessions, 1.0, 0.0
    curve_deff = 1.0  # the clustered variance over Greenwood's at the last finite step
    for days in sorted(by_time):
        d, c = by_time[days]
        if d:
            s *= 1 - d / at_risk
            green += d / (at_risk * (at_risk - d)) if at_risk > d else math.inf
            var = green * deff if clustered is None else clustered[0][days]
            if math.isfinite(var) and green > 0:
                curve_deff = var / green
            low, high = _band(s, var, z) if math.isfinite(var) or s <= 0 else (None, None)
            steps.append(Step(days, at_risk, d, s, low, high))
        at_risk -= d + c

    def first(pred: str) -> float | None:
        for st in steps:
            value = {"s": st.survival, "hi": st.high, "lo": st.low}[pred]
            if value is not None and value <= 0.5 or (pred == "lo" and value is None):
                return float(st.days)
        return None

    still = []
    last_seen = max(by_time) if by_time else -1
    gone = steps[-1].days if steps and steps[-1].survival <= 0 else None  # all lost by then
    gone_high: float | None = None
    if gone is not None:  # the bound of 0%: from the sessions followed until the last loss
        last = steps[-1]
        prior = steps[-2] if len(steps) > 1 else None
        top = 1.0 if prior is None else prior.high if prior.high is not None else prior.survival
        gone_high = gone_upper(top, last.at_risk, max(deff, curve_deff))
    for h in READ_AT_DAYS:
        if gone is not None and h >= gone:  # none still relieved: 0, whatever came after
            still.append(Still(h, 0.0, 0.0, gone_high, steps[-1].at_risk))
            continue
        if h > last_seen:
            still.append(Still(h, None, None, None))
            continue
        before = [st for st in steps if st.days <= h]
        if before:
            st = before[-1]
            still.append(Still(h, st.survival, st.low, st.high))
        else:
            still.append(Still(h, 1.0, None, None))
    return ReliefLasting(
        sessions=sessions,
        patients=patients,
        lost=lost_total,
        censored=sessions - lost_total,
        steps=tuple(steps),
        median_days=first("s"),
        median_low_days=first("lo"),
        median_high_days=first("hi"),
        still=tuple(still),
        design_effect=deff,
        enough=patients >= min_patients and sessions > 0,
        followed_days=max(last_seen, 0),
    )
