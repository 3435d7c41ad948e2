"""The session form's F5: the episode of care the session is filed under, chosen.

By itself the form files a new session under the episode under way on its day (the
line follows the time typed). F5 lists the patient's episodes
(:class:`.episode_picker.EpisodePicker`): the one picked is saved, and stays picked
when the time changes, the line saying when it began after the session's day; the
first choice gives the choice back to the day. On a saved session opened again, F5
moves it to another episode: saved as a correction (Ctrl+S asks why), the original
kept. The session service checks and saves it
(:func:`sessionlog.services.sessions.check_form`'s ``episode_id``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Input, Static

from ...services.entry.field_words import sentence, slot
from ...services.entry.form_start import chosen_line, episode_line, episode_on
from ...services.episodes import described
from ...services.sessions import Draft
from ..safe import plain
from . import session_save
from .episode_picker import AUTOMATIC, EpisodePicker

if TYPE_CHECKING:
    from .session_form import SessionScreen


def choose(screen: SessionScreen) -> None:
    """F5: the patient's episodes listed; the one picked files the session."""
    episodes = screen.store.episodes(screen.patient_id)
    if not episodes:
        screen.form.set_error(
            "episode", "No episode of care to choose yet: type the complaint and its region"
        )
        return
    listed = [(e["id"], described(e)) for e in episodes]
    typed = _typed(screen)
    if screen.record_id is None:
        by_day = episode_on(screen.store, screen.patient_id, typed) or episode_line(
            screen.store, screen.patient_id, None, None
        )  # (the line's text is not shown here: only the episode it names)
        day_gives = next((text for eid, text in listed if eid == by_day.current_id), "")
        current = screen.chosen_episode or AUTOMATIC
        automatic: str | None = day_gives
    else:
        current, automatic = screen.chosen_episode or screen.saved_episode or AUTOMATIC, None

    def picked(value: int | None) -> None:
        if value is not None:
            chosen(screen, value)

    screen.app.push_screen(EpisodePicker(listed, automatic, current), picked)


def chosen(screen: SessionScreen, value: int) -> None:
    """The episode picked (:data:`AUTOMATIC`: the one of the session's day again; on a
    saved session, the one it is saved in: no change) shown on the line."""
    screen.form.set_error("episode", "")
    if value == AUTOMATIC or (screen.record_id is not None and value == screen.saved_episode):
        screen.chosen_episode = None
        if screen.record_id is None:
            screen.follow_date(_typed(screen))
        else:
            screen.show_episode(screen.saved_episode)
        return
    screen.chosen_episode = value
    if screen.record_id is None:
        screen.episode_id = value
        if screen.query_one("#new-episode").display:
            screen.ask_new_episode(False)  # an episode chosen: no new one started
    show(screen)
    if screen.record_id is not None:
        _refused_now(screen)


def _refused_now(screen: SessionScreen) -> None:
    """A move the records refuse (it would leave a follow-up counting in no figure)
    is said as it is picked, not after a reason is typed at Ctrl+S (review21 #6); the
    line then follows the form as it is put right."""
    draft = session_save.checked(screen)
    if not isinstance(draft, Draft):
        return  # the form's other problems are said at Ctrl+S, this one with them
    refusal = session_save.amend_refusal(screen, draft)
    if refusal is not None and slot(refusal.field) == "episode":
        screen.problems_shown = True
        screen.form.set_error("episode", sentence(refusal.field, refusal.message))


def show(screen: SessionScreen) -> None:
    """The line of the episode chosen, at the time typed."""
    if screen.chosen_episode is None:
        return
    was = screen.saved_episode if screen.record_id is not None else None
    text = chosen_line(
        screen.store, screen.chosen_episode, _typed(screen), was, screen.new_episode_key()
    )
    screen.query_one("#episode-line", Static).update(plain(text))


def _typed(screen: SessionScreen) -> str:
    return screen.query_one("#f-started_at", Input).value
