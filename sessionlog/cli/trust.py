"""Commands that keep the record trustworthy: audit verify, backup, restore, check,
and (from ``transfer.py``) export and import."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import click

from ..errors import ValidationError
from .common import Context, fail, pass_ctx, user_errors
from .identify import SecretOnce, identify, identity_option
from .transfer import export_command, import_command


def ask_passphrase(path: Path) -> None:
    """Ask for the database passphrase (twice for a new database) and use it for every
    connection of this process (``$SESSIONLOG_PASSPHRASE``; see store/file/cipher.py)."""
    from ..store import PASSPHRASE_ENV as ENV

    new = not path.expanduser().exists()
    what = "a passphrase for the new encrypted database" if new else "the database passphrase"
    secret = click.prompt(what.capitalize(), hide_input=True, confirmation_prompt=new)
    if not secret:
        fail("the passphrase is empty")
    os.environ[ENV] = secret


def read_passphrase(fd: int) -> None:
    """Take the passphrase from an inherited pipe (``serve`` gives it so, never in the
    environment), for this process only."""
    from ..store import use_passphrase

    try:
        with os.fdopen(fd, "r", encoding="utf-8") as pipe:
            use_passphrase(pipe.read())
    except OSError as exc:
        fail(f"--passphrase-fd {fd}: {exc.strerror or exc}")


@click.group()
def audit() -> None:
    """The hash-chained audit log of every change and export."""


@audit.command("verify")
@pass_ctx
@user_errors
def audit_verify(ctx: Context) -> None:
    """Check the audit chain; report the first broken link (exit status 1 if any)."""
    from ..store import verify_history

    if ctx.db_path != ":memory:" and not ctx.path.expanduser().exists():
        fail(f"there is no database at {ctx.path} (check --db or $SESSIONLOG_DB)")
    checked = verify_history(ctx.store())
    if checked.ok:
        click.echo(
            f"The audit log is intact: {checked.rows:,} rows, every link verified;"
            " every record row matches its seal."
        )
        return
    lines = checked.problems
    click.echo(f"error: {lines[0]}", err=True)
    for line in lines[1:]:
        click.echo(f"- {line}", err=True)
    sys.exit(1)


@audit.command("access")
@click.option("--patient", "patient_ref", required=True, help="Chart id (or id) of the patient.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@identity_option()
@pass_ctx
@user_errors
def audit_access(
    ctx: Context, patient_ref: str, as_json: bool, practitioner_ref: str | None
) -> None:
    """Who looked at a patient: views in the app, reports, exports, backups (oldest first)."""
    from dataclasses import asdict

    from ..services.lookup import find_patient
    from .common import echo_json, table

    store = ctx.store()
    identify(store, practitioner_ref)
    patient = find_patient(store, patient_ref)
    rows = [asdict(r) for r in store.patient_access(patient["id"])]
    if as_json:
        echo_json(rows)
        return
    who = f"{patient['chart_id']} ({patient['name']})"
    if not rows:
        click.echo(f"Nobody has looked at {who} through sessionlog.")
        return
    click.echo(f"Who looked at {who}:")
    for row in rows:
        row["practitioner"] = row["practitioner"] or "(not identified)"
    table(rows, [("at", "WHEN"), ("practitioner", "WHO"), ("action", "ACTION"), ("what", "WHAT")])


# Why a backup is an admin's (see the README's "Backup and restore"): it is the whole
# file, the practitioners' secret hashes and salts included, which a practitioner could
# try PINs against offline (a 6-digit PIN in about 21 CPU-hours) and sign in as the admin.
_WHY_ADMIN = (
    ": a backup carries every practitioner's secret hash; `sessionlog export` gives the"
    " records without them"
)


@click.command()
@click.argument("dest", type=click.Path())  # a str: "backups/" keeps its slash (a folder)
@click.option("--force", is_flag=True, help="Replace DEST if it already exists.")
@identity_option()
@pass_ctx
@user_errors
def backup(ctx: Context, dest: str, force: bool, practitioner_ref: str | None) -> None:
    """Back up the database to DEST (a file, or a folder for a dated file name).

    The copy is a consistent snapshot even while others keep working; it is checked
    (integrity_check) before it takes its name.
    """
    from ..services.auth import require_admin_to
    from ..store import backup as run_backup

    store = ctx.store()
    actor = identify(store, practitioner_ref)
    require_admin_to(store, actor, "backup", "backs up the database", where="", why=_WHY_ADMIN)
    result = run_backup(store, dest, actor_id=actor, force=force)
    click.echo(
        f"Backed up {result.sessions:,} sessions to {result.path}"
        f" ({result.size / 1_048_576:.1f} MB, checked; SHA-256 {result.sha256[:16]}...)."
    )
    click.echo(
        f"It carries the audit chain up to {result.chain_head}: `sessionlog check --against"
        f" {result.path}` proves later that the database's chain still extends it."
    )
    if result.warning:
        click.echo(f"warning: {result.warning}", err=True)


@click.command()
@click.argument("src", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace the current database without asking.")
@identity_option()
@pass_ctx
@user_errors
def restore(ctx: Context, src: Path, force: bool, practitioner_ref: str | None) -> None:
    """Replace the database by the backup SRC (after checking SRC is sound).

    Who restores proves it with their secret as the backup holds it (the current
    database may be the damaged one), and, where the current database can be read and
    has an admin, as it holds it too: asked once (again only when the backup holds an
    older one). The current database is kept beside it as
    DB.before-restore-TIME. Close sessionlog on every other workstation first.
    """
    from ..store import check, check_backup, not_utf8_where, refuse_plain_over_encrypted, restorable
    from ..store import restore as run_restore

    target = ctx.path
    refuse_plain_over_encrypted(src, target)
    backup_health = check_backup(src)
    if not restorable(backup_health):
        raise ValidationError(
            "source",
            f"{src} cannot be restored: "
            + " ".join(backup_health.problems)
            + " Nothing was changed.",
        )
    if target.exists() and not force:
        current = check(target)
        what = f"{current.sessions:,} sessions" if current.ok else "damaged or unreadable"
        question = (
            f"Replace the database at {target} ({what}) with {src}"
            f" ({backup_health.sessions:,} sessions)? The current one is kept as a copy."
        )
        if backup_health.only_not_utf8:
            question += (
                " (Its text is not valid UTF-8 in"
                f" {not_utf8_where(backup_health)}: restored as it is.)"
            )
        if not sys.stdin.isatty():
            fail(
                f"{target} exists: refusing to replace it without asking."
                " Run in a terminal to confirm, or add --force."
            )
        if not click.confirm(question, default=False):
            fail("nothing was changed")
    secret = SecretOnce()  # one secret for the backup and the clinic's database
    actor = _who_restores(src, target, practitioner_ref, secret)
    _admin_restores(ctx, src, actor, practitioner_ref, secret)
    result = run_restore(src, target, clock=ctx.clock(), actor_id=actor)
    kept = f" The previous database is kept at {result.previous}." if result.previous else ""
    if result.previous and result.previous.name.endswith("-wal"):
        kept = f" The -wal found without its database is kept at {result.previous}."
    click.echo(f"Restored {result.sessions:,} sessions into {result.path}.{kept}")
    if result.warning:
        click.echo(f"warning: {result.warning}", err=True)


def _who_restores(src: Path, target: Path, ref: str | None, secret: SecretOnce) -> int:
    """Who restores, proved by the secret the backup holds. A secret typed at a terminal
    that the backup does not hold but the clinic's database does (changed since the
    backup) is asked for again, naming the backup; otherwise its refusal stands."""
    from ..services.auth import AuthError

    try:
        return secret.proved_in(src, ref)
    except AuthError as refused:
        if not secret.asked or not _has_admin(target):
            raise
        try:
            secret.proved_in(target, ref, again=False)
        except AuthError:
            raise refused from None  # held by neither: the backup's refusal
    return secret.proved_in(src, ref)


def _admin_restores(
    ctx: Context, src: Path, actor: int, ref: str | None, secret: SecretOnce
) -> None:
    """Refuse a restore to anyone but an admin: it replaces every practitioner's records.
    The clinic's own database says who its admins are whenever it can be read and has
    one (who restores then proves their secret there too: a file anyone can make must
    not vouch for itself); only a database that cannot be read, or has no admin, leaves
    it to the backup. The refusal is recorded in the live database when it opens and
    names the same practitioner (it may be the damaged one: then the line printed is
    all)."""
    from ..services.auth import require_admin_in_file

    what = "restores a backup over the clinic's database"
    try:
        if _has_admin(ctx.path):
            here = secret.proved_in(ctx.path, ref)
            require_admin_in_file(ctx.path, here, "restore", what)
        else:
            require_admin_in_file(src, actor, "restore", what)
    except ValidationError:
        _note_refusal(ctx, src, actor)
        raise


def _has_admin(path: Path) -> bool:
    """Whether the database file at ``path`` can be read and names an admin."""
    from ..errors import SessionlogError
    from ..store import sign_ins_in_file

    if not path.expanduser().is_file():
        return False
    try:
        return any(name.role == "admin" for name, _ in sign_ins_in_file(path))
    except (SessionlogError, sqlite3.DatabaseError, OSError):
        return False  # damaged or unreadable: the backup's admin restores


def _note_refusal(ctx: Context, src: Path, actor: int) -> None:
    from ..errors import SessionlogError
    from ..store import sign_ins_in_file

    if not ctx.path.expanduser().is_file():
        return  # nothing to record it in (and no database is made for it)
    named = {n.practitioner_id: n.name for n, _ in sign_ins_in_file(src)}
    try:
        store = ctx.store()
        here = store.practitioner(actor)
    except (SessionlogError, sqlite3.DatabaseError):
        return
    invocation = click.get_current_context(silent=True)
    if here is not None and here["name"] == named.get(actor) and invocation is not None:
        ctx.signed_in(actor, invocation)  # its refusal is then recorded (Context.refused)


@click.command("check")
@click.option(
    "--against",
    "against_path",
    type=click.Path(path_type=Path, exists=True),
    default=None,
    help="A backup or export: prove today's audit chain extends the one it was taken at.",
)
@pass_ctx
@user_errors
def check_command(ctx: Context, against_path: Path | None) -> None:
    """Check the database file (integrity, links, audit chain, every record row against
    its seal, the append-only triggers) and say what is wrong."""
    from ..store import check

    health = check(ctx.path)
    click.echo(health.summary())
    extends = True
    if against_path is not None and (health.ok or health.tampered):
        from ..exchange.chainheads import against
        from ..store import open_readonly

        conn = open_readonly(ctx.path.expanduser())
        try:
            comparison = against(conn, against_path)
        finally:
            conn.close()
        click.echo(comparison.text)
        extends = comparison.extends
    if not health.ok or not extends:
        sys.exit(1)


COMMANDS: list[click.Command] = [
    audit,
    backup,
    restore,
    check_command,
    export_command,
    import_command,
]
