"""Switching the session form's technique after sites are typed (review15).

What was typed is never quietly replaced. A response (De Qi, a twitch count, the
grasp) the new technique does not record, or a site on the stimulator under a manual
technique, refuses the switch in one line (:func:`refusal`): those are what happened
at the table, and a single letter on the technique row would otherwise erase them with
no way back (switching back does not restore them). Settings typed on the row follow
the switch where the new technique takes them (:func:`carried_settings`); only what
nobody typed takes the new technique's defaults. A muscle read as a trigger point under
dry needling is a motor point under the others: the switch says so (:func:`kind_note`).
Pure functions, no Textual.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...domain.techniques import TECHNIQUES
from .form_model import Settings, SiteRow, default_settings
from .technique_settings import retention_unit, setting_fields

# What each family records, by the site field that holds it, and its name in words.
_RESPONSES = (
    ("acupuncture", ("deqi_obtained", "deqi_quality"), "De Qi"),
    ("dry_needling", ("twitch_count",), "twitch counts"),
    ("ims", ("grasp",), "grasp"),
)


def _numbers(numbers: Sequence[int]) -> str:
    words = [str(n) for n in numbers]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return ("site " if len(words) == 1 else "sites ") + listed


def refusal(sites: Sequence[SiteRow], settings: Settings, old: str, new: str) -> str:
    """One line saying why ``old`` is kept rather than become ``new`` (which would drop
    what was typed), or "" when the switch drops nothing."""
    to, keep = TECHNIQUES[new], TECHNIQUES[old].label
    for family, keys, words in _RESPONSES:
        if family == to.family:
            continue
        held = [
            i for i, s in enumerate(sites, 1) if any(s.raw.get(k) not in (None, "") for k in keys)
        ]
        if held:
            return f"Kept {keep}: {to.label} records no {words} ({_numbers(held)})"
        if family == "acupuncture" and (settings.deqi.strip() or settings.deqi_quality.strip()):
            return f"Kept {keep}: {to.label} records no De Qi (the settings row)"
    if not to.electrical:
        on = [i for i, s in enumerate(sites, 1) if s.raw.get("stimulation") == "electrical"]
        if on:
            return f"Kept {keep}: {to.label} puts no site on the stimulator ({_numbers(on)})"
    return ""


def carried_settings(typed: Settings, old: str, new: str) -> tuple[Settings, str]:
    """The settings row for ``new``: each setting typed under ``old`` (differing from
    its default there) kept where ``new`` takes it, the rest ``new``'s defaults; and a
    note naming a typed setting ``new`` could not take ("" when none)."""
    before, out = default_settings(old), default_settings(new)
    out.needle, out.depth = typed.needle, typed.depth  # the practitioner's, whatever the technique
    note = ""
    retention = typed.retention.strip()
    if retention != before.retention:
        seconds = setting_fields(Settings(retention=retention), old).get("retention_s")
        if seconds is not None and retention_unit(new) == "s":
            out.retention = str(seconds)
        elif seconds is not None and seconds % 60 == 0:
            out.retention = str(seconds // 60)
        elif retention:
            note = (
                f"the retention {retention} {retention_unit(old)} is not whole minutes:"
                f" {out.retention} {retention_unit(new)}"
            )
    if typed.stimulation.strip() not in ("", before.stimulation):
        out.stimulation = typed.stimulation
    if TECHNIQUES[new].electrical:
        out.estim_hz = typed.estim_hz
    if TECHNIQUES[new].family == "acupuncture":
        out.deqi, out.deqi_quality = typed.deqi, typed.deqi_quality
    return out, note


_KIND_WORDS = {
    "trigger_point": ("a trigger point", "trigger points"),
    "motor_point": ("a motor point", "motor points"),
}


def kind_note(before: Sequence[SiteRow], after: Sequence[SiteRow], old: str) -> str:
    """The sites whose kind the switch changed, in words ("" when none): ``upper
    trapezius is now a motor point (a trigger point under Dry needling)``."""
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a.kind != b.kind]
    if not changed:
        return ""
    names = ", ".join(b.label.split(" (")[0] for _, b in changed)
    one = len(changed) == 1
    new_kind = _KIND_WORDS.get(changed[0][1].kind, (changed[0][1].kind,) * 2)
    old_kind = _KIND_WORDS.get(changed[0][0].kind, (changed[0][0].kind,) * 2)
    return (
        f"{names} {'is' if one else 'are'} now {new_kind[0 if one else 1]}"
        f" ({old_kind[0 if one else 1]} under {TECHNIQUES[old].label})"
    )
