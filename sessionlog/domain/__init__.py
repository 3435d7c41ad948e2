"""The domain: what sessions, sites, follow-ups and people are, and their validation.

No I/O and no Textual here: everything above (store, CLI, TUI) builds on these types.
"""

from .models import (
    AdverseEvent,
    Episode,
    FollowUpInput,
    ImsFinding,
    Patient,
    Practitioner,
    SessionInput,
    Site,
    distinct_muscles,
    suggest_cpt,
    total_insertions,
)
from .techniques import FAMILIES, FAMILY_LABELS, TECHNIQUES, Technique
from .validate import (
    InvalidRecord,
    parse_follow_up,
    parse_patient,
    parse_practitioner,
    parse_session,
    parse_site,
)

__all__ = [
    "AdverseEvent",
    "Episode",
    "FAMILIES",
    "FAMILY_LABELS",
    "FollowUpInput",
    "ImsFinding",
    "InvalidRecord",
    "Patient",
    "Practitioner",
    "SessionInput",
    "Site",
    "TECHNIQUES",
    "Technique",
    "distinct_muscles",
    "parse_follow_up",
    "parse_patient",
    "parse_practitioner",
    "parse_session",
    "parse_site",
    "suggest_cpt",
    "total_insertions",
]
