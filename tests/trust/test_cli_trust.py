"""The trust commands as a user runs them: one plain line per problem, no traceback."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from helpers_cli import fingerprint, run, run_process, with_secrets
from test_backup import tamper_audit

from sessionlog.cli import transfer


def test_check_and_audit_verify_on_a_healthy_database(clinic_path: Path) -> None:
    result = run(clinic_path, "check")
    assert (result.exit_code, result.stdout) == (
        0,
        # the clinic's 16 rows, and its 2 practitioners' secrets (given by helpers_cli)
        "The database is healthy: 3 sessions (2 patients), audit chain of 18 rows intact.\n",
    )
    result = run(clinic_path, "audit verify")
    assert (result.exit_code, result.stdout) == (
        0,
        "The audit log is intact: 18 rows, every link verified;"
        " every record row matches its seal.\n",
    )


def test_a_broken_chain_is_reported_with_its_first_broken_row(clinic_path: Path) -> None:
    tamper_audit(clinic_path)
    result = run(clinic_path, "audit verify")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: the audit log is broken at row 3: its content does not match its hash"
    )
    assert run(clinic_path, "check").exit_code == 1


def test_backup_then_restore(clinic_path: Path, tmp_path: Path) -> None:
    # A real process: an in-process run keeps its connection open after the command,
    # and restore refuses a database that is open.
    (tmp_path / "bk").mkdir()
    done = run_process(clinic_path, f"backup {tmp_path / 'bk'}/ --practitioner 'Ann Lee'")
    assert done.returncode == 0, done.stderr
    saved = next((tmp_path / "bk").iterdir())
    assert done.stdout.startswith(f"Backed up 3 sessions to {saved} (")
    # No terminal to ask in, no --force: the database is not replaced.
    result = run(clinic_path, f"restore {saved}")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {clinic_path} exists: refusing to replace it without asking."
        " Run in a terminal to confirm, or add --force.\n"
    )
    result = run(clinic_path, f"restore --force {saved}")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Restored 3 sessions into {clinic_path}. The previous")
    assert len(list(tmp_path.glob("clinic.db.before-restore-*"))) == 1


def test_restore_of_a_foreign_file(clinic_path: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    result = run(clinic_path, f"restore --force {other}")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {other} is not a sessionlog database")


def test_export_to_stdout_and_import(clinic_path: Path, tmp_path: Path) -> None:
    result = run(clinic_path, "export --format json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["counts"]["session"] == 6
    (tmp_path / "e.json").write_text(result.stdout)
    result = run(tmp_path / "new.db", f"import {tmp_path / 'e.json'}")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "Imported 2 practitioners, 2 patients, 1 episode, 4 sessions, 6 session versions,"
        " 10 needling sites, 1 IMS finding, 4 follow-ups, 3 adverse events, 1 protocol."
    )
    assert outcomes_ready(tmp_path / "new.db")  # the first comparison need not wait


def test_a_large_import_shows_progress_on_stderr(
    clinic_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer, "BIG", 1)
    assert run(clinic_path, f"export --format csv -o {tmp_path / 'e.zip'}").exit_code == 0
    result = run(tmp_path / "new.db", f"import {tmp_path / 'e.zip'}")
    assert result.exit_code == 0, result.output
    assert "Importing" in result.stderr and "Importing" not in result.stdout
    assert "Preparing outcome figures" in result.stderr
    assert outcomes_ready(tmp_path / "new.db")


def outcomes_ready(path: Path) -> bool:
    from sessionlog.store import Store
    from sessionlog.store.outcomes import cache as outcome_cache

    store = Store.open(path)
    try:
        points = store.conn.execute("SELECT count(*) FROM outcome_point").fetchone()[0]
        return outcome_cache.is_current(store.conn) and points > 0
    finally:
        store.close()


def test_a_bad_file_is_refused_with_rows_and_fields(clinic_path: Path, tmp_path: Path) -> None:
    doc = json.loads(run(clinic_path, "export").stdout)
    doc["tables"]["session"][0]["pain_before"] = 11
    doc["tables"]["site"][0]["insertions"] = 0
    (tmp_path / "bad.json").write_text(json.dumps(doc))
    before = fingerprint(clinic_path)
    result = run(clinic_path, f"import {tmp_path / 'bad.json'}")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: import: nothing was imported: the file has 2 problems:\n"
        "session row 1: pain_before: 11 is out of range: a whole number from 0 to 10\n"
        "site row 1: insertions: 0 is out of range: a whole number from 1 to 50\n"
    )
    assert "Traceback" not in result.output
    assert fingerprint(clinic_path) == before


def test_an_export_or_a_report_never_replaces_a_database(clinic_path: Path, tmp_path: Path) -> None:
    # `export -o clinic.db` printed "Exported 2,791 rows as json to clinic.db." and the
    # clinic's database was a JSON file; `--format fhir -o` over a backup replaced the
    # backup; `report --format html -o clinic.db` put the report in its place.
    (tmp_path / "bk").mkdir()
    backup = tmp_path / "bk" / "friday.db"
    assert run(clinic_path, f"backup {backup}").exit_code == 0
    kept = backup.read_bytes()
    for command, path, what in [
        (f"export -o {clinic_path}", clinic_path, "the clinic's database"),
        (f"export --force -o {clinic_path}", clinic_path, "the clinic's database"),
        (f"export --format fhir --force -o {backup}", backup, "a database"),
        (
            f"report --patient C001 --format html -o {clinic_path}",
            clinic_path,
            "the clinic's database",
        ),
        (f"report --patient C001 --format html --force -o {backup}", backup, "a database"),
    ]:
        result = run(clinic_path, command)
        assert (result.exit_code, result.stdout) == (1, ""), command
        assert result.stderr == (
            f"error: output: {path} is {what}: an export or a report never replaces one;"
            " give another file name\n"
        ), command
    assert backup.read_bytes() == kept  # (the database itself gains sign-in audit rows)
    assert run(clinic_path, "check").stdout.startswith("The database is healthy: 3 sessions")
    # The files SQLite keeps beside a database in use are the database too.
    from sessionlog.errors import ValidationError
    from sessionlog.store.file.guard import check_output

    wal = Path(f"{clinic_path}-wal")
    wal.write_bytes(b"")
    with pytest.raises(ValidationError, match="is a file of the clinic's database: an export"):
        check_output(wal, str(clinic_path), force=True)
    # Not there yet, too: an export written as DB-journal was taken for a leftover
    # journal (check then called the database read-only, the next command deleted it).
    journal = Path(f"{clinic_path}-journal")
    result = run(clinic_path, f"export -o {journal}")
    assert (result.exit_code, journal.exists()) == (1, False)
    assert "is a file of the clinic's database: an export" in result.stderr
    # A folder is no JSON file: it was refused naming a hidden temporary file, after the
    # export's audit row was written.
    exports = sql_rows_of(clinic_path, "SELECT count(*) FROM audit_log WHERE action = 'export'")
    result = run(clinic_path, f"export -o {tmp_path}")
    assert result.stderr == f"error: output: {tmp_path} is a folder: give a file name\n"
    assert (
        sql_rows_of(clinic_path, "SELECT count(*) FROM audit_log WHERE action = 'export'")
        == exports
    )


def sql_rows_of(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_an_export_replaces_an_existing_file_only_with_force(
    clinic_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "monday.json"
    out.write_text("the notes of a meeting")
    result = run(clinic_path, f"export -o {out}")
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: output: {out} already exists: give a new name (or --force to replace it)\n",
    )
    assert out.read_text() == "the notes of a meeting"
    for command in (f"export --force -o {out}", f"report --patient C001 --format html -o {out}"):
        assert run(clinic_path, command).exit_code == (0 if "--force" in command else 1)
    assert json.loads(out.read_text())["tables"]["session"]
    page = tmp_path / "bo.html"
    for _ in range(2):  # a report written again over itself: asked for with --force
        result = run(clinic_path, f"report --patient C001 --format html --force -o {page}")
        assert result.exit_code == 0, result.output


def test_only_an_admin_imports_into_a_database_that_has_one(
    clinic_path: Path, tmp_path: Path
) -> None:
    # A practitioner (not an admin) imported a file naming a second "Mei Chen" with no
    # secret, and sessions recorded by her: the imported name could then be claimed at
    # sign-in, and the sessions stood under her name with only the import's row naming
    # who brought them in.
    exported = run(clinic_path, "export --format json")
    (tmp_path / "e.json").write_text(exported.stdout)
    other = tmp_path / "other.db"
    assert run(other, f"import {tmp_path / 'e.json'}").exit_code == 0  # a new database
    before = fingerprint(clinic_path)
    result = run(clinic_path, f"import {tmp_path / 'e.json'} --practitioner 'Mei Chen'")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        "error: import: only an admin imports records into a database that has one"
        " (Mei Chen is a practitioner)\n",
    )
    assert fingerprint(clinic_path) == before
    result = run(clinic_path, f"import {tmp_path / 'e.json'} --practitioner 'Ann Lee'")
    assert result.exit_code == 0, result.output  # the admin: every row already there


def _restore_refused_to_mei(clinic_path: Path, backup: Path) -> None:
    """Mei Chen (a practitioner in the clinic's database) restores ``backup`` over it:
    refused in one line, the clinic's database as it was, nothing set aside."""
    before = fingerprint(clinic_path)
    result = run(clinic_path, f"restore {backup} --force --practitioner 'Mei Chen'")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        "error: restore: only an admin restores a backup over the clinic's database"
        " (Mei Chen is a practitioner in clinic.db): nothing was changed\n",
    )
    assert fingerprint(clinic_path) == before
    assert not list(clinic_path.parent.glob("clinic.db.before-restore-*"))


