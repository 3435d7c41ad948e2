"""The whole clinic's counts from ``outcome_session``'s rows, read once, in Python.

:func:`.counts.count` used to ask SQLite for them slot by slot: a ``GROUP BY`` per
slot for the totals, then per slot each patient's totals (16 sums over every point)
and their sums and products over patients (twice: per technique and per family),
about 16 million aggregate terms at 100,000 sessions, 5.7 s. Here the rows are read
once and every step runs in Python's C loops:

- each point's 16 totals (:func:`sessionlog.analysis.stats.point_totals`, the very
  definition the pure path uses) are packed into one integer, a 64-bit lane each, and
  looked up per distinct (pain before, value, immediate pain): a patient's totals are
  then a difference of two running sums (rows in technique, patient order);
- a group's sums over patients and sums of products come from the lanes, read back as
  64-bit integers (``array``), with ``sum`` and ``map(mul)``.

The relief in percent is kept exact: scaled by the least common multiple of the pains
before (2520 for 1 to 10) it is an integer, divided back at the end. The counts equal
the SQL's (:func:`.counts.moments_by_slot_sql`, still used for filtered comparisons)
but for the last bits of those sums, which SQLite adds up as floats in its own order.

:func:`tally_part` keeps a group's sums as exact integers (:class:`Part`), so the counts
of two sets of patients, each tallied on its own (:mod:`.parallel`), :func:`merge` into
what the rows of both give, to the last bit, once :func:`finish` divides.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, compress, islice
from operator import mul, ne, or_, sub
from typing import TYPE_CHECKING

from ...analysis.readings import DOSE_BAND_SLOT, LOSS_SLOT
from ...analysis.soreness import DOSE_BANDS
from ...analysis.stats import COUNTED, PRODUCTS, QUANTITIES, point_totals
from ...domain.techniques import TECHNIQUES

if TYPE_CHECKING:
    from .counts import Slot

_LANES = len(QUANTITIES)


@dataclass(frozen=True)
class _Lanes:
    """How a point's totals are packed: ``bits`` a lane (an ``array`` ``typecode``).
    ``bias``: added to a sum of packed totals, then each lane's top bit flipped, every
    lane holds its total in two's complement (the borrows of negative lanes undone)."""

    bits: int
    typecode: str
    bias: int


def _lanes(bits: int, typecode: str) -> _Lanes:
    return _Lanes(bits, typecode, sum(1 << (bits * q + bits - 1) for q in range(_LANES)))


# Narrow lanes (smaller integers, faster sums) when a slot's totals fit in them.
_NARROW, _WIDE = _lanes(32, "i"), _lanes(64, "q")
assert array(_NARROW.typecode).itemsize * 8 == _NARROW.bits
assert array(_WIDE.typecode).itemsize * 8 == _WIDE.bits


@dataclass(frozen=True)
class _Form:
    """A slot's packing: its lanes, and the scale of the relief in percent."""

    scale: int
    lanes: _Lanes


_PCT = QUANTITIES.index("pct")
# The products' lanes, and how many of the two are the relief in percent (scaled).
_PAIRS = tuple(
    ((QUANTITIES.index(a), QUANTITIES.index(b)), (a == "pct") + (b == "pct")) for a, b in PRODUCTS
)
_HAVING = tuple(QUANTITIES.index(q) for q in COUNTED)
_READ = "patient_id, technique, started_on, started_at, insertions"
_FIXED = _READ.split(", ")
# A point as one integer (SQL, then Python): its value, its pain before (0-10), its
# pain right after plus 1 (0: none) and, for a dose band, the band's index.
_EXTRA_BITS, _IMMEDIATE_BITS, _BEFORE_BITS = 6, 4, 4


