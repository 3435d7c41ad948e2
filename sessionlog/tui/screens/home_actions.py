"""The home screen's keys on a session: F3 shows its history, F8 voids it; F5 and F6.

Plain functions of the home screen (``screens/home.py`` binds the keys and calls
them). Both act on the highlighted row of the session list that has the focus, today's
or the patient's, never on the patients list. Voiding asks for a reason (kept with the
record, which stays in it, marked void) and goes through the services, as the form's F8
and the CLI's ``void`` do; a voided session is reviewed, never voided again. F5 and
F6 open the highlighted patient's progress and patient view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.widgets import DataTable

from ..safe import plain
from .home_lists import highlighted_key

if TYPE_CHECKING:
    from textual.screen import Screen


def focused_session(screen: Screen[Any]) -> str | None:
    """The key (``record:patient[:void]``) of the highlighted row of the focused session
    list, or None when no session list has the focus or it is empty."""
    table = screen.focused if isinstance(screen.focused, DataTable) else None
    if table is None or table.id == "patients":
        return None
    return highlighted_key(table)


def show_history(screen: Screen[Any]) -> None:
    """F3: the highlighted session's versions."""
    key = focused_session(screen)
    if key is None:
        screen.notify(
            "Highlight a session (today's or the patient's) to see its history.", timeout=3
        )
        return
    from .history import HistoryScreen

    screen.app.push_screen(HistoryScreen(int(key.split(":")[0])))


def void_highlighted(screen: Screen[Any], voided: Callable[[int], None]) -> None:
    """F8: void the highlighted session, with a reason; ``voided(patient_id)`` once done."""
    key = focused_session(screen)
    if key is None:
        screen.notify("Highlight a session (today's or the patient's) to void it.", timeout=3)
        return
    record_id, patient_id, *void = key.split(":")
    if void:
        screen.notify("That session is void already: F3 shows its history.", timeout=3)
        return
    from .modals import AskText

    def void_it(reason: str | None) -> None:
        if not reason:
            return
        from ...services.sessions import Refused, void

        app: Any = screen.app
        done = void(app.store, int(record_id), app.practitioner_id, reason)
        if isinstance(done, Refused):
            screen.notify(plain(f"Not voided: {done.error}"), severity="error", timeout=8)  # type: ignore[arg-type]  # a Text: user text shown as text, never markup
            return
        screen.notify(done.message, timeout=3)
        voided(int(patient_id))

    from ...services.scales import readings_words, taken_with

    store = screen.app.store  # type: ignore[attr-defined]
    along = readings_words(taken_with(store, int(patient_id), session_record_id=int(record_id)))
    screen.app.push_screen(
        AskText(
            f"Void session #{record_id}{f' and {along}' if along else ''}? It stays in the"
            " record, marked void. Why?",
            placeholder="e.g. recorded for the wrong patient",
            required="Voiding needs a reason: it is kept with the record",
        ),
        void_it,
    )


def open_outcome(screen: Screen[Any], patient_id: int | None, module: str, name: str) -> None:
    """One of the patient's outcome screens (progress, patient view), if a patient is
    highlighted and the screen is part of this build."""
    if patient_id is not None:
        app: Any = screen.app
        shown = app.outcome_screen(module, name, patient_id)
        if shown is not None:
            app.push_screen(shown)
