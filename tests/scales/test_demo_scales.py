"""The demo clinic shows the scales on first run: NDI for neck patients, ODI for low
back, PSFS for everyone (baseline and later), GROC at the later follow-ups."""

from __future__ import annotations

from pathlib import Path

from helpers_domain import fixed_clock
from helpers_store import sql_rows

from sessionlog.demo import build_demo
from sessionlog.store import Store


def test_demo_carries_the_scales_by_region(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "demo.db", clock=fixed_clock)
    build_demo(store, seed=7)
    by_region = sql_rows(
        store,
        "SELECT e.body_region AS region, r.scale AS scale, count(*) AS n,"
        " count(DISTINCT r.patient_id) AS patients FROM scale_reading r"
        " JOIN episode e ON e.patient_id = r.patient_id GROUP BY 1, 2",
    )
    scales = {(r["region"], r["scale"]) for r in by_region}
    assert ("neck", "NDI") in scales and ("low_back", "ODI") in scales
    assert not {s for region, s in scales if s == "NDI" and region != "neck"}
    assert not {s for region, s in scales if s == "ODI" and region != "low_back"}
    with_sessions = sql_rows(store, "SELECT count(DISTINCT patient_id) AS n FROM current_session")
    psfs = sql_rows(store, "SELECT count(DISTINCT patient_id) AS n FROM scale_reading"
                       " WHERE scale = 'PSFS'")  # fmt: skip
    assert psfs[0]["n"] == with_sessions[0]["n"]
    groc = sql_rows(store, "SELECT count(*) AS n FROM scale_reading WHERE scale = 'GROC'"
                       " AND follow_up_id IS NOT NULL")  # fmt: skip
    assert groc[0]["n"] > 20
    store.close()


def test_demo_with_scales_is_deterministic(tmp_path: Path) -> None:
    rows = []
    for name in ("a.db", "b.db"):
        store = Store.open(tmp_path / name, clock=fixed_clock)
        build_demo(store, seed=3, patients=8)
        rows.append(
            sql_rows(store, "SELECT patient_id, scale, at, items, score FROM scale_reading")
        )
        store.close()
    assert rows[0] == rows[1] and rows[0]
