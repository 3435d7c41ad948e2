"""The FHIR R4 bundle: the resources, the codes, and references that resolve."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from sessionlog.exchange import export
from sessionlog.store import Store


@pytest.fixture
def bundle(clinic: Store, tmp_path: Path) -> dict[str, Any]:
    export(clinic, "fhir", tmp_path / "fhir.json")
    return json.loads((tmp_path / "fhir.json").read_text())


def _of(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_the_resources_of_the_current_records(bundle: dict) -> None:
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "collection")
    kinds = Counter(e["resource"]["resourceType"] for e in bundle["entry"])
    # 3 current sessions (the voided one is left out): an Encounter and a Procedure
    # each, pain before and after each (the soreness was on a superseded version);
    # 1 current follow-up (the other was voided) with pain and soreness: 8 observations.
    # The one current adverse event (the others belong to superseded versions).
    assert kinds == {
        "Patient": 2,
        "Practitioner": 2,
        "Encounter": 3,
        "Procedure": 3,
        "Observation": 8,
        "AdverseEvent": 1,
    }


def test_references_resolve_inside_the_bundle(bundle: dict) -> None:
    urls = {e["fullUrl"] for e in bundle["entry"]}

    def refs(value: Any) -> list[str]:
        if isinstance(value, dict):
            own = [value["reference"]] if "reference" in value else []
            return own + [r for v in value.values() for r in refs(v)]
        if isinstance(value, list):
            return [r for v in value for r in refs(v)]
        return []

    found = refs([e["resource"] for e in bundle["entry"]])
    assert len(found) > 30 and set(found) <= urls


def test_pain_observations_use_loinc_72514_3(bundle: dict) -> None:
    pain = [o for o in _of(bundle, "Observation") if "coding" in o["code"]]
    assert {c["code"] for o in pain for c in o["code"]["coding"]} == {"72514-3"}
    assert {c["system"] for o in pain for c in o["code"]["coding"]} == {"http://loinc.org"}
    texts = Counter(o["code"]["text"] for o in pain)
    assert texts == {
        "Pain before needling": 3,
        "Pain right after needling": 3,
        "Pain at follow-up": 1,
    }
    follow_up = next(o for o in pain if o["code"]["text"] == "Pain at follow-up")
    assert follow_up["valueInteger"] == 5  # the corrected value
    assert follow_up["effectiveDateTime"].startswith("2026-11-04T10:00:00")
    assert follow_up["effectiveDateTime"][19] in "+-Z"  # FHIR wants the UTC offset


def test_sites_are_body_sites_with_text_and_code(bundle: dict) -> None:
    electro = next(
        p
        for p in _of(bundle, "Procedure")
        if p["code"]["coding"][0]["code"] == "electroacupuncture"
    )
    assert electro["bodySite"] == [
        {
            "text": "LI4 (acupuncture point), bilateral, electrical stimulation (2.5 Hz)",
            "coding": [{"system": "urn:sessionlog:acupuncture-point", "code": "LI4"}],
        },
        {
            # Saved without a stimulation: the technique's (electrical) by default.
            "text": "GV20 (acupuncture point), midline, electrical stimulation",
            "coding": [{"system": "urn:sessionlog:acupuncture-point", "code": "GV20"}],
        },
        {"text": "tender spot, mid-calf (ashi), left, electrical stimulation"},
    ]


def test_the_adverse_event_points_at_the_procedure(bundle: dict) -> None:
    (event,) = _of(bundle, "AdverseEvent")
    ims = next(p for p in _of(bundle, "Procedure") if p["code"]["coding"][0]["code"] == "ims")
    assert event["suspectEntity"] == [{"instance": {"reference": f"urn:uuid:{ims['id']}"}}]
    assert event["event"]["text"] == "faintness: lay down 5 min"
    assert event["severity"]["coding"][0]["code"] == "moderate"
    assert event["seriousness"]["coding"][0]["code"] == "non-serious"


def test_the_bundle_is_valid_fhir(bundle: dict) -> None:
    # fhir.resources (test extra) validates every resource against the R4B models,
    # which match R4 for the resources used here.
    r4b = pytest.importorskip("fhir.resources.R4B.bundle", reason="fhir.resources not installed")
    parsed = r4b.Bundle.model_validate(bundle)
    assert len(parsed.entry) == len(bundle["entry"])
