"""Statistics from counts: Wilson intervals, t intervals, medians, the rule of three."""

from __future__ import annotations

import pytest

from sessionlog.analysis.stats import (
    Mean,
    mean_from_sums,
    mean_of_counts,
    median_of_counts,
    rule_of_three,
    t975,
    wilson,
)


def test_wilson_none_of_ten() -> None:
    # p = 0, z² = 3.8415: centre = 3.8415/20 = 0.19207 = spread, so low = 0 and
    # high = 0.38415 / (1 + 0.38415) = 0.27753.
    p = wilson(0, 10)
    assert (p.k, p.n, p.value) == (0, 10, 0.0)
    assert p.low == 0.0
    assert p.high == pytest.approx(0.27753, abs=1e-5)


def test_wilson_half_of_ten() -> None:
    # centre = 0.5 + 0.19207 = 0.69207; spread = 1.96 * sqrt(0.025 + 0.0096037) = 0.36460;
    # bounds = (0.69207 ∓ 0.36460) / 1.38415.
    p = wilson(5, 10)
    assert p.low == pytest.approx(0.23659, abs=1e-5)
    assert p.high == pytest.approx(0.76341, abs=1e-5)


def test_wilson_of_nothing_has_no_interval() -> None:
    p = wilson(0, 0)
    assert (p.n, p.value, p.low, p.high) == (0, None, None, None)


def test_t_critical_values() -> None:
    # Exact values (R's qt(0.975, df)), not a 3-decimal table.
    assert t975(1) == pytest.approx(12.706204736174698, abs=1e-9)
    assert t975(2) == pytest.approx(4.302652729749464, abs=1e-9)
    assert t975(13) == pytest.approx(2.160368656461013, abs=1e-9)
    assert t975(30) == pytest.approx(2.042272456301238, abs=1e-9)
    assert t975(1000) == pytest.approx(1.962339145705162, abs=1e-6)
    with pytest.raises(ValueError):
        t975(0)


def test_t_for_many_degrees_of_freedom_is_the_expansion_within_1e_12() -> None:
    # From T_EXPANSION_DF on, Cornish-Fisher's series stands in for the slow exact path.
    from sessionlog.analysis.stats import T_EXPANSION_DF, t_quantile

    for df in (T_EXPANSION_DF, T_EXPANSION_DF + 1, 2_000, 50_000):
        assert t975(df) == pytest.approx(t_quantile(0.975, df), abs=1e-10)


def test_mean_of_one_two_three() -> None:
    # sum 6, sum of squares 14: mean 2, variance (14 - 36/3) / 2 = 1, sd 1;
    # half width = t(2) · 1 / √3 = 4.30265 / 1.73205 = 2.48414.
    m = mean_from_sums(3, 6, 14)
    assert m.value == 2
    assert m.sd == pytest.approx(1.0)
    assert m.low == pytest.approx(2 - 2.48414, abs=1e-5)
    assert m.high == pytest.approx(2 + 2.48414, abs=1e-5)
    assert mean_of_counts([(1.0, 1), (2.0, 1), (3.0, 1)]) == m


def test_mean_of_one_value_has_no_interval_and_of_none_no_value() -> None:
    assert mean_from_sums(1, 5, 25) == Mean(5.0, None, None, 1)
    assert mean_from_sums(0, 0, 0) == Mean(None, None, None, 0)


def test_median_of_counts() -> None:
    assert median_of_counts([(1, 1), (2, 1), (3, 1), (10, 1)]) == 2.5  # (2 + 3) / 2
    assert median_of_counts([(0, 3), (5, 1)]) == 0  # 0 0 0 5
    assert median_of_counts([(4, 2), (-1, 1)]) == 4  # -1 4 4
    assert median_of_counts([(7, 0)]) is None
    assert median_of_counts([]) is None


def test_rule_of_three() -> None:
    assert rule_of_three(100) == 0.03
    assert rule_of_three(0) is None


def test_median_interval_ranks_of_one_value_per_patient() -> None:
    from sessionlog.analysis.stats import median_ranks, median_with_interval

    assert median_ranks(5) is None  # [x1, x5] holds only 93.75%
    assert median_ranks(6) == (1, 6)  # 96.9%
    assert median_ranks(100) == (40, 61)  # the textbook ranks for n = 100
    values = [float(v) for v in range(1, 11)]  # 10 values: ranks 1 and 10 → 1 and 10
    assert median_with_interval(values) == (5.5, (1.0, 10.0))
    assert median_with_interval([2.0, 3.0]) == (2.5, None)
