"""Soreness course and resolution, soreness by dose, dose summaries, adverse events."""

from __future__ import annotations

import math
from datetime import datetime

import pytest

from sessionlog.analysis import PatientDose, adverse_rates, dose_summary, soreness_course
from sessionlog.analysis.soreness import (
    INSERTION_BANDS,
    band_label,
    dose_band_clusters,
    resolution_summary,
    soreness_by_dose,
)
from sessionlog.analysis.stats import t975


def test_soreness_course_from_counts() -> None:
    course = soreness_course({0: {2: 1, 4: 1}, 1: {1: 2}}, {0: 3, 1: 1}, {})
    now, day1 = course.points[0], course.points[1]
    assert (now.sessions, now.mean.value, now.median, now.enough) == (2, 3.0, 3.0, True)
    assert (day1.sessions, day1.mean.value, day1.enough) == (2, 1.0, False)  # one patient
    assert (day1.none.k, day1.none.n) == (0, 2)
    assert course.points[2].sessions == 0
    assert course.resolution.sessions == 0 and course.resolution.median_day is None


def test_resolution_median_and_resolved_by_day() -> None:
    # Days 0, 1, 3 and one never resolved (counted as later than any day): median (1 + 3) / 2.
    r = resolution_summary({0: 1, 1: 1, 3: 1, -1: 1})
    assert (r.sessions, r.unresolved, r.median_day) == (4, 1, 2.0)
    assert [(r.by_day[d].k, r.by_day[d].n) for d in (1, 2, 3)] == [(2, 4), (2, 4), (3, 4)]


def test_resolution_median_unknown_when_most_never_resolved() -> None:
    assert resolution_summary({2: 1, -1: 2}).median_day is None


def test_soreness_by_dose_bands() -> None:
    # (patient, insertions, twitches, pain before, soreness at 24 h), one per session
    rows = [(1, 3, 0, 6, 2), (2, 8, 2, 6, 4), (3, 25, 20, 5, 6), (3, 30, 16, 7, 6)]
    dose = soreness_by_dose(dose_band_clusters(rows))
    bands = {(b.dimension, b.band): (b.sessions, b.mean.value) for b in dose}
    assert bands == {
        ("insertions", "1-5"): (1, 2.0),
        ("insertions", "6-10"): (1, 4.0),
        ("insertions", "11-20"): (0, None),
        ("insertions", "21+"): (2, 6.0),
        ("twitches", "0"): (1, 2.0),
        ("twitches", "1-5"): (1, 4.0),
        ("twitches", "6-15"): (0, None),
        ("twitches", "16+"): (2, 6.0),
    }
    assert band_label(0, INSERTION_BANDS) == "under 1"
    assert {b.band: b.patients for b in dose if b.dimension == "twitches"} == {
        "0": 1, "1-5": 1, "6-15": 0, "16+": 1,
    }  # fmt: skip


def test_soreness_by_dose_interval_treats_the_patient_as_the_unit() -> None:
    # 6-10 insertions: patient 1 has 4 and 6 (total 10 over 2 sessions), patient 2 has 1,
    # patient 3 has 3 and 3 and 3 (9 over 3). Mean 20/6; the sandwich variance by hand.
    rows = [(1, 8, 0, 5, 4), (1, 7, 0, 5, 6), (2, 9, 0, 5, 1)] + [(3, 6, 0, 5, 3)] * 3
    band = next(b for b in soreness_by_dose(dose_band_clusters(rows)) if b.band == "6-10")
    m = 20 / 6
    residuals = [10 - 2 * m, 1 - m, 9 - 3 * m]
    # Bias-reduced: over 1 - Σh² (h = 2/6, 1/6, 3/6: Σh² = 14/36), t on the effective
    # number of patients 36/14 = 2.57 less one, rounded down: 1 (was 3/2 · Σr² and t(2)).
    se = math.sqrt(sum(r * r for r in residuals) / 36 / (1 - 14 / 36))
    assert (band.sessions, band.patients) == (6, 3)
    assert band.mean.value == pytest.approx(m)
    assert m - t975(1) * se < 0 and band.mean.low == 0  # cut at 0: soreness is 0-10
    assert m + t975(1) * se > 10 and band.mean.high == 10  # and at 10


def day(d: int) -> datetime:
    return datetime(2026, 1, d, 10, 0)


def test_sessions_per_week() -> None:
    assert PatientDose("x", 1, 3, day(1), day(15), 12, 48).per_week == 1.0  # 2 gaps in 2 weeks
    assert PatientDose("x", 1, 1, day(1), day(1), 4, 16).per_week is None
    assert PatientDose("x", 1, 2, day(1), day(1), 4, 8).per_week is None  # same moment


