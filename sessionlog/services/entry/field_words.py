"""Validation errors in plain words, and where on the session form each one belongs."""

from __future__ import annotations

import re

WORDS = {
    "technique": "Technique", "response_sought": "Response sought", "consent": "Consent",
    "pain_before": "Pain before", "pain_after": "Pain after", "pain_during": "Pain during",
    "soreness_after": "Soreness", "face_to_face_min": "Face-to-face minutes",
    "started_at": "Started", "practitioner_id": "Practitioner", "patient_id": "Patient",
    "episode_id": "Episode", "notes": "Notes", "style": "Style", "rationale": "Rationale",
    "co_interventions": "Co-interventions", "sites": "Sites", "target": "site",
    "side": "side", "insertions": "insertions", "retention_s": "retention (seconds)",
    "stimulation": "stimulation", "estim_frequency_hz": "frequency (Hz)",
    "estim_frequency_2_hz": "high frequency (Hz, of a low/high pair)",
    "deqi_obtained": "De Qi", "deqi_quality": "De Qi quality", "twitch_count": "twitch count",
    "grasp": "grasp", "kind": "kind", "depth_value": "depth", "tier": "tier",
    "description": "description", "pain": "Pain", "soreness": "Soreness", "groc": "Change",
    "at": "Date", "session_record_id": "Session", "chart_id": "Chart id", "name": "Name",
    "birth_year": "Year of birth", "sex": "Sex", "profession": "Profession",
    "credential": "Credential", "reason": "Reason", "needle": "Needle", "depth": "Depth",
    "depth_unit": "depth unit", "depth_tissue": "depth tissue",
    "needle_diameter_mm": "needle diameter (mm)", "needle_length_mm": "needle length (mm)",
    "needle_material": "needle material",
    # The settings row (see technique_settings).
    "retention": "Retention", "estim_hz": "Frequency (Hz)", "deqi": "De Qi",
    # The episode of care (services/episodes).
    "complaint": "Complaint", "body_region": "Region", "episode": "Episode",
}  # fmt: skip

# Session form: which error line shows the errors of which field.
SLOTS = {
    "technique": "technique", "response_sought": "technique", "consent": "top",
    "pain_before": "top", "pain_after": "pain", "pain_during": "pain",
    "soreness_after": "pain", "face_to_face_min": "pain", "co_interventions": "co",
    "notes": "notes", "style": "more", "rationale": "more", "ims_findings": "more",
    "needle": "settings",
    "depth": "settings", "needle_diameter_mm": "settings", "needle_length_mm": "settings",
    "needle_material": "settings", "depth_value": "settings", "depth_unit": "settings",
    "depth_tissue": "settings", "retention": "settings", "stimulation": "settings",
    "estim_hz": "settings", "deqi": "settings", "deqi_quality": "settings",
    "complaint": "episode", "body_region": "episode", "episode_id": "episode",
    "episode": "episode",
}  # fmt: skip

_INDEXED = re.compile(r"^(\w+)\[(\d+)\](?:\.(\w+))?$")


def words(field: str) -> str:
    """``sites[3].twitch_count`` -> ``Site 3 twitch count``; ``pain_before`` -> ``Pain before``."""
    m = _INDEXED.match(field)
    if m:
        base, number, sub = m.groups()
        thing = {
            "sites": "Site",
            "adverse_events": "Adverse event",
            "ims_findings": "IMS finding",
        }.get(base, WORDS.get(base, base))
        if not sub or sub == "target":  # "Site 3", not "Site 3 site"
            return f"{thing} {number}"
        return f"{thing} {number} {WORDS.get(sub, sub.replace('_', ' '))}"
    base, _, sub = field.partition(".")
    text = WORDS.get(base, base.replace("_", " ").capitalize())
    text = text[:1].upper() + text[1:]  # "depth_value" alone starts a sentence: "Depth"
    return text + (f" {WORDS.get(sub, sub.replace('_', ' '))}" if sub else "")


def slot(field: str) -> str:
    """The error line of the session form that shows an error of ``field``."""
    base = field.split("[")[0].split(".")[0]
    if base in SLOTS:
        return SLOTS[base]
    if base in ("sites", "site"):
        return "sites"
    if base == "adverse_events":
        return "adverse"
    return "details"


def sentence(field: str, message: str) -> str:
    """One plain sentence: ``Pain before: 11 is out of range: a whole number from 0 to 10``,
    ``Name is required`` (not "Name: is required")."""
    if message.startswith("is "):
        return f"{words(field)} {message}"
    return f"{words(field)}: {message}"
