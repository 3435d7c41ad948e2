"""Correcting and voiding one scale reading in the app: C on a patient's progress lists
their readings, newest first; E (or Enter) opens the highlighted one in the scale form
filled with its answers, checked as a new one is, then asks why; F8 voids it after a
reason and a yes. Both go through services.scales as ``scale amend`` and ``scale void``
do: the original row stays, a new one supersedes it, with its audit row."""

from __future__ import annotations

from typing import Any

import pytest
import tui_scenarios as ts
from helpers_store import sql_rows
from textual.widgets import DataTable, Input

from sessionlog.domain import parse_follow_up
from sessionlog.domain.scales import parse_scale_reading
from sessionlog.services import follow_ups
from sessionlog.services.take_home import patient_scales
from sessionlog.store import Store
from sessionlog.tui.screens.modals import AskText, Confirm
from sessionlog.tui.screens.patient_view import PatientViewScreen
from sessionlog.tui.screens.progress import ProgressScreen
from sessionlog.tui.screens.scale_entry import ScaleEntry
from sessionlog.tui.screens.scale_readings import ScaleReadingsScreen

PSFS = ["1", "2026-11-16 08:50", "PSFS", "5.0 of 10", "#1", "", "sleeping 4; lifting 6"]
NDI = ["2", "2026-11-18 10:00", "NDI", "20.0 of 50 (40%)", "#1", "", "(total)"]


@pytest.fixture
def clinic(store: Store) -> Store:
    """Maria Keller's PSFS before her session (reading 1) and an NDI taken with her
    follow-up 1 (reading 2)."""
    raw = {"patient_id": 1, "session_record_id": 1, "at": "2026-11-18 10:00", "pain": 4}
    assert store.add_follow_up(parse_follow_up(raw), 1) == 1
    for reading in (
        {"scale": "PSFS", "at": "2026-11-16 08:50", "items": "4,6",
         "labels": ["sleeping", "lifting"]},
        {"scale": "NDI", "at": "2026-11-18 10:00", "total": 20, "follow_up_id": 1},
    ):  # fmt: skip
        store.add_scale_reading(
            parse_scale_reading({**reading, "patient_id": 1, "session_record_id": 1}, now=ts.NOW),
            1,
        )
    return store


