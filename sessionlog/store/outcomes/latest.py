"""Every slot of every session in ``oc_course``, in SQL: one row per session.

The same readings and the same choice as :mod:`sessionlog.analysis.readings`: a
session's end (time 0), the next session in its course and its current follow-ups.
In each window the latest reading counts: the latest by time, then rank (end, next
session, follow-up), then follow-up id. That order and the reading's value are packed
into one integer (:func:`key_sql`), so the latest per window is a ``max()`` and the
value its low bits: one ``GROUP BY`` over the follow-ups (:func:`follow_up_sql`) gives
every window of every session at once, and :func:`session_row_sql` adds the session's
own end and next-session readings. (The cache used to upsert each reading into a row
per session per slot: 905,000 rows at 100,000 sessions, several passes over them.)
"""

from __future__ import annotations

import math

from ...analysis.readings import (
    GAP_SLOT,
    LOSS_SLOT,
    RANK_AFTER,
    RANK_FOLLOW_UP,
    RANK_NEXT,
    RESOLUTION_SLOT,
    SORENESS_SLOT,
)
from ...analysis.windows import SORENESS_WINDOWS, Window, window_index

VALUE_BITS = 4  # a pain or soreness score, 0 to 10
RANK_BITS = 2
KEY_BITS = 63  # SQLite's integers are signed 64-bit


def _seconds(hours: float) -> str:
    seconds = float(hours) * 3600
    # An integer literal when exact: dt is an integer, and int-to-int compares are cheaper.
    return str(int(seconds)) if seconds.is_integer() else repr(seconds)


def slot_sql(windows: tuple[Window, ...], first_slot: int, otherwise: int | None,
             dt: str = "dt", *, after: bool = False) -> str:  # fmt: skip
    """A CASE expression numbering the window ``dt`` (seconds) falls in. ``after``: for
    a ``dt`` known to be above 0, without the tests that cannot change the answer then
    (:func:`_cases`): at 100,000 sessions, fewer tests for each of 300,000 follow-ups."""
    cases = _cases(windows, first_slot, otherwise, dt, after)
    whens = " ".join(f"WHEN {test} THEN {slot}" for test, slot in cases[:-1])
    last = "NULL" if cases[-1][1] is None else cases[-1][1]
    return f"CASE {whens} ELSE {last} END" if whens else str(last)


def reached(windows: tuple[Window, ...], first_slot: int, otherwise: int | None) -> set[int]:
    """The slots :func:`slot_sql` can give for a time above 0 (``after``)."""
    return {s for _, s in _cases(windows, first_slot, otherwise, "dt", True) if s is not None}


def _cases(
    windows: tuple[Window, ...], first_slot: int, otherwise: int | None, dt: str, after: bool
) -> list[tuple[str, int | None]]:
    """(test, slot) per window in order, the last the answer when none holds. ``after``
    (``dt`` above 0): a window ending at 0 or before is left out, and a window's start
    is not tested when every time from 0 to it fell in an earlier window; once every
    time above 0 has, the rest are left out (the last window is the answer)."""
    cases: list[tuple[str, int | None]] = []
    covered = 0.0  # (every dt from 0 to covered is in an earlier window)
    for i, w in enumerate(windows):
        until = math.inf if w.until_h is None else w.until_h
        if after and until <= 0:
            continue  # no dt above 0 falls in it
        tests = []
        if not after or w.after_h > covered:
            tests.append(f"{dt} > {_seconds(w.after_h)}")
        if w.until_h is not None:
            tests.append(f"{dt} <= {_seconds(w.until_h)}")
        if after and not tests:  # every time left falls in it
            return [*cases, ("", first_slot + i)]
        if w.after_h <= covered:
            covered = max(covered, until)
        cases.append((" AND ".join(tests), first_slot + i))
    return [*cases, ("", otherwise)]


def key_sql(dt: str, rank: int, source: str, value: str, source_bits: int) -> str:
    """A reading's order (time, rank, follow-up id) and value as one integer: the larger
    key is the later reading. ``source_bits``: bits for the follow-up ids; the time takes
    the rest (at 2**20 follow-ups, 2**37 seconds: 4,000 years, beyond which it is capped)."""
    return f"({order_sql(dt, rank, source, source_bits)} | {value})"


