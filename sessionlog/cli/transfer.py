"""``sessionlog export`` and ``sessionlog import``: data that can leave and come back."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .common import Context, pass_ctx, user_errors
from .identify import identify, identify_unless_empty, identity_option, secret_for

if TYPE_CHECKING:
    from ..store import Store

BIG = 5_000  # rows from which import shows a progress bar


@click.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv", "fhir"]),
    default="json",
    show_default=True,
    help="json: the complete record; csv: one file per table;"
    " fhir: an R4 Bundle of the current records.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="File to write (csv: a .zip file or a new folder). json/fhir: default stdout.",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@identity_option()
@pass_ctx
@user_errors
def export_command(
    ctx: Context, fmt: str, output: Path | None, force: bool, practitioner_ref: str | None
) -> None:
    """Export the whole database (every version, every follow-up, the audit log).

    The formats are described in the README (Export and import). Every export is
    written to the audit log.
    """
    from ..exchange import export

    store = ctx.store()
    result = export(store, fmt, output, actor_id=identify(store, practitioner_ref), force=force)
    if output is not None:
        total = sum(result.counts.values())
        click.echo(
            f"Exported {total:,} {'resources' if fmt == 'fhir' else 'rows'}"
            f" as {fmt} to {result.destination}.",
            err=True,
        )


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path, exists=True))
@identity_option()
@pass_ctx
@user_errors
def import_command(ctx: Context, file: Path, practitioner_ref: str | None) -> None:
    """Import an export (JSON file, CSV .zip or folder): every row is checked first,
    then all of it is saved in one transaction, or nothing.

    Sessions already in the database (same uid, same content) are skipped; a file that
    would overwrite anything is refused.
    """
    from ..exchange.importer import read_source, work_units

    tables, csv = read_source(file)  # a file that is not an export is refused first
    new = not ctx.path.expanduser().exists()
    total = work_units(tables)  # before the import, which lets go of the rows
    store = ctx.store()
    try:
        actor = identify_unless_empty(store, practitioner_ref)
        # It may name other practitioners (who sign in without a secret of their own
        # until an admin gives one) and records under their names.
        from ..services.auth import require_admin_to

        require_admin_to(store, actor, "import", "imports records")
        admin = _new_admin(store, tables, practitioner_ref) if actor is None else None
        # The admin's secret is written in the import's own transaction (``then``).
        made: list[Any] = []
        then = None if admin is None else partial(_make_admin, made, store, *admin)
        report = _run_import(tables, total, store, csv=csv, actor=actor, source=file, then=then)
    except BaseException:
        if new:  # a refused import into a new path leaves no empty database behind
            _remove_new_database(ctx)
        raise
    click.echo(report.summary())
    if made:
        click.echo(made[0].summary())
    if any(report.added.values()):
        _prepare_outcomes(store, big=total >= 2 * BIG)


def _new_admin(store: Store, tables: Any, ref: str | None) -> tuple[Any, str] | None:
    """Into a database with nobody yet: the file's practitioner who becomes its admin,
    and their secret (checked before anything is written). None when the database has
    an admin already."""
    from ..services.import_admin import check_admin_secret, choose_admin

    if store.has_admin():
        return None
    admin = choose_admin(tables, ref)
    if admin is None:  # the file names nobody
        return None
    secret = secret_for(admin.name, new=True)
    check_admin_secret(secret)
    return admin, secret


def _make_admin(
    made: list[Any], store: Store, admin: Any, secret: str, logged: Mapping[int, str] | None
) -> None:
    """The new database's admin, inside the import's transaction (``made``: who it was)."""
    from ..services.import_admin import make_admin

    made.append(make_admin(store, admin, secret, logged))


def _run_import(
    tables: Any,
    total: int,
    store: Store,
    *,
    csv: bool,
    actor: int | None,
    source: Path,
    then: Callable[[Mapping[int, str] | None], object] | None,
) -> Any:
    from ..exchange.importer import import_tables

    if total < 2 * BIG:
        return import_tables(tables, store, csv=csv, actor_id=actor, source=source.name, then=then)
    with click.progressbar(length=total, label="Importing", file=sys.stderr) as bar:
        return import_tables(
            tables,
            store,
            csv=csv,
            actor_id=actor,
            source=source.name,
            progress=bar.update,
            then=then,
        )


def _remove_new_database(ctx: Context) -> None:
    """Close and delete the database this import created (it holds no record: the
    import is one transaction, and it was refused)."""
    ctx.store().close()
    path = ctx.path.expanduser()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _prepare_outcomes(store: Store, *, big: bool) -> None:
    """Compute the outcome figures of what came in now, while the user is waiting for
    the import anyway, so the first comparison afterwards opens at once. The import
    is already saved: if this fails, the figures are computed on first use instead."""
    from ..errors import DatabaseError
    from ..services.reports import OUTCOME_STEPS, refresh_outcomes

    try:
        if big:
            with click.progressbar(
                length=OUTCOME_STEPS, label="Preparing outcome figures", file=sys.stderr
            ) as bar:
                refresh_outcomes(store, progress=bar.update)
        else:
            refresh_outcomes(store)
    except DatabaseError as exc:
        click.echo(
            f"Note: {exc}; the outcome figures will be computed when they are first shown.",
            err=True,
        )
