"""A correction carries every field of every site as stored unless the user changed it,
and a repeat repeats each site's own settings: the form's one settings row (Hz, needle,
depth, retention, stimulation) must not become every site's (review: an amendment of
pain after gave a site on the stimulator with no Hz the other site's 2 Hz)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from helpers_cli import ok
from helpers_site_variety import RESPONSE_COLUMNS, save_varied, site_rows

from sessionlog.domain import parse_session
from sessionlog.services.entry.form_model import build_raw, state_from_session
from sessionlog.services.entry.reuse import repeated
from sessionlog.store import Store

RESPONSES = set(RESPONSE_COLUMNS)


def _sites(session: Any, skip: set[str] = frozenset()) -> list[dict[str, Any]]:  # type: ignore[assignment]
    return [
        {k: v for k, v in dataclasses.asdict(s).items() if k not in skip} for s in session.sites
    ]


def _stored(store: Store, record_id: int) -> Any:
    """The stored session read back as the domain reads it (a Site per row)."""
    stored = store.session(record_id)
    assert stored is not None
    return stored, parse_session({**stored, "sites": stored["sites"]}, now=store.clock())


@pytest.mark.parametrize("seed", [12, 13, 14])
def test_a_correction_state_gives_back_every_site_as_stored(
    store: Store, patient_id: int, practitioner_id: int, seed: int
) -> None:
    for record_id in save_varied(store, patient_id, practitioner_id, 20, seed):
        stored, before = _stored(store, record_id)
        state = state_from_session(stored, with_outcomes=True)
        state.fields["pain_after"] = "4"
        raw = build_raw(state, patient_id=patient_id, practitioner_id=practitioner_id)
        again = parse_session(raw, now=store.clock())
        assert _sites(again) == _sites(before), (record_id, stored["technique"])


@pytest.mark.parametrize("seed", [12, 13, 14])
def test_a_repeat_repeats_each_sites_own_settings(
    store: Store, patient_id: int, practitioner_id: int, seed: int
) -> None:
    from sessionlog.services.entry.form_model import FormState, default_settings

    for record_id in save_varied(store, patient_id, practitioner_id, 20, seed):
        stored, before = _stored(store, record_id)
        blank = FormState(stored["technique"], default_settings(stored["technique"]))
        state = repeated(stored, blank)
        state.consent = True
        state.fields.update(pain_before="5", started_at="2026-11-20 10:00")
        raw = build_raw(state, patient_id=patient_id, practitioner_id=practitioner_id)
        again = parse_session(raw, now=store.clock())
        # Only what was done is repeated: today's responses start blank.
        assert _sites(again, RESPONSES) == _sites(before, RESPONSES), record_id
        assert all(s.deqi_obtained is None and s.twitch_count is None for s in again.sites)


def test_amend_of_pain_after_keeps_every_site_row(
    store: Store, db_path: Path, patient_id: int, practitioner_id: int
) -> None:
    records = save_varied(store, patient_id, practitioner_id, 16)
    for record_id in records:
        out = ok(db_path, f"amend {record_id} --reason 'pain after was 4' --pain-after 4")
        assert out == f"session {record_id} amended (version 2)\n"
    for record_id in records:
        assert site_rows(db_path, record_id, 2) == site_rows(db_path, record_id, 1), record_id
    # The reviewer's case, said plainly: the levator had no Hz and still has none.
    first = site_rows(db_path, records[0], 2)
    assert [(s["target"], s["estim_frequency_hz"], s["estim_lead"]) for s in first] == [
        ("upper trapezius", 2.0, 1),
        ("levator scapulae", None, None),
    ]


def _opened(technique: str, sites: list[dict[str, Any]]) -> Any:
    """The form state of a saved session of ``technique`` with ``sites``, as opened."""
    session = parse_session(
        {"patient_id": 1, "practitioner_id": 1, "consent": True, "pain_before": 5,
         "started_at": "2026-11-20 10:00", "technique": technique, "sites": sites},
        now=datetime(2026, 11, 23),
    )  # fmt: skip
    stored = {
        **dataclasses.asdict(session),
        "sites": [dataclasses.asdict(s) for s in session.sites],
    }
    return state_from_session(stored, with_outcomes=True)


def test_a_changed_setting_names_the_sites_that_keep_their_own() -> None:
    from sessionlog.services.entry.settings_reach import reach

    state = _opened(
        "electroacupuncture",
        [
            {"target": "st36", "side": "left", "stimulation": "electrical",
             "estim_frequency_hz": 2},
            {"target": "st36", "side": "right", "stimulation": "electrical"},
            {"target": "li4", "side": "left", "stimulation": "electrical",
             "estim_frequency_hz": 10, "depth_value": 20, "depth_unit": "mm"},
            {"target": "sp6", "side": "left", "stimulation": "tonify"},
            {"target": "gb34", "side": "left", "stimulation": "manual_even"},
        ],
    )  # fmt: skip
    opened = dataclasses.replace(state.settings)
    assert (opened.estim_hz, opened.stimulation, opened.depth) == ("2", "tonify", "")
    assert reach(state, opened) == ""  # nothing changed: nothing to say
    state.settings.estim_hz = "2/100"
    state.settings.stimulation = "sedate"
    state.settings.depth = "15"
    assert reach(state, opened).splitlines() == [
        "Stimulation sedate: site 4 takes it; site 5 keeps its own (manual_even)",
        "Hz 2/100: site 1 takes it; sites 2 (none), 3 (10 Hz) keep their own",
        "Depth 15: sites 1, 2, 4, 5 take it; site 3 keeps its own (20mm)",
    ]
    state.settings.estim_hz = "x"  # not understood: its error line says so, not this
    assert not reach(state, opened).startswith("Hz")


def test_a_site_taken_off_the_stimulator_keeps_no_hz() -> None:
    from sessionlog.services.entry.site_text import carried, parse_site_text

    old = {"target": "upper trapezius", "side": "right", "stimulation": "electrical",
           "estim_frequency_hz": 10.0, "estim_intensity": "mild", "retention_s": 300}  # fmt: skip
    technique = "electrical_dry_needling"
    assert carried(old, parse_site_text("upper trap r", technique), technique) == {
        "retention_s": 300
    }
    assert carried(old, parse_site_text("upper trap r e2", technique), technique) == {
        "estim_frequency_hz": 10.0,
        "estim_intensity": "mild",
        "retention_s": 300,
    }
