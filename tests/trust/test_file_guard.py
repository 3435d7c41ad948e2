"""Only a missing path is a new database, and a -wal is replayed only into its own.

An empty file, a file that is not a database, a -wal without its database, and a
-wal written for another database (or for this file before a backup was copied over
it) are refused by every command, naming the file and what to do, and every file
is left byte for byte as it was.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import trust_workers
from helpers_cli import run_processes

from sessionlog.errors import DatabaseError
from sessionlog.store import Store

COMMANDS = [
    ("patients", None),
    ("sessions", None),
    ("audit verify", None),
    ("log --patient C001 --technique acupuncture --consent --site st36:left", None),
    ("export --format json", None),
]
HINT = "`sessionlog restore BACKUP_FILE`"


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def refused_by_every_command(db: Path, expected: str) -> None:
    before = files(db.parent)
    for (command, _), proc in zip(COMMANDS, run_processes(db, COMMANDS), strict=True):
        assert proc.returncode == 1, (command, proc.stderr)
        assert proc.stdout == "" and proc.stderr.count("\n") == 1, (command, proc.stderr)
        assert "Traceback" not in proc.stderr, (command, proc.stderr)
        if command == "audit verify" and not db.exists():  # its own message for a missing db
            assert f"there is no database at {db}" in proc.stderr
        else:
            assert expected in proc.stderr, (command, proc.stderr)
    backups = db.parent / "backups"
    proc = run_processes(db, [(f"backup {backups}/", None)])[0]
    assert proc.returncode == 1 and expected in proc.stderr, proc.stderr
    assert not backups.exists() or not list(backups.iterdir())
    assert files(db.parent) == before


def with_unsaved_wal(db: Path, saves: int) -> bytes:
    """Saves still in ``db``'s -wal (as a crash leaves them): its bytes, then closed."""
    store = Store.open(db)
    for n in range(saves):
        store.save_session(trust_workers.session(n))
    wal = Path(f"{db}-wal").read_bytes()
    store.close()
    return wal


def test_an_empty_file_is_refused_not_made_new(tmp_path: Path) -> None:
    db = tmp_path / "clinic.db"
    db.touch()
    refused_by_every_command(db, f"{db} is empty (0 bytes)")
    assert db.stat().st_size == 0
    with pytest.raises(DatabaseError, match="is empty"):
        Store.open(db)


def test_a_file_that_is_not_a_database_is_refused_with_the_restore_hint(tmp_path: Path) -> None:
    db = tmp_path / "clinic.db"
    db.write_bytes(b"\x00" * 4096)
    refused_by_every_command(db, f"{db} is not a sessionlog database (not an SQLite file)")
    with pytest.raises(DatabaseError, match="restore"):
        Store.open(db)


def test_a_wal_without_its_database_is_refused_and_kept(tmp_path: Path) -> None:
    db = tmp_path / "clinic.db"
    trust_workers.prepare(db)
    wal = with_unsaved_wal(db, 3)
    db.unlink()
    Path(f"{db}-wal").write_bytes(wal)
    refused_by_every_command(db, f"{db}-wal is there but its database {db} is missing")
    assert not db.exists() and Path(f"{db}-wal").read_bytes() == wal


def test_another_databases_wal_is_refused(tmp_path: Path) -> None:
    db, other = tmp_path / "clinic.db", tmp_path / "other" / "clinic.db"
    other.parent.mkdir()
    trust_workers.prepare(db)
    trust_workers.prepare(other)
    Path(f"{db}-wal").write_bytes(with_unsaved_wal(other, 5))
    refused_by_every_command(db, f"{db}-wal does not belong to {db}")
    with pytest.raises(DatabaseError, match="Move the -wal file elsewhere"):
        Store.open(db)


def test_a_stale_wal_left_under_a_backup_copied_over_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "clinic.db"
    saved = trust_workers.prepare_with_backup(db, tmp_path / "monday.db")
    wal = with_unsaved_wal(db, 4)
    shutil.copy(saved, db)  # a restore by hand, the old -wal left beside it
    Path(f"{db}-wal").write_bytes(wal)
    refused_by_every_command(db, f"{db}-wal does not belong to {db}")


def test_its_own_wal_after_a_crash_is_replayed(tmp_path: Path) -> None:
    db = tmp_path / "clinic.db"
    trust_workers.prepare(db)
    store = Store.open(db)
    for n in range(3):
        store.save_session(trust_workers.session(n))
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    shutil.copy(db, crashed / "clinic.db")  # the file and its -wal as a kill -9 leaves them
    shutil.copy(f"{db}-wal", crashed / "clinic.db-wal")
    store.close()
    reopened = Store.open(crashed / "clinic.db")
    assert len(reopened.sessions()) == 3
    reopened.close()


