"""Encryption at rest (extra ``encrypted``: sqlcipher3): a passphrase opens the
database, the file is unreadable without it, and a wrong one gives a clear message."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from trust_clinic import build, clock, dump

from sessionlog.cli import cli
from sessionlog.errors import DatabaseError
from sessionlog.store import Store
from sessionlog.store.file.backup import backup, restore
from sessionlog.store.file.cipher import ENV
from sessionlog.store.file.health import check

pytest.importorskip("sqlcipher3", reason="sqlcipher3 is not installed (extra 'encrypted')")


@pytest.fixture
def encrypted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(ENV, "correct horse 'battery' staple")
    path = tmp_path / "secret.db"
    store = Store.open(path, clock=clock)
    build(store)
    store.close()
    return path


def test_the_file_is_unreadable_without_the_passphrase(encrypted: Path) -> None:
    assert encrypted.read_bytes()[:16] != b"SQLite format 3\x00"
    assert b'Bo "Bobby" Kim' not in encrypted.read_bytes()  # no clinical text in clear
    with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
        sqlite3.connect(encrypted).execute("SELECT * FROM patient").fetchall()


def test_the_right_passphrase_opens_it(encrypted: Path) -> None:
    store = Store.open(encrypted, clock=clock)
    assert [p["chart_id"] for p in store.patients()] == ["C001", "C002"]
    assert len(dump(store.conn)["session"]) == 6
    store.close()
    assert check(encrypted).summary() == (
        "The database is healthy: 3 sessions (2 patients), audit chain of 16 rows intact."
    )


def test_a_wrong_passphrase_is_a_clear_message(
    encrypted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, "Correct horse 'battery' staple")
    with pytest.raises(DatabaseError) as err:
        Store.open(encrypted)
    assert str(err.value) == (
        f"{encrypted}: wrong passphrase, or not an encrypted sessionlog database"
        " (a plain one opens without SESSIONLOG_PASSPHRASE)"
    )


def test_without_the_passphrase_it_is_called_encrypted_not_damaged(
    encrypted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It was called damaged, with advice to restore a backup over it: followed, a plain
    # backup replaced the encrypted clinic without a word.
    monkeypatch.delenv(ENV)
    with pytest.raises(DatabaseError) as err:
        Store.open(encrypted)
    assert str(err.value) == (
        f"{encrypted} looks encrypted (it is not a plain SQLite file): give its passphrase"
        " with --passphrase or SESSIONLOG_PASSPHRASE. It was left as it is; do not restore"
        " a backup over it unless you know it was never encrypted."
    )


def test_backup_and_restore_stay_encrypted(encrypted: Path, tmp_path: Path) -> None:
    store = Store.open(encrypted, clock=clock)
    saved = backup(store, tmp_path / "b.db").path
    store.close()
    assert saved.read_bytes()[:16] != b"SQLite format 3\x00"
    assert check(saved).ok
    restore(saved, encrypted)
    assert check(encrypted).ok


def test_a_plain_backup_does_not_replace_an_encrypted_database(
    encrypted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With no passphrase given, `restore --force plain.db` replaced the encrypted clinic
    # by a plain file: its records were then readable by anyone with the disk.
    monkeypatch.delenv(ENV)
    plain = tmp_path / "plain.db"
    store = Store.open(plain, clock=clock)
    build(store)
    store.close()
    before = encrypted.read_bytes()
    with pytest.raises(DatabaseError) as err:
        restore(plain, encrypted)
    assert str(err.value) == (
        f"{encrypted} looks encrypted, and {plain} is a plain (unencrypted) backup:"
        " restoring it would leave the clinic's records unencrypted. Give the passphrase"
        " (--passphrase or SESSIONLOG_PASSPHRASE) to restore an encrypted backup; to"
        " replace the encrypted database by a plain one on purpose, move it elsewhere"
        " first. Nothing was changed."
    )
    # The command line says so before asking anything, with or without --force.
    for force in ([], ["--force"]):
        result = CliRunner().invoke(cli, ["--db", str(encrypted), "restore", str(plain), *force])
        assert (result.exit_code, result.stderr) == (1, f"error: {err.value}\n")
    assert encrypted.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain.db", "secret.db"]


def test_restore_says_which_side_is_encrypted(
    encrypted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An encrypted backup without the passphrase was called "a plain (unencrypted)
    # backup"; a plain one with the passphrase gave "file:...?mode=ro: wrong passphrase
    # ... (a plain one opens without SESSIONLOG_PASSPHRASE)", and without it, the refusal.
    store = Store.open(encrypted, clock=clock)
    saved = backup(store, tmp_path / "b.db").path
    store.close()
    plain = tmp_path / "plain.db"
    monkeypatch.delenv(ENV)
    Store.open(plain, clock=clock).close()
    before = encrypted.read_bytes()
    with pytest.raises(DatabaseError) as err:
        restore(saved, encrypted)
    assert str(err.value) == (
        f"{saved} looks encrypted: give its passphrase (--passphrase or"
        " SESSIONLOG_PASSPHRASE) to restore it. Nothing was changed."
    )
    monkeypatch.setenv(ENV, "correct horse 'battery' staple")
    with pytest.raises(DatabaseError) as err:
        restore(plain, encrypted)
    assert str(err.value) == (
        f"{plain} is a plain (unencrypted) backup: it cannot replace the encrypted"
        f" {encrypted}, whose records it would leave unencrypted. Nothing was changed."
    )
    assert encrypted.read_bytes() == before


def test_the_command_line_asks_for_it(encrypted: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV)
    runner = CliRunner()
    ok = runner.invoke(
        cli,
        ["--db", str(encrypted), "--passphrase", "audit", "verify"],
        input="correct horse 'battery' staple\n",
    )
    assert ok.exit_code == 0, ok.output
    assert "The audit log is intact: 16 rows" in ok.stdout
    monkeypatch.delenv(ENV)  # the prompt put it in this process's environment
    bad = runner.invoke(cli, ["--db", str(encrypted), "--passphrase", "patients"], input="guess\n")
    assert bad.exit_code == 1
    assert bad.stderr == (
        f"error: {encrypted}: wrong passphrase, or not an encrypted sessionlog database"
        " (a plain one opens without SESSIONLOG_PASSPHRASE)\n"
    )


def test_a_wrong_passphrase_is_one_line_from_a_real_process(encrypted: Path) -> None:
    import os
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "sessionlog", "--db", str(encrypted), "patients"],
        capture_output=True,
        text=True,
        env={**os.environ, ENV: "guess"},
    )
    assert (proc.returncode, proc.stderr) == (  # no "ERROR CORE ... hmac check failed"
        1,
        f"error: {encrypted}: wrong passphrase, or not an encrypted sessionlog database"
        " (a plain one opens without SESSIONLOG_PASSPHRASE)\n",
    )
