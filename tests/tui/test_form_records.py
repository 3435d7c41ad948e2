"""The session form records exactly what was meant (issue 14, "values wrong in the
database"): each test types as a user does and then reads the rows back."""

from __future__ import annotations

import json
from pathlib import Path

import tui_scenarios as ts
from textual.widgets import Input

from sessionlog.exchange import export
from sessionlog.tui.screens.session_form import SessionScreen


def drive(store, steps, size=ts.SIZE) -> None:  # type: ignore[no-untyped-def]
    ts.run_app(ts.make_app(store), steps, size)


def only_session(store, patient_id: int):  # type: ignore[no-untyped-def]
    (row,) = store.sessions(patient_id=patient_id)
    return store.session(row["record_id"])


# -- defect 1: a blank face-to-face time stays blank --------------------------------


def test_a_blank_face_to_face_time_is_saved_blank_and_shown_blank(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "a", "y", "7", "enter", *"st36", "enter", "enter")
        await pilot.press("3", "ctrl+s")

    drive(store, steps)
    saved = only_session(store, 2)
    assert saved["face_to_face_min"] is None  # not 10 + 20 min of retention
    assert saved["cpt_codes"] == []  # acupuncture bills by time: no time, no code

    async def reopen(pilot, app):  # type: ignore[no-untyped-def]
        app.push_screen(SessionScreen(2, record_id=saved["record_id"]))
        await pilot.pause()
        assert app.screen.query_one("#f-face_to_face_min", Input).value == ""

    drive(store, reopen)
    export(store, "fhir", tmp_path / "fhir.json")
    bundle = json.loads((tmp_path / "fhir.json").read_text())
    encounters = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Encounter"
    ]
    assert len(encounters) == 3  # no session of the seeded clinic has a face-to-face time
    assert all(set(e["period"]) == {"start"} for e in encounters)  # no invented end
    assert all("length" not in e for e in encounters)


def test_the_cpt_hint_says_acupuncture_needs_the_time(store) -> None:  # type: ignore[no-untyped-def]
    from sessionlog.domain import Site, cpt_hint

    sites = [Site("acupuncture_point", "ST36", "bilateral")]
    assert cpt_hint("acupuncture", sites, None) == (
        "none until the face-to-face time is recorded (acupuncture bills by time)"
    )
    assert cpt_hint("acupuncture", sites, 30) == "97810, 97811"
    assert cpt_hint("dry_needling", [Site("trigger_point", "upper trapezius", "left")], None) == (
        "20560"
    )


# -- defect 2: a protocol of another technique brings that technique's settings -----


def test_an_acupuncture_protocol_applied_to_an_ims_session_retains_in_minutes(store) -> None:  # type: ignore[no-untyped-def]
    store.save_protocol(1, "calm", "acupuncture", [{"target": "LI4", "side": "bilateral"}])

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "i", "y", "5", "enter")  # IMS: retention 5 s
        screen = app.screen
        assert screen.query_one("#s-retention", Input).value == "5"
        await pilot.press("ctrl+t", "enter")
        assert screen.state.technique == "acupuncture"
        assert screen.query_one("#s-retention", Input).value == "20"
        assert str(screen.query_one("#retention-unit").render()) == "min"
        await pilot.press("ctrl+s")

    drive(store, steps)
    saved = only_session(store, 2)
    assert saved["technique"] == "acupuncture"
    assert [s["retention_s"] for s in saved["sites"]] == [1200]  # what the row said: 20 min
