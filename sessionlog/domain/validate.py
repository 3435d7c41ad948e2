"""Turn what a user typed (CLI flags, JSON, form fields) into valid domain records.

Every problem becomes a :class:`ValidationError` naming the field (``pain_before``,
``sites[3].insertions``) and what is allowed. :func:`parse_session` collects all the
problems of a session at once so a form can show each next to its field.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from ..errors import UnknownCode, ValidationError
from .models import (
    AdverseEvent,
    FollowUpInput,
    ImsFinding,
    Patient,
    Practitioner,
    SessionInput,
    Site,
)
from .techniques import (
    AE_KINDS,
    AE_TIERS,
    CO_INTERVENTIONS,
    DEPTH_TISSUES,
    DEPTH_UNITS,
    DEQI_QUALITIES,
    GRASP_LEVELS,
    PROFESSIONS,
    RESPONSES_SOUGHT,
    SEXES,
    SIDES,
    SITE_KINDS,
    STIMULATIONS,
    TECHNIQUES,
)
from .text import clean_text

T = TypeVar("T")
SQLITE_MAX_INT = 2**63 - 1


class InvalidRecord(ValidationError):
    """Several fields of one record are invalid; ``errors`` lists each of them."""

    def __init__(self, errors: list[ValidationError]) -> None:
        self.errors = errors
        first = errors[0]
        more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
        super().__init__(first.field, first.message + (more if len(errors) > 1 else ""))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def as_int(field: str, value: Any, lo: int, hi: int | None = None) -> int:
    """A whole number in ``lo..hi`` (``hi`` None: no upper bound)."""
    allowed = (
        f"a whole number from {lo} to {hi}" if hi is not None else f"a whole number, {lo} or more"
    )
    if isinstance(value, bool):  # True is an int to Python, never a count or a score
        raise ValidationError(field, f"{value!r} is not a whole number: {allowed}")
    if _blank(value):
        raise ValidationError(field, f"is required: {allowed}")
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            raise ValidationError(field, f"{value!r} is not allowed: {allowed}")
        value = int(value)
    elif isinstance(value, str):
        text = value.strip()
        # isdigit() alone lets "+-5" and "²" through to int(), which then raises.
        if not text.isascii() or not text.lstrip("+-").isdigit():
            raise ValidationError(field, f"{text!r} is not a whole number: {allowed}")
        try:
            value = int(text)
        except ValueError:
            raise ValidationError(field, f"{text!r} is not a whole number: {allowed}") from None
    elif not isinstance(value, int):
        raise ValidationError(field, f"{value!r} is not a whole number: {allowed}")
    if value > SQLITE_MAX_INT:  # an id beyond SQLite's integers would crash a query
        raise ValidationError(field, f"{value} is too large: {allowed}")
    if value < lo or (hi is not None and value > hi):
        raise ValidationError(field, f"{value} is out of range: {allowed}")
    return value


def opt_int(field: str, value: Any, lo: int, hi: int | None = None) -> int | None:
    return None if _blank(value) else as_int(field, value, lo, hi)


def as_float(field: str, value: Any, lo: float, hi: float) -> float:
    """A finite number in ``lo..hi``. NaN is refused: SQLite would store it as NULL."""
    allowed = f"a number from {lo:g} to {hi:g}"
    if isinstance(value, bool):
        raise ValidationError(field, f"{value!r} is not a number: {allowed}")
    if _blank(value):
        raise ValidationError(field, f"is required: {allowed}")
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise ValidationError(field, f"{value!r} is not a number: {allowed}") from None
    except OverflowError:  # an integer too large for a float (JSON allows any length)
        raise ValidationError(field, f"is too large: {allowed}") from None
    if not math.isfinite(number) or not lo <= number <= hi:
        raise ValidationError(field, f"{value!r} is out of range: {allowed}")
    return number


def opt_float(field: str, value: Any, lo: float, hi: float) -> float | None:
    return None if _blank(value) else as_float(field, value, lo, hi)


def as_choice(field: str, value: Any, choices: Iterable[str]) -> str:
    """One of ``choices``; case, spaces and hyphens are forgiven (``Dry Needling``)."""
    options = tuple(choices)
    if _blank(value) or not isinstance(value, str):
        raise ValidationError(field, f"is required: one of {', '.join(options)}")
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in options:
        raise ValidationError(field, f"{value!r} is not allowed: one of {', '.join(options)}")
    return key


def opt_choice(field: str, value: Any, choices: Iterable[str]) -> str | None:
    return None if _blank(value) else as_choice(field, value, choices)


def as_bool(field: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in (
        "yes",
        "y",
        "true",
        "1",
        "no",
        "n",
        "false",
        "0",
    ):
        return value.strip().lower() in ("yes", "y", "true", "1")
    raise ValidationError(field, f"{value!r} is not allowed: yes or no")


def opt_bool(field: str, value: Any) -> bool | None:
    return None if _blank(value) else as_bool(field, value)


def as_text(
    field: str, value: Any, *, max_len: int, required: bool = False, multiline: bool = False
) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(field, f"{value!r} is not text")
    text = clean_text(value, multiline=multiline)
    if required and not text:
        raise ValidationError(field, "is required")
    if len(text) > max_len:
        raise ValidationError(field, f"is {len(text)} characters long: at most {max_len} allowed")
    return text


def as_datetime(field: str, value: Any, *, now: datetime | None = None) -> datetime:
    """A date and time: ISO ``2026-11-22 14:30`` (or a date alone, meaning midnight).

    With ``now`` given, more than a day in the future is refused (a mistyped year).
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(
                field, f"{value!r} is not a date: use YYYY-MM-DD or YYYY-MM-DD HH:MM"
            ) from None
    else:
        raise ValidationError(field, "is required: a date, YYYY-MM-DD or YYYY-MM-DD HH:MM")
    moment = moment.replace(tzinfo=None, microsecond=0)
    if moment.year < 1900:
        raise ValidationError(field, f"{value!r} is too early: from 1900 on")
    if now is not None and moment > now + timedelta(days=1):
        raise ValidationError(field, f"{moment:%Y-%m-%d %H:%M} is in the future")
    return moment


