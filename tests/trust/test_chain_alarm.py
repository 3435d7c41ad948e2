"""A broken audit chain is said on every CLI write and in the app until `check` passes
(issue 12, defect 6); and the migration that introduced seals, and imports, seal rows."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from click.testing import Result
from helpers_cli import run  # as a script runs: practitioner 1, with the secret
from test_backup import tamper_audit
from test_tamper import forge_a_seal

from sessionlog.store import Store
from sessionlog.store.db import _migrations
from sessionlog.store.file.health import check
from sessionlog.store.integrity import audit
from sessionlog.store.integrity.alarm import note_path
from sessionlog.store.integrity.seal import MIGRATION

WARNING = "warning: The audit chain is broken"


def add_patient(db: Path, chart: str) -> Result:
    result = run(db, f"patients add --chart-id {chart} --name 'New Patient'")
    assert result.exit_code == 0, result.output
    return result


def test_an_altered_audit_row_near_the_end_is_warned_about_on_every_write(
    clinic_path: Path,
) -> None:
    assert WARNING not in add_patient(clinic_path, "N1").stderr
    tamper_audit(clinic_path)  # no check run yet: the end of the chain shows it
    first = add_patient(clinic_path, "N2").stderr
    assert first.startswith(f"{WARNING} (audit row 3 was altered): records may have been")
    assert first.rstrip().endswith("Run `sessionlog check` (this warning stays until it passes).")
    assert WARNING in add_patient(clinic_path, "N3").stderr
    # Reading patients proves who reads (a sign-in row, written): warned about too.
    assert WARNING in run(clinic_path, "patients").stderr


def test_the_warning_stays_until_check_passes(clinic_path: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.db"
    shutil.copy(clinic_path, good)
    conn = sqlite3.connect(clinic_path, isolation_level=None)
    forge_a_seal(conn)  # deep in the file: only a full check sees it
    conn.close()
    assert WARNING not in add_patient(clinic_path, "N1").stderr
    assert run(clinic_path, "check").exit_code == 1
    assert note_path(clinic_path).exists()  # type: ignore[union-attr]
    assert add_patient(clinic_path, "N2").stderr.startswith(
        f"{WARNING}: records may have been changed outside sessionlog."
    )
    shutil.copy(good, clinic_path)  # put back as it was (as a restore does)
    for suffix in ("-wal", "-shm"):
        Path(f"{clinic_path}{suffix}").unlink(missing_ok=True)
    assert WARNING in add_patient(clinic_path, "N3").stderr  # until check says so
    passed = run(clinic_path, "check")
    assert passed.exit_code == 0, passed.output
    assert not note_path(clinic_path).exists()  # type: ignore[union-attr]
    assert WARNING not in add_patient(clinic_path, "N4").stderr


def test_a_backup_and_audit_verify_of_an_altered_database_leave_the_warning(
    clinic_path: Path, tmp_path: Path
) -> None:
    conn = sqlite3.connect(clinic_path, isolation_level=None)
    forge_a_seal(conn)
    conn.close()
    result = run(clinic_path, f"backup {tmp_path / 'b.db'}")
    # Kept (the work since needs a backup too), with the warning, and the note left.
    assert result.exit_code == 0 and (tmp_path / "b.db").exists()
    assert "warning: the records copied were changed outside sessionlog" in result.stderr
    assert note_path(clinic_path).exists()  # type: ignore[union-attr]
    note_path(clinic_path).unlink()  # type: ignore[union-attr]
    verify = run(clinic_path, "audit verify")
    assert verify.exit_code == 1
    assert verify.stderr.startswith("error: the seals written with audit row ")
    assert note_path(clinic_path).exists()  # type: ignore[union-attr]


def _old_database(path: Path) -> None:
    """A database as sessionlog made it before schema 0005: rows, audit rows, no seals."""
    from sqlite_utils import Database

    conn = sqlite3.connect(path, isolation_level=None)
    _migrations().apply(Database(conn), stop_before=MIGRATION)
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO practitioner (name, profession, created_at)"
        " VALUES ('Ann Lee', 'physiotherapist', '2026-01-01 09:00:00')"
    )
    conn.execute(
        "INSERT INTO patient (chart_id, name, created_at) VALUES ('C1', 'Bo', '2026-01-01')"
    )
    for entity in ("practitioner", "patient"):
        audit.append(
            conn,
            at="2026-01-01 09:00:00",
            actor_id=1,
            action="create",
            entity=entity,
            entity_id=1,
            detail={},
        )
    conn.execute("COMMIT")
    conn.close()


def test_migrating_an_old_database_seals_its_rows_once_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _old_database(path)
    Store.open(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute(
        "SELECT tbl, row_id, audit_id FROM record_seal ORDER BY tbl"
    ).fetchall() == [
        ("patient", 1, 3),
        ("practitioner", 1, 3),
    ]
    action, entity, reason, sealed = conn.execute(
        "SELECT action, entity, json_extract(detail, '$.reason'), json_extract(detail, '$.sealed')"
        " FROM audit_log WHERE id = 3"
    ).fetchone()
    conn.close()
    assert (action, entity, sealed) == ("seal", "database", 2)
    assert reason.startswith("schema 0005: the record rows already here were sealed")
    assert check(path).ok
    Store.open(path).close()  # once: opening again seals nothing more
    assert sqlite3.connect(path).execute("SELECT count(*) FROM audit_log").fetchone()[0] == 3


def test_imported_rows_are_sealed(clinic_path: Path, tmp_path: Path) -> None:
    export = tmp_path / "all.json"
    assert run(clinic_path, f"export -o {export}").exit_code == 0
    for target in (tmp_path / "new.db", clinic_path):  # a new database, and one with rows
        result = run(target, f"import {export}")
        assert result.exit_code == 0, result.output
        health = check(target)
        assert health.ok, health.problems
    conn = sqlite3.connect(tmp_path / "new.db")
    rows = sum(
        conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("practitioner", "patient", "episode", "session_record", "session", "site")
        + ("ims_finding", "follow_up", "adverse_event", "protocol")
    )
    assert conn.execute("SELECT count(*) FROM record_seal").fetchone()[0] == rows
