"""The command line identifies its practitioner: ``--practitioner`` (or
``$SESSIONLOG_PRACTITIONER``) and their secret, asked without echo on a terminal or read
from ``$SESSIONLOG_PRACTITIONER_SECRET``. A wrong secret is one line, exit status 1,
and an audit row; nothing else is read or written."""

from __future__ import annotations

import os
import pty
import select
import shlex
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers_cli import SECRET, cheap_hashes, fingerprint, make_clinic, ok, with_secrets

from sessionlog.cli import cli
from sessionlog.cli.identify import SECRET_ENV, WHO_ENV
from sessionlog.store import Store

PATIENT_DATA = [
    "patients",
    "patients add --chart-id C009 --name 'Di Roe'",
    "sessions --patient C001",
    # (the session in the past: a follow-up "now" in the session's own minute is refused)
    "log --patient C001 --technique acupuncture --site st36:left --pain-before 5 --consent"
    " --at '2025-06-10 09:00'",
    "follow-up --patient C001 --pain 3",
    "follow-ups --patient C001",
    "follow-up-amend 1 --pain 2 --reason misheard",
    "follow-up-void 1 --reason 'wrong patient'",
    "report --patient C001",
    "compare",
    "export",
    "backup {tmp}/b.db",
    "audit access --patient C001",
]


def run_as(
    db: Path, command: str, env: Mapping[str, str | None], input: str | None = None
) -> Result:
    with_secrets(db)
    with cheap_hashes():
        return CliRunner(env={WHO_ENV: None, SECRET_ENV: None, **env}).invoke(
            cli, ["--db", str(db), *shlex.split(command)], input=input
        )


def audit_actions(db: Path) -> list[tuple[str, int | None]]:
    store = Store.open(db)
    try:
        rows = store.conn.execute("SELECT action, entity_id FROM audit_log ORDER BY id").fetchall()
    finally:
        store.close()
    return [(a, e) for a, e in rows]


@pytest.fixture
def clinic(tmp_path: Path) -> Path:
    return make_clinic(tmp_path / "clinic.db")


@pytest.mark.parametrize("command", PATIENT_DATA)
def test_a_wrong_secret_is_one_line_audited_and_nothing_else(
    clinic: Path, tmp_path: Path, command: str
) -> None:
    before = audit_actions(clinic)
    result = run_as(clinic, command.format(tmp=tmp_path), {SECRET_ENV: "not the secret"})
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        "error: Wrong secret for Ann Lee\n",
    )
    assert audit_actions(clinic) == [*before, ("sign_in_failed", 1)]
    assert not (tmp_path / "b.db").exists()


@pytest.mark.parametrize("command", PATIENT_DATA)
def test_with_no_secret_and_no_terminal_it_says_how_to_give_one(
    clinic: Path, tmp_path: Path, command: str
) -> None:
    before = fingerprint(clinic)
    result = run_as(clinic, command.format(tmp=tmp_path), {})
    assert (result.exit_code, result.stderr) == (
        1,
        "error: Ann Lee's secret is needed: set $SESSIONLOG_PRACTITIONER_SECRET,"
        " or run in a terminal to be asked\n",
    )
    assert fingerprint(clinic) == before


