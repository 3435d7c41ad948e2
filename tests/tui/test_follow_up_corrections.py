"""Correcting and voiding a follow-up in the app: F3 on the follow-up form lists the
patient's follow-ups; E opens the highlighted one filled with its values, Ctrl+S asks
why; F8 voids it after a reason and a yes; F3 there shows its versions. Rows checked in
the database: the original stays, a new row supersedes it."""

from __future__ import annotations

from typing import Any

import pytest
import tui_scenarios as ts
from textual.widgets import DataTable, Input, Select, Static

from sessionlog.domain import parse_follow_up
from sessionlog.store import Store
from sessionlog.tui.screens.follow_up import FollowUpScreen
from sessionlog.tui.screens.follow_ups import FollowUpHistory, FollowUpsScreen
from sessionlog.tui.screens.modals import AskText, Confirm


@pytest.fixture
def clinic(store: Store) -> Store:
    """The seeded clinic with follow-up 1: Maria Keller two days after her session,
    pain 4, soreness 1."""
    raw = {"patient_id": 1, "session_record_id": 1, "at": "2026-11-18 10:00", "pain": 4,
           "soreness": 1}  # fmt: skip
    assert store.add_follow_up(parse_follow_up(raw), 1) == 1
    return store


def rows(store: Store) -> list[tuple[Any, ...]]:
    return store.conn.execute(
        "SELECT id, supersedes_id, status, amend_reason, pain, soreness FROM follow_up"
    ).fetchall()


def cells(app: Any) -> list[list[str]]:
    table = app.screen.query_one(DataTable)
    return [[str(c) for c in table.get_row_at(i)][:7] for i in range(table.row_count)]


async def open_list(pilot: Any, app: Any) -> None:
    await pilot.press(*"1001", "ctrl+f", "f3")
    assert isinstance(app.screen, FollowUpsScreen)


def test_e_corrects_the_highlighted_follow_up_and_the_list_shows_it_at_once(
    clinic: Store,
) -> None:
    async def steps(pilot: Any, app: Any) -> None:
        await open_list(pilot, app)
        assert cells(app) == [["1", "2026-11-18 10:00", "#1", "4", "1", "", ""]]
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, FollowUpScreen) and form.correcting == 1
        values = {n: form.query_one(f"#f-{n}", Input).value for n in ("pain", "soreness", "at")}
        assert values == {"pain": "4", "soreness": "1", "at": "2026-11-18 10:00"}
        await pilot.press("backspace", "2", "ctrl+s")
        assert isinstance(app.screen, AskText)
        await pilot.press("enter")  # no reason: asked again, nothing saved
        assert isinstance(app.screen, AskText) and rows(clinic)[-1][0] == 1
        await pilot.press(*"misheard", "enter")
        assert isinstance(app.screen, FollowUpsScreen)
        assert cells(app) == [["2", "2026-11-18 10:00", "#1", "2", "1", "", "corrected"]]
        await pilot.press("f3")
        assert isinstance(app.screen, FollowUpHistory)
        text = str(app.screen.query_one("#versions", Static).render())
        assert "#1 · replaced by #2 · recorded 2026-11-23 10:30 by Dr Ada Lin" in text
        assert "Why: misheard" in text and "pain 4, soreness 1" in text

    ts.run_app(ts.make_app(clinic), steps, size=(80, 24))
    assert rows(clinic) == [(1, None, "active", None, 4, 1), (2, 1, "active", "misheard", 2, 1)]


def test_a_correction_that_changes_nothing_or_moves_it_before_its_session_saves_nothing(
    clinic: Store,
) -> None:
    async def steps(pilot: Any, app: Any) -> None:
        await open_list(pilot, app)
        await pilot.press("e", "ctrl+s")  # nothing changed: no reason asked
        assert isinstance(app.screen, FollowUpScreen)
        app.screen.query_one("#f-at", Input).value = "2026-11-15 10:00"
        await pilot.press("ctrl+s", *"moved", "enter")
        error = app.screen.query_one("#err-at").render()
        assert "before the session it follows" in str(error)

    ts.run_app(ts.make_app(clinic), steps)
    assert rows(clinic) == [(1, None, "active", None, 4, 1)]


