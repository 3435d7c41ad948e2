"""Small statistics: proportions with Wilson intervals, means with t intervals, medians.

Everything works from counts, so a histogram aggregated in SQL gives exact answers
without fetching a row per session. Intervals are 95%. Within one patient (and for
dose and adverse-event rates) sessions are the unit: Wilson's score interval for
proportions, Student's t interval for means (mean ± t(0.975, n-1) · sd / √n). Across
patients the patient is the unit (the second half of this module): cluster-robust
intervals from per-patient sums. Student's t quantiles are exact (the incomplete beta
function), not a table.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

Z95 = 1.959963984540054


def _betacf(a: float, b: float, x: float) -> float:
    """The continued fraction of the regularised incomplete beta function (Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        for num in (m * (b - m) * x / ((qam + m2) * (a + m2)),
                    -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):  # fmt: skip
            d = 1 + num * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < 1e-15:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1) / (a + b + 2):
        return front * _betacf(a, b, x) / a
    return 1 - front * _betacf(b, a, 1 - x) / b


def t_tail(t: float, df: float) -> float:
    """P(T > t) for Student's t with ``df`` degrees of freedom (t >= 0)."""
    return 0.5 * betainc(df / 2, 0.5, df / (df + t * t))


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile (p > 0.5) of Student's t, exact to about 1e-12 (bisection on
    the tail probability, which the incomplete beta function gives exactly)."""
    if df <= 0:
        raise ValueError("t needs at least one degree of freedom")
    lo, hi = 0.0, 1.0
    while t_tail(hi, df) > 1 - p:
        lo, hi = hi, hi * 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if t_tail(mid, df) > 1 - p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-13 * hi:
            break
    return (lo + hi) / 2


_T975: dict[int, float] = {}
# From this many degrees of freedom the t quantile is Cornish and Fisher's expansion in
# 1/df (Abramowitz and Stegun 26.7.5, five terms): within 1e-12 of the exact value, and
# instant, where the incomplete beta function's continued fraction needs thousands of
# steps (a quarter of a second for a filtered comparison of 50,000 sessions).
T_EXPANSION_DF = 300


def _t_expansion(p_z: float, df: int) -> float:
    z = p_z
    z2 = z * z
    terms = (
        z,
        (z2 + 1) * z / 4,
        ((5 * z2 + 16) * z2 + 3) * z / 96,
        (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384,
        ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160,
    )
    return float(sum(term / float(df) ** i for i, term in enumerate(terms)))


def t975(df: int) -> float:
    """The two-sided 95% critical value of Student's t with ``df`` degrees of freedom."""
    if df < 1:
        raise ValueError("t needs at least one degree of freedom")
    if df not in _T975:
        _T975[df] = t_quantile(0.975, df) if df < T_EXPANSION_DF else _t_expansion(Z95, df)
    return _T975[df]


@dataclass(frozen=True)
class Proportion:
    """``k`` of ``n`` with its 95% Wilson interval (None bounds when ``n`` is 0)."""

    k: int
    n: int
    low: float | None
    high: float | None
    patients: int = 0  # patients behind the n sessions (0: not known)
    effective_n: float | None = None  # sessions over the design effect (see below)
    df: int | None = None  # the t's degrees of freedom (None: patients - 1)

    @property
    def value(self) -> float | None:
        return self.k / self.n if self.n else None


def wilson(k: int, n: int, z: float = Z95) -> Proportion:
    """``k`` successes in ``n`` trials with Wilson's score interval."""
    if n <= 0:
        return Proportion(k, 0, None, None)
    p = k / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    denom = 1 + z2 / n
    return Proportion(
        k, n, max(0.0, (centre - spread) / denom), min(1.0, (centre + spread) / denom)
    )


@dataclass(frozen=True)
class Mean:
    """A mean with its 95% t interval; ``low``/``high`` are None when ``n`` < 2."""

    value: float | None
    low: float | None
    high: float | None
    n: int
    sd: float | None = None
    patients: int = 0  # patients behind the n values (0: not known)
    se: float | None = None  # the standard error behind the interval
    # The values did not differ (every patient's, or within one patient every session's,
    # the same): a zero-width interval would claim a certainty a few values cannot give,
    # so ``low`` and ``high`` are None and the text says so.
    alike: bool = False


