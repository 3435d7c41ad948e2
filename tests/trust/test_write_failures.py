"""A write the disk or the file refuses (read-only, full, failing): one line naming the
problem and what to do, exit status 1, and no export or backup file without its
audit row. The failures are injected where SQLite raises them; a real full disk
(a 2 MB tmpfs) was tried by hand (see the README's backup section)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from helpers_cli import fingerprint, make_clinic, ok, run

from sessionlog.store import Store
from sessionlog.store.base import StoreBase
from sessionlog.store.file import backup as backup_module

LOG = "log --patient C001 --technique acupuncture --consent --site st36:left --pain-before 5"
READ_ONLY = (
    "error: the database file is read-only: nothing was saved; make it writable (or open a"
    " copy that is) and try again\n"
)
FULL = "error: the disk is full: nothing was saved; free space and try again\n"


@pytest.fixture
def clinic(tmp_path: Path) -> Path:
    db = make_clinic(tmp_path / "clinic.db")
    ok(db, f"{LOG} --at '2025-06-10 09:00' --notes 'private words'")
    return db


def refuse_writes(monkeypatch: pytest.MonkeyPatch, message: str) -> None:
    def refuse(self, conn):  # type: ignore[no-untyped-def]
        raise sqlite3.OperationalError(message)

    monkeypatch.setattr(StoreBase, "_still_the_file", refuse)


@pytest.mark.parametrize(
    "command",
    [
        LOG,
        "follow-up --patient C001 --pain 3 --at '2025-06-11 18:00'",
        "import {export}",
        "export -o {out}/e.json",
        "export --format csv -o {out}/e.zip",
        "export --format csv -o {out}/folder",
        "backup {out}/b.db",
    ],
)
def test_a_read_only_database_refuses_each_write_in_one_line(
    clinic: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    export = tmp_path / "in.json"
    ok(clinic, f"export -o {export}")
    out = tmp_path / "out"
    out.mkdir()
    before = fingerprint(clinic)
    refuse_writes(monkeypatch, "attempt to write a readonly database")
    result = run(clinic, command.format(export=export, out=out))
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", READ_ONLY)
    assert list(out.iterdir()) == []  # no export or backup without its audit row
    assert fingerprint(clinic) == before


@pytest.mark.parametrize("command", [LOG, "export"])
def test_a_full_disk_refuses_a_write_in_one_line(
    clinic: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    refuse_writes(monkeypatch, "database or disk is full")
    result = run(clinic, command)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", FULL)
    assert "private words" not in result.output


def test_a_backup_onto_a_full_disk_leaves_no_file(
    clinic: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(source, temp):  # type: ignore[no-untyped-def]
        temp.write_bytes(b"part of a copy")
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(backup_module, "_copy", full)
    (tmp_path / "backups").mkdir()
    result = run(clinic, f"backup {tmp_path}/backups/")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: the backup could not be written: the disk is full: nothing was saved;"
        " free space and try again\n",
    )
    assert list((tmp_path / "backups").iterdir()) == []
    audit = json.loads(ok(clinic, "export"))["tables"]["audit_log"]
    assert [r["action"] for r in audit if r["action"] == "backup"] == []


@pytest.mark.parametrize(
    "command", ["export -o {out}/e.json", "export --format csv -o {out}/e.zip",
                "report --patient C001 --format html -o {out}/r.html"],
)  # fmt: skip
def test_an_export_or_a_report_on_a_full_disk_is_the_friendly_line_and_leaves_no_file(
    clinic: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    # Before: "error: file: No space left on device" (backup said what to do).
    import errno
    import importlib

    export_module = importlib.import_module("sessionlog.exchange.export")
    real = export_module.write_atomically

    def full(dest, write, before_rename=lambda: None, **what):  # type: ignore[no-untyped-def]
        def half(path: Path) -> None:
            path.write_bytes(b"part of an export")
            raise OSError(errno.ENOSPC, "No space left on device")

        real(dest, half, before_rename, **what)

    monkeypatch.setattr(export_module, "write_atomically", full)
    import sessionlog.services.take_home as take_home_module

    monkeypatch.setattr(take_home_module, "write_atomically", full)
    out = tmp_path / "out"
    out.mkdir()
    result = run(clinic, command.format(out=out))
    what = "report" if command.startswith("report") else "export"
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: the {what} could not be written: the disk is full: nothing was saved;"
        " free space and try again\n",
    )
    assert list(out.iterdir()) == []


def test_compare_on_a_full_disk_shows_the_figures_and_says_they_were_not_kept(
    clinic: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # review15: compare is a read; on a disk too full for its outcome cache (kept in the
    # file) it said "error: the disk is full: nothing was saved" and showed nothing.
    # The sign-in's audit row is small and still fits here; when it does not, every
    # command is refused at sign-in, on purpose: a right secret let through unrecorded
    # would tell it from a wrong one with no count of failed tries.
    import shutil

    from sessionlog.store.outcomes import cache

    ok(clinic, "follow-up --patient C001 --pain 2 --at '2025-06-11 18:00'")
    twin = tmp_path / "twin.db"
    shutil.copy(clinic, twin)
    expected = run(twin, "compare --min-patients 1")
    assert expected.exit_code == 0 and "Acupuncture" in expected.stdout

    real = cache._refresh

    def full(conn, progress, path, few_only):  # type: ignore[no-untyped-def]
        if path == str(clinic):  # the clinic's file: no room for the cache there
            raise sqlite3.OperationalError("database or disk is full")
        return real(conn, progress, path, few_only)

    monkeypatch.setattr(cache, "_refresh", full)
    result = run(clinic, "compare --min-patients 1")
    assert (result.exit_code, result.stdout) == (0, expected.stdout)
    assert result.stderr == (
        "the disk is full: these figures could not be kept for next time; free space\n"
    )
    store = Store.open(clinic)
    assert not cache.is_current(store.conn)  # nothing of the cache was written
    store.close()
