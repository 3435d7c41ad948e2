"""The session form records exactly what was meant (issue 14, "values wrong in the
database"): each test types as a user does and then reads the rows back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import tui_scenarios as ts
from textual.widgets import Input, Static

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


# -- defect 4: electrical stimulation only on the sites on the stimulator ------------


def test_electrical_stimulation_is_recorded_on_the_stimulated_sites_only(store) -> None:  # type: ignore[no-untyped-def]
    # 8-point electro-acupuncture: ST36 and LI4 on lead 1, SP6 and LR3 on lead 2; GV20,
    # Yintang, CV12 and PC6 were never on the stimulator.
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "e", "y", "6", "enter")
        form = app.screen
        form.query_one("#s-estim_hz", Input).value = "2/100"
        await pilot.pause()
        for site in ("st36 l e1", "li4 l e1", "sp6 r e2", "lr3 r e2", "gv20", "yintang"):
            await pilot.press(*site, "enter")
        for site in ("cv12", "pc6 b"):
            await pilot.press(*site, "enter")
        await pilot.press("enter", "3", "ctrl+s")

    drive(store, steps)
    saved = only_session(store, 2)
    assert [
        (
            s["target"],
            s["stimulation"],
            s["estim_lead"],
            s["estim_frequency_hz"],
            s["estim_frequency_2_hz"],
        )
        for s in saved["sites"]
    ] == [
        ("ST36", "electrical", 1, 2.0, 100.0),
        ("LI4", "electrical", 1, 2.0, 100.0),
        ("SP6", "electrical", 2, 2.0, 100.0),
        ("LR3", "electrical", 2, 2.0, 100.0),
        ("GV20", "manual_even", None, None, None),
        ("EX-HN3", "manual_even", None, None, None),
        ("CV12", "manual_even", None, None, None),
        ("PC6", "manual_even", None, None, None),
    ]


def test_an_electro_session_with_no_site_on_the_stimulator_is_refused(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "e", "y", "6", "enter", *"st36", "enter", "ctrl+s")
        assert str(app.screen.query_one("#err-sites").render()).startswith(
            "Sites: none was on the stimulator"
        )

    drive(store, steps)
    assert store.sessions(patient_id=2) == []


def test_stimulator_fields_on_a_site_off_the_stimulator_are_refused() -> None:
    import pytest

    from sessionlog.domain import parse_site
    from sessionlog.domain.fields import InvalidRecord

    with pytest.raises(InvalidRecord) as err:
        parse_site(
            {"target": "gv20", "stimulation": "manual_even", "estim_frequency_hz": 2},
            "electroacupuncture",
        )
    assert [(e.field, e.message) for e in err.value.errors] == [
        (
            "site.estim_frequency_hz",
            "given, but the site was not on the stimulator (stimulation is manual_even)",
        )
    ]


def test_the_leads_travel_through_export_import_and_fhir(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from sessionlog.domain import parse_session
    from sessionlog.exchange import import_file
    from sessionlog.store import Store

    sites = [
        {
            "target": "st36",
            "side": "left",
            "stimulation": "electrical",
            "estim_lead": 1,
            "estim_frequency_hz": 2,
        },
        {"target": "gv20", "stimulation": "manual_even"},
    ]
    store.save_session(
        parse_session(
            {
                "patient_id": 2,
                "practitioner_id": 1,
                "technique": "electroacupuncture",
                "consent": True,
                "pain_before": 5,
                "sites": sites,
            },
            now=ts.NOW,
        )
    )
    export(store, "json", tmp_path / "all.json", actor_id=1)
    copy = Store.open(tmp_path / "copy.db", clock=ts.clock)
    try:
        import_file(tmp_path / "all.json", copy)
        (row,) = copy.sessions(patient_id=2)
        whole = copy.session(row["record_id"])
        assert whole is not None
        got = whole["sites"]
        assert [(s["target"], s["stimulation"], s["estim_lead"]) for s in got] == [
            ("ST36", "electrical", 1),
            ("GV20", "manual_even", None),
        ]
    finally:
        copy.close()
    export(store, "fhir", tmp_path / "fhir.json")
    texts = [
        b["text"]
        for e in json.loads((tmp_path / "fhir.json").read_text())["entry"]
        if e["resource"]["resourceType"] == "Procedure"
        for b in e["resource"]["bodySite"]
    ]
    assert "ST36 (acupuncture point), left, electrical stimulation (lead 1, 2 Hz)" in texts
    assert "GV20 (acupuncture point), midline" in texts


# -- defect 5: a depth deeper than the needle is refused -----------------------------


def test_a_depth_deeper_than_the_needle_is_refused_naming_the_field(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "a", "y", "6", "enter", *"st36 b 60mm 0.25x30", "enter")
        error = str(app.screen.query_one("#err-sites").render())
        assert error == "Site 1 depth: 60 mm is deeper than the needle is long (30 mm)"
        assert app.screen.state.sites == []
        await pilot.press("ctrl+s")

    drive(store, steps)
    assert store.sessions(patient_id=2) == []


def test_the_cli_refuses_a_depth_deeper_than_the_needle(tmp_path: Path) -> None:
    from helpers_cli import make_clinic, run

    clinic = make_clinic(tmp_path / "clinic.db")
    result = run(
        clinic,
        "log --patient C001 --technique acupuncture --consent --pain-before 5"
        " --site 'st36:bilateral:depth=60,length=30'",
    )
    assert (result.exit_code, result.stderr) == (
        1,
        "error: sites[1].depth_value: 60 mm is deeper than the needle is long (30 mm)\n",
    )


# -- defect 3: sessions recorded in the app belong to an episode of care ------------


def test_a_new_session_continues_the_current_episode_and_shows_it(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter")
        line = str(app.screen.query_one("#episode-line").render())
        assert line == "low back pain · low back · since 2026-11-01  (F6: new)"
        assert not app.screen.query_one("#new-episode").display
        await pilot.press("a", "y", "7", "enter", *"st36", "enter", "ctrl+s")

    drive(store, steps)
    assert only_session(store, 2)["episode_id"] == 2


def test_f6_starts_a_new_episode_that_compare_by_region_then_sees(store) -> None:  # type: ignore[no-untyped-def]
    from sessionlog.analysis.model import Filters
    from sessionlog.services.reports import comparison_report

    def neck_sessions() -> int:  # what compare --region neck counts
        return sum(g.sessions for g in comparison_report(store, Filters(region="neck")).groups)

    before = neck_sessions()

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "f6")
        assert app.screen.focused.id == "f-complaint"
        await pilot.press(*"stiff neck", "enter", *"nec", "enter")
        await pilot.press("d", "y", "6", "enter", *"upper trap r 2", "enter")
        await pilot.press(*"levator r 1", "enter", "enter", "3", "ctrl+s")

    drive(store, steps)
    saved = only_session(store, 2)
    episode = store.episode(saved["episode_id"])
    assert (episode["complaint"], episode["body_region"], episode["started_on"]) == (
        "stiff neck",
        "neck",
        "2026-11-23",
    )
    assert store.current_episode(2)["id"] == saved["episode_id"]
    assert neck_sessions() == before + 1


def test_a_patient_with_no_episode_is_asked_for_the_complaint(store) -> None:  # type: ignore[no-untyped-def]
    from sessionlog.domain import parse_patient

    pid = store.add_patient(parse_patient({"chart_id": "3001", "name": "Ana Ruiz"}))

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"3001", "enter")
        form = app.screen
        assert form.query_one("#new-episode").display
        assert form.focused.id == "f-complaint"
        await pilot.press("enter", "enter")  # left blank: on to the technique
        await pilot.press("a", "y", "5", "enter", *"li4", "enter", "ctrl+s")
        assert str(form.query_one("#err-episode").render()).startswith("Complaint is required")
        form.query_one("#f-complaint", Input).value = "headache"
        form.query_one("#f-body_region", Input).value = "head"
        await pilot.press("ctrl+s")

    drive(store, steps)
    saved = only_session(store, pid)
    assert store.episode(saved["episode_id"])["complaint"] == "headache"


# -- defect 10: history says what changed, old and new; its table has rows at 80x24 --


def test_history_names_a_site_field_that_changed_and_fits_80x24(store) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import DataTable

    from sessionlog.domain import parse_session
    from sessionlog.tui.screens.history import HistoryScreen

    data: dict[str, Any] = {
        "patient_id": 3,
        "practitioner_id": 1,
        "technique": "dry_needling",
        "started_at": "2026-11-20 09:00",
        "consent": True,
        "pain_before": 6,
        "sites": [
            {"target": "upper trap", "side": "right", "twitch_count": 3},
            {"target": "levator", "side": "right"},
        ],
    }
    record = store.save_session(parse_session(data, now=ts.NOW)).record_id
    data["sites"][1]["twitch_count"] = 2
    store.amend_session(record, parse_session(data, now=ts.NOW), 1, "twitches missed")

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        app.push_screen(HistoryScreen(record))
        await pilot.pause()
        table = app.screen.query_one("#versions", DataTable)
        assert table.size.height >= 3  # header and both versions
        what = str(table.get_row_at(1)[4])  # wrapped to the width left: none of it cut
        assert what.replace("\n", " ") == "levator scapulae R twitch count none -> 2"
        assert table.virtual_size.width <= table.scrollable_content_region.width
        assert "Changed: levator scapulae R twitch count none -> 2" in str(
            app.screen.query_one("#version-details").render()
        )

    drive(store, steps, size=(80, 24))


# -- attack pass: values nobody typed today are not saved ----------------------------


def last_acupuncture(store, **fields: Any) -> None:  # type: ignore[no-untyped-def]
    """Patient 3's last session: acupuncture on 2026-11-20, with ``fields``."""
    from sessionlog.domain import parse_session

    data = {
        "patient_id": 3,
        "practitioner_id": 1,
        "technique": "acupuncture",
        "started_at": "2026-11-20 09:00",
        "consent": True,
        "pain_before": 6,
        **fields,
    }
    store.save_session(parse_session(data, now=ts.NOW))


