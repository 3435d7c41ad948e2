"""A restore killed (kill -9) at any point leaves either the database as it was, with
no restore in its history, or the restored one whose history says it was restored:
never a restored database without its record of the restore."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from helpers_cli import fingerprint, make_clinic, ok, process_env, run

# The restore, in a process of its own that kills itself (SIGKILL: no clean-up runs)
# just before or just after the backup takes the database's name (os.replace).
CHILD = """
import os, signal, sys
src, db, when = sys.argv[1:]
real = os.replace
def replace(a, b):
    if os.fspath(b) == db and when == "before":
        os.kill(os.getpid(), signal.SIGKILL)
    real(a, b)
    if os.fspath(b) == db and when == "after":
        os.kill(os.getpid(), signal.SIGKILL)
os.replace = replace
from sessionlog.cli import cli
cli(["--db", db, "restore", "--force", src])
"""


def _actions(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT action FROM audit_log ORDER BY id")]
    finally:
        conn.close()


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_restore_killed_at_the_swap_leaves_its_record_with_the_restored_file(
    tmp_path: Path, when: str
) -> None:
    db = make_clinic(tmp_path / "clinic.db")
    saved = tmp_path / "friday.db"
    ok(db, f"backup {saved}")
    ok(db, "patients add --chart-id C003 --name 'Di Fox'")  # after the backup
    before = fingerprint(db)
    killed = subprocess.run(
        [sys.executable, "-c", CHILD, str(saved), str(db), when],
        capture_output=True,
        text=True,
        timeout=120,
        env=process_env(),
    )
    assert killed.returncode == -9, killed.stderr
    patients = ok(db, "patients")
    if when == "before":  # nothing changed: no restore, and none recorded
        assert fingerprint(db) == before
        assert "C003" in patients and "restore" not in _actions(db)
    else:  # the backup is in place, and its history says it was restored
        assert "C003" not in patients
        restored = _actions(db)
        assert restored.count("restore") == 1
        assert restored[: restored.index("restore")] == _actions(saved)  # right after
    assert run(db, "check").exit_code == 0