def cells(app: Any) -> list[list[str]]:
    table = app.screen.query_one(DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def text(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


READINGS = "SELECT id, supersedes_id, status, amend_reason, items, score FROM scale_reading"


async def refused_then_asked(
    pilot: Any,
    app: Any,
    field: Input,
    refusals: tuple[tuple[str, str], ...],
    typed: str,
    question: str,
) -> None:
    """Each refused text typed into ``field`` (as pasted) and Enter: what it says under
    the form, still open; then ``typed``, Enter: the correction passed, ``question``
    asks why."""
    entry = app.screen
    for refused, said in refusals:
        field.value = refused
        field.focus()
        await pilot.press("enter")
        assert text(app, "#scale-error") == said and app.screen is entry
    field.value = typed
    field.focus()
    await pilot.press("enter")
    assert isinstance(app.screen, AskText) and app.screen.question == question


async def open_list(pilot: Any, app: Any) -> None:
    app.push_screen(ProgressScreen(1))
    await pilot.pause()
    await pilot.press("c")
    assert isinstance(app.screen, ScaleReadingsScreen)


def test_e_corrects_a_psfs_answer_checked_as_recorded_and_asks_why(clinic: Store) -> None:
    async def steps(pilot: Any, app: Any) -> None:
        await open_list(pilot, app)
        assert cells(app) == [NDI, PSFS]  # newest first
        # Its follow-up voided at another desk since: the NDI counts nowhere, and says so.
        follow_ups.void(clinic, 1, 1, "wrong patient")
        await pilot.press("e")
        assert text(app, "#readings-error") == (
            "reading: scale reading 2 counts in no figure already: its follow-up 1 was voided"
        )
        assert cells(app) == [PSFS]
        await pilot.press("e")
        entry = app.screen
        assert isinstance(entry, ScaleEntry)
        field = entry.query_one("#scale-activities", Input)
        assert field.value == "sleeping 4; lifting 6" and entry.focused is field
        assert entry.query_one("#scale-code", Input).disabled  # the scale stays a PSFS
        refusals = (
            ("sleeping 4; lifting 11", "activities: lifting is 11; PSFS answers are whole"
             " numbers 0 to 10"),
            ("sleeping 4; lifting 6", "amend: nothing changed: scale reading 1 already holds"
             " these values"),
        )  # fmt: skip
        await refused_then_asked(pilot, app, field, refusals, "sleeping 4; lifting 8", (
            "Correct scale reading #1 (PSFS 5.0 of 10, 2026-11-16 08:50) to PSFS 6.0 of 10?"
            " The one saved stays in the record. Why?"
        ))  # fmt: skip
        await pilot.press("escape")  # left mid-way: the form as typed, nothing saved
        assert app.screen is entry and field.value == "sleeping 4; lifting 8"
        assert text(app, "#scale-error") == ""  # the answers passed: no error left from before
        assert len(sql_rows(clinic, READINGS)) == 2
        await pilot.press("enter", *"typo", "enter")
        assert isinstance(app.screen, ScaleReadingsScreen)
        assert text(app, "#readings-said") == (
            "scale reading 1 amended: now scale reading 3 (PSFS 6.0 of 10)"
        )
        assert cells(app) == [
            ["3", "2026-11-16 08:50", "PSFS", "6.0 of 10", "#1", "corrected",
             "sleeping 4; lifting 8"]
        ]  # fmt: skip
        await pilot.press("escape")
        assert isinstance(app.screen, ProgressScreen)
        assert "is 6.0 of 10" in text(app, "#progress-summary")

    ts.run_app(ts.make_app(clinic), steps)
    assert sql_rows(clinic, READINGS) == [
        {"id": 1, "supersedes_id": None, "status": "active", "amend_reason": None,
         "items": "[4, 6]", "score": 5.0},
        {"id": 2, "supersedes_id": None, "status": "active", "amend_reason": None,
         "items": None, "score": 20.0},
        {"id": 3, "supersedes_id": 1, "status": "active", "amend_reason": "typo",
         "items": "[4, 8]", "score": 6.0},
    ]  # fmt: skip
    audit = "SELECT actor_id, action, entity_id FROM audit_log WHERE entity = 'scale_reading'"
    assert sql_rows(clinic, audit)[-1] == {"actor_id": 1, "action": "amend", "entity_id": 3}
    # The take-home report's figures (and the patient view's) are the corrected reading's.
    assert [(c.scale.code, [p.score for p in c.points]) for c in patient_scales(clinic, 1)] == [
        ("PSFS", [6.0])
    ]


def test_f8_voids_a_reading_after_a_reason_and_a_yes_and_patients_cannot_reach_it(
    clinic: Store,
) -> None:
    voiding = "Void scale reading #2 (NDI 20.0 of 50 (40%), 2026-11-18 10:00)?"

    async def steps(pilot: Any, app: Any) -> None:
        await open_list(pilot, app)
        await pilot.press("f8")
        assert app.screen.question == f"{voiding} It stays in the record, marked void. Why?"
        await pilot.press("enter")  # no reason: asked again
        assert text(app, "#answer-error") == "Voiding needs a reason: it is kept with the record"
        await pilot.press(*"dup", "enter")
        assert isinstance(app.screen, Confirm)
        assert app.screen.question == f"{voiding} It will count in no figure."
        await pilot.press("n")  # kept
        assert len(sql_rows(clinic, READINGS)) == 2
        await pilot.press("f8", *"dup", "enter", "y")
        assert text(app, "#readings-said") == "scale reading 2 voided"
        assert cells(app) == [[*NDI[:5], "void", "(total)"], PSFS]
        await pilot.press("e")  # a void is final
        assert text(app, "#readings-error") == "That reading is void: it counts in no figure."
        await pilot.press("escape", "v", "c")  # the patient's view: no way to the list
        assert isinstance(app.screen, PatientViewScreen)
        sentences = text(app, "#pv-sentences")
        assert "Neck Disability" not in sentences and "Functional" in sentences

    ts.run_app(ts.make_app(clinic), steps)
    assert sql_rows(clinic, READINGS)[2:] == [
        {"id": 3, "supersedes_id": 2, "status": "void", "amend_reason": "dup", "items": None,
         "score": 20.0}
    ]  # fmt: skip
    assert [r.scale for r in clinic.scale_readings(1)] == ["PSFS"]


def test_a_reading_s_time_is_corrected_in_the_form_its_answers_kept_as_entered(
    clinic: Store,
) -> None:
    # review18 #6: a reading's time could be corrected only with `scale amend --at`.
    # The patient's own answers (kiosk) stay the patient's when only the time changes.
    raw = {"scale": "PSFS", "at": "2026-11-19 10:00", "items": "5,7", "patient_id": 1,
           "labels": ["sleeping", "lifting"], "session_record_id": 1,
           "entered_by": "patient"}  # fmt: skip
    assert clinic.add_scale_reading(parse_scale_reading(raw, now=ts.NOW), 1) == 3

    async def steps(pilot: Any, app: Any) -> None:
        await open_list(pilot, app)
        await pilot.press("e")
        entry = app.screen
        assert isinstance(entry, ScaleEntry)
        when = entry.query_one("#scale-at", Input)
        assert when.value == "2026-11-19 10:00" and when.display
        assert text(app, ".hint") == (
            "The last field is its time. Enter to go on and save, Escape to cancel"
        )  # (the field's own placeholder is hidden under the time)
        refusals = (
            ("2026-11-19 25:00", "at: '2026-11-19 25:00' is not a date: use YYYY-MM-DD or"
             " YYYY-MM-DD HH:MM"),
            ("2026-12-30 10:00", "at: 2026-12-30 10:00 is in the future"),
        )  # fmt: skip
        await refused_then_asked(pilot, app, when, refusals, "2026-11-19 09:30", (
            "Correct scale reading #3 (PSFS 6.0 of 10, 2026-11-19 10:00) to PSFS 6.0 of 10,"
            " 2026-11-19 09:30? The one saved stays in the record. Why?"
        ))  # fmt: skip
        await pilot.press(*"time misheard", "enter")
        assert isinstance(app.screen, ScaleReadingsScreen)
        assert cells(app)[0] == ["4", "2026-11-19 09:30", "PSFS", "6.0 of 10", "#1",
                                 "corrected", "sleeping 5; lifting 7"]  # fmt: skip

    ts.run_app(ts.make_app(clinic), steps)
    rows = "SELECT id, supersedes_id, at, items, entered_by, amend_reason FROM scale_reading"
    assert sql_rows(clinic, rows + " WHERE id >= 3") == [
        {"id": 3, "supersedes_id": None, "at": "2026-11-19 10:00:00", "items": "[5, 7]",
         "entered_by": "patient", "amend_reason": None},
        {"id": 4, "supersedes_id": 3, "at": "2026-11-19 09:30:00", "items": "[5, 7]",
         "entered_by": "patient", "amend_reason": "time misheard"},
    ]  # fmt: skip
