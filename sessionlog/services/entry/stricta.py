"""The session's STRICTA details beside the needling: style, rationale, IMS findings.

The form keeps them in a :class:`Details` and edits them in a panel of their own
(F4), so they cost the common path no keystroke. Findings are kept in the shape
:func:`~sessionlog.domain.parse_session` reads (``level``, ``side``, the eight signs as
booleans, ``notes``); a finding line is typed as ``L4-L5 r`` (level, then an optional
side). Pure functions, no Textual: the tests drive them directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...domain import InvalidRecord, parse_session
from ...domain.techniques import IMS_SIGNS
from ...errors import ValidationError
from .site_text import SIDE_SHORT, SIDE_TOKENS

# Styles offered per technique family; anything else may be typed.
STYLE_SUGGESTIONS = {
    "acupuncture": (
        "TCM",
        "Five Element",
        "Japanese meridian",
        "Western medical acupuncture",
        "Auricular",
        "Scalp acupuncture",
    ),
    "dry_needling": (
        "Trigger-point dry needling",
        "Deep dry needling",
        "Superficial dry needling",
    ),
    "ims": ("Gunn IMS",),
}

# How the form shows each IMS sign (domain.techniques.IMS_SIGNS): its short name, and the
# key that toggles it (a letter of the name, shown underlined).
_SIGN_WORDS = {
    "tender_motor_points": ("Tender MPs", "t"),
    "paraspinal_tenderness": ("Paraspinal", "p"),
    "coldness": ("Coldness", "c"),
    "sweating": ("Sweating", "s"),
    "goosebumps": ("Goosebumps", "g"),
    "skin_rolling": ("Skin rolling", "r"),
    "matchstick": ("Matchstick", "m"),
    "muscle_shortening": ("Shortening", "h"),
}
SIGNS = tuple((name, *_SIGN_WORDS[name]) for name in IMS_SIGNS)
SIGN_FIELDS = IMS_SIGNS
_FIELDS = ("style", "rationale", "ims_findings")


@dataclass
class Details:
    """What the details panel edits: text as typed, findings as validated dicts."""

    style: str = ""
    rationale: str = ""
    findings: list[dict[str, Any]] = field(default_factory=list)

    def raw(self) -> dict[str, Any]:
        """The session fields these details give to ``parse_session``."""
        return {"style": self.style, "rationale": self.rationale, "ims_findings": self.findings}

    @property
    def empty(self) -> bool:
        return not (self.style.strip() or self.rationale.strip() or self.findings)


def clean_finding(stored: dict[str, Any]) -> dict[str, Any]:
    """A finding as the store returns it (signs as 0/1) in the form's shape."""
    out: dict[str, Any] = {"level": stored.get("level", ""), "side": stored.get("side", "")}
    out.update({name: bool(stored.get(name)) for name in SIGN_FIELDS})
    out["notes"] = stored.get("notes") or ""
    return out


def details_from_session(stored: Mapping[str, Any], *, with_findings: bool) -> Details:
    """A stored session's details; without findings for a repeat (they are that day's)."""
    findings = (stored.get("ims_findings") or []) if with_findings else []
    return Details(
        style=stored.get("style") or "",
        rationale=stored.get("rationale") or "",
        findings=[clean_finding(f) for f in findings],
    )


def split_level_text(text: str) -> tuple[str, str | None]:
    """``"l4-5 r"`` -> ``("l4-5", "right")``; the side is None when not typed."""
    words = text.split()
    if len(words) > 1 and words[-1].lower() in SIDE_TOKENS:
        return " ".join(words[:-1]), SIDE_TOKENS[words[-1].lower()]
    return text.strip(), None


def level_text(finding: dict[str, Any]) -> str:
    """The entry line that gives back ``finding``'s level and side (for editing it)."""
    letter = {"left": "l", "right": "r", "bilateral": "b", "midline": "m"}
    side = letter.get(str(finding.get("side")), "")
    return f"{finding.get('level', '')} {side}".strip()


def problems(details: Details) -> list[ValidationError]:
    """What ``parse_session`` says about these fields (and nothing about the others)."""
    try:
        parse_session(details.raw())
    except InvalidRecord as exc:
        return [e for e in exc.errors if e.field.split("[")[0].split(".")[0] in _FIELDS]
    return []  # pragma: no cover - a session without a technique is never valid


def check_finding(
    details: Details, text: str, signs: dict[str, bool], notes: str, number: int
) -> tuple[dict[str, Any] | None, list[ValidationError]]:
    """The finding typed on the entry line, validated as finding ``number`` of the
    session: (the finding with canonical level and side, []) or (None, the problems)."""
    from ...domain.validate import parse_ims_finding

    where = f"ims_findings[{number}]"
    level, side = split_level_text(text)
    if not level:
        return None, [ValidationError(f"{where}.level", "is required: a spinal level, e.g. L4-L5")]
    raw = {"level": level, "side": side or "bilateral", **signs, "notes": notes}
    try:
        finding = parse_ims_finding(raw, field=where)
    except InvalidRecord as exc:
        return None, list(exc.errors)
    except ValidationError as exc:
        return None, [exc]
    out = {"level": finding.level, "side": finding.side}
    out.update({name: getattr(finding, name) for name in SIGN_FIELDS})
    out["notes"] = finding.notes
    return out, []


def signs_text(finding: dict[str, Any]) -> str:
    """``Tender MPs, Coldness`` (the signs found), or ``no signs``."""
    found = [label for name, label, _ in SIGNS if finding.get(name)]
    return ", ".join(found) if found else "no signs"


def finding_text(finding: dict[str, Any]) -> str:
    """One finding in a few words: ``L4-L5 R: Tender MPs, Coldness``."""
    side = SIDE_SHORT.get(str(finding.get("side")), str(finding.get("side", "")))
    return f"{finding.get('level')} {side}: {signs_text(finding)}"


def summary(details: Details, family: str, key: str = "F4") -> str:
    """The form's one-line view of the details; what ``key`` (F4, unless the user's
    settings bind another) adds when there are none."""
    if details.empty:
        what = "style, rationale" + (", IMS findings per segment" if family == "ims" else "")
        return f"{key} adds {what}"
    bits = []
    if details.style.strip():
        bits.append(details.style.strip())
    if details.rationale.strip():
        first = details.rationale.strip().splitlines()[0]
        bits.append(f"rationale: {first[:30]}{'...' if len(first) > 30 else ''}")
    if details.findings:
        levels = ", ".join(
            f"{f['level']} {SIDE_SHORT.get(f['side'], f['side'])}" for f in details.findings
        )
        count = len(details.findings)
        bits.append(f"IMS {count} finding{'s' if count > 1 else ''}: {levels}")
    return " · ".join(bits) + f"  ({key})"
