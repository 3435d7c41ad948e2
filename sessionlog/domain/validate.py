"""Turn what a user typed (CLI flags, JSON, form fields) into valid domain records.

Every problem becomes a :class:`ValidationError` naming the field (``pain_before``,
``sites[3].insertions``) and what is allowed. :func:`parse_session` collects all the
problems of a session at once so a form can show each next to its field.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from ..errors import UnknownCode, ValidationError
from .fields import (  # re-exported: callers import these from here too
    InvalidRecord as InvalidRecord,
)
from .fields import (
    _blank as _blank,
)
from .fields import (
    _collect as _collect,
)
from .fields import (
    _raise_if as _raise_if,
)
from .fields import (
    as_bool as as_bool,
)
from .fields import (
    as_choice as as_choice,
)
from .fields import (
    as_datetime as as_datetime,
)
from .fields import (
    as_float as as_float,
)
from .fields import (
    as_int as as_int,
)
from .fields import (
    as_text as as_text,
)
from .fields import (
    opt_bool as opt_bool,
)
from .fields import (
    opt_choice as opt_choice,
)
from .fields import (
    opt_float as opt_float,
)
from .fields import (
    opt_int as opt_int,
)
from .frequency import check_frequencies
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
    CO_INTERVENTION_ALIASES,
    CO_INTERVENTIONS,
    DEPTH_TISSUES,
    DEPTH_UNITS,
    DEQI_QUALITIES,
    GRASP_LEVELS,
    IMS_SIGNS,
    MUSCLE_SITE_KINDS,
    PROFESSIONS,
    RESPONSES_SOUGHT,
    RETENTION_MAX_S,
    SEXES,
    SIDES,
    SITE_KINDS,
    STIMULATIONS,
    TECHNIQUES,
)


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
    "site",
    "id",
    "session_id",
    "seq",
}
# A session's keys, plus what `sessions --json` prints besides them (ids, versions,
# derived values), so that output can be fed back as input.
_SESSION_KEYS = frozenset(f.name for f in dataclasses.fields(SessionInput)) | {
    "id",
    "session_id",
    "record_id",
    "version",
    "supersedes_id",
    "status",
    "amend_reason",
    "recorded_by",
    "recorded_at",
    "total_insertions",
    "distinct_muscles",
    "cpt_codes",
    "patient_name",
    "chart_id",
    "patient_chart_id",
    "practitioner_name",
    "site_count",
    "targets",
    "uid",
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
                natural = tech.site_kind if tech.site_kind in MUSCLE_SITE_KINDS else "motor_point"
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
    side_default = "midline" if points.is_midline(target) else None
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
    if depth is not None and length is not None and unit == "mm" and depth > length:
        errors.append(
            ValidationError(
                f"{field}.depth_value",
                f"{depth:g} mm is deeper than the needle is long ({length:g} mm)",
            )
        )
    stim = _collect(
        errors,
        as_choice,
        f"{field}.stimulation",
        data.get("stimulation") or tech.stimulation,
        STIMULATIONS,
    )
    errors_before = len(errors)
    freq = _collect(
        errors, opt_float, f"{field}.estim_frequency_hz", data.get("estim_frequency_hz"), 0.1, 200.0
    )
    freq_2 = check_frequencies(
        errors, field, freq, data.get("estim_frequency_2_hz"), len(errors) == errors_before
    )
    intensity = _collect(
        errors, as_text, f"{field}.estim_intensity", data.get("estim_intensity"), max_len=40
    )
    lead = _collect(errors, opt_int, f"{field}.estim_lead", data.get("estim_lead"), 1, 32)
    if stim and stim != "electrical":
        _refuse_stimulator_fields(errors, field, stim, freq, freq_2, intensity, lead)
    retention = _collect(
        errors,
        as_int,
        f"{field}.retention_s",
        data.get("retention_s", tech.retention_s),
        0,
        RETENTION_MAX_S,
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
        estim_frequency_2_hz=freq_2,
        estim_intensity=intensity or None,
        estim_lead=lead,
        retention_s=retention if retention is not None else 0,
        deqi_obtained=True if qualities and deqi is None else deqi,
        deqi_quality=tuple(qualities),
        twitch_count=twitch,
        grasp=grasp,
        thorax_risk=thorax,
    )


def _refuse_stimulator_fields(
    errors: list[ValidationError], field: str, stim: str, *values: Any
) -> None:
    """Frequency, intensity and lead describe the stimulator: a site that was not on it
    (its stimulation is ``stim``) has none, or the stimulation would read as everywhere."""
    names = ("estim_frequency_hz", "estim_frequency_2_hz", "estim_intensity", "estim_lead")
    for name, value in zip(names, values, strict=True):
        if value not in (None, ""):
            errors.append(
                ValidationError(
                    f"{field}.{name}",
                    f"given, but the site was not on the stimulator (stimulation is {stim})",
                )
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


def parse_ims_finding(data: Mapping[str, Any], field: str = "ims_finding") -> ImsFinding:
    from .. import points

    errors: list[ValidationError] = []
    level = _collect(
        errors, points.normalise_level, str(data.get("level", "")), field=f"{field}.level"
    )
    side = _collect(errors, as_choice, f"{field}.side", data.get("side") or "bilateral", SIDES)
    flags = {f: _collect(errors, as_bool, f"{field}.{f}", data.get(f, False)) for f in IMS_SIGNS}
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
    ims_parser: Callable[..., ImsFinding] | None = None,
) -> SessionInput:
    """Validate a whole session. Raises :class:`InvalidRecord` listing every problem.

    ``site_parser`` (default :func:`parse_site`) and ``ims_parser`` (default
    :func:`parse_ims_finding`) let a bulk importer memoise sites and IMS findings.
    """
    errors: list[ValidationError] = []
    _refuse_unknown(errors, "", data, _SESSION_KEYS)
    tech = _collect(errors, as_choice, "technique", data.get("technique"), TECHNIQUES)
    patient = _collect(errors, as_int, "patient_id", data.get("patient_id"), 1)
    practitioner = _collect(errors, as_int, "practitioner_id", data.get("practitioner_id"), 1)
    episode = _collect(errors, opt_int, "episode_id", data.get("episode_id"), 1)
    # No time given: this minute, as the form records it (a follow-up at this minute,
    # the follow-up form's own default, is not before it).
    this_minute = now.replace(second=0, microsecond=0) if now is not None else None
    started = _collect(
        errors, as_datetime, "started_at", data.get("started_at") or this_minute, now=now
    )
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
        item = CO_INTERVENTION_ALIASES.get(item.strip().lower(), item)  # moxa: moxibustion
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
    if tech and TECHNIQUES[tech].electrical and sites:
        if not any(s.stimulation == "electrical" for s in sites):
            errors.append(
                ValidationError(
                    "sites",
                    "none was on the stimulator: mark the sites that were (stimulation"
                    " electrical; in the form, e1 after a site on lead 1)",
                )
            )
    aes = [
        _collect(errors, parse_adverse_event, raw, field=f"adverse_events[{i}]")
        for i, raw in _records(errors, "adverse_events", data.get("adverse_events"))
    ]
    ims = [
        _collect(errors, ims_parser or parse_ims_finding, raw, field=f"ims_findings[{i}]")
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
        face_to_face_min=face,
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
