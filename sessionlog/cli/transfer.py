"""``sessionlog export`` and ``sessionlog import``: data that can leave and come back."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import Context, pass_ctx, user_errors

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
@click.option(
    "--practitioner",
    "practitioner_ref",
    default=None,
    help="Who is exporting (id or name), for the audit log.",
)
@pass_ctx
@user_errors
def export_command(
    ctx: Context, fmt: str, output: Path | None, practitioner_ref: str | None
) -> None:
    """Export the whole database (every version, every follow-up, the audit log).

    The formats are described in the README (Export and import). Every export is
    written to the audit log.
    """
    from ..exchange import export
    from .trust import acting_practitioner

    store = ctx.store()
    result = export(store, fmt, output, actor_id=acting_practitioner(store, practitioner_ref))
    if output is not None:
        total = sum(result.counts.values())
        click.echo(
            f"Exported {total:,} {'resources' if fmt == 'fhir' else 'rows'}"
            f" as {fmt} to {result.destination}.",
            err=True,
        )


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path, exists=True))
@click.option(
    "--practitioner",
    "practitioner_ref",
    default=None,
    help="Who is importing (id or name), for the audit log.",
)
@pass_ctx
@user_errors
def import_command(ctx: Context, file: Path, practitioner_ref: str | None) -> None:
    """Import an export (JSON file, CSV .zip or folder): every row is checked first,
    then all of it is saved in one transaction, or nothing.

    Sessions already in the database (same uid, same content) are skipped; a file that
    would overwrite anything is refused.
    """
    from ..exchange.importer import import_tables, read_source, work_units
    from .trust import acting_practitioner

    tables, csv = read_source(file)  # a file that is not an export is refused first
    store = ctx.store()
    actor = acting_practitioner(store, practitioner_ref)
    total = work_units(tables)
    if total < 2 * BIG:
        report = import_tables(tables, store, csv=csv, actor_id=actor, source=file.name)
    else:
        with click.progressbar(length=total, label="Importing", file=sys.stderr) as bar:
            report = import_tables(
                tables, store, csv=csv, actor_id=actor, source=file.name, progress=bar.update
            )
    click.echo(report.summary())
    if any(report.added.values()):
        _prepare_outcomes(store, big=total >= 2 * BIG)


def _prepare_outcomes(store: Store, *, big: bool) -> None:
    """Compute the outcome figures of what came in now, while the user is waiting for
    the import anyway, so the first comparison afterwards opens at once. The import
    is already saved: if this fails, the figures are computed on first use instead."""
    from ..errors import DatabaseError
    from ..store import outcome_cache

    try:
        if big:
            with click.progressbar(
                length=outcome_cache.STEPS, label="Preparing outcome figures", file=sys.stderr
            ) as bar:
                outcome_cache.refresh(store, progress=bar.update)
        else:
            outcome_cache.refresh(store)
    except DatabaseError as exc:
        click.echo(
            f"Note: {exc}; the outcome figures will be computed when they are first shown.",
            err=True,
        )
