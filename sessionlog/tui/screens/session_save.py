"""Checking and saving the session form: what Ctrl+S and F8 do on the screen.

:func:`save` (Ctrl+S) checks the form first with :func:`validated`: the form as it
stands, checked by the one session service
(:func:`sessionlog.services.sessions.check_form`), each problem shown on the line
under its field (a site typed but not added is added first, or its own line says why
not). A checked draft is saved (one between an earlier session and its follow-ups
once the practitioner says so: :func:`save_new`), or, for a session opened again,
amended once a reason is given; :func:`void` (F8) voids it with a reason. The writes
are the session service's (:func:`~sessionlog.services.sessions.save`, ``amend``,
``void``);
:func:`show_done` shows what it did. After a refused save, :func:`recheck` makes the
error lines follow the form as it is put right. Each works on a
:class:`~.session_form.SessionScreen` through its fields (``screen.form``) and its
sites editor (``screen.sites``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import FollowUpLeftOut, ValidationError
from ...services import sessions
from ...services.entry.field_words import slot
from ...services.sessions import Done, Draft, Refused
from .. import config
from ..safe import not_saved, plain
from ..widgets.error_line import ErrorLine
from .modals import AskText, Confirm

if TYPE_CHECKING:
    from .session_form import SessionScreen


def checked(screen: SessionScreen) -> Draft | Refused:
    """The form as it stands, checked by the one session service (its episode too,
    for a new session). Shows nothing and changes nothing."""
    new = screen.record_id is None
    complaint, region = screen.form.new_episode() if new else ("", "")
    return sessions.check_form(
        screen.store,
        screen.collect_state(),
        patient_id=screen.patient_id,
        practitioner_id=screen.practitioner() or 0,
        now=screen.session_app.clock(),
        new=new,
        complaint=complaint,
        region=region,
        episode_id=screen.chosen_episode,
    )


def validated(screen: SessionScreen) -> Draft | None:
    """The form as a checked :class:`Draft`, or None after showing every problem."""
    form, sites = screen.form, screen.sites
    form.clear_errors()
    pending_problem = ""
    if sites.typed:
        if sites.editing is None:
            # A site typed but not yet added is meant to be saved with the rest.
            screen.add_site(sites.typed)
        if sites.typed:
            pending_problem = screen.query_one("#err-sites", ErrorLine).shown or (
                "A site is still being edited: Enter keeps it, Escape drops the change"
            )
    result = checked(screen)
    errors = result.problems if isinstance(result, Refused) else []
    if pending_problem:
        # The refused site explains the sites line better than "at least one site".
        errors = [e for e in errors if e.field != "sites"]
    if errors or pending_problem or not isinstance(result, Draft):
        screen.problems_shown = True  # from now on the lines follow the form (recheck)
        form.show_errors(errors)
        if pending_problem:
            form.set_error("sites", pending_problem)
        count = len(errors) + bool(pending_problem)
        screen.notify(
            f"Not saved: {count} problem{'s' if count > 1 else ''} to fix (shown in red)",
            severity="error",
            timeout=4,
        )
        return None
    return result


def recheck(screen: SessionScreen) -> None:
    """After a refused save the error lines follow the form as it is put right: a
    fixed field's line goes at once (it stayed until the next refused key). No line
    is added: new problems are said at the next save."""
    if not screen.problems_shown:
        return
    form, sites = screen.form, screen.sites
    shown = form.shown_errors()
    if sites.typed or sites.editing is not None:
        shown.discard("sites")  # a site being typed: its line speaks for it
    result = checked(screen)
    errors = result.problems if isinstance(result, Refused) else []
    refusal = amend_refusal(screen, result) if isinstance(result, Draft) else None
    if refusal is not None:
        errors = [refusal]
    elif screen.record_id is not None and not isinstance(result, Draft):
        # A move's refusal is told only of a form that reads whole: while another field
        # is wrong it is not known to be gone, and stays (review22 #6).
        shown.discard("episode")
    errors = [e for e in errors if slot(e.field) in shown]
    for gone in shown - {slot(e.field) for e in errors}:
        form.set_error(gone, "")
    form.show_errors(errors)


def amend_refusal(screen: SessionScreen, draft: Draft) -> ValidationError | None:
    """For a saved session, why its correction as the form holds it would be refused
    now (a move that leaves a follow-up out), before any reason is asked; else None."""
    actor = screen.session_app.practitioner_id
    if screen.record_id is None or actor is None:
        return None
    refusal = sessions.amend_refused(screen.store, screen.record_id, draft, actor, screen.version)
    if isinstance(refusal, FollowUpLeftOut):  # the form shows no record ids: said by times
        return ValidationError(refusal.field, refusal.in_words)
    return refusal


def save(screen: SessionScreen) -> None:
    """Ctrl+S: a new session saved, or a saved one amended once a reason is given."""
    draft = validated(screen)
    if draft is None:
        return
    actor = screen.session_app.practitioner_id
    store = screen.store
    if screen.record_id is None:
        save_new(screen, draft, actor)
        return
    if not screen.dirty:
        screen.notify("Nothing changed: there is nothing to amend.", timeout=3)
        return
    record_id, version = screen.record_id, screen.version
    refusal = amend_refusal(screen, draft)
    if refusal is not None:
        screen.problems_shown = True  # the line follows the form from now on (recheck)
        screen.form.show_errors([refusal])
        screen.notify("Not saved: 1 problem to fix (shown in red)", severity="error", timeout=4)
        return

    def amend(reason: str | None) -> None:
        if reason and actor is not None:
            show_done(screen, sessions.amend(store, record_id, draft, actor, reason, version))

    screen.app.push_screen(
        AskText(
            "Why is this session being corrected?",
            placeholder="e.g. wrong side recorded for GB21",
            required="A correction needs a reason: it is kept with the record",
        ),
        amend,
    )


def save_new(screen: SessionScreen, draft: Draft, actor: int | None) -> None:
    """A new session saved; one between an earlier session and its follow-ups (a
    forgotten one, entered late) only once the practitioner says so, asked naming each
    follow-up that then counts in no figure (the service's sentence)."""
    store = screen.store
    said = sessions.cut_off(store, draft)
    if said is None:
        show_done(screen, sessions.save(store, draft, actor))
        return

    def answer(go: bool | None) -> None:
        if go:
            show_done(screen, sessions.save(store, draft, actor, before_follow_ups=said))

    # Where the re-link is made: the app shows no record's id to type (review18 #2).
    one = len(sessions.cut_off_ids(store, draft)) == 1
    which = "that follow-up" if one else "one of those follow-ups"
    app = screen.app
    from .follow_ups import FollowUpsScreen
    from .home import HomeScreen

    lists = config.bound_key(app, HomeScreen, "home.follow_ups")
    correct = config.bound_key(app, FollowUpsScreen, "follow_ups.correct")
    relink = (
        f"If {which} is about this session, re-link it once saved: {lists} on Home lists the"
        f" patient's follow-ups; highlight it, press {correct} and choose this session under"
        " Follows."
    )
    screen.app.push_screen(
        Confirm(f"Save this session? {said}. {relink}", yes="Save it", no="Go back"), answer
    )


def void(screen: SessionScreen) -> None:
    """F8: a saved session voided once a reason is given (it stays in the record)."""
    if screen.record_id is None:
        screen.notify("Nothing to void: this session is not saved. Escape leaves it.", timeout=3)
        return
    actor, record_id = screen.session_app.practitioner_id, screen.record_id

    def voided(reason: str | None) -> None:
        if reason and actor is not None:
            screen.snapshot = screen.fingerprint()
            show_done(screen, sessions.void(screen.store, record_id, actor, reason))

    from ...services.scales import readings_words, taken_with

    along = readings_words(taken_with(screen.store, screen.patient_id, session_record_id=record_id))
    screen.app.push_screen(
        AskText(
            f"Void this session{f' and {along}' if along else ''}? It stays in the record,"
            " marked void. Why?",
            placeholder="e.g. recorded for the wrong patient",
            required="Voiding needs a reason: it is kept with the record",
        ),
        voided,
    )


def show_done(screen: SessionScreen, result: Done | Refused) -> None:
    """Show what the session service did: saved (the form closes) or why not (what
    was typed stays in the form)."""
    if isinstance(result, Refused):
        if result.problems:
            screen.form.show_errors(result.problems)
            screen.notify(plain(f"Not saved: {result.error}"), severity="error")  # type: ignore[arg-type]  # a Text: user text shown as text, never markup
        else:
            screen.notify(not_saved(result.error), severity="error", timeout=8)  # type: ignore[arg-type]
        return
    screen.notify(result.message, timeout=3)
    screen.snapshot = screen.fingerprint()
    screen.dismiss(result.record_id)
