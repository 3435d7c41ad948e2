"""One byte that is not UTF-8 in a record's text (a disk fault, an edit outside
sessionlog): ``check`` names the row and column, ``backup`` still copies the file, and
every other command says so in one line that carries no patient text."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from helpers_cli import run, with_secrets

COMPLAINT = b"worse at desk"  # episode 1's complaint (trust_clinic.py), once in the file


def spoil(path: Path, text: bytes) -> Path:
    """Overwrite the first byte of ``text`` with 0xff wherever the file holds it (a
    table's row and its index's entry alike), as ``printf '\\xff' | dd conv=notrunc``
    does; SQLite's own checks still pass."""
    with_secrets(path)
    data = path.read_bytes()
    assert text in data
    path.write_bytes(data.replace(text, b"\xff" + text[1:]))
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    return path


@pytest.fixture
def spoiled(clinic_path: Path) -> Path:
    """The clinic with one byte of episode 1's complaint not UTF-8."""
    return spoil(clinic_path, COMPLAINT)


def _sealed_by(path: Path, table: str, row_id: int) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(
            conn.execute(
                "SELECT max(audit_id) FROM record_seal WHERE tbl = ? AND row_id = ?",
                (table, row_id),
            ).fetchone()[0]
        )
    finally:
        conn.close()


def test_check_names_the_row_and_column_whose_text_is_not_utf8(spoiled: Path) -> None:
    audit_id = _sealed_by(spoiled, "episode", 1)
    result = run(spoiled, "check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert (
        f"- episode 1 was changed after audit row {audit_id} wrote it (its complaint is"
        " not valid UTF-8 text)." in lines
    )
    assert "Records were changed outside sessionlog" in result.stdout
    assert "SELECT" not in result.output and "json_quote" not in result.output


def test_backup_still_copies_a_file_with_bad_text(spoiled: Path, tmp_path: Path) -> None:
    dest = tmp_path / "b.db"
    result = run(spoiled, f"backup {dest}")
    assert result.exit_code == 0, result.output
    assert dest.exists()
    assert dest.read_bytes().count(b"\xff" + COMPLAINT[1:]) == 1  # the record as it is
    assert dest.stat().st_mode & 0o777 == 0o600
    assert (
        "warning: the copy holds text that is not valid UTF-8 (episode 1, complaint):"
        " `sessionlog check` says more" in result.stderr
    )


MESSAGE = (
    "error: a record's {} holds text that is not valid UTF-8 (a disk fault, or an edit"
    " outside sessionlog): run `sessionlog check` to see which row; `sessionlog backup`"
    " still copies the file\n"
)


@pytest.mark.parametrize("command", ["json", "csv", "fhir"])
def test_export_says_so_without_the_text(spoiled: Path, command: str) -> None:
    result = run(spoiled, f"export --format {command}")
    assert result.exit_code == 1
    assert result.stderr == MESSAGE.format("complaint")


def test_a_bad_name_is_not_printed(clinic_path: Path) -> None:
    spoil(clinic_path, b"Bobby")
    result = run(clinic_path, "patients")
    assert result.exit_code == 1
    assert result.stderr == MESSAGE.format("name")
    assert "- patient 1 was changed after audit row" in run(clinic_path, "check").stdout


def test_check_names_an_audit_row_whose_text_is_not_utf8(clinic_path: Path) -> None:
    spoil(clinic_path, b"typed 3 instead of 2")  # the amendment's reason: session and audit
    result = run(clinic_path, "check")
    assert result.exit_code == 1
    assert (
        "- The audit log is broken at row 7: its text is not valid UTF-8 (a byte changed on"
        " disk, or an edit outside sessionlog). Records may have been changed outside"
        " sessionlog." in result.stdout
    )
    assert "- session 2 was changed after audit row 7 wrote it (its amend_reason is not" in (
        result.stdout
    )


def test_backup_still_copies_a_file_whose_audit_text_is_not_utf8(
    clinic_path: Path, tmp_path: Path
) -> None:
    spoil(clinic_path, b"typed 3 instead of 2")
    result = run(clinic_path, f"backup {tmp_path / 'b.db'}")
    assert result.exit_code == 0, result.output
    assert (
        "warning: the copy holds text that is not valid UTF-8 (audit_log 7, text, session 2,"
        " amend_reason): `sessionlog check` says more" in result.stderr
    )


def test_a_practitioner_row_not_utf8_still_lets_everyone_sign_in_and_back_up(
    clinic_path: Path, tmp_path: Path
) -> None:
    # One byte in Mei Chen's credential: every command (backup included: it asks who
    # makes it) and the app's sign-in stopped at "The database could not be read".
    spoil(clinic_path, b"R.Ac")
    (tmp_path / "bk").mkdir()
    result = run(clinic_path, f"backup {tmp_path / 'bk'}/Ann.db --practitioner 'Ann Lee'")
    assert result.exit_code == 0, result.output
    assert "warning: the copy holds text that is not valid UTF-8 (practitioner 2," in (
        result.stderr
    )
    # Mei Chen (the row with the bad byte) signs in: a backup is an admin's, so hers is
    # refused for her role (read from her row), and her patients are listed.
    result = run(clinic_path, f"backup {tmp_path / 'bk'}/Mei.db --practitioner 'Mei Chen'")
    assert result.exit_code == 1 and result.stderr.splitlines()[-1].startswith(
        "error: backup: only an admin backs up the database (Mei Chen is a practitioner)"
    )
    assert run(clinic_path, "patients --practitioner 'Mei Chen'").exit_code == 0
    from sessionlog.store import Store

    store = Store.open(clinic_path)
    try:
        names = [n.name for n in store.sign_in_names()]
        mei = store.practitioner(2)
    finally:
        store.close()
    assert names == ["Ann Lee", "Mei Chen"]
    assert mei is not None and mei["credential"] == "\ufffd.Ac"


def test_restore_takes_back_the_backup_it_kept_with_bad_text(spoiled: Path, tmp_path: Path) -> None:
    # backup keeps such a database (with a warning): the clinic must be able to restore
    # what it was given, told the same thing, and the restore recorded.
    dest = tmp_path / "b.db"
    assert run(spoiled, f"backup {dest}").exit_code == 0
    result = run(spoiled, f"restore --force {dest}")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Restored 3 sessions into {spoiled}.")
    assert result.stderr == (
        "warning: the restored database holds text that is not valid UTF-8 (episode 1,"
        " complaint), as the backup does: `sessionlog check` names the rows; commands"
        " that read them stop until it is corrected, and a banner shows meanwhile\n"
    )
    assert spoiled.read_bytes().count(b"\xff" + COMPLAINT[1:]) == 1  # the record as it is
    assert spoiled.with_name(spoiled.name + ".chain-broken").exists()  # the banner's note
    conn = sqlite3.connect(spoiled)
    try:
        action, detail = conn.execute(
            "SELECT action, detail FROM audit_log ORDER BY id DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    assert action == "restore" and '"not_utf8":["episode 1, complaint"]' in detail
