"""A realistic, deterministic demo clinic: three practitioners, forty-odd patients,
six months of sessions of all three techniques, and irregular follow-ups.

The relief patterns follow what DOMAIN.md summarises from the literature, so the
outcome screens have something true to show: dry needling gives the largest immediate
relief, which fades within days to weeks; acupuncture gives less at once but keeps most
of it; IMS lies between. Soreness after needling is highest after dry needling with
twitches, lower after IMS, slight after acupuncture. About one dry-needling session in
six has a mild adverse event.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from .domain import parse_follow_up, parse_patient, parse_practitioner, parse_session
from .domain.models import Episode
from .errors import SessionlogError
from .services import auth
from .store import Store

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
# The sex a demo patient's first name reads as ("Hana Garcia · male" read as a mistake);
# names not here (Quinn, Sami, Xin...) are given either.
FEMALE = frozenset(
    "Ava Chloe Elena Grace Isla Kira Maya Olive Priya Rosa Tess Vera Yara Amara Cleo Dara"
    " Freya Hana Jade Lena Nina".split()
)
MALE = frozenset(
    "Ben Dev Farid Hiro Jonah Liam Noah Umar Wes Zane Bruno Emil Gus Ivo Kofi Mateo".split()
)
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

PRACTITIONERS = [
    {"name": "Mei Lin Chen", "profession": "acupuncturist", "credential": "R.Ac, Dipl.Ac"},
    {
        "name": "Tom Okafor",
        "profession": "physiotherapist",
        "credential": "PT, FCAMPT, dry needling cert.",
    },
    {
        "name": "Sara Novak",
        "profession": "physiotherapist",
        "credential": "PT, Gunn IMS cert. (iSTOP)",
    },
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
    soreness: float  # soreness right after, 0-10
    soreness_tau_h: float


PROFILES = {
    "dry_needling": Profile(
        immediate=3.2, retained=0.04, tau_days=4.0, soreness=5.5, soreness_tau_h=30.0
    ),
    "ims": Profile(immediate=2.6, retained=0.35, tau_days=8.0, soreness=4.0, soreness_tau_h=20.0),
    "acupuncture": Profile(
        immediate=1.5, retained=0.85, tau_days=40.0, soreness=1.0, soreness_tau_h=8.0
    ),
}


def _clamp(x: float) -> int:
    return max(0, min(10, round(x)))


class _Generator:
    def __init__(
        self, store: Store, rng: random.Random, end: datetime, months: int, now: datetime
    ) -> None:
        self.store, self.rng, self.end, self.now = store, rng, end, now
        self.start = end - timedelta(days=round(months * 30.4))
        self.sessions_planned = 0

    def clinic_hour(self, day: date) -> datetime:
        """An appointment on ``day`` (moved off Sunday) between 08:00 and 17:45."""
        if day.weekday() == 6:
            day += timedelta(days=1)
        return datetime(
            day.year, day.month, day.day, self.rng.randint(8, 17), self.rng.choice([0, 15, 30, 45])
        )

    def pain_at(
        self,
        prof: Profile,
        baseline: float,
        history: list[tuple[datetime, float]],
        moment: datetime,
    ) -> float:
        """Pain at ``moment``: the baseline less what every earlier session still gives."""
        kept = sum(
            self.relief(prof, imm, (moment - when).total_seconds() / 3600)
            for when, imm in history
            if when <= moment
        )
        return max(0.0, baseline - kept)

    def relief(self, prof: Profile, imm: float, hours: float) -> float:
        days = hours / 24
        return imm * (prof.retained + (1 - prof.retained) * math.exp(-days / prof.tau_days))

    def sites(self, technique: str, c: Complaint) -> list[dict[str, Any]]:
        rng = self.rng
        if technique in ("acupuncture", "electroacupuncture"):
            chosen = rng.sample(c.points, k=min(len(c.points), rng.randint(5, 8)))
            return [
                {
                    "target": p,
                    # One needle on each side of a bilateral point (insertions are per side).
                    "side": "midline" if p.startswith(("GV", "CV", "EX-HN3")) else "bilateral",
                    "depth_value": rng.choice([5, 10, 15, 20, 25]),
                    "depth_unit": "mm",
                    "needle_diameter_mm": 0.25,
                    "needle_length_mm": 30,
                    "deqi_obtained": (deqi := rng.random() < 0.8),
                    "retention_s": 20 * 60,
                    "deqi_quality": rng.choice(["heaviness", "ache", "distension,heaviness", ""])
                    if deqi
                    else "",
                    # Electro-acupuncture: the first two points paired on lead 1 of
                    # the stimulator; the others needled by hand.
                    **(
                        {
                            "stimulation": "electrical",
                            "estim_lead": 1,
                            "estim_frequency_hz": 2,
                            "estim_intensity": "to tolerance",
                        }
                        if technique == "electroacupuncture" and p in chosen[:2]
                        else {"stimulation": "manual_even"}
                    ),
                }
                for p in chosen
            ]
        if technique == "dry_needling":
            chosen = rng.sample(c.muscles, k=rng.randint(2, min(4, len(c.muscles))))
            return [
                {
                    "target": m,
                    "side": rng.choice(["left", "right", "bilateral"]),
                    "insertions": rng.randint(1, 4),
                    "twitch_count": rng.randint(0, 6),
                    "depth_value": rng.choice(
                        [15, 20, 25, 30]
                    ),  # never deeper than the 30 mm needle
                    "depth_unit": "mm",
                    "depth_tissue": "muscle",
                    "needle_diameter_mm": 0.30,
                    "needle_length_mm": rng.choice([30, 40, 50]),
                    "stimulation": "pistoning",
                }
                for m in chosen
            ]
        levels = rng.sample(c.levels, k=min(len(c.levels), rng.randint(1, 3)))
        motor = rng.sample(c.motor, k=rng.randint(1, min(2, len(c.motor))))
        return [
            {
                "target": lv,
                "side": "bilateral",  # one needle a side: 2 in all
                "retention_s": 5,
                "grasp": rng.choice(["mild", "strong", "strong"]),
                "depth_value": 30,
                "depth_unit": "mm",
                "needle_diameter_mm": 0.30,
                "needle_length_mm": 50,
            }
            for lv in levels
        ] + [
            {
                "target": m,
                "kind": "motor_point",
                "side": rng.choice(["left", "right"]),
                "insertions": 1,
                "retention_s": 5,
                "grasp": rng.choice(["none", "mild", "strong"]),
                "needle_diameter_mm": 0.30,
                "needle_length_mm": 40,
            }
            for m in motor
        ]

    def patient(self, index: int, practitioner_ids: dict[str, int]) -> tuple[int, int]:
        rng = self.rng
        first = FIRST[index % len(FIRST)]
        name = f"{first} {LAST[(index * 7) % len(LAST)]}"
        drawn = rng.choice(["female", "male"])  # drawn always: the same clinic after it
        sex = "female" if first in FEMALE else "male" if first in MALE else drawn
        pid = self.store.add_patient(
            parse_patient(
                {
                    "chart_id": f"P{index + 1:04d}",
                    "name": name,
                    "birth_year": rng.randint(1945, 2003),
                    "sex": sex,
                }
            )
        )
        family = ("acupuncture", "dry_needling", "ims")[index % 3]
        technique = {
            "acupuncture": rng.choice(["acupuncture"] * 3 + ["electroacupuncture"]),
            "dry_needling": "dry_needling",
            "ims": "ims",
        }[family]
        practitioner = practitioner_ids[family]
        c = COMPLAINTS[rng.randrange(len(COMPLAINTS))]
        # Two thirds of the courses are finished (started early, so their 12-week
        # follow-ups have happened); a third are still under way.
        finished = rng.random() < 0.67
        # Finished courses: 3-6 weekly sessions early in the period, so the follow-ups
        # at 4 and 12 weeks after the last one have happened by today.
        start_day = rng.randint(0, 25) if finished else rng.randint(26, 160)
        first_visit = self.clinic_hour(self.start.date() + timedelta(days=start_day))
        self.sessions_planned = rng.randint(3, 6) if finished else rng.randint(3, 9)
        # Patients differ in how much relief they get (DOMAIN.md: the patient is the
        # unit): a responsiveness of their own, sd 0.7 points, added to every session's
        # immediate relief, makes the relief of one patient's sessions correlate about
        # 0.3 after the session-to-session noise. Drawn from its own generator so the
        # rest of the clinic (dates, sites, follow-ups) is drawn as before.
        self.responsiveness = random.Random(f"responsiveness-{index}").gauss(0, 0.7)
        episode = self.store.add_episode(
            Episode(pid, c.name, c.region, first_visit.date().isoformat()), practitioner
        )
        self.course(pid, practitioner, episode, technique, family, c, first_visit)
        return pid, episode

    def course(
        self,
        pid: int,
        practitioner: int,
        episode: int,
        technique: str,
        family: str,
        c: Complaint,
        when: datetime,
    ) -> None:
        rng, prof = self.rng, PROFILES[family]
        baseline = rng.uniform(5.0, 8.5)
        history: list[tuple[datetime, float]] = []  # each session's time and relief
        sessions = self.sessions_planned
        for k in range(sessions):
            if when > self.end - timedelta(hours=2):
                break
            level = self.pain_at(prof, baseline, history, when)
            before = _clamp(level + rng.gauss(0, 0.4))
            # Less room to improve, less relief: relief scales with the pain left.
            imm = max(0.0, rng.gauss(prof.immediate, 0.8) + self.responsiveness) * min(
                1.0, level / baseline + 0.3
            )
            history.append((when, imm))
            after = _clamp(self.pain_at(prof, baseline, history, when) + rng.gauss(0, 0.3))
            sites = self.sites(technique, c)
            twitches = sum(s.get("twitch_count", 0) for s in sites)
            sore = _clamp(prof.soreness + 0.15 * twitches + rng.gauss(0, 1))
            aes = []
            if family == "dry_needling" and rng.random() < 0.17:
                aes.append({"tier": "mild", "kind": rng.choice(["bruising", "pain", "bleeding"])})
            elif family != "dry_needling" and rng.random() < 0.05:
                aes.append(
                    {"tier": "mild", "kind": rng.choice(["bleeding", "drowsiness", "bruising"])}
                )
            if family == "ims" and rng.random() < 0.03:
                aes.append(
                    {
                        "tier": "significant",
                        "kind": "aggravation",
                        "description": "flare-up for two days; missed work",
                    }
                )
            session = parse_session(
                {
                    "patient_id": pid,
                    "practitioner_id": practitioner,
                    "episode_id": episode,
                    "technique": technique,
                    "started_at": when,
                    "consent": True,
                    "pain_before": before,
                    "pain_after": after,
                    "pain_during": _clamp(rng.gauss(4 if family != "acupuncture" else 2, 1.5)),
                    "soreness_after": sore,
                    "sites": sites,
                    "adverse_events": aes,
                    "face_to_face_min": 30 if family == "acupuncture" else rng.choice([20, 25, 30]),
                    "co_interventions": rng.choice([[], ["exercise"], ["exercise", "education"]])
                    if family != "acupuncture"
                    else rng.choice([[], [], ["cupping"], ["moxibustion"]]),
                    "ims_findings": [
                        {
                            "level": lv,
                            "side": "bilateral",
                            "paraspinal_tenderness": True,
                            "tender_motor_points": True,
                            "skin_rolling": rng.random() < 0.6,
                        }
                        for lv in c.levels[:2]
                    ]
                    if family == "ims"
                    else [],
                    "notes": rng.choice(
                        [
                            "",
                            "",
                            "Tolerated well.",
                            "Home exercises reviewed.",
                            "Patient reports better sleep.",
                        ]
                    ),
                }
            )
            # Drawn, but written only if it has happened by now: the random draws of the
            # rest of the clinic stay those of the whole day (the clinic made at 09:37 is
            # that made at 17:00, less what is still to come).
            record = (
                self.store.save_session(session, practitioner).record_id
                if when <= self.now
                else None
            )
            gap_days = rng.choice([4, 6, 7, 7, 7, 8, 10, 12, 14])
            next_when = self.clinic_hour(when.date() + timedelta(days=gap_days))
            is_last = k == sessions - 1 or next_when > self.end
            self.follow_ups(
                pid,
                practitioner,
                record,
                when,
                baseline,
                history,
                sore,
                prof,
                next_when if not is_last else None,
            )
            when = next_when

    def follow_ups(
        self,
        pid: int,
        practitioner: int,
        record: int | None,
        when: datetime,
        baseline: float,
        history: list[tuple[datetime, float]],
        sore: int,
        prof: Profile,
        next_when: datetime | None,
    ) -> None:
        rng = self.rng
        offsets = []
        if rng.random() < 0.6:
            offsets.append(rng.uniform(18, 30))  # next day
        if rng.random() < 0.35:
            offsets.append(rng.uniform(44, 76))
        if next_when is None:  # after the course: the lasting effect
            offsets += [rng.uniform(5, 9) * 24]
            offsets += [rng.uniform(20, 32) * 24] if rng.random() < 0.8 else []
            offsets += [rng.uniform(85, 100) * 24] if rng.random() < 0.85 else []
        for hours in offsets:
            at = when + timedelta(hours=hours)
            if at > self.end or (next_when is not None and at >= next_when):
                continue
            pain = _clamp(self.pain_at(prof, baseline, history, at) + rng.gauss(0, 0.4))
            soreness = _clamp(sore * math.exp(-hours / prof.soreness_tau_h) + rng.gauss(0, 0.4))
            if record is None or at > self.now:
                continue  # still to come: never recorded (the CLI refuses a future time)
            self.store.add_follow_up(
                parse_follow_up(
                    {
                        "patient_id": pid,
                        "session_record_id": record,
                        "at": at,
                        "pain": pain,
                        "soreness": soreness if hours < 120 else None,
                    }
                ),
                practitioner,
            )


# Each demo practitioner's secret (a PIN), printed by ``sessionlog demo``; the first
# one set, Mei Lin Chen's, makes her the demo clinic's admin. Fictional people, public
# secrets: never for real records.
DEMO_SECRETS = {"Mei Lin Chen": "111111", "Tom Okafor": "222222", "Sara Novak": "333333"}


def demo_sign_ins(store: Store) -> list[str]:
    """How to sign in as each demo practitioner: one line each, admin first. A demo
    secret is printed only while it still signs in (the demo imported into a new file
    has no secrets; a practitioner may have chosen their own)."""
    lines = []
    for choice in sorted(auth.sign_in_choices(store), key=lambda c: c.role != "admin"):
        secret = DEMO_SECRETS.get(choice.name)
        if secret is None:
            continue
        role = " (admin)" if choice.role == "admin" else ""
        access = store.access(choice.practitioner_id)
        if access is None:
            how = "no secret yet (the first to sign in as them chooses one)"
        elif auth.secret_matches(secret, access):
            how = f"secret {secret}"
        else:
            how = "a secret of their own (not the demo's)"
        lines.append(f"  {choice.name}{role}: {how}")
    return lines


def holds_demo(store: Store) -> bool:
    """Whether ``store`` already holds the demo clinic (its three practitioners)."""
    names = {p["name"] for p in store.practitioners()}
    return names == {p["name"] for p in PRACTITIONERS} and bool(store.counts()["patients"])


def build_demo(
    store: Store, *, seed: int = 7, patients: int = 42, months: int = 6, today: date | None = None
) -> dict[str, int]:
    """Fill an empty database with the demo clinic; returns counts of what was made.

    Deterministic for a given ``seed``, ``patients``, ``months`` and ``today``.
    """
    if store.counts()["patients"]:
        raise SessionlogError(
            f"{store.path} already holds patients: the demo clinic goes into an empty "
            "database only (use --db with a new file name)"
        )
    with store.write():  # the whole clinic, or nothing
        return _build(store, seed, patients, months, today)


def _build(
    store: Store, seed: int, patients: int, months: int, today: date | None
) -> dict[str, int]:
    rng = random.Random(seed)
    now = store.clock().replace(tzinfo=None, microsecond=0)
    end_day = today or now.date()
    end = datetime(end_day.year, end_day.month, end_day.day, 18, 0)
    if end > now:  # the day is not over: the clinic ends with the last whole day, so a
        end -= timedelta(days=1)  # demo holds the same records whatever the hour (README)
    gen = _Generator(store, rng, end, months, now)  # writes nothing after now
    ids = {}
    for family, spec in zip(("acupuncture", "dry_needling", "ims"), PRACTITIONERS, strict=True):
        ids[family] = store.add_practitioner(parse_practitioner(spec))
        auth.set_first_secret(store, ids[family], DEMO_SECRETS[spec["name"]])
    for i in range(patients):
        gen.patient(i, ids)
    from .demo_scales import add_demo_scales  # additive: the scales follow the pain

    add_demo_scales(store, seed)
    return store.counts()