def _code_sql(spec: Slot, first: int) -> str:
    immediate = "0" if spec.immediate == "NULL" else f"coalesce({spec.immediate} + 1, 0)"
    extra = f"({spec.slot}) - {first}" if spec.kind == "band" else "0"
    return (
        f"CASE WHEN {spec.present} THEN ((({spec.value}) * {1 << _BEFORE_BITS} + {spec.before})"
        f" * {1 << _IMMEDIATE_BITS} + {immediate}) * {1 << _EXTRA_BITS} + {extra} END"
    )


def _decode(code: int) -> tuple[int, int, int | None, int]:
    """(value, pain before, pain right after, band index) of a point's code."""
    extra = code & ((1 << _EXTRA_BITS) - 1)
    code >>= _EXTRA_BITS
    immediate = code & ((1 << _IMMEDIATE_BITS) - 1)
    code >>= _IMMEDIATE_BITS
    before = code & ((1 << _BEFORE_BITS) - 1)
    return code >> _BEFORE_BITS, before, immediate - 1 if immediate else None, extra


def _bands(specs: Sequence[Slot]) -> list[tuple[int, int]]:
    """Per slot of ``specs``: its first slot and how many (several for a dose band)."""
    first, bands, out = DOSE_BAND_SLOT, iter(DOSE_BANDS), []
    for spec in specs:
        if spec.kind == "band":
            n = len(next(bands)[1])
            out.append((first, n))
            first += n
        else:
            out.append((int(spec.slot), 1))
    return out


def read_sql(specs: Sequence[Slot], source: str, where: str) -> str:
    """The rows :func:`tally` counts: ``source``'s matching ``where``, each slot's point
    as one integer (NULL: none), in technique and patient order."""
    bands = _bands(specs)
    codes = ", ".join(_code_sql(s, first) for s, (first, _) in zip(specs, bands, strict=True))
    return f"SELECT {_READ}, {codes} FROM {source} WHERE {where} ORDER BY technique, patient_id"


TALLY_STEPS = 1  # progress steps before the slots' (the rows' columns, runs and doses)
GroupRow = tuple[str, str, int, list[float]]  # grouping, key, slot, [patients, columns...]
# grouping, key, a, b: outcome_loss_pair's key (n: the value)
LossKey = tuple[str, str, int, int]
# grouping, key, patient, sessions, first, last, insertions, Σ insertions², per AE tier
DoseRow = tuple[str | int, ...]


@dataclass
class Tally:
    """What :func:`tally` counted: ``outcome_total``'s, ``outcome_day``'s and
    ``outcome_group``'s rows (the group's values in ``patients``, ``GROUP_COLUMNS``
    order)."""

    totals: Counter[tuple[str, int, int, int]]
    days: Counter[tuple[str, str]]
    groups: list[GroupRow]
    doses: list[DoseRow] = field(default_factory=list)
    losses: Counter[LossKey] = field(default_factory=Counter)


def tally(
    rows: list[tuple[object, ...]], specs: Sequence[Slot], progress: Callable[[int], None]
) -> Tally:
    """Count ``rows`` (of :func:`read_sql`); ``progress(1)`` after the counts of whole
    rows (:data:`TALLY_STEPS`), then after each slot of ``specs``."""
    return finish(tally_part(rows, specs, progress))


@dataclass
class Part:
    """What :func:`tally_part` counted of some patients' rows, the groups' sums still
    exact integers: two parts of disjoint patients add up (:func:`merge`) to what the
    rows of both would give, to the last bit once :func:`finish` divides."""

    totals: Counter[tuple[str, int, int, int]]
    days: Counter[tuple[str, str]]
    doses: list[DoseRow]
    # per slot: per technique (by name) its patients' sums (alone: one technique in the
    # family; other: several, or None), and per family its several-technique patients'
    slots: dict[int, _SlotSums] = field(default_factory=dict)
    order: list[int] = field(default_factory=list)  # every slot of the specs, in order
    losses: Counter[LossKey] = field(default_factory=Counter)  # outcome_loss_pair's rows


