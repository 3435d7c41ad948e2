"""What a needling session, a needling site, a follow-up and the people are.

Plain dataclasses with no I/O. Values here are already validated and canonical:
build them through :mod:`sessionlog.domain.validate`, which says what is wrong with
bad input, field by field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .techniques import MUSCLE_SITE_KINDS, SIDES_NEEDLED, TECHNIQUES


@dataclass(frozen=True)
class Practitioner:
    name: str
    profession: str
    credential: str = ""


@dataclass(frozen=True)
class Patient:
    chart_id: str
    name: str
    birth_year: int | None = None
    sex: str = "unknown"


@dataclass(frozen=True)
class Episode:
    """An episode of care: one complaint in one body region, over many sessions."""

    patient_id: int
    complaint: str
    body_region: str
    started_on: str  # ISO date


@dataclass(frozen=True)
class Site:
    """One needling site: a point, a muscle's trigger or motor point, or a spinal level.

    ``target`` is the catalogue's canonical code (``LI4``, ``upper trapezius``,
    ``L4-L5``), or a free description for ashi and other sites. ``insertions`` is per
    side: a bilateral site with 2 had 2 needles on each side (see :func:`site_insertions`).
    """

    kind: str
    target: str
    side: str
    insertions: int = 1
    depth_value: float | None = None
    depth_unit: str | None = None
    depth_tissue: str | None = None
    needle_diameter_mm: float | None = None
    needle_length_mm: float | None = None
    needle_material: str | None = None
    stimulation: str = "none"
    estim_frequency_hz: float | None = None
    estim_frequency_2_hz: float | None = None  # the high one of a 2/100 Hz pair
    estim_intensity: str | None = None
    # Sites with the same lead were paired on one lead of the stimulator (None: not
    # given). Frequency, intensity and lead belong to stimulated sites only.
    estim_lead: int | None = None
    retention_s: int = 0
    deqi_obtained: bool | None = None
    deqi_quality: tuple[str, ...] = ()
    twitch_count: int | None = None
    grasp: str | None = None
    thorax_risk: bool = False


@dataclass(frozen=True)
class AdverseEvent:
    tier: str
    kind: str
    description: str = ""


@dataclass(frozen=True)
class ImsFinding:
    """IMS assessment at one spinal segment: signs of neuropathic (radiculopathic) pain."""

    level: str
    side: str
    tender_motor_points: bool = False
    paraspinal_tenderness: bool = False
    coldness: bool = False
    sweating: bool = False
    goosebumps: bool = False
    skin_rolling: bool = False
    matchstick: bool = False
    muscle_shortening: bool = False
    notes: str = ""


@dataclass(frozen=True)
class SessionInput:
    """A complete, valid needling session ready to be saved."""

    patient_id: int
    practitioner_id: int
    started_at: datetime
    technique: str
    sites: tuple[Site, ...]
    pain_before: int
    consent: bool
    face_to_face_min: int | None  # None: not recorded (never guessed from the retention)
    response_sought: str
    pain_after: int | None = None
    pain_during: int | None = None
    soreness_after: int | None = None
    episode_id: int | None = None
    style: str = ""
    rationale: str = ""
    co_interventions: tuple[str, ...] = ()
    adverse_events: tuple[AdverseEvent, ...] = ()
    ims_findings: tuple[ImsFinding, ...] = ()
    notes: str = ""

    @property
    def family(self) -> str:
        return TECHNIQUES[self.technique].family

    @property
    def total_insertions(self) -> int:
        return total_insertions(self.sites)

    @property
    def distinct_muscles(self) -> int:
        return distinct_muscles(self.sites)

    @property
    def cpt_codes(self) -> list[str]:
        return suggest_cpt(self.technique, self.sites, self.face_to_face_min)


@dataclass(frozen=True)
class FollowUpInput:
    """Pain and soreness some time after a session, linked to the session it follows."""

    patient_id: int
    session_record_id: int
    at: datetime
    pain: int
    soreness: int | None = None
    groc: int | None = None  # global rating of change, -7..+7
    notes: str = ""
    adverse_events: tuple[AdverseEvent, ...] = field(default=())


def site_insertions(site: Site) -> int:
    """Needle insertions at one site: its insertions per side, twice for a bilateral site."""
    return site.insertions * SIDES_NEEDLED[site.side]


def total_insertions(sites: tuple[Site, ...] | list[Site]) -> int:
    """Number of needle insertions in a session (STRICTA 2a), both sides of a bilateral
    site counted: ST36 bilateral and EX-HN3 (midline) are 3."""
    return sum(site_insertions(s) for s in sites)


def distinct_muscles(sites: tuple[Site, ...] | list[Site]) -> int:
    """Distinct muscles needled (trigger and motor points), as US billing counts them."""
    return len({s.target.lower() for s in sites if s.kind in MUSCLE_SITE_KINDS})


def suggest_cpt(
    technique_key: str, sites: tuple[Site, ...] | list[Site], face_min: int | None
) -> list[str]:
    """Suggest US CPT codes for a session.

    Dry needling and IMS bill by distinct muscles: 20560 for 1-2, 20561 for 3 or more
    (never with the acupuncture codes). Acupuncture bills by 15-minute units of
    face-to-face time, not needle retention: an initial unit (97810 manual, 97813
    electrical) and one add-on (97811 / 97814) for each further 15 minutes, counting a
    further unit once at least 8 minutes of it were spent (the usual 8-minute rule).
    Without a face-to-face time (None) acupuncture suggests nothing: see :func:`cpt_hint`.
    """
    tech = TECHNIQUES[technique_key]
    if tech.family in ("dry_needling", "ims"):
        muscles = distinct_muscles(sites)
        if tech.family == "ims":
            # IMS paraspinal levels are needled into the multifidi: count each level
            # as a muscle site when no named muscle was recorded.
            muscles = max(muscles, len({s.target for s in sites}))
        if muscles == 0:
            return []
        return ["20560"] if muscles <= 2 else ["20561"]
    if face_min is None or face_min <= 0:
        return []
    initial, addon = ("97813", "97814") if tech.electrical else ("97810", "97811")
    extra_units = max(0, (face_min - 15 + 7) // 15) if face_min > 15 else 0
    return [initial] + [addon] * extra_units


def cpt_hint(technique_key: str, sites: tuple[Site, ...] | list[Site], face_min: int | None) -> str:
    """The CPT suggestion in words: the codes, or why there are none (acupuncture without
    a face-to-face time: it bills by time, and a time is never guessed)."""
    codes = suggest_cpt(technique_key, sites, face_min)
    if codes:
        return ", ".join(codes)
    if TECHNIQUES[technique_key].family == "acupuncture" and face_min is None:
        return "none until the face-to-face time is recorded (acupuncture bills by time)"
    return "none"
