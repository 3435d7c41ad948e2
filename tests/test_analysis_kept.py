"""Relief kept: the share of the relief right after a session still there in a later
window, within the same sessions, with its patient-clustered interval, by hand."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest

from sessionlog.analysis import FollowUp, SessionOutcome, compare, counts_from_sessions
from sessionlog.analysis.stats import t975

START = datetime(2026, 3, 2, 9)
# (patient, pain before, pain right after or None, pain at 48 h or None); each session
# its own episode, so the next session's score is not one of its readings.
SESSIONS = [
    (1, 7, 3, 5),  # relief 4 right after, 2 at 48 h
    (1, 6, 2, 6),  # 4, then 0
    (2, 8, 4, 6),  # 4, then 2
    (3, 5, 3, 4),  # 2, then 1
    (4, 7, 5, None),  # right after only: not in relief kept
    (4, 7, None, 5),  # 48 h only: in the 72 h mean, not in relief kept
]


def clinic() -> tuple[list[SessionOutcome], list[FollowUp]]:
    sessions, follow_ups = [], []
    for i, (patient, before, after, later) in enumerate(SESSIONS, start=1):
        at = START + timedelta(days=10 * i)
        sessions.append(SessionOutcome(i, patient, 1, at, "ims", before, after, episode_id=i))
        if later is not None:
            follow_ups.append(FollowUp(i, at + timedelta(hours=48), later, None, i))
    return sessions, follow_ups


def test_relief_kept_by_hand_within_the_same_sessions() -> None:
    group = compare(counts_from_sessions(*clinic())).group("ims")
    assert group is not None
    immediate, h72 = group.windows[0], group.windows[1]
    assert immediate.kept is None  # nothing to keep of itself
    kept = h72.kept
    assert kept is not None and kept.enough
    # Patients' totals over the sessions with both readings: (kept y, right after d):
    # patient 1 (2, 8), patient 2 (2, 4), patient 3 (1, 2); patient 4 has none.
    assert (kept.sessions, kept.patients) == (4, 3)
    share = 5 / 14
    assert kept.share == pytest.approx(share)
    assert kept.relief_right_after == pytest.approx(14 / 4)
    assert kept.relief_then == pytest.approx(5 / 4)
    residuals = [2 - share * 8, 2 - share * 4, 1 - share * 2]
    # Bias-reduced (over 1 - Σh², h = 8/14, 4/14, 2/14) with t on the effective number
    # of patients 14² / 84 = 2.33 less one, rounded down: 1 (was 3/2 · Σr² and t(2)).
    var = sum(r * r for r in residuals) / 14**2 / (1 - 84 / 14**2)
    half = t975(1) * math.sqrt(var)
    assert kept.low == pytest.approx(share - half)
    assert kept.high == pytest.approx(share + half)
    # The old ratio of two means over different sessions says otherwise: 7/5 over 16/5.
    assert h72.mean_points.value == pytest.approx(7 / 5)
    assert immediate.mean_points.value == pytest.approx(16 / 5)


def test_relief_kept_needs_enough_patients_and_relief_right_after() -> None:
    sessions, follow_ups = clinic()
    few = compare(counts_from_sessions(sessions[:3], follow_ups[:3])).group("ims")
    assert few is not None and few.windows[1].kept is not None
    assert few.windows[1].kept.note == "not enough data (n=2)"
    assert few.windows[1].kept.share is None
    worse = [SessionOutcome(i, i, 1, START + timedelta(days=9 * i), "ims", 5, 6, episode_id=i)
             for i in range(1, 5)]  # fmt: skip
    later = [FollowUp(i, s.started_at + timedelta(hours=30), 4, None, i)
             for i, s in enumerate(worse, start=1)]  # fmt: skip
    none = compare(counts_from_sessions(worse, later)).group("ims")
    assert none is not None and none.windows[1].kept is not None
    assert none.windows[1].kept.note == "no relief right after to keep"
