"""Restore while another process keeps saving: no acknowledged save is lost.

Each save the writer reported as saved must be, afterwards, in the restored database
or in one of the copies restore kept (``.before-restore-*``): restore holds the
database's lock from its check to the swap, so a save lands before (and is kept) or
waits and is refused (and the writer knows it was not saved).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import trust_workers
from trust_figures import FIGURES

from sessionlog.errors import DatabaseError
from sessionlog.store.file.backup import restore

TRIALS = 20


def saved_notes(path: Path) -> set[str]:
    conn = sqlite3.connect(path)  # a kept copy may have its -wal beside it
    try:
        return {r[0] for r in conn.execute("SELECT notes FROM session WHERE notes IS NOT NULL")}
    finally:
        conn.close()


@pytest.mark.slow
def test_restore_never_loses_an_acknowledged_save(tmp_path: Path) -> None:
    db = tmp_path / "clinic.db"
    source = trust_workers.prepare_with_backup(db, tmp_path / "backup.db")
    writer = subprocess.Popen(
        [sys.executable, "-u", trust_workers.__file__, str(db), "reopening"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    acknowledged: set[str] = set()
    refused: list[str] = []
    restored = busy = 0

    def next_line() -> str:
        raw = writer.stdout.readline()  # type: ignore[union-attr]
        assert raw, "the writer stopped"
        line = raw.strip()
        if line.startswith("saved "):
            acknowledged.add(f"worker 0 save {line.split()[1]}")
        elif line.startswith("refused "):
            refused.append(line)
        return line

    try:
        assert next_line() == "ready"
        while restored < TRIALS:
            while not next_line().startswith("saved "):  # a save between two restores
                pass
            try:
                restore(source, db)
                restored += 1
            except DatabaseError as exc:  # the writer had it open at that moment
                assert "is open in sessionlog elsewhere" in str(exc)
                busy += 1
        next_line()
    finally:
        writer.kill()
        writer.wait()
    while line := writer.stdout.readline():  # what it printed before it was killed
        if line.startswith("saved "):
            acknowledged.add(f"worker 0 save {line.split()[1]}")
    files = [db, *tmp_path.glob("clinic.db.before-restore-*")]
    found = set().union(*(saved_notes(f) for f in files if not f.name.endswith("-wal")))
    lost = sorted(acknowledged - found)
    FIGURES.append(
        f"restore race: {restored} restores ({busy} refused as in use), {len(acknowledged)}"
        f" saves acknowledged, {len(refused)} refused, {len(lost)} lost"
    )
    print(FIGURES[-1])
    assert restored == TRIALS
    assert lost == []
    assert all("nothing was" in r for r in refused), refused