def order_sql(dt: str, rank: int, source: str, source_bits: int) -> str:
    """:func:`key_sql`'s key without its value (0 there): or-ed with any value, that
    value's key (<<, | and & bind alike, left first)."""
    dt_cap = 2 ** (KEY_BITS - VALUE_BITS - RANK_BITS - source_bits) - 1
    return (
        f"((min({dt}, {dt_cap}) * {2**RANK_BITS} + {rank}) << {source_bits + VALUE_BITS})"
        f" | ({source} << {VALUE_BITS})"
    )


def _value(*keys: str) -> str:
    """The value of the latest of ``keys`` (SQL; NULL when all are NULL)."""
    if len(keys) == 1:
        return f"{keys[0]} & {2**VALUE_BITS - 1}"
    latest = ", ".join(f"coalesce({k}, -1)" for k in keys)
    return f"nullif(max({latest}), -1) & {2**VALUE_BITS - 1}"


def pain_columns(windows: tuple[Window, ...]) -> tuple[int, ...]:
    """The pain slots of ``windows`` with their own column (and the gap slot)."""
    return (*range(len(windows)), GAP_SLOT)


def soreness_columns() -> tuple[int, ...]:
    return tuple(range(SORENESS_SLOT, SORENESS_SLOT + len(SORENESS_WINDOWS)))


def follow_up_sql(windows: tuple[Window, ...], readings: str, source_bits: int) -> str:
    """One row per session with current follow-ups: per window the latest reading's key
    (``k<slot>``), the first time soreness was 0 (``zdt``), how many soreness scores
    (``sn``), the first time relief was lost (``lost``) and the last time (``last``).

    ``readings``: a query of (rid, id, pain, soreness, pb, dt) per follow-up, dt in
    seconds after the session, above 0 (a follow-up at the session's time or before
    counts in no window: :mod:`sessionlog.analysis.readings`). Each step is a
    co-routine (``LIMIT -1``), so dt and the slot are computed once per follow-up, not
    once per column that reads them."""
    pain_slot = slot_sql(windows, 0, GAP_SLOT, after=True)
    soreness_slot = slot_sql(SORENESS_WINDOWS, SORENESS_SLOT, None, after=True)
    order_key = order_sql("dt", RANK_FOLLOW_UP, "id", source_bits)
    # FILTER, not max(CASE ... END): a reading steps only the aggregates it counts in,
    # not all fifteen (the same answer: NULLs are skipped either way). A window no
    # follow-up can fall in (ending at the session's end or before) is NULL outright.
    found = reached(windows, 0, GAP_SLOT) | reached(SORENESS_WINDOWS, SORENESS_SLOT, None)

    def latest(key: str, slots: str, slot: int) -> str:
        return f"max({key}) FILTER (WHERE {slots} = {slot})" if slot in found else "NULL"

    columns = [f"{latest('kp', 'ps', s)} AS k{s}" for s in pain_columns(windows)]
    columns += [f"{latest('ks', 'ss', s)} AS k{s}" for s in soreness_columns()]
    columns += [
        "min(dt) FILTER (WHERE soreness = 0) AS zdt",
        "count(soreness) AS sn",
        f"min(dt) FILTER (WHERE NOT {relieved_sql('pb', 'pain')}) AS lost",
        "max(dt) AS last",
    ]
    return (
        f"SELECT rid, {', '.join(columns)} FROM ("
        f"SELECT rid, dt, pain, soreness, pb, {pain_slot} AS ps, {soreness_slot} AS ss,"
        f" ({order_key} | pain) AS kp, ({order_key} | soreness) AS ks"
        f" FROM ({readings} LIMIT -1) LIMIT -1) GROUP BY rid"
    )


def relieved_sql(before: str, pain: str) -> str:
    """SQL of :func:`sessionlog.analysis.readings.relieved`."""
    return (
        f"({before} - {pain} >= 2 OR ({before} > 0 AND ({before} - {pain}) * 100 >= 30 * {before}))"
    )


def _bin(days: str) -> str:
    """SQL of :func:`sessionlog.analysis.readings.loss_days`."""
    return (
        f"(CASE WHEN {days} <= 14 THEN {days} WHEN {days} <= 84 THEN 7 * (({days} + 6) / 7)"
        f" ELSE min(364, 28 * (({days} + 27) / 28)) END)"
    )