def _collect(
    errors: list[ValidationError], fn: Callable[..., T], *args: Any, **kw: Any
) -> T | None:
    try:
        return fn(*args, **kw)
    except InvalidRecord as exc:
        errors.extend(exc.errors)
    except ValidationError as exc:
        errors.append(exc)
    return None


def _raise_if(errors: list[ValidationError]) -> None:
    if errors:
        raise InvalidRecord(errors)


def parse_practitioner(data: Mapping[str, Any]) -> Practitioner:
    """Validate a practitioner: name, profession, credential."""
    errors: list[ValidationError] = []
    name = _collect(errors, as_text, "name", data.get("name"), max_len=120, required=True)
    prof = _collect(errors, as_choice, "profession", data.get("profession"), PROFESSIONS)
    cred = _collect(errors, as_text, "credential", data.get("credential"), max_len=120)
    _raise_if(errors)
    return Practitioner(name=name or "", profession=prof or "", credential=cred or "")


def parse_patient(data: Mapping[str, Any], *, this_year: int | None = None) -> Patient:
    """Validate a patient: chart id, name, year of birth, sex."""
    errors: list[ValidationError] = []
    year_hi = this_year or date.today().year
    chart = _collect(errors, as_text, "chart_id", data.get("chart_id"), max_len=40, required=True)
    name = _collect(errors, as_text, "name", data.get("name"), max_len=120, required=True)
    born = _collect(errors, opt_int, "birth_year", data.get("birth_year"), 1900, year_hi)
    sex = _collect(errors, opt_choice, "sex", data.get("sex"), SEXES)
    _raise_if(errors)
    return Patient(chart_id=chart or "", name=name or "", birth_year=born, sex=sex or "unknown")


def _split_list(value: Any) -> list[str]:
    if _blank(value):
        return []
    if isinstance(value, str):
        return [v for v in (p.strip() for p in value.replace(";", ",").split(",")) if v]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def _records(
    errors: list[ValidationError], field: str, value: Any
) -> list[tuple[int, Mapping[str, Any]]]:
    """The objects of a list field (``adverse_events``), numbered from 1; anything
    else (a string, a number, a list of strings: easy to write in JSON) is an error."""
    if _blank(value):
        return []
    if not isinstance(value, (list, tuple)):
        errors.append(ValidationError(field, f"{value!r} is not a list of records"))
        return []
    out = []
    for i, raw in enumerate(value, start=1):
        if isinstance(raw, Mapping):
            out.append((i, raw))
        else:
            errors.append(ValidationError(f"{field}[{i}]", f"{raw!r} is not a record with fields"))
    return out


# A site's keys: its fields (thorax_risk is accepted but always taken from the catalogue),
# "site" as another name for "target", and a stored row's identity (id, session_id, seq).
_SITE_KEYS = frozenset(f.name for f in dataclasses.fields(Site)) | {
    "site", "id", "session_id", "seq"}
