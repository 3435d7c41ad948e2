"""Whether the outcome cache's whole-clinic counts still agree with each other.

``outcome_group`` (sums over patients, for the clustered intervals) and
``outcome_total`` (points per technique, slot, pain before and value) are written
together from the same rows, so each sum of ``outcome_group`` that depends on a point's
pain before and value alone equals the same sum over ``outcome_total``; a family's
sums are those of its techniques; ``outcome_day``'s sessions per technique are the
sessions the totals count; counts lie between 0 and the sessions, and the sums
of squares over patients obey Cauchy-Schwarz (a variance is never negative). A row
edited by hand breaks one of these, and the comparison would show figures that are
not the records' or fail on a negative variance: :func:`unsound_groups` finds such rows
and the caller rebuilds the cache. It reads every row of the counts: at 100,000 sessions
151 of outcome_group, 2,809 of outcome_total and 14,922 of outcome_day, 13-15 ms of CPU
(bounds ~2.6, the totals' sums ~4.6, the days ~4.3), before every comparison.
"""

from __future__ import annotations

import sqlite3

from ...analysis.readings import SESSION_SLOT
from ...analysis.stats import PRODUCTS, QUANTITIES
from .clusters import DOSE_BAND_SLOTS, point_sql
from .points import family_sql

# Totals that are a count of sessions (0 or 1 per point): between 0 and the sessions.
_COUNTS = ("np", "r2", "zero", "by1", "by2", "by3", "odd", "pn")
_OF_NP = ("r30", "rec")  # counted among the sessions with a pain before above 0
# Totals that depend on the point's pain before and value alone (not on the pain right
# after the session): outcome_total gives them.
_PURE = tuple(q for q in QUANTITIES if q not in ("pn", "k0", "kw"))
_LIMIT = 1e300  # beyond it (or infinite) a value was not computed by sessionlog


def _differ(a: str, b: str) -> str:
    return f"abs(({a}) - ({b})) > 1e-6 * max(1.0, abs({a}), abs({b}))"


def _row_bounds() -> str:
    """SQL true for a row of outcome_group that no set of records gives."""
    columns = ["patients", "g_pn"] + [f"q_{q}" for q in QUANTITIES]
    columns += [f"p_{a}_{b}" for a, b in PRODUCTS]
    bad = [f"NOT ({c} BETWEEN -{_LIMIT} AND {_LIMIT})" for c in columns]
    bad += ["patients < 1", "q_n < patients", "g_pn < 0", "g_pn > patients", "q_n != round(q_n)"]
    for q in _COUNTS + _OF_NP:
        bad += [f"q_{q} < 0", f"q_{q} > q_n", f"q_{q} != round(q_{q})"]
    bad += [f"q_{q} > q_np" for q in _OF_NP]
    for a, b in PRODUCTS:
        if a == b:  # Σy² >= 0 and Σy² >= (Σy)² / G
            bad += [f"p_{a}_{a} < 0", _below(f"p_{a}_{a} * patients", f"q_{a} * q_{a}")]
        else:  # (Σyd)² <= Σy² Σd²
            bad.append(_below(f"p_{a}_{a} * p_{b}_{b}", f"p_{a}_{b} * p_{a}_{b}"))
    return " OR ".join(bad)


def _below(big: str, small: str) -> str:
    return f"({big}) < ({small}) - 1e-6 * max(1.0, abs({small}))"


def _sql() -> str:
    points = point_sql("pain_before", "value")
    from_total = ", ".join(f"sum({points[q]} * n) AS q_{q}" for q in _PURE)
    total_differs = " OR ".join(_differ(f"g.q_{q}", f"t.q_{q}") for q in _PURE)
    families = ", ".join(f"sum(q_{q}) AS q_{q}" for q in QUANTITIES)
    family_differs = " OR ".join(_differ(f"f.q_{q}", f"s.q_{q}") for q in QUANTITIES)
    techniques = (
        f"SELECT key, slot, patients, {', '.join(f'q_{q}' for q in QUANTITIES)}"
        " FROM outcome_group WHERE grouping = 'technique'"
    )
    return f"""
WITH t AS MATERIALIZED (
  SELECT technique AS key, slot, {from_total} FROM outcome_total GROUP BY technique, slot
), g AS (
  SELECT * FROM outcome_group WHERE grouping = 'technique' AND NOT ({DOSE_BAND_SLOTS})
), s AS MATERIALIZED (
  SELECT {family_sql("key")} AS key, slot, sum(patients) AS patients,
    max(patients) AS most, {families}
  FROM ({techniques}) GROUP BY 1, slot
), f AS (SELECT * FROM outcome_group WHERE grouping = 'family')
SELECT grouping, key, slot FROM outcome_group WHERE {_row_bounds()}
UNION SELECT 'technique', g.key, g.slot FROM g LEFT JOIN t USING (key, slot)
  WHERE t.key IS NULL OR {total_differs}
UNION SELECT 'technique', t.key, t.slot FROM t LEFT JOIN g USING (key, slot) WHERE g.key IS NULL
UNION SELECT 'family', f.key, f.slot FROM f LEFT JOIN s USING (key, slot)
  WHERE s.key IS NULL OR f.patients > s.patients OR f.patients < s.most OR {family_differs}
UNION SELECT 'family', s.key, s.slot FROM s LEFT JOIN f USING (key, slot) WHERE f.key IS NULL
UNION SELECT 'days', key, {SESSION_SLOT} FROM (
  SELECT technique AS key, sum(n) AS n, min(n) AS least FROM outcome_day GROUP BY technique
) d FULL JOIN (
  SELECT technique AS key, sum(n) AS n FROM outcome_total WHERE slot = {SESSION_SLOT}
  GROUP BY technique
) e USING (key) WHERE d.n IS NOT e.n OR d.least < 1
ORDER BY 1, 2, 3"""


_SQL = _sql()


def unsound_groups(conn: sqlite3.Connection) -> list[tuple[str, str, int]]:
    """The (grouping, key, slot) of the outcome_group rows that disagree with the rest
    of the cache or with what any records could give; [] when the counts agree."""
    return [(str(g), str(k), int(s)) for g, k, s in conn.execute(_SQL)]


def describe(found: list[tuple[str, str, int]]) -> str:
    """The rows found, for a sentence: 'technique acupuncture, slot 0', 'sessions per day
    of ims' (up to three)."""
    said = "; ".join(
        f"sessions per day of {k}" if g == "days" else f"{g} {k}, slot {s}" for g, k, s in found[:3]
    )
    return said + (f" and {len(found) - 3} more" if len(found) > 3 else "")
