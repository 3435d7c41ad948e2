"""The records command line: points, people, log (flags and JSON), sessions, follow-up.

Refusals of bad input are in test_cli_errors.py.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers_cli import fingerprint, make_clinic, ok, run


@pytest.fixture
def clinic(tmp_path: Path) -> Path:
    return make_clinic(tmp_path / "clinic.db")


# --- the catalogue -------------------------------------------------------------------


def test_points_sj5_finds_te5(tmp_path: Path) -> None:
    lines = ok(tmp_path / "x.db", "points 'sj 5'").splitlines()
    assert lines[0].split() == ["CODE", "KIND", "NAME"]
    assert lines[1].split() == ["TE5", "acupuncture", "point", "TE5", "Waiguan"]
    assert not (tmp_path / "x.db").exists()  # looking up points opens no database


def test_points_without_query_lists_everything(tmp_path: Path) -> None:
    lines = ok(tmp_path / "x.db", "points").splitlines()
    assert len(lines) == 1 + 566  # heading + every point, extra point, muscle and level
    entries = json.loads(ok(tmp_path / "x.db", "points --json"))
    assert len(entries) == 566
    assert {e["kind"] for e in entries} == {"acupuncture_point", "muscle", "spinal_level"}


def test_points_json(tmp_path: Path) -> None:
    found = json.loads(ok(tmp_path / "x.db", "points hegu --json"))
    assert found[0] == {
        "kind": "acupuncture_point",
        "code": "LI4",
        "label": "LI4 Hegu",
        "group": "LI",
        "pinyin": "Hegu",
        "thorax_risk": False,
        "aliases": [],
    }
    trap = json.loads(ok(tmp_path / "x.db", "points 'upper trap' --json --limit 1"))
    assert [(e["code"], e["thorax_risk"]) for e in trap] == [("upper trapezius", True)]


def test_points_nothing_found(tmp_path: Path) -> None:
    result = run(tmp_path / "x.db", "points qqqq")
    assert result.exit_code == 1
    assert result.stderr == "error: query: nothing in the catalogue matches 'qqqq'\n"


# --- people --------------------------------------------------------------------------


def test_people_listings(clinic: Path) -> None:
    [practitioner] = json.loads(ok(clinic, "practitioners --json"))
    assert date.fromisoformat(practitioner.pop("created_at")[:10])  # the real clock: any day
    assert practitioner == {
        "id": 1,
        "name": "Ann Lee",
        "profession": "physiotherapist",
        "credential": "PT",
    }
    patients = json.loads(ok(clinic, "patients --json"))
    assert [
        (p["id"], p["chart_id"], p["name"], p["birth_year"], p["sex"], p["sessions"])
        for p in patients
    ] == [(1, "C001", "Bo Kim", 1980, "female", 0), (2, "C002", "Cy Doe", None, "unknown", 0)]
    assert ok(clinic, "patients").splitlines()[1].split() == ["1", "C001", "Bo", "Kim", "1980", "0"]


def test_duplicate_chart_id_refused(clinic: Path) -> None:
    before = fingerprint(clinic)
    result = run(clinic, "patients add --chart-id C001 --name Someone")
    assert result.exit_code == 1
    assert result.stderr == "error: chart_id: 'C001' is already in use by another patient\n"
    assert fingerprint(clinic) == before


# --- logging sessions ----------------------------------------------------------------


def test_log_with_flags_for_each_technique(clinic: Path) -> None:
    out = ok(
        clinic,
        "log --patient C001 --technique dry_needling --at '2025-06-10 09:00'"
        " --site 'upper trap:left:twitch=3,n=2' --site infraspinatus:right"
        " --site 'levator scapulae:left' --pain-before 7 --pain-after 3 --consent"
        " --minutes 25 --co-intervention exercise --adverse 'mild:bruising:small bruise'",
    )
    # 2 + 1 + 1 insertions; three distinct muscles: 20561.
    assert out == "session 1 saved: 3 sites, 4 insertions, suggested CPT 20561\n"
    out = ok(
        clinic,
        "log --patient C001 --technique acupuncture --at '2025-06-17 09:00'"
        " --site st36:bilateral:deqi=yes,quality=heaviness --site hegu:left"
        " --pain-before 6 --consent --minutes 40",
    )
    # 40 face-to-face minutes: 97810, then (40 - 15 + 7) // 15 = 2 add-ons. ST36 on both
    # sides and LI4: 3 insertions.
    assert out == "session 2 saved: 2 sites, 3 insertions, suggested CPT 97810, 97811, 97811\n"
    out = ok(
        clinic,
        "log --patient 2 --technique IMS --at '2025-06-18 10:30'"
        " --site L4-L5:bilateral:grasp=strong --site 'gluteus medius:left:grasp=mild'"
        " --pain-before 5 --consent",
    )
    # IMS: the level and the muscle are 2 muscle sites: 20560; 2 + 1 insertions.
    assert out == "session 3 saved: 2 sites, 3 insertions, suggested CPT 20560\n"

    sessions = json.loads(ok(clinic, "sessions --json"))
    assert [(s["record_id"], s["patient_chart_id"], s["technique"]) for s in sessions] == [
        (3, "C002", "ims"),
        (2, "C001", "acupuncture"),
        (1, "C001", "dry_needling"),
    ]
    sites = [[(x["kind"], x["target"], x["side"], x["insertions"]) for x in s["sites"]]
             for s in sessions]  # fmt: skip
    assert sites == [
        [("paraspinal", "L4-L5", "bilateral", 1), ("motor_point", "gluteus medius", "left", 1)],
        [("acupuncture_point", "ST36", "bilateral", 1), ("acupuncture_point", "LI4", "left", 1)],
        [
            ("trigger_point", "upper trapezius", "left", 2),
            ("trigger_point", "infraspinatus", "right", 1),
            ("trigger_point", "levator scapulae", "left", 1),
        ],
    ]
    ims, acu, dn = sessions
    assert [(x["grasp"], x["retention_s"]) for x in ims["sites"]] == [("strong", 5), ("mild", 5)]
    first = acu["sites"][0]
    assert (first["deqi_obtained"], first["deqi_quality"], first["retention_s"]) == (
        True,
        "heaviness",
        1200,
    )
    assert (dn["sites"][0]["twitch_count"], dn["co_interventions"]) == (3, ["exercise"])
    assert dn["adverse_events"] == [
        {"tier": "mild", "kind": "bruising", "description": "small bruise"}
    ]
    by_patient = json.loads(ok(clinic, "sessions --patient C002 --json"))
    assert [s["record_id"] for s in by_patient] == [3]
    by_technique = json.loads(ok(clinic, "sessions --technique acupuncture --json"))
    assert [s["record_id"] for s in by_technique] == [2]
    table = ok(clinic, "sessions --limit 1").splitlines()
    assert (
        table[1].split()
        == "3 2025-06-18 10:30:00 C002 Cy Doe low back pain IMS 5 2 L4-L5 gluteus medius".split()
    )


ACUPUNCTURE = {
    "technique": "acupuncture",
    "face_to_face_min": 30,
    "sites": [
        {"target": "ST-36", "side": "bilateral", "deqi_quality": "ache"},
        {"target": "Ren12"},
    ],
}
DRY_NEEDLING = {
    "technique": "dry_needling",
    "face_to_face_min": 20,
    "sites": [
        {"target": "upper trap", "side": "left", "twitch_count": 2},
        {"target": "upper trapezius", "side": "right"},
    ],
}
IMS = {
    "technique": "ims",
    "sites": [
        {"target": "l4-5", "side": "bilateral", "grasp": "strong"},
        {"target": "L5/S1", "side": "bilateral"},
        {"target": "piriformis", "side": "left"},
    ],
    "ims_findings": [{"level": "L4-L5", "skin_rolling": True}],
}


def test_log_reads_a_site_as_the_form_does(clinic: Path) -> None:
    """One entry language: `--site` takes the line typed on the form's site entry."""
    out = ok(
        clinic,
        "log --patient C001 --technique acupuncture --at '2025-06-17 09:00'"
        " --site 'st36 b x2' --site 'li4 r y' --pain-before 6 --consent",
    )
    assert (
        out == "session 1 saved: 2 sites, 5 insertions, suggested CPT none until the"
        " face-to-face time is recorded (acupuncture bills by time)\n"
    )
    ok(
        clinic,
        "log --patient C001 --technique dry_needling --at '2025-06-18 09:00'"
        " --site 'upper trap l 3 25mm' --site 'ashi lateral knee r' --pain-before 5 --consent",
    )
    sessions = json.loads(ok(clinic, "sessions --json"))
    sites = [
        [
            (x["target"], x["side"], x["insertions"], x["deqi_obtained"], x["twitch_count"])
            for x in s["sites"]
        ]
        for s in sessions
    ]
    assert sites == [
        [("upper trapezius", "left", 1, None, 3), ("lateral knee", "right", 1, None, None)],
        [("ST36", "bilateral", 2, None, None), ("LI4", "right", 1, True, None)],
    ]
    assert sessions[0]["sites"][0]["depth_value"] == 25


