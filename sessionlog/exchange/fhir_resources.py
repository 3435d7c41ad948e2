"""FHIR R4 resources built from export rows (see fhir.py for the bundle)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from ..domain.techniques import TECHNIQUES

LOINC_PAIN = {
    "system": "http://loinc.org",
    "code": "72514-3",
    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
}
SITE_SYSTEMS = {
    "acupuncture_point": "urn:sessionlog:acupuncture-point",  # WHO standard codes (LI4)
    "trigger_point": "urn:sessionlog:muscle",
    "motor_point": "urn:sessionlog:muscle",
    "paraspinal": "urn:sessionlog:spinal-level",
}
PAIN_BEFORE, PAIN_AFTER = "Pain before needling", "Pain right after needling"
PAIN_LATER, SORENESS = "Pain at follow-up", "Post-needling soreness (0-10)"
SEVERITY = {"mild": "mild", "significant": "moderate", "serious": "severe"}
_NS = uuid.UUID("8f1c2a4e-5b7d-4e0a-9c3f-2d6b8a1e7f40")


def uid(kind: str, key: object) -> str:
    return str(uuid.uuid5(_NS, f"{kind}:{key}"))


def ref(kind: str, key: object) -> dict[str, str]:
    return {"reference": f"urn:uuid:{uid(kind, key)}"}


def when(stamp: str, minutes: int = 0) -> str:
    moment = datetime.fromisoformat(stamp) + timedelta(minutes=minutes)
    return moment.astimezone().isoformat()


def body_site(site: dict[str, Any]) -> dict[str, Any]:
    kind = site["kind"].replace("_", " ")
    text = f"{site['target']} ({kind}), {site['side']}"
    if site.get("stimulation") == "electrical":  # on the stimulator: this site only
        from ..domain.frequency import frequency_text

        bits = [f"lead {site['estim_lead']}"] if site.get("estim_lead") else []
        hz = frequency_text(site.get("estim_frequency_hz"), site.get("estim_frequency_2_hz"))
        bits += [hz] if hz else []
        text += ", electrical stimulation" + (f" ({', '.join(bits)})" if bits else "")
    concept: dict[str, Any] = {"text": text}
    system = SITE_SYSTEMS.get(site["kind"])
    if system:
        concept["coding"] = [{"system": system, "code": site["target"]}]
    return concept


def observation(
    key: str,
    patient: dict[str, Any],
    encounter: str | None,
    text: str,
    value: int,
    at: str,
    *,
    loinc: bool = True,
    focus: str | None = None,
) -> dict[str, Any]:
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": uid("observation", key),
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "survey",
                    }
                ]
            }
        ],
        "code": {"coding": [LOINC_PAIN], "text": text} if loinc else {"text": text},
        "subject": patient,
        "effectiveDateTime": at,
        "valueInteger": value,
    }
    if encounter:
        obs["encounter"] = ref("encounter", encounter)
    if focus:
        obs["focus"] = [ref("procedure", focus)]
    return obs


def patient(p: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "Patient",
        "id": uid("patient", p["id"]),
        "identifier": [{"system": "urn:sessionlog:chart-id", "value": p["chart_id"]}],
        "name": [{"text": p["name"]}],
        "gender": p["sex"],
    }
    if p["birth_year"]:
        out["birthDate"] = str(p["birth_year"])
    return out


def practitioner(pr: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Practitioner",
        "id": uid("practitioner", pr["id"]),
        "name": [{"text": pr["name"]}],
        "qualification": [{"code": {"text": pr["credential"] or pr["profession"]}}],
    }


def session(s: dict[str, Any], key: str, sites: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Encounter, Procedure and pain/soreness Observations of one session version."""
    subject = ref("patient", s["patient_id"])
    doctor = ref("practitioner", s["practitioner_id"])
    minutes = s["face_to_face_min"]  # None: not recorded, so the Encounter has no end
    start = when(s["started_at"])
    period = {"start": start}
    if minutes is not None:
        period["end"] = when(s["started_at"], minutes)
    # Pain after is observed at the end of the encounter, or at its start when its
    # length was not recorded (a time is never made up for it).
    end = period.get("end", start)
    tech = TECHNIQUES[s["technique"]]
    encounter = {
        "resourceType": "Encounter",
        "id": uid("encounter", key),
        "identifier": [{"system": "urn:sessionlog:session-uid", "value": key}],
        "status": "finished",
        "class": {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "AMB",
            "display": "ambulatory",
        },
        "subject": subject,
        "participant": [{"individual": doctor}],
        "period": period,
    }
    if minutes is not None:
        encounter["length"] = {
            "value": minutes,
            "unit": "min",
            "system": "http://unitsofmeasure.org",
            "code": "min",
        }
    procedure: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": uid("procedure", key),
        "status": "completed",
        "code": {
            "coding": [
                {"system": "urn:sessionlog:technique", "code": tech.key, "display": tech.label}
            ],
            "text": tech.label,
        },
        "subject": subject,
        "encounter": ref("encounter", key),
        "performedDateTime": start,
        "performer": [{"actor": doctor}],
        "bodySite": [body_site(x) for x in sorted(sites, key=lambda x: x["seq"])],
    }
    if s["notes"]:
        procedure["note"] = [{"text": s["notes"]}]
    out = [encounter, procedure]
    out.append(observation(f"{key}:before", subject, key, PAIN_BEFORE, s["pain_before"], start))
    if s["pain_after"] is not None:
        out.append(observation(f"{key}:after", subject, key, PAIN_AFTER, s["pain_after"], end))
    if s["soreness_after"] is not None:
        out.append(
            observation(
                f"{key}:soreness", subject, key, SORENESS, s["soreness_after"], end, loinc=False
            )
        )
    return out


def follow_up(f: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """Pain (and soreness) Observations of a follow-up, about the session's Procedure."""
    subject, at = ref("patient", f["patient_id"]), when(f["at"])
    name = f"follow-up:{f['id']}"
    out = [observation(name, subject, None, PAIN_LATER, f["pain"], at, focus=key)]
    if f["soreness"] is not None:
        out.append(
            observation(
                f"{name}:soreness",
                subject,
                None,
                SORENESS,
                f["soreness"],
                at,
                loinc=False,
                focus=key,
            )
        )
    return out


def adverse_event(ae: dict[str, Any], key: str, patient_id: int, date: str) -> dict[str, Any]:
    """An AdverseEvent with the session's Procedure as suspect entity."""
    event: dict[str, Any] = {
        "resourceType": "AdverseEvent",
        "id": uid("adverse-event", ae["id"]),
        "actuality": "actual",
        "subject": ref("patient", patient_id),
        "date": when(date),
        "event": {
            "coding": [{"system": "urn:sessionlog:adverse-event", "code": ae["kind"]}],
            "text": ae["kind"].replace("_", " ")
            + (f": {ae['description']}" if ae["description"] else ""),
        },
        "seriousness": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness",
                    "code": "serious" if ae["tier"] == "serious" else "non-serious",
                }
            ]
        },
        "severity": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/adverse-event-severity",
                    "code": SEVERITY[ae["tier"]],
                }
            ]
        },
        "suspectEntity": [{"instance": ref("procedure", key)}],
    }
    if ae["session_id"] is not None:
        event["encounter"] = ref("encounter", key)
    return event