# What the outcome figures can take: pain and soreness are 0-10 (the NPRS; the domain's
# validation holds every score there), so a level lies in 0..10, a change in -10..10 and
# the relief in percent of a pain before of 1-10 in -900..100.
LEVEL = (0.0, 10.0)
CHANGE = (-10.0, 10.0)
PERCENT = (-900.0, 100.0)


def bounded(m: Mean, lo: float, hi: float) -> Mean:
    """``m`` with its interval cut to what the quantity can take (``lo`` to ``hi``: pain
    0-10, a change in points -10 to 10, relief at most 100%, a scale's own range). A
    cut interval still holds the truth whenever the uncut one did, since the truth is
    in that range."""
    if m.low is None or m.high is None:
        return m
    low, high = min(max(m.low, lo), hi), max(min(m.high, hi), lo)
    return m if (low, high) == (m.low, m.high) else replace(m, low=low, high=high)


def mean_from_sums(n: int, total: float, total_sq: float) -> Mean:
    """Mean, sd and t interval from the count, the sum and the sum of squares."""
    if n <= 0:
        return Mean(None, None, None, 0)
    mean = total / n
    if n == 1:
        return Mean(mean, None, None, 1)
    var = max(0.0, (total_sq - total * total / n) / (n - 1))
    sd = math.sqrt(var)
    if var <= 1e-12 * max(1.0, mean * mean):  # every value the same
        return Mean(mean, None, None, n, 0.0, alike=True)
    half = t975(n - 1) * sd / math.sqrt(n)
    return Mean(mean, mean - half, mean + half, n, sd)


def mean_of_counts(pairs: Iterable[tuple[float, int]]) -> Mean:
    """The mean of values given as ``(value, count)`` pairs."""
    n, total, total_sq = 0, 0.0, 0.0
    for value, count in pairs:
        n += count
        total += value * count
        total_sq += value * value * count
    return mean_from_sums(n, total, total_sq)


def median_of_counts(pairs: Iterable[tuple[float, int]]) -> float | None:
    """The exact median of values given as ``(value, count)`` pairs (None if empty).

    With an even count it is the mean of the two middle values.
    """
    items = sorted((v, c) for v, c in pairs if c > 0)
    n = sum(c for _, c in items)
    if n == 0:
        return None
    lo_rank, hi_rank = (n - 1) // 2, n // 2  # 0-based ranks of the middle value(s)
    lo = hi = None
    seen = 0
    for value, count in items:
        if lo is None and lo_rank < seen + count:
            lo = value
        if hi_rank < seen + count:
            hi = value
            break
        seen += count
    assert lo is not None and hi is not None
    return (lo + hi) / 2


def median_ranks(n: int) -> tuple[int, int] | None:
    """The 1-based ranks of the order statistics that bound a 95% interval for the
    median of ``n`` independent values (distribution-free: the binomial's normal
    approximation, Conover's); None below 6 values, where no two ranks reach 95%."""
    if n < 6:
        return None
    half = Z95 * math.sqrt(n) / 2
    return max(1, math.floor(n / 2 - half)), min(n, math.ceil(n / 2 + 1 + half))


def median_with_interval(values: list[float]) -> tuple[float | None, tuple[float, float] | None]:
    """The median of sorted ``values`` (one per patient) and its 95% interval."""
    median = median_of_counts((v, 1) for v in values)
    ranks = median_ranks(len(values))
    if ranks is None or values[0] == values[-1]:  # every value the same: no spread
        return median, None
    return median, (values[ranks[0] - 1], values[ranks[1] - 1])


def rule_of_three(n: int) -> float | None:
    """The 95% upper bound of a rate when none of ``n`` had the event: 3/n."""
    return 3 / n if n > 0 else None


