"""Which episode of care a new session belongs to: the one rule of the form and ``log``.

A session continues the patient's current episode unless a complaint and region are
given, which start a new one with it: from the command line, the episode under way on
the session's day; from the form, the one it shows (the one started last).
A patient with no episode yet must be given them: a session outside any episode is
invisible to ``compare --region`` and ``--complaint``. The user may name another of the
patient's episodes instead (``log --episode``, ``amend --episode``, the form's F5): a
patient treated for two complaints in the same weeks has sessions for each.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..domain.episodes import (
    SEPARATOR,
    complaint_key,
    describe_episode,
    parse_episode,
    region_words,
)
from ..errors import ValidationError

if TYPE_CHECKING:
    from ..domain.models import Episode
    from ..store import EpisodeRow, Store

# ``low back pain 2025-09-01``, ``... since 2025-09``: a complaint, then its start date
# (or the start of one: the year and month).
_DATED = re.compile(r"^(.*?)\s*(?:\bsince\s+)?(\d{4}-\d{2}(?:-\d{2})?)$")


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
    chosen: int | None = None,
) -> EpisodeChoice:
    """The episode of a new session of ``patient_id`` (on ``started_on``): ``chosen``
    when the user named one (one of this patient's, whatever its dates), a new one when a
    complaint or a region is given (both are then required), else the current one: the
    one under way that day (a session entered late continues the episode of its day,
    not one begun since; the form's episode line shows the same one as the time is
    typed: ``entry.form_start.episode_on``). Raises :class:`InvalidRecord` /
    :class:`ValidationError` naming the field."""
    if chosen is not None:
        if complaint.strip() or region.strip():
            raise ValidationError(
                "episode",
                "choose an episode of care or start a new one (a complaint and region), not both",
            )
        row = store.episode(chosen)
        if row is None or row["patient_id"] != patient_id:
            raise ValidationError(
                "episode", f"episode {chosen} is not one of this patient's episodes of care"
            )
        return EpisodeChoice(episode_id=chosen)
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


def described(episode: EpisodeRow) -> str:
    """A stored episode in one line, as the form's episode line shows it."""
    return describe_episode(episode["complaint"], episode["body_region"], episode["started_on"])


def short_names(episodes: Iterable[EpisodeRow]) -> dict[int, str]:
    """Each of one patient's ``episodes`` (all of them, not only those a list shows) by
    the fewest words that tell it from the others and that ``--episode`` takes: its
    complaint, else the whole line (``low back pain · low back · since 2025-09-01``)."""
    listed = list(episodes)
    keys = [complaint_key(e["complaint"]) for e in listed]
    return {
        int(e["id"]): e["complaint"] if keys.count(key) == 1 else described(e)
        for e, key in zip(listed, keys, strict=True)
    }


def find_episode(store: Store, patient_id: int, typed: str) -> int:
    """The id of the episode of care of ``patient_id`` that ``typed`` names, as the app
    shows episodes (a user sees no id): its complaint, whole or a unique start, in any
    case, and its start date when two share it (``low back pain 2025-09-01``, ``... since
    2025-09``, or the date alone); the form's line (``hip pain · hip · since
    2025-03-01``) reads too. Raises :class:`ValidationError` (field ``episode``) naming
    this patient's episodes when ``typed`` names none of them or more than one; a
    ``patient_id`` not a patient's (``log --json`` gives it unchecked) is refused first,
    naming no episode."""
    from ..domain.fields import as_int

    patient_id = as_int("patient_id", patient_id, 1)
    if store.patient(patient_id) is None:
        raise ValidationError("patient_id", f"there is no patient with id {patient_id}")
    episodes = store.episodes(patient_id)
    if not episodes:
        raise ValidationError(
            "episode",
            "this patient has no episode of care yet: a complaint and its region start one",
        )
    choices = "; ".join(described(e) for e in episodes)
    words = " ".join(str(typed).split())
    parts = [p.strip() for p in words.split(SEPARATOR)]
    complaint, day = parts[0], ""
    dated = _DATED.match(parts[-1])
    if dated:
        day = dated.group(2)
        if len(parts) == 1:
            complaint = dated.group(1)
    complaint = complaint.casefold()
    if not (complaint or day):  # nothing that could name one ('', '·')
        raise ValidationError(
            "episode", f"is empty: name one of this patient's episodes of care: {choices}"
        )
    found = _matching(episodes, complaint, day)
    if not found and day and len(parts) == 1:  # a complaint ending in a date: 'post-op 2026-01'
        found = _matching(episodes, words.casefold(), "")
    if len(found) > 1 and len(parts) >= 3:  # the form's line names the region too
        region = parts[1].casefold()
        found = [e for e in found if region_words(e["body_region"]).casefold() == region]
    if len(found) == 1:
        return int(found[0]["id"])
    if not found:
        raise ValidationError(
            "episode", f"{words!r} is none of this patient's episodes of care: {choices}"
        )
    latest = found[-1]
    same_day = len({e["started_on"] for e in found}) == 1
    example = described(latest) if same_day else f"{latest['complaint']} {latest['started_on']}"
    raise ValidationError(
        "episode",
        f"{words!r} is {len(found)} of this patient's episodes of care"
        f" ({'; '.join(described(e) for e in found)}): add"
        f" {'the region and ' if same_day else ''}the start date, as in '{example}'",
    )


def _matching(episodes: list[EpisodeRow], complaint: str, day: str) -> list[EpisodeRow]:
    """The episodes begun on ``day`` (or a day it starts) whose complaint is
    ``complaint`` (casefolded), else those whose complaint starts with it."""
    dated = [e for e in episodes if str(e["started_on"]).startswith(day)]

    def name(e: EpisodeRow) -> str:
        return " ".join(e["complaint"].split()).casefold()

    return [e for e in dated if name(e) == complaint] or [
        e for e in dated if name(e).startswith(complaint)
    ]


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
