"""Needle size and depth of insertion in the session form (STRICTA item 2): typed once in
the settings row, overridden per site in the shorthand, carried by repeat and amendment."""

from __future__ import annotations

import pytest
import tui_scenarios as ts
from textual.widgets import DataTable, Label

from sessionlog.domain import parse_session
from sessionlog.services.entry.form_model import build_raw, state_from_session
from sessionlog.services.entry.needle_depth import parse_depth, parse_needle, settings_problems
from sessionlog.services.entry.site_text import carried, parse_site_text, site_to_text
from sessionlog.tui.screens.session_form import SessionScreen

SIZES = ("target", "needle_diameter_mm", "needle_length_mm", "depth_value", "depth_unit")


def drive(store, steps) -> None:  # type: ignore[no-untyped-def]
    ts.run_app(ts.make_app(store), steps)


def sizes(session: dict) -> list[tuple]:  # type: ignore[type-arg]
    return [tuple(site[k] for k in SIZES) for site in session["sites"]]


def cells(table: DataTable, column: int) -> list[str]:  # type: ignore[type-arg]
    return [str(table.get_row_at(i)[column]) for i in range(table.row_count)]


async def _dry_needling_to_needle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Priya Shah: dry needling, two muscles (the first 20 mm deep), pain 6 -> 4, then on
    to the Needle input of the settings row."""
    await pilot.press(*"1003", "enter", "d", "y", "6", "enter")
    await pilot.press(*"upper trap r 3 20mm", "enter", *"infra r 2", "enter", "enter", "4")
    # pain during, soreness, face-to-face, retention, stimulation, then the needle
    await pilot.press(*["tab"] * 6)
    assert pilot.app.focused.id == "s-needle"


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("0.25x30", {"needle_diameter_mm": 0.25, "needle_length_mm": 30.0}),
        ("0.25 x 30", {"needle_diameter_mm": 0.25, "needle_length_mm": 30.0}),
        (".25x30", {"needle_diameter_mm": 0.25, "needle_length_mm": 30.0}),
        (
            "0.30x50 steel",
            {"needle_diameter_mm": 0.3, "needle_length_mm": 50.0, "needle_material": "steel"},
        ),
        ("", {}),
        ("0.25", None),
    ],
)
def test_needle_text(text: str, fields: dict | None) -> None:  # type: ignore[type-arg]
    assert parse_needle(text) == fields


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("15", {"depth_value": 15.0, "depth_unit": "mm"}),
        ("15mm", {"depth_value": 15.0, "depth_unit": "mm"}),
        ("1cun", {"depth_value": 1.0, "depth_unit": "cun"}),
        ("0.5 cun", {"depth_value": 0.5, "depth_unit": "cun"}),
        ("30 muscle", {"depth_value": 30.0, "depth_unit": "mm", "depth_tissue": "muscle"}),
        ("muscle", {"depth_tissue": "muscle"}),
        ("deep", None),
    ],
)
def test_depth_text(text: str, fields: dict | None) -> None:  # type: ignore[type-arg]
    assert parse_depth(text) == fields


def test_settings_problems_use_the_domains_words() -> None:
    assert [str(p) for p in settings_problems("2x30", "200", "dry_needling")] == [
        "depth_value: 200.0 is out of range: a number from 0 to 150",
        "needle_diameter_mm: 2.0 is out of range: a number from 0.1 to 1",
    ]
    assert [p.field for p in settings_problems("thin", "", "acupuncture")] == ["needle"]
    assert settings_problems("0.30x50 steel", "30 muscle", "ims") == []


def test_site_shorthand_takes_depth_and_needle_tokens() -> None:
    assert parse_site_text("upper trap r 3 20mm", "dry_needling") == {
        "target": "upper trap",
        "side": "right",
        "twitch_count": 3,
        "depth_value": 20.0,
        "depth_unit": "mm",
    }
    assert parse_site_text("st36 b ache 1cun 0.25x30", "acupuncture") == {
        "target": "st36",
        "side": "bilateral",
        "deqi_obtained": True,
        "deqi_quality": "ache",
        "depth_value": 1.0,
        "depth_unit": "cun",
        "needle_diameter_mm": 0.25,
        "needle_length_mm": 30.0,
    }
    assert parse_site_text("st36 d15", "acupuncture") == {
        "target": "st36",
        "depth_value": 15.0,
        "depth_unit": "mm",
    }
    old = {
        "target": "ST36",
        "side": "bilateral",
        "depth_value": 1.0,
        "depth_unit": "cun",
        "depth_tissue": "muscle",
        "needle_diameter_mm": 0.25,
        "needle_length_mm": 30.0,
        "needle_material": "steel",
    }
    assert site_to_text(old, "acupuncture") == "ST36 b 1cun 0.25x30"
    # Editing it to 2 cun keeps what the text cannot show.
    new = parse_site_text("ST36 b 2cun 0.25x30", "acupuncture")
    assert carried(old, new, "acupuncture") == {
        "depth_tissue": "muscle",
        "needle_material": "steel",
    }


def test_needle_and_depth_typed_once_and_overridden_per_site(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await _dry_needling_to_needle(pilot)
        await pilot.press(*"0.30x50", "tab", *"30")
        table = app.screen.query_one("#sites", DataTable)
        assert cells(table, 6) == ["20mm", "30mm"]  # depth
        assert cells(table, 7) == ["0.3x50", "0.3x50"]  # needle
        await pilot.press("ctrl+s")
        await pilot.pause()

    drive(store, steps)
    (row,) = store.sessions(patient_id=3)
    assert sizes(store.session(row["record_id"])) == [
        ("upper trapezius", 0.3, 50.0, 20.0, "mm"),
        ("infraspinatus", 0.3, 50.0, 30.0, "mm"),
    ]


def test_a_bad_needle_is_refused_under_the_field(store) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await _dry_needling_to_needle(pilot)
        await pilot.press(*"2x30", "ctrl+s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SessionScreen)  # still on the form: nothing saved
        error = str(screen.query_one("#err-settings", Label).render())
        assert error == "Needle diameter (mm): 2.0 is out of range: a number from 0.1 to 1"
        assert screen.query_one("#s-needle").has_class("-invalid")
        assert str(screen.query_one("#err-sites", Label).render()) == ""  # named once only

    drive(store, steps)
    assert store.sessions(patient_id=3) == []


def _save_with_sizes(store) -> int:  # type: ignore[no-untyped-def]
    sites = [
        {"target": "upper trap", "side": "right", "twitch_count": 3, "depth_value": 20},
        {"target": "infra", "side": "right", "twitch_count": 2, "depth_value": 30},
        {"target": "levator", "side": "right", "depth_value": 30},
    ]
    for site in sites:
        site.update(needle_diameter_mm=0.3, needle_length_mm=50, needle_material="steel")
    saved = store.save_session(
        parse_session(
            {
                "patient_id": 3,
                "practitioner_id": 1,
                "technique": "dry_needling",
                "started_at": "2026-11-20 09:00",
                "consent": True,
                "pain_before": 6,
                "pain_after": 4,
                "sites": sites,
            },
            now=ts.NOW,
        ),
        actor_id=1,
    )
    return int(saved.record_id)


def test_repeat_carries_needle_and_depth(store) -> None:  # type: ignore[no-untyped-def]
    _save_with_sizes(store)

    async def steps(pilot, app):  # type: ignore[no-untyped-def]
        await pilot.press(*"1003", "ctrl+r")
        screen = app.screen
        assert (screen.query_one("#s-needle").value, screen.query_one("#s-depth").value) == (
            "0.3x50 steel",
            "30mm",
        )
        # the first site keeps its own depth; editing it shows it in the shorthand
        await pilot.press("y", "5", "enter", "tab", "home", "e")
        assert screen.query_one("#site-entry").value == "upper trapezius r 20mm"
        await pilot.press("enter", "enter", "2", "ctrl+s")
        await pilot.pause()

    drive(store, steps)
    latest = store.last_session(3)
    assert latest["pain_after"] == 2
    assert sizes(latest) == [
        ("upper trapezius", 0.3, 50.0, 20.0, "mm"),
        ("infraspinatus", 0.3, 50.0, 30.0, "mm"),
        ("levator scapulae", 0.3, 50.0, 30.0, "mm"),
    ]
    assert {s["needle_material"] for s in latest["sites"]} == {"steel"}


def test_an_amendment_keeps_needle_and_depth(store) -> None:  # type: ignore[no-untyped-def]
    record = _save_with_sizes(store)
    stored = store.session(record)
    state = state_from_session(stored, with_outcomes=True)
    assert (state.settings.needle, state.settings.depth) == ("0.3x50 steel", "30mm")
    assert [r.raw.get("depth_value") for r in state.sites] == [20.0, None, None]
    again = parse_session(build_raw(state, patient_id=3, practitioner_id=1), now=ts.NOW)
    assert [
        (s.needle_diameter_mm, s.needle_length_mm, s.needle_material, s.depth_value, s.depth_unit)
        for s in again.sites
    ] == [
        (0.3, 50.0, "steel", 20.0, "mm"),
        (0.3, 50.0, "steel", 30.0, "mm"),
        (0.3, 50.0, "steel", 30.0, "mm"),
    ]
