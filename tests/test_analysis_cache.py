"""The outcome cache against the records, on random clinics with awkward timing:
readings on window edges, ties, amendments and voids, several episodes."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest
from helpers_outcomes import episode, follow_up, patient, practitioner, session, session_data

from sessionlog.analysis import DoseSummary, Filters, PatientDose, dose_summary
from sessionlog.domain import parse_follow_up, parse_session
from sessionlog.store import Store, outcome_cache, outcome_details, outcomes

TECHNIQUES = ["acupuncture", "electroacupuncture", "dry_needling", "electrical_dry_needling",
              "ims"]  # fmt: skip
# Offsets in hours, many on window edges (0, 72, 192, 312, 696, 1992) and soreness edges.
OFFSETS = [0, 1, 12, 24, 36, 48, 60, 72, 72.5, 84, 168, 192, 193, 312, 313, 504, 696, 697,
           1992, 2000, 3000]  # fmt: skip


def random_clinic(store: Store, rng: random.Random, patients: int, start: int = 0) -> None:
    pr = [practitioner(store, f"P{start}{i}") for i in range(2)]
    for p in range(patients):
        pid = patient(store, f"R{start}-{p}", f"Random {p}")
        episodes = [None, episode(store, pid, rng.choice(["neck pain", "low back"]),
                                  rng.choice(["neck", "low_back"]))]  # fmt: skip
        when = datetime(2026, 1, 1, 9) + timedelta(days=rng.randint(0, 60))
        records = []
        for _ in range(rng.randint(1, 6)):
            tech = rng.choice(TECHNIQUES)
            kw = dict(technique=tech, before=rng.randint(0, 10),
                      after=rng.choice([None, rng.randint(0, 10)]),
                      soreness=rng.choice([None, 0, rng.randint(0, 10)]),
                      insertions=rng.randint(1, 30), twitches=rng.choice([None, 0, 7, 20]),
                      episode_id=rng.choice(episodes),
                      adverse=tuple(rng.sample(["mild", "mild", "significant"], rng.randint(0, 2)))
                      if rng.random() < 0.3 else ())  # fmt: skip
            doctor = rng.choice(pr)
            rid = session(store, pid, doctor, when.isoformat(sep=" "), **kw)
            records.append((rid, when))
            if rng.random() < 0.15:
                kw["before"] = rng.randint(0, 10)
                changed = parse_session(session_data(pid, doctor, when.isoformat(sep=" "), **kw))
                store.amend_session(rid, changed, doctor, "corrected")
            for _ in range(rng.randint(0, 4)):
                at = when + timedelta(hours=rng.choice(OFFSETS))
                fid = follow_up(store, pid, rid, at.isoformat(sep=" "), rng.randint(0, 10),
                                soreness=rng.choice([None, 0, rng.randint(0, 10)]),
                                actor=doctor,
                                adverse=("serious",) if rng.random() < 0.05 else ())  # fmt: skip
                if rng.random() < 0.1:
                    data = {
                        "patient_id": pid,
                        "session_record_id": rid,
                        "at": at.isoformat(sep=" "),
                        "pain": rng.randint(0, 10),
                    }
                    store.amend_follow_up(fid, parse_follow_up(data), doctor, "fix",
                                          void=rng.random() < 0.5)  # fmt: skip
            if rng.random() < 0.1:  # after its follow-ups: a voided session takes no more
                store.void_session(rid, doctor, "recorded in error")
            when += timedelta(hours=rng.choice([168, 168, 170, 192, 240, 24 * 30, 0]))


def disturb(store: Store, rng: random.Random) -> None:
    """Change existing patients' records: a session moved to another technique, one voided,
    a follow-up added (so their cached counts must be taken out and put back)."""
    rows = store.query("SELECT record_id, patient_id, practitioner_id, started_at FROM"
                       " current_session ORDER BY record_id")  # fmt: skip
    moved, voided, followed = rng.sample(rows, 3)
    data = session_data(moved["patient_id"], moved["practitioner_id"], moved["started_at"],
                        technique=rng.choice(TECHNIQUES), before=rng.randint(0, 10),
                        after=rng.randint(0, 10))  # fmt: skip
    store.amend_session(moved["record_id"], parse_session(data), 1, "wrong technique")
    store.void_session(voided["record_id"], 1, "duplicate")
    at = datetime.fromisoformat(followed["started_at"]) + timedelta(hours=rng.choice(OFFSETS))
    follow_up(store, followed["patient_id"], followed["record_id"], at.isoformat(sep=" "),
              rng.randint(0, 10), soreness=rng.randint(0, 3))  # fmt: skip


FILTERS = [
    Filters(),
    Filters(technique="dry_needling"),
    Filters(technique="electrical_dry_needling"),
    Filters(technique="acupuncture", region="neck"),
    Filters(practitioner_id=2),
    Filters(region="low_back"),
    Filters(complaint="back"),
    Filters(since=date(2026, 2, 1)),
    Filters(until=date(2026, 2, 15), technique="ims"),
]


# Each counting table, recounted from scratch (it is kept up to date incrementally).
RECOUNTS = {
    "outcome_cell": "SELECT technique, practitioner_id, region, slot, pain_before, value,"
    " count(*) FROM outcome_point GROUP BY 1, 2, 3, 4, 5, 6",
    "outcome_total": "SELECT technique, slot, pain_before, value, count(*) FROM outcome_point"
    " GROUP BY 1, 2, 3, 4",
    "outcome_patient": "SELECT family, technique, practitioner_id, region, slot, patient_id,"
    " count(*) FROM outcome_point GROUP BY 1, 2, 3, 4, 5, 6",
    "outcome_dose": "SELECT family, technique, practitioner_id, region, patient_id, count(*),"
    " min(started_at), max(started_at), sum(insertions), sum(insertions * insertions)"
    " FROM outcome_point WHERE slot = 40 GROUP BY 1, 2, 3, 4, 5",
    "outcome_dose_patient": " UNION ALL ".join(
        f"SELECT '{g}', {g}, patient_id, count(*), min(started_at), max(started_at),"
        " sum(insertions), sum(insertions * insertions), CASE WHEN count(*) > 1 AND"
        " max(started_at) > min(started_at) THEN (count(*) - 1) * 7.0"
        " / (julianday(max(started_at)) - julianday(min(started_at))) END"
        f" FROM outcome_point WHERE slot = 40 GROUP BY {g}, patient_id"
        for g in ("family", "technique")
    ),
    "outcome_dose_soreness": "SELECT technique, practitioner_id, region, insertions,"
    " twitches, value, count(*) FROM outcome_point WHERE slot = 21 GROUP BY 1, 2, 3, 4, 5, 6",
    "outcome_group": "SELECT 'family', family, slot, count(DISTINCT patient_id)"
    " FROM outcome_point GROUP BY 2, 3 UNION ALL SELECT 'technique', technique, slot,"
    " count(DISTINCT patient_id) FROM outcome_point GROUP BY 2, 3",
}


def assert_counts_consistent(store: Store) -> None:
    for table, recount in RECOUNTS.items():
        kept = sorted(store.conn.execute(f"SELECT * FROM {table}").fetchall())
        assert kept == sorted(store.conn.execute(recount).fetchall()), table


def python_doses(store: Store, f: Filters) -> dict[str, DoseSummary]:
    """Dose summaries the long way: every patient's sessions through the analysis."""
    keep = {g: [] for g in ("acupuncture", "dry_needling", "ims")}  # type: ignore[var-annotated]
    matching = outcomes.reference_counts(store, f)  # (only to know which groups exist)
    for p in store.patients():
        sessions, _ = outcomes.patient_outcomes(store, p["id"])
        for fam, own in keep.items():
            mine = [s for s in sessions if s.family == fam and (f.technique is None
                    or f.technique in (s.technique, fam))]  # fmt: skip
            if mine:
                own.append(PatientDose(fam, p["id"], len(mine), mine[0].started_at,
                                       mine[-1].started_at, sum(s.insertions for s in mine),
                                       sum(s.insertions**2 for s in mine)))  # fmt: skip
    return {g: dose_summary(g, d) for g, d in keep.items() if d and g in matching}


