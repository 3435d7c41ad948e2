"""Defects found by typing sessions in a real terminal (the home lists, the session form
and its sites and settings), each typed here as it was there."""

from __future__ import annotations

import tui_scenarios as ts
from textual.widgets import DataTable, Input

from sessionlog.domain import Episode, parse_patient, parse_session
from sessionlog.tui.screens.home import HomeScreen
from sessionlog.tui.screens.session_form import SessionScreen
from sessionlog.tui.widgets.choice import ConsentToggle


def drive(app, steps, size=(120, 40)) -> None:  # type: ignore[no-untyped-def]
    ts.run_app(app, steps, size)


def shown(table: DataTable, y: int) -> str:  # type: ignore[type-arg]
    """The text of line ``y`` of a table as it is painted (line 0 is the header)."""
    return table.render_line(y).text


def test_lists_widen_for_a_session_saved_from_the_form(store) -> None:  # type: ignore[no-untyped-def]
    # The home screen's tables were painted before they measured the new row: today's
    # list showed "10:3", "Alexandra Mo", "acupunctu" until the app was restarted.
    pid = store.add_patient(
        parse_patient({"chart_id": "3001", "name": "Alexandra Montgomery"}, this_year=ts.NOW.year)
    )
    store.add_episode(Episode(pid, "shoulder pain", "shoulder", "2026-11-23"))  # registered so

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        keys = ts.Keys(pilot)
        await keys.type("3001")
        await keys.press("enter", "a", "y", "5", "enter")
        await keys.type("st36")
        await keys.press("enter", "enter", "3", "ctrl+s")
        await pilot.pause()
        today = app.screen.query_one("#today", DataTable)
        line = next(shown(today, y) for y in (1, 2) if "3001" in shown(today, y))
        assert "10:30" in line and "Alexandra Montgomery" in line and "Acupuncture" in line
        assert store.sessions(patient_id=pid)[0]["pain_after"] == 3

    drive(ts.make_app(store), steps)


def _dry_needling_rotation(store) -> int:  # type: ignore[no-untyped-def]
    """Priya Shah's dry needling with settings that are not the technique's defaults."""
    saved = store.save_session(
        parse_session(
            {
                "patient_id": 3,
                "practitioner_id": 1,
                "technique": "dry_needling",
                "started_at": "2026-11-20 09:00",
                "consent": True,
                "pain_before": 6,
                "pain_after": 3,
                "sites": [
                    {"target": "upper trap", "side": "left", "twitch_count": 2,
                     "retention_s": 30, "stimulation": "rotation"},
                    {"target": "infra", "side": "right", "retention_s": 30,
                     "stimulation": "rotation"},
                ],
            },
            now=ts.NOW,
        )
    )  # fmt: skip
    return saved.record_id


def test_amending_keeps_the_sessions_own_retention_and_stimulation(store) -> None:  # type: ignore[no-untyped-def]
    # Opening a saved session announced the picker's first technique (acupuncture) after
    # the session was shown: the form switched to acupuncture and back, and the saved
    # retention (30 s) and stimulation (rotation) became dry needling's defaults, which
    # the amendment then saved as if they had been typed.
    record_id = _dry_needling_rotation(store)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1003", "tab", "tab", "tab", "enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, SessionScreen)
        assert (form.query_one("#s-retention", Input).value, form.state.technique) == (
            "30",
            "dry_needling",
        )
        assert form.query_one("#s-stimulation", Input).value == "rotation"
        await pilot.press("enter", "enter", "enter", "enter", "backspace", "4", "ctrl+s")
        await pilot.press(*"typo", "enter")
        await pilot.pause()

    drive(ts.make_app(store), steps)
    amended = store.session(record_id)
    assert (amended["version"], amended["pain_after"]) == (2, 4)
    assert [(s["retention_s"], s["stimulation"]) for s in amended["sites"]] == [
        (30, "rotation"),
        (30, "rotation"),
    ]


def test_repeat_last_keeps_the_last_sessions_settings(store) -> None:  # type: ignore[no-untyped-def]
    _dry_needling_rotation(store)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1003", "ctrl+r")
        await pilot.pause()
        form = app.screen
        assert form.query_one("#s-retention", Input).value == "30"
        assert form.query_one("#s-stimulation", Input).value == "rotation"
        await pilot.press("y", "5", "enter", "enter", "2", "ctrl+s")
        await pilot.pause()

    drive(ts.make_app(store), steps)
    latest = store.session(store.sessions(patient_id=3)[0]["record_id"])
    assert (latest["pain_before"], latest["version"]) == (5, 1)
    assert [(s["retention_s"], s["stimulation"]) for s in latest["sites"]] == [
        (30, "rotation"),
        (30, "rotation"),
    ]


def test_y_on_the_technique_keeps_it_and_records_consent(store) -> None:  # type: ignore[no-untyped-def]
    # The technique comes pre-picked (the patient's last, or the profession's); the
    # consent line says "(y)", but y pressed on the technique line did nothing.
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1001", "enter")
        form = app.screen
        assert isinstance(form, SessionScreen) and app.focused.id == "technique"
        await pilot.press("y", "6")
        assert form.query_one("#consent", ConsentToggle).value is True
        assert form.state.technique == "acupuncture"  # Maria Keller's last technique
        assert form.query_one("#f-pain_before", Input).value == "6"

    drive(ts.make_app(store), steps)


