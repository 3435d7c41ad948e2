"""The patient view is a kiosk: nothing on it says how to leave, no key the patient can
press quits, suspends, opens the palette or reaches another screen or patient; only the
practitioner's secret, typed in a masked field that appears on a key, leaves it."""

from __future__ import annotations

import string
from datetime import timedelta

import tui_scenarios as ts
from helpers_store import sql_rows
from textual.command import CommandPalette
from textual.widgets import Input

from sessionlog.services import auth
from sessionlog.tui.app import SessionlogApp
from sessionlog.tui.screens.kiosk_follow_up import KioskFollowUp
from sessionlog.tui.screens.patient_view import ASK_KEY, PatientViewScreen

SECRET = "needle 246810"
MARIA = 1


def every_key() -> list[str]:
    plain = list(string.ascii_lowercase + string.digits) + [
        "space", "minus", "full_stop", "slash", "question_mark", "exclamation_mark",
    ]  # fmt: skip
    named = ["escape", "tab", "shift+tab", "enter", "backspace", "delete", "up", "down",
             "left", "right", "home", "end", "pageup", "pagedown", "insert"]  # fmt: skip
    functions = [f"f{n}" for n in range(1, 25)]
    chords = [f"{mod}+{k}" for mod in ("ctrl", "alt") for k in string.ascii_lowercase]
    chords += [f"ctrl+{k}" for k in ("backslash", "right_square_bracket", "space", "f4")]
    chords += ["alt+f4", "alt+tab", "ctrl+shift+q", "ctrl+shift+p", "shift+f10"]
    return plain + [k.upper() for k in string.ascii_lowercase] + named + functions + chords


def others_shown(app: SessionlogApp) -> list[str]:
    return ts.patients_shown(app, ts.PATIENTS[1:])


def test_no_key_and_no_size_leaves_the_view_or_shows_another_patient(store) -> None:  # type: ignore[no-untyped-def]
    auth.set_first_secret(store, 1, SECRET)
    clock = ts.Clock()
    app = SessionlogApp(store, clock=clock, practitioner_id=1)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await app.push_screen(PatientViewScreen(MARIA))
        await pilot.pause()
        view = app.screen
        text = ts.screen_text(app)
        for word in ("Ctrl", "press", "leave", "Esc", "F1"):
            assert word not in text, word  # nothing says how to leave

        def in_the_kiosk() -> bool:
            # The view itself, or the patient's own follow-up (its ``e`` key), which is
            # as locked as the view and saves for this patient only.
            top = app.screen
            if top is view:
                return True
            return (
                isinstance(top, KioskFollowUp)
                and top.LOCKED
                and (top.patient_id, top.entered_by) == (MARIA, "patient")
                and app.screen_stack[-2] is view
            )

        for key in every_key():
            await pilot.press(key)
            assert app.is_running, key
            assert in_the_kiosk(), key
            assert not any(isinstance(s, CommandPalette) for s in app.screen_stack), key
            assert others_shown(app) == [], key
            clock.now += timedelta(seconds=20)  # past the field's time and any back-off
            view.expire_field()
        for size in ((80, 24), (40, 12), (20, 5), (120, 40)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            assert in_the_kiosk() and others_shown(app) == [], size
        while app.screen is not view:  # Escape leaves the follow-up, back to the view
            await pilot.press("escape")
            await pilot.pause()
        assert [type(s).__name__ for s in app.screen_stack] == ["HomeScreen", "PatientViewScreen"]
        # The practitioner's secret leaves it.
        clock.now += timedelta(minutes=10)
        await pilot.press(ASK_KEY, *ts.typed(SECRET))
        field = view.query_one("#pv-secret", Input)
        assert (field.display, field.has_focus, field.value) == (True, True, SECRET)
        await pilot.press("enter")
        await pilot.pause()
        said = str(app.screen.query_one("#pv-said").render()) if app.screen is view else ""
        assert app.is_running and type(app.screen).__name__ == "HomeScreen", said

    ts.run_app(app, steps)


def test_the_secret_field_appears_on_a_key_and_goes_after_a_few_idle_seconds(store) -> None:  # type: ignore[no-untyped-def]
    auth.set_first_secret(store, 1, SECRET)
    clock = ts.Clock()
    app = SessionlogApp(store, clock=clock, practitioner_id=1)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        view = PatientViewScreen(MARIA, field_timeout=5)
        await app.push_screen(view)
        await pilot.pause()
        field = view.query_one("#pv-secret", Input)
        assert not field.display
        await pilot.press(ASK_KEY, *"wrong")
        assert field.display and field.password and field.value == "wrong"
        clock.now += timedelta(seconds=4)
        assert not view.expire_field() and field.display  # a key 4 s ago: still there
        await pilot.press("x")
        clock.now += timedelta(seconds=5)
        assert view.expire_field()
        assert not field.display and field.value == ""
        await pilot.press(ASK_KEY, *"wrong one", "enter")  # a wrong secret is refused
        assert app.screen is view
        assert str(view.query_one("#pv-said").render()) == "Not accepted."
        failed = sql_rows(store, "SELECT detail FROM audit_log WHERE action = 'sign_in_failed'")
        assert len(failed) == 1 and '"via":"patient_view"' in failed[0]["detail"]

    ts.run_app(app, steps)


def test_what_the_patient_types_never_reaches_the_hidden_secret_field(store) -> None:  # type: ignore[no-untyped-def]
    # The secret field, hidden until the practitioner's key, once kept the focus: the
    # patient's digits and Enter went into it and were tried as the practitioner's
    # secret, audited as wrong and backing the practitioner off.
    auth.set_first_secret(store, 1, SECRET)
    app = SessionlogApp(store, clock=ts.Clock(), practitioner_id=1)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        view = PatientViewScreen(MARIA)
        await app.push_screen(view)
        await pilot.pause()
        await pilot.press(*"123456", "enter", *"246810", "enter")
        await pilot.pause()
        field = view.query_one("#pv-secret", Input)
        assert (app.focused, field.display, field.value) == (None, False, "")

    ts.run_app(app, steps)
    assert store.access(1).failed_attempts == 0


def test_a_lock_key_moved_in_the_settings_is_the_key_that_asks_here(store, settings_file) -> None:  # type: ignore[no-untyped-def]
    # `{"app.lock": "ctrl+l,f12"}` was refused ("a key another action has": this view's
    # own Ctrl+L), and a lock moved to F12 left this view asking on Ctrl+L only.
    settings_file.write_text('{"keymap": {"app.lock": "f12"}}')
    auth.set_first_secret(store, 1, SECRET)
    app = SessionlogApp(store, clock=ts.Clock(), practitioner_id=1)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        assert app.keymap_problems == []
        view = PatientViewScreen(MARIA)
        await app.push_screen(view)
        await pilot.pause()
        field = view.query_one("#pv-secret", Input)
        await pilot.press("ctrl+l")
        assert not field.display  # Ctrl+L is no key of the practitioner's now
        await pilot.press("f12", *ts.typed(SECRET))
        assert (field.display, field.value) == (True, SECRET)

    ts.run_app(app, steps)
