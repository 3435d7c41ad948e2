"""Needle size and depth of insertion as the session form types them (STRICTA item 2).

The settings row takes a needle as ``0.25x30`` (diameter x length, in mm; also
``0.25 x 30``, ``.25x30``), optionally followed by its material (``0.30x50 steel``),
and a depth as ``15`` or ``15mm`` (millimetres) or ``1cun`` / ``0.5 cun``, optionally
with the tissue reached (``30 muscle``, or ``muscle`` alone). A site's shorthand may
override them with one token each: ``20mm``, ``1cun``, ``d15`` and ``0.30x50``.

These functions only read the shape of the text and turn it into the site fields
:func:`~sessionlog.domain.parse_site` takes; the ranges are the domain's to check, so
its messages are the ones shown. Pure functions, no Textual.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from typing import Any

from ...domain.techniques import DEPTH_TISSUES

NEEDLE_KEYS = ("needle_diameter_mm", "needle_length_mm", "needle_material")
DEPTH_KEYS = ("depth_value", "depth_unit", "depth_tissue")

_NUMBER = r"(\d+(?:\.\d*)?|\.\d+)"
_NEEDLE = re.compile(rf"^{_NUMBER}\s*[x×*]\s*{_NUMBER}\s*(?:mm)?(?:\s+(.*))?$", re.IGNORECASE)
_NEEDLE_TOKEN = re.compile(rf"^{_NUMBER}[x×*]{_NUMBER}(?:mm)?$", re.IGNORECASE)
_DEPTH = re.compile(rf"^{_NUMBER}\s*(mm|cun)?$", re.IGNORECASE)
_DEPTH_TOKEN = re.compile(rf"^(?:d{_NUMBER}(mm|cun)?|{_NUMBER}(mm|cun))$", re.IGNORECASE)

NEEDLE_FORMAT = "diameter x length in mm, e.g. 0.25x30, optionally a material: 0.30x50 steel"
DEPTH_FORMAT = (
    "a depth in mm (15, 15mm) or cun (1cun), optionally the tissue reached: "
    + ", ".join(DEPTH_TISSUES)
)


def parse_needle(text: str) -> dict[str, Any] | None:
    """``0.30x50 steel`` -> diameter, length (and material) fields; ``{}`` for blank text,
    None when the text is not a needle size."""
    text = text.strip()
    if not text:
        return {}
    m = _NEEDLE.match(text)
    if m is None:
        return None
    out: dict[str, Any] = {
        "needle_diameter_mm": float(m.group(1)),
        "needle_length_mm": float(m.group(2)),
    }
    if m.group(3) and m.group(3).strip():
        out["needle_material"] = m.group(3).strip()
    return out


def _tissue(word: str) -> str | None:
    """A tissue word, or an unambiguous start of one (``musc``, ``subcut``)."""
    low = word.lower()
    found = [t for t in DEPTH_TISSUES if t.startswith(low)] if len(low) >= 3 else []
    return found[0] if len(found) == 1 else None


def parse_depth(text: str) -> dict[str, Any] | None:
    """``15`` / ``15mm`` / ``0.5 cun`` / ``30 muscle`` / ``muscle`` -> depth fields;
    ``{}`` for blank text, None when the text is not a depth."""
    words = text.split()
    if not words:
        return {}
    out: dict[str, Any] = {}
    tissue = _tissue(words[-1])
    if tissue is not None:
        out["depth_tissue"] = tissue
        words = words[:-1]
    if words:
        m = _DEPTH.match("".join(words))
        if m is None:
            return None
        out["depth_value"] = float(m.group(1))
        out["depth_unit"] = (m.group(2) or "mm").lower()
    return out


def site_token(token: str) -> dict[str, Any] | None:
    """The depth (``20mm``, ``1cun``, ``d15``) or needle (``0.30x50``) fields one token of
    a site's shorthand sets, or None when it is neither. A bare number is not a depth
    here: after a site it is a twitch count."""
    if _NEEDLE_TOKEN.match(token):
        return parse_needle(token)
    m = _DEPTH_TOKEN.match(token)
    if m is None:
        return None
    value, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    return {"depth_value": float(value), "depth_unit": (unit or "mm").lower()}


def _num(value: Any) -> str:
    return f"{float(value):g}"


def needle_text(raw: dict[str, Any], *, material: bool = True) -> str:
    """``0.3x50`` (and `` steel``) for a site's fields; blank unless both sizes are known."""
    diameter, length = raw.get("needle_diameter_mm"), raw.get("needle_length_mm")
    if not isinstance(diameter, int | float) or not isinstance(length, int | float):
        return ""
    text = f"{_num(diameter)}x{_num(length)}"
    if material and raw.get("needle_material"):
        text += f" {raw['needle_material']}"
    return text


