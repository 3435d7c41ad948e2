"""The session form builds what the session in front of it needs: a technique's own
settings (Hz for an electrical technique, De Qi for the acupuncture family) and the
new-episode fields only once they apply (then kept, hidden when they no longer do).
Each widget costs the form's opening and every key typed on it (restyles and
layouts), between patients and in each Pilot test.

What the practitioner sees and can type is unchanged (the snapshots hold it), and so is
what a switch of technique does with a setting the new technique does not take: it is
neither saved nor brought back by switching back."""

from __future__ import annotations

import tui_scenarios as ts
from textual.widgets import Input

from sessionlog.tui.screens.session_form import SessionScreen


def drive(store, steps) -> None:  # type: ignore[no-untyped-def]
    ts.run_app(ts.make_app(store), steps, ts.SIZE)


def settings_order(form) -> list[str]:  # type: ignore[no-untyped-def]
    """The settings inputs in the order Tab reaches them."""
    return [w.id for w in form.focus_chain if (w.id or "").startswith("s-")]


ACUPUNCTURE = ["s-retention", "s-stimulation", "s-deqi", "s-deqi_quality", "s-needle", "s-depth"]


def test_each_technique_builds_its_own_settings_in_their_order(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter")
        form = app.screen
        assert isinstance(form, SessionScreen)
        assert settings_order(form) == ACUPUNCTURE
        assert not form.query("#s-estim_hz, #l-estim_hz, #f-complaint, #f-body_region")
        # A patient with an episode: 85 widgets (93 when every one was built at once).
        assert sum(1 for _ in form.walk_children()) <= 85
        await pilot.press("e")  # electro-acupuncture: Hz between stimulation and De Qi
        assert settings_order(form) == [*ACUPUNCTURE[:2], "s-estim_hz", *ACUPUNCTURE[2:]]
        form.query_one("#technique").focus()
        await pilot.press("n")  # electrical dry needling: Hz, no De Qi
        assert settings_order(form) == ["s-retention", "s-stimulation", "s-estim_hz", "s-needle",
                                        "s-depth"]  # fmt: skip
        form.query_one("#technique").focus()
        await pilot.press("i")
        assert settings_order(form) == ["s-retention", "s-stimulation", "s-needle", "s-depth"]
        form.query_one("#technique").focus()
        await pilot.press("a")
        assert settings_order(form) == ACUPUNCTURE

    drive(store, steps)


def test_hz_is_not_saved_after_a_switch_to_a_manual_technique_nor_brought_back(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "e", "y", "6", "enter", *"st36 l", "enter")
        form = app.screen
        form.query_one("#s-estim_hz", Input).focus()
        await pilot.press(*"2/100")
        assert form.state.settings.estim_hz == "2/100"
        form.query_one("#technique").focus()
        await pilot.press("a")  # no site on the stimulator: the switch is taken
        assert form.state.technique == "acupuncture"
        assert form.state.settings.estim_hz == ""
        form.query_one("#technique").focus()
        await pilot.press("e")  # back: the Hz typed is not brought back (as before)
        assert form.query_one("#s-estim_hz", Input).value == ""
        form.query_one("#technique").focus()
        await pilot.press("a")
        await pilot.press("ctrl+s")

    drive(store, steps)
    (row,) = store.sessions(patient_id=2)
    saved = store.session(row["record_id"])
    assert saved["technique"] == "acupuncture"
    assert [(s["target"], s["estim_frequency_hz"]) for s in saved["sites"]] == [("ST36", None)]


def test_the_new_episode_fields_are_built_when_asked_for(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter")
        form = app.screen
        assert not form.query("#f-complaint") and not form.query_one("#new-episode").display
        await pilot.press("f6")
        assert form.focused.id == "f-complaint"
        # Both fields on the screen, side by side: the complaint took the whole row
        # (an input's default width, 100%) and the region was typed off the screen.
        complaint, region = (form.query_one(f"#f-{k}").region for k in ("complaint", "body_region"))
        assert complaint.width >= 20 and region.width >= 20
        assert region.y == complaint.y and region.right <= app.size.width
        await pilot.press(*"headache", "enter", *"hea")
        assert form.focused.id == "f-body_region"
        await pilot.press("enter")  # the region's suggestion taken: on to the technique
        assert form.focused.id == "technique"
        assert form.query_one("#f-body_region", Input).value == "head"

    drive(store, steps)