def assert_details_agree(store: Store) -> None:
    """Dose and adverse events: the three cache levels and the long way agree."""
    everything = Filters(since=date(2000, 1, 1))  # the same sessions, read point by point
    for f, wide in ((Filters(), everything), (Filters(technique="ims"),
                    Filters(technique="ims", since=date(2000, 1, 1)))):  # fmt: skip
        assert outcome_details.adverse_counts(store, f) == outcome_details.adverse_counts(
            store, wide
        )
        assert outcome_details.soreness_dose_rows(store, f) == outcome_details.soreness_dose_rows(
            store, wide
        )
        fast, slow = outcome_details.dose_summaries(store, f), python_doses(store, f)
        assert fast.keys() == slow.keys()
        for g, d in slow.items():
            assert (fast[g].sessions, fast[g].patients) == (d.sessions, d.patients)
            assert fast[g].per_week_median == pytest.approx(d.per_week_median)
            assert fast[g].insertions_per_session.value == pytest.approx(
                d.insertions_per_session.value
            )
            assert fast[g].sessions_per_patient.high == pytest.approx(d.sessions_per_patient.high)
            assert outcome_details.dose_summaries(store, wide)[g] == fast[g]
    by_practitioner = outcome_details.adverse_counts(store, Filters(practitioner_id=1))
    by_point = outcome_details.adverse_counts(store, Filters(practitioner_id=1,
                                                             since=date(2000, 1, 1)))  # fmt: skip
    assert by_practitioner == by_point


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cache_equals_records_on_random_clinics(seed: int) -> None:
    rng = random.Random(seed)
    store = Store.open(":memory:", clock=lambda: datetime(2026, 6, 1))
    random_clinic(store, rng, patients=6)
    for by in ("family", "technique"):
        for f in FILTERS:
            assert outcomes.group_counts(store, f, by=by) == outcomes.reference_counts(
                store, f, by=by
            ), (by, f)
    # More records arrive: the refresh recomputes only their patients, and still agrees.
    assert_counts_consistent(store)
    random_clinic(store, rng, patients=2, start=1)
    assert outcome_cache.refresh(store) == 2
    assert_counts_consistent(store)
    disturb(store, rng)
    assert 1 <= outcome_cache.refresh(store) <= 3
    assert_counts_consistent(store)
    assert_details_agree(store)
    for f in FILTERS[:4]:
        assert outcomes.group_counts(store, f) == outcomes.reference_counts(store, f)
    store.close()
