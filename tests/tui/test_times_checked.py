"""The form refuses a session time before the patient's birth year, as the command line
does (the same service: review17, defect 4), nothing saved; and the follow-up form's
When quotes no more than the start of 3,000 pasted characters (defect 7)."""

from __future__ import annotations

from typing import Any

import tui_scenarios as ts
from textual.widgets import Input

from sessionlog.tui.screens.follow_up import FollowUpScreen
from sessionlog.tui.screens.session_form import SessionScreen
from sessionlog.tui.widgets.error_line import ErrorLine


def test_a_correction_before_the_birth_year_is_refused_under_its_field(tmp_path: Any) -> None:
    store = ts.seeded_store(str(tmp_path / "clinic.db"))

    async def steps(pilot: Any, app: Any) -> None:
        app.push_screen(SessionScreen(1, record_id=1))  # Maria Keller, born 1961
        await pilot.pause()
        app.screen.query_one("#f-started_at", Input).value = "1960-11-16 09:00"
        await pilot.press("ctrl+s", *"year", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        assert "1960-11-16 09:00 is before Maria Keller's birth year (1961)" in ts.screen_text(app)

    ts.run_app(ts.make_app(store), steps)
    assert store.conn.execute("SELECT count(*) FROM session WHERE record_id = 1").fetchone() == (1,)
    store.close()


def test_3000_characters_pasted_in_when_are_quoted_short(tmp_path: Any) -> None:
    store = ts.seeded_store(str(tmp_path / "clinic.db"))

    async def steps(pilot: Any, app: Any) -> None:
        await pilot.press(*"1001", "ctrl+f")
        assert isinstance(app.screen, FollowUpScreen)
        app.screen.query_one("#f-pain", Input).value = "3"
        app.screen.query_one("#f-at", Input).value = "2026-11-18 " + "x" * 3000
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = str(app.screen.query_one("#err-at").render())
        assert "(3,011 characters) is not a date" in error, error
        assert len(error) < 200, error

    ts.run_app(ts.make_app(store), steps)
    assert store.conn.execute("SELECT count(*) FROM follow_up").fetchone() == (0,)
    store.close()


async def _asked_between(pilot: Any, app: Any) -> SessionScreen:
    """Maria Keller's new session typed for 2026-11-18 09:00 and Ctrl+S pressed: the
    form, under the between-sessions question."""
    from sessionlog.tui.screens.modals import Confirm

    await pilot.press(*"1001", "enter", "a", "y", "7", "enter", *"st36", "enter")
    form = app.screen
    assert isinstance(form, SessionScreen)
    form.query_one("#f-started_at", Input).value = "2026-11-18 09:00"
    await pilot.press("ctrl+s")
    assert isinstance(app.screen, Confirm)
    return form


def test_a_session_between_a_session_and_its_follow_up_is_saved_once_confirmed(
    tmp_path: Any,
) -> None:
    """Ctrl+S on a new session between Maria Keller's session 1 (11-16) and its follow-up
    (11-20) asks first, naming the follow-up that would stop counting (review18 #1);
    n keeps the form and saves nothing, y saves it."""
    from datetime import datetime

    from sessionlog.domain.models import FollowUpInput
    from sessionlog.tui.screens.modals import Confirm

    store = ts.seeded_store(str(tmp_path / "clinic.db"))
    store.add_follow_up(FollowUpInput(1, 1, datetime(2026, 11, 20, 10, 0), 3), 1)
    # Named by their times and technique, as the app shows them (it never shows a
    # record's id), and where the re-link is made (review18 #2).
    question = (
        "Save this session? 2026-11-18 09:00 comes between the session of 2026-11-16 09:00"
        " (Acupuncture) and its follow-up of 2026-11-20 10:00, which then counts in no"
        " figure (a follow-up counts only until its session's next one). If that follow-up"
        " is about this session, re-link it once saved: F4 on Home lists the patient's"
        " follow-ups; highlight it, press E and choose this session under Follows."
    )

    async def steps(pilot: Any, app: Any) -> None:
        form = await _asked_between(pilot, app)
        assert app.screen.question == question
        await pilot.press("n")
        assert form.is_current  # kept, with what was typed; nothing saved
        assert len(store.sessions(patient_id=1)) == 1
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        assert type(app.screen).__name__ == "HomeScreen"

    ts.run_app(ts.make_app(store), steps)
    assert [s["started_at"] for s in store.sessions(patient_id=1)] == [
        "2026-11-18 09:00:00",
        "2026-11-16 09:00:00",
    ]
    store.close()


def test_a_follow_up_added_while_the_question_is_shown_is_asked_about_first(
    tmp_path: Any,
) -> None:
    """y to a question naming follow-up A does not save past follow-up B, added at
    another desk while the question was on the screen: nothing is saved, the form says
    why under When, and Ctrl+S asks again naming both."""
    from datetime import datetime

    from sessionlog.domain.models import FollowUpInput
    from sessionlog.store import Store
    from sessionlog.tui.screens.modals import Confirm

    path = str(tmp_path / "clinic.db")
    store = ts.seeded_store(path)
    store.add_follow_up(FollowUpInput(1, 1, datetime(2026, 11, 20, 10, 0), 3), 1)

    async def steps(pilot: Any, app: Any) -> None:
        form = await _asked_between(pilot, app)
        assert "2026-11-21" not in app.screen.question
        other = Store.open(path, clock=ts.clock)
        other.add_follow_up(FollowUpInput(1, 1, datetime(2026, 11, 21, 8, 0), 2), 1)
        other.close()
        await pilot.press("y")
        await pilot.pause()
        assert form.is_current
        shown = [str(line.render()) for line in form.query(ErrorLine) if line.shown]
        assert shown == [
            "Started: the follow-ups this session comes between changed after you were asked:"
            " nothing was saved; save it again to be asked about them as they are now"
        ]
        assert len(store.sessions(patient_id=1)) == 1
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, Confirm)
        assert "2026-11-20 10:00" in app.screen.question
        assert "2026-11-21 08:00" in app.screen.question
        await pilot.press("y")
        assert type(app.screen).__name__ == "HomeScreen"

    ts.run_app(ts.make_app(store), steps)
    assert len(store.sessions(patient_id=1)) == 2
    store.close()


def test_the_between_sessions_question_names_the_keys_the_user_bound(tmp_path: Any) -> None:
    """review20: the question said "F4 on Home" and "press E" whatever the settings'
    keymap bound; with Follow-ups on F11 and Correct on C it says those keys."""
    from datetime import datetime

    from sessionlog.domain.models import FollowUpInput

    store = ts.seeded_store(str(tmp_path / "clinic.db"))
    store.add_follow_up(FollowUpInput(1, 1, datetime(2026, 11, 20, 10, 0), 3), 1)
    app = ts.make_app(store)

    async def steps(pilot: Any, app: Any) -> None:
        app.set_keymap({"home.follow_ups": "f11", "follow_ups.correct": "c,ctrl+e"})
        await _asked_between(pilot, app)
        assert app.screen.question.endswith(
            " re-link it once saved: F11 on Home lists the patient's follow-ups;"
            " highlight it, press C and choose this session under Follows."
        )

    ts.run_app(app, steps)
    store.close()
