"""Pools of validated needling-site rows, one pool per technique and complaint.

Running 500,000 sites through ``parse_site`` would take most of a minute, so each
(technique, complaint) pair gets a pool of site lists validated once through the
domain (the catalogue resolves codes, fills defaults and the thorax flag), turned into
row tuples with the store's own ``site_values``. The generator then draws from the
pools, so every stored site is exactly what the app itself would have written.
"""

from __future__ import annotations

import random
from typing import Any

from sessionlog.domain import parse_site
from sessionlog.store.rows import site_values

from .clinic_data import COMPLAINTS, Complaint

POOL_SIZE = 48
SiteRows = tuple[tuple[Any, ...], ...]


def _acupuncture(rng: random.Random, c: Complaint, electrical: bool) -> list[dict[str, Any]]:
    chosen = rng.sample(c.points, k=min(len(c.points), rng.randint(5, 8)))
    out = []
    for i, p in enumerate(chosen):
        midline = p.startswith(("GV", "CV", "EX-HN3"))
        deqi = rng.random() < 0.8
        site: dict[str, Any] = {
            "target": p,
            "side": "midline" if midline else "bilateral",
            "depth_value": rng.choice([5, 10, 15, 20, 25]),
            "needle_diameter_mm": 0.25,
            "needle_length_mm": 30,
            "needle_material": "stainless steel",
            "deqi_obtained": deqi,
            "deqi_quality": rng.choice(["heaviness", "ache", "distension,heaviness", ""])
            if deqi
            else "",
        }
        if electrical and i < 2:
            site |= {"estim_frequency_hz": rng.choice([2, 10, 100]), "estim_intensity": "tolerance"}
        out.append(site)
    return out


def _dry_needling(rng: random.Random, c: Complaint, electrical: bool) -> list[dict[str, Any]]:
    chosen = rng.sample(c.muscles, k=rng.randint(min(3, len(c.muscles)), len(c.muscles)))
    extra = [{"target": "ashi", "kind": "ashi", "side": "left"}] if rng.random() < 0.3 else []
    return [
        {
            "target": m,
            "side": rng.choice(["left", "right", "bilateral"]),
            "insertions": rng.randint(1, 4),
            "twitch_count": rng.randint(0, 6),
            "depth_value": rng.choice([15, 20, 25, 30]),  # never deeper than the 30 mm needle
            "depth_tissue": "muscle",
            "needle_diameter_mm": 0.30,
            "needle_length_mm": rng.choice([30, 40, 50]),
            **(
                {"estim_frequency_hz": 2, "estim_intensity": "visible contraction"}
                if electrical
                else {"stimulation": "pistoning"}
            ),
        }
        for m in chosen
    ] + extra


def _ims(rng: random.Random, c: Complaint) -> list[dict[str, Any]]:
    levels = rng.sample(c.levels, k=min(len(c.levels), rng.randint(2, 3)))
    motor = rng.sample(c.motor, k=min(len(c.motor), rng.randint(2, 3)))
    return [
        {
            "target": lv,
            "side": "bilateral",
            "grasp": rng.choice(["mild", "strong", "strong"]),
            "depth_value": 30,
            "needle_diameter_mm": 0.30,
            "needle_length_mm": 50,
        }
        for lv in levels
    ] + [
        {
            "target": m,
            "kind": "motor_point",
            "side": rng.choice(["left", "right"]),
            "grasp": rng.choice(["none", "mild", "strong"]),
            "needle_diameter_mm": 0.30,
            "needle_length_mm": 40,
        }
        for m in motor
    ]


def site_dicts(rng: random.Random, technique: str, c: Complaint) -> list[dict[str, Any]]:
    """Raw site input for one session, as a practitioner would type it."""
    if technique in ("acupuncture", "electroacupuncture"):
        return _acupuncture(rng, c, technique == "electroacupuncture")
    if technique in ("dry_needling", "electrical_dry_needling"):
        return _dry_needling(rng, c, technique == "electrical_dry_needling")
    return _ims(rng, c)


def build_pools(seed: int) -> dict[tuple[str, int], list[tuple[SiteRows, int]]]:
    """For each (technique, complaint index): site-row lists with their twitch totals."""
    rng = random.Random(seed * 7919 + 1)
    pools: dict[tuple[str, int], list[tuple[SiteRows, int]]] = {}
    for technique in (
        "acupuncture",
        "electroacupuncture",
        "dry_needling",
        "electrical_dry_needling",
        "ims",
    ):
        for ci, complaint in enumerate(COMPLAINTS):
            pool = []
            for _ in range(POOL_SIZE):
                sites = [parse_site(d, technique) for d in site_dicts(rng, technique, complaint)]
                twitches = sum(s.twitch_count or 0 for s in sites)
                pool.append((tuple(site_values(s) for s in sites), twitches))
            pools[(technique, ci)] = pool
    return pools
