"""The derived outcome cache (schemas 0002, 0016): one row per session, and its counts.

Computing relief by window for a whole clinic from the clinical tables takes seconds
at 100,000 sessions (every follow-up joined to its current session, the next session
found, the latest reading per window chosen). The cache keeps the answer in
``outcome_session`` (a row per current session, a column per slot), with the whole
clinic's counts beside it, so an unfiltered comparison reads a few thousand rows and
a filtered one groups the rows of the sessions it covers.

Keeping it current needs no triggers: clinical rows are append-only, so every change
is a new ``session`` or ``follow_up`` row with a higher id. :func:`refresh` recomputes
the patients who have rows above the marks it stored last time, then moves the marks;
it runs before every outcome query. When there is no cache yet (a new or upgraded
database, a bulk import) or most patients changed, it builds everything at once:
the same SQL over all patients. :func:`rebuild` does that on demand; the importer
calls :func:`refresh` after an import, so the first comparison is instant.

This module decides what to recompute; :mod:`.points` computes the rows
(:mod:`.latest` picks the reading per window) and :mod:`.counts` keeps
the counts. The SQL mirrors :mod:`sessionlog.analysis.readings` (same slots, same
choice of the latest reading); tests hold the two to the same answers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from ...analysis.windows import DEFAULT_WINDOWS, SORENESS_WINDOWS, Window
from ...errors import DatabaseError
from ..records import bulk
from . import counts as outcome_counts
from . import edits, sound
from . import parallel as outcome_parallel
from . import points as outcome_points
from .latest import slot_sql
from .points import DIRTY, family_sql

if TYPE_CHECKING:
    from ..store import Store

__all__ = [
    "family_sql", "is_current", "rebuild", "refresh", "repair", "signature", "slot_sql",
    "unreadable",
]  # fmt: skip

# A change here rebuilds every database's cache on its next use. 3: a bilateral site's
# insertions count on both sides. 4: per-patient sums for clustered intervals (0006).
# 5: time to loss of relief (slot 31) in binned days. 6: relief kept (0014). 7: one row per
# session (0016). 8: the patients' loss pairs, for the curve's clustered interval (0026).
DERIVATION_VERSION = 8
CACHE_TABLES = (  # (outcome_point, _cell, _patient and _dose are views of outcome_session)
    "outcome_session",
    "outcome_total",
    "outcome_group",
    "outcome_dose_patient",
    "outcome_dose_group",
    "outcome_day",
    "outcome_loss_pair",
)
CACHED_WINDOWS = DEFAULT_WINDOWS


def signature(windows: tuple[Window, ...] = CACHED_WINDOWS) -> str:
    """What the cached rows were computed with; a change means a full rebuild."""
    spans = ";".join(f"{w.after_h:g}:{w.until_h}" for w in windows + SORENESS_WINDOWS)
    return f"v{DERIVATION_VERSION}|{spans}"


# A refresh that would recompute more than this share of the patients (and more than
# FULL_MIN of them) rebuilds all: the same answer, without taking old points and counts
# out record by record. Below that, recomputing a few is cheaper.
FULL_SHARE, FULL_MIN = 0.3, 500
BUILD_CACHE_MIB = 64  # page cache (main and temp) while the cache is computed
Progress = Callable[[int], None]
# How many times a refresh calls its progress function: once per step, the rows' four,
# each part of them read back and each slot counted, so that a bar moves evenly through
# the seconds a build takes.
STEPS = 4 + outcome_points.STEPS + outcome_counts.steps(CACHED_WINDOWS)


def state(conn: sqlite3.Connection) -> tuple[dict[str, str], int, int]:
    meta = dict(conn.execute("SELECT key, value FROM outcome_meta").fetchall())
    if not _meta_sound(meta):
        meta = {}  # (edited outside sessionlog): the cache is rebuilt whole
    sessions = conn.execute("SELECT coalesce(max(id), 0) FROM session").fetchone()[0]
    follow_ups = conn.execute("SELECT coalesce(max(id), 0) FROM follow_up").fetchone()[0]
    return meta, sessions, follow_ups


def _meta_sound(meta: dict[str, str]) -> bool:
    """Whether the marks are whole numbers and the latest time a time, as written."""
    marks = (meta.get("session_mark", "0"), meta.get("follow_up_mark", "0"))
    if not all(isinstance(m, str) and m.isascii() and m.isdigit() and len(m) < 19 for m in marks):
        return False
    try:
        datetime.fromisoformat(meta.get("latest_at") or "2000-01-01")
    except (TypeError, ValueError):
        return False
    return True


def latest_record(conn: sqlite3.Connection) -> str:
    """The time of the clinic's latest session or follow-up, as the cache last saw it
    ('' for none): the day the windows' completeness is counted from."""
    row = conn.execute("SELECT value FROM outcome_meta WHERE key = 'latest_at'").fetchone()
    return row[0] if row and _meta_sound({"latest_at": row[0]}) else ""


