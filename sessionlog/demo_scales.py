"""The demo clinic's outcome scales: NDI for neck patients, ODI for low back, PSFS and
GROC for everyone, at the first session (the baseline) and at the follow-ups a week
or more after a session. Derived from each patient's own pain so the scales move with
it; deterministic for a seed. Runs after the clinic is built (see demo._build)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .domain.scales import parse_scale_reading

if TYPE_CHECKING:
    from .store import Store

REGION_SCALE = {"neck": "NDI", "low_back": "ODI"}
ACTIVITIES = ("sitting at work", "lifting", "sleeping", "walking", "driving", "gardening")
LONG_H = 5 * 24  # follow-ups this long after a session carry the scales


def _items(rng: random.Random, pain: float, n: int) -> list[int]:
    return [max(0, min(5, round(pain * 0.4 + rng.gauss(0, 0.7)))) for _ in range(n)]


def _psfs(rng: random.Random, pain: float, n: int) -> list[int]:
    return [max(0, min(10, round(9.5 - pain + rng.gauss(0, 1.0)))) for _ in range(n)]


def add_demo_scales(store: Store, seed: int) -> int:
    """Record the demo's scale readings; returns how many were made."""
    rng = random.Random(f"scales-{seed}")
    made = 0
    now = store.clock()
    for patient in store.patients():
        pid = int(patient["id"])
        sessions = sorted(store.sessions(pid), key=lambda s: s["started_at"])
        if not sessions:
            continue
        episodes = store.episodes(pid)
        region = episodes[0]["body_region"] if episodes else ""
        codes = [c for c in (REGION_SCALE.get(region), "PSFS") if c]
        activities = rng.sample(ACTIVITIES, 3)
        first = sessions[0]
        moments: list[tuple[int, datetime, float, float | None]] = [
            (int(first["record_id"]), datetime.fromisoformat(first["started_at"]),
             float(first["pain_before"]), None)
        ]  # fmt: skip
        starts = {int(s["record_id"]): datetime.fromisoformat(s["started_at"]) for s in sessions}
        for f in store.follow_ups(pid):
            at = datetime.fromisoformat(f["at"])
            started = starts.get(int(f["session_record_id"]))
            if started is not None and at - started >= timedelta(hours=LONG_H):
                moments.append((int(f["session_record_id"]), at, float(f["pain"]), f["id"]))
        baseline = float(first["pain_before"])
        for record, at, pain, follow_up in moments:
            readings = []
            for code in codes:
                items = _psfs(rng, pain, 3) if code == "PSFS" else _items(rng, pain, 10)
                if code != "PSFS" and rng.random() < 0.1:
                    items[rng.randrange(10)] = None  # type: ignore[call-overload]
                readings.append((code, items, activities if code == "PSFS" else ()))
            if follow_up is not None:
                groc = max(-7, min(7, round((baseline - pain) * 1.3 + rng.gauss(0, 1))))
                readings.append(("GROC", [groc], ()))
            for code, items, labels in readings:
                r = parse_scale_reading(
                    {"scale": code, "patient_id": pid, "session_record_id": record, "at": at,
                     "items": items, "labels": labels, "follow_up_id": follow_up},
                    now=max(now, at),
                )  # fmt: skip
                store.add_scale_reading(r, int(first["practitioner_id"]))
                made += 1
    return made