def test_f8_voids_it_after_a_reason_and_a_yes_and_a_void_is_not_voided_again(
    clinic: Store,
) -> None:
    async def steps(pilot: Any, app: Any) -> None:
        await open_list(pilot, app)
        await pilot.press("f8", *"wrong patient", "enter")
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")  # kept: nothing written
        assert rows(clinic)[-1][0] == 1
        await pilot.press("f8", *"wrong patient", "enter", "y")
        assert isinstance(app.screen, FollowUpsScreen)
        assert cells(app)[0][-1] == "void"
        await pilot.press("f8", "e")  # a void is reviewed, never voided or corrected
        assert isinstance(app.screen, FollowUpsScreen)

    ts.run_app(ts.make_app(clinic), steps)
    assert rows(clinic) == [(1, None, "active", None, 4, 1), (2, 1, "void", "wrong patient", 4, 1)]
    assert clinic.follow_ups(1) == []


def test_a_time_left_as_shown_keeps_its_seconds(clinic: Store) -> None:
    # The form shows the time to the minute: saved as shown, a correction of the pain
    # alone moved the follow-up by its seconds (and checked its place anew).
    raw = {"patient_id": 1, "session_record_id": 1, "at": "2026-11-19 10:00:30", "pain": 5}
    assert clinic.add_follow_up(parse_follow_up(raw), 1) == 2

    async def steps(pilot: Any, app: Any) -> None:
        await open_list(pilot, app)
        await pilot.press("e", "backspace", "3", "ctrl+s", *"misheard", "enter")
        assert isinstance(app.screen, FollowUpsScreen)

    ts.run_app(ts.make_app(clinic), steps)
    assert clinic.conn.execute("SELECT at, pain FROM follow_up WHERE id = 3").fetchone() == (
        "2026-11-19 10:00:30",
        3,
    )


def test_a_follow_up_whose_session_was_voided_is_not_moved_unasked(clinic: Store) -> None:
    # Its session voided since, the form chose the newest session for it, and a
    # correction of its pain alone moved it there, unseen (review11).
    from sessionlog.domain import parse_session

    later = {"patient_id": 1, "practitioner_id": 1, "technique": "acupuncture", "consent": True,
             "started_at": "2026-11-20 09:00", "pain_before": 3,
             "sites": [{"target": "LI4", "side": "left"}]}  # fmt: skip
    clinic.save_session(parse_session(later, now=ts.NOW))
    clinic.void_session(1, 1, "wrong patient")

    async def steps(pilot: Any, app: Any) -> None:
        await open_list(pilot, app)
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, FollowUpScreen)
        assert form.query_one("#session", Select).is_blank()
        assert str(form.query_one("#err-session_record_id").render()) == (
            "Follows: session 1 was voided: choose the session this follow-up follows (or"
            " void the follow-up: F8 on the list)"
        )
        await pilot.press("backspace", "2", "ctrl+s")
        assert app.screen is form  # no reason asked: nothing to save yet
        assert str(form.query_one("#err-session_record_id").render()) == (
            "Follows: choose the session this follow-up follows"
        )

    ts.run_app(ts.make_app(clinic), steps)
    assert rows(clinic) == [(1, None, "active", None, 4, 1)]


def test_f4_on_home_lists_the_follow_ups_of_a_patient_whose_sessions_are_all_void(
    clinic: Store,
) -> None:
    # The follow-up form needs a current session, so Ctrl+F then F3 could not reach the
    # list of a patient whose sessions were all voided; the CLI could list and void.
    maria = [r for (r,) in clinic.conn.execute("SELECT record_id FROM current_session"
                                                " WHERE patient_id = 1")]  # fmt: skip
    for record_id in maria:
        clinic.void_session(record_id, 1, "wrong patient")

    async def steps(pilot: Any, app: Any) -> None:
        await pilot.press(*"1001", "ctrl+f")
        assert not isinstance(app.screen, FollowUpScreen)  # no session to follow
        assert [str(n.message) for n in app._notifications] == [
            "A follow-up follows a session: this patient has no current one"
            " (F4 lists their follow-ups)."
        ]
        await pilot.press("f4")
        assert isinstance(app.screen, FollowUpsScreen)
        assert app.screen.patient_id == 1
        assert cells(app) == [["1", "2026-11-18 10:00", "#1", "4", "1", "", ""]]
        await pilot.press("f8", *"session voided", "enter", "y")
        assert cells(app)[0][-1] == "void"
        await pilot.press("escape")
        assert not isinstance(app.screen, FollowUpsScreen)
        await pilot.press("f4")  # the patient is still highlighted
        assert isinstance(app.screen, FollowUpsScreen) and app.screen.patient_id == 1

    ts.run_app(ts.make_app(clinic), steps, size=(80, 24))
    assert rows(clinic)[-1] == (2, 1, "void", "session voided", 4, 1)


