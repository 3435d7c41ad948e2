"""Switching the technique after typing sites (review15): what the new technique does
not record is never saved under it, and nothing it defaults replaces what was typed.

A response (De Qi, a twitch count, the grasp) is what was observed: a switch that would
drop one is refused, in one line, and the sites stay as typed. A stray letter on the
technique row (a letter picks a technique) must not erase an observation, and switching
back would not bring it back."""

from __future__ import annotations

import pytest
import tui_scenarios as ts
from textual.widgets import Input

from sessionlog.tui.widgets.error_line import ErrorLine


def drive(store, steps) -> None:  # type: ignore[no-untyped-def]
    ts.run_app(ts.make_app(store), steps, ts.SIZE)


def only_session(store, patient_id: int):  # type: ignore[no-untyped-def]
    (row,) = store.sessions(patient_id=patient_id)
    return store.session(row["record_id"])


def sites_line(app) -> str:  # type: ignore[no-untyped-def]
    return app.screen.query_one("#err-sites", ErrorLine).shown


def test_a_switch_that_would_drop_twitch_counts_is_refused_and_saves_as_typed(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "d", "y", "6", "enter")
        for site in ("upper trap r 3", "infra l 2"):
            await pilot.press(*site, "enter")
        app.screen.query_one("#technique").focus()
        await pilot.press("a")
        assert app.screen.state.technique == "dry_needling"
        assert app.screen.query_one("#technique").value == "dry_needling"
        assert sites_line(app) == (
            "Kept Dry needling: Acupuncture records no twitch counts (sites 1 and 2)"
        )
        assert app.screen.query_one("#s-retention", Input).value == "0"
        await pilot.press("ctrl+s")

    drive(store, steps)
    saved = only_session(store, 2)
    assert saved["technique"] == "dry_needling"
    assert [(s["kind"], s["twitch_count"], s["retention_s"]) for s in saved["sites"]] == [
        ("trigger_point", 3, 0),
        ("trigger_point", 2, 0),
    ]


def test_de_qi_blocks_a_switch_to_dry_needling_and_ims(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "a", "y", "6", "enter")
        await pilot.press(*"st36 b ache", "enter", *"li4 l", "enter")
        app.screen.query_one("#technique").focus()
        for key, label in (("d", "Dry needling"), ("i", "IMS"), ("n", "Electrical dry needling")):
            await pilot.press(key)
            assert app.screen.state.technique == "acupuncture"
            assert sites_line(app) == f"Kept Acupuncture: {label} records no De Qi (site 1)"
        await pilot.press("e")  # the same family records De Qi: switched
        assert app.screen.state.technique == "electroacupuncture"
        assert sites_line(app) == ""

    drive(store, steps)


def test_a_switch_keeps_the_retention_typed_and_names_what_the_sites_become(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "d", "y", "6", "enter")
        await pilot.press(*"upper trap r", "enter", *"st36 l", "enter")
        retention = app.screen.query_one("#s-retention", Input)
        retention.value = "600"  # typed: 10 minutes, in dry needling's seconds
        await pilot.pause()
        app.screen.query_one("#technique").focus()
        await pilot.press("a")
        assert app.screen.state.technique == "acupuncture"
        assert retention.value == "10"  # not acupuncture's 20
        assert sites_line(app) == (
            "Acupuncture: upper trapezius is now a motor point (a trigger point under Dry needling)"
        )
        await pilot.press("ctrl+s")

    drive(store, steps)
    saved = only_session(store, 2)
    assert saved["technique"] == "acupuncture"
    assert [(s["kind"], s["retention_s"]) for s in saved["sites"]] == [
        ("motor_point", 600),
        ("acupuncture_point", 600),
    ]


def test_a_retention_nobody_typed_takes_the_new_default(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", "d", "y", "6", "enter", *"st36 l", "enter")
        app.screen.query_one("#technique").focus()
        await pilot.press("a")
        assert app.screen.query_one("#s-retention", Input).value == "20"
        assert sites_line(app) == ""

    drive(store, steps)


@pytest.mark.parametrize(
    ("key", "sites", "technique", "line"),
    [
        (
            "i",
            ["L4-L5 b strong"],
            "ims",
            "Kept IMS: Acupuncture records no grasp (site 1)",
        ),
        (
            "e",
            ["st36 l e1", "gv20"],
            "electroacupuncture",
            "Kept Electro-acupuncture: Acupuncture puts no site on the stimulator (site 1)",
        ),
    ],
)
def test_a_grasp_or_a_lead_blocks_a_switch_to_acupuncture(  # type: ignore[no-untyped-def]
    store, key: str, sites: list[str], technique: str, line: str
) -> None:
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1002", "enter", key, "y", "6", "enter")
        for site in sites:
            await pilot.press(*site, "enter")
        app.screen.query_one("#technique").focus()
        await pilot.press("a")
        assert app.screen.state.technique == technique
        assert sites_line(app) == line

    drive(store, steps)
