"""Relief in a window from its (before, then) cells; durability; the comparison."""

from __future__ import annotations

import pytest

from sessionlog.analysis import GroupCounts, compare, durability, summarise_window
from sessionlog.analysis.windows import DEFAULT_WINDOWS, Window

W = Window("72h", "up to 72 h", 0, 72)
W_LONG = Window("12w+", "12 weeks and later", 1992, None)


def test_four_sessions_by_hand() -> None:
    # Relief 8→6 = 2, 6→0 = 6, 5→5 = 0, 0→0 = 0 points.
    w = summarise_window(W, {(8, 6): 1, (6, 0): 1, (5, 5): 1, (0, 0): 1}, patients=3)
    assert (w.sessions, w.patients, w.enough, w.note) == (4, 3, True, "")
    # mean 8/4 = 2; variance (40 - 64/4) / 3 = 8; half width 3.182 · √8 / 2 = 4.500
    assert w.mean_points.value == 2
    assert w.mean_points.low == pytest.approx(2 - 4.5, abs=1e-3)
    assert w.mean_points.high == pytest.approx(2 + 4.5, abs=1e-3)
    assert w.median_points == 1.0  # 0 0 2 6
    # Percent only where the baseline is above 0: 25%, 100%, 0% (the 0→0 session is out).
    assert w.baseline_zero == 1
    assert w.mean_percent.n == 3
    assert w.mean_percent.value == pytest.approx(125 / 3)
    assert w.median_percent == 25
    assert (w.responders_points.k, w.responders_points.n) == (2, 4)  # 2 and 6 points
    assert (w.responders_percent.k, w.responders_percent.n) == (1, 3)  # only 100%
    assert (w.recovered.k, w.recovered.n) == (1, 3)  # 6→0
    assert w.tiers == {"worse": 0, "none": 1, "minimal": 1, "moderate": 0, "substantial": 1}
    assert (w.mean_before, w.mean_then) == (4.75, 2.75)  # 19/4 and 11/4


def test_too_few_patients_is_said_not_drawn() -> None:
    w = summarise_window(W, {(6, 3): 4}, patients=2)
    assert (w.enough, w.note) == (False, "not enough data (n=2)")
    assert summarise_window(W, {(6, 3): 4}, patients=2, min_patients=2).enough


def test_no_data_in_a_window() -> None:
    w = summarise_window(W, {}, patients=0)
    assert (w.sessions, w.enough, w.note, w.mean_points.value, w.median_points) == (
        0,
        False,
        "not enough data (n=0)",
        None,
        None,
    )
    assert w.responders_points.value is None


def test_all_pain_zero() -> None:
    w = summarise_window(W, {(0, 0): 5}, patients=5)
    assert (w.mean_points.value, w.median_points, w.baseline_zero) == (0, 0, 5)
    assert w.mean_percent.value is None  # no percent of a baseline of 0
    assert (w.responders_percent.n, w.responders_percent.value) == (0, None)
    assert (w.recovered.n, w.responders_points.k) == (0, 0)


def test_durability_is_long_relief_over_short_relief() -> None:
    short = summarise_window(W, {(6, 4): 3, (6, 2): 1}, patients=3)  # mean (2·3 + 4) / 4 = 2.5
    long = summarise_window(W_LONG, {(6, 5): 2, (6, 4): 2}, patients=3)  # mean 1.5
    d = durability([short, long], "72h", "12w+")
    assert d.retained_percent == pytest.approx(60.0)  # 1.5 / 2.5
    assert (d.short_key, d.long_key, d.note) == ("72h", "12w+", "")


def test_durability_needs_both_windows_and_relief_to_retain() -> None:
    short = summarise_window(W, {(6, 6): 3}, patients=3)
    long = summarise_window(W_LONG, {(6, 5): 3}, patients=3)
    assert durability([short, long], "72h", "12w+").note == "no short-term relief to retain"
    few = summarise_window(W_LONG, {(6, 5): 3}, patients=1)
    ok = summarise_window(W, {(6, 3): 3}, patients=3)
    d = durability([ok, few], "72h", "12w+")
    assert (d.retained_percent, d.note) == (None, "12 weeks and later: not enough data (n=1)")
    assert durability([ok], "72h", "12w+").note == "no window named 12w+"


def test_a_technique_with_no_data_still_has_its_row() -> None:
    acu = GroupCounts("acupuncture", sessions=4, patients=3)
    acu.pain[0] = {(7, 4): 4}
    acu.pain_patients[0] = 3
    c = compare({"acupuncture": acu})
    assert [g.key for g in c.groups] == ["acupuncture", "dry_needling", "ims"]
    dn = c.group("dry_needling")
    assert dn is not None and dn.sessions == 0
    assert all(not w.enough for w in dn.windows)
    assert dn.durability.note.endswith("not enough data (n=0)")
    acu_row = c.group("acupuncture")
    assert acu_row is not None and acu_row.windows[0].mean_points.value == 3
    assert [w.window for w in acu_row.windows] == list(DEFAULT_WINDOWS)


def test_a_technique_filter_shows_only_that_technique() -> None:
    from sessionlog.analysis import Filters

    c = compare({}, filters=Filters(technique="ims"))
    assert [(g.key, g.label, g.sessions) for g in c.groups] == [("ims", "IMS", 0)]