def test_the_right_secret_by_name_or_id_and_another_practitioners_refused(clinic: Path) -> None:
    with_secrets(clinic)
    ok(clinic, "patients")  # makes sure the clinic's practitioner has their secret
    store = Store.open(clinic)
    from sessionlog.domain import Practitioner
    from sessionlog.services import auth

    with cheap_hashes():
        ben = store.add_practitioner(Practitioner("Ben Cho", "physiotherapist"))
        auth.set_first_secret(store, ben, "bens own secret")
    store.close()
    for who in ("'Ann Lee'", "1", "'ann lee'"):
        result = run_as(clinic, f"patients --practitioner {who}", {SECRET_ENV: SECRET})
        assert result.exit_code == 0, result.output
    ben_as_ann = run_as(clinic, "report --patient C001", {WHO_ENV: "Ben Cho", SECRET_ENV: SECRET})
    assert (ben_as_ann.exit_code, ben_as_ann.stderr) == (1, "error: Wrong secret for Ben Cho\n")
    nobody = run_as(clinic, "patients", {SECRET_ENV: SECRET})
    assert nobody.stderr == (
        "error: practitioner: say who you are: --practitioner ID or NAME"
        " (or $SESSIONLOG_PRACTITIONER)\n"
    )
    as_ben = {WHO_ENV: "Ben Cho", SECRET_ENV: "bens own secret"}
    by_ben = run_as(
        clinic,
        "log --patient C001 --technique acupuncture --site st36:left --pain-before 5 --consent",
        as_ben,
    )
    assert by_ben.exit_code == 0, by_ben.output
    document = (
        '{"patient": "C001", "practitioner": "Ann Lee", "technique": "acupuncture",'
        ' "consent": true, "pain_before": 4, "sites": [{"target": "li4", "side": "left"}]}'
    )
    forged = run_as(clinic, "log --json -", as_ben, input=document)
    assert (forged.exit_code, forged.stderr) == (
        1,
        "error: practitioner: the document names another practitioner: a session is"
        " recorded by the practitioner who signs it (--practitioner, with their secret)\n",
    )


def test_the_first_practitioner_sets_their_secret_and_an_admin_adds_the_next(
    tmp_path: Path,
) -> None:
    db = tmp_path / "new.db"
    short = run_as(db, "practitioners add --name 'Ann Lee' --profession other", {SECRET_ENV: "123"})
    assert (short.exit_code, short.stderr) == (
        1,
        "error: secret: a PIN needs at least 6 digits\n",
    )
    assert Store.open(db).practitioners() == []  # nothing half-saved
    first = run_as(db, "practitioners add --name 'Ann Lee' --profession other",
                   {SECRET_ENV: "424242"})  # fmt: skip
    assert first.stdout == "practitioner 1 added: Ann Lee (admin; secret set)\n"
    admin = {SECRET_ENV: "424242", "SESSIONLOG_NEW_PRACTITIONER_SECRET": "temporary 1"}
    second = run_as(db, "practitioners add --name 'Ben Cho' --profession other --as 1", admin)
    assert second.exit_code == 0, second.output
    assert second.stdout == (
        "practitioner 2 added: Ben Cho (practitioner; temporary secret: they choose their own"
        " at their first sign-in in the app)\n"
    )
    as_ben = run_as(db, "patients --practitioner 2", {SECRET_ENV: "temporary 1"})
    assert (as_ben.exit_code, as_ben.stderr) == (
        1,
        "error: Ben Cho's secret was given by an admin: sign in to the app once to choose"
        " your own\n",
    )


def test_the_secret_is_asked_without_echo_on_a_terminal(clinic: Path) -> None:
    """A real terminal (a pty): the prompt, the secret typed, nothing of it shown."""
    ok(clinic, "patients")  # the practitioner's secret is SECRET
    env = {k: v for k, v in os.environ.items() if k not in (SECRET_ENV, WHO_ENV)}
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sessionlog", "--db", str(clinic), "patients"],
        stdin=child, stdout=child, stderr=child, env=env, close_fds=True,
    )  # fmt: skip
    os.close(child)
    seen = b""
    try:
        seen = read_until(main, seen, b"Secret: ")
        os.write(main, SECRET.encode() + b"\n")
        seen = read_until(main, seen, b"Cy Doe")
    finally:
        proc.wait(timeout=60)
        os.close(main)
    assert proc.returncode == 0
    assert SECRET.encode() not in seen


def read_until(fd: int, seen: bytes, text: bytes) -> bytes:
    end = time.monotonic() + 60
    while text not in seen:
        left = end - time.monotonic()
        assert left > 0, seen
        if select.select([fd], [], [], left)[0]:
            try:
                seen += os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
    assert text in seen, seen
    return seen


