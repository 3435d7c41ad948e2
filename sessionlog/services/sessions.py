"""Saving, amending and voiding a session: what Ctrl+S on the form and ``sessionlog log``
both do, in one place.

The front ends turn what the user typed into a raw session (the form through
:func:`~sessionlog.services.entry.form_model.build_raw`, the command line from its
flags, which read sites in the same entry language). From there this module does the
rest: :func:`check_form` / :func:`check_input` validate it with the domain and choose
its episode of care (:func:`~sessionlog.services.episodes.choose_episode`), giving a
:class:`Draft` or a :class:`Refused` that lists every problem, each naming its field;
:func:`save`, :func:`amend` and :func:`void` write it through the store, giving a
:class:`Done` or a :class:`Refused`. Nothing is half-saved: each write is one
transaction. No Textual, no click, no SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from ..domain import InvalidRecord, parse_session
from ..errors import SessionlogError, ValidationError
from .episodes import choose_episode

if TYPE_CHECKING:
    from ..domain.models import Episode, SessionInput
    from ..store import Saved, Store
    from .entry.form_model import FormState

_T = TypeVar("_T")


@dataclass(frozen=True)
class Draft:
    """A checked session, ready to save: with the new episode it starts, if any."""

    session: SessionInput
    new_episode: Episode | None = None


@dataclass(frozen=True)
class Refused:
    """Nothing was written. ``error`` says why in one line naming the field (several
    problems: an :class:`InvalidRecord` listing each); a database failure (a full disk,
    a read-only file) is a :class:`SessionlogError` that is no ``ValidationError``."""

    error: SessionlogError

    @property
    def problems(self) -> list[ValidationError]:
        """Each problem with what was typed, naming its field; none for a failed write."""
        if isinstance(self.error, InvalidRecord):
            return list(self.error.errors)
        return [self.error] if isinstance(self.error, ValidationError) else []

    @property
    def line(self) -> str:
        return str(self.error)


@dataclass(frozen=True)
class Done:
    """A session written: ``verb`` is what happened (Saved, Amended (version 2), Voided)."""

    saved: Saved
    verb: str

    @property
    def record_id(self) -> int:
        return self.saved.record_id

    @property
    def message(self) -> str:
        """``Saved: session #12``: the one line both front ends show."""
        return f"{self.verb}: session #{self.saved.record_id}"


def or_raise(result: _T | Refused) -> _T:
    """The result, or its one-line error raised (for the command line, which prints it)."""
    if isinstance(result, Refused):
        raise result.error
    return result


def refused(errors: list[ValidationError]) -> Refused:
    """Several problems as one :class:`Refused` (one problem stays itself)."""
    return Refused(errors[0] if len(errors) == 1 else InvalidRecord(errors))


def check_input(
    store: Store,
    raw: Mapping[str, Any],
    *,
    now: datetime,
    complaint: str = "",
    region: str = "",
    new: bool = True,
    extra: list[ValidationError] | None = None,
    episode_id: int | None = None,
) -> Draft | Refused:
    """Validate the raw session (the domain's :func:`parse_session`) and, for a new
    session without an ``episode_id``, choose its episode: a new one from ``complaint``
    and ``region``, else the patient's current one. ``episode_id``: the episode the user
    chose (one of this patient's), for a new session or a correction (which moves the
    session to it). ``extra``: problems the front end found on its own (the form's
    settings row), reported with the others."""
    errors: list[ValidationError] = []
    session = None
    try:
        session = parse_session(raw, now=now)
    except InvalidRecord as exc:
        errors += exc.errors
    new_episode = None
    patient_id = session.patient_id if session else _as_id(raw.get("patient_id"))
    unset = new and (session is None or session.episode_id is None)
    if patient_id is not None and (unset or episode_id is not None):
        # (no patient: no episode to look for; the patient's problem says it)
        started = session.started_at.date().isoformat() if session else _typed_day(raw, now)
        try:
            # The one chosen, else the one under way on its day (the form's line shows it).
            choice = choose_episode(store, patient_id, complaint, region, started, episode_id)
        except InvalidRecord as exc:
            errors += exc.errors
        except ValidationError as exc:
            errors.append(exc)
        else:
            new_episode = choice.new
            if session is not None:
                session = replace(session, episode_id=choice.episode_id)
    errors += extra or []
    if errors or session is None:
        return refused(errors)
    return Draft(session, new_episode)


