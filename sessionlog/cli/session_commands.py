"""Commands that record sessions and follow-ups, and correct or void a session: `log`,
`amend`, `void`, `follow-up`.

Each reads the user's flags into a raw record and hands it to the one service both
front ends use (:mod:`sessionlog.services.sessions`, :mod:`sessionlog.services.follow_ups`):
the same checks, the same episode rule and the same write as the form's Ctrl+S. A
refusal is printed as one line naming the field (:func:`.common.user_errors`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import click

from ..errors import ValidationError
from ..services.lookup import find_patient  # one rule: every command
from .common import Context, pass_ctx, read_json_input, user_errors
from .identify import find, identify, identity_option

_F = TypeVar("_F", bound=Callable[..., Any])


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


# The session's fields as flags, shared by `log` and `amend` (in this order in --help).
_SESSION_FLAGS = [
    click.option(
        "--technique",
        default=None,
        help="acupuncture, electroacupuncture, dry_needling, electrical_dry_needling or ims.",
    ),
    click.option("--at", "started_at", default=None, help="When (YYYY-MM-DD HH:MM); default now."),
    click.option(
        "--site",
        "sites",
        multiple=True,
        help="A site as the session form reads it, repeatable: 'st36 b x2' (both sides, 2"
        " needles each), 'li4 r y' (De Qi), 'upper trap l 3 25mm' (3 twitches, 25 mm deep),"
        " 'L4-L5 b strong' (grasp), 'ashi lateral knee r'. Or key=value fields:"
        " TARGET[:SIDE[:key=value,...]], e.g. 'st36:bilateral:hz=2/100'.",
    ),
    click.option("--pain-before", default=None, help="0-10."),
    click.option("--pain-after", default=None, help="0-10."),
    click.option("--pain-during", default=None, help="0-10."),
    click.option("--soreness", "soreness_after", default=None, help="0-10, right after."),
    click.option("--minutes", "face_to_face_min", default=None, help="Face-to-face minutes."),
    click.option("--consent/--no-consent", default=None, help="Informed consent obtained."),
    click.option(
        "--co-intervention",
        "co_interventions",
        multiple=True,
        help="exercise, manual_therapy, heat, cupping, moxibustion, taping, education,"
        " massage, other.",
    ),
    click.option(
        "--adverse", "adverse", multiple=True, help="TIER:KIND[:description], e.g. mild:bruising."
    ),
    click.option("--notes", default=None),
]


def session_fields(command: _F) -> _F:
    """The session's field flags (technique, when, sites, scores, consent...)."""
    for option in reversed(_SESSION_FLAGS):
        command = option(command)
    return command


def typed_fields(data: dict[str, Any], fields: Mapping[str, Any]) -> None:
    """The flags given, over ``data`` (a session's raw fields): ``--site`` replaces
    every site, ``--co-intervention`` and ``--adverse`` their lists."""
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


_EPISODE_HELP = (
    " one of the patient's episodes of care, named by its complaint (the whole, or a unique"
    " start) and, when two share it, its start date: 'hip pain', 'low back pain 2026-09-01'."
)


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
@session_fields
@click.option(
    "--complaint",
    default=None,
    help="Start a new episode of care with this complaint (with --region); by default the"
    " session continues the patient's current episode.",
)
@click.option("--region", default=None, help="The new episode's body region (neck, low back...).")
@click.option(
    "--episode",
    "episode_ref",
    default=None,
    help="File it under" + _EPISODE_HELP + " By default: the one under way on its day.",
)
@click.option(
    "--before-follow-up",
    "before_follow_up",
    is_flag=True,
    help="Save a session (a forgotten one, entered late) that comes between an earlier"
    " session and that session's follow-ups: they then count in no figure until re-linked"
    " (follow-up-amend ID --session)."
    " Without it such a session is refused, naming them.",
)
@pass_ctx  # type: ignore[arg-type]  # click's stubs cannot type a **fields command
@user_errors
def log_session(
    ctx: Context,
    json_file: Any,
    patient_ref: str | None,
    practitioner_ref: str | None,
    complaint: str | None,
    region: str | None,
    episode_ref: str | None,
    before_follow_up: bool,
    **fields: Any,
) -> None:
    """Record one session non-interactively (for scripts). Prints the new session id.

    The session continues the patient's episode of care under way on its day;
    --episode names another of theirs (a patient treated for two complaints at once);
    --complaint and --region start a new one (a patient with none needs them). Nothing
    is saved unless the whole session is valid. A session between an earlier session and
    its follow-up needs --before-follow-up (the follow-up then stops counting for that
    session).
    """
    from ..domain import cpt_hint

    store = ctx.store()
    data: dict[str, Any] = read_json_input(json_file, "json") if json_file else {}
    if not isinstance(data, dict):
        raise ValidationError(
            "json", "the document must be a JSON object with the session's fields"
        )
    typed_fields(data, fields)
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
    from ..domain.text import counted
    from ..services import sessions as saving
    from ..services.episodes import begun_after, find_episode
    from ..services.sessions import or_raise

    chosen = None if episode_ref is None else find_episode(store, data["patient_id"], episode_ref)
    draft = or_raise(
        saving.check_input(
            store,
            data,
            now=store.clock(),
            complaint=complaint or "",
            region=region or "",
            episode_id=chosen,
        )
    )
    said = saving.cut_off(store, draft) if before_follow_up else None
    cut = saving.cut_off_ids(store, draft) if said else []
    saved = or_raise(saving.save(store, draft, None, before_follow_ups=before_follow_up)).saved
    session = draft.session
    codes = cpt_hint(session.technique, session.sites, session.face_to_face_min)
    click.echo(
        f"session {saved.record_id} saved: {counted(len(session.sites), 'site')}, "
        f"{counted(session.total_insertions, 'insertion')}, suggested CPT {codes}"
    )
    if said:  # what the flag allowed, said again now that it is done, and the re-link
        click.echo(f"note: {said}; {_relink(cut, saved.record_id)}")
    late = begun_after(store, session.episode_id, session.started_at.date().isoformat())
    if late:  # dated before every episode: continued the one started last (said)
        click.echo(f"note: {late}")


