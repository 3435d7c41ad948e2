"""Running the command line in tests: in-process (click's runner) or as a real process.

Commands are written as a shell would see them (``'log --site "upper trap:left"'``)
and split with shlex, so the tests read like what a user types.

Commands that touch patient data identify their practitioner by a secret: every
command here runs as a script would, as practitioner 1 (``$SESSIONLOG_PRACTITIONER``)
unless it says ``--practitioner``, with ``$SESSIONLOG_PRACTITIONER_SECRET`` set to
SECRET, and every practitioner of the database (however the test added them) has
that secret (``with_secrets``).
"""

from __future__ import annotations

import hashlib
import os
import shlex
import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner, Result

from sessionlog.cli import cli
from sessionlog.cli.identify import SECRET_ENV, WHO_ENV
from sessionlog.errors import DatabaseError

SECRET = "test secret 1"  # every practitioner's, in these tests
ENV = {SECRET_ENV: SECRET, WHO_ENV: "1"}  # practitioner 1 unless --practitioner says


def with_secrets(db: Path) -> None:
    """Give SECRET to each practitioner of ``db`` who has no secret yet (added by a
    test through the store, or in a database made before sign-in existed). A file
    sessionlog would refuse (empty, foreign, with a -wal not its own) is not touched:
    the test is about that refusal, and reading it here would replay that -wal."""
    from sessionlog.store.file.guard import guard

    try:
        guard(db, encrypted=False)
    except DatabaseError:
        return
    if not db.is_file() or not _lacking_secrets(db):
        return
    from sessionlog.services import auth
    from sessionlog.store import Store

    try:
        store = Store.open(db)
    except DatabaseError:
        return  # not a database (yet), or an encrypted one: the test is about that
    try:
        with cheap_hashes():
            for who in store.sign_in_names():
                if not who.has_secret:
                    auth.set_first_secret(store, who.practitioner_id, SECRET)
    except sqlite3.DatabaseError:
        return  # a damaged file: the test is about how sessionlog refuses it
    finally:
        store.close()


def _lacking_secrets(db: Path) -> bool:
    """Whether some practitioner of ``db`` has no secret (a quick read, no migration)."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return bool(
                conn.execute(
                    "SELECT 1 FROM practitioner p WHERE NOT EXISTS (SELECT 1 FROM"
                    " practitioner_access a WHERE a.practitioner_id = p.id)"
                ).fetchone()
            )
        finally:
            conn.close()
    except sqlite3.DatabaseError:  # no such table yet (an older schema), or not a database
        return True


def run(
    db: Path, command: str | list[str], input: str | None = None, give_secrets: bool = True
) -> Result:
    """``sessionlog --db DB COMMAND`` in this process. COMMAND is split as a shell
    would, unless it is a list already. Each practitioner of DB is given SECRET first
    (``with_secrets``), unless the caller has done so already (``give_secrets=False``)."""
    if give_secrets:
        with_secrets(db)
    args = shlex.split(command) if isinstance(command, str) else command
    with cheap_hashes():
        return CliRunner(env=ENV).invoke(cli, ["--db", str(db), *args], input=input)


@contextmanager
def cheap_hashes() -> Iterator[None]:
    """Secrets hashed while this is on use a low scrypt cost (each hash keeps its
    cost, so checking it later, here or in a subprocess, is as quick): the command
    line checks a secret at every command, and the slow cost is for real secrets."""
    from sessionlog.services import auth

    kept = auth.SCRYPT_N
    auth.SCRYPT_N = 2**8
    try:
        yield
    finally:
        auth.SCRYPT_N = kept


def process_env() -> dict[str, str]:
    """This process's environment with the practitioner's secret, for a subprocess."""
    return {**os.environ, **ENV}


def ok(db: Path, command: str, input: str | None = None) -> str:
    """Run a command that must succeed; returns its standard output."""
    result = run(db, command, input=input)
    assert result.exit_code == 0, (command, result.output, result.stderr, result.exception)
    return result.stdout


def run_process(db: Path, command: str, input: str | None = None) -> subprocess.CompletedProcess:
    """``python -m sessionlog --db DB COMMAND`` as a separate process."""
    with_secrets(db)
    return subprocess.run(
        [sys.executable, "-m", "sessionlog", "--db", str(db), *shlex.split(command)],
        input=input,
        capture_output=True,
        text=True,
        timeout=60,
        env=process_env(),
    )


def run_processes(
    db: Path, commands: Sequence[tuple[str, str | None]]
) -> list[subprocess.CompletedProcess]:
    """Run several ``(command, stdin)`` at once, each as its own process (they must not
    write: a refused command never does). Results in the order given."""
    with_secrets(db)
    started = [
        (
            command,
            subprocess.Popen(
                [sys.executable, "-m", "sessionlog", "--db", str(db), *shlex.split(command)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=process_env(),
            ),
            document,
        )
        for command, document in commands
    ]
    results = []
    for command, proc, document in started:
        out, err = proc.communicate(document, timeout=60)
        results.append(subprocess.CompletedProcess(command, proc.returncode, out, err))
    return results


def fingerprint(path: Path) -> str:
    """A hash of the database's whole content (schema and rows), or of the file's bytes
    when it is not a database: equal before and after means nothing changed.

    Sign-ins and refusals are left out: a command refused for its input was still run
    by a practitioner who proved who they are, and that is logged (audit actions
    'sign_in', then 'refused' with the reason); so is the file's count of writes
    (``file_stamp``, schema 0020), which those two writes advance."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            dump = "\n".join(
                line
                for line in conn.iterdump()
                if not (
                    line.startswith('INSERT INTO "audit_log"')
                    and (",'sign_in'," in line or ",'refused'," in line)
                )
                and not line.startswith('INSERT INTO "file_stamp"')
            )
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        dump = path.read_bytes().hex()
    return hashlib.sha256(dump.encode()).hexdigest()


def make_clinic(db: Path) -> Path:
    """One practitioner (id 1) and two patients (C001 id 1, C002 id 2), through the CLI,
    each registered with their complaint (an episode of care: 1 neck, 2 low back)."""
    added = [
        ok(db, "practitioners add --name 'Ann Lee' --profession physiotherapist --credential PT"),
        ok(
            db,
            "patients add --chart-id C001 --name 'Bo Kim' --birth-year 1980 --sex female"
            " --complaint 'neck pain' --region neck",
        ),
        ok(
            db,
            "patients add --chart-id C002 --name 'Cy Doe' --complaint 'low back pain' --region lo",
        ),
    ]
    assert added == [
        "practitioner 1 added: Ann Lee (admin; secret set)\n",
        "patient 1 added: C001\n",
        "patient 2 added: C002\n",
    ]
    return db


def refused_in_one_line(db: Path, command: str, message: str) -> None:
    """``command`` exits 1 with one line on stderr starting with ``message``, and the
    database is as it was (nothing half-saved)."""
    before = fingerprint(db)
    result = run(db, command)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr
    assert fingerprint(db) == before
