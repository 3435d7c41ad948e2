"""The lookup index over the catalogue, built once on first use.

Every entry gets lookup keys (lower case, letters and digits only) in tiers: its
canonical code, alias codes ("sj5" for TE5, "l45" for L4-L5), names (pinyin, muscle
aliases, the label) and later words of a muscle name ("trapezius"). A sorted key list
makes prefix completion a bisection; a dictionary of unambiguous keys gives exact hits.
Used by :mod:`sessionlog.points`, which holds the public API.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from sessionlog.catalogue_data import (
    ALTERNATIVE_NAMES,
    CHANNEL_ALIASES,
    SPINAL_SINGLE_LEVELS,
    CatalogueEntry,
    extra_point_entries,
    level_entries,
    muscle_entries,
    point_entries,
)

MAX_SUGGESTIONS = 3
# Tiers, best first: canonical code, alias code, name/alias/label, a later word.
CODE, ALIAS_CODE, NAME, WORD = 1, 2, 3, 4
LEVEL_POS: dict[str, int] = {level: i for i, level in enumerate(SPINAL_SINGLE_LEVELS)}


def lookup_key(text: str) -> str:
    """Lower case, tone marks dropped, only letters and digits kept: the lookup key."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed.lower() if c.isascii() and c.isalnum())


@dataclass
class Index:
    """Everything a lookup needs, precomputed from the catalogue entries."""

    entries: tuple[CatalogueEntry, ...]
    by_code: dict[str, CatalogueEntry] = field(default_factory=dict)
    pos_of: dict[str, int] = field(default_factory=dict)  # code -> position in entries
    exact: dict[str, int] = field(default_factory=dict)  # key -> position, unambiguous only
    names: dict[str, list[str]] = field(default_factory=dict)  # pinyin key -> point codes
    muscle_keys: list[tuple[str, int, int]] = field(default_factory=list)  # key, tier, pos
    prefix_keys: list[str] = field(default_factory=list)  # sorted, parallel to prefix_rows
    prefix_rows: list[tuple[int, int]] = field(default_factory=list)  # tier, pos
    suggest: dict[str, str] = field(default_factory=dict)  # key -> code, for difflib

    def add(self, key: str, tier: int, pos: int, rows: list[tuple[str, int, int]]) -> None:
        if key:
            rows.append((key, tier, pos))
            self.suggest.setdefault(key, self.entries[pos].code)


def _level_alias_keys(code: str) -> list[str]:
    if "-" not in code:
        return []
    upper, lower = code.split("-")
    keys = [f"{upper}{lower[1:]}".lower()] if upper[0] == lower[0] else []
    return [k for k in keys if k.upper() not in LEVEL_POS]  # "T12" is a level, not T1-T2


@functools.cache
def get_index() -> Index:
    """The index over every catalogue entry, built on the first call and then cached."""
    entries = point_entries() + extra_point_entries() + muscle_entries() + level_entries()
    index = Index(entries)
    rows: list[tuple[str, int, int]] = []
    aliases_of: dict[str, list[str]] = {}
    for alias, channel in CHANNEL_ALIASES.items():
        if alias != channel:
            aliases_of.setdefault(channel, []).append(alias)
    for pos, entry in enumerate(entries):
        index.by_code[entry.code] = entry
        index.pos_of[entry.code] = pos
        index.add(lookup_key(entry.code), CODE, pos, rows)
        index.add(lookup_key(entry.label), NAME, pos, rows)
        if entry.pinyin:
            index.names.setdefault(lookup_key(entry.pinyin), []).append(entry.code)
            index.add(lookup_key(entry.pinyin), NAME, pos, rows)
        if entry.group in aliases_of:
            number = entry.code[len(entry.group) :]
            for alias in aliases_of[entry.group]:
                index.add(lookup_key(alias + number), ALIAS_CODE, pos, rows)
        for key in _level_alias_keys(entry.code):
            index.add(key, ALIAS_CODE, pos, rows)
        if entry.kind == "muscle":
            start = len(rows)
            for alias in entry.aliases:
                index.add(lookup_key(alias), NAME, pos, rows)
            for name in (entry.code, *entry.aliases):
                words = name.split()
                for i in range(1, len(words)):
                    index.add(lookup_key("".join(words[i:])), WORD, pos, rows)
            index.muscle_keys.extend([(lookup_key(entry.code), CODE, pos)] + rows[start:])
    for name, codes in ALTERNATIVE_NAMES.items():
        index.names.setdefault(lookup_key(name), []).extend(codes)
        for code in codes:
            index.add(lookup_key(name), NAME, index.pos_of[code], rows)
    owners: dict[str, set[int]] = {}
    for key, tier, pos in rows:
        if tier != WORD:
            owners.setdefault(key, set()).add(pos)
    index.exact = {key: next(iter(p)) for key, p in owners.items() if len(p) == 1}
    rows.sort()
    index.prefix_keys = [key for key, _, _ in rows]
    index.prefix_rows = [(tier, pos) for _, tier, pos in rows]
    return index


CLOSE_CUTOFF = 0.6


@functools.cache
def _suggest_keys_by_length(kinds: frozenset[str]) -> dict[int, list[str]]:
    """The suggestion keys of entries of ``kinds``, by length, in the index's order."""
    index = get_index()
    by_length: dict[int, list[str]] = {}
    for key, code in index.suggest.items():
        if index.by_code[code].kind in kinds:
            by_length.setdefault(len(key), []).append(key)
    return by_length


def close(text: str, kinds: Iterable[str]) -> list[str]:
    """Up to three canonical codes whose keys look like ``text`` (difflib ratio).

    Only keys whose length lets them pass difflib's first test (``real_quick_ratio``,
    2 min(a, b) / (a + b), at least the cutoff) are given to difflib, which would drop
    the others itself: the same suggestions, without trying ~2,000 keys of every length
    for each unknown code (12 ms each of the point property test's 14 ms)."""
    index, word = get_index(), lookup_key(text)
    size = len(word)
    keys = [
        key
        for length, group in _suggest_keys_by_length(frozenset(kinds)).items()
        if (2.0 * min(length, size) / (length + size) if length + size else 1.0) >= CLOSE_CUTOFF
        for key in group
    ]
    out: list[str] = []
    for key in difflib.get_close_matches(word, keys, n=10, cutoff=CLOSE_CUTOFF):
        code = index.suggest[key]
        if code not in out:
            out.append(code)
    return out[:MAX_SUGGESTIONS]


def dedupe(codes: Iterable[str]) -> list[str]:
    """The first three distinct codes, in order."""
    return list(dict.fromkeys(codes))[:MAX_SUGGESTIONS]


def prefix_hits(key: str, best: dict[int, int], kinds: tuple[str, ...] | None) -> None:
    """Record in ``best`` (position -> tier) every entry with a key starting with ``key``."""
    index = get_index()
    start = bisect.bisect_left(index.prefix_keys, key)
    for i in range(start, len(index.prefix_keys)):
        if not index.prefix_keys[i].startswith(key):
            break
        tier, pos = index.prefix_rows[i]
        if kinds is None or index.entries[pos].kind in kinds:
            best[pos] = min(tier, best.get(pos, tier))


def ranked(best: dict[int, int], limit: int | None) -> list[CatalogueEntry]:
    """The entries in ``best``, by tier and then catalogue order, cut to ``limit``."""
    order = sorted(best, key=lambda pos: (best[pos], pos))
    return [get_index().entries[pos] for pos in order[:limit]]
