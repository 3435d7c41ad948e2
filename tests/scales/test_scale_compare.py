"""Scale change by technique and window: one value per patient, honest counts."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from helpers_domain import NOW
from helpers_store import dry_needling

from sessionlog.analysis.scale_compare import ScaleFact, compare_scales
from sessionlog.store import Store

START = datetime(2026, 1, 5, 9, 0)


def ndi(pid: int, days: float, score: float, technique: str = "dry_needling") -> ScaleFact:
    return ScaleFact(pid, "NDI", START + timedelta(days=days), score, technique, START)


def test_one_value_per_patient_per_window_and_the_mcid_share() -> None:
    facts = [
        ndi(1, 0, 30), ndi(1, 20, 26), ndi(1, 25, 20),  # latest in 1-4 weeks: 10 better
        ndi(2, 0, 24), ndi(2, 21, 20),  # 4 better: below the MCID of 7.5
        ndi(3, 0, 40), ndi(3, 90, 10),  # only at 12 weeks
        ndi(4, 0, 20, "acupuncture"), ndi(4, 22, 22, "acupuncture"),  # 2 worse
    ]  # fmt: skip
    groups = {g.family: g for g in compare_scales(facts)}
    dn = {c.window: c for c in groups["dry_needling"].cells}
    assert groups["dry_needling"].baseline_patients == 3
    assert dn["1-4w"].patients == 2 and dn["1-4w"].change.value == pytest.approx(7.0)
    assert (dn["1-4w"].reached.k, dn["1-4w"].reached.n) == (1, 2)
    assert dn["12w+"].patients == 1 and dn["12w+"].change.value == 30
    assert dn["72h"].patients == 0 and dn["72h"].change.value is None
    acu = {c.window: c for c in groups["acupuncture"].cells}
    assert acu["1-4w"].change.value == -2 and acu["1-4w"].reached.k == 0


def test_global_ratings_count_every_answer_and_responders() -> None:
    facts = [ScaleFact(p, "GROC", START + timedelta(days=d), g, "ims", START)
             for p, d, g in ((1, 20, 5), (2, 21, 2), (3, 22, 4))]  # fmt: skip
    [group] = compare_scales(facts)
    cell = {c.window: c for c in group.cells}["1-4w"]
    assert cell.patients == 3 and cell.change.value == pytest.approx(11 / 3)
    assert (cell.reached.k, cell.reached.n) == (2, 3)


def test_the_store_gives_readings_and_follow_up_groc(store: Store) -> None:
    from sessionlog.domain.models import FollowUpInput
    from sessionlog.domain.scales import parse_scale_reading

    rec = store.save_session(dry_needling()).record_id
    store.add_follow_up(FollowUpInput(1, rec, NOW, 3, groc=6), 1)
    store.add_scale_reading(parse_scale_reading(
        {"scale": "ODI", "patient_id": 1, "session_record_id": rec, "total": 40,
         "at": "2026-11-20 09:00"}, now=NOW), 1)  # fmt: skip
    facts = sorted(store.scale_facts(), key=lambda f: f.scale)
    assert [(f.scale, f.score, f.technique) for f in facts] == [
        ("GROC", 6.0, "dry_needling"), ("ODI", 40.0, "dry_needling")
    ]  # fmt: skip
    assert facts[0].course_start == datetime(2026, 11, 20, 9, 15)
