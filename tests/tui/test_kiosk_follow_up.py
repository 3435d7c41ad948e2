"""The patient records their own follow-up at the patient view (the kiosk): today's pain,
soreness and the scales assigned to them (the ones their clinician has recorded for
them), for themselves only, marked as entered by the patient in the record and the
audit log. They see their own chart update, and the due list clears."""

from __future__ import annotations

import tui_scenarios as ts
from helpers_store import sql_rows
from textual.widgets import Input, Static

from sessionlog.analysis.due import due_list
from sessionlog.domain.scales import parse_scale_reading
from sessionlog.services.kiosk import PATIENT_NOTE, assigned_scales
from sessionlog.store import Store
from sessionlog.tui.screens.kiosk_follow_up import KioskFollowUp
from sessionlog.tui.screens.patient_view import PatientViewScreen

MARIA, LENA = 1, 5


def baseline(store: Store, patient: int, record: int, scale: str, **answer: object) -> None:
    store.add_scale_reading(parse_scale_reading(
        {"scale": scale, "patient_id": patient, "session_record_id": record,
         "at": "2026-11-16 08:50" if patient == MARIA else "2026-11-23 09:00", **answer},
        now=ts.NOW), 1)  # fmt: skip


def clinic() -> Store:
    store = ts.seeded_store()  # Maria seen a week ago: her 1-week check is due
    baseline(store, MARIA, 1, "NDI", total=20)
    baseline(store, MARIA, 1, "PSFS", items="4,3", labels=["walking", "lifting"])
    baseline(store, LENA, 2, "ODI", total=40)  # Lena's scale is not Maria's
    return store


def test_only_the_scales_the_clinician_recorded_for_the_patient_are_assigned() -> None:
    store = clinic()
    assert [(a.scale.code, a.labels) for a in assigned_scales(store, MARIA)] == [
        ("PSFS", ("walking", "lifting")), ("NDI", ()),
    ]  # fmt: skip
    assert [a.scale.code for a in assigned_scales(store, LENA)] == ["ODI"]
    assert assigned_scales(store, 2) == []


def test_the_patient_enters_a_follow_up_in_the_kiosk_and_the_due_list_clears() -> None:
    store = clinic()
    [due] = due_list(store.last_visits(), ts.NOW)
    assert (due.name, due.label) == ("Maria Keller", "1 week")

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await app.push_screen(PatientViewScreen(MARIA))
        await pilot.pause()
        view = app.screen
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, KioskFollowUp) and form.LOCKED
        assert app.check_action("quit", ()) is False  # as locked as the view
        text = ts.screen_text(app)
        for words in ("Your pain today", "Neck Disability Index", "walking", "lifting"):
            assert words in text, words
        assert "Oswestry" not in text and ts.patients_shown(app, ts.PATIENTS[1:]) == []
        # Pain 11 is refused in one line naming the field; nothing is saved.
        await pilot.press("1", "1", "enter", "2", "enter", "6", "comma", "7", "enter")
        await pilot.press(*"2,1,1,0,2,1,1,1,0,1", "enter")
        await pilot.pause()
        said = str(form.query_one("#kf-error", Static).render())
        assert said == "Pain today: a whole number from 0 (no pain) to 10 (worst), not 11"
        assert store.follow_ups(MARIA) == [] and len(store.scale_readings(MARIA)) == 2
        pain = form.query_one("#kf-pain", Input)
        assert pain.has_focus  # back on the field to correct
        pain.value = ""
        await pilot.press("3", "enter", "enter", "enter", "enter")
        await pilot.pause()
        assert app.screen is view
        sentences = str(view.query_one("#pv-sentences", Static).render())
        assert "improved" in sentences and "Lena Fischer" not in sentences
        said = str(view.query_one("#pv-said", Static).render())
        assert said == "Saved. Thank you: your clinician will see it."

    ts.run_app(ts.make_app(store), steps)
    [fu] = store.follow_ups(MARIA)
    assert (fu["pain"], fu["soreness"], fu["session_record_id"]) == (3, 2, 1)
    assert fu["notes"] == PATIENT_NOTE and fu["recorded_by"] == 1
    readings = {r.scale: r for r in store.scale_readings(MARIA)}
    assert readings["NDI"].follow_up_id == fu["id"] and readings["NDI"].score == 10.0
    assert readings["NDI"].entered_by == "patient"
    assert readings["PSFS"].items == (6, 7) and readings["PSFS"].labels == ("walking", "lifting")
    audit = sql_rows(
        store,
        "SELECT entity, detail FROM audit_log WHERE entity IN ('follow_up', 'scale_reading')"
        ' AND detail LIKE \'%"entered_by":"patient"%\' ORDER BY id',
    )
    assert [a["entity"] for a in audit] == ["follow_up", "scale_reading", "scale_reading"]
    assert store.follow_ups(LENA) == [] and len(store.scale_readings(LENA)) == 1
    assert due_list(store.last_visits(), ts.NOW) == []


