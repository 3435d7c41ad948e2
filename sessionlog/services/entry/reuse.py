"""Reusing what was typed before on the session form: the patient's last session
(Ctrl+R) and a saved protocol (Ctrl+T). Textual-free, so it reads as rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...domain.text import counted
from ...errors import ValidationError
from .form_model import FormState, SiteRow, default_settings, describe_site, state_from_session
from .stricta import Details

# What a repeat keeps from the form as it is: today's scores, notes and times (when, and
# the face-to-face minutes acupuncture bills by) are not last time's.
KEPT_FIELDS = (
    "pain_before",
    "pain_after",
    "pain_during",
    "soreness_after",
    "notes",
    "started_at",
    "face_to_face_min",
)


def repeated(last: Mapping[str, Any], current: FormState) -> FormState:
    """The form filled from the patient's ``last`` session: technique, settings, sites,
    co-interventions, style and rationale (not its responses, scores or IMS findings),
    keeping what ``current`` already has of today's."""
    state = state_from_session(last, with_outcomes=False)
    for key in KEPT_FIELDS:
        state.fields[key] = current.fields.get(key, "")
    state.consent, state.adverse = current.consent, current.adverse
    state.details = repeated_details(state.details, current.details)
    if state.technique == current.technique:  # De Qi is today's response, not last time's
        state.settings.deqi = current.settings.deqi
        state.settings.deqi_quality = current.settings.deqi_quality
    return state


# The settings a repeat replaces, in the form's words.
SETTING_WORDS = {
    "retention": "retention",
    "stimulation": "stimulation",
    "estim_hz": "Hz",
    "deqi": "De Qi",
    "deqi_quality": "De Qi quality",
    "needle": "needle",
    "depth": "depth",
}


def replaced_by_repeat(current: FormState, repeat: FormState) -> list[str]:
    """What the practitioner typed that ``repeat`` (:func:`repeated`) would replace, in
    words for the question asked first ("1 site", "co-interventions", "depth"): the
    sites it drops, the co-interventions, and each setting changed from the technique's
    default that the repeat sets otherwise. Empty: nothing typed would be lost."""
    kept = [r.raw for r in repeat.sites]
    dropped = sum(r.raw not in kept for r in current.sites)
    words = [counted(dropped, "site")] if dropped else []
    co = current.fields.get("co_interventions", "").strip()
    if co and co != repeat.fields.get("co_interventions", "").strip():
        words.append("co-interventions")
    default = default_settings(current.technique)
    for key, word in SETTING_WORDS.items():
        typed = getattr(current.settings, key)
        if typed != getattr(default, key) and typed != getattr(repeat.settings, key):
            words.append(word)
    return words


def repeated_details(last: Details, current: Details) -> Details:
    """A repeat takes last time's style and rationale (what was done) unless some
    were typed already, and keeps today's findings: last time's are not today's."""
    return Details(
        style=current.style or last.style,
        rationale=current.rationale or last.rationale,
        findings=list(current.findings),
    )


def protocol_sites(
    sites: Sequence[Mapping[str, object]], technique: str, state: FormState
) -> list[SiteRow]:
    """A protocol's sites to add to ``state``: those not already typed (same target and
    side), each read under the form's settings; one that no longer reads is left out."""
    have = {(r.raw.get("target"), r.raw.get("side")) for r in state.sites}
    added: list[SiteRow] = []
    for raw in sites:
        if (raw.get("target"), raw.get("side")) in have:
            continue
        try:
            added.append(describe_site(dict(raw), state.settings, technique))
        except ValidationError:
            continue
    return added
