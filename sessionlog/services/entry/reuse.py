"""Reusing what was typed before on the session form: the patient's last session
(Ctrl+R) and a saved protocol (Ctrl+T). Textual-free, so it reads as rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...errors import ValidationError
from .form_model import FormState, SiteRow, describe_site, state_from_session
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
    return state


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