def test_restore_is_proved_by_the_secret_the_backup_keeps(tmp_path: Path) -> None:
    # Issue 11: nothing is recorded under a name without its owner's secret; a restore
    # used to take any practitioner id for its audit row. The backup's own hash is the
    # proof (the live database may be the damaged one), read without writing to it.
    db = make_clinic(tmp_path / "clinic.db")
    ok(db, f"backup {tmp_path / 'monday.db'}")
    backup = tmp_path / "monday.db"
    before_backup = backup.read_bytes()
    before = db.read_bytes()
    wrong = run_as(db, f"restore --force {backup}", {WHO_ENV: "1", SECRET_ENV: "000000"})
    assert (wrong.exit_code, wrong.stderr) == (
        1,
        "error: Ann Lee's secret in monday.db does not match: nothing was changed\n",
    )
    assert db.read_bytes() == before and backup.read_bytes() == before_backup
    assert list(tmp_path.glob("clinic.db.before-restore-*")) == []  # never began
    right = run_as(db, f"restore --force {backup}", {WHO_ENV: "Ann Lee", SECRET_ENV: SECRET})
    assert right.exit_code == 0, right.output
    assert audit_actions(db)[-1] == ("restore", None)
    store = Store.open(db)
    try:
        actor = store.conn.execute(
            "SELECT actor_id FROM audit_log WHERE action = 'restore'"
        ).fetchone()
    finally:
        store.close()
    assert actor == (1,)


def read_more(fd: int, seen: bytes, wait: float = 60) -> bytes:
    """What the terminal shows next, within ``wait`` seconds."""
    if select.select([fd], [], [], wait)[0]:
        try:
            return seen + os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            pass
    if wait == 60:
        raise AssertionError(seen)
    return seen


def _restore_at_a_terminal(db: Path, backup: Path, *typed: str) -> bytes:
    """``restore --force BACKUP`` at a pty as practitioner 1, typing each of ``typed``
    at a secret prompt; everything the terminal showed."""
    env = {k: v for k, v in os.environ.items() if k != SECRET_ENV} | {WHO_ENV: "1"}
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sessionlog", "--db", str(db), "restore", "--force", str(backup)],
        stdin=child, stdout=child, stderr=child, env=env, close_fds=True,
    )  # fmt: skip
    os.close(child)
    seen, at = b"", 0
    try:
        for secret in typed:
            while b"Secret" not in seen[at:] or b": " not in seen[seen.index(b"Secret", at) :]:
                seen = read_more(main, seen)
            at = seen.index(b"Secret", at) + 1
            os.write(main, secret.encode() + b"\n")
        end = time.monotonic() + 30  # a prompt more waits for ever: stopped, and seen
        while proc.poll() is None and time.monotonic() < end:
            seen = read_more(main, seen, 1)
        seen = read_more(main, seen, 0)
    finally:
        proc.kill()
        proc.wait(timeout=60)
        os.close(main)
    return seen


def test_restore_at_a_terminal_asks_the_secret_once(tmp_path: Path) -> None:
    # The backup and then the clinic's own database each asked "Secret:" (the admin
    # proves who they are in both): the same secret typed twice, with nothing said.
    db = make_clinic(tmp_path / "clinic.db")
    ok(db, f"backup {tmp_path / 'monday.db'}")
    seen = _restore_at_a_terminal(db, tmp_path / "monday.db", SECRET)
    assert seen.count(b"Secret") == 1, seen
    assert b"Restored 0 sessions into" in seen and SECRET.encode() not in seen
    assert audit_actions(db)[-1] == ("restore", None)


@pytest.mark.parametrize(
    ("typed", "named"),
    [(("tuesday secret 2", SECRET), "monday.db"), ((SECRET, "tuesday secret 2"), "clinic.db")],
)
def test_restore_at_a_terminal_asks_again_for_a_secret_changed_since_the_backup(
    tmp_path: Path, typed: tuple[str, str], named: str
) -> None:
    # The admin chose a new secret after the backup: whichever they type first, the
    # file that holds the other one is named when it is asked for.
    db = make_clinic(tmp_path / "clinic.db")
    ok(db, f"backup {tmp_path / 'monday.db'}")
    from sessionlog.services import auth

    store = Store.open(db)
    with cheap_hashes():
        auth.choose_secret(store, 1, "tuesday secret 2")
    store.close()
    seen = _restore_at_a_terminal(db, tmp_path / "monday.db", *typed)
    assert seen.count(b"Secret") == 2, seen
    assert f"Secret in {named} (not the one just typed): ".encode() in seen
    assert b"Restored 0 sessions into" in seen