def test_a_damaged_file_is_one_line_with_the_restore_hint(tmp_path: Path) -> None:
    db = tmp_path / "clinic.db"
    assert run_processes(db, [("demo", None)])[0].returncode == 0  # closed: no -wal left
    # Pages of the records, as a failing disk would damage them; never the schema's or
    # the migrations' (the open's own check names those: "... is damaged: SQLite cannot
    # read it"). Chosen by SQLite's page map, so a migration that moves the schema onto
    # other pages changes nothing here (0022's triggers moved it onto page 3).
    conn = sqlite3.connect(db)
    schema = {
        page
        for (page,) in conn.execute(
            "SELECT pageno FROM dbstat WHERE name IN ('sqlite_schema', '_sqlite_migrations')"
        )
    }
    conn.close()
    data = bytearray(db.read_bytes())
    pages = [n for n in range(3, len(data) // 4096) if n + 1 not in schema]  # dbstat: from 1
    for n in pages[:100:12]:
        data[n * 4096 + 8 : n * 4096 + 4000] = b"\xa5" * 3992
    db.write_bytes(bytes(data))
    commands = [
        ("audit verify", None),
        ("export", None),
        ("log --patient P0001 --technique acupuncture --consent --site st36:left", None),
    ]
    for (command, _), proc in zip(commands, run_processes(db, commands), strict=True):
        assert (proc.returncode, proc.stderr) == (
            1,
            "error: the database file is damaged (SQLite: database disk image is malformed)."
            f" Stop using this file: restore the latest good backup with {HINT}"
            " (the damaged file is kept beside it).\n",
        ), command


def test_a_wal_of_a_database_of_another_program_is_refused(tmp_path: Path) -> None:
    import sqlite3

    db, other = tmp_path / "clinic.db", tmp_path / "other" / "notes.db"
    other.parent.mkdir()
    trust_workers.prepare(db)
    conn = sqlite3.connect(other)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('not ours')")
    conn.commit()
    Path(f"{db}-wal").write_bytes(Path(f"{other}-wal").read_bytes())
    conn.close()
    refused_by_every_command(db, f"{db}-wal does not belong to {db}")


def restored_over(db: Path, backup: Path) -> list[Path]:
    """``db`` restored from ``backup`` (as `sessionlog restore --force` does): the files
    the restore kept beside it."""
    from sessionlog.store.file.backup import restore

    restore(backup, db)
    return sorted(db.parent.glob(f"{db.name}.before-restore-*"))


def test_each_refusal_says_what_is_true_of_its_file_and_restore_does_it(tmp_path: Path) -> None:
    """Each refused file is named for what it is (empty; not a database; a -wal without
    its database), and what the line says a restore does with it, the restore does."""
    backup = trust_workers.prepare_with_backup(tmp_path / "first.db", tmp_path / "monday.db")
    wal = with_unsaved_wal(tmp_path / "first.db", 2)
    db = tmp_path / "clinic" / "clinic.db"
    db.parent.mkdir()
    restore = f"restore the latest good backup with {HINT}"
    cases = {
        "empty": (
            b"",
            f"{db} is empty (0 bytes): no sessionlog database is, so nothing was opened or"
            f" made new. If it held the clinic's records, {restore} (the empty file is kept"
            " beside it); if it never held any, delete it and run again to start a new one.",
        ),
        "not a database": (
            b"\x00" * 4096,
            f"{db} is not a sessionlog database (not an SQLite file): it was left as it is."
            f" If it is the clinic's database, it is damaged: {restore} (this file is kept"
            " beside it); if it is another file, give the database's path with --db.",
        ),
        "a -wal alone": (
            wal,
            f"{db}-wal is there but its database {db} is missing: nothing was opened or"
            " deleted. Put the database file back beside it and run again; or restore a"
            f" backup with {HINT} (the -wal is kept beside it: it may hold saves).",
        ),
    }
    for case, (content, message) in cases.items():
        for old in db.parent.iterdir():
            old.unlink()
        Path(f"{db}-wal" if case == "a -wal alone" else db).write_bytes(content)
        proc = run_processes(db, [("patients", None)])[0]
        assert (proc.returncode, proc.stderr) == (1, f"error: {message}\n"), case
        kept = restored_over(db, backup)
        kept_bytes = [p.read_bytes() for p in kept]
        assert kept_bytes == [content], case  # the file, or the -wal, kept as it was
        if case == "a -wal alone":
            assert kept[0].name.endswith("-wal")
        restored = Store.open(db)
        assert restored.sessions() == []  # the backup's (prepare saves none)
        restored.close()


def test_a_cut_short_database_is_called_damaged_and_nothing_is_left_beside_it(
    tmp_path: Path,
) -> None:
    whole = tmp_path / "whole.db"
    assert run_processes(whole, [("demo", None)])[0].returncode == 0
    db = tmp_path / "clinic" / "clinic.db"
    db.parent.mkdir()
    db.write_bytes(whole.read_bytes()[: 100 * 4096])  # a copy cut short
    # One command after another: SQLite makes the -wal and -shm as a command opens the
    # file, and each command removes only the ones that were not there when it began
    # (another program's could be in use). Run at once, a second command could begin
    # while the first one's pair was there, then open the file after the first had
    # removed them: SQLite made them again and neither removed them (loop run 725).
    for command in ("patients", "check", "audit verify"):
        [proc] = run_processes(db, [(command, None)])
        assert proc.returncode == 1, command
        assert (
            f"{db} is damaged: SQLite cannot read it (database disk image is malformed)."
            f" Stop using this file: restore the latest good backup with {HINT}"
            " (the damaged file is kept beside it)." in proc.stdout + proc.stderr
        ), (command, proc.stdout, proc.stderr)
        assert [p.name for p in db.parent.iterdir()] == ["clinic.db"], command  # no -wal, -shm


def test_a_device_is_not_taken_for_an_empty_database(tmp_path: Path) -> None:
    db = tmp_path / "clinic.db"
    db.symlink_to("/dev/zero")
    proc = run_processes(db, [("patients", None)])[0]
    assert (proc.returncode, proc.stderr) == (
        1,
        f"error: {db} is not a file (a device or a pipe): nothing was opened; give the path"
        " of the clinic's database file\n",
    )


def test_check_says_a_wal_does_not_belong_as_opening_does(tmp_path: Path) -> None:
    from helpers_cli import run

    db = tmp_path / "clinic.db"
    saved = trust_workers.prepare_with_backup(db, tmp_path / "monday.db")
    wal = with_unsaved_wal(db, 4)
    shutil.copy(saved, db)  # a copy by hand over the file, its old -wal left beside it
    Path(f"{db}-wal").write_bytes(wal)
    before = files(db.parent)
    result = run(db, "check", give_secrets=False)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:2] == [
        f"The database at {db} has a problem:",
        f"- {db}-wal does not belong to {db} (it was written for another database, or for"
        " this file before a copy replaced it): both files were left untouched. Move the"
        " -wal file elsewhere (keep it: it may hold saves) and run again, or restore a"
        " backup with `sessionlog restore BACKUP_FILE`.",
    ]
    assert "damaged" not in result.output
    assert files(db.parent) == before


def test_a_stale_wal_of_the_same_database_put_back_is_refused(tmp_path: Path) -> None:
    # The file and its -wal copied aside by hand while saves were still in the -wal;
    # more saves, the last close folds them into the file; then the old -wal put back
    # beside the newer file. Replayed, its older pages would overwrite newer ones.
    db = tmp_path / "clinic.db"
    trust_workers.prepare(db)
    store = Store.open(db)
    for n in range(3):
        store.save_session(trust_workers.session(n))
    aside = tmp_path / "aside"
    aside.mkdir()
    shutil.copy(f"{db}-wal", aside / "clinic.db-wal")
    for n in range(3, 40):
        store.save_session(trust_workers.session(n))
    store.close()  # checkpointed: the file holds all 40, no -wal left
    assert not Path(f"{db}-wal").exists()
    shutil.copy(aside / "clinic.db-wal", f"{db}-wal")
    refused_by_every_command(db, f"{db}-wal is older than {db}")
    with pytest.raises(DatabaseError, match="Move the -wal file elsewhere"):
        Store.open(db)
    Path(f"{db}-wal").unlink()
    reopened = Store.open(db)
    assert len(reopened.sessions()) == 40
    reopened.close()


def test_an_older_copy_of_the_file_under_its_newer_wal_is_refused(tmp_path: Path) -> None:
    # The file alone copied aside (its -wal not), saves folded in and a new -wal begun;
    # then the old file put back under that -wal: the saves folded in between are in
    # neither, and the -wal's pages would be laid over a file that lacks them.
    db = tmp_path / "clinic.db"
    trust_workers.prepare(db)
    old = tmp_path / "old.db"
    shutil.copy(db, old)
    store = Store.open(db)
    for n in range(30):
        store.save_session(trust_workers.session(n))
    store.wait_for_checkpoint()
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # all in the file, a new -wal next
    for n in range(30, 33):
        store.save_session(trust_workers.session(n))
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    shutil.copy(old, crashed / "clinic.db")
    shutil.copy(f"{db}-wal", crashed / "clinic.db-wal")
    store.close()
    refused_by_every_command(
        crashed / "clinic.db", f"{crashed / 'clinic.db'} is older than its -wal"
    )


def test_a_database_copied_under_the_journal_name_is_named_and_kept(tmp_path: Path) -> None:
    # A backup an older sessionlog wrote as DB-journal: check said "attempt to write a
    # readonly database", and the next command deleted the file (a "hot journal").
    db = tmp_path / "j.db"
    Store.open(db).close()
    journal = Path(f"{db}-journal")
    shutil.copyfile(db, journal)
    kept = journal.read_bytes()
    message = (
        f"{journal} is a whole SQLite database, not a journal of {db} (a copy saved under"
        " that name?): SQLite would take it for an unfinished write and delete it, so"
        " nothing was opened. Move it elsewhere (keep it: it may be a backup) and run again."
    )
    with pytest.raises(DatabaseError) as refused:
        Store.open(db)
    assert str(refused.value) == message
    from helpers_cli import run

    result = run(db, "check")
    assert (result.exit_code, result.stdout) == (
        1,
        f"The database at {db} has a problem:\n- {message}\n",
    )
    assert journal.read_bytes() == kept