def test_dose_summary_of_two_patients() -> None:
    doses = [
        PatientDose("acupuncture", 1, 3, day(1), day(15), 12, 48),  # 4 insertions each time
        PatientDose("acupuncture", 2, 1, day(2), day(2), 6, 36),
    ]
    d = dose_summary("acupuncture", doses)
    assert (d.sessions, d.patients, d.per_week_median) == (4, 2, 1.0)
    assert d.sessions_per_patient.value == 2  # (3 + 1) / 2
    # Insertions per session: 18 / 4 = 4.5; variance (84 - 18²/4) / 3 = 1.
    assert d.insertions_per_session.value == 4.5
    assert d.insertions_per_session.sd == pytest.approx(1.0)


def test_adverse_rates_with_the_rule_of_three() -> None:
    rates = {r.tier: r for r in adverse_rates(100, {"mild": (5, 6)})}
    mild = rates["mild"]
    assert (mild.with_event, mild.events, mild.per_100, mild.rule_of_three) == (5, 6, 5.0, False)
    assert mild.low == pytest.approx(2.154, abs=1e-3)  # Wilson 5/100
    assert mild.high == pytest.approx(11.175, abs=1e-3)
    none = rates["serious"]
    assert (none.per_100, none.low, none.high, none.rule_of_three) == (0.0, 0.0, 3.0, True)
    nothing = adverse_rates(0, {})[0]
    assert (nothing.per_100, nothing.high) == (None, None)


def test_dose_from_sums_matches_the_per_patient_summary() -> None:
    from sessionlog.analysis import dose_from_sums

    doses = [
        PatientDose("ims", 1, 3, day(1), day(15), 12, 48),
        PatientDose("ims", 2, 1, day(2), day(2), 6, 36),
    ]
    # patients 2; sessions 3 + 1 = 4, squared 9 + 1 = 10; insertions 18, squared 84;
    # per patient 12 and 6: squared 144 + 36 = 180, times sessions 36 + 6 = 42.
    summary = dose_summary("ims", doses)
    assert dose_from_sums("ims", 2, 4, 10, 18, 84, 1.0, 180, 42) == summary
    # The patient is the unit: 12 - 4.5·3 = -1.5 and 6 - 4.5 = 1.5, so the bias-reduced
    # variance is 4.5 / 4² / (1 - 10/16) = 0.75 and the half width t(1) · 0.866 = 11.0.
    ins = summary.insertions_per_session
    assert ins.value == 4.5 and ins.sd == pytest.approx(1.0) and ins.patients == 2
    assert ins.high == pytest.approx(4.5 + 12.706205 * math.sqrt(0.75), abs=1e-5)


def test_soreness_table_names_sessions_and_patients() -> None:
    from sessionlog.analysis import FollowUp, SessionOutcome, compare, counts_from_sessions
    from sessionlog.analysis.table import soreness_rows

    def at(text: str) -> datetime:
        return datetime.fromisoformat(text)

    # Soreness right after 5, 4 (patient 1), 6 (patient 2), 1 (patient 3); then 2 and 0
    # near 24 h and 48 h after the first, 0 near 24 h after the second, 3 after the third.
    sessions = [
        SessionOutcome(1, 1, 1, at("2026-01-05 10:00"), "dry_needling", 6, 2, 5),
        SessionOutcome(2, 1, 1, at("2026-01-20 10:00"), "dry_needling", 5, 2, 4),
        SessionOutcome(3, 2, 1, at("2026-01-06 10:00"), "dry_needling", 7, 3, 6),
        SessionOutcome(4, 3, 1, at("2026-01-07 10:00"), "dry_needling", 6, 3, 1),
    ]
    follow_ups = [
        FollowUp(1, at("2026-01-06 10:00"), 4, 2, 1),
        FollowUp(1, at("2026-01-07 10:00"), 4, 0, 2),
        FollowUp(2, at("2026-01-21 10:00"), 3, 0, 3),
        FollowUp(3, at("2026-01-07 10:00"), 5, 3, 4),
    ]
    c = compare(counts_from_sessions(sessions, follow_ups))
    assert c.group("dry_needling").soreness.resolution.patients == 3  # type: ignore[union-attr]
    columns, rows = soreness_rows(c)
    dn = next(r for r in rows if r["technique"] == "Dry needling")
    # Every cell: patients, sessions; 24 h has 3 sessions but 2 patients: not enough.
    # Right after: 5, 4 (patient 1), 6, 1: mean 4; per patient 9, 6, 1 against 4 a
    # session: Σ(y - 4d)² = 1 + 4 + 9 = 14, / 4² / (1 - 6/16) = 1.4 (bias-reduced: the
    # shares 2/4, 1/4, 1/4), with t on 16/6 - 1 = 1.67 rounded down: t(1) · √ = 15.0,
    # cut to 0-10. The 72 h share (Wilson on the effective n, t(1)) likewise: 0-100%.
    assert [dn[k] for k, _ in columns[1:]] == [
        "4.0 (0.0 to 10.0); 3 patients, 4 sessions",
        "not enough data (2 patients, 3 sessions)",
        "not enough data (1 patient, 1 session)",
        "not enough data (0 patients, 0 sessions)",
        # Resolved on day 2 and day 1; two never reported 0.
        "2 of 4 not 0 by the last reading; by 72 h 50% (0-100%), 2/4 (3 patients, 4 sessions)",
    ]
