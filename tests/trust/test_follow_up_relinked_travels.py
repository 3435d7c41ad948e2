"""A follow-up recorded against the wrong session is corrected by linking it to the
right one (``follow-up-amend ID --session N``, the app's "Follows" list): a correction
the clinic needs. The export holding that correction must import like any other,
into a new database and merged back, JSON and CSV, and count for the session it now
follows (review17, defect 1: the import refused it, "corrects a follow-up of another
session", so the clinic's export could go nowhere while ``check`` called it healthy)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from helpers_cli import make_clinic, ok, run

FIRST = (
    "log --patient C001 --technique dry_needling --at '2025-06-10 09:00'"
    " --site 'upper trap l 3' --pain-before 7 --pain-after 4 --consent"
)
SECOND = (
    "log --patient C001 --technique dry_needling --at '2025-06-12 09:00'"
    " --site 'upper trap l 3' --pain-before 6 --pain-after 3 --consent"
)


def _follow_ups(db: Path) -> list[tuple[object, ...]]:
    """Every follow-up row by what it is (the session it follows by its uid, the one it
    corrects by its time and session), whatever the ids of the database."""
    conn = sqlite3.connect(db)
    try:
        return sorted(
            conn.execute(
                "SELECT r.uid, f.at, f.pain, f.status, f.amend_reason,"
                " (SELECT g.at || ' ' || gr.uid FROM follow_up g JOIN session_record gr"
                " ON gr.id = g.session_record_id WHERE g.id = f.supersedes_id)"
                " FROM follow_up f JOIN session_record r ON r.id = f.session_record_id"
            ).fetchall(),
            key=repr,
        )
    finally:
        conn.close()


def _counted(db: Path) -> list[tuple[object, ...]]:
    """Which session each current follow-up counts for, and its reading, as the
    figures read it (by session time, not id)."""
    rows = json.loads(ok(db, "follow-ups --patient C001 --json"))
    times = {s["record_id"]: s["started_at"] for s in json.loads(ok(db, "sessions --json"))}
    return [(times[f["session_record_id"]], f["at"], f["pain"]) for f in rows]


def _relinked(tmp_path: Path) -> tuple[Path, Path]:
    """A clinic whose follow-up was recorded against session 2 and re-linked to session
    1; and a backup made before the re-link (the copy a merge-back goes into)."""
    db = make_clinic(tmp_path / "clinic.db")
    ok(db, FIRST)
    ok(db, SECOND)
    assert ok(db, "follow-up --patient C001 --pain 4 --at '2025-06-13 09:00' --session 2")
    ok(db, f"backup {tmp_path / 'before.db'}")
    ok(
        db,
        "follow-up-amend 1 --reason 'was after session 1' --session 1 --at '2025-06-11 09:00'",
    )
    assert _counted(db) == [("2025-06-10 09:00:00", "2025-06-11 09:00:00", 4)]
    assert run(db, "check").exit_code == 0
    return db, tmp_path / "before.db"


def _imported(db: Path, out: Path, into: Path) -> None:
    """Import ``out`` into ``into``: taken, its follow-up rows those of ``db``."""
    result = run(into, f"import {out}")
    assert result.exit_code == 0, result.output
    assert _follow_ups(into) == _follow_ups(db)
    assert run(into, "check").exit_code == 0


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_a_relinked_follow_up_imports_into_a_new_database(tmp_path: Path, kind: str) -> None:
    db, _ = _relinked(tmp_path)
    out = tmp_path / ("e.json" if kind == "json" else "e.zip")
    ok(db, f"export --format {kind} -o {out}")
    _imported(db, out, tmp_path / "new.db")
    assert _counted(tmp_path / "new.db") == [("2025-06-10 09:00:00", "2025-06-11 09:00:00", 4)]


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_a_relinked_follow_up_merges_back(tmp_path: Path, kind: str) -> None:
    db, before = _relinked(tmp_path)
    out = tmp_path / ("e.json" if kind == "json" else "e.zip")
    ok(db, f"export --format {kind} -o {out}")
    same = tmp_path / "same.db"
    shutil.copy(db, same)
    _imported(db, out, same)  # into the database it came from: nothing new
    _imported(db, out, before)  # the copy before the re-link: the re-link comes in
    assert _counted(before) == [("2025-06-10 09:00:00", "2025-06-11 09:00:00", 4)]


def test_a_follow_up_cannot_be_relinked_to_another_patient_in_a_file(tmp_path: Path) -> None:
    """What the store refuses stays refused in a file: a correction moves a follow-up to
    another session of the same patient, never to another patient."""
    db, _ = _relinked(tmp_path)
    ok(
        db,
        "log --patient C002 --technique dry_needling --at '2025-06-10 10:00'"
        " --site 'infra r' --pain-before 5 --pain-after 3 --consent",
    )
    out = tmp_path / "e.json"
    ok(db, f"export -o {out}")
    doc = json.loads(out.read_text())
    rows = doc["tables"]["follow_up"]
    moved = next(f for f in rows if f["supersedes_id"] is not None)
    moved.update(patient_id=2, session_record_id=3)
    out.write_text(json.dumps(doc))
    result = run(tmp_path / "new.db", f"import {out}")
    assert result.exit_code != 0
    assert "supersedes_id: corrects a follow-up of another patient" in result.output
