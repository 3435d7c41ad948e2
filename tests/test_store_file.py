"""The database file: settings, STRICT tables, refusing files that are not ours or are
newer than the code, and migrations applied once."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from helpers_store import dry_needling, rows

from sessionlog.errors import DatabaseError
from sessionlog.store import Store

# --- the database file --------------------------------------------------------------


def test_database_settings(store: Store) -> None:
    conn = store.conn

    def pragma(name: str) -> Any:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]

    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 2  # FULL
    assert pragma("foreign_keys") == 1
    assert pragma("busy_timeout") == 10_000
    assert pragma("application_id") == 0x53534C47


def test_every_table_is_strict(store: Store) -> None:
    tables = {
        r[1]: r[5]
        for r in store.conn.execute("PRAGMA table_list")
        if r[0] == "main" and r[2] == "table" and not r[1].startswith("sqlite_")
    }
    # sqlite-utils creates its own bookkeeping table; ours are all STRICT.
    tables.pop("_sqlite_migrations")
    assert set(tables) >= {
        "practitioner",
        "patient",
        "episode",
        "session_record",
        "session",
        "site",
        "ims_finding",
        "follow_up",
        "adverse_event",
        "protocol",
        "audit_log",
    }
    assert {name for name, strict in tables.items() if not strict} == set()


def test_strict_tables_refuse_wrong_types(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="cannot store TEXT value in INTEGER"):
        with store.write() as conn:
            conn.execute(
                "INSERT INTO patient (chart_id, name, birth_year, created_at)"
                " VALUES ('X', 'Y', 'nineteen eighty', 'now')"
            )


def test_refuses_a_text_file(tmp_path: Any) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database at all, just some words\n" * 20)
    before = path.read_bytes()
    with pytest.raises(DatabaseError) as caught:
        Store.open(path)
    assert str(caught.value) == (
        f"{path} is not a sessionlog database (not an SQLite file): it was left as it is."
        " If it is the clinic's database, it is damaged: restore the latest good backup with"
        " `sessionlog restore BACKUP_FILE` (this file is kept beside it); if it is another"
        " file, give the database's path with --db."
    )
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]  # no -wal, no -shm


def test_refuses_a_foreign_sqlite_database(tmp_path: Any) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseError) as caught:
        Store.open(path)
    assert str(caught.value) == (
        f"{path} is not a sessionlog database (it holds other data); "
        "give a new file name or a sessionlog database"
    )
    assert path.read_bytes() == before


def test_refuses_another_applications_database(tmp_path: Any) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1234")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseError, match="is not a sessionlog database"):
        Store.open(path)


def test_refuses_a_newer_database(store: Store, db_path: Any) -> None:
    store.conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('sessionlog', '0999_from_the_future', '2030-01-01')"
    )
    store.conn.commit()
    store.close()
    with pytest.raises(DatabaseError) as caught:
        Store.open(db_path)
    assert str(caught.value) == (
        f"{db_path} was written by a newer sessionlog (schema 0999_from_the_future);"
        " upgrade sessionlog to open it"
    )


def test_reopening_applies_nothing_twice(store: Store, db_path: Any) -> None:
    from sessionlog.store.db import migration_files

    store.save_session(dry_needling())
    applied = rows(store, "SELECT migration_set, name FROM _sqlite_migrations ORDER BY id")
    assert applied == [{"migration_set": "sessionlog", "name": p.stem} for p in migration_files()]
    assert applied[0]["name"] == "0001_initial"
    store.close()
    again = Store.open(db_path)
    try:
        assert rows(again, "SELECT migration_set, name FROM _sqlite_migrations ORDER BY id") == (
            applied
        )
        assert again.counts()["sessions"] == 1
    finally:
        again.close()


def test_a_first_open_cut_short_is_still_ours(store: Store, db_path: Any) -> None:
    # A crash after the first migration committed but before the header was marked
    # leaves application_id 0 beside our tables: the file must open, not be refused.
    store.conn.execute("PRAGMA application_id = 0")
    store.conn.commit()
    store.close()
    again = Store.open(db_path)
    try:
        assert again.conn.execute("PRAGMA application_id").fetchone()[0] == 0x53534C47
        assert again.counts()["patients"] == 2
    finally:
        again.close()


def test_refuses_a_foreign_database_with_its_own_migrations_table(tmp_path: Any) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE _sqlite_migrations (step INTEGER)")
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseError, match=r"is not a sessionlog database \(no such column"):
        Store.open(path)


def test_a_folder_cannot_be_opened(tmp_path: Any) -> None:
    with pytest.raises(DatabaseError) as caught:
        Store.open(tmp_path)
    assert str(caught.value) == f"{tmp_path}: cannot be opened (unable to open database file)"


def test_home_folder_in_the_path_is_expanded(tmp_path: Any, monkeypatch: Any) -> None:
    # $SESSIONLOG_DB reaches --db as typed, with no shell to expand "~".
    monkeypatch.setenv("HOME", str(tmp_path))
    store = Store.open("~/clinic/sessionlog.db")
    store.close()
    assert (tmp_path / "clinic" / "sessionlog.db").is_file()


def test_saves_never_wait_for_a_checkpoint_but_the_wal_is_copied_back(tmp_path: Path) -> None:
    # The Store's connection never checkpoints by itself (a checkpoint inside a save
    # made one save in fifty ten times slower); every CHECKPOINT_EVERY commits a
    # background thread copies the WAL into the database file.
    from sessionlog.domain import Patient, Practitioner

    path = tmp_path / "clinic.db"
    others = tuple(_checkpoint_threads())
    store = Store.open(path, clock=lambda: datetime(2026, 11, 22, 10, 0))
    assert store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    store.add_practitioner(Practitioner("Ann Lee", "physiotherapist"))
    store.add_patient(Patient("C001", "Bo Kim"))
    store.add_patient(Patient("C002", "Cy Doe"))
    size = path.stat().st_size
    while store._commits < Store.CHECKPOINT_EVERY - 1:
        store.save_session(dry_needling())
    assert _checkpoint_threads(others) == [] and path.stat().st_size == size  # all in the WAL
    store.save_session(dry_needling())
    assert len(_checkpoint_threads(others)) == 1
    store.wait_for_checkpoint()  # what a user's pause between saves lets finish
    assert store._checkpoints is not None and store._checkpoints.pending() == 0
    assert path.stat().st_size > size  # the saves reached the database file itself
    store.wait_for_checkpoint()  # none running: returns at once
    store.close()


def _checkpoint_threads(but: tuple[Any, ...] = ()) -> list[Any]:
    """The checkpoint threads alive, but those of ``but`` (another test's store left
    open keeps its thread)."""
    import threading

    return [t for t in threading.enumerate() if t.name == "sessionlog-checkpoint" and t not in but]


def test_checkpoints_run_on_one_thread_that_a_save_only_wakes(tmp_path: Path) -> None:
    # The save that asked for a checkpoint used to start a new thread, and waited for
    # it to be scheduled (Thread.start waits until the thread runs): on a busy machine
    # that one save in CHECKPOINT_EVERY took milliseconds more, and it was the p99.
    # One thread, started by the first checkpoint, does every later one; a save only
    # wakes it. Closing the store ends it.
    from sessionlog.domain import Patient, Practitioner

    path = tmp_path / "clinic.db"
    others = tuple(_checkpoint_threads())
    store = Store.open(path, clock=lambda: datetime(2026, 11, 22, 10, 0))
    store.add_practitioner(Practitioner("Ann Lee", "physiotherapist"))
    store.add_patient(Patient("C001", "Bo Kim"))
    seen = []
    for _ in range(3):
        size = path.stat().st_size
        target = store._commits + Store.CHECKPOINT_EVERY - store._commits % Store.CHECKPOINT_EVERY
        while store._commits < target:
            store.save_session(dry_needling())
        store.wait_for_checkpoint()
        assert path.stat().st_size > size  # this round's saves reached the file
        seen.append(_checkpoint_threads(others))
    assert len(seen[0]) == 1 and seen[0] == seen[1] == seen[2]
    assert seen[0][0].is_alive()  # waiting for the next one
    store.close()
    assert _checkpoint_threads(others) == [] and not seen[0][0].is_alive()


def test_a_store_that_wrote_copies_its_wal_back_on_closing_while_others_keep_it_open(
    tmp_path: Path,
) -> None:
    # Each command-line command is a store that commits once or twice and closes: it
    # never reaches CHECKPOINT_EVERY, and while another connection (the app, a reader)
    # keeps the file open SQLite does not checkpoint on close either. The WAL grew by
    # every command (and each open reads it through in fileguard): 1,000 `log` commands
    # beside an open app took 35 s and made a WAL of thousands of frames.
    from sessionlog.domain import Patient, Practitioner

    path, wal = tmp_path / "clinic.db", tmp_path / "clinic.db-wal"
    setup = Store.open(path)
    setup.add_practitioner(Practitioner("Ann Lee", "physiotherapist"))
    setup.close()
    app = sqlite3.connect(path)  # stays open, as the app does (a read opens the WAL)
    assert app.execute("SELECT count(*) FROM practitioner").fetchone() == (1,)
    sizes = []
    for n in range(40):
        store = Store.open(path)
        store.add_patient(Patient(f"C{n:03}", "Bo Kim"))
        store.close()
        sizes.append(wal.stat().st_size)
    app.close()
    # the WAL is copied back and reused from its start: it holds about one command's
    # pages (a command that splits a page writes a few more), not forty commands'
    assert max(sizes) <= 2 * sizes[0], sizes
    assert sqlite3.connect(path).execute("SELECT count(*) FROM patient").fetchone() == (40,)


def test_migrations_hold_the_write_lock_from_finding_them_due_to_the_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two imports into one new path at once: both found the migrations due, and the
    # second to apply them failed with "cannot be opened (table practitioner already
    # exists)". While one sessionlog migrates, no other may write (it waits, then
    # finds them applied).
    from sessionlog.store import db as db_module

    path = tmp_path / "new.db"
    real = db_module.split_sql
    tried: list[str] = []

    def migrating(script: str) -> list[str]:
        if not tried:
            other = sqlite3.connect(path, timeout=0)
            try:
                other.execute("BEGIN IMMEDIATE")
                tried.append("the other got the write lock")
            except sqlite3.OperationalError as exc:
                tried.append(str(exc))
            finally:
                other.close()
        return real(script)

    monkeypatch.setattr(db_module, "split_sql", migrating)
    store = Store.open(path)
    store.close()
    assert tried == ["database is locked"]


def test_a_new_database_file_never_appears_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another sessionlog opening the same new path a moment later saw an empty file
    # (made before SQLite wrote its first page) and refused it as an empty database.
    from sessionlog.store import db as db_module

    path = tmp_path / "new.db"
    real = db_module.connect_file  # type: ignore[attr-defined]
    seen: list[int] = []

    def opening(name: str, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if path.exists():
            seen.append(path.stat().st_size)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(db_module, "connect_file", opening)
    Store.open(path).close()
    assert seen and 0 not in seen
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.db"]  # nothing else left
