"""Commands for the records: points, practitioners, patients, the sessions list, demo.

Recording a session or a follow-up, correcting and voiding one: :mod:`.session_commands`.
"""

from __future__ import annotations

import os
import sys
from dataclasses import asdict, replace
from typing import TYPE_CHECKING

import click

from ..errors import ValidationError
from ..services.lookup import find_patient  # one rule: every command
from .common import Context, echo_json, pass_ctx, table, user_errors
from .identify import identify, identity_option, secret_for

if TYPE_CHECKING:
    from ..store import EpisodeRow

NEW_SECRET_ENV = "SESSIONLOG_NEW_PRACTITIONER_SECRET"


@click.command()
@click.argument("query", required=False, default="")
@click.option("--json", "as_json", is_flag=True, help="Print the matches as JSON.")
@click.option(
    "--limit",
    type=click.IntRange(1),
    default=None,
    help="At most this many matches (default: 20 for a query, all without one).",
)
@user_errors
def points(query: str, as_json: bool, limit: int | None) -> None:
    """Look up acupuncture points, muscles and spinal levels (`sj 5`, `hegu`, `upper trap`).

    With no QUERY, lists the whole catalogue.
    """
    from .. import points as catalogue

    found = catalogue.search(query, limit=limit if limit else (20 if query else None))
    if as_json:
        echo_json([asdict(e) for e in found])
        return
    if not found:
        matches = catalogue.search(query[:2], limit=3) if len(query) > 2 else []
        hint = f"; closest: {', '.join(e.code for e in matches)}" if matches else ""
        raise ValidationError("query", f"nothing in the catalogue matches {query!r}{hint}")
    table(
        [
            {
                "code": e.code,
                "kind": e.kind.replace("_", " "),
                "label": e.label,
                "thorax": "lung risk" if e.thorax_risk else "",
            }
            for e in found
        ],
        [("code", "CODE"), ("kind", "KIND"), ("label", "NAME"), ("thorax", "")],
    )


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@pass_ctx
@click.pass_context
@user_errors
def practitioners(click_ctx: click.Context, ctx: Context, as_json: bool) -> None:
    """List practitioners (or add one: `practitioners add`)."""
    if click_ctx.invoked_subcommand:
        return
    rows = ctx.store().practitioners()
    if as_json:
        echo_json(rows)
    else:
        table(
            rows,
            [
                ("id", "ID"),
                ("name", "NAME"),
                ("profession", "PROFESSION"),
                ("credential", "CREDENTIAL"),
            ],
        )


@practitioners.command("add")
@click.option("--name", required=True)
@click.option(
    "--profession",
    required=True,
    help="acupuncturist, physiotherapist, chiropractor, physician or other.",
)
@click.option("--credential", default="", help="e.g. 'R.Ac' or 'PT, FCAMPT'.")
@click.option(
    "--role",
    type=click.Choice(["practitioner", "admin"]),
    default="practitioner",
    show_default=True,
    help="For a practitioner added by an admin.",
)
@identity_option("--as")
@pass_ctx
@user_errors
def practitioners_add(
    ctx: Context,
    name: str,
    profession: str,
    credential: str,
    role: str,
    practitioner_ref: str | None,
) -> None:
    """Add a practitioner.

    The first one sets their own secret (asked, or $SESSIONLOG_PRACTITIONER_SECRET) and
    is the admin. After that an admin adds practitioners (--as ADMIN, with the admin's
    secret) and gives each a temporary secret (asked, or
    $SESSIONLOG_NEW_PRACTITIONER_SECRET), which its owner replaces at their first
    sign-in in the app.
    """
    from ..domain import parse_practitioner
    from ..services import auth

    store = ctx.store()
    who = parse_practitioner({"name": name, "profession": profession, "credential": credential})
    if not store.sign_in_names():
        secret = secret_for(name, new=True)
        auth.check_secret_rule(secret)
        with store.write():  # the practitioner and their secret, or neither
            pid = store.add_practitioner(who)
            auth.set_first_secret(store, pid, secret)
        click.echo(f"practitioner {pid} added: {name} (admin; secret set)")
        return
    admin = identify(store, practitioner_ref)
    temporary = os.environ.get(NEW_SECRET_ENV) or secret_for(f"{name} (temporary)", new=True)
    pid = auth.add_practitioner(store, admin, who, temporary, role)
    click.echo(
        f"practitioner {pid} added: {name} ({role}; temporary secret: they choose their own"
        " at their first sign-in in the app)"
    )


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@identity_option()
@pass_ctx
@click.pass_context
@user_errors
def patients(
    click_ctx: click.Context, ctx: Context, as_json: bool, practitioner_ref: str | None
) -> None:
    """List patients with their sessions and last visit (or add one: `patients add`)."""
    if click_ctx.invoked_subcommand:
        return
    store = ctx.store()
    identify(store, practitioner_ref)
    rows = store.patients()
    if as_json:
        echo_json(rows)
    else:
        table(
            rows,
            [
                ("id", "ID"),
                ("chart_id", "CHART"),
                ("name", "NAME"),
                ("birth_year", "BORN"),
                ("sessions", "SESSIONS"),
                ("last_visit", "LAST VISIT"),
            ],
        )


