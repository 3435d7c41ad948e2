"""The generated clinic's fixed data: names, complaints and how relief behaves.

Kept here rather than imported from ``sessionlog.demo``: the cached databases are keyed
by the generator's version, so what they hold must change only when this package does.
The values started as the demo clinic's (six months, 42 patients) and follow what
DOMAIN.md summarises: dry needling gives the largest immediate relief, which fades
within days; acupuncture less at once, kept longer; IMS in between.
"""

from __future__ import annotations

from dataclasses import dataclass

FIRST = [
    "Ava",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Isla",
    "Jonah",
    "Kira",
    "Liam",
    "Maya",
    "Noah",
    "Olive",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tess",
    "Umar",
    "Vera",
    "Wes",
    "Xin",
    "Yara",
    "Zane",
    "Amara",
    "Bruno",
    "Cleo",
    "Dara",
    "Emil",
    "Freya",
    "Gus",
    "Hana",
    "Ivo",
    "Jade",
    "Kofi",
    "Lena",
    "Mateo",
    "Nina",
]
LAST = [
    "Abbott",
    "Brennan",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fong",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Patel",
    "Quigley",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Usman",
    "Varga",
    "Walsh",
    "Young",
    "Zhou",
]


@dataclass(frozen=True)
class Complaint:
    name: str
    region: str
    points: tuple[str, ...]  # acupuncture points (bilateral unless midline)
    muscles: tuple[str, ...]  # dry-needling trigger points
    levels: tuple[str, ...]  # IMS paraspinal levels
    motor: tuple[str, ...]  # IMS motor points


COMPLAINTS = [
    Complaint(
        "chronic neck pain",
        "neck",
        ("GB20", "GB21", "SI3", "LI4", "TE5", "BL10", "GV14", "SI14"),
        ("upper trapezius", "levator scapulae", "splenius capitis", "suboccipitals"),
        ("C4-C5", "C5-C6", "C6-C7"),
        ("upper trapezius", "levator scapulae", "infraspinatus"),
    ),
    Complaint(
        "low back pain",
        "low_back",
        ("BL23", "BL25", "BL40", "GB30", "KI3", "GV4", "BL60", "BL52"),
        ("quadratus lumborum", "gluteus medius", "lumbar multifidus", "piriformis"),
        ("L3-L4", "L4-L5", "L5-S1"),
        ("gluteus medius", "piriformis", "gluteus maximus"),
    ),
    Complaint(
        "shoulder pain",
        "shoulder",
        ("LI15", "TE14", "SI9", "SI11", "LI4", "ST38", "GB34"),
        ("infraspinatus", "supraspinatus", "upper trapezius", "teres minor"),
        ("C4-C5", "C5-C6"),
        ("infraspinatus", "supraspinatus", "middle deltoid"),
    ),
    Complaint(
        "knee osteoarthritis",
        "knee",
        ("ST35", "EX-LE5", "ST36", "SP9", "GB34", "SP10", "ST34"),
        ("vastus medialis", "vastus lateralis", "rectus femoris"),
        ("L2-L3", "L3-L4", "L4-L5"),
        ("vastus medialis", "rectus femoris", "adductor longus"),
    ),
    Complaint(
        "tension-type headache",
        "head",
        ("GB20", "EX-HN5", "EX-HN3", "LI4", "LR3", "GV20", "GB8"),
        ("upper trapezius", "sternocleidomastoid", "temporalis", "suboccipitals"),
        ("C1-C2", "C2-C3", "C3-C4"),
        ("upper trapezius", "splenius capitis"),
    ),
    Complaint(
        "lateral elbow pain",
        "elbow",
        ("LI11", "LI10", "LI4", "TE5", "LU5", "LI12"),
        (
            "extensor carpi radialis brevis",
            "extensor carpi radialis longus",
            "supinator",
            "brachioradialis",
        ),
        ("C5-C6", "C6-C7"),
        ("extensor carpi radialis brevis", "supinator"),
    ),
]


@dataclass(frozen=True)
class Profile:
    """How a technique's relief behaves: immediate size, retention and its time scale."""

    immediate: float  # mean immediate relief in points
    retained: float  # fraction kept in the long run
    tau_days: float  # how fast the rest fades
    carry: float  # lasting improvement each session adds to the underlying pain
    soreness: float  # soreness right after, 0-10
    soreness_tau_h: float


PROFILES = {
    "dry_needling": Profile(
        3.2, retained=0.10, tau_days=6.0, carry=0.12, soreness=5.5, soreness_tau_h=30.0
    ),
    "ims": Profile(
        2.6, retained=0.45, tau_days=10.0, carry=0.30, soreness=4.0, soreness_tau_h=20.0
    ),
    "acupuncture": Profile(
        1.6, retained=0.85, tau_days=30.0, carry=0.45, soreness=1.0, soreness_tau_h=8.0
    ),
}
