"""A busy clinic's decade, simulated in memory as database rows (deterministic).

Patients come for courses of about eight sessions (3 to 13) a few days to three weeks
apart (and, one per 25,000 sessions, chronic patients come weekly for 400 sessions),
start at any time in the ten years before ``END``, and report pain at irregular
follow-ups (next day, two or three days later, about a week, and weeks to months after
the course). Relief follows per-technique profiles (clinic_data.py, from the demo clinic),
so the outcome screens have a true signal to find. About one session in ten has an
adverse event. Rows come out in the order the app would have written them: ids grow
with time, as they do in a real clinic's file.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sessionlog.demo_scales import ACTIVITIES, REGION_SCALE
from sessionlog.domain.scales import find_scale, score_items
from sessionlog.store.rows import stamp

from .clinic_data import COMPLAINTS, FIRST, LAST, PROFILES, Profile
from .sites import build_pools

END = datetime(2026, 11, 20, 18, 0)  # a fixed "today" keeps generated files reproducible
YEARS = 10
SESSIONS_PER_PATIENT = 8
# Chronic patients, seen weekly for years: one per 25,000 sessions (four at 100k), each
# with 400 sessions, so that a patient's progress is measured on a long history too.
CHRONIC_SESSIONS = 400
CHRONIC_EVERY = 25_000
PRACTITIONERS = [  # (name, profession, credential, family)
    ("Mei Lin Chen", "acupuncturist", "R.Ac, Dipl.Ac", "acupuncture"),
    ("Tom Okafor", "physiotherapist", "PT, FCAMPT, dry needling cert.", "dry_needling"),
    ("Sara Novak", "physiotherapist", "PT, Gunn IMS cert. (iSTOP)", "ims"),
    ("Ana Duarte", "acupuncturist", "L.Ac", "acupuncture"),
    ("Ravi Menon", "physiotherapist", "PT, dry needling cert.", "dry_needling"),
    ("Jo Park", "chiropractor", "DC, Gunn IMS cert.", "ims"),
]
FAMILY_TECHNIQUES = {
    "acupuncture": ("acupuncture", "acupuncture", "acupuncture", "electroacupuncture"),
    "dry_needling": ("dry_needling",) * 4 + ("electrical_dry_needling",),
    "ims": ("ims",),
}
FAMILY_WEIGHTS = (("acupuncture", 0.40), ("dry_needling", 0.35), ("ims", 0.25))
NOTES = ("", "", "", "Tolerated well.", "Home exercises reviewed.", "Better sleep this week.")


@dataclass
class Rows:
    """Every table's rows, ready for ``executemany`` (ids included where they matter)."""

    practitioners: list[tuple[Any, ...]] = field(default_factory=list)
    patients: list[tuple[Any, ...]] = field(default_factory=list)
    episodes: list[tuple[Any, ...]] = field(default_factory=list)
    records: list[tuple[Any, ...]] = field(default_factory=list)
    sessions: list[tuple[Any, ...]] = field(default_factory=list)
    sites: list[tuple[Any, ...]] = field(default_factory=list)
    adverse_events: list[tuple[Any, ...]] = field(default_factory=list)
    ims_findings: list[tuple[Any, ...]] = field(default_factory=list)
    follow_ups: list[tuple[Any, ...]] = field(default_factory=list)
    scale_readings: list[tuple[Any, ...]] = field(default_factory=list)
    # (at, actor, action, entity, entity_id, detail dict), in time order
    events: list[tuple[Any, ...]] = field(default_factory=list)


def _relief(prof: Profile, imm: float, hours: float) -> float:
    return imm * (prof.retained + (1 - prof.retained) * math.exp(-hours / 24 / prof.tau_days))


def _clamp(x: float) -> int:
    return max(0, min(10, round(x)))


def _clinic_hour(rng: random.Random, day: date) -> datetime:
    if day.weekday() == 6:  # closed on Sunday
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, rng.randint(8, 17), rng.choice([0, 15, 30, 45]))


