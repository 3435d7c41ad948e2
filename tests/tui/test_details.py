"""The session's STRICTA details (F4): style, rationale and IMS findings, typed through
the real form and checked in the database."""

from __future__ import annotations

import pytest
import tui_scenarios as ts
from textual.widgets import DataTable, Input, Label, Static

from sessionlog.domain import parse_session
from sessionlog.tui.screens.history import HistoryScreen
from sessionlog.tui.screens.modals import AskText
from sessionlog.tui.screens.session_details import DetailsScreen
from sessionlog.tui.screens.session_form import SessionScreen
from sessionlog.tui.widgets.detail_complete import StyleAutoComplete

SIGNS = (
    "tender_motor_points", "paraspinal_tenderness", "coldness", "sweating", "goosebumps",
    "skin_rolling", "matchstick", "muscle_shortening",
)  # fmt: skip


def finding(level: str, side: str, *found: str, notes: str = "") -> dict:  # type: ignore[type-arg]
    """A finding as the store returns it: the signs as 0/1."""
    return {"level": level, "side": side, **{s: int(s in found) for s in SIGNS}, "notes": notes}


def drive(store, steps) -> None:  # type: ignore[no-untyped-def]
    ts.run_app(ts.make_app(store), steps)


def text(screen, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(screen.query_one(selector).render())


def seed_ims_session(store) -> int:  # type: ignore[no-untyped-def]
    """Jon Eriksen (patient 4): an IMS session with its details, a week ago."""
    saved = store.save_session(
        parse_session(
            {
                "patient_id": 4,
                "practitioner_id": 1,
                "technique": "ims",
                "started_at": "2026-11-16 09:00",
                "consent": True,
                "pain_before": 6,
                "sites": [{"target": "L4-L5", "side": "bilateral", "grasp": "strong"}],
                "style": "Gunn IMS",
                "rationale": "L5 radiculopathy [/] signs",
                "co_interventions": "exercise, heat",
                "ims_findings": [{"level": "L4-L5", "side": "right", "coldness": True}],
            },
            now=ts.NOW,
        )
    )
    return saved.record_id


def test_an_ims_session_with_two_findings_style_and_rationale(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1004", "enter", "i", "y", "5", "enter")
        await pilot.press(*"l4-l5 b strong", "enter", "enter", "3")
        await pilot.press("f4")
        panel = app.screen
        assert isinstance(panel, DetailsScreen)
        assert app.focused.id == "d-level"  # IMS: the findings first
        await pilot.press(*"l4-5 r", "enter", "t", "c", "enter", *"worse [/] on flexion", "enter")
        await pilot.press(*"L5/S1", "enter", "p", "r", "m", "space", "enter", "enter")
        table = panel.query_one("#d-findings", DataTable)
        assert [str(c) for c in table.get_row_at(0)] == [
            "1", "L4-L5", "R", "Tender MPs, Coldness", "worse [/] on flexion"
        ]  # fmt: skip
        # space toggled the sign under the cursor: matchstick, the last one ticked
        assert str(table.get_row_at(1)[3]) == "Paraspinal, Skin rolling"
        await pilot.press("shift+tab", "shift+tab", *"Gunn IMS", "enter", *"L5 radiculopathy")
        await pilot.press("f4")
        assert isinstance(app.screen, SessionScreen)
        line = text(app.screen, "#details-summary")
        assert "Gunn IMS" in line and "IMS 2 findings: L4-L5 R, L5-S1 both" in line
        await pilot.press("ctrl+s")

    drive(store, steps)
    (row,) = store.sessions(patient_id=4)
    s = store.session(row["record_id"])
    assert (s["style"], s["rationale"]) == ("Gunn IMS", "L5 radiculopathy")
    assert s["ims_findings"] == [
        finding("L4-L5", "right", "tender_motor_points", "coldness", notes="worse [/] on flexion"),
        finding("L5-S1", "bilateral", "paraspinal_tenderness", "skin_rolling"),
    ]
    assert (s["pain_before"], s["pain_after"]) == (5, 3)


def test_repeat_copies_style_and_rationale_never_the_findings(store) -> None:  # type: ignore[no-untyped-def]
    seed_ims_session(store)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1004", "ctrl+r")
        screen = app.screen
        assert screen.state.details.findings == []
        line = text(screen, "#details-summary")
        assert "Gunn IMS" in line and "IMS" in line and "finding" not in line
        await pilot.press("y", "5", "enter", "enter", "2", "ctrl+s")

    drive(store, steps)
    new = store.last_session(4)
    assert new["started_at"] == "2026-11-23 10:30:00"
    assert (new["style"], new["rationale"]) == ("Gunn IMS", "L5 radiculopathy [/] signs")
    assert new["co_interventions"] == ["exercise", "heat"]
    assert new["ims_findings"] == []  # last week's assessment is not today's


def test_bad_values_are_named_beside_their_field_and_nothing_is_saved(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1004", "enter", "i", "y", "5", "enter", *"l4-l5", "enter", "f4")
        panel = app.screen
        await pilot.press(*"L9-L10", "enter")
        assert text(panel, "#derr-findings") == (
            "IMS finding 1 level: 'L9-L10' is not a known point, muscle or spinal level;"
            " did you mean T9-T10?"
        )
        assert app.focused.id == "d-level"
        await pilot.press("escape")  # the line is wrong: asked first, not dropped
        assert app.screen is panel
        assert "Escape or F4 again leaves this line out" in text(panel, "#derr-findings")
        await pilot.press("escape")
        assert isinstance(app.screen, SessionScreen)
        assert app.screen.state.details.findings == []
        await pilot.press("f4", "shift+tab", "shift+tab", *("x" * 121), "ctrl+s")
        panel = app.screen
        assert isinstance(panel, DetailsScreen)  # Ctrl+S here does not leave with a problem
        assert text(panel, "#derr-style") == "Style is 121 characters long: at most 120 allowed"
        await pilot.press("f4")  # kept as typed; the form names the problem under its line
        form = app.screen
        assert isinstance(form, SessionScreen)
        assert text(form, "#err-more") == "Style is 121 characters long: at most 120 allowed"
        assert form.query_one("#details-summary", Static).has_class("-invalid")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, SessionScreen)
        assert text(form, "#err-more") == "Style is 121 characters long: at most 120 allowed"
        await pilot.press("f4")  # and the panel shows it beside the style
        assert text(app.screen, "#derr-style").startswith("Style is 121 characters")

    drive(store, steps)
    assert store.sessions(patient_id=4) == []


def test_an_amendment_shows_and_keeps_the_details(store) -> None:  # type: ignore[no-untyped-def]
    record = seed_ims_session(store)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1004", "tab", "tab", "tab", "enter")
        form = app.screen
        assert isinstance(form, SessionScreen) and form.record_id == record
        assert "IMS 1 finding: L4-L5 R" in text(form, "#details-summary")
        await pilot.press("f4")
        panel = app.screen
        assert panel.query_one("#d-style", Input).value == "Gunn IMS"
        assert str(panel.query_one("#d-findings", DataTable).get_row_at(0)[3]) == "Coldness"
        # Edit the finding from its row: add sweating.
        await pilot.press("tab", "tab", "tab", "e", "tab", "s", "enter", "enter")
        await pilot.press("shift+tab", "shift+tab")
        assert app.focused.id == "d-style"
        await pilot.press("ctrl+u", *"Gunn IMS (iSTOP)", "ctrl+s")
        assert isinstance(app.screen, AskText)
        await pilot.press(*"sweating seen", "enter")
        await pilot.press(*"1004", "tab", "tab", "tab", "f3")
        history = app.screen
        assert isinstance(history, HistoryScreen)
        what = str(history.query_one("#versions", DataTable).get_row_at(1)[4])
        assert what.replace("\n", " ") == (
            "style Gunn IMS -> Gunn IMS (iSTOP); IMS L4-L5 R +Sweating"
        )
        details = text(history, "#version-details")
        assert "Style: Gunn IMS (iSTOP)" in details
        assert "Rationale: L5 radiculopathy [/] signs" in details
        assert "Co-interventions: exercise, heat" in details
        assert "L4-L5 R: Coldness, Sweating" in details

    drive(store, steps)
    s = store.session(record)
    assert s["version"] == 2
    assert (s["style"], s["rationale"]) == ("Gunn IMS (iSTOP)", "L5 radiculopathy [/] signs")
    assert s["co_interventions"] == ["exercise", "heat"]
    assert s["ims_findings"] == [finding("L4-L5", "right", "coldness", "sweating")]


def test_an_untouched_amendment_keeps_the_details_and_has_nothing_to_amend(store) -> None:  # type: ignore[no-untyped-def]
    record = seed_ims_session(store)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1004", "tab", "tab", "tab", "enter", "f4", "f4", "ctrl+s")
        assert isinstance(app.screen, SessionScreen)  # nothing changed: no reason asked

    drive(store, steps)
    assert store.session(record)["version"] == 1


def test_the_details_key_is_in_the_footer_and_the_palette(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter")
        shown = {b.binding.key: b.binding.description for b in app.screen.active_bindings.values()}
        assert shown["f4"] == "Details"
        assert app.screen.active_bindings["f4"].binding.show
        # Nothing to show for acupuncture: the line stays out of the way (the footer has F4).
        assert not app.screen.query_one("#details-row").display
        await pilot.press("i")  # IMS: the line invites the findings
        assert app.screen.query_one("#details-row").display
        assert text(app.screen, "#details-summary") == (
            "F4 adds style, rationale, IMS findings per segment"
        )
        assert str(app.screen.query_one("#err-more", Label).render()) == ""


def test_the_details_line_names_the_details_key_as_remapped(store) -> None:  # type: ignore[no-untyped-def]
    # The line said "F4 adds ..." to a user whose settings moved the details to F9.
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        app.set_keymap({"session.details": "f9"})
        await pilot.press(*"1002", "enter", "i")
        assert text(app.screen, "#details-summary") == (
            "F9 adds style, rationale, IMS findings per segment"
        )
        await pilot.press("f9")  # and F9 opens them
        assert isinstance(app.screen, DetailsScreen)

    drive(store, steps)


@pytest.mark.parametrize(
    ("key", "named"), [("question_mark", "?"), ("ctrl+left_square_bracket", "Ctrl+[")]
)
def test_a_key_remapped_to_a_symbol_is_named_as_the_symbol(store, key: str, named: str) -> None:  # type: ignore[no-untyped-def]
    # review22 #7: "Question_mark adds ..." and "Ctrl+Left_square_bracket".
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        app.set_keymap({"session.details": key, "details.keep": key})
        await pilot.press(*"1002", "enter", "i")
        assert text(app.screen, "#details-summary") == (
            f"{named} adds style, rationale, IMS findings per segment"
        )
        app.screen.action_details()  # (a "?" typed here goes into the field)
        await pilot.pause()
        assert isinstance(app.screen, DetailsScreen)  # its hint names its own key too
        assert text(app.screen, "#details-hint") == (
            f"{named} or Escape: back to the form, keeping this · Ctrl+S: save the session"
        )

    drive(store, steps)


def test_an_acupuncture_style_is_picked_from_the_suggestions(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "a", "f4")
        await pilot.pause()  # the panel focuses its first field once mounted
        panel = app.screen
        assert app.focused.id == "d-style"
        assert not panel.query_one("#ims-section").display  # no findings for acupuncture
        await pilot.press("down")  # the usual styles, on an empty line
        dropdown = panel.query_one(StyleAutoComplete)
        options = dropdown.option_list
        shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert dropdown.display and shown[:4] == [
            "TCM", "Five Element", "Japanese meridian", "Western medical acupuncture"
        ]  # fmt: skip
        await pilot.press("down", "enter", "f4")
        form = app.screen
        assert form.query_one("#details-row").display
        assert text(form, "#details-summary") == "Five Element  (F4)"
        assert form.state.details.style == "Five Element"

    drive(store, steps)

    drive(store, steps)
