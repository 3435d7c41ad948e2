"""The facts behind the catalogue: point codes and names, muscles, spinal levels.

The CSV files under ``sessionlog/data/`` hold the facts (codes, counts, pinyin names,
muscle names and their thorax-risk flags); this module reads them lazily through
``importlib.resources`` and turns every row into a :class:`CatalogueEntry`. The lookup
and normalisation logic lives in :mod:`sessionlog.points`; import from there.

No location texts are stored anywhere: WHO's location descriptions are copyrighted.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources

# WHO Standard Acupuncture Point Locations (2008) / WHO nomenclature (1991).
CHANNEL_COUNTS: dict[str, int] = {
    "LU": 11, "LI": 20, "ST": 45, "SP": 21, "HT": 9, "SI": 19, "BL": 67,
    "KI": 27, "PC": 9, "TE": 23, "GB": 44, "LR": 14, "GV": 28, "CV": 24,
}  # fmt: skip

# Old and national abbreviations people type, mapped to the WHO channel code. Single
# letters are only those that are unambiguous: "L" (lung? liver? lumbar?) and "S"
# (stomach? spleen? sacral?) are deliberately absent.
CHANNEL_ALIASES: dict[str, str] = {
    **{code: code for code in CHANNEL_COUNTS},
    "SJ": "TE", "TH": "TE", "TB": "TE", "TW": "TE",
    "LV": "LR", "LIV": "LR",
    "DU": "GV", "DM": "GV",
    "REN": "CV", "RN": "CV",
    "UB": "BL", "B": "BL",
    "K": "KI", "KD": "KI",
    "P": "PC", "CS": "PC", "PE": "PC",
    "H": "HT", "HE": "HT",
}  # fmt: skip

EXTRA_REGIONS: tuple[str, ...] = ("EX-HN", "EX-CA", "EX-B", "EX-UE", "EX-LE")

# Other names in common use (older WHO 1991 spellings, popular names). A name may point
# at several codes: such a name is reported as ambiguous, never guessed.
ALTERNATIVE_NAMES: dict[str, tuple[str, ...]] = {
    "Zanzhu": ("BL2",),
    "Pushen": ("BL61",),
    "Gaohuangshu": ("BL43",),
    "Tonggu": ("BL66", "KI20"),
    "Heliao": ("LI19", "TE22"),
    "Qiaoyin": ("GB11", "GB44"),
    "Qimai": ("TE18",),
    "Shanzhong": ("CV17",),
    "Renzhong": ("GV26",),
    "Waixiyan": ("ST35",),
    "Huatuojiaji": ("EX-B2",),
    "Weiguanxiashu": ("EX-B3",),
    "Yaotongxue": ("EX-UE7",),
    "Bitong": ("EX-HN8",),
    "Bailao": ("EX-HN15",),
}

# Extra points on the midline, like every GV and CV point: one needle, no side.
# EX-HN3 Yintang (between the eyebrows), EX-HN11 Haiquan (frenulum of the tongue),
# EX-B8 Shiqizhui (below the L5 spinous process), EX-B9 Yaoqi (above the coccyx).
MIDLINE_EXTRA_POINTS: frozenset[str] = frozenset({"EX-HN3", "EX-HN11", "EX-B8", "EX-B9"})


def _span(channel: str, first: int, last: int) -> set[str]:
    return {f"{channel}{n}" for n in range(first, last + 1)}


# Points where needling too deep (or in the wrong direction) can reach the pleura:
# the infraclavicular and intercostal points of the chest wall, the supraclavicular
# fossa and the lung apex at the root of the neck and the top of the shoulder, and the
# two bladder lines of the back from T1 to T12 (with EX-B2 Jiaji and EX-B3, which sit
# on the same levels). Midline sternal points (CV15-CV21) are not flagged: the bone
# protects the pleura and their risk (a sternal foramen) is cardiac, not pneumothorax.
# The list errs on the side of flagging: a false alarm costs a glance, a miss a lung.
POINT_THORAX_RISK: frozenset[str] = frozenset(
    _span("LU", 1, 2)
    | _span("ST", 11, 18)
    | _span("SP", 17, 21)
    | _span("KI", 22, 27)
    | {"PC1", "LR14", "TE15"}
    | _span("GB", 21, 24)
    | _span("SI", 13, 15)
    | _span("BL", 11, 21)
    | _span("BL", 41, 50)
    | {"EX-B2", "EX-B3"}
)

SPINAL_REGIONS: dict[str, str] = {"C": "cervical", "T": "thoracic", "L": "lumbar", "S": "sacral"}
SPINAL_SINGLE_LEVELS: tuple[str, ...] = (
    *(f"C{n}" for n in range(1, 8)),
    *(f"T{n}" for n in range(1, 13)),
    *(f"L{n}" for n in range(1, 6)),
    "S1",
    "S2",
)
# Paraspinal needling from C7-T1 to T12-L1 is over the pleura: its dome rises to the
# neck of the first rib and its costodiaphragmatic recess reaches T12 beside the spine.
_THORACIC_RISK_LEVELS: frozenset[str] = frozenset(
    [f"T{n}" for n in range(1, 13)] + [f"T{n}-T{n + 1}" for n in range(1, 12)] + ["C7-T1", "T12-L1"]
)


@dataclass(frozen=True)
class CatalogueEntry:
    """One thing a needle can be put into: a point, a muscle or a spinal level.

    ``kind`` is ``"acupuncture_point"``, ``"muscle"`` or ``"spinal_level"``; ``code`` is
    the canonical form stored in the database; ``label`` is for display; ``group`` is
    the channel, extra-point region, body region or spinal region.
    """

    kind: str
    code: str
    label: str
    group: str
    pinyin: str | None
    thorax_risk: bool
    aliases: tuple[str, ...] = ()


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("sessionlog").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@functools.cache
def point_entries() -> tuple[CatalogueEntry, ...]:
    """The 361 classical points, in channel order then number order."""
    order = list(CHANNEL_COUNTS)
    rows = sorted(
        _read_csv("points.csv"), key=lambda r: (order.index(r["channel"]), int(r["number"]))
    )
    return tuple(
        CatalogueEntry(
            kind="acupuncture_point",
            code=r["code"],
            label=f"{r['code']} {r['pinyin']}",
            group=r["channel"],
            pinyin=r["pinyin"],
            thorax_risk=r["code"] in POINT_THORAX_RISK,
        )
        for r in rows
    )


@functools.cache
def extra_point_entries() -> tuple[CatalogueEntry, ...]:
    """The extra points (WHO 1991 list of 48), by region then number."""
    rows = sorted(
        _read_csv("extra_points.csv"),
        key=lambda r: (EXTRA_REGIONS.index(r["region"]), int(r["number"])),
    )
    return tuple(
        CatalogueEntry(
            kind="acupuncture_point",
            code=r["code"],
            label=f"{r['code']} {r['pinyin']}",
            group=r["region"],
            pinyin=r["pinyin"],
            thorax_risk=r["code"] in POINT_THORAX_RISK,
        )
        for r in rows
    )


@functools.cache
def muscle_entries() -> tuple[CatalogueEntry, ...]:
    """The muscles commonly dry-needled or treated with IMS, in file order."""
    return tuple(
        CatalogueEntry(
            kind="muscle",
            code=r["name"],
            label=f"{r['name']} ({r['region']})",
            group=r["region"],
            pinyin=None,
            thorax_risk=r["thorax_risk"].strip() == "1",
            aliases=tuple(a.strip() for a in r["aliases"].split("|") if a.strip()),
        )
        for r in _read_csv("muscles.csv")
    )


@functools.cache
def level_entries() -> tuple[CatalogueEntry, ...]:
    """Spinal levels C1..S2 and the intersegmental levels between neighbours, in order."""
    entries: list[CatalogueEntry] = []
    singles = SPINAL_SINGLE_LEVELS
    for i, level in enumerate(singles):
        codes = [level] + ([f"{level}-{singles[i + 1]}"] if i + 1 < len(singles) else [])
        region = SPINAL_REGIONS[level[0]]
        entries.extend(
            CatalogueEntry(
                kind="spinal_level",
                code=code,
                label=f"{code} ({region})",
                group=region,
                pinyin=None,
                thorax_risk=code in _THORACIC_RISK_LEVELS,
            )
            for code in codes
        )
    return tuple(entries)
