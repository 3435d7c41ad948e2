"""Converting between domain records and database rows (no SQL here)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypedDict, cast

from ..domain.techniques import IMS_SIGNS

if TYPE_CHECKING:  # the domain's dataclasses load when first used, not with the store
    from ..domain.models import AdverseEvent, ImsFinding, SessionInput, Site

# What an audit row's detail may hold (Store.log_event): what JSON can write.
JsonValue = str | int | float | bool | None | Sequence["JsonValue"] | Mapping[str, "JsonValue"]

SITE_COLUMNS = (
    "kind",
    "target",
    "side",
    "insertions",
    "depth_value",
    "depth_unit",
    "depth_tissue",
    "needle_diameter_mm",
    "needle_length_mm",
    "needle_material",
    "stimulation",
    "estim_frequency_hz",
    "estim_intensity",
    "retention_s",
    "deqi_obtained",
    "deqi_quality",
    "twitch_count",
    "grasp",
    "thorax_risk",
    # Schema 0003 added it at the table's end; the export format has the same order.
    "estim_frequency_2_hz",
    # Schema 0007: the lead a stimulated site was on (sites sharing one were paired).
    "estim_lead",
)
IMS_COLUMNS = ("level", "side", *IMS_SIGNS, "notes")
SESSION_COLUMNS = (
    "patient_id",
    "practitioner_id",
    "episode_id",
    "started_at",
    "technique",
    "style",
    "rationale",
    "response_sought",
    "consent",
    "pain_before",
    "pain_after",
    "pain_during",
    "soreness_after",
    "face_to_face_min",
    "co_interventions",
    "notes",
)


class StoredSite(TypedDict):
    """A stored site, in the shape :func:`~sessionlog.domain.parse_site` accepts back."""

    kind: str
    target: str
    side: str
    insertions: int
    depth_value: float | None
    depth_unit: str | None
    depth_tissue: str | None
    needle_diameter_mm: float | None
    needle_length_mm: float | None
    needle_material: str | None
    stimulation: str
    estim_frequency_hz: float | None
    estim_intensity: str | None
    retention_s: int
    deqi_obtained: bool | None
    deqi_quality: str
    twitch_count: int | None
    grasp: str | None
    thorax_risk: bool
    estim_frequency_2_hz: float | None
    estim_lead: int | None


class AdverseEventRow(TypedDict):
    tier: str
    kind: str
    description: str


class SessionVersion(TypedDict):
    """One version of a session as the ``session`` table holds it (an amendment adds a
    version; ``status`` says whether it is current, amended or void)."""

    id: int
    record_id: int
    version: int
    supersedes_id: int | None
    status: str
    amend_reason: str | None
    patient_id: int
    practitioner_id: int
    episode_id: int | None
    started_at: str
    technique: str
    style: str
    rationale: str
    response_sought: str
    pain_before: int
    pain_after: int | None
    pain_during: int | None
    soreness_after: int | None
    face_to_face_min: int | None
    notes: str
    recorded_by: int
    recorded_at: str


# One IMS finding (IMS_COLUMNS): level, side and notes as text, each sign a boolean.
ImsFindingRow = dict[str, str | bool | None]


class StoredSession(SessionVersion):
    """A session in full: its version's columns (``consent`` and ``co_interventions``
    decoded), its sites, adverse events and IMS findings, and the derived values."""

    consent: bool
    co_interventions: list[str]
    sites: list[StoredSite]
    adverse_events: list[AdverseEventRow]
    ims_findings: list[ImsFindingRow]
    total_insertions: int
    distinct_muscles: int
    cpt_codes: list[str]


class ListedSession(SessionVersion):
    """A session as the lists show it: its version's columns (``consent`` as stored, 0
    or 1; ``co_interventions`` as JSON text) with whose it is and a summary of its sites."""

    consent: int
    co_interventions: str
    chart_id: str
    patient_name: str
    practitioner_name: str
    complaint: str | None  # the episode of care it is filed under (None: none)
    body_region: str | None
    episode_started_on: str | None
    site_count: int
    targets: str | None


class FollowUpRow(TypedDict):
    """A stored follow-up (the ``follow_up`` table; the current ones are those of the
    ``current_follow_up`` view)."""

    id: int
    patient_id: int
    session_record_id: int
    supersedes_id: int | None
    status: str
    amend_reason: str | None
    at: str
    pain: int
    soreness: int | None
    groc: int | None
    notes: str
    recorded_by: int
    recorded_at: str


# One site of a protocol as the form had it (the entry language's raw fields: target,
# side, insertions...), JSON in the ``protocol`` table.
ProtocolSite = dict[str, object]


class ProtocolRow(TypedDict):
    """A practitioner's saved group of sites, with the sites decoded."""

    id: int
    practitioner_id: int
    name: str
    technique: str
    sites: list[ProtocolSite]
    created_at: str


