"""A real read-only database and a real full disk, not injected errors: a small tmpfs
mounted read-only or filled up, and a file made immutable (``chattr +i``: root writes
to a file whatever its mode, not to an immutable one). Each is skipped, saying why,
where mounting or ``chattr`` is not permitted.

Read-only: every CLI command that writes (and any that signs in: the access log is a
write) refuses in one line naming it, the app refuses to open the file with a message,
and nothing is changed. Full: Ctrl+S keeps the form as typed and says so in one line,
and saves once space is freed (tests/tui/test_save_failures.py); ``log`` and ``backup``
refuse in one line."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from helpers_cli import fingerprint, make_clinic, ok, run_processes
from helpers_disks import fill, remount, small_disk

from sessionlog.store import Store
from sessionlog.tui.app import SessionlogApp

LOG = "log --patient C001 --technique acupuncture --consent --site st36:left --pain-before 5"
WRITES = [
    (LOG, None),
    ("follow-up --patient C001 --pain 3 --at '2025-06-11 18:00'", None),
    ("export -o {out}/e.json", None),
    ("backup {out}/b.db", None),
]
__all__ = ["small_disk"]  # the fixture


def each_write_is_one_line(db: Path, out: Path, words: str) -> None:
    commands = [(c.format(out=out), d) for c, d in WRITES]
    for (command, _), proc in zip(commands, run_processes(db, commands), strict=True):
        assert proc.returncode == 1 and proc.stdout == "", (command, proc.stderr)
        assert proc.stderr.count("\n") == 1 and words in proc.stderr, (command, proc.stderr)
        assert "Traceback" not in proc.stderr and "Bo Kim" not in proc.stderr
    assert list(out.iterdir()) == []  # no export or backup without its audit row


def app_refuses(db: Path, words: str) -> None:
    app = SessionlogApp(db_path=str(db))
    app._open_store()  # what the app's opening thread does
    assert app.startup_error is not None and words in app.startup_error, app.startup_error


@pytest.mark.parametrize("shm", [True, False], ids=["with its -shm", "closed clean"])
def test_a_database_on_a_read_only_disk(small_disk: Path, tmp_path: Path, shm: bool) -> None:
    db = make_clinic(small_disk / "clinic.db")
    ok(db, f"{LOG} --at '2025-06-10 09:00'")
    before = fingerprint(db)
    if not shm:  # as the last connection to close leaves it: SQLite cannot open it then
        for suffix in ("-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    remount(small_disk, "ro")
    out = tmp_path / "out"
    out.mkdir()
    each_write_is_one_line(db, out, "the database file is read-only")
    proc = run_processes(db, [("patients", None)])[0]
    assert (proc.returncode, proc.stderr.count("\n")) == (1, 1), proc.stderr
    assert "read-only" in proc.stderr, proc.stderr
    app_refuses(db, "is read-only")
    remount(small_disk, "rw")  # (read as it was written: a clean file cannot be read on ro)
    assert fingerprint(db) == before


def test_an_immutable_database_file(tmp_path: Path) -> None:
    db = make_clinic(tmp_path / "clinic.db")
    ok(db, f"{LOG} --at '2025-06-10 09:00'")
    before = fingerprint(db)
    proc = subprocess.run(["chattr", "+i", str(db)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"chattr +i is not permitted here: {proc.stderr.strip()}")
    try:
        out = tmp_path / "out"
        out.mkdir()
        each_write_is_one_line(
            db,
            out,
            "the database file is read-only: nothing was saved; make it writable (or open a"
            " copy that is) and try again",
        )
        app_refuses(db, f"{db} is read-only: the app opens only a database it can save into")
        proc = run_processes(db, [("check", None)])[0]
        assert proc.returncode == 0, proc.stdout + proc.stderr  # reading needs no write
    finally:
        subprocess.run(["chattr", "-i", str(db)], check=True)
    assert fingerprint(db) == before


def test_log_and_backup_on_a_full_disk_are_one_line(small_disk: Path) -> None:
    db = make_clinic(small_disk / "clinic.db")
    backups = small_disk / "backups"
    backups.mkdir()
    before = fingerprint(db)  # (not on the full disk: it could not open the file there)
    filler = fill(small_disk)
    commands = [(LOG, None), (f"backup {backups}/", None)]
    for (command, _), proc in zip(commands, run_processes(db, commands), strict=True):
        assert (proc.returncode, proc.stdout) == (1, ""), (command, proc.stderr)
        assert proc.stderr.count("\n") == 1 and "the disk is full" in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr
    assert list(backups.iterdir()) == []
    filler.unlink()
    assert fingerprint(db) == before
    store = Store.open(db)
    assert store.sessions() == []
    store.close()
    shutil.rmtree(backups)
