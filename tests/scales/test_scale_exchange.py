"""Scale readings and contact notes travel: JSON, CSV and back byte for byte, a second
import adds nothing, an older file still imports, a forged score is refused, and
FHIR carries them as Observations (LOINC for ODI)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from helpers_domain import NOW, fixed_clock
from helpers_store import dry_needling

from sessionlog.domain.models import FollowUpInput
from sessionlog.domain.scales import parse_scale_reading
from sessionlog.exchange import ImportRefused, export, import_file
from sessionlog.store import Store

ROWS = "SELECT * FROM scale_reading ORDER BY id"


def _reading(store: Store, pid: int, rec: int, **data: object) -> int:
    r = parse_scale_reading({"patient_id": pid, "session_record_id": rec, **data}, now=NOW)
    return store.add_scale_reading(r, 1)


@pytest.fixture
def clinic(store: Store) -> Store:
    rec = store.save_session(dry_needling(1)).record_id
    fid = store.add_follow_up(FollowUpInput(1, rec, NOW, 3), 1)
    first = _reading(store, 1, rec, scale="ODI", items="2,2,2,2,2,2,1,1,1,-", at="2026-11-20")
    store.amend_scale_reading(
        first,
        parse_scale_reading({"patient_id": 1, "session_record_id": rec, "scale": "ODI",
                             "items": "2,2,2,2,2,2,1,1,1,1", "at": "2026-11-20"}, now=NOW),
        1, "item 10 was on the back of the form",
    )  # fmt: skip
    _reading(store, 1, rec, scale="NDI", total="14", follow_up_id=fid, entered_by="patient")
    _reading(store, 1, rec, scale="PSFS", items="4,6", labels=["stairs", "=lifting"])
    store.set_contact(1, "555 0101", 1)
    return store


def _dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {
            "scale_reading": conn.execute(ROWS).fetchall(),
            "patient": conn.execute(
                "SELECT chart_id, c.contact FROM patient p"
                " JOIN current_contact c ON c.patient_id = p.id ORDER BY p.id"
            ).fetchall(),
            "patient_contact": conn.execute("SELECT * FROM patient_contact").fetchall(),
        }
    finally:
        conn.close()


@pytest.mark.parametrize("fmt,name", [("json", "out.json"), ("csv", "out.zip")])
def test_round_trip_is_exact_and_a_second_import_adds_nothing(
    clinic: Store, db_path: Path, tmp_path: Path, fmt: str, name: str
) -> None:
    export(clinic, fmt, tmp_path / name, actor_id=1)
    copy = Store.open(tmp_path / "copy.db", clock=fixed_clock)
    report = import_file(tmp_path / name, copy)
    assert report.added["scale_reading"] == 4
    again = import_file(tmp_path / name, copy)
    assert again.added["scale_reading"] == 0
    copy.close()
    assert _dump(tmp_path / "copy.db") == _dump(db_path)
    rows = _dump(db_path)["scale_reading"]
    assert rows[1][6] == "item 10 was on the back of the form"  # amend_reason
    assert (rows[2][7], rows[2][9]) == ("NDI", None)  # a total alone: no items
    assert _dump(db_path)["patient"][0] == ("C001", "555 0101")


def test_a_file_from_before_scales_still_imports(clinic: Store, tmp_path: Path) -> None:
    export(clinic, "json", tmp_path / "new.json", actor_id=1)
    doc = json.loads((tmp_path / "new.json").read_text(encoding="utf-8"))
    doc["format_version"] = 2
    del doc["tables"]["scale_reading"], doc["tables"]["audit_log"]
    # nor seals or roles, which came after (format 6) and need the audit log
    del doc["tables"]["record_seal"], doc["practitioner_roles"]
    del doc["tables"]["patient_contact"]
    for p in doc["tables"]["patient"]:
        del p["contact"]
    (tmp_path / "old.json").write_text(json.dumps(doc), encoding="utf-8")
    copy = Store.open(tmp_path / "copy.db", clock=fixed_clock)
    report = import_file(tmp_path / "old.json", copy)
    assert report.added["session"] == 1 and report.added["scale_reading"] == 0
    assert copy.patient(1)["contact"] is None  # type: ignore[index]
    copy.close()


def test_a_score_that_does_not_match_its_answers_is_refused(clinic: Store, tmp_path: Path) -> None:
    export(clinic, "json", tmp_path / "out.json", actor_id=1)
    doc = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    doc["tables"]["scale_reading"][1]["score"] = 10.0  # the ODI was 32%
    doc["tables"]["scale_reading"][3]["items"] = [4, 11]
    del doc["tables"]["audit_log"]
    (tmp_path / "bad.json").write_text(json.dumps(doc), encoding="utf-8")
    copy = Store.open(tmp_path / "copy.db", clock=fixed_clock)
    with pytest.raises(ImportRefused) as exc:
        import_file(tmp_path / "bad.json", copy)
    text = str(exc.value)
    assert "score: 10.0 is not what the answers score (32.0)" in text
    assert "items: item 2 is 11; PSFS answers are whole numbers 0 to 10" in text
    assert copy.scale_readings(1) == []
    copy.close()


def test_fhir_observations_with_loinc_for_odi(clinic: Store, tmp_path: Path) -> None:
    export(clinic, "fhir", tmp_path / "out.fhir", actor_id=1)
    doc = json.loads((tmp_path / "out.fhir").read_text(encoding="utf-8"))
    scales = [e["resource"] for e in doc["entry"]
              if "urn:sessionlog:scale" in json.dumps(e["resource"].get("code", {}))]  # fmt: skip
    assert len(scales) == 3  # the corrected ODI once, NDI, PSFS
    odi = next(o for o in scales if "ODI" in json.dumps(o["code"]))
    assert odi["code"]["coding"][0] == {
        "system": "http://loinc.org", "code": "97909-6", "display": "Oswestry Disability Index"
    }  # fmt: skip
    assert odi["valueQuantity"]["value"] == 32.0 and len(odi["component"]) == 10
    ndi = next(o for o in scales if "NDI" in json.dumps(o["code"]))
    assert [c["system"] for c in ndi["code"]["coding"]] == ["urn:sessionlog:scale"]
    assert ndi["performer"] and "component" not in ndi
    psfs = next(o for o in scales if "PSFS" in json.dumps(o["code"]))
    assert psfs["component"][1]["code"]["text"] == "PSFS item 2: =lifting"
