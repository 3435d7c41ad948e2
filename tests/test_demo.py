"""The demo clinic: deterministic, big enough, and showing the pattern it promises."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from pathlib import Path
from statistics import mean
from typing import Any

import pytest
from helpers_store import sql_rows

from sessionlog.demo import build_demo
from sessionlog.store import Store

NOW = datetime(2026, 11, 22, 10, 0)
FAMILY = {"acupuncture": "acupuncture", "electroacupuncture": "acupuncture",
          "dry_needling": "dry_needling", "electrical_dry_needling": "dry_needling",
          "ims": "ims"}  # fmt: skip


def make_demo(path: Path, seed: int = 7) -> Store:
    store = Store.open(path, clock=lambda: NOW)
    build_demo(store, seed=seed)
    return store


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Any:
    store = make_demo(tmp_path_factory.mktemp("demo") / "demo.db")
    yield store
    store.close()


def content(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every clinical row, leaving out what a run may not repeat (uids, recording time)."""
    tables = {
        "session": "SELECT * FROM session ORDER BY id",
        "site": "SELECT * FROM site ORDER BY id",
        "follow_up": "SELECT * FROM follow_up ORDER BY id",
        "adverse_event": "SELECT * FROM adverse_event ORDER BY id",
        "ims_finding": "SELECT * FROM ims_finding ORDER BY id",
        "patient": "SELECT * FROM patient ORDER BY id",
        "practitioner": "SELECT * FROM practitioner ORDER BY id",
        "episode": "SELECT * FROM episode ORDER BY id",
    }
    out = {}
    for table, sql in tables.items():
        rows = sql_rows(store, sql)
        out[table] = [
            tuple(v for k, v in r.items() if k not in ("recorded_at", "created_at", "uid"))
            for r in rows
        ]
    return out


def test_same_seed_same_clinic(demo: Store, tmp_path: Path) -> None:
    again = make_demo(tmp_path / "again.db")
    try:
        assert content(again) == content(demo)
    finally:
        again.close()


def test_size_and_spread(demo: Store) -> None:
    counts = demo.counts()
    assert counts["practitioners"] >= 3
    assert counts["patients"] >= 40
    assert counts["follow_ups"] >= 100
    assert counts["adverse_events"] >= 1
    techniques = {r["technique"] for r in sql_rows(demo, "SELECT technique FROM current_session")}
    assert {FAMILY[t] for t in techniques} == {"acupuncture", "dry_needling", "ims"}
    [span] = sql_rows(
        demo,
        "SELECT min(started_at) AS first, max(started_at) AS last,"
        " julianday(max(started_at)) - julianday(min(started_at)) AS days FROM current_session",
    )
    assert 150 <= span["days"] <= 186, span  # about six months
    assert span["last"] < "2026-11-22 18:00:00"  # nothing after the demo's 'today'
    kinds = {r["kind"] for r in sql_rows(demo, "SELECT DISTINCT kind FROM site")}
    assert kinds >= {"acupuncture_point", "trigger_point", "motor_point", "paraspinal"}
    assert sql_rows(demo, "SELECT count(*) AS n FROM ims_finding")[0]["n"] > 0


def test_follow_ups_are_irregular_and_belong_to_their_session(demo: Store) -> None:
    rows = sql_rows(
        demo,
        "SELECT f.patient_id AS fp, s.patient_id AS sp,"
        " julianday(f.at) - julianday(s.started_at) AS days"
        " FROM current_follow_up f JOIN current_session s ON s.record_id = f.session_record_id",
    )
    assert all(r["fp"] == r["sp"] for r in rows)
    assert all(r["days"] > 0 for r in rows)
    # Irregular: next-day calls, a week, a month, three months, never on a fixed grid.
    whole_days = {round(r["days"]) for r in rows}
    assert len(whole_days) >= 20
    assert max(whole_days) >= 80


def test_dry_needling_has_more_adverse_events_than_acupuncture(demo: Store) -> None:
    rows = sql_rows(
        demo,
        "SELECT s.technique, count(a.id) AS events FROM current_session s"
        " LEFT JOIN adverse_event a ON a.session_id = s.id GROUP BY s.technique",
    )
    events: dict[str, int] = defaultdict(int)
    for r in rows:
        events[FAMILY[r["technique"]]] += r["events"]
    assert events["dry_needling"] > events["acupuncture"]


def test_relief_pattern_by_technique(demo: Store) -> None:
    """Dry needling gives more relief at once; acupuncture keeps more of it.

    Immediate relief: pain before minus pain after, averaged over sessions. Lasting
    relief: the patient's first pain before the course minus the first follow-up at
    least 28 days after their last session. Its share of the immediate relief must be
    larger for acupuncture than for dry needling.
    """
    immediate: dict[str, list[int]] = defaultdict(list)
    for r in sql_rows(demo, "SELECT technique, pain_before - pain_after AS d FROM current_session"):
        immediate[FAMILY[r["technique"]]].append(r["d"])
    lasting: dict[str, list[int]] = defaultdict(list)
    for p in sql_rows(demo, "SELECT id FROM patient"):
        course = sql_rows(
            demo,
            "SELECT record_id, technique, pain_before, started_at FROM current_session"
            " WHERE patient_id = ? ORDER BY started_at",
            (p["id"],),
        )
        first, last = course[0], course[-1]
        later = sql_rows(
            demo,
            "SELECT pain FROM current_follow_up WHERE session_record_id = ?"
            " AND julianday(at) - julianday(?) >= 28 ORDER BY at LIMIT 1",
            (last["record_id"], last["started_at"]),
        )
        if later:
            lasting[FAMILY[first["technique"]]].append(first["pain_before"] - later[0]["pain"])

    assert mean(immediate["dry_needling"]) > mean(immediate["acupuncture"])
    assert len(lasting["acupuncture"]) >= 3 and len(lasting["dry_needling"]) >= 3
    share = {f: mean(lasting[f]) / mean(immediate[f]) for f in ("acupuncture", "dry_needling")}
    assert share["acupuncture"] > share["dry_needling"], share


@pytest.mark.parametrize("now", [datetime(2026, 12, 7, 9, 37), datetime(2026, 11, 22, 10, 0)])
def test_the_demo_writes_nothing_after_the_time_it_is_made(tmp_path: Path, now: datetime) -> None:
    # review15: made at 09:37, the demo wrote a follow-up at 11:26 the same day, which
    # the CLI refuses to record and check later left out of the figures.
    store = Store.open(tmp_path / "demo.db", clock=lambda: now)
    build_demo(store)
    stamp = now.isoformat(sep=" ")
    assert sql_rows(store, "SELECT id, at FROM follow_up WHERE at > ?", (stamp,)) == []
    assert sql_rows(store, "SELECT id FROM session WHERE started_at > ?", (stamp,)) == []
    assert sql_rows(store, "SELECT id FROM scale_reading WHERE at > ?", (stamp,)) == []
    store.close()
