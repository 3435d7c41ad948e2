"""The one-line site shorthand typed in the session form's site entry.

``st36`` adds a point with the row's side; ``st36 b`` says the side (l, r, b, m);
the next token is the response obtained, read by the technique's family: De Qi
``y``/``n`` or a quality (``ache``) for acupuncture, a twitch count (``3``) for dry
needling, the grasp (``none``/``mild``/``strong``, or ``n``/``s``) for IMS; ``x2`` is
the number of insertions, on each side of a bilateral site (``st36 b x2``: 4 needles);
``20mm``, ``1cun`` or ``d15`` the depth and ``0.30x50`` the needle, for this site only
(the settings row gives every site its own otherwise).
``ashi lateral knee r`` records an ashi point by description. In an electrical
technique ``e1`` puts the site on the stimulator's lead 1 (sites with the same lead
were paired on it) and ``e`` on the stimulator without saying the lead; the other
sites get the settings row's manual stimulation, and no frequency.
Codes may contain spaces (``upper trap r 3``), so the trailing tokens are read from
the right and kept only when the rest still names a catalogue entry.

Pure functions, no Textual: the tests drive them directly.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from ...domain.techniques import DEQI_QUALITIES, TECHNIQUES
from .needle_depth import depth_text, needle_text, site_token

if TYPE_CHECKING:
    from ...points import CatalogueEntry

SIDE_TOKENS = {
    "l": "left", "left": "left", "r": "right", "right": "right",
    "b": "bilateral", "bi": "bilateral", "bil": "bilateral", "bilateral": "bilateral",
    "m": "midline", "mid": "midline", "midline": "midline",
}  # fmt: skip
SIDE_LETTER = {"left": "l", "right": "r", "bilateral": "b", "midline": "m"}
# How a side is shown in the tables (sites, IMS findings, history).
SIDE_SHORT = {"left": "L", "right": "R", "bilateral": "both", "midline": "mid"}
_GRASP = {
    "n": "none",
    "none": "none",
    "m": "mild",
    "mild": "mild",
    "s": "strong",
    "strong": "strong",
}
_YES = {"y": True, "yes": True, "deqi": True, "n": False, "no": False}


def response_of(token: str, family: str) -> dict[str, Any] | None:
    """The site fields one response token sets for ``family``, or None if it is not one."""
    t = token.lower()
    if family == "dry_needling":
        return {"twitch_count": int(t)} if t.isdigit() else None
    if family == "ims":
        return {"grasp": _GRASP[t]} if t in _GRASP else None
    if t in _YES:
        return {"deqi_obtained": _YES[t]}
    if len(t) >= 3:
        quality = [q for q in DEQI_QUALITIES if q.startswith(t)]
        if len(quality) == 1:
            return {"deqi_obtained": True, "deqi_quality": quality[0]}
    return None


def stimulator_token(token: str) -> dict[str, Any] | None:
    """``e`` (on the stimulator) or ``e1`` (on its lead 1) as site fields, else None."""
    low = token.lower()
    if low == "e":
        return {"stimulation": "electrical"}
    if low[:1] == "e" and low[1:].isdigit() and 1 <= int(low[1:]) <= 32:
        return {"stimulation": "electrical", "estim_lead": int(low[1:])}
    return None


def _quality_after_deqi(response: dict[str, Any] | None, token: str, family: str) -> bool:
    """``token`` is a De Qi quality right after a bare yes (``deqi``, ``y``)."""
    if not response or response != {"deqi_obtained": True}:
        return False
    quality = response_of(token, family)
    return quality is not None and "deqi_quality" in quality


def _classify(tail: list[str], family: str, electrical: bool = False) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    for token in tail:
        low = token.lower()
        if electrical and "stim" not in out and (on := stimulator_token(low)) is not None:
            out["stim"] = on
        elif "side" not in out and low in SIDE_TOKENS and not ({"response"} & out.keys()):
            out["side"] = SIDE_TOKENS[low]
        elif "response" not in out and response_of(low, family) is not None:
            out["response"] = response_of(low, family)
        elif _quality_after_deqi(out.get("response"), low, family):
            out["response"] = response_of(low, family)  # "deqi ache": De Qi, an ache
        elif "insertions" not in out and low[:1] == "x" and low[1:].isdigit():
            out["insertions"] = int(low[1:])
        elif (sized := site_token(low)) is not None and not (sized.keys() & out.keys()):
            out.update(sized)
        else:
            return None
    return out


@functools.lru_cache(maxsize=512)
def entry_for(text: str) -> CatalogueEntry | None:
    """The catalogue entry ``text`` names, or None. Cached: the entry line asks on every
    key. A miss searches no suggestions (``points.named``): nobody reads them here."""
    from ... import points

    return points.named(text)


def _resolves(text: str) -> bool:
    return entry_for(text) is not None


def parse_site_text(text: str, technique: str) -> dict[str, Any]:
    """The raw site fields (as :func:`~sessionlog.domain.parse_site` takes them) that
    ``text`` gives. Only what was typed is set; the form fills the rest."""
    family = TECHNIQUES[technique].family if technique in TECHNIQUES else "acupuncture"
    electrical = technique in TECHNIQUES and TECHNIQUES[technique].electrical
    tokens = text.split()
    ashi = bool(tokens) and tokens[0].lower() == "ashi"
    if ashi:
        tokens = tokens[1:]
    fallback: tuple[list[str], dict[str, Any]] | None = None
    for k in range(min(5, max(len(tokens) - 1, 0)), -1, -1):
        head, tail = tokens[: len(tokens) - k], tokens[len(tokens) - k :]
        parts = _classify(tail, family, electrical)
        if parts is None:
            continue
        if fallback is None:
            fallback = (head, parts)
        if ashi or _resolves(" ".join(head)):
            fallback = (head, parts)
            break
    head, parts = fallback or (tokens, {})
    raw: dict[str, Any] = {"target": " ".join(head)}
    if ashi:
        raw["kind"] = "ashi"
    if "side" in parts:
        raw["side"] = parts["side"]
    if "insertions" in parts:
        raw["insertions"] = parts["insertions"]
    raw.update(parts.get("response", {}))
    raw.update(parts.get("stim", {}))
    raw.update({k: v for k, v in parts.items() if k.startswith(("depth_", "needle_"))})
    return raw


_RESPONSE_WORDS = {
    "acupuncture": "De Qi (y, n or a quality: ache)",
    "dry_needling": "a twitch count (3)",
    "ims": "the grasp (none, mild, strong)",
}


def misunderstood(text: str, technique: str) -> str | None:
    """Why ``text`` names no site when it starts with one (``st36 d-3``): the first word
    after the longest known start that is not a side, response, insertions, depth or
    needle. None when no start of it names a catalogue entry (or for ``ashi``, whose
    description is free text)."""
    family = TECHNIQUES[technique].family if technique in TECHNIQUES else "acupuncture"
    electrical = technique in TECHNIQUES and TECHNIQUES[technique].electrical
    tokens = text.split()
    if not tokens or tokens[0].lower() == "ashi":
        return None
    for k in range(len(tokens) - 1, 0, -1):
        entry = entry_for(" ".join(tokens[:k]))
        if entry is None:
            continue
        for token in tokens[k:]:
            if _classify([token], family, electrical) is None:
                stim = ", e1 (on the stimulator, lead 1)" if electrical else ""
                return (
                    f"{token!r} is not understood after {entry.code}: a side (l r b m),"
                    f" {_RESPONSE_WORDS[family]}{stim}, x2 for insertions (on each side),"
                    " a depth (20mm, 1cun, d15) or a needle (0.30x50)"
                )
        return None
    return None


def response_text(raw: dict[str, Any]) -> str:
    """A site's response in words, for the sites table (``De Qi: ache``, ``twitch 3``)."""
    bits = []
    if raw.get("deqi_obtained") is not None:
        quality = raw.get("deqi_quality") or ""
        bits.append(
            f"De Qi {'yes' if raw['deqi_obtained'] else 'no'}"
            + (f" ({quality})" if quality else "")
        )
    if raw.get("twitch_count") is not None:
        bits.append(f"twitch {raw['twitch_count']}")
    if raw.get("grasp"):
        bits.append(f"grasp {raw['grasp']}")
    return ", ".join(bits)