def session_rows(conn: sqlite3.Connection) -> int:
    """How many session rows (versions) the clinic has: what a refresh reads."""
    return int(conn.execute("SELECT coalesce(max(id), 0) FROM session").fetchone()[0])


def is_current(conn: sqlite3.Connection) -> bool:
    """True when the cache reflects every session and follow-up row, and nothing but
    sessionlog has written it since (:mod:`.edits`)."""
    meta, sessions, follow_ups = state(conn)
    return (
        meta.get("signature") == signature()
        and meta.get("session_mark") == str(sessions)
        and meta.get("follow_up_mark") == str(follow_ups)
        and not edits.edited(conn)
    )


def refresh(store: Store, progress: Progress | None = None, *, few_only: bool = False) -> int:
    """Bring the cache up to date; returns how many patients were recomputed.

    Cheap when nothing changed; one write transaction otherwise (all or nothing).
    ``progress`` (if given) is called with 1 after each of :data:`STEPS` steps, e.g.
    a progress bar's ``update``. ``few_only``: only when a few patients changed (after
    a save); when everything would be rebuilt (no cache yet, an upgrade, most patients
    new), nothing is done and 0 returned. Raises :class:`DatabaseError` when the
    database cannot be written (read-only, or busy).
    """
    if is_current(store.conn):
        return 0
    return _in_one_transaction(store, progress, few_only=few_only, whole=False)


def _in_one_transaction(
    store: Store, progress: Progress | None, *, few_only: bool, whole: bool
) -> int:
    """:func:`_refresh` in one write transaction with the build's page cache; ``whole``:
    the marks cleared first, in that same transaction, so that everything is rebuilt."""
    try:
        with bulk.big_cache(store.conn, BUILD_CACHE_MIB), store.write() as conn:
            if whole:  # (a rebuild killed midway leaves the cache and its notes as they were)
                edits.restore(conn)  # (the note of writes gone, deleting would fail)
                conn.execute("DELETE FROM outcome_meta")  # (noted; the build clears it)
            return _refresh(conn, progress or (lambda n: None), store.path, few_only)
    except sqlite3.OperationalError as exc:
        raise DatabaseError(f"the outcome cache cannot be updated ({exc})") from None
    finally:
        outcome_points.drop_temp_tables(store.conn)
        outcome_parallel.detach(store.conn)


def rebuild(store: Store, progress: Progress | None = None) -> int:
    """Recompute the whole cache from the clinical tables; returns the patients done.

    ``progress`` as for :func:`refresh`. (After an import, :func:`refresh` is enough:
    it rebuilds everything when most patients are new, and only theirs otherwise.)
    """
    return _in_one_transaction(store, progress, few_only=False, whole=True)


def repair(store: Store, progress: Progress | None = None) -> str | None:
    """Rebuild the cache when it was written outside sessionlog (:mod:`.edits`) or its
    whole-clinic counts disagree (:mod:`.sound`); the sentence that says so, or None when
    neither (or when a whole build is due anyway: after an upgrade, or its signature or
    marks gone, the next refresh rebuilds it from the records). Raises
    :class:`DatabaseError`, in one line, when it cannot be rebuilt."""
    try:
        found = sound.unsound_groups(store.conn)
        written = [] if _whole_build_due(store.conn) else edits.edited(store.conn)
    except sqlite3.DatabaseError:
        return None  # a table or column missing: the schema's own checks say so
    if found:
        said = f"did not match its records ({sound.describe(found)}: changed outside sessionlog?)"
    elif written:
        said = f"were written outside sessionlog ({edits.describe(written)})"
    else:
        return None
    try:
        rebuild(store, progress)
    except (DatabaseError, sqlite3.DatabaseError) as exc:
        raise DatabaseError(
            f"The outcome figures kept in the database {said}, and cannot be rebuilt here: {exc}"
        ) from None
    return f"The outcome figures kept in the database {said}; they are rebuilt from the records."