_NEVER = 2**62


def session_inputs_sql(windows: tuple[Window, ...], source_bits: int) -> list[str]:
    """What several of a session's slots read, computed once per session (``expr AS
    name``) over ``c`` (the session: pain_before), ``nd`` and ``np`` (time and pain of
    the next session's reading, NULL without one) and ``fa`` (:func:`follow_up_sql`'s
    row, or NULLs): the next session's window (``ns``) and key (``nk``), and for the
    time to loss of relief the first loss (``lost_at``) and the last reading
    (``last_at``). Readings after the next session do not count, so a follow-up's loss
    counts only up to it, and the next session's reading is then the last one."""
    lost = (
        f"min(CASE WHEN fa.lost <= coalesce(nd, fa.lost) THEN fa.lost ELSE {_NEVER} END,"
        f" CASE WHEN nd IS NOT NULL AND NOT {relieved_sql('c.pain_before', 'np')} THEN nd"
        f" ELSE {_NEVER} END)"
    )
    return [
        f"{slot_sql(windows, 0, GAP_SLOT, 'nd')} AS ns",
        f"{key_sql('nd', RANK_NEXT, '0', 'np', source_bits)} AS nk",
        f"{lost} AS lost_at",
        "coalesce(nd, fa.last) AS last_at",
    ]


def session_row_sql(windows: tuple[Window, ...], source_bits: int) -> list[str]:
    """Each slot's value of a session, as SQL over ``c``: the session (pain_before,
    pain_after, soreness_after), its :func:`follow_up_sql` columns (``k<slot>``, zdt,
    sn; NULLs without follow-ups) and :func:`session_inputs_sql`'s. In the order of
    :func:`pain_columns`, :func:`soreness_columns`, then the resolution day and the
    time to loss of relief."""
    out = []
    pain0 = window_index(0, windows)
    end_pain = key_sql("0", RANK_AFTER, "0", "c.pain_after", source_bits)
    for slot in pain_columns(windows):
        keys = [f"c.k{slot}"]
        if slot == (GAP_SLOT if pain0 is None else pain0):
            keys.append(f"CASE WHEN c.pain_after IS NOT NULL THEN {end_pain} END")
        keys.append(f"CASE WHEN c.ns = {slot} THEN c.nk END")
        out.append(_value(*keys))
    soreness0 = window_index(0, SORENESS_WINDOWS)
    end_soreness = key_sql("0", RANK_AFTER, "0", "c.soreness_after", source_bits)
    for i, slot in enumerate(soreness_columns()):
        keys = [f"c.k{slot}"]
        if i == soreness0:
            keys.append(f"CASE WHEN c.soreness_after IS NOT NULL THEN {end_soreness} END")
        out.append(_value(*keys))
    # The day soreness was first 0 (0: at the session's end), -1 if never, NULL if it
    # was never scored (readings.resolution_day).
    zero = (
        f"min(coalesce(c.zdt, {_NEVER}), CASE WHEN c.soreness_after = 0 THEN 0 ELSE {_NEVER} END)"
    )
    out.append(
        f"CASE WHEN {zero} < {_NEVER} THEN ({zero} + 86399) / 86400"
        " WHEN c.soreness_after IS NOT NULL OR c.sn > 0 THEN -1 END"
    )
    # Time to loss of relief (readings.loss_of_relief).
    lost, last = "c.lost_at", "c.last_at"
    out.append(
        "CASE WHEN c.pain_after IS NULL OR NOT"
        f" {relieved_sql('c.pain_before', 'c.pain_after')} THEN NULL"
        f" WHEN {lost} < {_NEVER} THEN 2 * {_bin(f'({lost} + 86399) / 86400')} + 1"
        f" WHEN {last} > 0 THEN 2 * {_bin(f'{last} / 86400')} END"
    )
    return out


def row_slots(windows: tuple[Window, ...]) -> tuple[int, ...]:
    """The slots :func:`session_row_sql` gives, in its order."""
    return (*pain_columns(windows), *soreness_columns(), RESOLUTION_SLOT, LOSS_SLOT)