def test_only_an_admin_restores_a_backup_over_the_clinic(clinic_path: Path, tmp_path: Path) -> None:
    # A practitioner (not an admin) replaced the whole clinic's database by a backup.
    saved = tmp_path / "b1.db"
    assert run(clinic_path, f"backup {saved} --practitioner 'Ann Lee'").exit_code == 0
    _restore_refused_to_mei(clinic_path, saved)
    conn = sqlite3.connect(clinic_path)
    refused = conn.execute(
        "SELECT actor_id, detail FROM audit_log WHERE action = 'refused'"
    ).fetchall()
    conn.close()
    assert [(actor, json.loads(detail)["command"]) for actor, detail in refused] == [(2, "restore")]
    result = run(clinic_path, f"restore {saved} --force --practitioner 'Ann Lee'")
    assert result.exit_code == 0, result.output


def test_a_practitioner_cannot_restore_a_database_of_their_own_making(
    clinic_path: Path, tmp_path: Path
) -> None:
    # Mei Chen (a practitioner here) made a database of her own, where she is the admin,
    # and "restored" it over the clinic's: the admin check asked the file she brought.
    # The clinic's own database, when it can be read, says who may restore over it.
    mine = tmp_path / "mine.db"
    added = run(mine, "practitioners add --name 'Mei Chen' --profession acupuncturist")
    assert added.exit_code == 0, added.output
    with_secrets(clinic_path)
    _restore_refused_to_mei(clinic_path, mine)