def check_form(
    store: Store,
    state: FormState,
    *,
    patient_id: int,
    practitioner_id: int,
    now: datetime,
    new: bool = True,
    complaint: str = "",
    region: str = "",
    episode_id: int | None = None,
) -> Draft | Refused:
    """The session form's state (:class:`FormState`) checked as a whole: the session,
    its episode (``new``; ``episode_id``: the one chosen on the form, for a new session
    or a correction) and the settings row by itself (a bad setting reaches no site, so
    the session alone would pass)."""
    from .entry.form_model import build_raw
    from .entry.needle_depth import settings_problems
    from .entry.technique_settings import setting_problems

    raw = build_raw(state, patient_id=patient_id, practitioner_id=practitioner_id)
    if new:  # a repeated session's episode is not this one's: it is chosen again
        raw.pop("episode_id", None)
    settings = state.settings
    extra = setting_problems(settings, state.technique)
    extra += settings_problems(settings.needle, settings.depth, state.technique)
    return check_input(
        store,
        raw,
        now=now,
        complaint=complaint,
        region=region,
        new=new,
        extra=extra,
        episode_id=episode_id,
    )


def cut_off(store: Store, draft: Draft) -> str | None:
    """What saving ``draft`` would do to the follow-ups of an earlier session of its
    course, in one sentence: a session (a forgotten one, entered late) that comes between
    a session and its follow-ups, which then count in no figure (a follow-up counts only
    until its session's next one) unless re-linked to it. ``None`` when it comes between
    none (a session starting an episode never does). The front ends say it before
    saving: the form asks, ``log`` needs ``--before-follow-up`` (and prints it again once
    saved)."""
    if draft.new_episode is not None:
        return None
    return store.follow_ups_cut_off(draft.session)


def cut_off_ids(store: Store, draft: Draft) -> list[int]:
    """The follow-ups :func:`cut_off` names, by id: what re-links each (``follow-up-amend
    ID --session``) once the session is saved."""
    if draft.new_episode is not None:
        return []
    return store.follow_up_ids_cut_off(draft.session)


def save(
    store: Store, draft: Draft, actor_id: int | None, *, before_follow_ups: bool | str = False
) -> Done | Refused:
    """Save a new session (and the episode it starts) for ``actor_id``, who signed in;
    refused if the same session is saved already (a command run twice, a form saved
    twice: the patient's session at that time with every value and site the same), and,
    unless ``before_follow_ups`` (the user was told: :func:`cut_off`), if it comes between
    a session and its follow-ups (the line names them). ``before_follow_ups`` may be the
    very sentence the user said yes to: then it is refused if the follow-ups are no
    longer those it names (one added at another desk while the question was shown)."""
    return _write(
        lambda: store.save_session(
            draft.session,
            actor_id=actor_id,
            new_episode=draft.new_episode,
            once=True,
            before_follow_ups=before_follow_ups,
        )
    )


def amend(
    store: Store,
    record_id: int,
    draft: Draft,
    actor_id: int,
    reason: str,
    version: int | None = None,
) -> Done | Refused:
    """Correct saved session ``record_id``: a new version, the old kept, with the reason;
    refused when ``version`` (the one corrected) is no longer the current one."""
    return _write(
        lambda: store.amend_session(record_id, draft.session, actor_id, reason, version=version)
    )


def amend_refused(
    store: Store, record_id: int, draft: Draft, actor_id: int, version: int | None = None
) -> ValidationError | None:
    """Why :func:`amend` would refuse ``draft`` as the records stand now, or None: the
    form says it before asking why (a reason typed for a move that cannot be saved is
    wasted). :func:`amend` checks again at the write."""
    return store.amendment_refused(record_id, draft.session, actor_id, version=version)


def void(store: Store, record_id: int, actor_id: int, reason: str) -> Done | Refused:
    """Withdraw session ``record_id``, recorded in error: it stays, marked void."""
    return _write(lambda: store.void_session(record_id, actor_id, reason), "Voided")


def _write(write: Any, verb: str | None = None) -> Done | Refused:
    try:
        saved: Saved = write()
    except SessionlogError as exc:  # a refused reason, a void session, a full disk
        return Refused(exc)
    if verb is None:
        verb = "Saved" if saved.version == 1 else f"Amended (version {saved.version})"
    return Done(saved, verb)


def _typed_day(raw: Mapping[str, Any], now: datetime) -> str:
    """The day of an unreadable session, for its episode: as typed, else today."""
    return str(raw.get("started_at") or "").strip()[:10] or str(now.date())


def _as_id(value: object) -> int | None:
    """A patient id as the domain would accept it (a whole number a row could have)."""
    from .lookup import MAX_ID

    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 1 <= value <= MAX_ID else None
