"""Needle insertions are typed per side: a bilateral site is needled on both sides, so
every total and dose figure counts its insertions twice (STRICTA 2a asks for the number
of needle insertions)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers_cli import ok
from helpers_outcomes import follow_up, patient, practitioner, session_data

from sessionlog.analysis import Filters
from sessionlog.domain import parse_session, parse_site
from sessionlog.domain.models import site_insertions
from sessionlog.services import reports as outcome_reports
from sessionlog.services.entry.site_text import parse_site_text
from sessionlog.store import Store
from sessionlog.store.outcomes import cache as outcome_cache
from sessionlog.store.outcomes import points as outcome_points
from sessionlog.store.outcomes import queries as outcomes

NOW = datetime(2026, 6, 1, 12, 0)


def sites_total(technique: str, sites: list[dict[str, Any]]) -> int:
    data = session_data(1, 1, "2026-03-02 09:00", technique=technique)
    return parse_session({**data, "sites": sites}, now=NOW).total_insertions


def test_a_bilateral_site_counts_on_both_sides() -> None:
    # ST36 on both sides and Yintang on the midline: 3 needles.
    assert sites_total("acupuncture", [{"target": "st36", "side": "bilateral"},
                                       {"target": "yintang"}]) == 3  # fmt: skip
    assert sites_total("acupuncture", [{"target": "st36", "side": "left"},
                                       {"target": "EX-HN3"}]) == 2  # fmt: skip
    both = parse_site({"target": "L4-L5", "side": "bilateral", "insertions": 3}, "ims")
    assert (both.insertions, site_insertions(both)) == (3, 6)  # stored per side


def test_x2_typed_in_the_form_is_per_side() -> None:
    typed = [parse_site_text(text, "acupuncture") for text in ("st36 b x2", "li4 l x2", "du20")]
    assert [(raw["side"], raw["insertions"]) for raw in typed[:2]] == [
        ("bilateral", 2),
        ("left", 2),
    ]
    assert sites_total("acupuncture", typed[:1]) == 4  # 2 on each side
    assert sites_total("acupuncture", typed) == 4 + 2 + 1


# -- a hand-made clinic: every figure by hand ------------------------------------------

ST36_B, LI4_B, LR3_B = ({"target": t, "side": "bilateral"} for t in ("ST36", "LI4", "LR3"))
YINTANG = {"target": "EX-HN3"}
SESSIONS = [  # (patient, when, technique, sites, soreness about 24 h later, needles)
    ("A", "2026-03-02 09:00", "acupuncture", [ST36_B, LI4_B, LR3_B], 2, 6),
    ("A", "2026-03-09 09:00", "acupuncture", [{**ST36_B, "insertions": 2}, YINTANG], 1, 5),
    ("B", "2026-03-04 10:00", "acupuncture", [ST36_B, YINTANG], 0, 3),
    ("C", "2026-03-05 11:00", "dry_needling",
     [{"target": "upper trap", "side": "bilateral", "insertions": 3, "twitch_count": 2},
      {"target": "infraspinatus", "side": "right", "insertions": 2}], 4, 8),
]  # fmt: skip


def hand_made_clinic(store: Store) -> dict[int, int]:
    """The clinic above; returns each session's record id -> needles counted by hand."""
    doc = practitioner(store)
    ids = {chart: patient(store, chart, f"Patient {chart}") for chart in "ABC"}
    needles = {}
    for chart, when, technique, sites, soreness, n in SESSIONS:
        data = session_data(ids[chart], doc, when, technique=technique, before=6, after=3)
        record = store.save_session(parse_session({**data, "sites": sites}, now=NOW)).record_id
        next_day = datetime.fromisoformat(when) + timedelta(hours=24)
        follow_up(store, ids[chart], record, next_day.isoformat(sep=" "), 4, soreness=soreness)
        needles[record] = n
    return needles


@pytest.fixture
def clinic() -> Any:
    store = Store.open(":memory:", clock=lambda: NOW)
    needles = hand_made_clinic(store)
    yield store, needles
    store.close()


