"""Change from baseline: points, percent, responders, IMMPACT tiers, recovered."""

from __future__ import annotations

import pytest

from sessionlog.analysis.change import change, immpact_tier, percent_relief


def test_seven_to_three() -> None:
    c = change(7, 3)
    assert c.points == 4
    assert c.percent == pytest.approx(400 / 7)  # 57.1%
    assert (c.responder_points, c.responder_percent, c.tier, c.recovered) == (
        True,
        True,
        "substantial",
        False,
    )
    assert c.important


@pytest.mark.parametrize(
    ("before", "then", "points", "resp2", "resp30", "tier"),
    [
        (10, 9, 1, False, False, "minimal"),  # 10%
        (10, 8, 2, True, False, "minimal"),  # 20%: 2 points but not 30%
        (10, 7, 3, True, True, "moderate"),  # 30% exactly
        (4, 2, 2, True, True, "substantial"),  # 50% exactly
        (9, 8, 1, False, False, "minimal"),  # 11.1%
        (20 // 2, 10, 0, False, False, "none"),  # no change
        (5, 6, -1, False, False, "worse"),  # -20%
    ],
)
def test_thresholds(
    before: int, then: int, points: int, resp2: bool, resp30: bool, tier: str
) -> None:
    c = change(before, then)
    assert (c.points, c.responder_points, c.responder_percent, c.tier) == (
        points,
        resp2,
        resp30,
        tier,
    )


def test_baseline_zero_has_no_percent() -> None:
    c = change(0, 0)
    assert (c.points, c.percent, c.responder_percent, c.tier, c.recovered) == (
        0,
        None,
        None,
        None,
        False,
    )
    assert not c.important
    worse = change(0, 2)
    assert (worse.points, worse.responder_points, worse.percent) == (-2, False, None)
    assert percent_relief(0, 5) is None


def test_recovered_means_pain_zero_after_some_pain() -> None:
    c = change(6, 0)
    assert (c.recovered, c.percent, c.tier) == (True, 100.0, "substantial")


def test_tier_edges() -> None:
    assert immpact_tier(9.99) == "none"
    assert immpact_tier(10) == "minimal"
    assert immpact_tier(29.9) == "minimal"
    assert immpact_tier(49.9) == "moderate"
    assert immpact_tier(-0.1) == "worse"
    assert immpact_tier(None) is None
