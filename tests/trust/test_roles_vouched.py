"""A role edited in practitioner_access by hand is seen, and gives nobody admin.

Every role sessionlog gives leaves an audit row (``practitioner_access``, the
practitioner's id, ``{"role": ...}``) that the hash chain covers. ``check`` compares the
stored roles with the ones the audit log last gave and names each that differs in one
line; every privilege decision goes by the audit log's role (review16: Tom Okafor made
himself admin with ``UPDATE practitioner_access SET role = 'admin'``)."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers_cli import cheap_hashes

from sessionlog.cli import cli
from sessionlog.cli.identify import SECRET_ENV, WHO_ENV
from sessionlog.errors import ValidationError
from sessionlog.services import auth
from sessionlog.services.auth import AuthError
from sessionlog.store import Store
from sessionlog.store.db import migration_files
from sessionlog.store.file.health import check

MEI, TOM = ("Mei Lin Chen", "111111"), ("Tom Okafor", "222222")


def _changed(who: str, stored: str, gave: str) -> str:
    """check's line for a role edited by hand in practitioner_access."""
    return (
        f"{who}'s role was changed outside sessionlog ({stored} in practitioner_access,"
        f" {gave}): sessionlog goes by the audit log's. An admin resets {who}'s secret"
        " (F2 in the app, then Ctrl+R) to write it back."
    )


TOM_ADMIN = _changed("Tom Okafor", "admin", "the audit log last gave practitioner")


def _cli(db: Path, *args: str, who: tuple[str, str] | None = MEI) -> Result:
    env = {WHO_ENV: who[0], SECRET_ENV: who[1]} if who else {}
    with cheap_hashes():
        return CliRunner(env=env).invoke(cli, ["--db", str(db), *args])


def _raw(path: Path, sql: str) -> None:
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute(sql)


def _role(path: Path, practitioner_id: int) -> str | None:
    """The role sessionlog goes by for ``practitioner_id`` (None: no sign-in row)."""
    store = Store.open(path)
    try:
        access = store.access(practitioner_id)
        return access.role if access else None
    finally:
        store.close()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("roles") / "demo.db"
    assert _cli(path, "demo", who=None).exit_code == 0
    return path


@pytest.fixture
def demo(demo_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_db, path)
    return path


def test_a_fresh_demo_is_healthy(demo: Path) -> None:
    health = check(demo)
    assert (health.ok, health.problems) == (True, [])


def test_check_names_a_role_given_by_hand_in_one_line(demo: Path) -> None:
    _raw(demo, "UPDATE practitioner_access SET role = 'admin' WHERE practitioner_id = 2")
    health = check(demo)
    assert health.problems == [TOM_ADMIN]
    result = _cli(demo, "check", who=None)
    assert (result.exit_code, result.stdout.splitlines()[1:]) == (1, [f"- {TOM_ADMIN}"])


def test_a_role_given_by_hand_makes_nobody_admin(demo: Path) -> None:
    _raw(demo, "UPDATE practitioner_access SET role = 'admin' WHERE practitioner_id = 2")
    result = _cli(
        demo, "practitioners", "add", "--name", "Eve Stone", "--profession", "other",
        "--role", "admin", who=TOM,
    )  # fmt: skip
    assert result.exit_code == 1
    assert "Only an admin can add practitioners" in result.output
    assert "Traceback" not in result.output
    store = Store.open(demo)
    try:
        access = store.access(2)
        assert access is not None and access.role == "practitioner"
        with pytest.raises(ValidationError, match="only an admin changes the clinic's due"):
            from sessionlog.services.due import set_clinic_checks

            set_clinic_checks(store, "24h-72h", 2)
        # Tom changing his own secret writes back the audit log's role, not the edit
        with cheap_hashes():
            auth.choose_secret(store, 2, "a new secret 2")
    finally:
        store.close()
    assert check(demo).problems == []