# -- intervals with the patient as the unit -----------------------------------------
#
# A patient contributes several sessions, and patients differ in how they respond, so
# sessions of one patient are correlated and intervals that treat them as independent
# are too narrow (Altman & Bland, BMJ 1997). Every interval below treats patients as
# independent clusters and needs only sums over patients of each patient's totals and
# of their products (the store keeps those per technique and window):
#
# * a mean or a share over sessions is a ratio estimator m = Σy / Σd (y a patient's
#   total, d their number of sessions); its variance is the cluster-robust (sandwich)
#   one, bias-reduced: Σ(y - m·d)² / (Σd)² / (1 - Σh²), h = d / Σd a patient's share,
#   expanded as Σy² - 2mΣyd + m²Σd² so that no per-patient row is needed; the mean's
#   interval is m ± t(0.975, df) · se with df = (Σd)² / Σd² - 1 (the effective number of
#   patients less one, rounded down). With equal shares (h = 1/G) this is the classic
#   G/(G-1) · Σ(y - m·d)² / (Σd)² with t on G-1. With very unequal ones (many patients
#   seen once or twice, a few ten times) the classic one held 86-90% (review15); CR2
#   (Bell and McCaffrey 2002) divides each patient's square by 1 - h, which needs a row
#   per patient: dividing the sum by 1 - Σh² makes it unbiased in the same working model
#   (independent sessions: E Σ(y - m·d)² = σ²(Σd)(1 - Σh²)), and (Σd)²/Σd² - 1 is the
#   smallest Satterthwaite df of that estimator the pooled sums allow (its df is
#   (1 - Σh²)² / (Σh² - 2Σh³ + (Σh²)²), and Σh³ >= (Σh²)²). Simulated with a
#   correlation of 0.5 within a patient: 92-99% (tests/test_coverage_unequal_patients.py);
# * a share (responders) uses Wilson's interval on the effective number of sessions,
#   Σd / design effect (the design effect being the clustered variance over the
#   variance had sessions been independent, at least 1), with t(df) in place of z;
#   with 0% or 100% the effective number is the number of patients;
# * a median uses the order statistics at 50% ± t·50%/√n_eff of the sessions (the
#   binomial interval for the median on the effective number of the mean's design
#   effect): an approximation, exact for independent sessions.
#
# * relief kept (the share of the immediate relief still there in a later window, over
#   the sessions with both readings) is the ratio estimator Σkw / Σk0 of each patient's
#   relief in the window (kw) and right after (k0) over those sessions, with the same
#   bias-reduced sandwich variance and t on its df (h a patient's share of Σk0; at most
#   the patients with such sessions less one): the delta method for a ratio of two
#   cluster totals.
#
# Assumed: patients are independent of each other; the sessions of a patient may be
# correlated in any way. With few patients (under about 10) the intervals are rough.

QUANTITIES = (
    "n", "np", "rel", "pct", "r2", "r30", "rec", "zero", "v", "by1", "by2", "by3", "odd",
    "pn", "k0", "kw",
)  # fmt: skip
# Quantities whose patients with a total above 0 are counted too (``ClusterSums.having``).
COUNTED = ("pn",)
# (numerator, denominator) of every ratio shown, so the products each needs.
RATIOS = (
    ("rel", "n"), ("pct", "np"), ("r2", "n"), ("r30", "np"), ("rec", "np"), ("v", "n"),
    ("zero", "n"), ("by1", "n"), ("by2", "n"), ("by3", "n"), ("odd", "n"), ("kw", "k0"),
)  # fmt: skip
PRODUCTS: tuple[tuple[str, str], ...] = tuple(
    dict.fromkeys(p for num, den in RATIOS for p in ((num, num), (num, den), (den, den)))
)


def point_totals(before: int, value: int, immediate: int | None = None) -> dict[str, float]:
    """What one reading adds to its patient's totals (``value``: pain, soreness or the
    day soreness went; ``before``: the session's pain before it; ``immediate``: for a
    later pain window, the same session's pain right after it, when it has one)."""
    rel = before - value
    paired = immediate is not None
    return {
        "n": 1,
        "np": 1 if before > 0 else 0,
        "rel": rel,
        "pct": rel * 100.0 / before if before > 0 else 0.0,
        "r2": 1 if rel >= 2 else 0,
        "r30": 1 if before > 0 and rel * 100 >= 30 * before else 0,
        "rec": 1 if before > 0 and value == 0 else 0,
        "zero": 1 if value == 0 else 0,
        "v": value,
        "by1": 1 if 0 <= value <= 1 else 0,
        "by2": 1 if 0 <= value <= 2 else 0,
        "by3": 1 if 0 <= value <= 3 else 0,
        "odd": abs(value) % 2,  # time to loss of relief: 1 when relief was lost (LOSS_SLOT)
        "pn": 1 if paired else 0,  # relief kept: sessions with both readings,
        "k0": before - immediate if immediate is not None else 0,  # their relief right after
        "kw": rel if paired else 0,  # and their relief in this window
    }