class _Clinic:
    def __init__(self, sessions: int, seed: int) -> None:
        self.target, self.rng = sessions, random.Random(seed)
        self.pools = build_pools(seed)
        self.start = END - timedelta(days=365 * YEARS)
        # (started_at, patient, practitioner, episode, technique, values, sites, aes, ims)
        self.sessions: list[tuple[Any, ...]] = []
        self.follow_ups: list[tuple[Any, ...]] = []  # (at, session index, patient, ...)
        self.rows = Rows()

    def patient(self, pid: int, chronic: bool = False) -> None:
        """A patient and their course (``chronic``: weekly for years, from early on)."""
        rng = self.rng
        family = rng.choices([f for f, _ in FAMILY_WEIGHTS], [w for _, w in FAMILY_WEIGHTS])[0]
        technique = rng.choice(FAMILY_TECHNIQUES[family])
        practitioner = 1 + [p[3] for p in PRACTITIONERS].index(family) + 3 * rng.randint(0, 1)
        ci = rng.randrange(len(COMPLAINTS))
        span = (END - self.start).days - 7
        if chronic:  # early enough for CHRONIC_SESSIONS weeks before the end
            span = (END - self.start).days - 7 * CHRONIC_SESSIONS - 30
        first = _clinic_hour(rng, self.start.date() + timedelta(days=rng.randint(0, span)))
        created = stamp(first - timedelta(minutes=5))
        name = f"{rng.choice(FIRST)} {chr(65 + rng.randrange(26))}. {rng.choice(LAST)}"
        self.rows.patients.append(
            (
                pid,
                f"P{pid:06d}",
                name,
                rng.randint(1940, 2008),
                rng.choice(["female", "male"]),
                created,
            )
        )
        c = COMPLAINTS[ci]
        self.rows.episodes.append((pid, pid, c.name, c.region, first.date().isoformat(), created))
        self.rows.events += [
            (created, practitioner, "create", "patient", pid, {"chart_id": f"P{pid:06d}"}),
            (created, practitioner, "create", "episode", pid, {"patient_id": pid}),
        ]
        self.course(pid, practitioner, family, technique, ci, first, chronic)

    def course(
        self,
        pid: int,
        pr: int,
        family: str,
        technique: str,
        ci: int,
        when: datetime,
        chronic: bool = False,
    ) -> None:
        rng, prof, c = self.rng, PROFILES[family], COMPLAINTS[ci]
        underlying = rng.uniform(5.0, 8.5)
        # Patients differ in how much relief they get (as in the demo clinic): a
        # responsiveness of their own, sd 0.7 points, on every session's immediate
        # relief, so one patient's sessions correlate about 0.3. From its own generator:
        # the rest of the clinic is drawn as before.
        responsiveness = random.Random(pid * 7919 + 13).gauss(0, 0.7)
        last: tuple[datetime, float] | None = None
        count = CHRONIC_SESSIONS if chronic else rng.randint(3, 2 * SESSIONS_PER_PATIENT - 3)
        for k in range(count):
            if when > END - timedelta(hours=1) or len(self.sessions) >= self.target:
                return
            before_f = underlying
            if last is not None:
                hours = (when - last[0]).total_seconds() / 3600
                before_f = underlying - _relief(prof, last[1], hours) + rng.gauss(0, 0.5)
            before = _clamp(before_f)
            imm = max(0.0, rng.gauss(prof.immediate, 0.8) + responsiveness) * min(
                1.0, before / 5 + 0.2
            )
            sites, twitches = rng.choice(self.pools[(technique, ci)])
            sore = _clamp(prof.soreness + 0.15 * twitches + rng.gauss(0, 1))
            aes = []
            if rng.random() < (0.17 if family == "dry_needling" else 0.06):
                aes.append(("mild", rng.choice(["bruising", "pain", "bleeding", "drowsiness"]), ""))
            if family == "ims" and rng.random() < 0.03:
                aes.append(("significant", "aggravation", "flare-up for two days; missed work"))
            ims = (
                [
                    (lv, "bilateral", 1, 1, 0, 0, 0, int(rng.random() < 0.6), 0, 1, "")
                    for lv in c.levels[:2]
                ]
                if family == "ims"
                else []
            )
            face = 30 if family == "acupuncture" else rng.choice([20, 25, 30])
            co = (
                rng.choice([[], ["exercise"], ["exercise", "education"]])
                if family != "acupuncture"
                else rng.choice([[], [], ["cupping"], ["moxibustion"]])
            )
            values = (
                pid,
                pr,
                pid,
                stamp(when),
                technique,
                "",
                "",
                {"acupuncture": "deqi", "dry_needling": "twitch", "ims": "grasp"}[family],
                1,
                before,
                _clamp(before - imm + rng.gauss(0, 0.3)),
                _clamp(rng.gauss(4 if family != "acupuncture" else 2, 1.5)),
                sore,
                face,
                json.dumps(co),
                rng.choice(NOTES),
            )
            index = len(self.sessions)
            self.sessions.append((when, values, sites, aes, ims, face))
            underlying = max(0.0, underlying - prof.carry * rng.uniform(0.6, 1.4))
            gap = 7 if chronic else rng.choice([4, 6, 7, 7, 8, 10, 12, 14, 21])
            nxt = _clinic_hour(rng, when.date() + timedelta(days=gap))
            final = k == count - 1
            self.follow_up(
                pid, pr, index, when, underlying, imm, sore, prof, None if final else nxt
            )
            last, when = (when, imm), nxt

    def follow_up(
        self,
        pid: int,
        pr: int,
        index: int,
        when: datetime,
        underlying: float,
        imm: float,
        sore: int,
        prof: Profile,
        nxt: datetime | None,
    ) -> None:
        rng = self.rng
        hours = [
            h
            for p, lo, hi in ((0.5, 4, 8), (0.95, 18, 30), (0.8, 44, 76), (0.7, 120, 200))
            if rng.random() < p
            for h in [rng.uniform(lo, hi)]
        ]
        if nxt is None:  # after the course: does the relief last?
            hours += [rng.uniform(20, 32) * 24] if rng.random() < 0.8 else []
            hours += [rng.uniform(80, 110) * 24] if rng.random() < 0.7 else []
        for h in hours:
            at = when + timedelta(hours=h)
            if at > END or (nxt is not None and at >= nxt):
                continue
            pain = _clamp(underlying - _relief(prof, imm, h) + rng.gauss(0, 0.4))
            soreness = _clamp(sore * math.exp(-h / prof.soreness_tau_h) + rng.gauss(0, 0.4))
            self.follow_ups.append((at, index, pid, pr, pain, soreness if h < 120 else None))