def test_repeat_last_leaves_the_face_to_face_time_to_today(store) -> None:  # type: ignore[no-untyped-def]
    # Acupuncture bills by today's face-to-face time: last time's 25 minutes, copied by
    # Ctrl+R and saved unseen, would bill a time nobody measured today.
    last_acupuncture(store, face_to_face_min=25, sites=[{"target": "st36", "side": "bilateral"}])

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1003", "ctrl+r")
        form = app.screen
        assert [r.raw["target"] for r in form.state.sites] == ["ST36"]  # it did repeat
        assert form.query_one("#f-face_to_face_min", Input).value == ""
        await pilot.press("y", "5", "enter", "enter", "2", "ctrl+s")

    drive(store, steps)
    latest = store.session(store.sessions(patient_id=3)[0]["record_id"])
    assert (latest["pain_before"], latest["face_to_face_min"]) == (5, None)


def test_repeat_last_asks_before_replacing_the_sites_typed(store) -> None:  # type: ignore[no-untyped-def]
    # Ctrl+R threw the sites already typed away without a word: the practitioner who
    # had typed today's points lost them on one key.
    from sessionlog.tui.screens.modals import Confirm

    last_acupuncture(
        store, sites=[{"target": "st36", "side": "bilateral"}, {"target": "sp6", "side": "left"}]
    )

    def targets(app) -> list[str]:  # type: ignore[no-untyped-def]
        return [r.raw["target"] for r in app.screen.state.sites]

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1003", "enter", "a", "y", "7", "enter", *"li4", "enter", "ctrl+r")
        assert isinstance(app.screen, Confirm)
        assert str(app.screen.query_one(Static).render()) == (
            "Repeat the session on 2026-11-20 (2 sites)? It replaces what you typed: 1 site."
        )
        await pilot.press("n")  # keep mine
        assert isinstance(app.screen, SessionScreen) and targets(app) == ["LI4"]
        await pilot.press("ctrl+r", "escape")  # escape keeps them too
        assert isinstance(app.screen, SessionScreen) and targets(app) == ["LI4"]
        await pilot.press("ctrl+r", "y")
        assert isinstance(app.screen, SessionScreen) and targets(app) == ["ST36", "SP6"]
        assert app.screen.query_one("#f-pain_before", Input).value == "7"  # today's kept
        await pilot.press("ctrl+r")  # nothing would be lost now (the same sites): no question
        assert isinstance(app.screen, SessionScreen) and targets(app) == ["ST36", "SP6"]
        await pilot.press("ctrl+s")

    drive(store, steps)
    latest = store.session(store.sessions(patient_id=3)[0]["record_id"])
    assert [s["target"] for s in latest["sites"]] == ["ST36", "SP6"]
    assert latest["pain_before"] == 7