async def refused(pilot, app, *keys: str) -> Static:  # type: ignore[no-untyped-def]
    """Maria's kiosk follow-up answered with ``keys``: the line saying why it was refused."""
    await app.push_screen(PatientViewScreen(MARIA))
    await pilot.pause()
    await pilot.press("e")
    await pilot.pause()
    await pilot.press(*keys)
    await pilot.pause()
    return app.screen.query_one("#kf-error", Static)


def test_a_refused_scale_saves_nothing_not_even_the_pain() -> None:
    store = clinic()

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        error = await refused(pilot, app, "4", "enter", "enter", "enter", *"9,9,9", "enter")
        said = str(error.render())
        assert said.startswith("Neck Disability Index: ")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PatientViewScreen)

    ts.run_app(ts.make_app(store), steps)
    assert store.follow_ups(MARIA) == [] and len(store.scale_readings(MARIA)) == 2


def test_the_patient_view_charts_each_of_their_scales_beside_pain() -> None:
    from textual_plotext import PlotextPlot

    store = clinic()

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await app.push_screen(PatientViewScreen(MARIA))
        await pilot.pause()
        view = app.screen
        assert [c.scale.code for c in view.courses] == ["PSFS", "NDI"]
        plots = list(view.query("#pv-scales PlotextPlot"))
        assert len(plots) == 2  # at 80x24 one at a time (the arrows show the other)
        # The screen chooses which fit after it is laid out (a callback after a frame):
        # wait frames for it, not a single pause (under load it came after one).
        for _ in range(100):
            if not plots[1].display:
                break
            await pilot.pause()
        assert [p.display for p in plots] == [True, False]
        assert plots[0].region.width >= 20 and plots[0].region.height >= 8
        pain = view.query_one("#pv-chart", PlotextPlot)
        assert pain.region.y == plots[0].region.y and pain.region.x < plots[0].region.x  # beside
        await pilot.press("right")
        assert [p.display for p in plots] == [False, True]
        text = ts.screen_text(app)
        assert "NDI (lower is better)" in text and "PSFS" not in text
        assert "orange line" in text  # the band explained in plain words
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("3", "enter", "enter", *"5,5", "enter", *"14", "enter")
        await pilot.pause()
        assert app.screen is view
        assert [len(c.points) for c in view.courses] == [2, 2]  # their chart updated
        assert view.courses[1].latest == 14.0
        assert len(list(view.query("#pv-scales PlotextPlot"))) == 2
        assert ts.patients_shown(app, ts.PATIENTS[1:]) == []

    ts.run_app(ts.make_app(store), steps, size=(80, 24))


def test_the_service_refuses_in_plain_words_and_keeps_a_global_rating() -> None:
    import pytest

    from sessionlog.domain.models import FollowUpInput
    from sessionlog.errors import ValidationError
    from sessionlog.services.kiosk import record_own_follow_up

    store = clinic()
    store.add_follow_up(FollowUpInput(MARIA, 1, ts.NOW.replace(day=18), 4, groc=2), 1)
    assert [a.scale.code for a in assigned_scales(store, MARIA)] == ["PSFS", "NDI", "GROC"]

    def refused(**kw: object) -> str:
        args: dict = {"patient_id": MARIA, "actor_id": 1, "pain": "3", **kw}  # type: ignore[type-arg]
        with pytest.raises(ValidationError) as exc:
            record_own_follow_up(store, **args)
        return str(exc.value)

    for odd in ("²", "٣", "-1", "3.5", " "):
        assert refused(pain=odd).startswith("Pain today: a whole number from 0"), odd
    assert refused(soreness="11").startswith("Soreness: a whole number from 0")
    assert refused(answers={"ODI": "40"}) == "ODI: is not one of this patient's questionnaires"
    assert refused(answers={"GROC": "9"}).startswith("Global Rating of Change: ")
    # Answers that do not match the activities named were saved without the names.
    for answers in ("5,5,5", "5,5,5,5,5"):
        assert refused(answers={"PSFS": answers}).endswith(
            ": one answer for each of your activities: walking, lifting"
            f" ({len(answers.split(','))} given)"
        )
    assert refused(patient_id=2) == (
        "Session: there is no session to follow up yet; your clinician can help"
    )
    done = record_own_follow_up(store, patient_id=MARIA, actor_id=1, pain="2",
                                answers={"GROC": "5", "NDI": " "})  # fmt: skip
    [groc] = [r for r in store.scale_readings(MARIA) if r.scale == "GROC"]
    assert (groc.score, groc.entered_by, groc.follow_up_id) == (5.0, "patient", done.follow_up_id)
    assert len(store.follow_ups(MARIA)) == 2 and len(store.scale_readings(MARIA)) == 3