def tally_part(
    rows: list[tuple[object, ...]],
    specs: Sequence[Slot],
    progress: Callable[[int], None],
    ready: Callable[[Part], None] | None = None,
) -> Part:
    """:func:`tally`'s counts of ``rows`` before its divisions (see :class:`Part`).
    ``ready``: called with the part once its days and doses are counted, before its
    slots (a second process sends them ahead: :mod:`.parallel`)."""
    cols = list(zip(*rows, strict=True)) if rows else [()] * (len(_FIXED) + len(specs))
    patients, techniques = cols[0], cols[1]
    plan = _Plan(patients, techniques)
    days: Counter[tuple[str, str]] = Counter()
    for technique, (lo, hi) in plan.rows.items():
        days.update({(technique, day): n for day, n in Counter(cols[2][lo:hi]).items()})
    adverse = [cols[len(_FIXED) + i] for i, spec in enumerate(specs) if spec.kind == "adverse"]
    out = Part(Counter(), days, plan.doses(cols[3], cols[4], adverse))
    out.order = [first + band for first, n in _bands(specs) for band in range(n)]
    loss = [i for i, spec in enumerate(specs) if spec.slot == str(LOSS_SLOT)]
    if loss:
        out.losses = plan.loss_pairs(cols[len(_FIXED) + loss[0]])
    if ready is not None:
        ready(out)
    progress(1)
    for i, (spec, (first, n)) in enumerate(zip(specs, _bands(specs), strict=True)):
        codes = cols[len(_FIXED) + i]
        per_technique = [(t, Counter(codes[lo:hi])) for t, (lo, hi) in plan.rows.items()]
        distinct = {c for _, counted in per_technique for c in counted if c is not None}
        if not distinct:  # no points: nothing to count
            progress(1)
            continue
        points = {c: _decode(c) for c in distinct}
        if spec.kind != "band":
            for technique, counted in per_technique:
                for c, k in counted.items():
                    if c is not None:
                        value, before, _, _ = points[c]
                        out.totals[(technique, first, before, value)] += k
        for band in range(n):
            mine = [p for p in points.values() if p[3] == band]
            scale = math.lcm(*(p[1] for p in mine if p[1] > 0))
            widest = max((abs(x) for p in mine for x in _totals(p, scale)), default=0)
            form = _Form(scale, _NARROW if widest * plan.longest < 2**31 else _WIDE)
            table: dict[int | None, int] = {None: 0}
            table.update((c, _pack(p, form) if p[3] == band else 0) for c, p in points.items())
            running = list(accumulate(map(table.__getitem__, codes), initial=0))
            out.slots[first + band] = plan.groups(running, form)
        progress(1)
    return out


def merge(a: Part, b: Part) -> Part:
    """The counts of two parts' patients together (no patient in both)."""
    slots = {}
    for slot in a.order:  # in the order one part of everyone's rows would have them
        if slot in a.slots and slot in b.slots:
            slots[slot] = _merge_slot(a.slots[slot], b.slots[slot])
        elif slot in a.slots or slot in b.slots:
            slots[slot] = a.slots.get(slot) or b.slots[slot]
    totals, days = a.totals.copy(), a.days.copy()
    totals.update(b.totals)  # (adds; + would drop counts of 0 or less)
    days.update(b.days)
    losses = a.losses.copy()
    losses.update(b.losses)
    return Part(totals, days, a.doses + b.doses, slots, a.order, losses)


def finish(part: Part) -> Tally:
    """The rows of ``outcome_total``, ``outcome_day`` and ``outcome_group`` (the groups'
    sums divided: the relief in percent back from its scale) of a :class:`Part`."""
    out = Tally(part.totals, part.days, [], part.doses, part.losses)
    for slot, sums in part.slots.items():
        out.groups += _finish_slot(slot, sums)
    return out


def _totals(point: tuple[int, int, int | None, int], scale: int) -> list[int]:
    """A point's totals (``point_totals``); the relief in percent times ``scale`` (a
    multiple of every pain before), so an integer."""
    value, before, immediate, _ = point
    totals = point_totals(before, value, immediate)
    lanes = [int(totals[q]) for q in QUANTITIES]
    lanes[_PCT] = (before - value) * 100 * scale // before if before > 0 else 0
    return lanes