def test_a_midline_extra_point_typed_without_a_side_is_midline(store) -> None:  # type: ignore[no-untyped-def]
    # yintang typed after pc6 l was saved as EX-HN3 on the left: only GV and CV points
    # were known to sit on the midline, so it took the side of the site before.
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "a", "y", "6", "enter")
        for text in ("pc6 l", "du20", "yintang", "ex-b8"):
            await pilot.press(*text, "enter")
        rows = app.screen.state.sites
        assert [(r.raw["target"], r.raw.get("side")) for r in rows][1:] == [
            ("GV20", "midline"),
            ("EX-HN3", "midline"),
            ("EX-B8", "midline"),
        ]
        await pilot.press("enter", "3", "ctrl+s")
        await pilot.pause()

    drive(ts.make_app(store), steps)
    saved = store.session(store.sessions(patient_id=2)[0]["record_id"])
    assert [(s["target"], s["side"]) for s in saved["sites"]] == [
        ("PC6", "left"),
        ("GV20", "midline"),
        ("EX-HN3", "midline"),
        ("EX-B8", "midline"),
    ]


SETTINGS_CASES = (
    # (setting input, typed, the one line under the settings row)
    ("s-estim_hz", "2/300", "Frequency (Hz): '300' is out of range: a number from 0.1 to 200"),
    ("s-estim_hz", "100/2", "Frequency (Hz): 2 Hz must be higher than the first frequency"
     " (100 Hz): the pair is low/high, such as 2/100"),
    ("s-estim_hz", "2/100/5", "Frequency (Hz): '2/100/5' is not a number from 0.1 to 200,"
     " or a low/high pair such as 2/100"),
    ("s-estim_hz", "x", "Frequency (Hz): 'x' is not a number: a number from 0.1 to 200"),
    ("s-retention", "99999", "Retention: 99999 is out of range: a whole number of minutes"
     " from 0 to 240"),
    ("s-retention", "-3", "Retention: -3 is out of range: a whole number of minutes from 0 to 240"),
    ("s-retention", "", "Retention is required: a whole number of minutes from 0 to 240"),
    ("s-deqi", "maybe", "De Qi: 'maybe' is not allowed: yes or no"),
    ("s-stimulation", "wiggle", "Stimulation: 'wiggle' is not allowed: one of none, manual_even,"),
)  # fmt: skip


def test_a_bad_setting_is_named_once_under_the_settings_in_its_own_unit(store) -> None:  # type: ignore[no-untyped-def]
    # Hz 2/100 on an 8-point session gave eight "Site N frequency (Hz)" lines under the
    # sites; retention 99999 (minutes) was reported as "5999940 is out of range" (seconds).
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "e", "y", "6", "enter")
        form = app.screen
        for field, typed, expected in SETTINGS_CASES:
            form.query_one(f"#{field}", Input).value = typed
            await pilot.pause()
            await pilot.press(*"st36 e", "enter", *"li4 e", "enter")  # sites still go in
            assert len(form.state.sites) == 2
            app.clear_notifications()  # the toast read below is this Ctrl+S's own
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, SessionScreen)
            assert str(form.query_one("#err-settings").render()).startswith(expected)
            assert "\n" not in str(form.query_one("#err-settings").render())
            assert str(form.query_one("#err-sites").render()) == ""
            assert form.query_one(f"#{field}", Input).has_class("-invalid")
            notes = [str(n.message) for n in app._notifications]
            assert notes == ["Not saved: 1 problem to fix (shown in red)"]
            # 2/100 Hz (dense-disperse) is a valid setting: it is saved below.
            form.query_one(f"#{field}", Input).value = {
                "s-estim_hz": "2/100 Hz",
                "s-retention": "20",
            }.get(field, "")
            form.state.sites.clear()
            form.refresh_sites()
        assert store.sessions(patient_id=2) == []
        await pilot.press(*"st36 e", "enter", "ctrl+s")  # all put right: it saves
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)

    drive(ts.make_app(store), steps)
    saved = store.session(store.sessions(patient_id=2)[0]["record_id"])
    assert [
        (s["retention_s"], s["estim_frequency_hz"], s["estim_frequency_2_hz"])
        for s in saved["sites"]
    ] == [(1200, 2.0, 100.0)]


def test_a_bad_word_after_a_known_site_is_named(store) -> None:  # type: ignore[no-untyped-def]
    # "st36 d-3" (a depth of -3) was reported as "'st36 d-3' is not a known point,
    # muscle or spinal level; did you mean ST36, ...?": ST36 was right, -3 was wrong.
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "a", "y", "6", "enter", *"st36 d-3", "enter")
        error = str(app.screen.query_one("#err-sites").render())
        assert error.startswith("Site 1: 'd-3' is not understood after ST36: a side (l r b m),")
        assert "depth (20mm, 1cun, d15)" in error and "did you mean" not in error
        assert app.screen.state.sites == []
        await pilot.press("ctrl+u", *"zz99", "enter")  # an unknown site is still named so
        error = str(app.screen.query_one("#err-sites").render())
        assert error == "Site 1: 'zz99' is not a known point, muscle or spinal level"

    drive(ts.make_app(store), steps)


def test_home_lists_show_the_pain_scores_at_100_columns(store) -> None:  # type: ignore[no-untyped-def]
    # At 100x30 today's list ended in "Techni": the sites and the pain scores were off
    # to the right. The long, variable columns now come last.
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1001")
        await pilot.pause()
        today = app.screen.query_one("#today", DataTable)
        assert [str(c) for c in today.get_row_at(0)] == [
            "09:15", "2001", "Lena Fischer", "5->2", "Dry needling", "1",
        ]  # fmt: skip
        assert "5->2" in shown(today, 1)
        sessions = app.screen.query_one("#patient-sessions", DataTable)
        assert "6->3" in shown(sessions, 1) and "Dr Ada Lin" in shown(sessions, 1)

    drive(ts.make_app(store), steps, size=(100, 30))
