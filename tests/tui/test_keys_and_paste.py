"""Pasted text keeps its order and is cleaned as the CLI cleans it; keys never vanish
silently; digits of any script are read as digits (issue 14, defects 6 and 7)."""

from __future__ import annotations

import tui_scenarios as ts
from textual import events
from textual.widgets import Input, TextArea

from sessionlog.domain.text import clean_text

PASTED = "AAA \x1b[31mBBB\x1b[0m CCC"


def drive(store, steps) -> None:  # type: ignore[no-untyped-def]
    ts.run_app(ts.make_app(store), steps)


def test_a_paste_keeps_its_order_and_loses_its_escapes(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        search = app.screen.query_one("#search", Input)
        search.focus()
        app.post_message(events.Paste(PASTED))
        await pilot.pause()
        assert search.value == "AAA BBB CCC" == clean_text(PASTED)  # the CLI's cleaning
        search.value = ""
        await pilot.press(*"1002", "enter", "a", "y", "7", "enter", *"st36", "enter")
        notes = app.screen.query_one("#f-notes", TextArea)
        notes.focus()
        app.post_message(events.Paste(PASTED))
        await pilot.pause()
        await pilot.press("ctrl+s")

    drive(store, steps)
    (row,) = store.sessions(patient_id=2)
    assert store.session(row["record_id"])["notes"] == "AAA BBB CCC"


def test_keys_a_field_cannot_take_are_said_not_dropped(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter")
        form = app.screen
        await pilot.press("7")  # a digit before the technique
        assert str(form.query_one("#err-technique").render()).startswith(
            "Technique: '7' picks nothing: the technique comes first (a Acupuncture,"
        )
        await pilot.press("a", "7")  # a digit before consent
        assert str(form.query_one("#err-top").render()) == (
            "Consent: '7' does nothing here: y records consent first"
        )
        await pilot.press("y", "x")  # a letter in the pain field
        assert str(form.query_one("#err-top").render()) == (
            "Pain before: only a number from 0 to 10 goes here"
        )
        await pilot.press("y")  # y in the pain field: said too
        assert "only a number from 0 to 10" in str(form.query_one("#err-top").render())
        await pilot.press("７")  # a full-width 7 is a 7
        assert form.query_one("#f-pain_before", Input).value == "7"
        assert str(form.query_one("#err-top").render()) == ""  # the refusal is cleared
        await pilot.press("backspace", "٦")  # an Arabic-Indic 6 is a 6
        assert form.query_one("#f-pain_before", Input).value == "6"
        await pilot.press("enter", *"st36", "enter", "ctrl+s")

    drive(store, steps)
    (row,) = store.sessions(patient_id=2)
    assert store.session(row["record_id"])["pain_before"] == 6


def test_the_cli_reads_digits_of_any_script(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from helpers_cli import make_clinic, ok

    db = make_clinic(tmp_path / "c.db")
    # (the session in the past: a follow-up "now" in the session's own minute is refused)
    ok(db, "log --patient C001 --technique acupuncture --consent --pain-before ٧ --site st36:left"
           " --at '2025-06-10 09:00'")  # fmt: skip
    ok(db, "follow-up --patient C001 --pain ３")
    import json

    (session,) = json.loads(ok(db, "sessions --patient C001 --json"))
    assert session["pain_before"] == 7


def test_a_key_on_consent_already_recorded_says_it_is_recorded(store) -> None:  # type: ignore[no-untyped-def]
    # review15: with [x] ticked the line said "y records consent first", contradicting it.
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "a", "y")  # consent recorded, on to the pain
        form = app.screen
        form.query_one("#consent").focus()
        await pilot.press("a")
        assert form.query_one("#consent").value is True
        assert str(form.query_one("#err-top").render()) == (
            "Consent: 'a' does nothing here: consent is recorded (n clears it)"
        )

    drive(store, steps)
