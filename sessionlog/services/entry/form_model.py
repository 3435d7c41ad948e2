"""What the session form holds, and how it becomes the raw dict the domain validates.

The form keeps each site as only what was typed for it (``SiteRow.raw``) and the
technique's settings once (retention, stimulation, De Qi): a site inherits the
settings unless it says otherwise, so changing the technique or the retention after
typing the sites still applies. A site read from a saved session keeps as its own
every value the row would change, none included (``estim_frequency_hz: None``: this
site had no Hz, whatever the row's), so a correction or a repeat saves each site as
it was (:func:`own_values`). :func:`build_raw` makes the dict for
:func:`~sessionlog.domain.parse_session`; :func:`state_from_session` goes the other
way for "repeat last session" and for amendments. No Textual here.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...domain import parse_site
from ...domain.frequency import frequency_input
from ...domain.techniques import TECHNIQUES
from ...errors import ValidationError
from .needle_depth import DEPTH_KEYS, NEEDLE_KEYS, common_settings, override, settings_fields
from .stricta import Details, details_from_session
from .technique_settings import (
    FREQUENCY_KEYS,
    STIMULATOR_KEYS,
    manual_stimulation,
    retention_unit,
    setting_fields,
)

# Fields of a stored session the form shows as text inputs, in the order shown.
TEXT_FIELDS = (
    "started_at", "pain_before", "pain_during", "pain_after", "soreness_after",
    "face_to_face_min", "co_interventions", "notes",
)  # fmt: skip
# Fields the form does not show but must carry through an amendment or a repeat.
CARRIED = ("episode_id",)
# Per-site fields that come from the settings unless a site has its own value.
INHERITED = ("retention_s", "stimulation", "estim_frequency_hz", "estim_frequency_2_hz")


def family(technique: str) -> str:
    return TECHNIQUES[technique].family if technique in TECHNIQUES else "acupuncture"


@dataclass
class Settings:
    """The technique's settings as typed (text), applied to every site."""

    retention: str = ""
    stimulation: str = ""
    estim_hz: str = ""
    deqi: str = ""  # acupuncture: "y", "n" or blank (not recorded)
    deqi_quality: str = ""
    needle: str = ""  # ``0.25x30 steel``: blank unless typed, a size is never invented
    depth: str = ""  # ``15``, ``1cun``, ``30 muscle``


