"""A correction carries every field of every site as stored unless the user changed it,
and a repeat repeats each site's own settings: the form's one settings row (Hz, needle,
depth, retention, stimulation) must not become every site's (review: an amendment of
pain after gave a site on the stimulator with no Hz the other site's 2 Hz)."""

from __future__ import annotations

import dataclasses
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
