"""The domain: what sessions, sites, follow-ups and people are, and their validation.

No I/O and no Textual here: everything above (store, CLI, TUI) builds on these types.

The names below load on first use (PEP 562): importing one small module of the
package, such as ``sessionlog.domain.text`` for the app's first frame, does not build
every dataclass and validator (~10 ms of start-up).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import (
        AdverseEvent,
        Episode,
        FollowUpInput,
        ImsFinding,
        Patient,
        Practitioner,
        SessionInput,
        Site,
        cpt_hint,
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
    "cpt_hint",
    "suggest_cpt",
    "total_insertions",
]

# The module of the package that defines each name of __all__ (the rest: models).
_HOMES = {
    **dict.fromkeys(("FAMILIES", "FAMILY_LABELS", "TECHNIQUES", "Technique"), "techniques"),
    **{n: "validate" for n in __all__ if n == "InvalidRecord" or n.startswith("parse_")},
}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_HOMES.get(name, 'models')}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
