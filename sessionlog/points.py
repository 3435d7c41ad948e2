"""The catalogue of needling sites and the normalisation of what people type.

Acupuncture points (361 classical + extra points), muscles and spinal levels, each
as a :class:`CatalogueEntry`. ``normalise_*`` turn free typing ("sj 5", "upper trap",
"l4-5") into the canonical code or raise :class:`~sessionlog.errors.UnknownCode` with
suggestions; ``search`` and ``complete`` serve the CLI and the TUI. Nothing is read
until first use; after that every lookup works on an index built once.
"""

from __future__ import annotations

import functools
import re

from sessionlog.catalogue_data import (
    CHANNEL_ALIASES,
    CHANNEL_COUNTS,
    EXTRA_REGIONS,
    MIDLINE_EXTRA_POINTS,
    SPINAL_SINGLE_LEVELS,
    CatalogueEntry,
)
from sessionlog.catalogue_index import (
    LEVEL_POS,
    WORD,
    close,
    dedupe,
    get_index,
    lookup_key,
    prefix_hits,
    ranked,
)
from sessionlog.errors import UnknownCode

__all__ = [
    "CHANNEL_COUNTS",
    "CatalogueEntry",
    "catalogue",
    "complete",
    "is_midline",
    "normalise_level",
    "normalise_muscle",
    "normalise_point",
    "resolve",
    "search",
]

_MIN_MUSCLE_PREFIX = 3
_POINT_FORM = re.compile(r"([A-Z]+)(\d+)")
_LEVEL_SINGLE = re.compile(r"([CTLS])\s*(\d{1,2})")
_LEVEL_PAIR = re.compile(
    r"([CTLS])\s*(\d{1,2})\s*(?:[-/_.:\s]+|(?=[CTLS]))\s*([CTLS])?\s*(\d{1,2})"
)


# Each _match_* returns (code, None) on success, (None, suggestions) when the text has
# the shape of that kind but names nothing valid (or several things), (None, None) when
# it does not look like that kind at all.
_Match = tuple[str | None, list[str] | None]


def _match_point(text: str) -> _Match:
    index = get_index()
    compact = lookup_key(text).upper()
    form = _POINT_FORM.fullmatch(compact)
    if form:
        prefix, number = form.group(1), int(form.group(2))
        if prefix.startswith("EX") and f"EX-{prefix[2:]}" in EXTRA_REGIONS:
            code = f"EX-{prefix[2:]}{number}"
        elif prefix in CHANNEL_ALIASES:
            code = f"{CHANNEL_ALIASES[prefix]}{number}"
        else:
            code = ""
        if code in index.by_code:
            return code, None
        if code:
            region = code[: len(code) - len(str(number))]
            last = max(
                (e.code for e in index.entries if e.group == region),
                key=lambda c: int(c[len(region) :]),
            )
            return None, dedupe([last, *close(code, ["acupuncture_point"])])
    codes = index.names.get(lookup_key(text), [])
    if len(codes) == 1:
        return codes[0], None
    if codes:
        return None, dedupe(codes)
    pos = index.exact.get(lookup_key(text))
    if pos is not None and index.entries[pos].kind == "acupuncture_point":
        return index.entries[pos].code, None  # a pasted label: "LI4 Hegu"
    return None, None


def _pair(upper: str, lower: str) -> tuple[str | None, list[str]]:
    """``"L4-L5"`` when the two levels are neighbours, else None and the nearest pairs."""
    up, low = LEVEL_POS.get(upper), LEVEL_POS.get(lower)
    if up is not None and low == up + 1:
        return f"{upper}-{lower}", []
    near: list[str] = []
    if up is not None and up + 1 < len(SPINAL_SINGLE_LEVELS):
        near.append(f"{upper}-{SPINAL_SINGLE_LEVELS[up + 1]}")
    if low:  # neither None nor the first level
        near.append(f"{SPINAL_SINGLE_LEVELS[low - 1]}-{lower}")
    return None, near


def _past_the_end(letter: str, number: int) -> list[str]:
    """For "L6", "C8", "T13": the last level of that region and the junction below it."""
    last = [level for level in SPINAL_SINGLE_LEVELS if level[0] == letter][-1]
    if number <= int(last[1:]):
        return close(f"{letter}{number}", ["spinal_level"])
    i = LEVEL_POS[last]
    below = [f"{last}-{SPINAL_SINGLE_LEVELS[i + 1]}"] if i + 1 < len(SPINAL_SINGLE_LEVELS) else []
    return [last, *below]


def _match_level(text: str) -> _Match:
    raw = re.sub(r"[\u2010-\u2015]", "-", text.strip().upper())
    single, pair = _LEVEL_SINGLE.fullmatch(raw), _LEVEL_PAIR.fullmatch(raw)
    if single:
        letter, digits = single.group(1), single.group(2)
        if f"{letter}{int(digits)}" in LEVEL_POS:
            return f"{letter}{int(digits)}", None
        if len(digits) == 2:  # "L45" -> L4-L5
            code, _ = _pair(f"{letter}{digits[0]}", f"{letter}{digits[1]}")
            if code:
                return code, None
        return None, _past_the_end(letter, int(digits))
    if pair:
        upper = f"{pair.group(1)}{int(pair.group(2))}"
        lower = f"{pair.group(3) or pair.group(1)}{int(pair.group(4))}"
        code, near = _pair(upper, lower)
        if code:
            return code, None
        return None, dedupe([*near, *close(f"{upper}{lower}", ["spinal_level"])])
    pos = get_index().exact.get(lookup_key(text))
    if pos is not None and get_index().entries[pos].kind == "spinal_level":
        return get_index().entries[pos].code, None  # a pasted label: "L4-L5 (lumbar)"
    return None, None