# The quantities and products present in a patient's totals, by the totals' keys.
_PRESENT: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[tuple[str, str], ...]]] = {}


@dataclass
class ClusterSums:
    """Sums over patients of each patient's totals (``sums``) and of the products of
    those totals (``products``, keyed as in :data:`PRODUCTS`)."""

    patients: int = 0
    sums: dict[str, float] = field(default_factory=dict)
    products: dict[tuple[str, str], float] = field(default_factory=dict)
    having: dict[str, int] = field(default_factory=dict)  # patients with a COUNTED q > 0

    def add_patient(self, totals: Mapping[str, float]) -> None:
        self.patients += 1
        having, sums, products = self.having, self.sums, self.products
        for q in COUNTED:
            having[q] = having.get(q, 0) + (totals.get(q, 0) > 0)
        # Only what the totals hold is added: a quantity they lack adds 0 to its sum and
        # to every product it is in (``get`` reads a missing one as 0). A scale's cell
        # holds 3 of the 16 quantities, so this skips 40 of 46 additions a patient.
        keys = tuple(totals)
        present = _PRESENT.get(keys)
        if present is None:
            held = set(keys)
            present = _PRESENT[keys] = (
                tuple(q for q in QUANTITIES if q in held),
                tuple(p for p in PRODUCTS if p[0] in held and p[1] in held),
            )
        for q in present[0]:
            sums[q] = sums.get(q, 0) + totals[q]
        for a, b in present[1]:
            products[(a, b)] = products.get((a, b), 0) + totals[a] * totals[b]

    def __eq__(self, other: object) -> bool:  # floats summed in another order: near
        if not isinstance(other, ClusterSums):
            return NotImplemented
        return (
            self.patients == other.patients
            and all(self.having.get(q, 0) == other.having.get(q, 0) for q in COUNTED)
            and all(_near(self.sums.get(q, 0), other.sums.get(q, 0)) for q in QUANTITIES)
            and all(_near(self.products.get(p, 0), other.products.get(p, 0)) for p in PRODUCTS)
        )

    def ratio(
        self, num: str, den: str, patients: int | None = None
    ) -> tuple[float | None, float | None, float]:
        """(value, clustered variance, Σd); value None without sessions, variance None
        with fewer than two patients (``patients``: those behind the ratio, when only
        some of the slot's patients are)."""
        d = self.sums.get(den, 0)
        if d <= 0:
            return None, None, d
        m = self.sums.get(num, 0) / d
        g = self.patients if patients is None else patients
        if g < 2:
            return m, None, d
        ss = (
            self.products.get((num, num), 0)
            - 2 * m * self.products.get((num, den), 0)
            + m * m * self.products.get((den, den), 0)
        )
        lever = self.leverage(den)
        if lever >= 1 - 1e-9:  # one patient holds all of it: nothing on how patients vary
            return m, None, d
        return m, max(0.0, ss) / (d * d) / (1 - lever), d

    def leverage(self, den: str) -> float:
        """Σh² with h = d / Σd a patient's share of ``den``: 1/G for G patients of equal
        shares, more the more unequal they are (see ``bias-reduced`` above)."""
        d = self.sums.get(den, 0)
        return self.products.get((den, den), 0) / (d * d) if d > 0 else 1.0

    def df(self, den: str, patients: int | None = None) -> int:
        """The degrees of freedom of the t behind ``den``'s intervals: the effective
        number of patients (Σd)² / Σd² less one, rounded down, at most ``patients`` - 1
        and at least 1 (see ``bias-reduced`` above)."""
        g = self.patients if patients is None else patients
        lever = self.leverage(den)
        effective = 1 / lever if lever > 0 else float(g)
        return max(1, min(g - 1, math.floor(effective - 1 + 1e-9)))