def _pack(point: tuple[int, int, int | None, int], form: _Form) -> int:
    """A point's totals, a lane each, as one integer."""
    bits = form.lanes.bits
    return sum(x << (bits * q) for q, x in enumerate(_totals(point, form.scale)))


class _Plan:
    """How a slot's points are summed: per (technique, patient), then over the patients
    of each technique, and of each family (a patient's totals in a family: the sums of
    their techniques')."""

    def __init__(self, patients: Sequence[int], techniques: Sequence[str]) -> None:
        # Where the key changes (C loops: the rows are in key order), read column by column.
        changes = compress(
            range(1, len(patients)),
            map(or_, map(ne, patients, islice(patients, 1, None)),
                map(ne, techniques, islice(techniques, 1, None))),
        )  # fmt: skip
        self.starts: list[int] = [0, *changes] if patients else []
        self.ends = [*self.starts[1:], len(patients)] if patients else []
        firsts = self.starts
        self.runs: list[tuple[str, int]] = list(  # (technique, patient)
            zip([techniques[i] for i in firsts], [patients[i] for i in firsts], strict=True)
        )
        self.rows: dict[str, tuple[int, int]] = {}  # a technique's rows
        self.by_technique: dict[str, tuple[int, int]] = {}  # its runs
        for i, (technique, _) in enumerate(self.runs):
            lo, _ = self.by_technique.get(technique, (i, i))
            self.by_technique[technique] = (lo, i + 1)
            self.rows[technique] = (self.starts[lo], self.ends[i])
        families = Counter((TECHNIQUES[t].family, p) for t, p in self.runs)
        # A patient with one technique in a family has the same totals there.
        self.single = [families[(TECHNIQUES[t].family, p)] == 1 for t, p in self.runs]
        self.all_single = {t: all(self.single[lo:hi]) for t, (lo, hi) in self.by_technique.items()}
        rows: Counter[tuple[str, int]] = Counter()
        for (technique, patient), start, end in zip(self.runs, self.starts, self.ends, strict=True):
            rows[(TECHNIQUES[technique].family, patient)] += end - start
        # The most rows a total covers (a patient's in a family): what a lane must hold.
        self.longest = max(rows.values(), default=0)

    def doses(
        self,
        started: Sequence[str],
        insertions: Sequence[int],
        adverse: Sequence[Sequence[object]],
    ) -> list[DoseRow]:
        """Per technique and per family, each patient's sessions, first and last, their
        insertions and Σ insertions², and sessions with an adverse event of each tier
        (``outcome_dose_patient``'s rows but the sessions a week)."""
        out: list[DoseRow] = []
        family: dict[tuple[str, int], tuple[str, str, list[int]]] = {}
        for (technique, patient), start, end in zip(self.runs, self.starts, self.ends, strict=True):
            these, at = insertions[start:end], started[start:end]
            sums = [end - start, sum(these), sum(map(mul, these, these))]
            sums += [end - start - column[start:end].count(None) for column in adverse]
            first, last = min(at), max(at)
            out.append(("technique", technique, patient, sums[0], first, last, *sums[1:]))
            key = (TECHNIQUES[technique].family, patient)
            if key in family:  # another technique of the family
                was_first, was_last, was = family[key]
                sums = [x + y for x, y in zip(was, sums, strict=True)]
                first, last = min(first, was_first), max(last, was_last)
            family[key] = (first, last, sums)
        for (name, patient), (first, last, sums) in family.items():
            out.append(("family", name, patient, sums[0], first, last, *sums[1:]))
        return out

    def loss_pairs(self, codes: Sequence[int | None]) -> Counter[LossKey]:
        """Per technique and per family, the sums over patients of the products of their
        counts of each two loss values a <= b (``codes``: the time to loss of relief's
        column; :func:`sessionlog.analysis.lasting.loss_pairs`, and the SQL of
        :func:`.counts.loss_pairs_sql`), from each patient's run of rows. A patient with
        one technique in a family has the same pairs there; with several, the pairs of
        their counts added up."""
        value: dict[int | None, int | None] = {None: None}  # (None: no point)
        value.update((c, _decode(c)[0]) for c in set(codes) if c is not None)
        values = list(map(value.__getitem__, codes))
        # Per technique, the pairs of its patients alone in their family (theirs there
        # too: added to the family's once, summed) and of the others.
        alone: dict[str, dict[tuple[int, int], int]] = {}
        other: dict[str, dict[tuple[int, int], int]] = {}
        several: dict[tuple[str, int], Counter[int | None]] = {}
        for i, ((technique, patient), start, end) in enumerate(
            zip(self.runs, self.starts, self.ends, strict=True)
        ):
            counted = Counter(values[start:end])
            counted.pop(None, None)
            if not counted:
                continue
            if not self.single[i]:
                key = (TECHNIQUES[technique].family, patient)
                several.setdefault(key, Counter()).update(counted)
            into = (alone if self.single[i] else other).setdefault(technique, {})
            for pair, n in _pairs(counted):
                into[pair] = into.get(pair, 0) + n
        out: Counter[LossKey] = Counter()
        for technique, pairs in alone.items():
            name = TECHNIQUES[technique].family
            for (a, b), n in pairs.items():
                out[("technique", technique, a, b)] += n
                out[("family", name, a, b)] += n
        for technique, pairs in other.items():
            for (a, b), n in pairs.items():
                out[("technique", technique, a, b)] += n
        for (name, _), counted in several.items():
            for (a, b), n in _pairs(counted):
                out[("family", name, a, b)] += n
        return out

    def groups(self, running: list[int], form: _Form) -> _SlotSums:
        """A slot's sums per technique and family (``running``: its packed totals' running
        sums over the rows)."""
        totals = list(map(sub, map(running.__getitem__, self.ends),
                          map(running.__getitem__, self.starts)))  # fmt: skip
        out = _SlotSums({}, {})
        several: dict[tuple[str, int], int] = {}  # (family, patient): their totals
        for technique, (lo, hi) in self.by_technique.items():
            name = TECHNIQUES[technique].family
            other: list[int] = []
            if self.all_single[technique]:
                single = totals[lo:hi]
            else:
                single = []
                for i in range(lo, hi):
                    if self.single[i]:
                        single.append(totals[i])
                    elif totals[i]:
                        other.append(totals[i])
                        key = (name, self.runs[i][1])
                        several[key] = several.get(key, 0) + totals[i]
            out.techniques[technique] = (_sums(single, form), _sums(other, form) if other else None)
        for name in {name for name, _ in several}:
            out.several[name] = _sums([t for (f, _), t in several.items() if f == name], form)
        return out