def _relink(follow_ups: list[int], session: int) -> str:
    """How to link the follow-ups a session cut off to it, if they are about it."""
    command = f"follow-up-amend {{}} --session {session} --reason ..."
    if len(follow_ups) == 1:
        return "if it is about this session, re-link it: " + command.format(follow_ups[0])
    ids = ", ".join(map(str, follow_ups[:-1])) + f" or {follow_ups[-1]}"
    return f"re-link each that is about this session: {command.format('ID')} (ID: {ids})"


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


@click.command("amend")
@click.argument("session_ref", metavar="SESSION")
@click.option("--reason", required=True, help="Why it is corrected (kept with the record).")
@identity_option()
@session_fields
@click.option("--episode", "episode_ref", default=None, help="Move it to" + _EPISODE_HELP)
@pass_ctx  # type: ignore[arg-type]  # click's stubs cannot type a **fields command
@user_errors
def amend_session(
    ctx: Context,
    session_ref: str,
    reason: str,
    practitioner_ref: str | None,
    episode_ref: str | None,
    **fields: Any,
) -> None:
    """Correct saved session SESSION: a new version with the flags given changed (--site
    replaces every site; --episode files it under another of the patient's episodes of
    care); the version before is kept, with who corrected it and why."""
    from ..services import sessions
    from ..services.entry.form_model import build_raw, state_from_session
    from ..services.episodes import begun_after, find_episode
    from ..services.sessions import or_raise

    if episode_ref is None and all(value in (None, ()) for value in fields.values()):
        raise ValidationError(
            "amend", "name what to correct: --pain-after 3, --site ..., --episode ... (see --help)"
        )
    store = ctx.store()
    actor = identify(store, practitioner_ref)
    from ..domain.validate import as_int

    record_id = as_int("session", session_ref, 1)  # never past SQLite's largest integer
    stored = store.session(record_id)
    if stored is None:
        raise ValidationError(
            "session", f"there is no current session {record_id} (voided, or never recorded)"
        )
    state = state_from_session(stored, with_outcomes=True)
    data = build_raw(
        state, patient_id=stored["patient_id"], practitioner_id=stored["practitioner_id"]
    )
    unchanged = sessions.check_input(store, dict(data), now=store.clock(), new=False)
    typed_fields(data, fields)
    chosen = None if episode_ref is None else find_episode(store, stored["patient_id"], episode_ref)
    draft = or_raise(
        sessions.check_input(store, data, now=store.clock(), new=False, episode_id=chosen)
    )
    if isinstance(unchanged, sessions.Draft) and unchanged.session == draft.session:
        raise ValidationError(  # as the form says it: no version equal to the one before
            "amend", f"nothing changed: session {record_id} already holds these values"
        )
    done = or_raise(sessions.amend(store, record_id, draft, actor, reason, stored["version"]))
    store.log_access(actor, stored["patient_id"], "record")  # the record was read to amend it
    click.echo(f"session {done.record_id} amended (version {done.saved.version})")
    session = draft.session
    late = chosen and begun_after(store, chosen, session.started_at.date().isoformat())
    if late:  # moved into an episode begun after it: said, as log says it
        click.echo(f"note: {late}")


@click.command("void")
@click.argument("session_ref", metavar="SESSION")
@click.option("--reason", required=True, help="Why it is withdrawn (kept with the record).")
@identity_option()
@pass_ctx
@user_errors
def void_session(ctx: Context, session_ref: str, reason: str, practitioner_ref: str | None) -> None:
    """Void session SESSION, recorded in error: it stays in the record, marked void, with
    who voided it and why."""
    from ..services import sessions
    from ..services.sessions import or_raise

    store = ctx.store()
    actor = identify(store, practitioner_ref)
    from ..domain.validate import as_int

    record_id = as_int("session", session_ref, 1)  # never past SQLite's largest integer
    done = or_raise(sessions.void(store, record_id, actor, reason))
    click.echo(f"session {done.record_id} voided (version {done.saved.version})")


COMMANDS: list[click.Command] = [log_session, amend_session, void_session, follow_up]