def test_every_path_counts_the_same_needles(clinic: Any) -> None:
    store, needles = clinic
    # The stored record's derived total (the domain's count) ...
    assert {r: store.session(r)["total_insertions"] for r in needles} == needles
    # ... the rows the analysis reads directly (a patient's progress, custom windows) ...
    direct: dict[Any, Any] = {}
    for p in store.patients():
        sessions, _ = outcomes.patient_outcomes(store, p["id"])
        direct |= {s.record_id: s.insertions for s in sessions}
    assert direct == needles
    # ... and the outcome cache's points.
    outcome_cache.refresh(store)
    cached = dict(store.conn.execute("SELECT DISTINCT record_id, insertions FROM outcome_point"))
    assert cached == needles
    a = outcome_reports.progress_report(store, store.patient_by_chart("A")["id"])
    assert [row.insertions for row in a.rows] == [6, 5]
    assert a.dose[0].insertions_per_session.value == 5.5


def bands(details: Any) -> dict[tuple[str, str], tuple[int, float | None]]:
    return {(b.dimension, b.band): (b.sessions, b.mean.value) for b in details.soreness_by_dose
            if b.dimension == "insertions"}  # fmt: skip


@pytest.mark.parametrize(
    "filters",
    [Filters(), Filters(practitioner_id=1), Filters(since=date(2026, 1, 1))],
    ids=["whole clinic", "by practitioner", "by date"],  # the three levels of the cache
)
def test_dose_summary_and_soreness_by_dose_count_both_sides(clinic: Any, filters: Any) -> None:
    store, _ = clinic
    acu, dn = outcome_reports.details_report(store, filters)
    # Acupuncture: 6, 5 and 3 needles (were counted 3, 3 and 2 before bilateral counted twice).
    assert (acu.key, acu.dose.sessions, acu.dose.patients) == ("acupuncture", 3, 2)
    assert acu.dose.insertions_per_session.value == pytest.approx(14 / 3)
    assert bands(acu) == {
        ("insertions", "1-5"): (2, 0.5),  # 5 and 3 needles: soreness 1 and 0 at 24 h
        ("insertions", "6-10"): (1, 2.0),  # 6 needles: soreness 2
        ("insertions", "11-20"): (0, None),
        ("insertions", "21+"): (0, None),
    }
    # Dry needling: upper trapezius 3 on each side and infraspinatus 2: 8 needles.
    assert (dn.key, dn.dose.insertions_per_session.value) == ("dry_needling", 8.0)
    assert bands(dn)[("insertions", "6-10")] == (1, 4.0)


def test_compare_prints_the_needles(tmp_path: Path) -> None:
    db = tmp_path / "clinic.db"
    store = Store.open(db, clock=lambda: NOW)
    hand_made_clinic(store)
    store.close()
    out = ok(db, "compare --min-patients 1").split("Dose and adverse events")[1]
    dose = {line.split("  ")[0]: line.split() for line in out.splitlines()[2:4]}
    assert dose["Acupuncture"][1:5] == ["2", "3", "1.0", "4.7"]  # 14 needles / 3 sessions
    assert dose["Dry needling"][2:6] == ["1", "1", "-", "8.0"]
    soreness = [
        " ".join(line.split())
        for line in out.split("Soreness at about 24 h by dose")[1].splitlines()
    ]
    # Two patients (5 and 3 needles: soreness 1 and 0): an interval with the patient as
    # the unit, on 1 degree of freedom; one patient: no interval.
    assert "Acupuncture insertions 1-5 0.5 (0.0 to 6.9); 2 patients, 2 sessions" in soreness
    assert "Acupuncture insertions 6-10 2.0; 1 patient, 1 session" in soreness
    assert "Dry needling insertions 6-10 4.0; 1 patient, 1 session" in soreness
    default = ok(db, "compare").split("Soreness at about 24 h by dose")[1]
    assert "Acupuncture   insertions  1-5   not enough data (2 patients, 2 sessions)" in default


def test_a_cache_built_by_the_old_count_is_rebuilt(
    clinic: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, needles = clinic
    with monkeypatch.context() as old:  # the previous derivation: insertions once per site
        old.setattr(outcome_cache, "DERIVATION_VERSION", outcome_cache.DERIVATION_VERSION - 1)
        old.setattr(outcome_points, "site_insertions_sql", lambda: "insertions")
        outcome_cache.refresh(store)
        assert dict(store.conn.execute(
            "SELECT DISTINCT record_id, insertions FROM outcome_point")) != needles  # fmt: skip
    assert not outcome_cache.is_current(store.conn)  # the version moved on: rebuilt on next use
    assert outcome_cache.refresh(store) == 3
    assert dict(store.conn.execute(
        "SELECT DISTINCT record_id, insertions FROM outcome_point")) == needles  # fmt: skip
