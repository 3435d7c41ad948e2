"""Outcome reports from the database: the store's counts run through the analysis.

What the command line and the screens call, so neither holds SQL nor statistics:
:func:`progress_report` for one patient, :func:`comparison_report` and
:func:`details_report` for the clinic.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from ..analysis.compare import Comparison, Details, compare, details
from ..analysis.model import Filters
from ..analysis.progress import Progress, patient_progress, points_answer
from ..analysis.relief import MIN_PATIENTS
from ..analysis.windows import DEFAULT_LONG, DEFAULT_SHORT, DEFAULT_WINDOWS, Window
from ..domain.techniques import FAMILIES
from ..store.outcomes import cache as outcome_cache
from ..store.outcomes import details as outcome_details
from ..store.outcomes import patient as outcome_patient
from ..store.outcomes import queries as outcomes

if TYPE_CHECKING:
    from ..store.store import Store


def progress_report(
    store: Store, patient_id: int, windows: tuple[Window, ...] = DEFAULT_WINDOWS
) -> Progress:
    """One patient's progress, from their current sessions and follow-ups (each
    session's pain per window from the outcome cache when it holds the patient's
    current figures for these windows). Each episode of care is named by its complaint,
    and a technique whose sessions are all past the time for a later reading, with none
    recorded, says so (by the store's clock)."""
    complaints = {int(e["id"]): str(e["complaint"]) for e in store.episodes(patient_id)}
    now = store.clock()
    with _collector_paused():
        if windows == outcome_cache.CACHED_WINDOWS and points_answer(windows):
            cached = outcome_patient.cached_patient_outcomes(store, patient_id)
            if cached is not None:
                return patient_progress(
                    patient_id, cached.sessions, cached.follow_ups, cached.windows,
                    cached.points, complaints=complaints, now=now,
                )  # fmt: skip
        sessions, follow_ups = outcomes.patient_outcomes(store, patient_id)
        return patient_progress(
            patient_id, sessions, follow_ups, windows, complaints=complaints, now=now
        )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a patient's records become objects (issue 17).

    A long history makes thousands of them (a 400-session patient: sessions, follow-ups,
    timeline points, rows), none part of a reference cycle; the collector, run every 700
    new objects, walked the ones made so far again and again: about a millisecond of
    the progress screen's 13. It is switched back on after (if it was on): the objects
    still held are looked at once then."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


OUTCOME_STEPS = outcome_cache.STEPS  # how often refresh_outcomes calls its progress


def refresh_outcomes(store: Store, progress: Callable[[int], None] | None = None) -> None:
    """Compute the outcome figures of what changed (after an import), calling
    ``progress(steps_done)`` after each of :data:`OUTCOME_STEPS` steps."""
    outcome_cache.refresh(store, progress)


def keep_outcomes_current(store: Store) -> int:
    """After a save: recompute the outcome figures of the few patients whose records
    changed, so that their progress is read from the cache again (at 100,000 sessions,
    15 ms instead of 25 for a patient of 400 sessions). Returns how many patients were
    recomputed; 0, and nothing done, when a whole build would be needed (left to the
    next comparison, which shows its progress)."""
    return outcome_cache.refresh(store, few_only=True)


def prepare_outcomes(
    store: Store, progress: Callable[[int, int], None], from_sessions: int = 0
) -> bool:
    """Bring the outcome cache up to date when it is not (the first comparison after an
    import, a restore or an upgrade), calling ``progress(step, steps)`` before the
    first step and after each (only when the clinic has ``from_sessions`` session rows
    or more: a small one is done before anyone could read it); False (and no call)
    when it was current already."""
    if outcome_cache.is_current(store.conn):
        return False
    rows = outcome_cache.session_rows(store.conn)
    if rows < from_sessions:
        outcome_cache.refresh(store)
        return True
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        progress(done, outcome_cache.STEPS)

    progress(0, outcome_cache.STEPS)
    outcome_cache.refresh(store, step)
    return True


def repair_outcomes(store: Store) -> str | None:
    """Before a comparison: when the outcome cache's counts were changed outside
    sessionlog, rebuild them from the records; the one line that says so (None when
    they were sound). Raises :class:`DatabaseError` when they cannot be rebuilt."""
    return outcome_cache.repair(store)


def rebuild_outcomes(store: Store) -> str:
    """Rebuild the outcome cache from the records (``compare --rebuild``: check found
    it is not what they give, and nothing it keeps says so); the line that says so.
    Raises :class:`DatabaseError` when it cannot be written."""
    outcome_cache.rebuild(store)
    return "The outcome figures kept in the database are rebuilt from the records."


T = TypeVar("T")


def _from_cache(store: Store, compute: Callable[[], T]) -> T:
    """``compute()``, and once more from a cache rebuilt from the records when wrong
    values in its rows made it fail (:func:`outcome_cache.unreadable`): never a
    traceback for a hand edit that :func:`repair_outcomes` could not see."""
    try:
        return compute()
    except Exception as exc:
        if not outcome_cache.unreadable(exc):
            raise
    outcome_cache.rebuild(store)
    return compute()


def comparison_report(
    store: Store,
    filters: Filters | None = None,
    *,
    windows: tuple[Window, ...] = DEFAULT_WINDOWS,
    by: str = "family",
    min_patients: int = MIN_PATIENTS,
    short: str = DEFAULT_SHORT,
    long: str = DEFAULT_LONG,
) -> Comparison:
    """The clinic's technique comparison under ``filters``."""
    filters = filters or Filters()
    counts = _from_cache(store, lambda: outcomes.group_counts(store, filters, windows, by))
    return compare(
        counts, windows, filters=filters, min_patients=min_patients, short=short, long=long
    )


def details_report(
    store: Store, filters: Filters | None = None, by: str = "family"
) -> tuple[Details, ...]:
    """Dose, adverse-event rates and soreness by dose for every technique present."""
    filters = filters or Filters()
    doses, adverse, soreness = _from_cache(
        store,
        lambda: (
            outcome_details.dose_and_adverse(store, filters, by),
            outcome_details.adverse_counts(store, filters, by),
            outcome_details.soreness_dose_clusters(store, filters, by),
        ),
    )
    keys = sorted(doses, key=lambda k: (FAMILIES.index(k) if k in FAMILIES else 9, k))
    return tuple(
        details(doses[k][0], adverse.get(k, {}), soreness.get(k, {}), doses[k][1]) for k in keys
    )