def depth_text(raw: dict[str, Any], *, tissue: bool = True) -> str:
    """``15mm``, ``1cun``, ``30mm muscle`` for a site's fields ('' when none)."""
    value = raw.get("depth_value")
    bits = []
    if isinstance(value, int | float):
        bits.append(f"{_num(value)}{raw.get('depth_unit') or 'mm'}")
    if tissue and raw.get("depth_tissue"):
        bits.append(str(raw["depth_tissue"]))
    return " ".join(bits)


def site_field_errors(fields: dict[str, Any], technique: str) -> list[Any]:
    """The domain's problems with settings-row ``fields`` given to a site, each named by
    its bare field (``depth_value``): the domain checks the values, so its words are
    the ones shown; the "other" site only carries the fields to it."""
    from ...domain import parse_site
    from ...domain.fields import InvalidRecord
    from ...errors import ValidationError

    try:
        parse_site(
            {"kind": "other", "target": "settings", "side": "left", **fields},
            technique,
            "settings",
        )
    except InvalidRecord as exc:
        return [ValidationError(e.field.rpartition(".")[2], e.message) for e in exc.errors]
    return []


@functools.lru_cache(maxsize=64)
def _checked(needle: str, depth: str, technique: str) -> tuple[dict[str, Any], tuple[Any, ...]]:
    from ...errors import ValidationError

    problems: list[ValidationError] = []
    fields: dict[str, Any] = {}
    for text, parse, name, what in (
        (needle, parse_needle, "needle", f"is not a needle size: {NEEDLE_FORMAT}"),
        (depth, parse_depth, "depth", f"is not a depth: {DEPTH_FORMAT}"),
    ):
        parsed = parse(text)
        if parsed is None:
            problems.append(ValidationError(name, f"{text.strip()!r} {what}"))
        else:
            fields.update(parsed)
    if fields:
        problems += site_field_errors(fields, technique)
    bad = {p.field for p in problems}
    for keys, name in ((NEEDLE_KEYS, "needle"), (DEPTH_KEYS, "depth")):
        if bad & {name, *keys}:  # a group with a problem is given to no site
            for key in keys:
                fields.pop(key, None)
    return fields, tuple(problems)


def settings_fields(needle: str, depth: str, technique: str) -> dict[str, Any]:
    """The valid needle and depth fields the settings give every site."""
    return dict(_checked(needle.strip(), depth.strip(), technique)[0])


def settings_problems(needle: str, depth: str, technique: str) -> list[Any]:
    """ValidationErrors for the settings' needle and depth, fields named ``needle`` /
    ``depth`` (text not understood) or the domain's (``needle_diameter_mm``: range)."""
    return list(_checked(needle.strip(), depth.strip(), technique)[1])


def override(raw: dict[str, Any], inherited: dict[str, Any]) -> dict[str, Any]:
    """``inherited`` without the needle or depth group that ``raw`` gives itself: a site's
    ``20mm`` replaces the row's depth and tissue, not only the number."""
    out = dict(inherited)
    for keys in (NEEDLE_KEYS, DEPTH_KEYS):
        if any(raw.get(k) not in (None, "") for k in keys):
            for key in keys:
                out.pop(key, None)
    return out


def _group(site: dict[str, Any], keys: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(site.get(k) if site.get(k) not in (None, "") else None for k in keys)


def common_settings(sites: list[dict[str, Any]]) -> tuple[str, str, dict[str, Any]]:
    """The needle and depth texts for the settings row from stored sites, and the fields
    they stand for (which those sites then inherit rather than repeat).

    The most common needle (and depth) becomes the setting, but only when every site
    has one: a site recorded without a depth must not be given one by a repeat."""
    fields: dict[str, Any] = {}
    texts = []
    for keys, show in ((NEEDLE_KEYS, needle_text), (DEPTH_KEYS, depth_text)):
        groups = [_group(s, keys) for s in sites]
        text = ""
        if groups and all(any(v is not None for v in g) for g in groups):
            best = Counter(groups).most_common(1)[0][0]
            values = {k: v for k, v in zip(keys, best, strict=True) if v is not None}
            text = show(values)
            if text:
                fields.update(values)
        texts.append(text)
    return texts[0], texts[1], fields
