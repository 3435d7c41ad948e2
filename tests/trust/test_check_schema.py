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
