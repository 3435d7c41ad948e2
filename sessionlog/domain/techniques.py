"""The needling techniques sessionlog knows, their families and their defaults.

A technique's defaults are what a practitioner would otherwise type every time:
acupuncture retains needles about 20 minutes and seeks De Qi; dry needling is in and
out (no retention) and seeks a local twitch; Gunn IMS holds each needle a few seconds
and seeks the muscle's grasp.
"""

from __future__ import annotations

from dataclasses import dataclass

FAMILIES = ("acupuncture", "dry_needling", "ims")

# A technique's label is its one name wherever a user reads it (the form's picker, the
# tables, the history, compare, reports, the CLI's text): "IMS" as its family is named,
# never "Gunn IMS" in one place and "ims" in another.
FAMILY_LABELS = {
    "acupuncture": "Acupuncture",
    "dry_needling": "Dry needling",
    "ims": "IMS",
}


@dataclass(frozen=True)
class Technique:
    key: str
    label: str
    family: str
    response_sought: str  # "deqi" | "twitch" | "grasp"
    retention_s: int
    site_kind: str  # default kind of site typed for this technique
    stimulation: str  # default needle stimulation
    electrical: bool = False


TECHNIQUES: dict[str, Technique] = {
    t.key: t
    for t in (
        Technique(
            "acupuncture",
            "Acupuncture",
            "acupuncture",
            "deqi",
            20 * 60,
            "acupuncture_point",
            "manual_even",
        ),
        Technique(
            "electroacupuncture",
            "Electro-acupuncture",
            "acupuncture",
            "deqi",
            20 * 60,
            "acupuncture_point",
            "electrical",
            electrical=True,
        ),
        Technique(
            "dry_needling",
            "Dry needling",
            "dry_needling",
            "twitch",
            0,
            "trigger_point",
            "pistoning",
        ),
        Technique(
            "electrical_dry_needling",
            "Electrical dry needling",
            "dry_needling",
            "twitch",
            10 * 60,
            "trigger_point",
            "electrical",
            electrical=True,
        ),
        Technique("ims", "IMS", "ims", "grasp", 5, "paraspinal", "manual_even"),
    )
}


def group_label(key: str) -> str:
    """A readable name for a family or technique key (an unknown key as it is)."""
    if key in FAMILY_LABELS:
        return FAMILY_LABELS[key]
    return TECHNIQUES[key].label if key in TECHNIQUES else key


SITE_KINDS = ("acupuncture_point", "trigger_point", "motor_point", "paraspinal", "ashi", "other")
SIDES = ("left", "right", "bilateral", "midline")
# A site's insertions are per side (``st36 b x2``: two on each side); a bilateral site
# is needled on both, so it counts twice in a session's number of insertions.
SIDES_NEEDLED = {"left": 1, "right": 1, "bilateral": 2, "midline": 1}
STIMULATIONS = (
    "none",
    "manual_even",
    "tonify",
    "sedate",
    "rotation",
    "lifting_thrusting",
    "pistoning",
    "fanning",
    "electrical",
)
RESPONSES_SOUGHT = ("deqi", "twitch", "grasp", "none")
GRASP_LEVELS = ("none", "mild", "strong")
# The eight signs of an IMS finding at a spinal segment (Gunn's signs of neuropathic
# pain), each a yes/no column of ims_finding: declared here once; the finding's
# dataclass, its validation, its row, the export's columns and the form's toggles
# follow this order (tests/test_domain.py holds the dataclass and the schema to it).
IMS_SIGNS = (
    "tender_motor_points",
    "paraspinal_tenderness",
    "coldness",
    "sweating",
    "goosebumps",
    "skin_rolling",
    "matchstick",
    "muscle_shortening",
)
DEQI_QUALITIES = ("heaviness", "ache", "distension", "tingling", "warmth", "numbness", "soreness")
DEPTH_UNITS = ("mm", "cun")
RETENTION_MAX_S = 4 * 3600  # the longest needle retention a site may record
DEPTH_TISSUES = ("subcutaneous", "fascia", "muscle", "periosteum")
AE_TIERS = ("mild", "significant", "serious")
AE_KINDS = (
    "bruising",
    "bleeding",
    "pain",
    "aggravation",
    "drowsiness",
    "faintness",
    "nausea",
    "headache",
    "fatigue",
    "pneumothorax",
    "infection",
    "nerve_injury",
    "retained_needle",
    "other",
)
CO_INTERVENTIONS = (
    "exercise",
    "manual_therapy",
    "heat",
    "cupping",
    "moxibustion",
    "taping",
    "education",
    "massage",
    "other",
)
# Other names people type for a co-intervention.
CO_INTERVENTION_ALIASES = {"moxa": "moxibustion", "manual": "manual_therapy", "cups": "cupping"}
PROFESSIONS = ("acupuncturist", "physiotherapist", "chiropractor", "physician", "other")
SEXES = ("female", "male", "other", "unknown")
BODY_REGIONS = (
    "head",
    "neck",
    "shoulder",
    "upper_back",
    "low_back",
    "arm",
    "elbow",
    "wrist_hand",
    "chest",
    "abdomen",
    "hip",
    "knee",
    "leg",
    "ankle_foot",
    "multiple",
    "other",
)

# Site kinds that name a muscle: these are the "distinct muscles" US billing counts.
MUSCLE_SITE_KINDS = ("trigger_point", "motor_point")


def technique(key: str) -> Technique:
    """Return the technique named ``key``; raises KeyError for an unknown one."""
    return TECHNIQUES[key]
