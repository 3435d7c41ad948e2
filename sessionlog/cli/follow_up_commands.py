"""Commands that list, correct or void saved follow-ups: `follow-ups`, `follow-up-amend`,
`follow-up-void`.

Both take the id `follow-up` printed ("follow-up 3 saved...") and go through the one
service the app's list of follow-ups uses (:mod:`sessionlog.services.follow_ups`): the
same checks as recording one, a new row that supersedes it, the original kept with
who corrected it and why. A refusal is one line naming the field
(:func:`.common.user_errors`). Who may correct is who may correct a session: any
practitioner signed in by their secret (`amend`, `void`).
"""

from __future__ import annotations

import click

from ..errors import ValidationError
from ..services.lookup import find_patient
from .common import Context, echo_json, pass_ctx, table, user_errors
from .identify import identify, identity_option


def _follow_up_id(ref: str) -> int:
    from ..domain.validate import as_int

    return as_int("follow_up", ref, 1)  # never past SQLite's largest integer


@click.command("follow-up-amend")
@click.argument("follow_up_ref", metavar="FOLLOW_UP")
@click.option("--reason", required=True, help="Why it is corrected (kept with the record).")
@click.option("--pain", default=None, help="0-10.")
@click.option("--soreness", default=None, help="0-10 ('' clears it).")
@click.option("--groc", default=None, help="Global rating of change, -7..+7 ('' clears it).")
@click.option("--at", default=None, help="When (YYYY-MM-DD HH:MM).")
@click.option("--session", "session_ref", default=None, help="The session it follows.")
@click.option("--notes", default=None, help="Replaces the notes.")
@identity_option()
@pass_ctx
@user_errors
def amend_follow_up(
    ctx: Context,
    follow_up_ref: str,
    reason: str,
    pain: str | None,
    soreness: str | None,
    groc: str | None,
    at: str | None,
    session_ref: str | None,
    notes: str | None,
    practitioner_ref: str | None,
) -> None:
    """Correct saved follow-up FOLLOW_UP (the id `follow-up` printed): a new follow-up
    with the flags given changed, checked as a new one is; the one before is kept, with
    who corrected it and why. Prints the new follow-up's id."""
    from ..services import follow_ups
    from ..services.sessions import or_raise

    given = {"pain": pain, "soreness": soreness, "groc": groc, "at": at,
             "session_record_id": session_ref, "notes": notes}  # fmt: skip
    changes = {k: v for k, v in given.items() if v is not None}
    if not changes:
        raise ValidationError("amend", "name what to correct: --pain 3, --at ... (see --help)")
    store = ctx.store()
    actor = identify(store, practitioner_ref)
    fid = _follow_up_id(follow_up_ref)
    done = or_raise(follow_ups.correct(store, fid, changes, actor, reason, now=store.clock()))
    store.log_access(actor, done.follow_up.patient_id, "record")  # read to correct it
    click.echo(f"follow-up {fid} amended: now follow-up {done.follow_up_id}")


@click.command("follow-up-void")
@click.argument("follow_up_ref", metavar="FOLLOW_UP")
@click.option("--reason", required=True, help="Why it is withdrawn (kept with the record).")
@identity_option()
@pass_ctx
@user_errors
def void_follow_up(
    ctx: Context, follow_up_ref: str, reason: str, practitioner_ref: str | None
) -> None:
    """Void follow-up FOLLOW_UP, recorded in error (the wrong patient, twice): it counts
    nowhere after, and stays in the record, with who voided it and why."""
    from ..services import follow_ups
    from ..services.sessions import or_raise

    store = ctx.store()
    actor = identify(store, practitioner_ref)
    fid = _follow_up_id(follow_up_ref)
    or_raise(follow_ups.void(store, fid, actor, reason))
    click.echo(f"follow-up {fid} voided")


@click.command("follow-ups")
@click.option("--patient", "patient_ref", required=True, help="Chart id (or id).")
@click.option("--json", "as_json", is_flag=True, help="Every field of each, as JSON.")
@identity_option()
@pass_ctx
@user_errors
def list_follow_ups(
    ctx: Context, patient_ref: str, as_json: bool, practitioner_ref: str | None
) -> None:
    """List a patient's follow-ups, oldest first (the current version of each, by the id
    `follow-up-amend` and `follow-up-void` take; voided ones left out)."""
    store = ctx.store()
    actor = identify(store, practitioner_ref)
    pid = find_patient(store, patient_ref)["id"]
    rows = store.follow_ups(pid)
    store.log_access(actor, pid, "record")
    if as_json:
        echo_json(rows)
        return
    shown = [{**r, "at": r["at"][:16], "notes": r["notes"].partition("\n")[0]} for r in rows]
    table(
        shown,
        [
            ("id", "FOLLOW-UP"),
            ("at", "WHEN"),
            ("session_record_id", "SESSION"),
            ("pain", "PAIN"),
            ("soreness", "SORENESS"),
            ("groc", "GROC"),
            ("notes", "NOTES"),
        ],
    )


COMMANDS: list[click.Command] = [list_follow_ups, amend_follow_up, void_follow_up]
