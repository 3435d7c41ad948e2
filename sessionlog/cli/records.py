"""Commands for the records: points, practitioners, patients, sessions, log, follow-up, demo."""

from __future__ import annotations

import os
import sys
from dataclasses import asdict, replace
from typing import Any

import click

from ..errors import ValidationError
from ..services.lookup import find_patient  # one rule: every command
from .common import Context, echo_json, pass_ctx, read_json_input, table, user_errors
from .identify import find, identify, identity_option, secret_for

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
    if pid is not None:
        store.log_access(actor, pid, "record")
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

    # The technique by its one name (as the app says it), not its key.
    rows = [{**r, "technique": group_label(r["technique"])} for r in rows]
    table(
        rows,
        [
            ("record_id", "SESSION"),
            ("started_at", "WHEN"),
            ("chart_id", "CHART"),
            ("patient_name", "PATIENT"),
            ("technique", "TECHNIQUE"),
            ("pain_before", "BEFORE"),
            ("pain_after", "AFTER"),
            ("site_count", "SITES"),
            ("targets", "POINTS / MUSCLES / LEVELS"),
        ],
    )


def parse_site_arg(spec: str, technique: str) -> dict[str, Any]:
    """A ``--site``: the session form's site line (``st36 b x2``, read by the one entry
    language, :mod:`sessionlog.services.entry.site_text`), or with a colon the
    ``key=value`` form of :func:`parse_site_spec`."""
    if ":" in spec:
        return parse_site_spec(spec)
    from ..services.entry.site_text import misunderstood, parse_site_text

    problem = misunderstood(spec, technique)
    if problem:
        raise ValidationError("site", f"{spec!r}: {problem}")
    return parse_site_text(spec, technique)


def parse_site_spec(spec: str) -> dict[str, Any]:
    """``TARGET[:SIDE[:key=value,...]]`` -> a site dict, e.g.
    ``upper trap:left:twitch=3,insertions=2`` or ``st36:bilateral:deqi=yes``;
    ``hz=2/100`` is dense-disperse stimulation, 2 Hz alternating with 100 Hz;
    ``stim=electrical,lead=1`` a site on the stimulator's lead 1 (sites sharing a lead
    were paired on it)."""
    aliases = {
        "twitch": "twitch_count",
        "twitches": "twitch_count",
        "deqi": "deqi_obtained",
        "depth": "depth_value",
        "retention": "retention_s",
        "n": "insertions",
        "quality": "deqi_quality",
        "diameter": "needle_diameter_mm",
        "length": "needle_length_mm",
        "stim": "stimulation",
        "hz": "estim_frequency_hz",
        "lead": "estim_lead",
    }
    from dataclasses import fields

    from ..domain import Site
    from ..domain.frequency import split_frequency_text

    known = {f.name for f in fields(Site)} - {"target", "side", "thorax_risk"}
    target, _, rest = spec.partition(":")
    side, _, extras = rest.partition(":")
    site: dict[str, Any] = {"target": target.strip()}
    if side.strip():
        site["side"] = side.strip()
    for pair in filter(None, (p.strip() for p in extras.split(","))):
        key, eq, value = pair.partition("=")
        if not eq:
            raise ValidationError("site", f"{pair!r} in {spec!r} is not key=value")
        name = aliases.get(key.strip(), key.strip())
        if name not in known:  # a typo (`twich=3`) must not be dropped silently
            raise ValidationError(
                "site",
                f"{key.strip()!r} in {spec!r} is not a site field: one of "
                + ", ".join(sorted(set(aliases) | known)),
            )
        if name == "estim_frequency_hz":
            # "2 Hz" as typed; dense-disperse stimulation: hz=2/100 is 2 Hz alternating
            # with 100 Hz (the high one goes to estim_frequency_2_hz).
            try:
                site.update(split_frequency_text(value))
            except ValidationError as exc:
                raise ValidationError(
                    "site", f"{key.strip()}= in {spec!r}: {exc.message}"
                ) from None
            continue
        site[name] = value.strip()
    return site


