"""Backups are checked, self-contained copies; restore refuses bad files and keeps the
database it replaces."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from helpers_store import sql_rows
from trust_clinic import clock, dump

from sessionlog.errors import DatabaseError, ValidationError
from sessionlog.store import Store
from sessionlog.store.file.backup import backup, restore, sha256
from sessionlog.store.file.health import check
from sessionlog.store.integrity import audit as chain

LATER = datetime(2026, 11, 23, 8, 30)


def damage(path: Path) -> None:
    """Overwrite pages in the middle of the file, as a failing disk would."""
    data = bytearray(path.read_bytes())
    page = 4096
    for n in (3, 5, 8):
        data[n * page + 8 : n * page + 4000] = b"\xa5" * (4000 - 8)
    path.write_bytes(bytes(data))


def tamper_audit(path: Path) -> None:
    """Change an audit row the way someone with raw SQL access could."""
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("""UPDATE audit_log SET detail = '{"chart_id":"C999"}' WHERE id = 3""")
    conn.commit()
    conn.close()


def test_backup_is_a_checked_standalone_copy(clinic: Store, tmp_path: Path) -> None:
    before = dump(clinic.conn)
    (tmp_path / "backups").mkdir()
    result = backup(clinic, tmp_path / "backups" / "monday.db", actor_id=1)
    assert result.path == tmp_path / "backups" / "monday.db"
    assert sorted(p.name for p in result.path.parent.iterdir()) == ["monday.db"]  # no temp left
    copy = sqlite3.connect(result.path)
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # no -wal needed
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy.close()
    assert dump(result.path) == before
    assert result.sessions == 3 and result.sha256 == sha256(result.path)
    row = sql_rows(
        clinic, "SELECT actor_id, action, detail FROM audit_log ORDER BY id DESC LIMIT 1"
    )[0]
    detail = json.loads(row["detail"])
    assert (row["actor_id"], row["action"], detail["sha256"]) == (1, "backup", result.sha256)


def test_backup_to_a_folder_gets_a_dated_name(clinic: Store, tmp_path: Path) -> None:
    (tmp_path / "bk").mkdir()
    result = backup(clinic, tmp_path / "bk")
    assert result.path.name == "sessionlog-20261122-100000.db"


def test_backup_never_replaces_a_file_silently(clinic: Store, tmp_path: Path) -> None:
    target = tmp_path / "b.db"
    target.write_text("precious")
    with pytest.raises(ValidationError) as err:
        backup(clinic, target)
    assert str(err.value) == (
        f"destination: {target} already exists: give a new name (or --force to replace it)"
    )
    assert target.read_text() == "precious"
    backup(clinic, target, force=True)
    assert check(target).ok


def test_restore_brings_back_the_backup_and_keeps_the_replaced_database(
    clinic: Store, clinic_path: Path, tmp_path: Path
) -> None:
    saved = backup(clinic, tmp_path / "b.db").path
    snapshot = dump(saved)
    clinic.void_session(1, 1, "mistake, to be undone by the restore")
    after_mistake = dump(clinic.conn)
    clinic.close()
    result = restore(saved, clinic_path, clock=LATER, actor_id=1)
    assert result.previous == clinic_path.with_name("clinic.db.before-restore-20261123-083000")
    restored = dump(clinic_path)
    assert {t: rows for t, rows in restored.items() if t != "audit_log"} == {
        t: rows for t, rows in snapshot.items() if t != "audit_log"
    }
    # The restore itself is in the restored database's history, chained to the backup's.
    assert restored["audit_log"][:-1] == snapshot["audit_log"]
    assert restored["audit_log"][-1][3] == "restore"
    assert chain.verify(sqlite3.connect(clinic_path)).ok
    assert dump(result.previous) == after_mistake


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda p: p.write_text("name,pain\nBo,3\n"),
            "is not a sessionlog database (not an SQLite file at all)",
        ),
        (
            lambda p: sqlite3.connect(p).execute("CREATE TABLE photos (x)").connection.commit(),
            "is not a sessionlog database (it holds other data); give a new file name or a"
            " sessionlog database",
        ),
    ],
)
def test_restore_refuses_a_foreign_file(
    clinic_path: Path, tmp_path: Path, make, message: str
) -> None:
    foreign = tmp_path / "foreign.db"
    make(foreign)
    before = clinic_path.read_bytes()
    with pytest.raises(DatabaseError) as err:
        restore(foreign, clinic_path)
    assert str(err.value) == f"{foreign} {message}"
    assert clinic_path.read_bytes() == before
    assert not list(tmp_path.glob("*before-restore*"))


def test_restore_refuses_a_damaged_backup(clinic: Store, clinic_path: Path, tmp_path: Path) -> None:
    saved = backup(clinic, tmp_path / "b.db").path
    clinic.close()
    damage(saved)
    before = clinic_path.read_bytes()
    with pytest.raises(DatabaseError) as err:
        restore(saved, clinic_path)
    assert "cannot be restored: The file is damaged" in str(err.value)
    assert str(err.value).endswith("Nothing was changed.")
    assert clinic_path.read_bytes() == before


def test_restore_refuses_a_backup_whose_history_was_altered(
    clinic: Store, clinic_path: Path, tmp_path: Path
) -> None:
    saved = backup(clinic, tmp_path / "b.db").path
    clinic.close()
    tamper_audit(saved)
    with pytest.raises(DatabaseError) as err:
        restore(saved, clinic_path)
    assert "The audit log is broken at row 3: its content does not match its hash" in str(err.value)


def test_restore_refuses_while_the_database_is_open(
    clinic: Store, clinic_path: Path, tmp_path: Path
) -> None:
    saved = backup(clinic, tmp_path / "b.db").path
    with pytest.raises(DatabaseError) as err:
        restore(saved, clinic_path)  # `clinic` still has it open
    assert "is open in sessionlog elsewhere" in str(err.value)


def test_restore_over_a_damaged_database_keeps_its_bytes(
    clinic: Store, clinic_path: Path, tmp_path: Path
) -> None:
    saved = backup(clinic, tmp_path / "b.db").path
    clinic.close()
    damage(clinic_path)
    damaged = clinic_path.read_bytes()
    result = restore(saved, clinic_path, clock=LATER)
    assert result.previous is not None and result.previous.read_bytes() == damaged
    assert check(clinic_path).ok
    reopened = Store.open(clinic_path, clock=clock)
    assert len(reopened.sessions()) == 3
    reopened.close()


def test_a_database_whose_history_was_altered_is_still_backed_up(
    clinic: Store, clinic_path: Path, tmp_path: Path
) -> None:
    # Saves carry on (with a warning) once the audit chain is broken, but backup refused
    # ("the backup copy failed its integrity check, so it was not kept"): the clinic's
    # new work had no backup at all until someone found what was changed.
    good = backup(clinic, tmp_path / "nightly.db", actor_id=1).path
    kept = good.read_bytes()
    clinic.close()
    tamper_audit(clinic_path)
    store = Store.open(clinic_path)
    try:
        result = backup(store, tmp_path / "evidence.db", actor_id=1)
        # Never over the last good backup, --force or not (restore refuses the new one).
        again = backup(store, good, actor_id=1, force=True)
    finally:
        store.close()
    assert good.read_bytes() == kept
    assert again.path.name.startswith("nightly-altered-") and again.path.exists()
    assert again.warning.endswith(
        f"; it did not replace the file that was there: it is {again.path.name}"
    )
    assert result.path.exists() and result.sessions == 3
    assert result.warning.startswith(
        "the records copied were changed outside sessionlog (as `sessionlog check` says of"
        " the database): The audit log is broken at row 3: its content does not match"
    )
    copy = check(result.path)
    assert copy.tampered and copy.problems[0].startswith("The audit log is broken at row 3")
    with pytest.raises(DatabaseError, match="The audit log is broken at row 3"):
        restore(result.path, clinic_path)  # and still no backup to restore from as it is