def site_to_text(raw: dict[str, Any], family: str) -> str:
    """The shorthand that gives ``raw`` back: what the entry shows when a site is edited."""
    words = (["ashi"] if raw.get("kind") == "ashi" else []) + [str(raw.get("target", ""))]
    if raw.get("side"):
        words.append(SIDE_LETTER.get(raw["side"], raw["side"]))
    if family == "dry_needling" and raw.get("twitch_count") is not None:
        words.append(str(raw["twitch_count"]))
    elif family == "ims" and raw.get("grasp"):
        words.append(str(raw["grasp"]))
    elif family == "acupuncture" and raw.get("deqi_obtained") is not None:
        quality = str(raw.get("deqi_quality") or "").split(",")[0]
        words.append(
            quality if raw["deqi_obtained"] and quality else ("y" if raw["deqi_obtained"] else "n")
        )
    if raw.get("insertions") not in (None, 1):
        words.append(f"x{raw['insertions']}")
    if raw.get("stimulation") == "electrical":
        words.append(stimulator_text(raw))
    # Tissue and material have no token: editing the site keeps them (see carried()).
    words += filter(None, (depth_text(raw, tissue=False), needle_text(raw, material=False)))
    return " ".join(words)


def stimulator_text(raw: dict[str, Any]) -> str:
    """``e1`` for a site on the stimulator's lead 1, ``e`` on it without a lead, else ""."""
    if raw.get("stimulation") != "electrical":
        return ""
    return f"e{raw['estim_lead']}" if raw.get("estim_lead") else "e"


def carried(old: dict[str, Any], new: dict[str, Any], technique: str) -> dict[str, Any]:
    """The fields of an edited site (``old``) that its shorthand cannot show (a depth
    tissue, a needle material, a site's own retention or Hz) and the new text (``new``)
    does not set: editing a site must not drop what the text never showed. A site
    taken off the stimulator (its ``e`` left out) keeps no Hz, lead or intensity."""
    from .technique_settings import STIMULATOR_KEYS

    family = TECHNIQUES[technique].family if technique in TECHNIQUES else "acupuncture"
    shown = parse_site_text(site_to_text(old, family), technique)
    kept = {k: v for k, v in old.items() if k not in shown and k not in new}
    if new.get("stimulation") != "electrical":  # its ``e`` taken off: so are its Hz
        for key in STIMULATOR_KEYS:
            kept.pop(key, None)
    return kept
