"""An import into a new database names its admin: nobody claims admin at the keyboard.

The export carries each practitioner's role (never a secret). Into a new database the
import needs who becomes admin (a practitioner of the file, an admin there) and their
secret; the others then get a secret from that admin.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from helpers_cli import cheap_hashes

from sessionlog.cli import cli
from sessionlog.cli.identify import SECRET_ENV, WHO_ENV
from sessionlog.services import auth
from sessionlog.store import Store


def _cli(db: Path, *args: str, who: str | None = None, secret: str | None = None) -> Result:
    env = {WHO_ENV: who, SECRET_ENV: secret}
    with cheap_hashes():
        return CliRunner(env=env).invoke(cli, ["--db", str(db), *args])


@pytest.fixture(scope="module")
def demo_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    assert _cli(folder / "demo.db", "demo").exit_code == 0
    out = folder / "demo.json"
    result = _cli(folder / "demo.db", "export", "-o", str(out), who="Mei Lin Chen", secret="111111")
    assert result.exit_code == 0, result.output
    return out


def _last_line(db: Path, file: Path, who: str, secret: str) -> str:
    """The last line an import of ``file`` by ``who`` into ``db`` prints (it succeeds)."""
    result = _cli(db, "import", str(file), who=who, secret=secret)
    assert result.exit_code == 0, result.output
    return str(result.stdout.splitlines()[-1])


def _roles(db: Path) -> dict[str, str | None]:
    store = Store.open(db)
    try:
        return {n.name: n.role for n in store.sign_in_names()}
    finally:
        store.close()


def test_the_export_carries_roles_and_no_secret(demo_export: Path) -> None:
    doc = json.loads(demo_export.read_text("utf-8"))
    assert doc["practitioner_roles"] == {"1": "admin", "2": "practitioner", "3": "practitioner"}
    assert "secret" not in demo_export.read_text("utf-8").replace('"set_secret"', "")


def test_an_import_into_a_new_database_needs_its_admin(demo_export: Path, tmp_path: Path) -> None:
    result = _cli(tmp_path / "new.db", "import", str(demo_export))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: import: a new database needs its admin: say who you are with --practitioner"
        " NAME (or $SESSIONLOG_PRACTITIONER: Mei Lin Chen) and set your secret"
        " ($SESSIONLOG_PRACTITIONER_SECRET, or asked twice)"
    ]
    assert not (tmp_path / "new.db").exists()


def test_a_plain_practitioner_of_the_file_cannot_become_admin(
    demo_export: Path, tmp_path: Path
) -> None:
    result = _cli(
        tmp_path / "new.db", "import", str(demo_export), who="Tom Okafor", secret="99999999"
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: import: Tom Okafor is not an admin in the file: the admin of a new database"
        " is one of the file's admins (Mei Lin Chen)"
    ]
    assert not (tmp_path / "new.db").exists()


def test_the_named_admin_sets_a_secret_and_nobody_claims_one(
    demo_export: Path, tmp_path: Path
) -> None:
    db = tmp_path / "new.db"
    assert _last_line(db, demo_export, "Mei Lin Chen", "55555555") == (
        "Mei Lin Chen is this database's admin (an admin in the file); every other"
        " practitioner gets a secret from an admin before signing in."
    )
    assert _roles(db) == {"Mei Lin Chen": "admin", "Sara Novak": None, "Tom Okafor": None}
    store = Store.open(db)
    try:
        tom = next(n.practitioner_id for n in store.sign_in_names() if n.name == "Tom Okafor")
        with pytest.raises(auth.AuthError, match="an admin gives them one"):
            auth.claim_first_secret(store, tom, "99999999")
    finally:
        store.close()
    # the admin's secret works at the command line
    assert _cli(db, "patients", who="Mei Lin Chen", secret="55555555").exit_code == 0


def test_an_old_export_without_roles_lets_the_importer_choose(
    demo_export: Path, tmp_path: Path
) -> None:
    doc = json.loads(demo_export.read_text("utf-8"))
    doc["format_version"] = 5  # as the exports before roles and seals were carried
    # ... of a database whose audit log gave no roles either (its log says who the admins
    # are otherwise: test_a_file_without_roles_takes_them_from_its_audit_log)
    del doc["practitioner_roles"], doc["tables"]["record_seal"], doc["tables"]["audit_log"]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(doc), "utf-8")
    db = tmp_path / "new.db"
    assert _last_line(db, old, "Tom Okafor", "99999999") == (
        "Tom Okafor is this database's admin (the file names no roles: the one who imports"
        " chose); every other practitioner gets a secret from an admin before signing in."
    )
    assert _roles(db)["Tom Okafor"] == "admin"


def test_an_import_stopped_before_its_admin_leaves_nobody_to_claim_admin(
    demo_export: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The import committed its rows, then set the admin's secret in a second transaction:
    # killed between the two (kill -9 under load, found by review15), the database held
    # every practitioner and no secret, and Tom (no admin in the file) chose one at the
    # sign-in screen and became its admin. Now the secret is written in the import's own
    # transaction. The kill is modelled by a failure where the secret is written, with
    # the clean-up a killed process never runs turned off.
    from sessionlog.cli import transfer
    from sessionlog.services import import_admin

    def killed(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(import_admin, "set_first_secret", killed)
    monkeypatch.setattr(transfer, "_remove_new_database", lambda ctx: ctx.store().close())
    db = tmp_path / "new.db"
    result = _cli(db, "import", str(demo_export), who="Mei Lin Chen", secret="111111")
    assert result.exit_code != 0
    store = Store.open(db)
    try:
        assert store.conn.execute("SELECT count(*) FROM practitioner").fetchone() == (0,)
        assert store.conn.execute("SELECT count(*) FROM session").fetchone() == (0,)
        assert store.sign_in_names() == []
    finally:
        store.close()


def _refused_new(file: Path, db: Path, who: str, secret: str) -> str:
    """The one line an import of ``file`` into the new ``db`` is refused with; no
    database is left behind."""
    result = _cli(db, "import", str(file), who=who, secret=secret)
    assert result.exit_code == 1, result.output
    assert not db.exists()
    [line] = result.stderr.splitlines()
    return str(line)


def _edited(file: Path, out: Path, edit: Any) -> Path:
    """A copy of the export ``file`` with its document changed by ``edit(doc)``."""
    doc = json.loads(file.read_text("utf-8"))
    edit(doc)
    out.write_text(json.dumps(doc), "utf-8")
    return out


def test_a_role_edited_in_the_file_is_refused(demo_export: Path, tmp_path: Path) -> None:
    # Tom makes himself admin in the export and imports it into a new database.
    edited = _edited(
        demo_export,
        tmp_path / "edited.json",
        lambda d: d["practitioner_roles"].update({"2": "admin"}),
    )
    assert _refused_new(edited, tmp_path / "new.db", "Tom Okafor", "99999999") == (
        "error: practitioner_roles: nothing was imported: 1 role does not match the one the"
        " file's audit log gave (changed after it was written): practitioner 2 (admin in"
        " the file, practitioner in its audit log)"
    )
    # ... and with Mei's role taken out as well
    roles = {"2": "admin", "3": "practitioner"}
    edited = _edited(demo_export, edited, lambda d: d.update(practitioner_roles=roles))
    assert _refused_new(edited, tmp_path / "new.db", "Tom Okafor", "99999999").endswith(
        "(changed after it was written): practitioner 1 (none in the file, admin in its"
        " audit log), practitioner 2 (admin in the file, practitioner in its audit log)"
    )


def test_roles_taken_out_of_a_format_6_file_are_refused(demo_export: Path, tmp_path: Path) -> None:
    edited = _edited(demo_export, tmp_path / "e.json", lambda d: d.pop("practitioner_roles"))
    assert _refused_new(edited, tmp_path / "new.db", "Tom Okafor", "99999999") == (
        "error: practitioner_roles: is missing: every export of format 6 carries each"
        " practitioner's role, which its audit log vouches for (taken out of this file?):"
        " nothing was imported"
    )


def test_the_roles_of_a_database_made_by_an_import_are_vouched_for_again(
    demo_export: Path, tmp_path: Path
) -> None:
    # The new database's audit log holds the demo's history (its roles too) and then its
    # own: its export's roles are the ones given since (Mei, admin again), and import.
    db = tmp_path / "new.db"
    _last_line(db, demo_export, "Mei Lin Chen", "55555555")
    again = tmp_path / "again.json"
    result = _cli(db, "export", "-o", str(again), who="Mei Lin Chen", secret="55555555")
    assert result.exit_code == 0, result.output
    assert json.loads(again.read_text("utf-8"))["practitioner_roles"] == {"1": "admin"}
    assert _last_line(tmp_path / "third.db", again, "Mei Lin Chen", "66666666").startswith(
        "Mei Lin Chen is this database's admin (an admin in the file)"
    )


def test_roles_without_an_audit_log_are_refused(demo_export: Path, tmp_path: Path) -> None:
    # Audit log and seals taken out, Tom made admin: "Tom Okafor is this database's admin
    # (an admin in the file)", roles nothing vouched for (review16).
    def cut(d: dict[str, Any]) -> None:
        d["practitioner_roles"] = {"1": "practitioner", "2": "admin", "3": "practitioner"}
        del d["tables"]["audit_log"], d["tables"]["record_seal"]

    edited = _edited(demo_export, tmp_path / "cut.json", cut)
    assert _refused_new(edited, tmp_path / "new.db", "Tom Okafor", "99999999") == (
        "error: practitioner_roles: the file gives roles but not the audit log that vouches"
        " for them (taken out of this file?): nothing was imported"
    )


def test_a_file_without_roles_takes_them_from_its_audit_log(
    demo_export: Path, tmp_path: Path
) -> None:
    # Relabelled format 5 with its roles and seals taken out, the one who imported chose
    # the admin: Tom made himself admin though the file's audit log says he is not one
    # (review16). Its audit log now says who the admins are.
    def downgraded(d: dict[str, Any]) -> None:
        d["format_version"] = 5
        del d["practitioner_roles"], d["tables"]["record_seal"]

    edited = _edited(demo_export, tmp_path / "five.json", downgraded)
    assert _refused_new(edited, tmp_path / "new.db", "Tom Okafor", "99999999") == (
        "error: import: Tom Okafor is not an admin in the file's audit log: the admin of a"
        " new database is one of its admins (Mei Lin Chen); nothing was imported"
    )
    assert _last_line(tmp_path / "mei.db", edited, "Mei Lin Chen", "55555555") == (
        "Mei Lin Chen is this database's admin (an admin in the file's audit log); every"
        " other practitioner gets a secret from an admin before signing in."
    )
    assert _roles(tmp_path / "mei.db")["Mei Lin Chen"] == "admin"
