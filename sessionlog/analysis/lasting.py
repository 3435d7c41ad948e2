"""How long relief lasts: a Kaplan-Meier curve of time to loss of relief, per technique.

The sessions are those with clinically important relief right after them (2 points or
30% below the pain before). Relief is lost at the first later reading that is no
longer that much below the pain before the session; a session whose relief was still
there at its last reading (or at the next session, which starts a new course of
relief) is censored then (:func:`.readings.loss_of_relief`; times in whole days, in
weeks after two weeks and in 4-week steps after twelve: :func:`.readings.loss_days`).

* The curve S(t) is the share of those sessions still relieved t after the session
  (Kaplan-Meier; at a tied time losses come before censorings).
* Its 95% interval is the log-log one on Greenwood's variance, multiplied by a design
  effect for the patient as the unit: the clustered (bias-reduced, :mod:`.stats`)
  variance of the share of sessions whose relief was lost over that variance had
  sessions been independent (at least 1), with Student's t on the effective number of
  patients less one (``ClusterSums.df``). An approximation: it inflates the whole curve
  by one factor. With very unequal patients (14 of 1, 1, 2 or 12 sessions) the plain
  sandwich with t on patients - 1 held 85-87% at a week, this 94-95%.
* Where the curve has fallen to 0 (every session followed that long lost relief) the
  share is 0% with an upper bound (:func:`gone_upper`: an exact binomial bound on the
  sessions at risk at the last loss, over the design effect) and that number of
  sessions beside it; the median's interval is unchanged.
* The median time is the first time S(t) is 50% or less; its interval (Brookmeyer and
  Crowley's, through the log-log band as R's ``survival`` does) runs from the first
  time the band's lower edge is 50% or less to the first time its upper edge is (None:
  not reached while sessions were followed).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
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


def relief_lasting(
    loss: Mapping[int, int],
    patients: int,
    clusters: ClusterSums | None = None,
    min_patients: int = 3,
) -> ReliefLasting:
    """The curve from counts of ``2 × days + lost`` values (see ``LOSS_SLOT``)."""
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
    z = t975(df) if patients >= 2 else 1.959963984540054
    steps, at_risk, s, green = [], sessions, 1.0, 0.0
    for days in sorted(by_time):
        d, c = by_time[days]
        if d:
            s *= 1 - d / at_risk
            green += d / (at_risk * (at_risk - d)) if at_risk > d else math.inf
            low, high = (
                _band(s, green * deff, z) if math.isfinite(green) or s <= 0 else (None, None)
            )
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
        gone_high = gone_upper(top, last.at_risk, deff)
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