def test_only_an_admin_backs_up_the_database_it_carries_every_secret_hash(
    clinic_path: Path, tmp_path: Path
) -> None:
    # A backup holds practitioner_access (every secret's scrypt hash and salt): a
    # practitioner could take one home and try PINs against the admin's hash.
    with_secrets(clinic_path)
    before = fingerprint(clinic_path)
    result = run(clinic_path, f"backup {tmp_path / 'b.db'} --practitioner 'Mei Chen'")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        "error: backup: only an admin backs up the database (Mei Chen is a practitioner):"
        " a backup carries every practitioner's secret hash; `sessionlog export` gives the"
        " records without them\n",
    )
    assert fingerprint(clinic_path) == before and not (tmp_path / "b.db").exists()
    conn = sqlite3.connect(clinic_path)
    refused = conn.execute("SELECT actor_id, detail FROM audit_log WHERE action = 'refused'")
    assert [(a, json.loads(d)["command"]) for a, d in refused] == [(2, "backup")]
    conn.close()
    result = run(clinic_path, f"backup {tmp_path / 'b.db'} --practitioner 'Ann Lee'")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("suffix", ["-journal", "-wal", "-shm"])
def test_a_backup_never_takes_the_name_of_a_file_sqlite_keeps_beside_a_database(
    clinic_path: Path, tmp_path: Path, suffix: str
) -> None:
    # `backup j.db-journal` said "Backed up 180 sessions ... checked" and wrote its audit
    # row; `check` then said "attempt to write a readonly database" and the next command
    # deleted the file (SQLite took it for a hot journal). Over a live -wal (--force) it
    # replaced the saves not yet folded into the database.
    with_secrets(clinic_path)
    other = tmp_path / "other.db"
    other.write_bytes(clinic_path.read_bytes())
    for dest in (Path(f"{clinic_path}{suffix}"), Path(f"{other}{suffix}")):
        for force in ("", " --force"):
            before = fingerprint(clinic_path)
            result = run(clinic_path, f"backup {dest}{force}")
            assert (result.exit_code, result.stdout, result.stderr) == (
                1,
                "",
                f"error: destination: {dest} is a file SQLite keeps beside a database"
                " (the next open would replay or delete it): give another file name\n",
            )
            assert fingerprint(clinic_path) == before
            # (SQLite's own -wal and -shm may be there: never a copy of the database)
            assert not dest.exists() or not dest.read_bytes().startswith(b"SQLite format 3")
    # An export or a report beside another database is refused as beside the clinic's.
    dest = Path(f"{other}{suffix}")
    for command in (f"export -o {dest}", f"report --patient C001 --format html -o {dest}"):
        result = run(clinic_path, command)
        assert (result.exit_code, result.stderr, dest.exists()) == (
            1,
            f"error: output: {dest} is a file SQLite keeps beside a database: an export or a"
            " report never replaces one; give another file name\n",
            False,
        )
    assert run(clinic_path, "check").exit_code == 0