def test_log_names_a_word_of_a_site_it_cannot_read(clinic: Path) -> None:
    before = fingerprint(clinic)
    result = run(
        clinic,
        "log --patient C001 --technique acupuncture --site 'st36 b d-3' --pain-before 6 --consent",
    )
    assert result.exit_code == 1
    assert result.output == (
        "error: site: 'st36 b d-3': 'd-3' is not understood after ST36: a side (l r b m),"
        " De Qi (y, n or a quality: ache), x2 for insertions (on each side), a depth"
        " (20mm, 1cun, d15) or a needle (0.30x50)\n"
    )
    assert fingerprint(clinic) == before


@pytest.mark.parametrize(
    ("document", "message", "sites"),
    [
        (
            ACUPUNCTURE,  # 30 min: 97810 + (30 - 15 + 7) // 15 = 1 add-on; ST36 both sides
            "session 1 saved: 2 sites, 3 insertions, suggested CPT 97810, 97811",
            [("acupuncture_point", "ST36", "bilateral"), ("acupuncture_point", "CV12", "midline")],
        ),
        (
            DRY_NEEDLING,  # one muscle, both sides: 20560
            "session 1 saved: 2 sites, 2 insertions, suggested CPT 20560",
            [("trigger_point", "upper trapezius", "left"),
             ("trigger_point", "upper trapezius", "right")],
        ),
        (
            IMS,  # two levels and a muscle: 3 sites, 20561; each level on both sides
            "session 1 saved: 3 sites, 5 insertions, suggested CPT 20561",
            [("paraspinal", "L4-L5", "bilateral"), ("paraspinal", "L5-S1", "bilateral"),
             ("motor_point", "piriformis", "left")],
        ),
    ],
    ids=["acupuncture", "dry_needling", "ims"],
)  # fmt: skip
def test_log_json_document_from_stdin(
    clinic: Path, document: dict[str, Any], message: str, sites: list[Any]
) -> None:
    doc = {"patient": "C001", "started_at": "2025-06-10 09:00", "consent": True,
           "pain_before": 6, "pain_after": 4, **document}  # fmt: skip
    assert ok(clinic, "log --json -", input=json.dumps(doc)) == message + "\n"
    [s] = json.loads(ok(clinic, "sessions --json"))
    assert [(x["kind"], x["target"], x["side"]) for x in s["sites"]] == sites
    assert (s["pain_before"], s["pain_after"], s["started_at"]) == (6, 4, "2025-06-10 09:00:00")


