"""How long relief lasts: Kaplan-Meier by hand on 8 patients, with censoring."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest

from sessionlog.analysis import FollowUp, SessionOutcome, compare, counts_from_sessions
from sessionlog.analysis.lasting import relief_lasting
from sessionlog.analysis.stats import t975

START = datetime(2026, 3, 2, 9)
# One session per patient, 7 → 3 right after (4 points: relief). A follow-up at the
# hour given: pain 7 (relief lost) or 3 (still relieved: censored at that reading).
PATIENTS = [(24, True), (48, True), (48, False), (72, True), (96, False), (120, True),
            (168, True), (240, False)]  # fmt: skip


def clinic() -> tuple[list[SessionOutcome], list[FollowUp]]:
    sessions, follow_ups = [], []
    for i, (hours, lost) in enumerate(PATIENTS, start=1):
        at = START + timedelta(days=i)
        sessions.append(SessionOutcome(i, i, 1, at, "ims", 7, 3))
        follow_ups.append(FollowUp(i, at + timedelta(hours=hours), 7 if lost else 3, None, i))
    # Patient 9: no relief right after (7 → 6): not in the curve. Patient 10: relief,
    # but no later reading: nothing to say how long it lasted.
    sessions.append(SessionOutcome(9, 9, 1, START, "ims", 7, 6))
    follow_ups.append(FollowUp(9, START + timedelta(hours=30), 7, None, 9))
    sessions.append(SessionOutcome(10, 10, 1, START, "ims", 7, 2))
    return sessions, follow_ups


def test_kaplan_meier_by_hand() -> None:
    counts = counts_from_sessions(*clinic())["ims"]
    assert counts.loss == {2 * (h // 24) + lost: 1 for h, lost in PATIENTS}  # in days
    assert counts.loss_patients == 8
    lasting = compare({"ims": counts}).group("ims").lasting  # type: ignore[union-attr]
    assert lasting is not None
    assert (lasting.sessions, lasting.patients, lasting.lost, lasting.censored) == (8, 8, 5, 3)
    # By hand: at risk 8, 7, 5, 3, 2 at the losses on days 1, 2, 3, 5, 7 (the one
    # censored on day 2 is at risk on day 2; the one censored on day 4 leaves before 5).
    assert [(s.days, s.at_risk, s.lost) for s in lasting.steps] == [
        (1, 8, 1), (2, 7, 1), (3, 5, 1), (5, 3, 1), (7, 2, 1),
    ]  # fmt: skip
    expected = [7 / 8, 7 / 8 * 6 / 7, 0.75 * 4 / 5, 0.6 * 2 / 3, 0.4 * 1 / 2]
    assert [s.survival for s in lasting.steps] == pytest.approx(expected)
    # The median: the first time the curve is at or below 50%: 120 h, day 5.
    assert lasting.median_days == 5
    # Greenwood at 72 h: 1/(8·7) + 1/(7·6) + 1/(5·4); one session per patient, so the
    # design effect is the clustered variance's small-sample factor alone, 8/7.
    green = 1 / 56 + 1 / 42 + 1 / 20
    assert lasting.design_effect == pytest.approx(8 / 7)
    se = math.sqrt(green * 8 / 7) / abs(math.log(0.6))
    z = t975(7)
    three_days = lasting.still[0]
    assert three_days.days == 3 and three_days.share == pytest.approx(0.6)
    assert three_days.low == pytest.approx(0.6 ** math.exp(z * se))
    assert three_days.high == pytest.approx(0.6 ** math.exp(-z * se))
    assert lasting.still[0].low == pytest.approx(0.1017, abs=1e-3)
    # A week: 0.2 (the loss at 168 h counts); 4 and 12 weeks: nobody followed that long.
    assert lasting.still[1].share == pytest.approx(0.2)
    assert (lasting.still[2].share, lasting.still[3].share) == (None, None)
    # Brookmeyer-Crowley: from the first time the band's bottom is at or below 50%:
    # already at 24 h, 0.875^exp(z·se) with se = √(8/7 / 56) / |ln 0.875| (8 patients
    # say little)...
    se24 = math.sqrt(8 / 7 / 56) / abs(math.log(0.875))
    assert lasting.steps[0].low == pytest.approx(0.875 ** math.exp(z * se24))
    assert lasting.steps[0].low < 0.5
    assert lasting.median_low_days == 1
    # ...to the first time its top is: never with 8 patients (at 168 h, 0.2's top is
    # above 50%), so the median's upper limit is not reached.
    assert lasting.steps[-1].high is not None and lasting.steps[-1].high > 0.5
    assert lasting.median_high_days is None


def test_no_relief_right_after_gives_no_curve() -> None:
    empty = relief_lasting({}, 0)
    assert (empty.sessions, empty.median_days, empty.enough) == (0, None, False)