def test_restore_at_a_terminal_refuses_a_secret_neither_file_holds(tmp_path: Path) -> None:
    db = make_clinic(tmp_path / "clinic.db")
    ok(db, f"backup {tmp_path / 'monday.db'}")
    before = db.read_bytes()
    seen = _restore_at_a_terminal(db, tmp_path / "monday.db", "a typo 1")
    assert seen.count(b"Secret") == 1, seen
    assert b"error: Ann Lee's secret in monday.db does not match: nothing was changed" in seen
    assert db.read_bytes() == before


def audit_rows_since(db: Path, after: int) -> list[tuple[str, int | None, dict[str, object]]]:
    import json

    store = Store.open(db)
    try:
        rows = store.conn.execute(
            "SELECT action, actor_id, detail FROM audit_log WHERE id > ? ORDER BY id", (after,)
        ).fetchall()
    finally:
        store.close()
    return [(a, actor, json.loads(d or "{}")) for a, actor, d in rows]


def test_a_command_refused_after_sign_in_records_the_refusal_not_only_a_sign_in(
    tmp_path: Path,
) -> None:
    # The audit log said "sign_in" and nothing more for a command that was then refused
    # (an unknown patient, a role that may not): as if the command had gone through.
    db = tmp_path / "new.db"
    admin = {SECRET_ENV: "424242", "SESSIONLOG_NEW_PRACTITIONER_SECRET": "temporary 1"}
    run_as(db, "practitioners add --name 'Ann Lee' --profession other", {SECRET_ENV: "424242"})
    run_as(db, "practitioners add --name 'Ben Cho' --profession other --as 1", admin)
    ann = {WHO_ENV: "Ann Lee", SECRET_ENV: "424242"}
    assert run_as(db, "patients add --chart-id C001 --name 'Bo Kim'", ann).exit_code == 0
    store = Store.open(db)
    from sessionlog.services import auth

    with cheap_hashes():
        auth.choose_secret(store, 2, "bens own secret")
    last = store.conn.execute("SELECT max(id) FROM audit_log").fetchone()[0]
    store.close()
    ben = {WHO_ENV: "Ben Cho", SECRET_ENV: "bens own secret"}
    unknown = run_as(
        db, "log --patient NOPE --technique acupuncture --consent --site st36:left", ann
    )
    assert (unknown.exit_code, unknown.stderr) == (
        1,
        "error: patient: no patient with chart id, id or name 'NOPE' (see `sessionlog patients`)\n",
    )
    role = run_as(db, "practitioners add --name 'Cy Doe' --profession other", ben)
    assert (role.exit_code, role.stderr) == (
        1,
        "error: Only an admin can add practitioners or reset a secret\n",
    )
    assert audit_rows_since(db, last) == [
        ("sign_in", 1, {"via": "cli"}),
        (
            "refused",
            1,
            {
                "command": "log",
                "reason": "patient: no patient with chart id, id or name 'NOPE' (see"
                " `sessionlog patients`)",
                "via": "cli",
            },
        ),
        ("sign_in", 2, {"via": "cli"}),
        (
            "refused",
            2,
            {
                "command": "practitioners add",
                "reason": "Only an admin can add practitioners or reset a secret",
                "via": "cli",
            },
        ),
    ]


def test_a_secret_given_by_an_admin_is_refused_without_a_sign_in_row(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    admin = {SECRET_ENV: "424242", "SESSIONLOG_NEW_PRACTITIONER_SECRET": "temporary 1"}
    run_as(db, "practitioners add --name 'Ann Lee' --profession other", {SECRET_ENV: "424242"})
    run_as(db, "practitioners add --name 'Ben Cho' --profession other --as 1", admin)
    before = audit_actions(db)
    as_ben = run_as(db, "patients --practitioner 2", {SECRET_ENV: "temporary 1"})
    assert as_ben.exit_code == 1
    assert audit_actions(db) == before  # nothing: no sign-in happened
