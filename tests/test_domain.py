"""The domain layer: parsing what users type into sessions, defaults, derived values.

Every value here is worked out by hand from DOMAIN.md and the technique defaults. Bad
input is in test_domain_errors.py.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from helpers_domain import NOW, session_data

from sessionlog.domain import (
    InvalidRecord,
    Site,
    parse_follow_up,
    parse_patient,
    parse_practitioner,
    parse_session,
    parse_site,
    suggest_cpt,
)
from sessionlog.errors import ValidationError

# --- happy paths, one per technique family, with their defaults ----------------------


def test_a_session_with_no_time_given_starts_at_this_minute() -> None:
    # As the form records it: a session logged at 10:00:41 by the command line was
    # after the 10:00 the follow-up form offers, which was refused as before it.
    now = NOW.replace(second=41, microsecond=5)
    sites = [{"target": "st36", "side": "left"}]
    assert parse_session(session_data("acupuncture", sites), now=now).started_at == NOW


def test_acupuncture_defaults() -> None:
    s = parse_session(
        session_data(
            "acupuncture",
            [
                {"target": "st36", "side": "bilateral", "insertions": 2},
                {"target": "Li-4", "side": "left"},
                {"target": "du20"},
            ],
        ),
        now=NOW,
    )
    assert s.started_at == NOW  # no time given: now
    assert s.response_sought == "deqi"
    assert s.sites == (
        Site(
            "acupuncture_point",
            "ST36",
            "bilateral",
            insertions=2,
            stimulation="manual_even",
            retention_s=1200,
        ),
        Site("acupuncture_point", "LI4", "left", stimulation="manual_even", retention_s=1200),
        # GV points lie on the midline: the side defaults to it
        Site("acupuncture_point", "GV20", "midline", stimulation="manual_even", retention_s=1200),
    )
    assert s.total_insertions == 6  # ST36 2 on each side (4) + 1 + 1
    assert s.distinct_muscles == 0
    # No face-to-face time typed: none is recorded (never 10 + the retention), and
    # acupuncture, billed by time, gets no code suggested until it is.
    assert s.face_to_face_min is None
    assert s.cpt_codes == []


def test_dry_needling_defaults() -> None:
    s = parse_session(
        session_data(
            "dry_needling",
            [
                {"target": "upper trap", "side": "left", "twitch_count": 3},
                {"target": "infraspinatus", "side": "right", "insertions": 3},
            ],
            started_at="2026-11-20 09:15",
        ),
        now=NOW,
    )
    assert s.started_at == datetime(2026, 11, 20, 9, 15)
    assert s.response_sought == "twitch"
    assert s.sites == (
        Site(
            "trigger_point",
            "upper trapezius",
            "left",
            stimulation="pistoning",
            retention_s=0,
            twitch_count=3,
            thorax_risk=True,
        ),
        Site(
            "trigger_point",
            "infraspinatus",
            "right",
            insertions=3,
            stimulation="pistoning",
            retention_s=0,
            thorax_risk=True,
        ),
    )
    assert s.total_insertions == 4  # 1 + 3
    assert s.distinct_muscles == 2
    assert s.face_to_face_min is None  # not typed: never guessed (issue 14)
    assert s.cpt_codes == ["20560"]  # 1-2 muscles


def test_ims_defaults() -> None:
    s = parse_session(
        session_data(
            "ims",
            [
                {"target": "L4-L5", "side": "bilateral", "insertions": 2, "grasp": "strong"},
                {"target": "upper trap", "side": "left", "grasp": "mild"},
            ],
        ),
        now=NOW,
    )
    assert s.response_sought == "grasp"
    assert s.sites == (
        Site(
            "paraspinal",
            "L4-L5",
            "bilateral",
            insertions=2,
            stimulation="manual_even",
            retention_s=5,
            grasp="strong",
        ),
        Site(
            "motor_point",
            "upper trapezius",
            "left",
            stimulation="manual_even",
            retention_s=5,
            grasp="mild",
            thorax_risk=True,
        ),
    )
    assert s.total_insertions == 5  # L4-L5 2 on each side (4) + 1
    assert s.distinct_muscles == 1  # the level is not a named muscle
    # IMS counts each paraspinal level as a muscle site: L4-L5 + upper trapezius = 2.
    assert s.cpt_codes == ["20560"]


def test_site_resolution_by_technique() -> None:
    with pytest.raises(InvalidRecord, match=r"site\.side: is required"):
        parse_site("st36", "acupuncture")  # STRICTA: the side is part of the record
    assert parse_site({"target": "st36", "side": "left"}, "acupuncture").target == "ST36"
    dn = parse_site({"target": "upper trap", "side": "left"}, "dry_needling")
    assert (dn.kind, dn.target) == ("trigger_point", "upper trapezius")
    ims = parse_site({"target": "upper trap", "side": "left"}, "ims")
    assert (ims.kind, ims.target) == ("motor_point", "upper trapezius")
    level = parse_site({"target": "L4-L5", "side": "bilateral"}, "ims")
    assert (level.kind, level.target) == ("paraspinal", "L4-L5")
    ashi = parse_site(
        {"kind": "ashi", "target": "  tender spot below scar ", "side": "left"}, "dry_needling"
    )
    assert (ashi.kind, ashi.target) == ("ashi", "tender spot below scar")


def test_deqi_quality_implies_deqi_obtained() -> None:
    site = parse_site(
        {"target": "LI4", "side": "left", "deqi_quality": "heaviness, Ache, heaviness"},
        "acupuncture",
    )
    assert site.deqi_obtained is True
    assert site.deqi_quality == ("heaviness", "ache")


# --- derived values -----------------------------------------------------------------


def _muscle(target: str, side: str = "left") -> Site:
    return Site("trigger_point", target, side)


def test_cpt_dry_needling_counts_distinct_muscles() -> None:
    two = [
        _muscle("upper trapezius"),
        _muscle("upper trapezius", "right"),
        _muscle("infraspinatus"),
    ]
    assert suggest_cpt("dry_needling", two, 20) == ["20560"]  # 2 distinct muscles
    three = [*two, _muscle("levator scapulae")]
    assert suggest_cpt("dry_needling", three, 20) == ["20561"]  # 3 distinct muscles
    assert suggest_cpt("dry_needling", [Site("ashi", "scar", "left")], 20) == []


def test_cpt_ims_counts_levels_as_muscle_sites() -> None:
    sites = [
        Site("paraspinal", "L4-L5", "bilateral"),
        Site("paraspinal", "L5-S1", "bilateral"),
        Site("motor_point", "gluteus medius", "left"),
    ]
    assert suggest_cpt("ims", sites, 20) == ["20561"]  # 3 sites: L4-L5, L5-S1, gluteus medius
    assert suggest_cpt("ims", sites[:1], 20) == ["20560"]


@pytest.mark.parametrize(
    ("minutes", "codes"),
    [
        (0, []),
        (15, ["97810"]),  # one initial unit
        (22, ["97810"]),  # 7 min beyond the first unit: not enough for another
        (23, ["97810", "97811"]),  # 8 min beyond it: one add-on
        (38, ["97810", "97811", "97811"]),  # 15 + 15 + 8
        (37, ["97810", "97811"]),  # 15 + 15 + 7
    ],
)
def test_cpt_acupuncture_units_of_face_to_face_time(minutes: int, codes: list[str]) -> None:
    sites = [Site("acupuncture_point", "LI4", "left", retention_s=1800)]
    assert suggest_cpt("acupuncture", sites, minutes) == codes


def test_cpt_electroacupuncture() -> None:
    sites = [Site("acupuncture_point", "LI4", "left", stimulation="electrical")]
    # 45 min: initial 97813 then (45 - 15 + 7) // 15 = 2 add-ons of 97814.
    assert suggest_cpt("electroacupuncture", sites, 45) == ["97813", "97814", "97814"]
    assert suggest_cpt("electroacupuncture", sites, 10) == ["97813"]


def test_face_to_face_time_is_not_retention() -> None:
    s = parse_session(
        session_data(
            "acupuncture",
            [{"target": "LI4", "side": "left", "retention_s": 2700}],
            face_to_face_min=15,
        ),
        now=NOW,
    )
    assert s.face_to_face_min == 15
    assert s.cpt_codes == ["97810"]  # billed by the 15 face-to-face minutes, not 45 retained


def test_notes_are_cleaned_of_control_characters() -> None:
    s = parse_session(
        session_data(
            "acupuncture", [{"target": "st36", "side": "left"}], notes="ok\u202e evil\x07\nline two"
        ),
        now=NOW,
    )
    assert s.notes == "ok evil\nline two"


# --- people and follow-ups ----------------------------------------------------------


def test_parse_patient_and_practitioner() -> None:
    p = parse_patient(
        {"chart_id": " C9 ", "name": "Dee", "birth_year": "1990", "sex": "Female"}, this_year=2026
    )
    assert (p.chart_id, p.name, p.birth_year, p.sex) == ("C9", "Dee", 1990, "female")
    with pytest.raises(InvalidRecord) as caught:
        parse_patient({"chart_id": "", "name": "X", "birth_year": 2030}, this_year=2026)
    assert {e.field: e.message for e in caught.value.errors} == {
        "chart_id": "is required",
        "birth_year": "2030 is out of range: a whole number from 1900 to 2026",
    }
    pr = parse_practitioner({"name": "Ann", "profession": "Physiotherapist"})
    assert (pr.name, pr.profession, pr.credential) == ("Ann", "physiotherapist", "")
    with pytest.raises(ValidationError, match="profession: 'wizard' is not allowed"):
        parse_practitioner({"name": "Ann", "profession": "wizard"})


def test_parse_follow_up() -> None:
    f = parse_follow_up(
        {"patient_id": 1, "session_record_id": 3, "pain": "2", "groc": "-3"}, now=NOW
    )
    assert (f.patient_id, f.session_record_id, f.at, f.pain, f.soreness, f.groc) == (
        1,
        3,
        NOW,
        2,
        None,
        -3,
    )
    with pytest.raises(InvalidRecord) as caught:
        parse_follow_up({"patient_id": 1, "session_record_id": 3, "pain": 4, "groc": 8}, now=NOW)
    assert {e.field: e.message for e in caught.value.errors} == {
        "groc": "8 is out of range: a whole number from -7 to 7"
    }


def test_the_ims_signs_are_declared_once_and_the_finding_and_schema_follow_them(
    tmp_path: Path,
) -> None:
    """domain.techniques.IMS_SIGNS is the one list: the finding's yes/no fields and the
    ims_finding table's sign columns are exactly it, in its order."""
    import dataclasses
    import sqlite3

    from sessionlog.domain.models import ImsFinding
    from sessionlog.domain.techniques import IMS_SIGNS
    from sessionlog.store import Store

    flags = tuple(f.name for f in dataclasses.fields(ImsFinding) if f.type == "bool")
    assert flags == IMS_SIGNS
    Store.open(tmp_path / "x.db").close()
    conn = sqlite3.connect(tmp_path / "x.db")
    columns = [r[1] for r in conn.execute("PRAGMA table_info(ims_finding)")]
    conn.close()
    assert tuple(c for c in columns if c in IMS_SIGNS) == IMS_SIGNS
    assert set(columns) - set(IMS_SIGNS) == {"id", "session_id", "level", "side", "notes"}