def test_a_session_entered_for_later_today_does_not_take_the_follow_up() -> None:
    # A session saved ahead of its time (the patient waits for it) was taken as the
    # one the follow-up follows, and the patient read "at: ... is before the session".
    from sessionlog.domain import parse_session
    from sessionlog.services.kiosk import record_own_follow_up

    store = clinic()
    later = store.save_session(parse_session(
        {"patient_id": MARIA, "practitioner_id": 1, "episode_id": 1, "technique": "acupuncture",
         "started_at": "2026-11-23 11:30", "consent": True, "pain_before": 5,
         "pain_after": 3, "sites": [{"target": "st36", "side": "left"}]}, now=ts.NOW))  # fmt: skip
    done = record_own_follow_up(store, patient_id=MARIA, actor_id=1, pain="3")
    [fu] = store.follow_ups(MARIA)
    assert fu["id"] == done.follow_up_id and fu["session_record_id"] == 1 != later.record_id


def test_at_80x24_the_hint_shows_and_the_arrows_reach_every_chart() -> None:
    # With three scales at 80x24 only the first chart had room and the line saying
    # how to enter a follow-up was below the bottom of the screen.
    from sessionlog.domain.models import FollowUpInput

    store = clinic()
    store.add_follow_up(FollowUpInput(MARIA, 1, ts.NOW.replace(day=18), 4, groc=2), 1)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await app.push_screen(PatientViewScreen(MARIA))
        await pilot.pause()
        view = app.screen

        def shown() -> list[int]:
            plots = list(view.query("#pv-scales PlotextPlot"))
            return [i for i, p in enumerate(plots) if p.display and p.region.height >= 6]

        text = ts.screen_text(app)
        assert "Press e to tell your clinician how you are today" in text
        assert "Press the arrow keys for your other charts" in text
        seen = set(shown())
        assert len(seen) == 1
        for _ in range(3):
            await pilot.press("right")
            await pilot.pause()
            assert len(shown()) == 1 and app.screen is view
            seen |= set(shown())
        assert seen == {0, 1, 2}
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert shown() == [0, 1, 2]
        assert "arrow keys" not in ts.screen_text(app)

    ts.run_app(ts.make_app(store), steps, size=(80, 24))


def test_at_80x24_the_pain_chart_keeps_its_rows_and_each_scale_its_own_sentence() -> None:
    # In tmux at 80x24 every scale's sentence was listed under the charts, and the
    # patient's pain chart was left 4 rows, its legend over the data. The sentences under
    # the charts are now those of the charts shown; the arrows bring the others.
    store = clinic()
    store.add_scale_reading(parse_scale_reading(
        {"scale": "NDI", "patient_id": MARIA, "session_record_id": 1,
         "at": "2026-11-20 09:00", "total": 12}, now=ts.NOW), 1)  # fmt: skip

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        app.push_screen(PatientViewScreen(MARIA))
        await pilot.pause()
        await pilot.pause()
        view = app.screen
        assert view.query_one("#pv-chart").size.height >= 12
        sentences = str(view.query_one("#pv-sentences", Static).render())
        shown = [p.display for p in view.query("#pv-scales PlotextPlot")]
        assert shown == [True, False]  # one scale chart has room at 80x24
        assert (
            sentences.count("Your Patient-Specific Functional Scale")
            + sentences.count("Your Neck Disability Index")
            == 1
        )
        await pilot.press("right")
        await pilot.pause()
        after = str(view.query_one("#pv-sentences", Static).render())
        assert after != sentences and after.startswith(sentences.split("\n")[0])

    ts.run_app(ts.make_app(store), steps, size=(80, 24))
    store.close()


def test_a_long_refusal_is_read_whole_at_80x24() -> None:
    # The line saying why was cut at the screen's edge: "... PSFS answers are whole numb".
    store = clinic()

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        ndi = "2,1,1,0,2,1,1,1,0,1"
        error = await refused(pilot, app, "4", "enter", "enter", *"6,99", "enter", *ndi, "enter")
        said = str(error.render())
        assert said.startswith("Patient-Specific Functional Scale: ") and len(said) > 80
        assert error.region.right <= 80 and error.size.height >= 2  # wrapped, not cut
        assert said.split()[-1] in ts.screen_text(app)  # its last word is on the screen

    ts.run_app(ts.make_app(store), steps, (80, 24))
    assert store.follow_ups(MARIA) == []