# A session's keys, plus what `sessions --json` prints besides them (ids, versions,
# derived values), so that output can be fed back as input.
_SESSION_KEYS = frozenset(f.name for f in dataclasses.fields(SessionInput)) | {
    "id", "record_id", "version", "supersedes_id", "status", "amend_reason", "recorded_by",
    "recorded_at", "total_insertions", "distinct_muscles", "cpt_codes", "patient_name",
    "chart_id", "patient_chart_id", "practitioner_name", "site_count", "targets", "uid",
}


def _refuse_unknown(
    errors: list[ValidationError], field: str, data: Mapping[str, Any], allowed: frozenset[str]
) -> None:
    # A misspelt key ("pain_afterr", "twich_count") must not be dropped silently.
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            name = f"{field}.{key}" if field else str(key)
            errors.append(ValidationError(name, f"is not a field sessionlog knows{hint}"))


def parse_site(data: Mapping[str, Any] | str, technique_key: str, field: str = "site") -> Site:
    """Validate one needling site, filling the technique's defaults.

    ``data`` may be just the text of the site (``"st36"``, ``"upper trap"``,
    ``"L4-L5"``); its kind, canonical code and thorax flag come from the catalogue.
    """
    from .. import points  # the catalogue loads its data lazily

    if isinstance(data, str):
        data = {"target": data}
    tech = TECHNIQUES[technique_key]
    errors: list[ValidationError] = []
    _refuse_unknown(errors, field, data, _SITE_KEYS)
    raw_target = data.get("target", data.get("site"))
    kind = _collect(errors, opt_choice, f"{field}.kind", data.get("kind"), SITE_KINDS)
    target = ""
    thorax = False
    if kind in ("ashi", "other"):
        target = (
            _collect(errors, as_text, f"{field}.target", raw_target, max_len=80, required=True)
            or ""
        )
    elif _blank(raw_target):
        errors.append(
            ValidationError(f"{field}.target", "is required: a point code, muscle or spinal level")
        )
    else:
        try:
            entry = points.resolve(str(raw_target), field=f"{field}.target")
        except UnknownCode as exc:
            errors.append(exc)
        else:
            target, thorax = entry.code, entry.thorax_risk
            natural = {"acupuncture_point": "acupuncture_point", "spinal_level": "paraspinal"}.get(
                entry.kind
            )
            if natural is None:  # a muscle: a trigger point or a motor point
                natural = (
                    tech.site_kind
                    if tech.site_kind in ("trigger_point", "motor_point")
                    else "motor_point"
                )
            if kind is None:
                kind = natural
            elif (kind == "acupuncture_point") != (entry.kind == "acupuncture_point") or (
                kind == "paraspinal"
            ) != (entry.kind == "spinal_level"):
                errors.append(
                    ValidationError(
                        f"{field}.kind",
                        f"{kind} does not fit {target} (a {entry.kind.replace('_', ' ')})",
                    )
                )
    side_default = "midline" if target[:2] in ("GV", "CV") else None
    side = _collect(errors, as_choice, f"{field}.side", data.get("side") or side_default, SIDES)
    insertions = _collect(errors, as_int, f"{field}.insertions", data.get("insertions", 1), 1, 50)
    depth = _collect(errors, opt_float, f"{field}.depth_value", data.get("depth_value"), 0.0, 150.0)
    unit = _collect(
        errors,
        opt_choice,
        f"{field}.depth_unit",
        data.get("depth_unit") or ("mm" if depth is not None else None),
        DEPTH_UNITS,
    )
    tissue = _collect(
        errors, opt_choice, f"{field}.depth_tissue", data.get("depth_tissue"), DEPTH_TISSUES
    )
    diam = _collect(
        errors, opt_float, f"{field}.needle_diameter_mm", data.get("needle_diameter_mm"), 0.1, 1.0
    )
    length = _collect(
        errors, opt_float, f"{field}.needle_length_mm", data.get("needle_length_mm"), 5.0, 150.0
    )
    material = _collect(
        errors, as_text, f"{field}.needle_material", data.get("needle_material"), max_len=60
    )
    stim = _collect(
        errors,
        as_choice,
        f"{field}.stimulation",
        data.get("stimulation") or tech.stimulation,
        STIMULATIONS,
    )
    freq = _collect(
        errors, opt_float, f"{field}.estim_frequency_hz", data.get("estim_frequency_hz"), 0.1, 200.0
    )
    intensity = _collect(
        errors, as_text, f"{field}.estim_intensity", data.get("estim_intensity"), max_len=40
    )
    retention = _collect(
        errors,
        as_int,
        f"{field}.retention_s",
        data.get("retention_s", tech.retention_s),
        0,
        4 * 3600,
    )
    deqi = _collect(errors, opt_bool, f"{field}.deqi_obtained", data.get("deqi_obtained"))
    qualities: list[str] = []
    for q in _split_list(data.get("deqi_quality")):
        choice = _collect(errors, as_choice, f"{field}.deqi_quality", q, DEQI_QUALITIES)
        if choice and choice not in qualities:
            qualities.append(choice)
    twitch = _collect(errors, opt_int, f"{field}.twitch_count", data.get("twitch_count"), 0, 100)
    grasp = _collect(errors, opt_choice, f"{field}.grasp", data.get("grasp"), GRASP_LEVELS)
    if qualities and deqi is False:
        errors.append(ValidationError(f"{field}.deqi_quality", "given, but De Qi was not obtained"))
    _raise_if(errors)
    return Site(
        kind=kind or "other",
        target=target,
        side=side or "",
        insertions=insertions or 1,
        depth_value=depth,
        depth_unit=unit,
        depth_tissue=tissue,
        needle_diameter_mm=diam,
        needle_length_mm=length,
        needle_material=material or None,
        stimulation=stim or "none",
        estim_frequency_hz=freq,
        estim_intensity=intensity or None,
        retention_s=retention if retention is not None else 0,
        deqi_obtained=True if qualities and deqi is None else deqi,
        deqi_quality=tuple(qualities),
        twitch_count=twitch,
        grasp=grasp,
        thorax_risk=thorax,
    )