def test_a_protocol_of_another_technique_shows_the_sites_as_they_are_saved(store) -> None:  # type: ignore[no-untyped-def]
    # A dry-needling protocol added to an acupuncture session that has sites: the table
    # said "trigger" (the protocol's reading) and the session saved a motor point.
    store.save_protocol(1, "neck", "dry_needling", [{"target": "levator scapulae", "side": "left"}])

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "a", "y", "5", "enter", *"st36 b", "enter")
        await pilot.press("ctrl+t", "enter")
        form = app.screen
        assert form.state.technique == "acupuncture"
        assert [(r.raw["target"], r.kind) for r in form.state.sites] == [
            ("ST36", "acupuncture_point"),
            ("levator scapulae", "motor_point"),
        ]
        await pilot.press("ctrl+s")

    drive(store, steps)
    saved = only_session(store, 2)
    assert [(s["target"], s["kind"]) for s in saved["sites"]] == [
        ("ST36", "acupuncture_point"),
        ("levator scapulae", "motor_point"),
    ]


# -- attack pass: a correction made elsewhere is never undone unseen ----------------


def test_an_amendment_from_a_form_opened_before_another_correction_is_refused(store) -> None:  # type: ignore[no-untyped-def]
    # The form opened version 1; the command line then corrected the soreness (version
    # 2); the form's save wrote version 3 from version 1, undoing that correction unseen.
    from sessionlog.domain import parse_session
    from sessionlog.tui.screens.modals import AskText

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        app.push_screen(SessionScreen(1, record_id=1))
        await pilot.pause()
        elsewhere = {**store.session(1), "soreness_after": 3, "sites": store.session(1)["sites"]}
        store.amend_session(1, parse_session(elsewhere, now=ts.NOW), 1, "soreness was 3")
        app.screen.query_one("#f-pain_after", Input).value = "2"
        await pilot.press("ctrl+s")
        # refused before a reason is asked (review21 #6): the form keeps what was typed
        assert not isinstance(app.screen, AskText)
        assert isinstance(app.screen, SessionScreen)
        assert app.screen.query_one("#f-pain_after", Input).value == "2"
        assert str(app.screen.query_one("#err-details").render()) == (
            "Session: session 1 was corrected since it was opened (version 2 now, 1 opened):"
            " open it again to correct it"
        )

    drive(store, steps)
    saved = store.session(1)
    assert (saved["version"], saved["soreness_after"], saved["pain_after"]) == (2, 3, 3)


def test_a_correction_made_while_the_reason_is_typed_is_still_refused_at_the_write(store) -> None:  # type: ignore[no-untyped-def]
    # The form's early check passed; the command line corrected the session while the
    # reason was being typed: the write checks again and refuses.
    from sessionlog.domain import parse_session
    from sessionlog.tui.screens.modals import AskText

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        app.push_screen(SessionScreen(1, record_id=1))
        await pilot.pause()
        app.screen.query_one("#f-pain_after", Input).value = "2"
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, AskText)
        elsewhere = {**store.session(1), "soreness_after": 3, "sites": store.session(1)["sites"]}
        store.amend_session(1, parse_session(elsewhere, now=ts.NOW), 1, "soreness was 3")
        await pilot.press(*"pain after was 2", "enter")
        assert isinstance(app.screen, SessionScreen)  # refused: the form keeps what was typed
        assert app.screen.query_one("#f-pain_after", Input).value == "2"

    drive(store, steps)
    saved = store.session(1)
    assert (saved["version"], saved["soreness_after"], saved["pain_after"]) == (2, 3, 3)
