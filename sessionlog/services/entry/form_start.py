"""What the session form shows as it opens: the patient's line, the episode line and
the state to start from (a new session's defaults, or a saved session to amend).
Textual-free: the screen (:mod:`sessionlog.tui.screens.session_form`) only shows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ...analysis.model import group_label
from ...domain.episodes import describe_episode
from ...domain.fields import as_datetime
from ...domain.text import counted
from ...errors import ValidationError
from ..episodes import begun_after, described
from .form_model import FormState, default_settings, state_from_session

if TYPE_CHECKING:
    from ...store import Store


@dataclass(frozen=True)
class Opening:
    """The form's first state, who treated (an amendment: who did) and the episode of
    the session amended (None for a new session: it takes the current one)."""

    state: FormState
    practitioner_id: int | None
    episode_id: int | None = None
    version: int | None = None  # the version of the session amended, as opened


@dataclass(frozen=True)
class EpisodeLine:
    """The episode line's text, the current episode a new session continues, and
    whether the complaint row asks for a new one (a patient with none)."""

    text: str
    current_id: int | None
    ask_new: bool


def opening(
    store: Store, patient_id: int, record_id: int | None, practitioner_id: int | None, now: datetime
) -> Opening | None:
    """A new session's defaults, or saved session ``record_id`` with its outcomes;
    None when that session is no longer current (voided)."""
    if record_id is not None:
        stored = store.session(record_id)
        if stored is None:
            return None
        state = state_from_session(stored, with_outcomes=True)
        return Opening(
            state, stored["practitioner_id"], stored["episode_id"], int(stored["version"])
        )
    technique = default_technique(store, patient_id, practitioner_id)
    state = FormState(
        technique=technique,
        settings=default_settings(technique),
        fields={"started_at": now.strftime("%Y-%m-%d %H:%M")},
    )
    return Opening(state, practitioner_id)


def default_technique(store: Store, patient_id: int, practitioner_id: int | None) -> str:
    """The patient's last technique, else the practitioner's profession's."""
    last = store.last_session(patient_id)
    if last:
        return str(last["technique"])
    practitioner = store.practitioner(practitioner_id) if practitioner_id else None
    return (
        "dry_needling"
        if practitioner and practitioner["profession"] == "physiotherapist"
        else "acupuncture"
    )


def patient_line(store: Store, patient_id: int, record_id: int | None) -> str:
    """`` C001  Maria Keller · born 1970 · female · last 2026-11-20: ...`` (a new
    session names the last one, which Ctrl+R repeats)."""
    patient = store.patient(patient_id)
    if patient is None:
        return " No such patient"
    bits = [f" {patient['chart_id']}  {patient['name']}"]
    if patient.get("birth_year"):
        bits.append(f"born {patient['birth_year']}")
    if patient.get("sex") and patient["sex"] != "unknown":
        bits.append(str(patient["sex"]))
    last = store.last_session(patient_id) if record_id is None else None
    if last:
        bits.append(
            f"last {str(last['started_at'])[:10]}: {group_label(last['technique'])},"
            f" {counted(len(last['sites']), 'site')} (Ctrl+R repeats)"
        )
    return " · ".join(bits)


def episode_line(
    store: Store,
    patient_id: int,
    record_id: int | None,
    amended_episode: int | None,
    on: str | None = None,
    new_key: str = "F6",
) -> EpisodeLine:
    """The current episode (a new session continues it; ``on`` a day: the one under way
    then, as :func:`..episodes.choose_episode` saves it), the amended session's, or the
    complaint row for a patient with none. ``new_key``: the key that starts a new episode,
    as the user's settings bind it."""
    if record_id is not None:
        episode = store.episode(amended_episode) if amended_episode else None
    else:
        episode = store.current_episode(patient_id, on=on)
    current = episode["id"] if episode and record_id is None else None
    if episode is None and record_id is not None:
        text = "none recorded"
    elif episode is None:
        text = "first episode of care: type the complaint and its region"
    else:
        text = describe_episode(episode["complaint"], episode["body_region"], episode["started_on"])
        text += f"  ({new_key}: new)" if record_id is None else ""
    return EpisodeLine(text, current, record_id is None and episode is None)


def episode_on(
    store: Store, patient_id: int, typed: str, new_key: str = "F6"
) -> EpisodeLine | None:
    """The episode line of a new session at the time ``typed`` in the form (the episode
    under way that day: a session entered late continues the one of its day); None
    while what is typed is not a date yet."""
    day = typed_day(typed)
    if day is None:
        return None
    line = episode_line(store, patient_id, None, None, on=day, new_key=new_key)
    if begun_after(store, line.current_id, day):  # none under way then: said on the line
        return EpisodeLine(f"{line.text}; it began after {day}", line.current_id, False)
    return line


def typed_day(typed: str) -> str | None:
    """The day of the time typed in the form; None while it is not a date yet."""
    try:
        return as_datetime("started_at", typed).date().isoformat()
    except ValidationError:
        return None


def chosen_line(
    store: Store, episode_id: int, typed: str, was: int | None = None, new_key: str = "F6"
) -> str:
    """The episode line of a session filed under the episode the user chose (F5):
    ``hip pain · hip · since 2026-11-10  (chosen; F6: new)`` for a new session, ``...
    (was low back pain · low back · since 2026-11-01)`` for a saved one moved (``was``:
    the episode it is saved in); with ``; it began after DAY`` when it began after the
    time ``typed``, as the line says for the episode the day gives a session."""
    episode = store.episode(episode_id)
    text = described(episode) if episode else "none recorded"
    before = store.episode(was) if was is not None else None
    if was is None:
        text += f"  (chosen; {new_key}: new)"
    elif before is not None:
        text += f"  (was {described(before)})"
    day = typed_day(typed)
    if day and episode and str(episode["started_on"]) > day:  # picked: said even if the only one
        text += f"; it began after {day}"
    return text