def parse_adverse_event(data: Mapping[str, Any], field: str = "adverse_event") -> AdverseEvent:
    errors: list[ValidationError] = []
    tier = _collect(errors, as_choice, f"{field}.tier", data.get("tier"), AE_TIERS)
    kind = _collect(errors, as_choice, f"{field}.kind", data.get("kind"), AE_KINDS)
    desc = _collect(errors, as_text, f"{field}.description", data.get("description"), max_len=500)
    if kind == "pneumothorax" and tier != "serious":
        errors.append(ValidationError(f"{field}.tier", "a pneumothorax is a serious adverse event"))
    _raise_if(errors)
    return AdverseEvent(tier=tier or "", kind=kind or "", description=desc or "")


_IMS_FLAGS = (
    "tender_motor_points",
    "paraspinal_tenderness",
    "coldness",
    "sweating",
    "goosebumps",
    "skin_rolling",
    "matchstick",
    "muscle_shortening",
)


def parse_ims_finding(data: Mapping[str, Any], field: str = "ims_finding") -> ImsFinding:
    from .. import points

    errors: list[ValidationError] = []
    level = _collect(
        errors, points.normalise_level, str(data.get("level", "")), field=f"{field}.level"
    )
    side = _collect(errors, as_choice, f"{field}.side", data.get("side") or "bilateral", SIDES)
    flags = {f: _collect(errors, as_bool, f"{field}.{f}", data.get(f, False)) for f in _IMS_FLAGS}
    notes = _collect(errors, as_text, f"{field}.notes", data.get("notes"), max_len=500)
    _raise_if(errors)
    return ImsFinding(
        level=level or "",
        side=side or "",
        notes=notes or "",
        **{k: bool(v) for k, v in flags.items()},
    )