@patients.command("add")
@click.option("--chart-id", required=True, help="The clinic's chart number, unique.")
@click.option("--name", required=True)
@click.option("--birth-year", default=None)
@click.option("--sex", default=None, help="female, male, other or unknown.")
@click.option("--complaint", default=None, help="What brings them (starts an episode of care).")
@click.option("--region", default=None, help="The complaint's body region (neck, low back...).")
@identity_option()
@pass_ctx
@user_errors
def patients_add(
    ctx: Context,
    chart_id: str,
    name: str,
    birth_year: str | None,
    sex: str | None,
    complaint: str | None,
    region: str | None,
    practitioner_ref: str | None,
) -> None:
    """Add a patient (with --complaint and --region, their first episode of care)."""
    from ..domain import parse_patient
    from ..domain.episodes import parse_episode

    store = ctx.store()
    actor = identify(store, practitioner_ref)
    patient = parse_patient(
        {"chart_id": chart_id, "name": name, "birth_year": birth_year, "sex": sex},
        this_year=store.clock().year,
    )
    today = store.clock().date().isoformat()
    episode = None
    if complaint or region:  # checked before anything is saved
        episode = parse_episode(
            {"complaint": complaint, "body_region": region}, patient_id=1, started_on=today
        )
    pid = store.add_patient(patient, actor_id=actor)
    if episode is not None:
        store.add_episode(replace(episode, patient_id=pid), actor_id=actor)
    click.echo(f"patient {pid} added: {chart_id}")


@click.command()
@click.option("--patient", "patient_ref", default=None, help="Only this patient (chart id or id).")
@click.option("--technique", default=None)
@click.option("--since", default=None, help="From this date (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(1), default=None)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Full records as JSON: sites, adverse events, IMS findings, derived values.",
)
@identity_option()
@pass_ctx
@user_errors
def sessions(
    ctx: Context,
    patient_ref: str | None,
    technique: str | None,
    since: str | None,
    limit: int | None,
    as_json: bool,
    practitioner_ref: str | None,
) -> None:
    """List sessions, newest first (the current version of each; voided ones left out)."""
    from ..domain.techniques import TECHNIQUES
    from ..domain.validate import as_choice, as_datetime

    store = ctx.store()
    actor = identify(store, practitioner_ref)
    pid = find_patient(store, patient_ref)["id"] if patient_ref else None
    tech = as_choice("technique", technique, TECHNIQUES) if technique else None
    start = as_datetime("since", since).date().isoformat() if since else None
    rows = store.sessions(pid, technique=tech, since=start, limit=limit)
    # Each patient whose sessions are shown was looked at (the whole clinic's, too).
    store.log_access_to(
        actor, [pid] if pid is not None else [r["patient_id"] for r in rows], "record"
    )
    if as_json:
        # "session_id" is the session (its record: "session #189" everywhere); "id" is
        # the row of its current version, which an amendment replaces.
        listed = []
        for r in rows:
            whole = store.session(r["record_id"])
            if whole is not None:  # None: voided by someone else since the list was read
                listed.append(
                    {"session_id": r["record_id"], **whole, "patient_chart_id": r["chart_id"]}
                )
        echo_json(listed)
        return
    from ..analysis.model import group_label
    from ..services.episodes import short_names

    # Each session's episode of care, named among its patient's (as --episode takes it).
    every = store.episodes(pid) if pid is not None else store.every_episode()
    by_patient: dict[int, list[EpisodeRow]] = {}
    for e in every:
        by_patient.setdefault(e["patient_id"], []).append(e)
    names = {p: short_names(own) for p, own in by_patient.items()}
    # The technique by its one name (as the app says it), not its key.
    shown = [
        {
            **r,
            "technique": group_label(r["technique"]),
            "episode": names.get(r["patient_id"], {}).get(r["episode_id"] or 0, "-"),
        }
        for r in rows
    ]
    table(
        shown,
        [
            ("record_id", "SESSION"),
            ("started_at", "WHEN"),
            ("chart_id", "CHART"),
            ("patient_name", "PATIENT"),
            ("episode", "EPISODE"),
            ("technique", "TECHNIQUE"),
            ("pain_before", "BEFORE"),
            ("pain_after", "AFTER"),
            ("site_count", "SITES"),
            ("targets", "POINTS / MUSCLES / LEVELS"),
        ],
    )


@click.command()
@click.option("--seed", type=int, default=7, show_default=True, help="Same seed, same clinic.")
@click.option(
    "--patients", "n_patients", type=click.IntRange(1, 5000), default=42, show_default=True
)
@click.option("--months", type=click.IntRange(1, 120), default=6, show_default=True)
@pass_ctx
@user_errors
def demo(ctx: Context, seed: int, n_patients: int, months: int) -> None:
    """Fill an empty database with a realistic demo clinic (fictional people).

    Run again on the demo database, it leaves it as it is (so the README's first
    command can be run twice); a database with other patients is refused."""
    from ..demo import build_demo, demo_sign_ins, holds_demo

    store = ctx.store()
    if holds_demo(store):
        click.echo(f"{store.path} already holds the demo clinic: left as it is")
    else:
        counts = build_demo(store, seed=seed, patients=n_patients, months=months)
        click.echo(
            f"demo clinic written to {store.path}: "
            + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()),
            file=sys.stdout,
        )
    click.echo(
        "Sign in to the app (pick the name, type the secret, Enter) as any demo practitioner:\n"
        + "\n".join(demo_sign_ins(store)),
        file=sys.stdout,
    )


COMMANDS: list[click.Command] = [
    points,
    practitioners,
    patients,
    sessions,
    demo,
]
