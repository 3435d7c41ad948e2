"""After a restore, what was saved after the backup comes back in: an export of the
kept ``before-restore`` copy, imported into the restored database, adds the sessions
saved since and the corrections made since to sessions the backup already held."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from helpers_cli import make_clinic, ok, run

LOGGED = (
    "log --patient C001 --technique dry_needling --at '2025-06-10 09:00'"
    " --site 'upper trap l 3' --pain-before 7 --pain-after 4 --consent"
)
LATER = (
    "log --patient C002 --technique dry_needling --at '2025-06-12 09:00'"
    " --site 'infra r' --pain-before 5 --pain-after 3 --consent"
)


def _records(db: Path) -> dict[str, int]:
    """How many rows each record table holds (the audit log is each file's own)."""
    conn = sqlite3.connect(db)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE"
                " 'outcome_%' AND name NOT LIKE '%sqlite%' AND name NOT IN ('audit_log',"
                " 'file_stamp', 'practitioner_access')"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def _sessions(db: Path) -> list[tuple[object, ...]]:
    return [
        (s["patient_id"], s["started_at"], s["version"], s["pain_after"], s["amend_reason"])
        for s in json.loads(ok(db, "sessions --json"))
    ]


def test_sessions_amended_and_saved_after_the_backup_are_merged_back(tmp_path: Path) -> None:
    db = make_clinic(tmp_path / "clinic.db")
    ok(db, LOGGED)
    ok(db, f"backup {tmp_path / 'friday.db'}")
    ok(db, "amend 1 --pain-after 2 --reason 'pain after was 2, not 4'")  # after the backup
    ok(db, LATER)
    saved = _sessions(db)
    restored = run(db, f"restore --force {tmp_path / 'friday.db'}")
    assert restored.exit_code == 0, restored.output
    [kept] = db.parent.glob("clinic.db.before-restore-*")
    ok(kept, f"export -o {tmp_path / 'since.json'}")
    result = run(db, f"import {tmp_path / 'since.json'}")
    assert result.exit_code == 0, result.output
    assert _sessions(db) == saved
    assert run(db, "check").exit_code == 0
    again = run(db, f"import {tmp_path / 'since.json'}")  # nothing added twice
    assert again.exit_code == 0 and _sessions(db) == saved


def test_follow_ups_readings_and_voids_after_the_backup_are_merged_back(tmp_path: Path) -> None:
    db = make_clinic(tmp_path / "clinic.db")
    ok(db, LOGGED)
    ok(db, LATER)
    ok(db, "follow-up --patient C001 --pain 3 --at '2025-06-11 09:00' --session 1")
    ok(db, f"backup {tmp_path / 'friday.db'}")
    ok(db, "follow-up-amend 1 --pain 2 --reason 'misread'")  # each after the backup
    ok(db, "follow-up --patient C001 --pain 1 --at '2025-06-14 09:00' --session 1")
    ok(db, "scale record --patient C001 --scale NDI --items 1,1,1,1,1,1,1,1,1,1 --session 1")
    ok(db, "void 2 --reason 'wrong patient'")
    ok(db, "amend 1 --pain-after 2 --reason 'pain after was 2, not 4'")
    assert run(db, f"restore --force {tmp_path / 'friday.db'}").exit_code == 0
    [kept] = db.parent.glob("clinic.db.before-restore-*")
    ok(kept, f"export -o {tmp_path / 'since.json'}")
    result = run(db, f"import {tmp_path / 'since.json'}")
    assert result.exit_code == 0, result.output
    assert _records(db) == _records(kept)
    assert ok(db, "follow-ups --patient C001") == ok(kept, "follow-ups --patient C001")
    assert ok(db, "scale list --patient C001") == ok(kept, "scale list --patient C001")
    assert run(db, "check").exit_code == 0