def _near(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def singletons(pairs: Iterable[tuple[int, int, int]]) -> ClusterSums:
    """Cluster sums with every session its own patient, from ``(before, value, count)``
    (for counts that carry no patients: the classic session-level intervals)."""
    out = ClusterSums()
    for before, value, count in pairs:
        totals = point_totals(before, value)
        for _ in range(count):
            out.add_patient(totals)
    return out


def patients_with(c: ClusterSums, den: str) -> int:
    """How many of the slot's patients have a ``den`` above 0 (``np``: a session with a
    pain before above 0, the only ones with a percent). Exact when every patient has
    one (Σden = Σn) or when ``den`` is counted (``having``); otherwise the sums give
    only bounds, and this is the lower one (conservative for the 3-patient floor and the
    degrees of freedom): at least every patient but one per session without it, and at
    least (Σden)² / Σden² (Cauchy-Schwarz)."""
    if den in c.having:
        return c.having[den]
    total, sessions = c.sums.get(den, 0), c.sums.get("n", 0)
    if total <= 0:
        return 0
    if den == "n" or total >= sessions:
        return c.patients
    square = c.products.get((den, den), 0)
    spread = math.ceil(total * total / square - 1e-9) if square > 0 else 0
    return max(
        0,
        min(c.patients, int(round(total)), max(c.patients - int(round(sessions - total)), spread)),
    )


def cluster_mean(c: ClusterSums, num: str, den: str, patients: int | None = None) -> Mean:
    """The mean of ``num`` per ``den`` with its clustered t interval (see above);
    ``patients``: those behind it when only some of the slot's are (``patients_with``)."""
    g = c.patients if patients is None else patients
    m, var, d = c.ratio(num, den, g)
    n = int(round(d))
    if m is None:
        return Mean(None, None, None, 0, patients=g)
    if var is None:
        return Mean(m, None, None, n, patients=g)
    if var <= 1e-12 * max(1.0, m * m):  # the patients' values did not differ
        return Mean(m, None, None, n, patients=g, se=0.0, alike=True)
    half = t975(c.df(den, g)) * math.sqrt(var)
    return Mean(m, m - half, m + half, n, patients=g, se=math.sqrt(var))


def design_effect(
    c: ClusterSums, num: str, den: str, naive_var: float | None, patients: int | None = None
) -> float:
    """The clustered variance over ``naive_var`` (sessions independent), at least 1."""
    _, var, _ = c.ratio(num, den, patients)
    if var is None or not naive_var:
        return 1.0
    return max(1.0, var / naive_var)


def wilson_share(p: float, n_eff: float, z: float) -> tuple[float, float]:
    """Wilson's score interval for a share ``p`` of ``n_eff`` (possibly fractional)."""
    z2 = z * z
    centre = p + z2 / (2 * n_eff)
    spread = z * math.sqrt(p * (1 - p) / n_eff + z2 / (4 * n_eff * n_eff))
    denom = 1 + z2 / n_eff
    return max(0.0, (centre - spread) / denom), min(1.0, (centre + spread) / denom)


def cluster_proportion(
    c: ClusterSums, num: str, den: str, patients: int | None = None
) -> Proportion:
    """``num`` of ``den`` sessions with Wilson's interval on the effective n (see above);
    ``patients`` as in :func:`cluster_mean`."""
    g = c.patients if patients is None else patients
    k, n = int(round(c.sums.get(num, 0))), int(round(c.sums.get(den, 0)))
    if n <= 0:
        return Proportion(k, 0, None, None, patients=g)
    if g < 2:  # one patient says nothing of how patients vary: no interval
        return Proportion(k, n, None, None, patients=g)
    share = k / n
    if 0 < k < n:
        n_eff = n / design_effect(c, num, den, share * (1 - share) / n, g)
    else:
        n_eff = float(min(n, g))
    df = c.df(den, g)
    low, high = wilson_share(share, n_eff, t975(df))
    return Proportion(k, n, low, high, patients=g, effective_n=n_eff, df=df)


def median_interval(
    pairs: Iterable[tuple[float, int]], n_eff: float, patients: int, df: int | None = None
) -> tuple[float, float] | None:
    """The values at the ranks 50% ± t·50%/√n_eff of the sessions (None under 2 patients;
    ``df``: the t's degrees of freedom, patients - 1 unless given)."""
    items = sorted((v, c) for v, c in pairs if c > 0)
    n = sum(c for _, c in items)
    if n == 0 or patients < 2 or n_eff <= 0 or len(items) == 1:  # one value: no spread
        return None
    half = t975(df or patients - 1) * 0.5 / math.sqrt(n_eff)

    def at(share: float) -> float:
        rank = min(n, max(1, math.ceil(share * n - 1e-9)))
        seen = 0
        for value, count in items:
            seen += count
            if seen >= rank:
                return value
        return items[-1][0]

    return at(0.5 - half), at(min(1.0, 0.5 + half))
