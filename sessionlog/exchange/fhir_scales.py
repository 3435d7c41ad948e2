"""FHIR Observations for outcome scale readings (see fhir.py for the bundle).

The code is LOINC's where one was verified for the scale's total (ODI: 97909-6,
"Oswestry disability index score ODI", checked at loinc.org), carried in the
catalogue's ``loinc`` field; every scale also has a local code in
``urn:sessionlog:scale`` (its catalogue code), so a receiver can tell them apart.
The item answers travel as ``component`` values (item 1, 2...; PSFS with the
activity the patient named), a missing answer left out.
"""

from __future__ import annotations

from typing import Any

from ..domain.scales import catalogue
from .fhir_resources import ref, uid, when

LOCAL_SYSTEM = "urn:sessionlog:scale"


def scale_observation(r: dict[str, Any], key: str) -> dict[str, Any]:
    """One reading as an Observation about the session's Procedure."""
    scale = catalogue().get(r["scale"])
    name = scale.name if scale else r["scale"]
    coding = [{"system": LOCAL_SYSTEM, "code": r["scale"], "display": name}]
    if scale and scale.loinc:
        coding.insert(0, {"system": "http://loinc.org", "code": scale.loinc, "display": name})
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": uid("observation", f"scale:{r['id']}"),
        "status": "final",
        "category": [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey"}]}],
        "code": {"coding": coding, "text": f"{name} score"},
        "subject": ref("patient", r["patient_id"]),
        "effectiveDateTime": when(r["at"]),
        "valueQuantity": {"value": r["score"], "unit": "%" if scale and scale.unit else "{score}",
                          "system": "http://unitsofmeasure.org",
                          "code": "%" if scale and scale.unit else "{score}"},
        "focus": [ref("procedure", key)],
    }  # fmt: skip
    if r["entered_by"] == "patient":
        obs["performer"] = [ref("patient", r["patient_id"])]
    labels = r.get("labels") or []
    components = []
    for i, value in enumerate(r.get("items") or [], start=1):
        if value is None:
            continue
        text = f"{r['scale']} item {i}" + (f": {labels[i - 1]}" if i <= len(labels) else "")
        components.append({
            "code": {"coding": [{"system": LOCAL_SYSTEM, "code": f"{r['scale']}-{i}"}],
                     "text": text},
            "valueInteger": value,
        })  # fmt: skip
    if components:
        obs["component"] = components
    return obs