@click.command("log")
@click.option(
    "--json",
    "json_file",
    type=click.File("rb"),
    default=None,
    help="Read the session from a JSON document ('-' for stdin); flags override it.",
)
@click.option("--patient", "patient_ref", default=None, help="Chart id (or id) of the patient.")
@identity_option()
@click.option(
    "--technique",
    default=None,
    help="acupuncture, electroacupuncture, dry_needling, electrical_dry_needling or ims.",
)
@click.option("--at", "started_at", default=None, help="When (YYYY-MM-DD HH:MM); default now.")
@click.option(
    "--site",
    "sites",
    multiple=True,
    help="A site as the session form reads it, repeatable: 'st36 b x2' (both sides, 2"
    " needles each), 'li4 r y' (De Qi), 'upper trap l 3 25mm' (3 twitches, 25 mm deep),"
    " 'L4-L5 b strong' (grasp), 'ashi lateral knee r'. Or key=value fields:"
    " TARGET[:SIDE[:key=value,...]], e.g. 'st36:bilateral:hz=2/100'.",
)
@click.option("--pain-before", default=None, help="0-10.")
@click.option("--pain-after", default=None, help="0-10.")
@click.option("--pain-during", default=None, help="0-10.")
@click.option("--soreness", "soreness_after", default=None, help="0-10, right after.")
@click.option("--minutes", "face_to_face_min", default=None, help="Face-to-face minutes.")
@click.option("--consent/--no-consent", default=None, help="Informed consent obtained.")
@click.option(
    "--co-intervention",
    "co_interventions",
    multiple=True,
    help="exercise, manual_therapy, heat, cupping, moxibustion, taping, education, massage, other.",
)
@click.option(
    "--adverse", "adverse", multiple=True, help="TIER:KIND[:description], e.g. mild:bruising."
)
@click.option("--notes", default=None)
@click.option(
    "--complaint",
    default=None,
    help="Start a new episode of care with this complaint (with --region); by default the"
    " session continues the patient's current episode.",
)
@click.option("--region", default=None, help="The new episode's body region (neck, low back...).")
@pass_ctx  # type: ignore[arg-type]  # click's stubs cannot type a **fields command
@user_errors
def log_session(
    ctx: Context,
    json_file: Any,
    patient_ref: str | None,
    practitioner_ref: str | None,
    complaint: str | None,
    region: str | None,
    **fields: Any,
) -> None:
    """Record one session non-interactively (for scripts). Prints the new session id.

    The session continues the patient's current episode of care; --complaint and
    --region start a new one (a patient with none needs them). Nothing is saved unless
    the whole session is valid.
    """
    from ..domain import cpt_hint

    store = ctx.store()
    data: dict[str, Any] = read_json_input(json_file, "json") if json_file else {}
    if not isinstance(data, dict):
        raise ValidationError(
            "json", "the document must be a JSON object with the session's fields"
        )
    for key in (
        "technique",
        "started_at",
        "pain_before",
        "pain_after",
        "pain_during",
        "soreness_after",
        "face_to_face_min",
        "consent",
        "notes",
    ):
        if fields.get(key) is not None:
            data[key] = fields[key]
    if fields["sites"]:
        technique = str(data.get("technique") or "")
        data["sites"] = [parse_site_arg(s, technique) for s in fields["sites"]]
    if fields["co_interventions"]:
        data["co_interventions"] = list(fields["co_interventions"])
    if fields["adverse"]:
        data["adverse_events"] = [
            dict(zip(("tier", "kind", "description"), a.split(":", 2), strict=False))
            for a in fields["adverse"]
        ]
    named = data.pop("practitioner", None) or data.get("practitioner_id")
    actor = identify(store, practitioner_ref or named)
    if named is not None and find(store, named).practitioner_id != actor:
        raise ValidationError(
            "practitioner",
            "the document names another practitioner: a session is recorded by the"
            " practitioner who signs it (--practitioner, with their secret)",
        )
    data["practitioner_id"] = actor
    ref = patient_ref or data.pop("patient", None) or data.pop("patient_chart_id", None)
    if ref is None and "patient_id" not in data:
        raise ValidationError("patient", "is required: --patient CHART_ID")
    if ref is not None:
        data["patient_id"] = find_patient(store, str(ref))["id"]
    from ..services import sessions as saving
    from ..services.sessions import or_raise

    draft = or_raise(
        saving.check_input(
            store, data, now=store.clock(), complaint=complaint or "", region=region or ""
        )
    )
    saved = or_raise(saving.save(store, draft, None)).saved
    session = draft.session
    codes = cpt_hint(session.technique, session.sites, session.face_to_face_min)
    click.echo(
        f"session {saved.record_id} saved: {len(session.sites)} sites, "
        f"{session.total_insertions} insertions, suggested CPT {codes}"
    )


@click.command("follow-up")
@click.option("--patient", "patient_ref", required=True, help="Chart id (or id).")
@click.option("--pain", required=True, help="0-10.")
@click.option("--soreness", default=None, help="0-10.")
@click.option("--groc", default=None, help="Global rating of change, -7..+7.")
@click.option("--at", default=None, help="When (YYYY-MM-DD HH:MM); default now.")
@click.option(
    "--session",
    "session_ref",
    default=None,
    help="The session it follows (default: the patient's latest before --at).",
)
@identity_option()
@click.option("--notes", default=None)
@pass_ctx
@user_errors
def follow_up(
    ctx: Context,
    patient_ref: str,
    pain: str,
    soreness: str | None,
    groc: str | None,
    at: str | None,
    session_ref: str | None,
    practitioner_ref: str | None,
    notes: str | None,
) -> None:
    """Record pain (and soreness) some days or weeks after a session."""
    from ..domain.validate import as_datetime, as_int
    from ..services.follow_ups import record, session_before
    from ..services.sessions import or_raise

    store = ctx.store()
    actor = identify(store, practitioner_ref)
    patient = find_patient(store, patient_ref)
    when = as_datetime("at", at or store.clock(), now=store.clock())
    if session_ref:
        session = as_int("session", session_ref, 1)
    else:
        before = session_before(store, patient["id"], when)
        if before is None:
            raise ValidationError("session", "this patient has no session before that time")
        session = before
    raw = {"patient_id": patient["id"], "session_record_id": session, "at": when, "pain": pain,
           "soreness": soreness, "groc": groc, "notes": notes}  # fmt: skip
    saved = or_raise(record(store, raw, actor, now=store.clock()))
    click.echo(f"follow-up {saved.follow_up_id} saved for session {session}")


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
    log_session,
    follow_up,
    demo,
]