def _match_muscle(text: str) -> _Match:
    index, key = get_index(), lookup_key(text)
    pos = index.exact.get(key)
    if pos is not None and index.entries[pos].kind == "muscle":
        return index.entries[pos].code, None
    if len(key) < _MIN_MUSCLE_PREFIX:
        return None, None
    hits = sorted((tier, p) for k, tier, p in index.muscle_keys if k.startswith(key))
    codes = dedupe(index.entries[p].code for _, p in hits)
    if len({p for _, p in hits}) == 1:
        return codes[0], None
    return (None, codes) if codes else (None, None)


def _fail(text: str, field: str, match: _Match, kinds: list[str]) -> UnknownCode:
    return UnknownCode(field, text, match[1] if match[1] is not None else close(text, kinds))


def normalise_point(text: str, field: str = "point") -> str:
    """Canonical point code (``"LI4"``, ``"EX-HN3"``) for a code, old alias or pinyin name.

    Accepts ``li4``, ``LI-4``, ``Li 4``, ``SJ5``/``TH5`` (TE5), ``LV3`` (LR3), ``Du20``,
    ``Ren12``, ``UB40``, ``K3``, ``P6``, ``ex hn 3``, ``hegu``, ``zu san li``. Raises
    UnknownCode naming ``field`` with up to three suggestions when nothing matches, when
    the number is past the end of the channel, or when a name belongs to several points.
    """
    match = _match_point(text)
    if match[0] is None:
        raise _fail(text, field, match, ["acupuncture_point"])
    return match[0]


def normalise_muscle(text: str, field: str = "muscle") -> str:
    """Canonical muscle name for a name, alias (``"upper trap"``, ``"UT"``) or unique prefix."""
    match = _match_muscle(text)
    if match[0] is None:
        raise _fail(text, field, match, ["muscle"])
    return match[0]


def normalise_level(text: str, field: str = "level") -> str:
    """Canonical spinal level: ``"l4"`` -> ``"L4"``; ``"l4-5"``, ``"L4/5"``, ``"l4 l5"``,
    ``"L45"`` -> ``"L4-L5"``; ``"L5/S1"`` -> ``"L5-S1"``. Only neighbouring levels pair."""
    match = _match_level(text)
    if match[0] is None:
        raise _fail(text, field, match, ["spinal_level"])
    return match[0]


def resolve(text: str, field: str = "site") -> CatalogueEntry:
    """The entry ``text`` names, trying a point, then a spinal level, then a muscle."""
    code = _resolved_code(text)
    if code is not None:
        return get_index().by_code[code]
    for match in _matches(text):
        if match[1]:
            raise UnknownCode(field, text, list(match[1]))
    raise UnknownCode(field, text, close(text, ["acupuncture_point", "spinal_level", "muscle"]))


def named(text: str) -> CatalogueEntry | None:
    """The entry ``text`` names exactly, or None: :func:`resolve` without the fuzzy
    search for suggestions a miss costs (up to ~50 ms over the whole catalogue), for
    callers that only ask whether ``text`` names something (the site line, at each key)."""
    code = _resolved_code(text)
    return None if code is None else get_index().by_code[code]


def is_midline(code: str) -> bool:
    """Whether the point with canonical ``code`` lies on the midline (no left or right):
    every GV and CV point, and the midline extra points (EX-HN3 Yintang, ...)."""
    return code.startswith(("GV", "CV")) or code in MIDLINE_EXTRA_POINTS


@functools.lru_cache(maxsize=4096)
def _matches(text: str) -> tuple[_Match, _Match, _Match]:
    # An import resolves the same few hundred texts hundreds of thousands of times, and
    # a refused text is matched once for its code and once more for its suggestions.
    return _match_point(text), _match_level(text), _match_muscle(text)


def _resolved_code(text: str) -> str | None:
    for code, _ in _matches(text):
        if code is not None:
            return code
    return None


def catalogue() -> list[CatalogueEntry]:
    """Every entry: classical points, extra points, muscles, spinal levels (in that order)."""
    return list(get_index().entries)


def search(query: str, limit: int | None = 20) -> list[CatalogueEntry]:
    """Entries matching ``query``, best first, for ``sessionlog points QUERY``.

    The exact entry the query names comes first (``"sj 5"`` gives TE5), then prefix
    matches on codes, alias codes, pinyin, muscle names and aliases, then substrings.
    An empty query returns the whole catalogue (``limit`` does not apply to it).
    """
    index, key = get_index(), lookup_key(query)
    if not key:
        return catalogue()
    best: dict[int, int] = {}
    code = _resolved_code(query)  # (no suggestions: the prefix and substring hits follow)
    if code is not None:
        best[index.pos_of[code]] = 0
    prefix_hits(key, best, None)
    for k, (_tier, pos) in zip(index.prefix_keys, index.prefix_rows, strict=True):
        if pos not in best and key in k:
            best[pos] = WORD + 1
    return ranked(best, limit)


def complete(
    prefix: str, kinds: tuple[str, ...] | None = None, limit: int = 12
) -> list[CatalogueEntry]:
    """Completions for what has been typed so far, best first, optionally of some kinds.

    Uses only the prebuilt index (a dictionary lookup and a bisected prefix scan), so a
    call takes well under a millisecond once the catalogue is loaded.
    """
    index, key = get_index(), lookup_key(prefix)
    if not key:
        return [e for e in index.entries if kinds is None or e.kind in kinds][:limit]
    best: dict[int, int] = {}
    pos = index.exact.get(key)
    if pos is not None and (kinds is None or index.entries[pos].kind in kinds):
        best[pos] = 0
    prefix_hits(key, best, kinds)
    return ranked(best, limit)
