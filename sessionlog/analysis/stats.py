"""Small statistics: proportions with Wilson intervals, means with t intervals, medians.

Everything works from counts, so a histogram aggregated in SQL gives exact answers
without fetching a row per session. Intervals are 95%: Wilson's score interval for
proportions (sound at small n and at 0% or 100%), and Student's t interval for means
(mean ± t(0.975, n-1) · sd / √n). Sessions are treated as independent although a
patient contributes several: the intervals are descriptive, not a trial's inference.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

Z95 = 1.959963984540054

# t(0.975, df) for df = 1..30; beyond, a Cornish-Fisher expansion is within 1e-4.
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t975(df: int) -> float:
    """The two-sided 95% critical value of Student's t with ``df`` degrees of freedom."""
    if df < 1:
        raise ValueError("t needs at least one degree of freedom")
    if df <= len(_T975):
        return _T975[df - 1]
    z = Z95
    return (
        z
        + (z**3 + z) / (4 * df)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
    )


@dataclass(frozen=True)
class Proportion:
    """``k`` of ``n`` with its 95% Wilson interval (None bounds when ``n`` is 0)."""

    k: int
    n: int
    low: float | None
    high: float | None

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


def mean_from_sums(n: int, total: float, total_sq: float) -> Mean:
    """Mean, sd and t interval from the count, the sum and the sum of squares."""
    if n <= 0:
        return Mean(None, None, None, 0)
    mean = total / n
    if n == 1:
        return Mean(mean, None, None, 1)
    var = max(0.0, (total_sq - total * total / n) / (n - 1))
    sd = math.sqrt(var)
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


def rule_of_three(n: int) -> float | None:
    """The 95% upper bound of a rate when none of ``n`` had the event: 3/n."""
    return 3 / n if n > 0 else None