def parse_session(
    data: Mapping[str, Any],
    *,
    now: datetime | None = None,
    site_parser: Callable[..., Site] | None = None,
) -> SessionInput:
    """Validate a whole session. Raises :class:`InvalidRecord` listing every problem.

    ``site_parser`` (default :func:`parse_site`) lets a bulk importer memoise sites.
    """
    errors: list[ValidationError] = []
    _refuse_unknown(errors, "", data, _SESSION_KEYS)
    tech = _collect(errors, as_choice, "technique", data.get("technique"), TECHNIQUES)
    patient = _collect(errors, as_int, "patient_id", data.get("patient_id"), 1)
    practitioner = _collect(errors, as_int, "practitioner_id", data.get("practitioner_id"), 1)
    episode = _collect(errors, opt_int, "episode_id", data.get("episode_id"), 1)
    started = _collect(errors, as_datetime, "started_at", data.get("started_at") or now, now=now)
    consent = _collect(errors, as_bool, "consent", data.get("consent", False))
    if consent is False:
        errors.append(
            ValidationError("consent", "informed consent must be obtained before needling")
        )
    before = _collect(errors, as_int, "pain_before", data.get("pain_before"), 0, 10)
    after = _collect(errors, opt_int, "pain_after", data.get("pain_after"), 0, 10)
    during = _collect(errors, opt_int, "pain_during", data.get("pain_during"), 0, 10)
    sore = _collect(errors, opt_int, "soreness_after", data.get("soreness_after"), 0, 10)
    face = _collect(errors, opt_int, "face_to_face_min", data.get("face_to_face_min"), 0, 480)
    style = _collect(errors, as_text, "style", data.get("style"), max_len=120)
    rationale = _collect(
        errors, as_text, "rationale", data.get("rationale"), max_len=1000, multiline=True
    )
    notes = _collect(errors, as_text, "notes", data.get("notes"), max_len=10000, multiline=True)
    co: list[str] = []
    for item in _split_list(data.get("co_interventions")):
        choice = _collect(errors, as_choice, "co_interventions", item, CO_INTERVENTIONS)
        if choice and choice not in co:
            co.append(choice)
    sought = None
    sites: list[Site] = []
    if tech:
        sought = _collect(
            errors,
            as_choice,
            "response_sought",
            data.get("response_sought") or TECHNIQUES[tech].response_sought,
            RESPONSES_SOUGHT,
        )
        raw_sites = data.get("sites") or []
        if isinstance(raw_sites, str):
            raw_sites = _split_list(raw_sites)
        if not isinstance(raw_sites, (list, tuple)):
            errors.append(ValidationError("sites", f"{raw_sites!r} is not a list of sites"))
            raw_sites = ()
        elif not raw_sites:
            errors.append(ValidationError("sites", "at least one needling site is required"))
        for i, raw in enumerate(raw_sites, start=1):
            if not isinstance(raw, (str, Mapping)):
                errors.append(ValidationError(f"sites[{i}]", f"{raw!r} is not a site"))
                continue
            site = _collect(errors, site_parser or parse_site, raw, tech, field=f"sites[{i}]")
            if site:
                sites.append(site)
    aes = [
        _collect(errors, parse_adverse_event, raw, field=f"adverse_events[{i}]")
        for i, raw in _records(errors, "adverse_events", data.get("adverse_events"))
    ]
    ims = [
        _collect(errors, parse_ims_finding, raw, field=f"ims_findings[{i}]")
        for i, raw in _records(errors, "ims_findings", data.get("ims_findings"))
    ]
    _raise_if(errors)
    assert tech and patient and practitioner and started and before is not None and sought
    return SessionInput(
        patient_id=patient,
        practitioner_id=practitioner,
        started_at=started,
        technique=tech,
        sites=tuple(sites),
        pain_before=before,
        consent=True,
        face_to_face_min=face if face is not None else _default_face_minutes(tech, sites),
        response_sought=sought,
        pain_after=after,
        pain_during=during,
        soreness_after=sore,
        episode_id=episode,
        style=style or "",
        rationale=rationale or "",
        co_interventions=tuple(co),
        adverse_events=tuple(a for a in aes if a),
        ims_findings=tuple(f for f in ims if f),
        notes=notes or "",
    )


def _default_face_minutes(tech: str, sites: list[Site]) -> int:
    # A plausible face-to-face time when none was typed: the longest retention plus
    # ten minutes of assessment and needling. Billing reports show it, so the
    # practitioner can correct it; it is never inferred silently for retention.
    longest = max((s.retention_s for s in sites), default=0)
    return 10 + longest // 60


def parse_follow_up(data: Mapping[str, Any], *, now: datetime | None = None) -> FollowUpInput:
    """Validate a follow-up: pain (and soreness) some time after a session."""
    errors: list[ValidationError] = []
    patient = _collect(errors, as_int, "patient_id", data.get("patient_id"), 1)
    record = _collect(errors, as_int, "session_record_id", data.get("session_record_id"), 1)
    at = _collect(errors, as_datetime, "at", data.get("at") or now, now=now)
    pain = _collect(errors, as_int, "pain", data.get("pain"), 0, 10)
    sore = _collect(errors, opt_int, "soreness", data.get("soreness"), 0, 10)
    groc = _collect(errors, opt_int, "groc", data.get("groc"), -7, 7)
    notes = _collect(errors, as_text, "notes", data.get("notes"), max_len=5000, multiline=True)
    aes = [
        _collect(errors, parse_adverse_event, raw, field=f"adverse_events[{i}]")
        for i, raw in _records(errors, "adverse_events", data.get("adverse_events"))
    ]
    _raise_if(errors)
    assert patient and record and at and pain is not None
    return FollowUpInput(
        patient_id=patient,
        session_record_id=record,
        at=at,
        pain=pain,
        soreness=sore,
        groc=groc,
        notes=notes or "",
        adverse_events=tuple(a for a in aes if a),
    )
