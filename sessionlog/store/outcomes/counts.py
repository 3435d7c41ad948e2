"""The outcome cache's whole-clinic counts: rows of ``outcome_session`` counted in or out.

Every count the unfiltered comparison reads is a sum over patients, so a set of
patients' rows can be counted in (+1: new rows) or out (-1: the rows about to be
replaced) by :func:`count`:

- ``outcome_total``: points per technique, slot, pain before and value;
- ``outcome_day``: sessions per technique and day (a window's completeness);
- ``outcome_group``: per family and per technique and slot, the patients, the sums of
  each patient's totals and of their products (the clustered intervals);
- ``outcome_dose_patient`` (put in here, taken out by the caller) and, from it,
  ``outcome_dose_group`` (:func:`count_dose_groups`).

Comparisons for one practitioner, region, dates or a complaint group the points of
``outcome_session`` when asked (:mod:`.queries`); nothing per practitioner or region
is kept.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from ...analysis.readings import ADVERSE_SLOT, LOSS_SLOT, SESSION_SLOT, SORENESS_SLOT
from ...analysis.soreness import DOSE_WINDOW
from ...analysis.stats import QUANTITIES, median_ranks
from ...analysis.windows import Window
from ...domain.techniques import AE_TIERS
from .clusters import (
    GROUP_COLUMNS,
    IMMEDIATE_SLOT,
    band_slot_sql,
    moments_sql,
    point_sql,
    zero_totals,
)
from .points import ADVERSE_SLOTS, DIRTY, slot_columns
from .tally import TALLY_STEPS, DoseRow, Part, finish, merge, read_sql, tally, tally_part

TOTAL_KEY = "technique, slot, pain_before, value"
_DOSE_SORENESS_SLOT = SORENESS_SLOT + DOSE_WINDOW  # soreness near 24 h


@dataclass(frozen=True)
class Slot:
    """How one slot's points come out of a session's row (SQL over its columns)."""

    slot: str  # the slot: a number, or for the dose bands a CASE of the session's dose
    before: str  # the pain before (0 for the time to loss of relief: readings.LOSS_SLOT)
    value: str
    immediate: str  # the pain right after, beside a later pain window's point
    present: str  # the session has a point there

    @property
    def zero(self) -> frozenset[str]:
        """The patients' totals that are 0 in this slot (see ``zero_totals``)."""
        return zero_totals(self.before, self.immediate)

    @property
    def kind(self) -> str:
        """``band`` (soreness by dose), ``adverse`` (events by tier), else ``point``."""
        if not self.slot.isdigit():
            return "band"
        return "adverse" if int(self.slot) > ADVERSE_SLOT else "point"


def slot_specs(windows: tuple[Window, ...]) -> tuple[Slot, ...]:
    """Every slot of a row: its points (the pain, soreness, resolution and loss columns,
    the session's own), its adverse events, and its soreness near 24 h again under its
    two dose bands' slots (per-patient sums only)."""
    out = []
    for slot in slot_columns(windows):
        later = slot < len(windows) and slot != IMMEDIATE_SLOT
        value = f"s{slot}"
        out.append(
            Slot(
                str(slot),
                "0" if slot == LOSS_SLOT else "pain_before",
                value,
                f"s{IMMEDIATE_SLOT}" if later else "NULL",
                f"{value} > 0" if slot in ADVERSE_SLOTS else f"{value} IS NOT NULL",
            )
        )
    out.append(Slot(str(SESSION_SLOT), "pain_before", "pain_before", "NULL", "true"))
    soreness = f"s{_DOSE_SORENESS_SLOT}"
    for band in band_slot_sql("insertions", "twitches"):
        present = f"{soreness} IS NOT NULL AND {band} IS NOT NULL"
        out.append(Slot(band, "pain_before", soreness, "NULL", present))
    return tuple(out)


# A count reads its rows in this many parts, calling progress after each (a first
# comparison's bar keeps moving while the rows come in).
FETCH_STEPS = 4


def steps(windows: tuple[Window, ...]) -> int:
    """How many times :func:`count` calls its progress function."""
    return FETCH_STEPS + TALLY_STEPS + len(slot_specs(windows))


