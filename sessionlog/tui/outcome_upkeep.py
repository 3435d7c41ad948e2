"""The outcome figures kept current after each save, on a thread of their own.

A patient's progress reads their figures from the outcome cache when it holds their
current records; after a save it does not (until a comparison refreshes the cache),
and their progress is computed from the clinical tables: at 100,000 sessions, 25 ms
instead of 15 for a patient of 400 sessions. So after a session, a correction, a void
or a follow-up is saved, the patients who changed are recomputed on a worker thread
(its own connection; 60 ms at that size), while the practitioner goes on.

Only a few patients' figures are done so (``keep_outcomes_current``): a whole build
(no cache yet, after an upgrade) is left to the comparison, which shows its progress,
and would hold the write lock for seconds. Not for a database in memory (one
connection, used by the screens). A failure changes nothing that was saved (the cache
is derived from the records): the next comparison brings it up to date.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App

GROUP = "outcome-upkeep"  # the workers' group (several may run: they take the write lock in turn)


def records_changed(app: App[Any]) -> None:
    """Records were saved: bring their patients' outcome figures up to date, off the
    UI thread (``app``: the sessionlog app, whose ``store`` they were saved in)."""
    store = getattr(app, "store", None)
    if store is None or str(store.path) == ":memory:":
        return
    path, clock = store.path, store.clock

    def upkeep() -> None:
        from ..errors import SessionlogError
        from ..services.reports import keep_outcomes_current
        from ..store import Store

        try:
            own = Store.open(path, clock=clock)
        except SessionlogError:
            return
        try:
            keep_outcomes_current(own)
        except SessionlogError:
            pass  # busy or unwritable now: the next comparison does it
        finally:
            own.close()

    app.run_worker(upkeep, thread=True, group=GROUP, exit_on_error=False)
