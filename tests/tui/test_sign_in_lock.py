"""Sign-in is the first screen (no patient data on it or behind it), the app locks on a
key or when idle (the form under it kept as it was), and only the same practitioner's
secret opens it again."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path

import pytest
import tui_scenarios as ts
from helpers_store import sql_rows
from textual.widgets import DataTable, Input

from sessionlog.domain import Practitioner
from sessionlog.services import auth
from sessionlog.store import Store
from sessionlog.tui.app import SessionlogApp
from sessionlog.tui.screens.home import HomeScreen
from sessionlog.tui.screens.session_form import SessionScreen
from sessionlog.tui.screens.sign_in import CHOOSE_FIRST, CHOOSE_OWN, NO_SECRET, SignInScreen

ADA = "ada's long phrase"


@pytest.fixture
def scrypt_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = hashlib.scrypt

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    return calls


def test_the_first_screen_shows_no_patient_and_hashes_nothing_until_enter(
    tmp_path: Path, scrypt_calls: list[int]
) -> None:
    # The defect: Home's patients and today's sessions showed behind "Who is recording?".
    db = tmp_path / "clinic.db"
    ts.seeded_store(str(db)).close()
    app = SessionlogApp(db_path=str(db), clock=ts.clock)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        assert [type(s) for s in app.screen_stack] == [SignInScreen]
        assert ts.patients_shown(app) == []
        assert "Dr Ada Lin" in ts.screen_text(app)
        assert scrypt_calls == []  # the first frame hashes nothing
        # Ada has no secret yet (a database from before sign-in): she chooses one.
        assert str(app.screen.query_one("#si-prompt").render()) == CHOOSE_FIRST
        await pilot.press(*ts.typed(ADA), "enter", *ts.typed(ADA), "enter")
        await pilot.pause()
        assert [type(s) for s in app.screen_stack] == [HomeScreen]
        assert "Lena Fischer" in ts.screen_text(app)
        assert scrypt_calls  # after Enter

    ts.run_app(app, steps)
    store = Store.open(str(db), clock=ts.clock)
    access = store.access(1)
    assert access is not None and access.role == "admin"  # the first to set a secret
    store.close()


def test_a_wrong_secret_is_refused_and_said_the_right_one_opens_home(store) -> None:  # type: ignore[no-untyped-def]
    auth.set_first_secret(store, 1, ADA)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        assert app.screen.query_one("#si-secret", Input).has_focus  # the only practitioner
        await pilot.press(*"wrong secret", "enter")
        assert str(app.screen.query_one("#si-message").render()) == "Wrong secret for Dr Ada Lin"
        assert isinstance(app.screen, SignInScreen) and app.practitioner_id is None
        assert app.screen.query_one("#si-secret", Input).value == ""
        await pilot.press(*ts.typed(ADA), "enter")
        assert isinstance(app.screen, HomeScreen) and app.practitioner_id == 1

    ts.run_app(ts.signed_out_app(store), steps)
    actions = [r["action"] for r in sql_rows(store, "SELECT action FROM audit_log")]
    assert actions[-2:] == ["sign_in_failed", "sign_in"]


def test_a_secret_given_by_an_admin_is_replaced_at_first_sign_in(store) -> None:  # type: ignore[no-untyped-def]
    auth.set_first_secret(store, 1, ADA)
    ben = auth.add_practitioner(
        store, 1, Practitioner("Ben Cho", "physiotherapist"), "111222", "practitioner"
    )

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        table = app.screen.query_one("#si-names", DataTable)
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == [
            "Ben Cho",
            "Dr Ada Lin",
        ]
        await pilot.press("enter", *"111222", "enter")  # Ben, the first row
        assert str(app.screen.query_one("#si-prompt").render()) == CHOOSE_OWN
        await pilot.press(*"bens own phrase", "enter", *"bens own phrase", "enter")
        assert isinstance(app.screen, HomeScreen) and app.practitioner_id == ben

    ts.run_app(ts.signed_out_app(store), steps)
    assert auth.authenticate(store, "Ben Cho", "bens own phrase", ts.NOW) == ben


def test_ctrl_l_locks_at_once_and_the_unsaved_form_survives(store) -> None:  # type: ignore[no-untyped-def]
    auth.set_first_secret(store, 1, ADA)
    auth.add_practitioner(store, 1, Practitioner("Ben Cho", "physiotherapist"), "111222", "admin")

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "a", "y", "7", "enter", *"st36", "enter")
        form = app.screen
        assert isinstance(form, SessionScreen) and form.dirty
        await pilot.press("ctrl+l")
        lock = app.screen
        assert isinstance(lock, SignInScreen) and lock.mode == "lock"
        assert ts.patients_shown(app) == [] and "ST36" not in ts.screen_text(app)
        table = lock.query_one("#si-names", DataTable)
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == ["Dr Ada Lin"]
        for key in ("ctrl+q", "ctrl+c", "f2", "f7", "ctrl+p", "escape", "ctrl+l", "f6"):
            await pilot.press(key)
            assert app.is_running and app.screen is lock, key
        await pilot.press(*ts.typed(ADA), "enter")
        assert app.screen is form and form.dirty
        assert "ST36" in ts.screen_text(app)  # the site typed before the lock
        await pilot.press("enter", "3", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)

    ts.run_app(ts.make_app(store), steps)
    (saved,) = store.sessions(patient_id=2)
    assert (saved["pain_before"], saved["pain_after"]) == (7, 3)


def test_the_app_locks_after_the_idle_time_by_its_clock(store, settings_file) -> None:  # type: ignore[no-untyped-def]
    auth.set_first_secret(store, 1, ADA)
    clock = ts.Clock()

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press("1")
        clock.now += timedelta(minutes=4, seconds=59)
        assert not app.lock_if_idle() and isinstance(app.screen, HomeScreen)
        await pilot.press("0")  # a key: the idle time starts again
        clock.now += timedelta(minutes=4, seconds=59)
        assert not app.lock_if_idle()
        clock.now += timedelta(seconds=1)
        assert app.lock_if_idle()
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen) and ts.patients_shown(app) == []
        assert not app.lock_if_idle()  # locked once

    ts.run_app(SessionlogApp(store, clock=clock, practitioner_id=1), steps)

    settings_file.write_text(json.dumps({"idle_lock_minutes": 1}))
    clock = ts.Clock()

    async def sooner(pilot, app):  # type: ignore[no-untyped-def]
        assert app.idle_lock_seconds() == 60
        clock.now += timedelta(seconds=60)
        assert app.lock_if_idle()

    ts.run_app(SessionlogApp(store, clock=clock, practitioner_id=1), sooner)


def test_an_admin_adds_a_practitioner_and_resets_a_secret_from_f2(store) -> None:  # type: ignore[no-untyped-def]
    auth.set_first_secret(store, 1, ADA)  # the first: admin

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press("f2", "ctrl+n", *ts.typed("Ben Cho"), "tab", "tab")
        await pilot.press("tab", *"111222", "enter", *"111222", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        assert str(app.screen.query_one("#si-message").render()) == (
            "Ben Cho added: they sign in with the temporary secret, then choose their own"
        )
        ben = auth.resolve(store, "Ben Cho")[0]
        assert store.access(ben).must_change
        await pilot.press("up", "ctrl+r", *"999888", "enter")  # Ben: first by name
        assert "Ben Cho's secret is reset" in str(app.screen.query_one("#si-message").render())

    ts.run_app(ts.make_app(store), steps)
    ben = auth.resolve(store, "Ben Cho")[0]
    assert auth.sign_in(store, ben, "999888", ts.NOW) == auth.SignedIn(ben, True)
    actions = [(r["action"], r["actor_id"]) for r in sql_rows(store, "SELECT * FROM audit_log")]
    assert ("give_secret", 1) in actions and ("reset_secret", 1) in actions


def test_a_practitioner_who_is_not_admin_cannot_add_or_reset(store) -> None:  # type: ignore[no-untyped-def]
    auth.set_first_secret(store, 1, ADA)
    ben = auth.add_practitioner(
        store, 1, Practitioner("Ben Cho", "physiotherapist"), "111222", "practitioner"
    )

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press("f2", "ctrl+n", "ctrl+r")
        assert isinstance(app.screen, SignInScreen) and app.screen.mode == "switch"
        assert "Ctrl+N" not in ts.screen_text(app)

    ts.run_app(SessionlogApp(store, clock=ts.clock, practitioner_id=ben), steps)
    assert [p["name"] for p in store.practitioners()] == ["Ben Cho", "Dr Ada Lin"]
    assert store.access(ben).must_change  # not reset


def test_left_on_f2s_screen_the_app_still_locks(store) -> None:  # type: ignore[no-untyped-def]
    # Escape on F2's screen goes back to the patients: left there, it must lock too.
    auth.set_first_secret(store, 1, ADA)
    clock = ts.Clock()

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press("f2")
        clock.now += timedelta(minutes=5)
        assert app.lock_if_idle()
        await pilot.pause()
        assert app.screen.mode == "lock"
        await pilot.press("escape")
        assert app.screen.mode == "lock" and ts.patients_shown(app) == []

    ts.run_app(SessionlogApp(store, clock=clock, practitioner_id=1), steps)


def test_no_patient_key_works_over_the_first_run_setup(settings_file) -> None:  # type: ignore[no-untyped-def]
    store = Store.open(":memory:", clock=ts.clock)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        setup = app.screen
        for key in ("f7", "f2", "ctrl+l", "ctrl+p"):
            await pilot.press(key)
            assert app.screen is setup, key

    ts.run_app(ts.signed_out_app(store), steps)


def test_a_new_session_is_recorded_under_the_signed_in_practitioner_only() -> None:
    # Issue 11: nothing is recorded under a name without its owner's secret. The form's
    # "Practitioner" shows who treats and cannot be changed to a colleague there.
    from textual.widgets import Select

    from sessionlog.domain import Practitioner
    from sessionlog.tui.screens.session_form import SessionScreen

    store = ts.seeded_store()
    colleague = store.add_practitioner(Practitioner("Eve Colleague", "acupuncturist", "LAc"))

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        app.push_screen(SessionScreen(1))
        await pilot.pause()
        select = app.screen.query_one("#practitioner", Select)
        assert (select.value, select.disabled) == (1, True)
        assert colleague != 1

    ts.run_app(ts.make_app(store), steps)


def test_no_remapped_key_takes_the_lock_key_and_a_wrong_id_is_named(  # type: ignore[no-untyped-def]
    store, settings_file
) -> None:
    # `{"keymap": {"home.new_session": "ctrl+l"}}` made Ctrl+L open a session form on
    # Home instead of locking: the practitioner walked away from an unlocked screen.
    # A misspelt id was ignored without a word.
    auth.set_first_secret(store, 1, ADA)
    settings_file.write_text(
        json.dumps(
            {
                "keymap": {
                    "home.new_session": "ctrl+l",
                    "session.save": "ctrl+s,ctrl+l",
                    "home.new_sesion": "f12",
                    "home.follow_up": "f12",
                }
            }
        )
    )

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        assert app.keymap_problems == [
            "Settings: keymap: home.new_session cannot take ctrl+l, the key that locks"
            " the app; its own key is kept.",
            "Settings: keymap: session.save cannot take ctrl+l, the key that locks"
            " the app; its own key is kept.",
            "Settings: keymap: home.new_sesion is not an action's id (the command palette,"
            " Ctrl+P, shows each action's id); ignored.",
        ]
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("f12")  # the remap that is allowed works
        assert type(app.screen).__name__ == "FollowUpScreen"
        await pilot.press("escape", "ctrl+l")
        assert isinstance(app.screen, SignInScreen) and app.screen.mode == "lock"

    ts.run_app(ts.make_app(store), steps)


def test_the_lock_moves_only_to_a_key_no_other_action_has() -> None:
    from sessionlog.tui.config import binding_keys, checked_keymap

    defaults = binding_keys()
    assert (defaults["app.lock"], defaults["session.save"]) == ("ctrl+l", "ctrl+s")
    # The patient view's key for the practitioner's secret is the lock key there: it
    # follows the lock, and is no other action's key the lock would clash with (a
    # second lock key beside Ctrl+L was refused as "a key another action has").
    both = "ctrl+l,f12"
    assert checked_keymap({"app.lock": "f11"}, defaults) == (
        {"app.lock": "f11", "patient_view.ask": "f11"},
        [],
    )
    assert checked_keymap({"app.lock": "Ctrl+L, F12"}, defaults) == (
        {"app.lock": both, "patient_view.ask": both},
        [],
    )
    assert checked_keymap({"app.lock": "f11", "patient_view.ask": "f10"}, defaults) == (
        {"app.lock": "f11", "patient_view.ask": "f10"},
        [],
    )
    # Written as a person writes keys: Textual's names are lower case ("Ctrl+L" passed
    # the check as another key and bound nothing, while the footer showed it).
    assert checked_keymap({"home.new_session": "Ctrl+L"}, defaults) == (
        {},
        [
            "Settings: keymap: home.new_session cannot take ctrl+l, the key that locks the"
            " app; its own key is kept."
        ],
    )
    assert checked_keymap({"home.new_session": "F12, Ctrl+E"}, defaults)[0] == {
        "home.new_session": "f12,ctrl+e"
    }
    assert checked_keymap({"app.lock": "f11", "home.new_session": "ctrl+l"}, defaults) == (
        {"app.lock": "f11", "home.new_session": "ctrl+l", "patient_view.ask": "f11"},
        [],
    )
    assert checked_keymap({"app.lock": "ctrl+s"}, defaults) == (
        {},
        [
            "Settings: keymap: app.lock cannot take ctrl+s, a key another action has;"
            " its own key is kept."
        ],
    )


def test_a_damaged_settings_file_is_named_and_left_as_it_is(store, settings_file) -> None:  # type: ignore[no-untyped-def]
    # One stray comma: the remap was not applied, nothing said so, and signing in wrote
    # the file over with only the practitioner remembered (the keymap was gone).
    damaged = '{"keymap": {"home.new_session": "f12",}, "theme": "nord"}'
    settings_file.write_text(damaged)
    auth.set_first_secret(store, 1, ADA)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        (problem,) = app.keymap_problems
        assert problem.startswith(f"Settings: {settings_file} is not valid JSON (")
        assert problem.endswith(
            ": its settings are not used, and the file is left as it is; fix it or delete it."
        )
        await pilot.press(*ts.typed(ADA), "enter")
        assert isinstance(app.screen, HomeScreen)

    ts.run_app(ts.signed_out_app(store), steps)
    assert settings_file.read_text() == damaged


def test_keymap_entries_that_are_not_keys_are_named() -> None:
    from sessionlog.tui.config import keymap

    assert keymap({"keymap": ["f12"]}) == (
        {},
        ['Settings: "keymap" must be an object of action ids and keys; ignored.'],
    )
    assert keymap({"keymap": {"home.new_session": 12, "home.follow_up": "f11"}}) == (
        {"home.follow_up": "f11"},
        ['Settings: keymap: home.new_session needs its keys as text ("f12", "ctrl+e"); ignored.'],
    )


def test_once_there_is_an_admin_a_name_without_a_secret_cannot_be_claimed(store) -> None:  # type: ignore[no-untyped-def]
    # An import added a second "Dr Ada Lin" with no secret: anyone at the sign-in screen
    # picked it, chose 999999 twice and was signed in with every patient's record.
    auth.set_first_secret(store, 1, ADA)  # the admin
    twin = store.add_practitioner(Practitioner("Dr Ada Lin", "physiotherapist", "PT"))

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        names = [n.practitioner_id for n in app.screen.names]
        await pilot.press(*["down"] * names.index(twin))
        assert app.screen.chosen().practitioner_id == twin
        assert str(app.screen.query_one("#si-prompt").render()) == NO_SECRET
        await pilot.press("enter", *"999999", "enter")  # Enter: from the names to the secret
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen) and app.practitioner_id is None
        assert not app.screen.query_one("#si-repeat").display  # no second field: no choosing
        assert str(app.screen.query_one("#si-message").render()) == (
            "Dr Ada Lin has no secret yet: an admin gives them one (F2, then Ctrl+R on their name)"
        )

    ts.run_app(ts.signed_out_app(store), steps)
    assert store.access(twin) is None
    with pytest.raises(auth.AuthError, match="has no secret yet: an admin gives them one"):
        auth.claim_first_secret(store, twin, "999999")