def test_f4_on_home_lists_an_empty_list_and_needs_a_patient(store: Store) -> None:
    async def steps(pilot: Any, app: Any) -> None:
        await pilot.press(*"zzzq", "f4")  # no patient found: nothing opens
        assert not isinstance(app.screen, FollowUpsScreen)
        await pilot.press("escape", *"1001", "f4")
        assert isinstance(app.screen, FollowUpsScreen)
        assert cells(app) == []
        assert str(app.screen.query_one("#topbar", Static).render()) == "Follow-ups: 0"
        await pilot.press("e", "f8", "f3", "enter")  # nothing to act on: nothing opens
        assert isinstance(app.screen, FollowUpsScreen)

    ts.run_app(ts.make_app(store), steps)


def test_a_void_says_and_takes_along_the_readings_taken_with_it(clinic: Store) -> None:
    # review17: a PSFS recorded with a follow-up voided since still "improved" on the
    # progress screen (F5) and the patient view. The void now says it takes the reading
    # along, and both screens leave it out; its rows stay as they were.
    from sessionlog.domain.scales import parse_scale_reading
    from sessionlog.tui.screens.patient_view import PatientViewScreen
    from sessionlog.tui.screens.progress import ProgressScreen

    for at, items, fid in (("2026-11-16 08:50", "2,3", None), ("2026-11-18 10:00", "7,8", 1)):
        clinic.add_scale_reading(parse_scale_reading(
            {"scale": "PSFS", "patient_id": 1, "session_record_id": 1, "at": at, "items": items,
             "labels": ["walking", "lifting"], "follow_up_id": fid}, now=ts.NOW), 1)  # fmt: skip
    improved = "Patient-Specific Functional Scale has improved"

    async def steps(pilot: Any, app: Any) -> None:
        await app.push_screen(ProgressScreen(1))
        await pilot.pause()
        assert improved in str(app.screen.query_one("#progress-summary", Static).render())
        app.pop_screen()
        await open_list(pilot, app)
        await pilot.press("f8")
        assert isinstance(app.screen, AskText)
        assert str(app.screen.query(Static).first().render()).startswith(
            "Void follow-up #1 (2026-11-18 10:00, pain 4, soreness 1) and the PSFS reading"
            " taken with it?"
        )
        await pilot.press(*"wrong patient", "enter")
        assert isinstance(app.screen, Confirm)
        assert str(app.screen.query(Static).first().render()) == (
            "Void follow-up #1 (2026-11-18 10:00, pain 4, soreness 1) and the PSFS reading"
            " taken with it? They will count in no figure."
        )
        await pilot.press("y")
        assert isinstance(app.screen, FollowUpsScreen)
        await app.push_screen(ProgressScreen(1))
        await pilot.pause()
        summary = str(app.screen.query_one("#progress-summary", Static).render())
        assert "Patient-Specific" in summary and improved not in summary
        app.pop_screen()
        await app.push_screen(PatientViewScreen(1))
        await pilot.pause()
        words = str(app.screen.query_one("#pv-sentences", Static).render())
        assert "Patient-Specific" in words and "improved" not in words

    ts.run_app(ts.make_app(clinic), steps)
    assert clinic.conn.execute("SELECT count(*) FROM scale_reading").fetchone() == (2,)


def test_the_list_s_hint_names_the_keys_the_user_bound(clinic: Store) -> None:
    # review20: the hint said "E or Enter: correct" with Correct remapped to C.
    async def steps(pilot: Any, app: Any) -> None:
        app.set_keymap({"follow_ups.correct": "c", "follow_ups.history": "ctrl+h"})
        await open_list(pilot, app)
        hint = str(app.screen.query_one(".hint", Static).render())
        assert hint == "C or Enter: correct · F8: void · Ctrl+H: its versions · Escape: back"

    ts.run_app(ts.make_app(clinic), steps)