def unreadable(exc: BaseException) -> bool:
    """Whether ``exc`` is what wrong values in the cache's rows raise while figures are
    computed from them: a technique sessionlog does not know, a value of the wrong kind
    or out of range, a sum beyond SQLite's integers (a hand edit whose note in
    outcome_edited was cleared too, so that :func:`repair` did not see it)."""
    if isinstance(exc, sqlite3.OperationalError):
        return "overflow" in str(exc)
    return isinstance(exc, KeyError | TypeError | ValueError | ArithmeticError)


def _whole_build_due(conn: sqlite3.Connection) -> bool:
    return state(conn)[0].get("signature") != signature()


def _refresh(conn: sqlite3.Connection, progress: Progress, path: str, few_only: bool) -> int:
    meta, sessions, follow_ups = state(conn)  # again, inside the write transaction
    full, patients = find_dirty(conn, meta)
    if full and few_only:
        return 0  # nothing written: a whole build is left to whoever needs it
    windows = CACHED_WINDOWS
    suspended = edits.suspend(conn) if full else {}  # (put back at the end: :mod:`.edits`)
    if full:
        for table in CACHE_TABLES:
            conn.execute(f"DELETE FROM {table}")
    else:  # the dirty patients' rows counted out, then gone
        old = f"record_id IN (SELECT record_id FROM session WHERE patient_id IN {DIRTY})"
        outcome_counts.count_dose_groups(conn, -1)
        outcome_counts.count(conn, windows, "outcome_session", old, -1)
        conn.execute(f"DELETE FROM outcome_session WHERE {old}")
        conn.execute(f"DELETE FROM outcome_dose_patient WHERE patient_id IN {DIRTY}")
    progress(1)
    second = None  # part 1 of a full build, on two cores
    if full and outcome_parallel.usable(path, sessions, windows):
        second = outcome_parallel.start(conn, path, windows, progress)
        source, mine = "outcome_session", outcome_points.part_sql(second.mine)
    else:
        source = outcome_points.compute(conn, windows, everyone=full, progress=progress)
        mine = "true"
        if not full:
            outcome_points.write(conn, windows)
    # (read before the counts: in a build in parts, while the second process may still run)
    latest = max(
        x
        for x in (
            meta.get("latest_at", "") if not full else "",
            conn.execute("SELECT coalesce(max(started_at), '') FROM session").fetchone()[0],
            conn.execute(
                "SELECT coalesce(max(at), '') FROM follow_up WHERE id > ?",
                (0 if full else int(meta.get("follow_up_mark", 0)),),
            ).fetchone()[0],
        )
    )
    progress(1)
    # A full build fills outcome_dose_patient whole: its indexes are made at the end.
    try:
        with bulk.indexes_built_after(
            conn, ("outcome_dose_patient",) if full else (), partial=False
        ):
            other = second.counts if second is not None else None
            outcome_counts.count(conn, windows, source, mine, 1, progress, other)
    finally:
        if second is not None:
            second.close()
    outcome_counts.drop_empty_groups(conn)
    outcome_counts.count_dose_groups(conn, 0 if full else 1)
    progress(1)
    conn.executemany(
        "INSERT INTO outcome_meta (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [
            ("latest_at", latest),
            ("signature", signature()),
            ("session_mark", str(sessions)),
            ("follow_up_mark", str(follow_ups)),
        ],
    )
    conn.execute("DELETE FROM temp.outcome_dirty")
    if full:
        edits.resume(conn, suspended)
    edits.clear(conn)  # last: every write above was sessionlog's
    progress(1)
    return patients


def find_dirty(conn: sqlite3.Connection, meta: dict[str, str]) -> tuple[bool, int]:
    """Whether to rebuild everything, and how many patients will be recomputed (those
    with rows above the marks are listed in ``temp.outcome_dirty``)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS outcome_dirty (patient_id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.outcome_dirty")
    if meta.get("signature") != signature() or edits.edited(conn):
        return True, _patients(conn)  # (written outside sessionlog: rebuilt whole)
    conn.execute(
        "INSERT OR IGNORE INTO temp.outcome_dirty"
        " SELECT patient_id FROM session WHERE id > ?"
        " UNION SELECT patient_id FROM follow_up WHERE id > ?",
        (int(meta.get("session_mark", 0)), int(meta.get("follow_up_mark", 0))),
    )
    dirty = int(conn.execute("SELECT count(*) FROM temp.outcome_dirty").fetchone()[0])
    patients = conn.execute("SELECT count(*) FROM patient").fetchone()[0]
    if dirty > max(FULL_MIN, FULL_SHARE * patients):
        return True, _patients(conn)
    return False, dirty


def _patients(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(DISTINCT patient_id) FROM session").fetchone()[0])