def default_settings(technique: str) -> Settings:
    tech = TECHNIQUES[technique]
    seconds = tech.retention_s
    retention = str(seconds // 60) if retention_unit(technique) == "min" else str(seconds)
    return Settings(retention=retention, stimulation=manual_stimulation(technique))


@dataclass
class SiteRow:
    """One site of the form: what was typed for it (a key set to None: the site has
    none of it, not the row's), and what the catalogue says it is."""

    raw: dict[str, Any]
    label: str
    kind: str
    thorax_risk: bool


@dataclass
class FormState:
    technique: str
    settings: Settings
    sites: list[SiteRow] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    adverse: str = ""
    consent: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    # Style, rationale and IMS findings: edited in the details panel (F4).
    details: Details = field(default_factory=Details)


def site_defaults(settings: Settings, technique: str) -> dict[str, Any]:
    """What a site of this form inherits from the settings.

    Only valid settings reach the sites: a bad one is named once, under the settings
    (see :func:`~.technique_settings.setting_problems`), rather than once per site.
    """
    out = setting_fields(settings, technique)
    out.update(settings_fields(settings.needle, settings.depth, technique))
    return out


def merged_site(raw: dict[str, Any], settings: Settings, technique: str) -> dict[str, Any]:
    merged = {**override(raw, site_defaults(settings, technique)), **raw}
    if raw.get(FREQUENCY_KEYS[0]) not in (None, "") and FREQUENCY_KEYS[1] not in raw:
        merged.pop(FREQUENCY_KEYS[1], None)  # the site's own 2 Hz: not the row's 2/100
    if "deqi_obtained" in raw and "deqi_quality" not in raw:
        merged.pop("deqi_quality", None)  # the site's own "n" must not inherit a quality
    if merged.get("stimulation") != "electrical":
        for key in STIMULATOR_KEYS:  # the row's Hz are the stimulator's: not this site's
            if key not in raw:
                merged.pop(key, None)
    return merged


def describe_site(
    raw: dict[str, Any], settings: Settings, technique: str, field_name: str = "site"
) -> SiteRow:
    """Validate one typed site against the catalogue; its target becomes the canonical code.

    Raises the domain's ValidationError (or InvalidRecord) for an unknown code or value.
    """
    site = parse_site(merged_site(raw, settings, technique), technique, field=field_name)
    clean = dict(raw)
    clean["target"] = site.target
    if site.kind == "ashi":
        label = f"ashi: {site.target}"
    else:
        from ... import points

        label = points.resolve(site.target).label
    if "side" not in clean:
        clean["side"] = site.side
    return SiteRow(raw=clean, label=label, kind=site.kind, thorax_risk=site.thorax_risk)


def parse_adverse_text(text: str) -> list[dict[str, str]]:
    """``mild bruising; serious pneumothorax: left apex`` -> tier, kind, description dicts."""
    events = []
    for item in (p.strip() for p in text.replace("\n", ";").split(";")):
        if not item:
            continue
        head, _, description = item.partition(":")
        words = head.split()
        tier = words[0] if len(words) > 1 else ""
        kind = "_".join(words[1:]) if len(words) > 1 else head.strip()
        events.append({"tier": tier, "kind": kind, "description": description.strip()})
    return events


def adverse_to_text(events: list[dict[str, Any]]) -> str:
    parts = []
    for e in events:
        text = f"{e['tier']} {e['kind']}"
        parts.append(text + (f": {e['description']}" if e.get("description") else ""))
    return "; ".join(parts)


def build_raw(state: FormState, *, patient_id: int, practitioner_id: int) -> dict[str, Any]:
    """The raw session dict for :func:`~sessionlog.domain.parse_session`."""
    raw: dict[str, Any] = {k: v for k, v in state.extra.items() if k in CARRIED}
    raw.update({k: state.fields.get(k, "") for k in TEXT_FIELDS})
    raw.update(state.details.raw())
    raw.update(
        patient_id=patient_id,
        practitioner_id=practitioner_id,
        technique=state.technique,
        consent=state.consent,
        sites=[merged_site(s.raw, state.settings, state.technique) for s in state.sites],
        adverse_events=parse_adverse_text(state.adverse),
    )
    return raw


def _row_raw(stored: dict[str, Any], settings_values: dict[str, Any]) -> dict[str, Any]:
    raw = {
        k: v
        for k, v in stored.items()
        if v not in (None, "") and k != "thorax_risk" and k not in ("kind",)
    }
    if stored.get("kind") in ("ashi", "other"):
        raw["kind"] = stored["kind"]
    for key in INHERITED:
        if key in FREQUENCY_KEYS:
            continue
        if key in raw and raw[key] == settings_values.get(key):
            del raw[key]  # inherited from the settings: follows them when they change
    pair = [stored.get(k) for k in FREQUENCY_KEYS]
    if pair[0] is not None and pair == [settings_values.get(k) for k in FREQUENCY_KEYS]:
        for key in FREQUENCY_KEYS:
            raw.pop(key, None)  # the settings row's frequency (pair): inherited
    if raw.get("insertions") == 1:
        del raw["insertions"]
    for keys in (NEEDLE_KEYS, DEPTH_KEYS):
        if any(k in settings_values for k in keys) and all(
            raw.get(k) == settings_values.get(k) for k in keys
        ):
            for key in keys:
                raw.pop(key, None)  # the settings row's needle (depth): inherited
    return raw


# Fields a site takes from the settings row together, or has all of its own.
GROUPS = (FREQUENCY_KEYS, NEEDLE_KEYS, DEPTH_KEYS)


def own_values(
    raw: dict[str, Any], stored: Mapping[str, Any], settings: Settings, technique: str
) -> dict[str, Any]:
    """``raw`` (a stored site as the form keeps it) with, as the site's own, each field
    the settings row would give it otherwise than ``stored``: a site's "no Hz" (None)
    is its own too, or the row's Hz would reach it when the session is corrected
    (review: a site on the stimulator with no Hz took the other site's 2 Hz). A field
    of a group (the Hz pair, the needle, the depth) brings the whole group."""
    try:
        want = parse_site(stored, technique)
        got = parse_site(merged_site(raw, settings, technique), technique)
    except ValidationError:
        return raw  # no longer valid as stored: saving names the problem
    for name in (f.name for f in dataclasses.fields(want) if f.name != "thorax_risk"):
        if getattr(want, name) != getattr(got, name):
            for key in next((g for g in GROUPS if name in g), (name,)):
                raw[key] = stored.get(key)
    return raw


def _text(value: Any) -> str:
    """A stored number as the form shows it: blank for None (never recorded), 0 as 0."""
    return "" if value is None else str(value)


RESPONSE_KEYS = ("deqi_obtained", "deqi_quality", "twitch_count", "grasp")


def state_from_session(stored: Mapping[str, Any], *, with_outcomes: bool) -> FormState:
    """A form state from a stored session (``Store.session`` / ``last_session``).

    ``with_outcomes`` keeps pain scores, consent, adverse events, notes and IMS
    findings (an amendment); without it (repeat last session) only what was done comes:
    the sites, settings, co-interventions, style and rationale. IMS findings are that
    day's assessment, like the responses, and are never copied to a new session.
    """
    technique = stored["technique"]
    settings = default_settings(technique)
    first = stored["sites"][0] if stored.get("sites") else {}
    settings_values: dict[str, Any] = {}
    if first:
        seconds = int(first.get("retention_s") or 0)
        unit = retention_unit(technique)
        if unit == "s" or seconds % 60 == 0:
            settings.retention = str(seconds // 60 if unit == "min" else seconds)
            settings_values["retention_s"] = seconds
        # The row's stimulation is that of the sites off the stimulator; its Hz the
        # most common of the sites on it.
        manual = [x for x in stored["sites"] if x.get("stimulation") != "electrical"]
        on = [x for x in stored["sites"] if x.get("stimulation") == "electrical"]
        settings.stimulation = (manual[0] if manual else {}).get("stimulation") or (
            settings.stimulation
        )
        settings_values["stimulation"] = settings.stimulation
        pairs = [tuple(x.get(k) for k in FREQUENCY_KEYS) for x in on]
        pairs = [p for p in pairs if p[0] is not None]
        if pairs:  # the most common on the stimulator; a site with other Hz keeps its own
            pair = Counter(pairs).most_common(1)[0][0]
            settings.estim_hz = frequency_input(*pair)
            settings_values.update(zip(FREQUENCY_KEYS, pair, strict=True))
    settings.needle, settings.depth, common = common_settings(stored.get("sites") or [])
    settings_values.update(common)
    rows = []
    for s in stored.get("sites", []):
        from ... import points

        raw = own_values(_row_raw(s, settings_values), s, settings, technique)
        if not with_outcomes:
            # A repeat copies what was done, never what happened: De Qi, twitches and
            # grasp are this session's responses and start blank, or last time's
            # responses would be recorded as today's.
            for key in RESPONSE_KEYS:
                raw.pop(key, None)
        label = (
            f"ashi: {s['target']}"
            if s["kind"] == "ashi"
            else (points.resolve(s["target"]).label if s["kind"] != "other" else s["target"])
        )
        rows.append(
            SiteRow(raw=raw, label=label, kind=s["kind"], thorax_risk=bool(s["thorax_risk"]))
        )
    fields = {
        "face_to_face_min": _text(stored.get("face_to_face_min")),
        "co_interventions": ", ".join(stored.get("co_interventions") or []),
    }
    state = FormState(
        technique=technique,
        settings=settings,
        sites=rows,
        fields=fields,
        extra={k: stored.get(k) for k in CARRIED if stored.get(k) not in (None, "", [])},
        details=details_from_session(stored, with_findings=with_outcomes),
    )
    if with_outcomes:
        for key in ("pain_before", "pain_during", "pain_after", "soreness_after"):
            value = stored.get(key)
            state.fields[key] = _text(value)
        state.fields["started_at"] = str(stored["started_at"])[:16]
        state.fields["notes"] = stored.get("notes") or ""
        state.adverse = adverse_to_text(stored.get("adverse_events") or [])
        state.consent = bool(stored.get("consent"))
    return state