def simulate(sessions: int, seed: int = 1) -> Rows:
    """Rows for a clinic with exactly ``sessions`` sessions (ids in time order)."""
    clinic = _Clinic(sessions, seed)
    rows = clinic.rows
    for pid, (name, profession, credential, _family) in enumerate(PRACTITIONERS, start=1):
        at = stamp(clinic.start - timedelta(days=1))
        rows.practitioners.append((pid, name, profession, credential, at))
        rows.events.append((at, pid, "create", "practitioner", pid, {"name": name}))
    pid = 0
    for _ in range(sessions // CHRONIC_EVERY):  # the long histories come first
        pid += 1
        clinic.patient(pid, chronic=True)
    while len(clinic.sessions) < sessions:
        pid += 1
        clinic.patient(pid)
    order = sorted(range(len(clinic.sessions)), key=lambda i: clinic.sessions[i][0])
    record_of = [0] * len(order)
    uid_rng = random.Random(seed + 104729)
    for sid, i in enumerate(order, start=1):
        when, values, sites, aes, ims, face = clinic.sessions[i]
        record_of[i] = sid
        recorded = stamp(when + timedelta(minutes=face))
        rows.records.append((sid, f"{uid_rng.getrandbits(128):032x}", values[0], recorded))
        rows.sessions.append((sid, sid, 1, None, "active", None, *values, values[1], recorded))
        rows.sites += [(sid, seq, *site) for seq, site in enumerate(sites, start=1)]
        rows.adverse_events += [(sid, None, *ae) for ae in aes]
        rows.ims_findings += [(sid, *f) for f in ims]
        rows.events.append(
            (
                recorded,
                values[1],
                "create",
                "session",
                sid,
                {"version": 1, "row_id": sid, "sites": len(sites)},
            )
        )
    for fid, (at, i, patient, pr, pain, soreness) in enumerate(
        sorted(clinic.follow_ups, key=lambda f: (f[0], f[1])), 1
    ):
        text = stamp(at)
        rows.follow_ups.append(
            (
                fid,
                patient,
                record_of[i],
                None,
                "active",
                None,
                text,
                pain,
                soreness,
                None,
                "",
                pr,
                text,
            )
        )
        rows.events.append(
            (
                text,
                pr,
                "create",
                "follow_up",
                fid,
                {"supersedes": None, "reason": None, "session_record_id": record_of[i]},
            )
        )
    _scale_readings(clinic, record_of, seed)
    rows.events.sort(key=lambda e: e[0])  # stable: a patient's row stays before its episode's
    return rows


def _scale_items(rng: random.Random, code: str, pain: float) -> list[int | None]:
    if code == "PSFS":  # three activities, 0 (unable) to 10 (as before the problem)
        return [max(0, min(10, round(9.5 - pain + rng.gauss(0, 1.0)))) for _ in range(3)]
    items: list[int | None] = [
        max(0, min(5, round(pain * 0.4 + rng.gauss(0, 0.7)))) for _ in range(10)
    ]
    if rng.random() < 0.1:
        items[rng.randrange(10)] = None  # one item left blank, as the scales allow
    return items


def _scale_readings(clinic: _Clinic, record_of: list[int], seed: int) -> None:
    """Outcome scales as the demo clinic takes them (sessionlog/demo_scales.py): for half
    the patients, NDI (neck) or ODI (low back) and PSFS at their first session, and those
    with GROC at each follow-up at least five days after its session. From a generator of
    their own, so every other row is as before; ids grow with time."""
    rng, rows = random.Random(seed + 15485863), clinic.rows
    region = {e[1]: e[3] for e in rows.episodes}
    first: dict[int, int] = {}  # patient -> index of their first session
    for i, (when, values, *_rest) in enumerate(clinic.sessions):
        j = first.get(values[0])
        if j is None or when < clinic.sessions[j][0]:
            first[values[0]] = i
    scales: dict[int, tuple[str, ...]] = {}
    for pid in sorted(first):
        if rng.random() < 0.5:
            scales[pid] = tuple(c for c in (REGION_SCALE.get(region[pid]), "PSFS") if c)
    moments: list[tuple[datetime, int, int, int, int, int | None]] = [
        # (at, session index, patient, practitioner, pain, follow-up id)
        (clinic.sessions[i][0], i, pid, clinic.sessions[i][1][1], clinic.sessions[i][1][9], None)
        for pid, i in first.items()
        if pid in scales
    ]
    for number, (at, i, pid, pr, pain, _sore) in enumerate(
        sorted(clinic.follow_ups, key=lambda f: (f[0], f[1])), 1
    ):
        if pid in scales and at - clinic.sessions[i][0] >= timedelta(days=5):
            moments.append((at, i, pid, pr, pain, number))
    moments.sort(key=lambda m: (m[0], m[2]))
    activities = {pid: rng.sample(ACTIVITIES, 3) for pid in sorted(scales)}
    baseline = {pid: clinic.sessions[i][1][9] for pid, i in first.items()}
    for at, i, pid, pr, pain, fid in moments:  # fid: the follow-up's id, or None
        readings = [(code, _scale_items(rng, code, pain)) for code in scales[pid]]
        if fid is not None:
            groc = max(-7, min(7, round((baseline[pid] - pain) * 1.3 + rng.gauss(0, 1))))
            readings.append(("GROC", [groc]))
        text = stamp(at)
        for code, items in readings:
            score = score_items(find_scale(code), items).score
            labels = activities[pid] if code == "PSFS" else []
            rid = len(rows.scale_readings) + 1
            rows.scale_readings.append(
                (rid, pid, record_of[i], fid, code, text, json.dumps(items), json.dumps(labels),
                 score, pr, text)
            )  # fmt: skip
            rows.events.append(
                (text, pr, "create", "scale_reading", rid,
                 {"scale": code, "patient_id": pid, "entered_by": "practitioner",
                  "supersedes": None, "reason": None})
            )  # fmt: skip