def _pairs(counted: Counter[int | None]) -> list[tuple[tuple[int, int], int]]:
    """One patient's products of their counts of each two loss values a <= b."""
    ordered = sorted((v, n) for v, n in counted.items() if v is not None)
    return [((a, b), n * m) for i, (a, n) in enumerate(ordered) for b, m in ordered[i:]]


@dataclass
class _Sums:
    """Over some patients (exact): how many, the sums of their totals and of products
    (the relief in percent times ``scale``), which totals are 0 for all, and how many
    have each ``COUNTED`` total above 0."""

    n: int
    sums: list[int]
    products: list[int]
    zero: list[bool]
    having: list[int]
    scale: int

    def __add__(self, other: _Sums) -> _Sums:
        if not other.n or not self.n:
            return self if other.n == 0 else other
        scale = math.lcm(self.scale, other.scale)
        a, b = scale // self.scale, scale // other.scale
        return _Sums(
            self.n + other.n,
            [x * (a if q == _PCT else 1) + y * (b if q == _PCT else 1)
             for q, (x, y) in enumerate(zip(self.sums, other.sums, strict=True))],
            [x * a**pct + y * b**pct
             for x, y, (_, pct) in zip(self.products, other.products, _PAIRS, strict=True)],
            [x and y for x, y in zip(self.zero, other.zero, strict=True)],
            [x + y for x, y in zip(self.having, other.having, strict=True)],
            scale,
        )  # fmt: skip