def test_flags_override_the_json_document(clinic: Path) -> None:
    site = {"target": "LI4", "side": "left"}
    doc = {"patient": "C001", "technique": "acupuncture", "consent": True, "pain_before": 9,
           "started_at": "2025-06-10 09:00", "sites": [site]}  # fmt: skip
    ok(clinic, "log --json - --pain-before 4", input=json.dumps(doc))
    [s] = json.loads(ok(clinic, "sessions --json"))
    assert s["pain_before"] == 4


def test_follow_up(clinic: Path) -> None:
    ok(
        clinic,
        "log --patient C001 --technique dry_needling --at '2025-06-10 09:00'"
        " --site 'upper trap:left' --pain-before 7 --consent",
    )
    out = ok(clinic, "follow-up --patient C001 --pain 3 --soreness 2 --at '2025-06-11 18:00'")
    assert out == "follow-up 1 saved for session 1\n"
    before = fingerprint(clinic)
    result = run(clinic, "follow-up --patient C001 --pain 3 --at 2025-06-01")
    assert result.exit_code == 1
    assert result.stderr == "error: session: this patient has no session before that time\n"
    assert fingerprint(clinic) == before


def test_help_on_every_command(tmp_path: Path) -> None:
    for command in ("", "points", "practitioners", "practitioners add", "patients",
                    "patients add", "sessions", "log", "follow-up", "demo"):  # fmt: skip
        result = run(tmp_path / "x.db", command + " --help")
        assert result.exit_code == 0 and "Usage:" in result.stdout, command
    assert not (tmp_path / "x.db").exists()