def stamp(moment: datetime) -> str:
    """The one text form of a moment in the database: ``2026-11-22 14:30:00``."""
    return moment.replace(microsecond=0, tzinfo=None).isoformat(sep=" ")


def _fields(obj: Any, columns: tuple[str, ...]) -> dict[str, Any]:
    # Not dataclasses.asdict: it deep-copies every nested record (a session's sites
    # too) and cost ~0.4 ms of a 1 ms save of a session with 8 sites.
    return {c: getattr(obj, c) for c in columns}


# A row's values read in one call each (a site's 21 attributes: 5 us instead of 15).
_SITE_GET = attrgetter(*SITE_COLUMNS)
_SESSION_GET = attrgetter(*SESSION_COLUMNS)
_DEQI, _QUALITY, _THORAX = (
    SITE_COLUMNS.index(c) for c in ("deqi_obtained", "deqi_quality", "thorax_risk")
)
_STARTED, _CONSENT, _CO = (
    SESSION_COLUMNS.index(c) for c in ("started_at", "consent", "co_interventions")
)


def site_values(site: Site) -> tuple[Any, ...]:
    v = list(_SITE_GET(site))
    v[_DEQI] = None if site.deqi_obtained is None else int(site.deqi_obtained)
    v[_QUALITY] = ",".join(site.deqi_quality)
    v[_THORAX] = int(site.thorax_risk)
    return tuple(v)


def ims_values(finding: ImsFinding) -> tuple[Any, ...]:
    d = _fields(finding, IMS_COLUMNS)
    return tuple(int(v) if isinstance(v, bool) else v for v in (d[c] for c in IMS_COLUMNS))


def ae_values(event: AdverseEvent) -> tuple[str, str, str]:
    return (event.tier, event.kind, event.description)


def session_values(s: SessionInput) -> tuple[Any, ...]:
    v = list(_SESSION_GET(s))
    v[_STARTED] = stamp(s.started_at)
    v[_CONSENT] = int(s.consent)
    v[_CO] = json.dumps(list(s.co_interventions))
    return tuple(v)


def site_from_row(row: dict[str, Any]) -> StoredSite:
    """A stored site as a plain dict, in the shape :func:`parse_site` accepts back."""
    out = {c: row[c] for c in SITE_COLUMNS}
    out["deqi_obtained"] = None if row["deqi_obtained"] is None else bool(row["deqi_obtained"])
    out["thorax_risk"] = bool(row["thorax_risk"])
    out["deqi_quality"] = row["deqi_quality"] or ""
    return cast(StoredSite, out)


def decorate_session(row: dict[str, Any], sites: list[StoredSite]) -> dict[str, Any]:
    """Add the derived values to a stored session: insertions, muscles, CPT codes."""
    # Imported here: the app opens the store before its first frame, which needs none
    # of the domain's dataclasses (building them is ~7 ms of start-up).
    from ..domain.models import Site, distinct_muscles, suggest_cpt, total_insertions

    out = dict(row)
    out["co_interventions"] = json.loads(row["co_interventions"])
    out["consent"] = bool(row["consent"])
    out["sites"] = sites
    site_objs = [
        Site(**{**cast("dict[str, Any]", s), "deqi_quality": _qualities(s["deqi_quality"])})
        for s in sites
    ]
    out["total_insertions"] = total_insertions(site_objs)
    out["distinct_muscles"] = distinct_muscles(site_objs)
    out["cpt_codes"] = suggest_cpt(row["technique"], site_objs, row["face_to_face_min"])
    return out


def _qualities(text: str) -> tuple[str, ...]:
    """The De Qi qualities stored as ``ache,heaviness``."""
    return tuple(filter(None, text.split(",")))