@dataclass
class _SlotSums:
    """A slot's sums: per technique (one-technique patients', others' or None), and per
    family its patients with several of its techniques'."""

    techniques: dict[str, tuple[_Sums, _Sums | None]]
    several: dict[str, _Sums]


def _merge_slot(a: _SlotSums, b: _SlotSums) -> _SlotSums:
    techniques = {}
    for technique in sorted(a.techniques.keys() | b.techniques.keys()):  # as the rows are
        (alone, other), (alone_b, other_b) = (
            x.techniques.get(technique, (_NONE, None)) for x in (a, b)
        )
        others = [s for s in (other, other_b) if s is not None]
        techniques[technique] = (alone + alone_b, others[0] + others[1] if len(others) == 2
                                 else (others[0] if others else None))  # fmt: skip
    several = dict(a.several)
    for name, sums in b.several.items():
        several[name] = several[name] + sums if name in several else sums
    return _SlotSums(techniques, several)


def _finish_slot(slot: int, sums: _SlotSums) -> list[GroupRow]:
    """A slot's ``outcome_group`` rows: what one part of everyone's rows gave."""
    out: list[GroupRow] = []
    family: dict[str, list[float]] = {}
    for technique, (alone_sums, other) in sums.techniques.items():
        name = TECHNIQUES[technique].family
        alone = _floats(alone_sums)
        mine = _add(alone, _floats(other)) if other is not None else alone
        if mine[0]:
            out.append(("technique", technique, slot, mine))
        family[name] = _add(family[name], alone) if name in family else alone
    for name, these in sums.several.items():
        family[name] = _add(family[name], _floats(these))
    out += [("family", name, slot, row) for name, row in family.items() if row[0]]
    return out


def _add(a: list[float], b: list[float]) -> list[float]:
    return [x + y for x, y in zip(a, b, strict=True)]


_NONE = _Sums(0, [], [], [], [], 1)  # no patients


def _sums(totals: list[int], form: _Form) -> _Sums:
    """Over the patients with points (``totals`` packed, 0: none): how many, the sums of
    their totals, of the products (``PRODUCTS``) and the patients with a ``COUNTED``
    total above 0, exact (see :func:`_floats`)."""
    present = [t for t in totals if t]
    if not present:
        return _NONE
    bias, size = form.lanes.bias, form.lanes.bits * _LANES // 8
    lanes = array(
        form.lanes.typecode,
        b"".join([((t + bias) ^ bias).to_bytes(size, "little") for t in present]),
    )
    cols = [lanes[q::_LANES] for q in range(_LANES)]
    zero = [not any(c) for c in cols]
    products = [
        0 if zero[a] or zero[b] else sum(map(mul, cols[a], cols[b])) for (a, b), _ in _PAIRS
    ]
    having = [len(present) - cols[q].count(0) for q in _HAVING]
    return _Sums(len(present), [sum(c) for c in cols], products, zero, having, form.scale)


def _floats(sums: _Sums) -> list[float]:
    """``outcome_group``'s values of :class:`_Sums`: the relief in percent divided back."""
    if not sums.n:
        return [0.0] * (1 + _LANES + len(_PAIRS) + len(_HAVING))
    scale, zero = sums.scale, sums.zero
    totals = [x / (scale if q == _PCT else 1) for q, x in enumerate(sums.sums)]
    products = [
        0 if zero[a] or zero[b] else x / scale**pct
        for x, ((a, b), pct) in zip(sums.products, _PAIRS, strict=True)
    ]
    return [sums.n, *totals, *products, *sums.having]