def test_an_admin_taken_out_by_hand_is_still_the_admin(demo: Path) -> None:
    _raw(demo, "UPDATE practitioner_access SET role = 'practitioner'")
    assert check(demo).problems == [
        _changed("Mei Lin Chen", "practitioner", "the audit log last gave admin")
    ]
    store = Store.open(demo)
    try:
        assert store.has_admin()  # nobody may claim the database has no admin
        # the admin resets Tom (any admin action), then their own row is written back
        with cheap_hashes():
            auth.give_secret(store, 1, 2, "temporary 22")
            auth.give_secret(store, 1, 1, "temporary 11")
        with pytest.raises(AuthError):
            auth.give_secret(store, 2, 3, "temporary 33")
    finally:
        store.close()
    assert check(demo).problems == []


def test_a_sign_in_row_added_by_hand_is_no_admin(demo: Path) -> None:
    _raw(demo, "INSERT INTO practitioner VALUES (4, 'Eve Stone', 'other', '', '2026-01-01')")
    _raw(
        demo,
        "INSERT INTO practitioner_access SELECT 4, secret_hash, salt, params, 'admin',"
        " 0, 0, NULL, updated_at FROM practitioner_access WHERE practitioner_id = 1",
    )
    problems = check(demo).problems
    assert _changed("Eve Stone", "admin", "the audit log gave them none") in problems
    assert _role(demo, 4) == "practitioner"


def test_roles_given_through_the_command_line_and_the_app_are_vouched_for(demo: Path) -> None:
    result = _cli(
        demo, "practitioners", "add", "--name", "Eve Stone", "--profession", "other",
        "--role", "admin",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    store = Store.open(demo)
    try:
        with cheap_hashes():  # an admin gives Tom the admin role with a reset (the app's F2)
            auth.give_secret(store, 1, 2, "temporary 22", role="admin")
        assert {a.practitioner_id: a.role for a in map(store.access, (1, 2, 3, 4)) if a} == {
            1: "admin", 2: "admin", 3: "practitioner", 4: "admin",
        }  # fmt: skip
    finally:
        store.close()
    health = check(demo)
    assert (health.ok, health.problems) == (True, [])


def test_a_database_imported_from_an_export_is_healthy(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "demo.json"
    assert _cli(demo, "export", "-o", str(out)).exit_code == 0
    new = tmp_path / "new.db"
    result = _cli(new, "import", str(out), who=MEI)
    assert result.exit_code == 0, result.output
    health = check(new)
    assert (health.ok, health.problems) == (True, [])
    assert _role(new, 1) == "admin"


def test_a_database_from_before_sign_in_upgraded_is_healthy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sessionlog.store import db

    files = migration_files()
    assert [p.stem for p in files][3] == "0004_practitioner_access"
    monkeypatch.setattr(db, "migration_files", lambda: files[:3])
    path = tmp_path / "v3.db"
    conn = db.open_connection(path)  # what sessionlog made before sign-in existed
    conn.executescript(
        "INSERT INTO practitioner VALUES (1, 'Ann Lee', 'physiotherapist', '', '2026-01-01');"
        "INSERT INTO practitioner VALUES (2, 'Bo Kim', 'physiotherapist', '', '2026-01-01');"
    )
    conn.close()
    monkeypatch.undo()
    store = Store.open(path)  # upgraded: no sign-in rows yet
    try:
        assert store.access(1) is None and not store.has_admin()
        with cheap_hashes():
            assert auth.set_first_secret(store, 1, "first secret 1") == "admin"
            auth.give_secret(store, 1, 2, "temporary 22")
    finally:
        store.close()
    health = check(path)
    assert (health.ok, health.problems) == (True, [])


def test_the_admin_s_sign_in_row_removed_by_hand_lets_nobody_claim_admin(demo: Path) -> None:
    # Before, no row said admin any more: the first to claim Mei's name became the admin.
    _raw(demo, "DELETE FROM practitioner_access WHERE practitioner_id = 1")
    assert check(demo).problems == [
        "Mei Lin Chen's sign-in row was removed outside sessionlog (the audit log last gave"
        " them admin): nobody can claim Mei Lin Chen's name; an admin gives them a temporary"
        " secret (F2 in the app, then Ctrl+R)."
    ]
    store = Store.open(demo)
    try:
        assert store.has_admin()
        with pytest.raises(AuthError, match="an admin gives them one"):
            auth.claim_first_secret(store, 1, "my own 123")
    finally:
        store.close()
