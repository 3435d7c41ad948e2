"""Saved sessions whose sites differ from one another in every field a site has (Hz or
none, on the stimulator or not, lead, intensity, depth, needle, retention, stimulation,
responses, insertions, kind): what a correction or a repeat must carry site by site.

Drawn from a seeded generator, so every run saves the same sessions; the first is the
reviewer's case (one site at 2 Hz on lead 1, one on the stimulator with no Hz).
"""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sessionlog.domain import parse_session
from sessionlog.store import Store

TARGETS = {
    "acupuncture": ["st36", "li4", "sp6", "gb21", "lr3", "pc6"],
    "dry_needling": ["upper trap", "levator scapulae", "infraspinatus", "gluteus medius"],
    "ims": ["L4-L5", "L5-S1", "gluteus medius", "piriformis"],
}
TECHNIQUE_FAMILY = {
    "acupuncture": "acupuncture",
    "electroacupuncture": "acupuncture",
    "dry_needling": "dry_needling",
    "electrical_dry_needling": "dry_needling",
    "ims": "ims",
}
HZ = [None, None, (2.0, None), (2.0, 100.0), (10.0, None)]
DEPTHS = [
    None, (15.0, "mm", None), (1.0, "cun", None), (20.0, "mm", "muscle"), (None, None, "fascia"),
]  # fmt: skip
NEEDLES = [None, (0.25, 30.0, None), (0.3, 50.0, "steel")]
MANUAL = ["manual_even", "rotation", "pistoning", "tonify"]
# The columns of a site row that are the site (not its row id or its session's).
SITE_COLUMNS = (
    "seq", "kind", "target", "side", "insertions", "depth_value", "depth_unit", "depth_tissue",
    "needle_diameter_mm", "needle_length_mm", "needle_material", "stimulation",
    "estim_frequency_hz", "estim_frequency_2_hz", "estim_intensity", "estim_lead",
    "retention_s", "deqi_obtained", "deqi_quality", "twitch_count", "grasp", "thorax_risk",
)  # fmt: skip
RESPONSE_COLUMNS = ("deqi_obtained", "deqi_quality", "twitch_count", "grasp")

REVIEWER_CASE: dict[str, Any] = {
    "technique": "electrical_dry_needling",
    "sites": [
        {"target": "upper trap", "side": "right", "stimulation": "electrical",
         "estim_frequency_hz": 2, "estim_lead": 1},
        {"target": "levator scapulae", "side": "right", "stimulation": "electrical"},
    ],
}  # fmt: skip


def _site(rng: random.Random, target: str, technique: str, on: bool) -> dict[str, Any]:
    """A site of ``technique`` (``on``: surely on the stimulator, else perhaps)."""
    family = TECHNIQUE_FAMILY[technique]
    site: dict[str, Any] = {"target": target, "side": rng.choice(["left", "right", "bilateral"])}
    if rng.random() < 0.3:
        site["insertions"] = 2
    if "electr" in technique and (on or rng.random() < 0.5):
        site["stimulation"] = "electrical"
        hz = rng.choice(HZ)
        if hz is not None:
            site["estim_frequency_hz"], site["estim_frequency_2_hz"] = hz
        site["estim_lead"] = rng.choice([None, 1, 2])
        site["estim_intensity"] = rng.choice([None, "mild", "strong tingle"])
    elif rng.random() < 0.4:
        site["stimulation"] = rng.choice(MANUAL)
    depth = rng.choice(DEPTHS)
    if depth is not None:
        site["depth_value"], site["depth_unit"], site["depth_tissue"] = depth
    needle = rng.choice(NEEDLES)
    if needle is not None:
        site["needle_diameter_mm"], site["needle_length_mm"], site["needle_material"] = needle
    if rng.random() < 0.4:
        site["retention_s"] = rng.choice([300, 600, 1200, 90, 30])
    if family == "acupuncture":
        site["deqi_obtained"] = rng.choice([None, True, False])
        if site["deqi_obtained"] and rng.random() < 0.5:
            site["deqi_quality"] = rng.choice(["ache", "heaviness,tingling"])
    elif family == "dry_needling":
        site["twitch_count"] = rng.choice([None, 0, 3])
    else:
        site["grasp"] = rng.choice([None, "mild", "strong"])
    return site


def varied_sessions(count: int, seed: int = 12) -> list[dict[str, Any]]:
    """``count`` sessions (technique and sites only), the reviewer's case first."""
    rng = random.Random(seed)
    out = [REVIEWER_CASE]
    techniques = list(TECHNIQUE_FAMILY)
    while len(out) < count:
        technique = techniques[len(out) % len(techniques)]
        targets = rng.sample(TARGETS[TECHNIQUE_FAMILY[technique]], rng.randint(2, 4))
        first = rng.randrange(len(targets))  # an electrical technique: one site at least on
        sites = [_site(rng, t, technique, i == first) for i, t in enumerate(targets)]
        out.append({"technique": technique, "sites": sites})
    return out


def save_varied(
    store: Store, patient_id: int, practitioner_id: int, count: int, seed: int = 12
) -> list[int]:
    """Save :func:`varied_sessions` for the patient (a day apart, a week before the
    store's clock); their record ids, in order."""
    start = store.clock() - timedelta(days=count + 7)
    ids = []
    for i, session in enumerate(varied_sessions(count, seed)):
        when: datetime = start + timedelta(days=i)
        draft = parse_session(
            {"patient_id": patient_id, "practitioner_id": practitioner_id, "consent": True,
             "started_at": when.strftime("%Y-%m-%d %H:%M"), "pain_before": 6, "pain_after": 3,
             **session},
            now=store.clock(),
        )  # fmt: skip
        ids.append(store.save_session(draft).record_id)
    return ids


def site_rows(
    db: Path | sqlite3.Connection, record_id: int, version: int, skip: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """The site rows of version ``version`` of session ``record_id``, as stored."""
    conn = db if isinstance(db, sqlite3.Connection) else sqlite3.connect(db)
    columns = [c for c in SITE_COLUMNS if c not in skip]
    try:
        rows = conn.execute(
            f"SELECT {', '.join('t.' + c for c in columns)} FROM site t JOIN session s"
            " ON s.id = t.session_id WHERE s.record_id = ? AND s.version = ? ORDER BY t.seq",
            (record_id, version),
        ).fetchall()
    finally:
        if conn is not db:
            conn.close()
    return [dict(zip(columns, row, strict=True)) for row in rows]
