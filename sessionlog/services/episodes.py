"""Which episode of care a new session belongs to: the one rule of the form and ``log``.

A session continues the patient's current episode unless a complaint and region are
given, which start a new one with it: from the command line, the episode under way on
the session's day; from the form, the one it shows (the one started last).
A patient with no episode yet must be given them: a session outside any episode is
invisible to ``compare --region`` and ``--complaint``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..domain.episodes import parse_episode, region_words
from ..errors import ValidationError

if TYPE_CHECKING:
    from ..domain.models import Episode
    from ..store import Store


@dataclass(frozen=True)
class EpisodeChoice:
    """An existing episode to continue (``episode_id``) or a new one (``new``)."""

    episode_id: int | None = None
    new: Episode | None = None


def choose_episode(
    store: Store,
    patient_id: int,
    complaint: str,
    region: str,
    started_on: str,
) -> EpisodeChoice:
    """The episode of a new session of ``patient_id`` (on ``started_on``): a new one
    when a complaint or a region is given (both are then required), else the current
    one: the one under way that day (a session entered late continues the episode of
    its day, not one begun since; the form's episode line shows the same one as the
    time is typed: ``entry.form_start.episode_on``). Raises :class:`InvalidRecord` /
    :class:`ValidationError` naming the field."""
    if complaint.strip() or region.strip():
        episode = parse_episode(
            {"complaint": complaint, "body_region": region},
            patient_id=patient_id,
            started_on=started_on,
        )
        return EpisodeChoice(new=episode)
    current = store.current_episode(patient_id, on=started_on)
    if current is None:
        raise ValidationError(
            "complaint",
            "is required: this patient has no episode of care yet (the complaint, such as"
            " neck pain, and its body region)",
        )
    return EpisodeChoice(episode_id=current["id"])


def describe_episode(complaint: str, region: str, started_on: str) -> str:
    """``neck pain · neck · since 2026-11-16``: an episode in one line."""
    return f"{complaint} · {region_words(region)} · since {started_on}"


def begun_after(store: Store, episode_id: int | None, day: str) -> str | None:
    """The line saying a session of ``day`` went into episode ``episode_id`` although it
    began after that day, when the patient has other episodes it could have been (no
    episode was under way then: the one started last is continued, as for a patient
    registered today whose earlier sessions are entered late); None when it had begun by
    then, or is the patient's only one."""
    episode = store.episode(episode_id) if episode_id is not None else None
    if episode is None or str(episode["started_on"]) <= day:
        return None
    if len(store.episodes(int(episode["patient_id"]))) < 2:
        return None
    return (
        f"{day} is before this episode of care began ({episode['complaint']}, since"
        f" {episode['started_on']}): a new complaint and region start one on its day"
    )
