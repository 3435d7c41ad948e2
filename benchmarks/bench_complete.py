"""Site completion while typing: ``points.complete`` per keystroke.

The form calls it on every key typed in a site's entry. Its baseline is the plainest
code that does the same lookup: a scan of every catalogue key for the typed prefix
(no ranking), over the same index and the same prefixes, alternated with it.
"""

from __future__ import annotations

from sessionlog import catalogue_index, points

from .measure import Row, median, ms, paired, ratio, verdict

# What a practitioner types, one key at a time: codes, pinyin, muscles, levels.
TYPED = ("st36", "zusanli", "upper trap", "l4-5", "gluteus med", "sj5", "ext", "b")
PREFIXES = tuple(word[:n] for word in TYPED for n in range(1, len(word) + 1))
TARGET_S = 0.001


def run(repeat: int) -> list[Row]:
    index = catalogue_index.get_index()
    keys = index.prefix_keys

    def ours() -> None:
        for prefix in PREFIXES:
            points.complete(prefix)

    def scan() -> None:
        for prefix in PREFIXES:
            key = catalogue_index.lookup_key(prefix)
            [k for k in keys if k.startswith(key)]

    a, b = paired(ours, scan, max(repeat, 5))
    per_key, base_key = median(a) / len(PREFIXES), median(b) / len(PREFIXES)
    return [
        Row(
            f"site completion per key typed ({len(PREFIXES)} prefixes, median of {len(a)})",
            ms(per_key),
            ms(base_key),
            ratio(per_key, base_key),
            "<= 1 ms a key",
            verdict(per_key <= TARGET_S),
        )
    ]