def _fetch(
    conn: sqlite3.Connection, sql: str, rows: int, progress: Callable[[int], None]
) -> list[tuple[object, ...]]:
    """The rows of ``sql`` (``rows`` of them), fetched in :data:`FETCH_STEPS` parts."""
    cursor = conn.execute(sql)
    out: list[tuple[object, ...]] = []
    part = -(-rows // FETCH_STEPS) or 1
    for _ in range(FETCH_STEPS - 1):
        out += cursor.fetchmany(part)
        progress(1)
    out += cursor.fetchall()
    progress(1)
    return out


def _not_bands(windows: tuple[Window, ...]) -> tuple[Slot, ...]:
    return tuple(spec for spec in slot_specs(windows) if spec.kind != "band")


def points_of(windows: tuple[Window, ...], kind: str = "point") -> tuple[Slot, ...]:
    """The slots of one ``kind`` (see :attr:`Slot.kind`)."""
    return tuple(spec for spec in slot_specs(windows) if spec.kind == kind)


def cells_sql(
    specs: tuple[Slot, ...], source: str, where: str, sign: int = 1, group: str = "technique"
) -> str:
    """Points per ``group``, slot, pain before and value of ``source``'s rows matching
    ``where``, times ``sign``: one GROUP BY per slot (smaller sorts than one over every
    point). ``where`` is repeated in each of ``len(specs)`` parts (its parameters too)."""
    arms = []
    for spec in specs:
        # (GROUP BY 0 would name a column by its position)
        keys = spec.value if spec.before == "0" else f"pain_before, {spec.value}"
        arms.append(
            f"SELECT {group}, {spec.slot}, {spec.before}, {spec.value}, {sign} * count(*)"
            f" FROM {source} WHERE {spec.present} AND {where} GROUP BY {group}, {keys}"
        )
    return " UNION ALL ".join(arms)


def _totals_sql(spec: Slot) -> str:
    totals = point_sql(spec.before, spec.value, spec.immediate)
    zero = spec.zero
    return ", ".join(f"{'0' if q in zero else f'sum({totals[q]})'} AS q_{q}" for q in QUANTITIES)


def moments_by_slot_sql(specs: tuple[Slot, ...], source: str, where: str, group: str) -> str:
    """Per ``group`` and slot: the patients, the sums over them of each patient's totals
    and of their products (:data:`.outcome_clusters.GROUP_COLUMNS`), of ``source``'s rows
    matching ``where``; one part per slot, each sorting only that slot's rows (``where``
    and its parameters repeated in each)."""
    return " UNION ALL ".join(
        f"SELECT {group}, slot, count(*), {moments_sql(zero=spec.zero)} FROM (SELECT {group},"
        f" {spec.slot} AS slot, patient_id, {_totals_sql(spec)} FROM {source}"
        f" WHERE {spec.present} AND {where} GROUP BY {group}, patient_id, 2) GROUP BY {group}, slot"
        for spec in specs
    )


_ADD_TO_GROUP = " ON CONFLICT (grouping, key, slot) DO UPDATE SET " + ", ".join(
    f"{c} = {c} + excluded.{c}" for c in ("patients", *GROUP_COLUMNS.split(", "))
)


def _upsert(key: str) -> str:
    return f" ON CONFLICT ({key}) DO UPDATE SET n = n + excluded.n"


def count(
    conn: sqlite3.Connection,
    windows: tuple[Window, ...],
    source: str,
    where: str,
    sign: int,
    progress: Callable[[int], None] = lambda n: None,
    other: Callable[[], Part] | None = None,
) -> None:
    """Count ``source``'s rows matching ``where`` into (``sign`` 1) or out of (-1) the
    totals, the days and the patients' sums; with 1, add their patients' rows to
    ``outcome_dose_patient`` too. ``progress(1)`` after each of :func:`steps` steps: each
    part of the rows read, then each of the tally's. ``other``: called once these are
    counted, other patients' counts (:meth:`.parallel.Second.counts`), added to them."""
    specs = slot_specs(windows)
    rows = conn.execute(f"SELECT count(*) FROM {source} WHERE {where}").fetchone()[0]
    read = _fetch(conn, read_sql(specs, source, where), rows, progress)
    if other is None:
        counted = tally(read, specs, progress)
        write_counts(conn, counted.totals, counted.days, counted.doses, sign)
    else:  # these rows' counts are written while the other part may still be computed
        mine = tally_part(read, specs, progress)
        write_counts(conn, mine.totals, mine.days, mine.doses, sign)
        theirs = other()
        write_counts(conn, theirs.totals, theirs.days, theirs.doses, sign)
        counted = finish(merge(mine, theirs))  # (exact sums: added before dividing)
    marks = ", ".join("?" * (4 + len(GROUP_COLUMNS.split(", "))))
    conn.executemany(
        f"INSERT INTO outcome_group (grouping, key, slot, patients, {GROUP_COLUMNS})"
        f" VALUES ({marks}){_ADD_TO_GROUP}",
        [(*key, *(sign * x for x in row)) for *key, row in counted.groups],
    )
    # The loss pairs, counted by the tally from the same rows (two grouped self-joins
    # over every row took 1.4 s at 100,000 sessions).
    conn.executemany(
        "INSERT INTO outcome_loss_pair (grouping, key, a, b, n) VALUES (?, ?, ?, ?, ?)"
        + _upsert("grouping, key, a, b"),
        [(*key, sign * n) for key, n in counted.losses.items()],
    )
    for table in ("outcome_total", "outcome_day", "outcome_loss_pair"):
        conn.execute(f"DELETE FROM {table} WHERE n <= 0")


def loss_pairs_sql(source: str, where: str, group: str, lead: str = "WITH ") -> str:
    """Per ``group``, the sums over patients of the products of their counts of each two
    loss values a <= b (:func:`sessionlog.analysis.lasting.loss_pairs`), of ``source``'s
    rows matching ``where``; ``lead``: ", " after a WITH clause of the caller's."""
    loss = f"s{LOSS_SLOT}"
    return (
        f"{lead}loss_count AS MATERIALIZED (SELECT {group} AS g, patient_id, {loss} AS v,"
        f" count(*) AS c FROM {source} WHERE {loss} IS NOT NULL AND {where} GROUP BY 1, 2, 3)"
        " SELECT x.g, x.v, y.v, sum(x.c * y.c) FROM loss_count x JOIN loss_count y"
        " ON y.g = x.g AND y.patient_id = x.patient_id AND y.v >= x.v GROUP BY 1, 2, 3"
    )


def write_counts(
    conn: sqlite3.Connection,
    totals: Counter[tuple[str, int, int, int]],
    days: Counter[tuple[str, str]],
    doses: list[DoseRow],
    sign: int,
) -> None:
    """Add ``sign`` times these totals and days (upserts: a second part's add to the
    first's), and with ``sign`` 1 the patients' dose rows."""
    conn.executemany(
        f"INSERT INTO outcome_total ({TOTAL_KEY}, n) VALUES (?, ?, ?, ?, ?){_upsert(TOTAL_KEY)}",
        [(*key, sign * n) for key, n in totals.items()],
    )
    conn.executemany(
        "INSERT INTO outcome_day (technique, started_on, n) VALUES (?, ?, ?)"
        + _upsert("technique, started_on"),
        [(*key, sign * n) for key, n in days.items()],
    )
    if sign > 0:
        conn.executemany(_DOSE_PATIENT_SQL, doses)


def drop_empty_groups(conn: sqlite3.Connection) -> None:
    """Remove the groups whose last patient was counted out."""
    conn.execute("DELETE FROM outcome_group WHERE patients <= 0")


# Per patient and family (and technique): sessions, first, last, insertions, and
# sessions with an adverse event of each tier (ae_*: rates with the patient as the unit).
AE_COLUMNS = ", ".join(f"ae_{t}" for t in AE_TIERS)
_DOSE_PATIENT_SQL = f"""
INSERT INTO outcome_dose_patient (grouping, key, patient_id, sessions, first_at, last_at,
                                  insertions, insertions_sq, per_week, {AE_COLUMNS})
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,
        CASE WHEN ?4 > 1 AND ?6 > ?5 THEN (?4 - 1) * 7.0 / (julianday(?6) - julianday(?5)) END,
        {", ".join(f"?{9 + i}" for i in range(len(AE_TIERS)))})
"""


# Over patients: sessions, Σ sessions², insertions, Σ insertions², Σ (a patient's
# insertions)², Σ insertions × sessions; per tier Σ y, Σ y², Σ y × sessions (y: the
# patient's sessions with an event of the tier). From per-patient rows (n, ins, ins_sq,
# ae_*), as outcome_dose_group keeps them for the whole clinic.
_DOSE_TERMS = (
    "1", "n", "n * n", "ins", "ins_sq", "ins * ins", "ins * n",
    *(x for t in AE_TIERS for x in (f"ae_{t}", f"ae_{t} * ae_{t}", f"ae_{t} * n")),
)  # fmt: skip
DOSE_GROUP_SUMS = ", ".join(f"sum({term})" for term in _DOSE_TERMS)
DOSE_GROUP_COLUMNS = (
    "patients", "sessions", "sessions_sq", "insertions", "insertions_sq", "insertions_p2",
    "insertions_n", *(f"ae_{t}{end}" for t in AE_TIERS for end in ("", "_sq", "_n")),
)  # fmt: skip
_DOSE_ROWS = (
    "SELECT grouping, key, sessions AS n, insertions AS ins, insertions_sq AS ins_sq,"
    f" {AE_COLUMNS} FROM outcome_dose_patient"
)


def count_dose_groups(conn: sqlite3.Connection, change: int = 0) -> None:
    """Keep ``outcome_dose_group`` (the whole clinic's dose sums per family and
    technique): counted whole (``change`` 0, after a full build), or the patients in
    ``temp.outcome_dirty`` taken out (-1, before their rows go) or put back (+1, after
    their new rows are in). Then each group's median sessions a week, from the index."""
    cols = ", ".join(DOSE_GROUP_COLUMNS)
    if not change:
        conn.execute("DELETE FROM outcome_dose_group")
        conn.execute(
            f"INSERT INTO outcome_dose_group (grouping, key, {cols})"
            f" SELECT grouping, key, {DOSE_GROUP_SUMS} FROM ({_DOSE_ROWS}) GROUP BY grouping, key"
        )
    else:
        sums = ", ".join(f"sum({change} * ({term}))" for term in _DOSE_TERMS)
        conn.execute(
            f"INSERT INTO outcome_dose_group (grouping, key, {cols})"
            f" SELECT grouping, key, {sums} FROM ({_DOSE_ROWS} WHERE patient_id IN {DIRTY})"
            " WHERE true GROUP BY grouping, key ON CONFLICT (grouping, key) DO UPDATE SET "
            + ", ".join(f"{c} = {c} + excluded.{c}" for c in DOSE_GROUP_COLUMNS)
        )
        conn.execute("DELETE FROM outcome_dose_group WHERE patients <= 0")
        if change < 0:
            return
    where = "grouping = ? AND key = ? AND per_week IS NOT NULL"  # by outcome_dose_patient_week
    for grouping, key in conn.execute("SELECT grouping, key FROM outcome_dose_group").fetchall():
        n = conn.execute(
            f"SELECT count(*) FROM outcome_dose_patient WHERE {where}", (grouping, key)
        ).fetchone()[0]
        at = (
            f"SELECT avg(per_week) FROM (SELECT per_week FROM outcome_dose_patient"
            f" WHERE {where} ORDER BY per_week LIMIT ? OFFSET ?)"
        )
        median = (
            conn.execute(at, (grouping, key, 2 - n % 2, (n - 1) // 2)).fetchone()[0] if n else None
        )
        ranks = median_ranks(n)  # its interval: two order statistics
        low, high = (
            (None, None)
            if ranks is None
            else (conn.execute(at, (grouping, key, 1, r - 1)).fetchone()[0] for r in ranks)
        )
        conn.execute(
            "UPDATE outcome_dose_group SET per_week_median = ?, per_week_low = ?,"
            " per_week_high = ? WHERE grouping = ? AND key = ?",
            (median, low, high, grouping, key),
        )
