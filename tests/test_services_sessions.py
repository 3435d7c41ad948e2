"""The one route of a session and a follow-up from what the user typed to the store
(services/sessions.py, services/follow_ups.py): both front ends call it, so its
results and refusals are checked here once, on rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from sessionlog.domain import InvalidRecord
from sessionlog.domain.models import Episode
from sessionlog.errors import ValidationError
from sessionlog.services import follow_ups, sessions
from sessionlog.services.entry import form_start
from sessionlog.services.entry.form_model import FormState, default_settings, describe_site
from sessionlog.services.entry.reuse import protocol_sites, repeated, replaced_by_repeat
from sessionlog.services.episodes import begun_after
from sessionlog.services.sessions import Done, Draft, Refused, or_raise
from sessionlog.store import Store

NOW = datetime(2026, 11, 22, 10, 0)
Counts = Callable[[Any], dict[str, int]]


def typed(patient_id: int, **extra: Any) -> dict[str, Any]:
    """A session as a front end hands it over (text, as typed)."""
    return {
        "technique": "dry_needling",
        "patient_id": patient_id,
        "practitioner_id": 1,
        "started_at": "2026-11-20 09:15",
        "consent": True,
        "pain_before": "7",
        "pain_after": "3",
        "sites": [{"target": "upper trap", "side": "left"}],
        **extra,
    }


def saved(store: Store, patient_id: int) -> Done:
    draft = or_raise(sessions.check_input(store, typed(patient_id), now=NOW, complaint="neck pain",
                                          region="neck"))  # fmt: skip
    return or_raise(sessions.save(store, draft, 1))


def test_a_new_session_starts_the_episode_typed_and_is_saved(store: Store, patient_id: int) -> None:
    done = saved(store, patient_id)
    assert done.message == "Saved: session #1"
    row = store.session(done.record_id)
    assert row is not None and row["pain_before"] == 7
    episode = store.current_episode(patient_id)
    assert episode is not None and row["episode_id"] == episode["id"]
    assert (episode["complaint"], episode["body_region"]) == ("neck pain", "neck")


def test_every_problem_is_named_and_nothing_is_written(
    store: Store, patient_id: int, table_counts: Counts
) -> None:
    before = table_counts(store.conn)
    checked = sessions.check_input(store, typed(patient_id, pain_before="11"), now=NOW)
    assert isinstance(checked, Refused)
    # The patient has no episode yet and none was typed: said with the pain, not after.
    assert [e.field for e in checked.problems] == ["pain_before", "complaint"]
    assert isinstance(checked.error, InvalidRecord)
    assert checked.line.startswith("pain_before: ") and checked.line.endswith(
        "(and 1 more problem)"
    )
    assert "\n" not in checked.line
    assert table_counts(store.conn) == before
    with pytest.raises(InvalidRecord):
        or_raise(checked)


def test_a_session_continues_the_current_episode(store: Store, patient_id: int) -> None:
    eid = store.add_episode(Episode(patient_id, "low back pain", "low_back", "2026-11-01"))
    draft = sessions.check_input(store, typed(patient_id), now=NOW)
    assert isinstance(draft, Draft)
    assert draft.session.episode_id == eid and draft.new_episode is None


def test_a_session_entered_late_continues_the_episode_of_its_own_time(
    store: Store, patient_id: int
) -> None:
    # The patient registered today with neck pain; sessions entered late: back pain
    # started on 11-05 (11-04's session was the neck's). A session of 11-07 given no
    # complaint went to the neck episode, the one started last, although on 11-07 the
    # back pain was the one under way.
    neck = store.add_episode(Episode(patient_id, "neck pain", "neck", "2026-11-22"))
    back = store.add_episode(Episode(patient_id, "low back pain", "low_back", "2026-11-05"))
    on = {day: typed(patient_id, started_at=f"2026-11-{day} 09:00") for day in ("04", "07", "22")}
    episodes = {
        day: or_raise(sessions.check_input(store, data, now=NOW)).session.episode_id
        for day, data in on.items()
    }
    assert episodes == {"04": neck, "07": back, "22": neck}


def test_the_form_saves_into_the_episode_it_shows(store: Store, patient_id: int) -> None:
    # A session backdated in the form went into the one under way on its day while the
    # form showed the one started last (found by review); then it went into the one
    # started last, although that began after the session (fixes18). Now the form's
    # episode line follows the time typed (tests/tui/test_episode_by_date.py), and the
    # session goes into the episode under way on its day, as `log` puts it.
    neck = store.add_episode(Episode(patient_id, "neck pain", "neck", "2026-11-01"))
    store.add_episode(Episode(patient_id, "low back pain", "low_back", "2026-11-15"))
    line = form_start.episode_on(store, patient_id, "2026-11-10 09:00")
    assert line is not None and line.current_id == neck
    form = FormState(technique="acupuncture", settings=default_settings("acupuncture"))
    form.consent = True
    form.fields.update({"started_at": "2026-11-10 09:00", "pain_before": "5"})
    form.sites = [describe_site({"target": "st36", "side": "left"}, form.settings, "acupuncture")]
    draft = or_raise(
        sessions.check_form(store, form, patient_id=patient_id, practitioner_id=1, now=NOW)
    )
    assert draft.session.episode_id == neck


def test_amend_and_void_keep_the_record_and_say_what_happened(
    store: Store, patient_id: int
) -> None:
    record = saved(store, patient_id).record_id
    draft = or_raise(sessions.check_input(store, typed(patient_id, pain_after="2"), now=NOW,
                                          new=False))  # fmt: skip
    blank = sessions.amend(store, record, draft, 1, "  ")
    assert isinstance(blank, Refused)
    assert [(e.field, e.message) for e in blank.problems] == [
        ("reason", "say why the session is being corrected")
    ]
    assert sessions.amend(store, record, draft, 1, "pain after was 2") == Done(
        store_saved(store, record, 2), "Amended (version 2)"
    )
    voided = or_raise(sessions.void(store, record, 1, "wrong patient"))
    assert voided.message == "Voided: session #1"
    again = sessions.void(store, record, 1, "twice")
    assert isinstance(again, Refused) and again.line == "session: session 1 is already void"
    assert [v["status"] for v in store.session_history(record)] == ["active", "active", "void"]


def store_saved(store: Store, record: int, version: int) -> Any:
    from sessionlog.store import Saved

    row = store.session_history(record)[version - 1]
    return Saved(record, int(row["id"]), version)


def test_a_failed_write_is_refused_with_no_field_problems(
    store: Store, patient_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sessionlog.errors import WriteFailed

    draft = or_raise(sessions.check_input(store, typed(patient_id), now=NOW, complaint="neck pain",
                                          region="neck"))  # fmt: skip

    def full(*args: Any, **kwargs: Any) -> Any:
        raise WriteFailed("the disk is full", "free space")

    monkeypatch.setattr(store, "save_session", full)
    refused = sessions.save(store, draft, 1)
    assert isinstance(refused, Refused) and refused.problems == []
    assert isinstance(refused.error, WriteFailed)


def test_a_follow_up_is_recorded_or_refused_naming_the_field(
    store: Store, patient_id: int, table_counts: Counts
) -> None:
    record = saved(store, patient_id).record_id
    assert follow_ups.session_before(store, patient_id, datetime(2026, 11, 20, 9, 0)) is None
    assert follow_ups.session_before(store, patient_id, datetime(2026, 11, 21, 9, 0)) == record
    raw = {"patient_id": patient_id, "session_record_id": record, "at": "2026-11-21 18:00"}
    before = table_counts(store.conn)
    refused = follow_ups.record(store, {**raw, "pain": "11"}, 1, now=NOW)
    assert isinstance(refused, Refused)
    assert [e.field for e in refused.problems] == ["pain"]
    assert table_counts(store.conn) == before
    done = follow_ups.record(store, {**raw, "pain": "2"}, 1, now=NOW)
    assert isinstance(done, follow_ups.Recorded) and done.message == "Follow-up saved: pain 2"
    assert [(f["id"], f["pain"]) for f in store.follow_ups(patient_id)] == [(done.follow_up_id, 2)]


def test_a_protocol_adds_only_the_sites_not_typed_yet() -> None:
    state = FormState(technique="acupuncture", settings=default_settings("acupuncture"))
    state.sites = [describe_site({"target": "st36", "side": "left"}, state.settings, "acupuncture")]
    sites: list[dict[str, object]] = [
        {"target": "ST36", "side": "left"},  # typed already
        {"target": "li4", "side": "right"},
        {"target": "no such point", "side": "left"},  # no longer reads: left out
    ]
    added = protocol_sites(sites, "acupuncture", state)
    assert [(r.raw["target"], r.raw["side"]) for r in added] == [("LI4", "right")]


def test_a_repeat_names_what_was_typed_that_it_would_replace(store: Store, patient_id: int) -> None:
    last_time = typed(
        patient_id,
        technique="acupuncture",
        sites=[{"target": "st36", "side": "bilateral"}],
        co_interventions="heat",
    )
    draft = or_raise(sessions.check_input(store, last_time, now=NOW, complaint="knee pain",
                                          region="knee"))  # fmt: skip
    or_raise(sessions.save(store, draft, 1))
    last = store.last_session(patient_id)
    assert last is not None
    form = FormState(technique="acupuncture", settings=default_settings("acupuncture"))
    assert replaced_by_repeat(form, repeated(last, form)) == []  # nothing typed: no question
    form.fields["co_interventions"] = "heat"  # as last time: nothing lost
    assert replaced_by_repeat(form, repeated(last, form)) == []
    form.settings.depth, form.settings.deqi, form.settings.deqi_quality = "20", "y", "heaviness"
    form.fields["co_interventions"] = "cupping"
    form.sites = [describe_site({"target": "li4", "side": "left"}, form.settings, "acupuncture")]
    repeat = repeated(last, form)
    assert replaced_by_repeat(form, repeat) == ["1 site", "co-interventions", "depth"]
    assert [r.raw["target"] for r in repeat.sites] == ["ST36"]
    # De Qi is today's response: a repeat of the same technique keeps what was typed.
    assert (repeat.settings.deqi, repeat.settings.deqi_quality) == ("y", "heaviness")
    form.technique = "dry_needling"  # another technique: its De Qi would go, so it is named
    assert "De Qi" in replaced_by_repeat(form, repeated(last, form))


def test_one_problem_is_refused_as_itself() -> None:
    error = ValidationError("reason", "say why")
    assert sessions.refused([error]).error is error


@pytest.mark.parametrize("patient", [2**70, True, "C001", None])
def test_an_unreadable_patient_is_named_without_looking_for_its_episode(
    store: Store, patient: object
) -> None:
    # An id past SQLite's integers reached the episode lookup: an OverflowError.
    checked = sessions.check_input(store, {**typed(1), "patient_id": patient}, now=NOW)
    assert isinstance(checked, Refused)
    assert [e.field for e in checked.problems] == ["patient_id"]


def test_a_protocol_is_saved_through_the_service_or_refused_whole(
    store: Store, practitioner_id: int, table_counts: Counts
) -> None:
    from sessionlog.services import protocols

    sites: list[dict[str, object]] = [{"target": "LI4", "side": "bilateral"}]
    done = protocols.save(store, practitioner_id, "calm", "acupuncture", sites)
    assert isinstance(done, protocols.SavedProtocol)
    assert done.message == "Saved protocol calm (1 site)"
    [row] = protocols.of(store, practitioner_id)
    assert (row["id"], row["name"], row["technique"], row["sites"]) == (
        done.protocol_id, "calm", "acupuncture", sites,
    )  # fmt: skip
    assert protocols.of(store, None) == []
    before = table_counts(store.conn)
    refused = protocols.save(store, 99, "calm", "acupuncture", sites)
    assert isinstance(refused, Refused)
    assert str(refused.error) == "practitioner_id: there is no practitioner with id 99"
    assert table_counts(store.conn) == before


def test_a_session_before_every_episode_of_care_says_which_it_continues(
    store: Store, patient_id: int
) -> None:
    # review20 #1: dated before the first episode began, a session goes into the one
    # started last (a patient registered today, earlier sessions entered late: above),
    # no longer with no word: the form's line and log's note say it began after.
    back = store.add_episode(Episode(patient_id, "low back pain", "low_back", "2026-10-01"))
    assert begun_after(store, back, "2026-09-01") is None  # the only one: no choice
    neck = store.add_episode(Episode(patient_id, "neck pain", "neck", "2026-11-01"))
    draft = or_raise(
        sessions.check_input(store, typed(patient_id, started_at="2026-09-01 09:00"), now=NOW)
    )
    assert draft.session.episode_id == neck
    assert begun_after(store, neck, "2026-09-01") == (
        "2026-09-01 is before this episode of care began (neck pain, since 2026-11-01):"
        " a new complaint and region start one on its day"
    )
    assert begun_after(store, neck, "2026-11-01") is None
    line = form_start.episode_on(store, patient_id, "2026-09-01 09:00")
    assert line is not None and line.current_id == neck
    assert line.text == "neck pain · neck · since 2026-11-01  (F6: new); it began after 2026-09-01"
