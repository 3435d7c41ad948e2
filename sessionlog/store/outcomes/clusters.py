"""Per-patient sums in the outcome cache, for intervals that treat the patient as the unit.

:class:`sessionlog.analysis.stats.ClusterSums` needs, per technique (or family) and
slot, the number of patients, the sums of each patient's totals and the sums of the
products of those totals. ``outcome_group`` keeps them for the whole clinic (``q_*``
and ``p_*`` columns, schema 0006); a filtered comparison sums the patients of the
sessions it covers (:mod:`.counts`). The SQL here mirrors
:func:`sessionlog.analysis.stats.point_totals`; the tests hold the cache to the pure path.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...analysis.readings import DOSE_BAND_SLOT
from ...analysis.soreness import DOSE_BANDS
from ...analysis.stats import COUNTED, PRODUCTS, QUANTITIES, ClusterSums
from ...analysis.windows import DEFAULT_WINDOWS

# The cache's immediate window (relief kept is counted in the later pain windows).
IMMEDIATE_SLOT = next(i for i, w in enumerate(DEFAULT_WINDOWS) if w.immediate)
assert IMMEDIATE_SLOT == 0


def point_sql(before: str, value: str, immediate: str = "NULL") -> dict[str, str]:
    """What one point adds to its patient's totals, as SQL (see ``point_totals``);
    ``immediate``: the same session's pain right after it, NULL but in later windows."""
    b, v, i = before, value, immediate
    return {
        "n": "1",
        "np": f"({b} > 0)",
        "rel": f"({b} - {v})",
        "pct": f"(CASE WHEN {b} > 0 THEN ({b} - {v}) * 100.0 / {b} ELSE 0.0 END)",
        "r2": f"({b} - {v} >= 2)",
        "r30": f"({b} > 0 AND ({b} - {v}) * 100 >= 30 * {b})",
        "rec": f"({b} > 0 AND {v} = 0)",
        "zero": f"({v} = 0)",
        "v": f"{v}",
        "by1": f"({v} BETWEEN 0 AND 1)",
        "by2": f"({v} BETWEEN 0 AND 2)",
        "by3": f"({v} BETWEEN 0 AND 3)",
        "odd": f"(abs({v}) % 2)",
        "pn": f"({i} IS NOT NULL)",
        "k0": f"coalesce({b} - {i}, 0)",
        "kw": f"(CASE WHEN {i} IS NOT NULL THEN {b} - {v} ELSE 0 END)",
    }


def band_slot_sql(insertions: str, twitches: str) -> tuple[str, str]:
    """The dose-band slots of a session, as two CASE expressions (NULL: below every
    band), as :func:`sessionlog.analysis.soreness.band_slots` numbers them."""
    out, first = [], DOSE_BAND_SLOT
    for column, (_, bands) in zip((insertions, twitches), DOSE_BANDS, strict=True):
        whens = " ".join(
            f"WHEN {column} >= {lo}"
            + ("" if hi is None else f" AND {column} <= {hi}")
            + f" THEN {first + i}"
            for i, (lo, hi) in enumerate(bands)
        )
        out.append(f"(CASE {whens} END)")
        first += len(bands)
    return out[0], out[1]


_LAST_BAND = DOSE_BAND_SLOT + sum(len(b) for _, b in DOSE_BANDS) - 1
DOSE_BAND_SLOTS = f"slot BETWEEN {DOSE_BAND_SLOT} AND {_LAST_BAND}"  # (SQL)


GROUP_COLUMNS = ", ".join(
    [f"q_{q}" for q in QUANTITIES]
    + [f"p_{a}_{b}" for a, b in PRODUCTS]
    + [f"g_{q}" for q in COUNTED]
)


def moments_sql(sign: str = "", zero: frozenset[str] = frozenset()) -> str:
    """The sums over patients of their totals and products (``sign``: a factor, e.g.
    ``-1 *`` to count patients out), in :data:`GROUP_COLUMNS` order. ``zero``: the
    totals that are 0 for every patient of the slot (:func:`zero_totals`): their sums
    are 0 without adding them up."""

    def total(expr: str, *qs: str) -> str:
        return "0" if zero.intersection(qs) else f"sum({sign}{expr})"

    return ", ".join(
        [total(f"q_{q}", q) for q in QUANTITIES]
        + [total(f"q_{a} * q_{b}", a, b) for a, b in PRODUCTS]
        + [total(f"(q_{q} > 0)", q) for q in COUNTED]
    )


def zero_totals(before: str, immediate: str) -> frozenset[str]:
    """The totals of :func:`point_sql` that are 0 whatever the value: the relief kept
    beside no immediate pain, and the relief and responders beside a pain before of 0
    (the time to loss of relief: its values are never negative)."""
    zero = {"pn", "k0", "kw"} if immediate == "NULL" else set()
    if before == "0":
        zero |= {"np", "pct", "r2", "r30", "rec"}
    return frozenset(zero)


def cluster_sums(patients: int, row: Sequence[float]) -> ClusterSums:
    """A :class:`ClusterSums` from ``patients`` and the :data:`GROUP_COLUMNS` values."""
    nq, npr = len(QUANTITIES), len(PRODUCTS)
    return ClusterSums(
        patients,
        dict(zip(QUANTITIES, (float(x) for x in row[:nq]), strict=True)),
        dict(zip(PRODUCTS, (float(x) for x in row[nq : nq + npr]), strict=True)),
        dict(zip(COUNTED, (int(x) for x in row[nq + npr :]), strict=True)),
    )