@pytest.mark.parametrize(
    ("edit", "what"),
    [
        (
            "last_failed_at = 'garbage', failed_attempts = 5",
            "its last_failed_at is not a time",
        ),
        ("params = 'scrypt:n=abc,r=8,p=1'", "its params are not scrypt costs this sessionlog uses"),
        # 2 GiB a hash (n*r*128 bytes): a sign-in must never be made to take that
        (
            "params = 'scrypt:n=1048576,r=16,p=16'",
            "its params are not scrypt costs this sessionlog uses",
        ),
        ("salt = 'zz'", "its salt is not hexadecimal"),
    ],
)
def test_a_hand_edited_sign_in_row_is_one_line_naming_it_and_check_names_it(
    clinic_path: Path, edit: str, what: str
) -> None:
    # A traceback (ValueError: Invalid isoformat string: 'garbage'), and in the app a
    # traceback whose locals printed the secret's hash and salt; check said healthy.
    with_secrets(clinic_path)
    conn = sqlite3.connect(clinic_path)
    with conn:
        conn.execute(f"UPDATE practitioner_access SET {edit} WHERE practitioner_id = 2")
    conn.close()
    line = (
        f"Mei Chen's sign-in row (practitioner_access, practitioner 2) is not valid: {what}."
        " An admin resets Mei Chen's secret (F2 in the app, then Ctrl+R)"
    )
    result = run(clinic_path, "patients --practitioner 'Mei Chen'")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"error: {line}\n")
    result = run(clinic_path, "check")
    assert (result.exit_code, result.stdout) == (
        1,
        f"The database at {clinic_path} has a problem:\n- {line}.\n",
    )
    assert run(clinic_path, "patients --practitioner 'Ann Lee'").exit_code == 0
