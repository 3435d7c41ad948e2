"""Running the command line in tests: in-process (click's runner) or as a real process.

Commands are written as a shell would see them (``'log --site "upper trap:left"'``)
and split with shlex, so the tests read like what a user types.
"""

from __future__ import annotations

import hashlib
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

from sessionlog.cli import cli


def run(db: Path, command: str, input: str | None = None) -> Result:
    """``sessionlog --db DB COMMAND`` in this process."""
    return CliRunner().invoke(cli, ["--db", str(db), *shlex.split(command)], input=input)


def ok(db: Path, command: str, input: str | None = None) -> str:
    """Run a command that must succeed; returns its standard output."""
    result = run(db, command, input=input)
    assert result.exit_code == 0, (command, result.output, result.stderr, result.exception)
    return result.stdout


def run_process(db: Path, command: str, input: str | None = None) -> subprocess.CompletedProcess:
    """``python -m sessionlog --db DB COMMAND`` as a separate process."""
    return subprocess.run(
        [sys.executable, "-m", "sessionlog", "--db", str(db), *shlex.split(command)],
        input=input,
        capture_output=True,
        text=True,
        timeout=60,
    )


def run_processes(
    db: Path, commands: list[tuple[str, str | None]]
) -> list[subprocess.CompletedProcess]:
    """Run several ``(command, stdin)`` at once, each as its own process (they must not
    write: a refused command never does). Results in the order given."""
    started = [
        (
            command,
            subprocess.Popen(
                [sys.executable, "-m", "sessionlog", "--db", str(db), *shlex.split(command)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
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
    when it is not a database: equal before and after means nothing changed."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            dump = "\n".join(conn.iterdump())
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
        "practitioner 1 added: Ann Lee\n",
        "patient 1 added: C001\n",
        "patient 2 added: C002\n",
    ]
    return db
