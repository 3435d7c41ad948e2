"""Outcome queries on a real database: current versions only, the next session as a
follow-up, filters in SQL, and the cache giving the same counts as the records."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from helpers_outcomes import episode, follow_up, session, session_data

from sessionlog.analysis import Filters, GroupCounts
from sessionlog.domain import parse_follow_up, parse_session
from sessionlog.errors import ValidationError
from sessionlog.services.reports import details_report, progress_report
from sessionlog.store import Store
from sessionlog.store.outcomes import cache as outcome_cache
from sessionlog.store.outcomes import queries as outcomes


@pytest.fixture
def clinic(store: Store, practitioner_id: int, patient_id: int, other_patient_id: int) -> Store:
    """Bo (acupuncture, neck episode) and Cy (dry needling), with an amended session,
    an amended follow-up and a voided session."""
    pr, bo, cy = practitioner_id, patient_id, other_patient_id
    neck = episode(store, bo, "neck pain", "neck")
    r1 = session(store, bo, pr, "2026-01-05 10:00", before=8, after=6, soreness=2,
                 episode_id=neck, insertions=4)  # fmt: skip
    follow_up(store, bo, r1, "2026-01-06 10:00", 7, soreness=1)
    follow_up(store, bo, r1, "2026-01-08 10:00", 6, soreness=0)
    r2 = session(store, bo, pr, "2026-01-12 10:00", before=6, after=4, episode_id=neck)
    amended = parse_session(session_data(bo, pr, "2026-01-12 10:00", before=5, after=4,
                                         episode_id=neck))  # fmt: skip
    store.amend_session(r2, amended, pr, "pain before was 5")
    follow_up(store, bo, r2, "2026-02-02 10:00", 5)
    r3 = session(store, cy, pr, "2026-01-05 09:00", technique="dry_needling", before=7,
                 after=2, soreness=6, twitches=3, adverse=("mild",))  # fmt: skip
    wrong = follow_up(store, cy, r3, "2026-01-06 09:00", 5, soreness=3)
    fixed = parse_follow_up({"patient_id": cy, "session_record_id": r3,
                             "at": "2026-01-06 09:00", "pain": 4, "soreness": 3})  # fmt: skip
    store.amend_follow_up(wrong, fixed, pr, "pain was 4")
    r4 = session(store, cy, pr, "2026-01-07 09:00", technique="dry_needling", before=9,
                 adverse=("mild",))  # fmt: skip
    follow_up(store, cy, r4, "2026-01-08 09:00", 1)
    store.void_session(r4, pr, "wrong patient")
    r5 = session(store, cy, pr, "2026-01-19 09:00", technique="dry_needling", before=6, after=3)
    follow_up(store, cy, r5, "2026-01-20 09:00", 2, adverse=("significant",))
    return store


def expected_acupuncture() -> GroupCounts:
    g = GroupCounts("acupuncture", sessions=2, patients=1)
    g.pain = {
        0: {(8, 6): 1, (5, 4): 1},  # right after each session (r2 as amended: 5)
        1: {(8, 6): 1},  # 24 h (7) and 72 h (6): the later counts
        2: {(8, 5): 1},  # r2's pain before, a week after r1
        3: {(5, 5): 1},  # 21 days after r2
    }
    g.pain_patients = {0: 1, 1: 1, 2: 1, 3: 1}
    g.soreness = {0: {2: 1}, 1: {1: 1}, 3: {0: 1}}
    g.soreness_patients = {0: 1, 1: 1, 3: 1}
    g.resolution = {3: 1}  # soreness 0 at 72 h
    g.resolution_patients = 1
    # r1 (8 → 6: 2 points) lost its relief on day 1 (7); r2 (5 as amended → 4) had none.
    g.loss, g.loss_patients = {2 * 1 + 1: 1}, 1
    g.loss_pairs = {(3, 3): 1}  # one patient, one session: 1 x 1
    return g


def expected_dry_needling() -> GroupCounts:
    g = GroupCounts("dry_needling", sessions=2, patients=1)
    g.pain = {
        0: {(7, 2): 1, (6, 3): 1},
        1: {(7, 4): 1, (6, 2): 1},  # r3's follow-up as amended (4); r5's at 24 h
        3: {(7, 6): 1},  # r5 is r3's next session (voided r4 is not), 14 days later
    }
    g.pain_patients = {0: 1, 1: 1, 3: 1}
    g.soreness = {0: {6: 1}, 1: {3: 1}}
    g.soreness_patients = {0: 1, 1: 1}
    g.resolution = {-1: 1}  # r3's soreness never reached 0
    g.resolution_patients = 1
    # r3 (7 → 2) kept relief at 24 h (4), lost it by r5, 14 days later (6): an event on
    # day 14; r5 (6 → 3) still had it at 24 h (2), its last reading: censored on day 1.
    g.loss, g.loss_patients = {2 * 14 + 1: 1, 2 * 1: 1}, 1
    # One patient's products of those counts: each value with itself and the two together.
    g.loss_pairs = {(2, 2): 1, (2, 29): 1, (29, 29): 1}
    return g


def test_counts_by_hand(clinic: Store) -> None:
    counts = outcomes.group_counts(clinic)
    # By hand: the counts; the per-patient sums are held to the pure path below.
    assert {k: replace(g, clusters={}, eligible={}) for k, g in counts.items()} == {
        "acupuncture": expected_acupuncture(),
        "dry_needling": expected_dry_needling(),
    }
    # The latest record is r2's follow-up on 2026-02-02: every session (14 to 28 days
    # before it) is old enough for "1 to 4 weeks" (over 8 days), none for "4 to 12 weeks".
    assert counts["dry_needling"].eligible == {0: 2, 1: 2, 2: 2, 3: 2}
    assert counts["acupuncture"].eligible == {0: 2, 1: 2, 2: 2, 3: 2}
    assert outcomes.reference_counts(clinic) == counts


FILTERS = [
    Filters(),
    Filters(technique="dry_needling"),
    Filters(technique="electroacupuncture"),
    Filters(practitioner_id=1),
    Filters(region="neck"),
    Filters(complaint="NECK"),
    Filters(since=date(2026, 1, 10)),
    Filters(until=date(2026, 1, 5)),
    Filters(technique="acupuncture", since=date(2026, 1, 1), region="neck"),
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: f.describe())
@pytest.mark.parametrize("by", ["family", "technique"])
def test_cache_and_records_agree(clinic: Store, filters: Filters, by: str) -> None:
    assert outcomes.group_counts(clinic, filters, by=by) == outcomes.reference_counts(
        clinic, filters, by=by
    )


def test_filters_pick_the_sessions(clinic: Store) -> None:
    neck = outcomes.group_counts(clinic, Filters(region="neck"))
    assert list(neck) == ["acupuncture"]
    late = outcomes.group_counts(clinic, Filters(since=date(2026, 1, 10)))
    assert late["acupuncture"].pain[0] == {(5, 4): 1}
    assert late["dry_needling"].pain[0] == {(6, 3): 1}
    assert outcomes.group_counts(clinic, Filters(until=date(2025, 1, 1))) == {}


def test_the_cache_follows_new_records(clinic: Store, other_patient_id: int) -> None:
    before = outcomes.group_counts(clinic)
    r6 = session(clinic, other_patient_id, 1, "2026-02-01 09:00", technique="ims", before=5,
                 after=2)  # fmt: skip
    follow_up(clinic, other_patient_id, r6, "2026-02-02 09:00", 3)
    assert outcome_cache.refresh(clinic) == 1  # one patient recomputed
    assert outcome_cache.refresh(clinic) == 0  # nothing new
    after = outcomes.group_counts(clinic)
    assert after["ims"].pain == {0: {(5, 2): 1}, 1: {(5, 3): 1}}
    # r6 is also r5's next session (13 days later: 1 to 4 weeks, where r5 had none).
    assert after["dry_needling"].pain[3] == {(6, 5): 1, (7, 6): 1}
    assert after["dry_needling"].between == before["dry_needling"].between == 0
    assert after == outcomes.reference_counts(clinic)


def test_rebuild_gives_the_same_cache(clinic: Store) -> None:
    counts = outcomes.group_counts(clinic)
    assert outcome_cache.rebuild(clinic) == 2
    assert outcomes.group_counts(clinic) == counts


def test_other_windows_use_the_records(clinic: Store) -> None:
    from sessionlog.analysis import parse_windows

    counts = outcomes.group_counts(clinic, windows=parse_windows("2d, 2d-30d"))
    assert counts["acupuncture"].pain == {
        0: {(8, 6): 1, (5, 4): 1},
        1: {(8, 7): 1},  # up to 2 days: the 24 h follow-up
        2: {(8, 5): 1, (5, 5): 1},  # 2 to 30 days: r2's pain before (latest), r2's follow-up
    }


def test_bad_filters_name_the_field(clinic: Store) -> None:
    with pytest.raises(ValidationError) as err:
        outcomes.group_counts(clinic, Filters(technique="reiki"))
    assert err.value.field == "technique"
    with pytest.raises(ValidationError) as err:
        outcomes.group_counts(clinic, Filters(region="toe"))
    assert err.value.field == "region"
    with pytest.raises(ValidationError) as err:
        outcomes.group_counts(clinic, Filters(since=date(2026, 2, 1), until=date(2026, 1, 1)))
    assert err.value.field == "since"


def test_progress_uses_current_versions(clinic: Store, other_patient_id: int) -> None:
    p = progress_report(clinic, other_patient_id)
    assert [r.before for r in p.rows] == [7, 6]  # the voided session is gone
    assert [t.pain for t in p.timeline if t.kind == "follow_up"] == [4, 2]  # as amended


def test_details(clinic: Store) -> None:
    details = {d.key: d for d in details_report(clinic)}
    dn = details["dry_needling"]
    assert (dn.dose.sessions, dn.dose.patients) == (2, 1)
    rates = {a.tier: a for a in dn.adverse}
    # The voided session's mild event does not count; the follow-up's does, for r5.
    assert (rates["mild"].with_event, rates["mild"].per_100) == (1, 50.0)
    assert (rates["significant"].with_event, rates["serious"].rule_of_three) == (1, True)
    acu = details["acupuncture"]
    assert acu.dose.insertions_per_session.value == 3  # (4 + 2) / 2
    assert {(b.dimension, b.band, b.sessions) for b in acu.soreness_by_dose if b.sessions} == {
        ("insertions", "1-5", 1),
        ("twitches", "0", 1),
    }


def test_patients_are_found_by_chart_or_id(clinic: Store, patient_id: int) -> None:
    from sessionlog.services.lookup import find_patient, find_practitioner

    assert find_patient(clinic, "C001")["id"] == patient_id
    assert find_patient(clinic, str(patient_id))["chart_id"] == "C001"
    with pytest.raises(ValidationError) as err:
        find_patient(clinic, "nobody")
    assert err.value.field == "patient"
    assert find_practitioner(clinic, "ann") == 1
    with pytest.raises(ValidationError):
        find_practitioner(clinic, "Zed")
