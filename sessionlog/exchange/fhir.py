"""A FHIR R4 Bundle (type ``collection``) of the current records.

- Patient (chart id as identifier), Practitioner;
- Encounter per session (identifier: the session's uid), Procedure per session (the
  needling: technique as code, every site as a ``bodySite`` with text and a code);
- Observation for pain, LOINC 72514-3, before and right after needling and at each
  follow-up (``effectiveDateTime``), and post-needling soreness (text code only);
- AdverseEvent per adverse event, with the Procedure as suspect entity;
- Observation per outcome scale reading (NDI, ODI...: see fhir_scales.py).

Only current versions go out (amendments applied, voided sessions and corrected
follow-ups left out, and the scale readings of voided follow-ups and sessions): the JSON
export is the complete record. Resource ids are
UUIDs derived from stable keys, so exporting twice gives the same ids. Times are
local time with the computer's UTC offset, as FHIR requires.
"""

from __future__ import annotations

from typing import Any

from . import fhir_resources as r
from .fhir_scales import scale_observation


def current(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    superseded = {r["supersedes_id"] for r in rows if r.get("supersedes_id") is not None}
    return [r for r in rows if r["status"] == "active" and r["id"] not in superseded]


def counting_readings(
    tables: dict[str, list[dict[str, Any]]], live: set[int]
) -> list[tuple[dict[str, Any], int]]:
    """The current scale readings that count, each with the session it counts for: one
    recorded with a follow-up follows that follow-up's versions (its session now), and
    is left out when they end in a void or that session (of ``live``, the sessions not
    voided) was voided, as the app's figures leave it out."""
    rows = {f["id"]: f for f in tables["follow_up"]}
    after = {f["supersedes_id"]: f["id"] for f in rows.values() if f.get("supersedes_id")}
    out = []
    for reading in current(tables.get("scale_reading", [])):
        record, fid = reading["session_record_id"], reading.get("follow_up_id")
        if fid in rows:
            seen = {fid}
            while fid in after and after[fid] not in seen:
                fid = after[fid]
                seen.add(fid)
            if rows[fid]["status"] == "void":
                continue
            record = rows[fid]["session_record_id"]
        if record in live:
            out.append((reading, record))
    return out


def bundle(tables: dict[str, list[dict[str, Any]]], now: str) -> dict[str, Any]:
    """The Bundle of the current records of an export's tables."""
    records = {rec["id"]: rec["uid"] for rec in tables["session_record"]}
    res: list[dict[str, Any]] = [r.patient(p) for p in tables["patient"]]
    res += [r.practitioner(pr) for pr in tables["practitioner"]]
    sites: dict[int, list[dict[str, Any]]] = {}
    for site in tables["site"]:
        sites.setdefault(site["session_id"], []).append(site)
    sessions = {s["id"]: s for s in current(tables["session"])}
    for s in sessions.values():
        res += r.session(s, records[s["record_id"]], sites.get(s["id"], []))
    follow_ups = {f["id"]: f for f in current(tables["follow_up"])}
    for f in follow_ups.values():
        res += r.follow_up(f, records[f["session_record_id"]])
    for ae in tables["adverse_event"]:
        if ae["session_id"] in sessions:
            s = sessions[ae["session_id"]]
            res.append(
                r.adverse_event(ae, records[s["record_id"]], s["patient_id"], s["started_at"])
            )
        elif ae["follow_up_id"] in follow_ups:
            f = follow_ups[ae["follow_up_id"]]
            res.append(
                r.adverse_event(ae, records[f["session_record_id"]], f["patient_id"], f["at"])
            )
        # else: it belongs to a superseded version, which FHIR does not carry
    live = {s["record_id"] for s in sessions.values()}
    for reading, record in counting_readings(tables, live):
        res.append(scale_observation(reading, records[record]))
    return {
        "resourceType": "Bundle",
        "id": r.uid("bundle", now),
        "type": "collection",
        "timestamp": r.when(now),
        "entry": [{"fullUrl": f"urn:uuid:{x['id']}", "resource": x} for x in res],
    }
