"""``check`` compares the database's views and indexes with the ones its migrations
create, as it does its triggers: a view rewritten to hide a record is found."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sessionlog.store.file.health import check

HIDING = """CREATE VIEW current_session AS
SELECT s.* FROM session s
WHERE s.status = 'active'
  AND NOT EXISTS (SELECT 1 FROM session n WHERE n.supersedes_id = s.id) AND s.id != 1"""


def _raw(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in statements:
        conn.execute(statement)
    conn.close()


def test_check_finds_a_view_rewritten_to_hide_a_session(clinic_path: Path) -> None:
    assert check(clinic_path).ok
    _raw(clinic_path, "DROP VIEW current_session", HIDING)
    health = check(clinic_path)
    assert health.problems[0] == "the view current_session was altered."
    assert health.tampered


def test_check_finds_views_and_indexes_dropped_or_added(clinic_path: Path) -> None:
    _raw(
        clinic_path,
        "DROP VIEW current_scale_reading",
        "DROP INDEX patient_name",
        "CREATE INDEX patient_name ON patient (chart_id)",
        "DROP INDEX episode_patient",
        "CREATE VIEW every_session AS SELECT * FROM session",
    )
    assert check(clinic_path).problems[:4] == [
        "the view current_scale_reading is missing (dropped).",
        "the view every_session is not sessionlog's (added).",
        "the index episode_patient is missing (dropped).",
        "the index patient_name was altered.",
    ]


def test_check_names_a_current_view_dropped_by_hand_in_one_line(clinic_path: Path) -> None:
    # Its counts and the follow-ups left out read these views: check crashed on them.
    for view in ("current_session", "current_follow_up"):
        path = clinic_path.with_name(f"{view}.db")
        path.write_bytes(clinic_path.read_bytes())
        _raw(path, f"DROP VIEW {view}")
        health = check(path)
        assert health.problems[0] == f"the view {view} is missing (dropped)."
        assert health.problems[1].startswith("Records were changed outside sessionlog")
        assert len(health.problems) == 2
        assert health.tampered


def test_check_says_when_a_view_cannot_be_read(clinic_path: Path) -> None:
    # A view rewritten over a table that is not there: altered, and no traceback.
    _raw(
        clinic_path,
        "DROP VIEW current_follow_up",
        "CREATE TABLE gone (id INTEGER)",
        "CREATE VIEW current_follow_up AS SELECT * FROM gone",
        "DROP TABLE gone",
    )
    health = check(clinic_path)
    assert health.problems[0] == "the view current_follow_up was altered."
    assert health.tampered
