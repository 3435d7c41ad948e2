"""Commands for outcome scales and follow-ups that get done: ``scale record``,
``scale list``, ``scale catalogue``, ``due`` and ``contact``."""

from __future__ import annotations

import csv
import sys
from typing import TYPE_CHECKING, Any

import click

from ..errors import ValidationError
from ..services.lookup import find_patient
from .common import Context, echo_json, pass_ctx, table, user_errors
from .identify import identify, identity_option

if TYPE_CHECKING:
    from ..analysis.scale_compare import ScaleGroup

_TEXT_COLUMNS = {"name", "contact", "label", "missed", "chart_id"}


def safe_cell(column: str, value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula (OWASP CSV injection), by the
    export's own rule (:func:`sessionlog.exchange.csvfiles.neutralise`) on text columns."""
    from ..exchange.csvfiles import neutralise

    text = "" if value is None else str(value)
    return neutralise(text) if column in _TEXT_COLUMNS else text


@click.group("scale")
def scale() -> None:
    """Outcome scales beyond pain (NDI, ODI, PSFS, QuickDASH, PGIC, GROC)."""


@scale.command("record")
@click.option("--patient", "patient_ref", required=True, help="Chart id (or id).")
@click.option("--scale", "code", required=True, help="NDI, ODI, PSFS, QuickDASH, PGIC, GROC...")
@click.option("--items", default=None, help="Answers in order, e.g. 3,2,1,0,4,2,1,3,2,- (- blank).")
@click.option("--total", default=None, help="The total, when the form was scored by hand.")
@click.option("--activity", "activities", multiple=True, help="PSFS: an activity's name, in order.")
@click.option("--at", default=None, help="When (YYYY-MM-DD HH:MM); default now.")
@click.option(
    "--session",
    "session_ref",
    default=None,
    help="The session it was taken at or follows (default: the latest before --at).",
)
@click.option("--follow-up", "follow_up_ref", default=None, help="The follow-up it belongs to.")
@click.option("--by-patient", is_flag=True, help="The patient entered the answers themselves.")
@identity_option()
@pass_ctx
@user_errors
def scale_record(
    ctx: Context, patient_ref: str, code: str, items: str | None, total: str | None,
    activities: tuple[str, ...], at: str | None, session_ref: str | None,
    follow_up_ref: str | None, by_patient: bool, practitioner_ref: str | None,
) -> None:  # fmt: skip
    """Record a scale's answers (or its total): scored and checked, then saved."""
    from ..domain.fields import as_datetime, as_int
    from ..domain.scales import find_scale, format_score
    from ..services.scales import record_scale

    store = ctx.store()
    patient = find_patient(store, patient_ref)
    done = record_scale(
        store,
        patient_id=patient["id"],
        scale=code,
        actor_id=identify(store, practitioner_ref),
        items=items,
        total=total,
        labels=activities,
        at=as_datetime("at", at or store.clock(), now=store.clock()),
        session_record_id=as_int("session", session_ref, 1) if session_ref else None,
        follow_up_id=as_int("follow_up", follow_up_ref, 1) if follow_up_ref else None,
        entered_by="patient" if by_patient else "practitioner",
    )
    s, r = find_scale(done.reading.scale), done.reading
    click.echo(
        f"{s.code} {format_score(s, r.score)} saved (reading {done.reading_id},"
        f" session {r.session_record_id})"
    )
    for note in done.notes:
        click.echo(f"note: {note}")


def _reading_id(ref: str) -> int:
    from ..domain.validate import as_int

    return as_int("reading", ref, 1)  # never past SQLite's largest integer


@scale.command("amend")
@click.argument("reading_ref", metavar="READING")
@click.option("--reason", required=True, help="Why it is corrected (kept with the record).")
@click.option("--items", default=None, help="The answers, in order (- blank).")
@click.option("--total", default=None, help="The total, when the form was scored by hand.")
@click.option("--activity", "activities", multiple=True, help="PSFS: every activity, in order.")
@click.option("--at", default=None, help="When (YYYY-MM-DD HH:MM).")
@identity_option()
@pass_ctx
@user_errors
def scale_amend(
    ctx: Context, reading_ref: str, reason: str, items: str | None, total: str | None,
    activities: tuple[str, ...], at: str | None, practitioner_ref: str | None,
) -> None:  # fmt: skip
    """Correct scale reading READING (the id `scale record` printed, `scale list` shows):
    a new reading with the flags given changed, checked as a new one is; the one before
    is kept, with who corrected it and why. Prints the new reading's id."""
    from ..domain.fields import as_datetime
    from ..services.scales import correct_reading

    if items is None and total is None and not activities and at is None:
        raise ValidationError(
            "amend", "name what to correct: --items, --total, --activity or --at (see --help)"
        )
    store = ctx.store()
    actor = identify(store, practitioner_ref)
    rid = _reading_id(reading_ref)
    done = correct_reading(
        store, rid, actor, reason, items=items, total=total, labels=activities or None,
        at=None if at is None else as_datetime("at", at, now=store.clock()),
    )  # fmt: skip
    store.log_access(actor, done.reading.patient_id, "record")  # read to correct it
    click.echo(done.message)


@scale.command("void")
@click.argument("reading_ref", metavar="READING")
@click.option("--reason", required=True, help="Why it is withdrawn (kept with the record).")
@identity_option()
@pass_ctx
@user_errors
def scale_void(ctx: Context, reading_ref: str, reason: str, practitioner_ref: str | None) -> None:
    """Void scale reading READING, recorded in error (the wrong patient, twice): it
    counts nowhere after, and stays in the record, with who voided it and why."""
    from ..services.scales import void_reading

    store = ctx.store()
    actor = identify(store, practitioner_ref)
    rid = _reading_id(reading_ref)
    click.echo(void_reading(store, rid, actor, reason).message)


@scale.command("list")
@click.option("--patient", "patient_ref", required=True, help="Chart id (or id).")
@click.option("--json", "as_json", is_flag=True, help="Print the readings as JSON.")
@identity_option()
@pass_ctx
@user_errors
def scale_list(ctx: Context, patient_ref: str, as_json: bool, practitioner_ref: str | None) -> None:
    """A patient's scale readings, oldest first, with GROC from their follow-ups."""
    from dataclasses import asdict

    from ..domain.scales import find_scale, format_score

    store = ctx.store()
    actor = identify(store, practitioner_ref)
    patient = find_patient(store, patient_ref)
    rows = store.scale_readings(patient["id"])
    store.log_access(actor, patient["id"], "scales", action="view")
    if as_json:
        echo_json([{**asdict(r), "items": r.items and list(r.items)} for r in rows])
        return
    shown = []
    for r in rows:
        s = find_scale(r.scale)
        shown.append({
            "id": r.id, "at": r.at, "scale": r.scale, "score": format_score(s, r.score),
            "items": "" if r.items is None else ",".join("-" if v is None else str(v)
                                                          for v in r.items),
            "by": r.entered_by, "session": r.session_record_id,
        })  # fmt: skip
    table(shown, [("id", "ID"), ("at", "WHEN"), ("scale", "SCALE"), ("score", "SCORE"),
                  ("items", "ANSWERS"), ("by", "ENTERED BY"), ("session", "SESSION")])  # fmt: skip


@scale.command("catalogue")
@click.option("--json", "as_json", is_flag=True, help="Print every field as JSON.")
@user_errors
def scale_catalogue(as_json: bool) -> None:
    """The scales this clinic scores, with their MCID and its source."""
    from dataclasses import asdict

    from ..domain.scales import catalogue

    scales = list(catalogue().values())
    if as_json:
        echo_json([asdict(s) for s in scales])
        return
    for s in scales:
        better = "higher is better" if s.higher_is_better else "lower is better"
        click.echo(f"{s.code}: {s.name}; {s.items} item(s) {s.item_min}-{s.item_max}; {better}")
        if s.mcid is not None:
            click.echo(f"  important change: {s.mcid_words} ({s.mcid_source})")
        if s.responder_source:
            click.echo(f"  responder: {s.responder_source}")


@scale.command("compare")
@click.option("--json", "as_json", is_flag=True, help="Print every figure as JSON.")
@identity_option()
@pass_ctx
@user_errors
def scale_compare(ctx: Context, as_json: bool, practitioner_ref: str | None) -> None:
    """Change on each scale by technique and window: patients, 95% interval, MCID share."""
    from ..analysis.scale_compare import compare_scales

    store = ctx.store()
    identify(store, practitioner_ref)
    groups = compare_scales(store.scale_facts())
    if as_json:
        echo_json(scale_groups_json(groups))
        return
    print_scale_groups(groups)


def scale_groups_json(groups: list[ScaleGroup]) -> list[dict[str, object]]:
    """The scale comparison as JSON (``scale compare`` and ``compare``)."""
    from dataclasses import asdict

    return [
        {**asdict(g), "scale": g.scale.code,
         "cells": [{**asdict(c), "note": c.note} for c in g.cells]}
        for g in groups
    ]  # fmt: skip


def print_scale_groups(groups: list[ScaleGroup]) -> None:
    """The scale comparison as a table with its note (``scale compare`` and ``compare``)."""
    from ..analysis.model import group_label
    from ..services.scales import cell_text

    if not groups:
        click.echo("No scale readings yet.")
        return
    rows = []
    for g in groups:
        for c in g.cells:
            if not c.patients:
                continue
            change, share = cell_text(c, g.scale)
            rows.append({
                "scale": g.scale.code, "group": group_label(g.family), "window": c.label,
                "patients": f"{c.patients} of {g.baseline_patients}",
                "change": change,
                "reached": share,
            })  # fmt: skip
    table(rows, [("scale", "SCALE"), ("group", "TECHNIQUE"), ("window", "SINCE FIRST SESSION"),
                 ("patients", "PATIENTS"), ("change", "BETTER BY (95% CI)"),
                 ("reached", "REACHED MCID (95% CI)")])  # fmt: skip
    click.echo("")
    click.echo(
        "One value per patient per window (their latest reading there); change is"
        " improvement from their first reading, in the scale's points; for PGIC and"
        " GROC the mean answer and the share of responders. Descriptive, not causal."
    )


@click.command("due")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the list as CSV.")
@click.option(
    "--checks",
    default=None,
    help="Checks after a session for this listing only (e.g. 24h-72h,1w,4w,12w);"
    " the clinic's own windows otherwise.",
)
@click.option(
    "--set-checks",
    default=None,
    help="Keep these as the clinic's due windows (admin), e.g. 24h-72h,1w,4w,12w.",
)
@identity_option()
@pass_ctx
@user_errors
def due(
    ctx: Context,
    as_json: bool,
    as_csv: bool,
    checks: str | None,
    set_checks: str | None,
    practitioner_ref: str | None,
) -> None:
    """Patients whose next reading is due by the clinic's windows, overdue first, with
    their contact note."""
    from ..analysis.due import due_list, parse_checks
    from ..services.due import clinic_checks, describe, set_clinic_checks

    store = ctx.store()
    actor = identify(store, practitioner_ref)
    if set_checks is not None:
        kept = set_clinic_checks(store, set_checks, actor)
        click.echo(f"The clinic's due windows are now: {describe(kept)}")
    windows = parse_checks(checks) if checks else clinic_checks(store)
    items = due_list(store.last_visits(), store.clock(), windows)
    rows = [d.as_dict() for d in items]
    if as_json:
        echo_json(rows)
        return
    if as_csv:
        columns = ["status", "chart_id", "name", "contact", "label", "due_at", "days_late",
                   "session_at", "session_record_id", "missed"]  # fmt: skip
        out = csv.writer(sys.stdout, lineterminator="\n")
        out.writerow(columns)
        for r in rows:
            r["missed"] = "; ".join(r["missed"])  # type: ignore[arg-type]
            out.writerow([safe_cell(c, r[c]) for c in columns])
        return
    if not rows:
        click.echo("Nobody is due for a reading.")
        return
    table(rows, [("status", "STATUS"), ("chart_id", "CHART"), ("name", "NAME"),
                 ("label", "CHECK"), ("due_at", "DUE SINCE"), ("contact", "CONTACT")])  # fmt: skip


@click.command("contact")
@click.option("--patient", "patient_ref", required=True, help="Chart id (or id).")
@click.option("--note", required=True, help="Phone or how to reach them ('' clears it).")
@identity_option()
@pass_ctx
@user_errors
def contact(ctx: Context, patient_ref: str, note: str, practitioner_ref: str | None) -> None:
    """Record how to reach a patient for their follow-ups (shown on the due list)."""
    store = ctx.store()
    patient = find_patient(store, patient_ref)
    store.set_contact(patient["id"], note, identify(store, practitioner_ref))
    click.echo(f"contact {'saved' if note.strip() else 'cleared'} for {patient['chart_id']}")


def scale_json(c: Any) -> dict[str, Any]:
    """One scale course for ``report --json``: readings, change, MCID reached."""
    return {
        "scale": c.scale.code, "name": c.scale.name, "direction": c.scale.direction,
        "mcid": c.scale.mcid, "mcid_source": c.scale.mcid_source,
        "readings": [{"at": p.at.isoformat(sep=" "), "score": p.score,
                      "entered_by": p.entered_by} for p in c.points],
        "improvement": c.improvement, "important": c.important,
    }  # fmt: skip


def write_report(
    ctx: Context,
    patient_ref: str,
    output: str | None,
    practitioner_ref: str | None,
    *,
    force: bool = False,
) -> None:
    """``report --format html -o FILE``: the patient's take-home page, audited."""
    from pathlib import Path

    from ..services.take_home import write_take_home

    if not output:
        raise ValidationError("output", "give the file to write: -o report.html")
    store = ctx.store()
    patient = find_patient(store, patient_ref)
    actor = identify(store, practitioner_ref)
    dest = write_take_home(store, patient["id"], Path(output), actor, force=force)
    click.echo(f"report for {patient['chart_id']} written to {dest}")


COMMANDS: list[click.Command] = [scale, due, contact]
