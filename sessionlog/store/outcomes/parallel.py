"""A full build's rows on two cores: half the patients in a second process.

Most of a full build's rows come from SQLite stepping through the set-based SQL of
:mod:`.points`. The write connection, holding the write lock (nothing can change),
computes the rows of the patients with an even id into ``outcome_session`` while a
second Python process, started at the same moment, computes the odd ones on a
connection of its own that only reads the file, into an in-memory database (its
temporary tables are its own: it needs no write lock). It sends that database back as
bytes (SQLite's ``serialize``); they are attached to the write connection as
:data:`PART_SCHEMA` and their rows added. A patient's rows depend only on that
patient's records, so they are the very rows one connection computes.

A process, not a thread: two connections stepping at once in one process share
SQLite's memory-allocation lock, and at 100,000 sessions each then took half as long
again (1.1 s -> 1.6 s of CPU each), together no faster than one alone (1.7 s), while
two processes took 1.0 s each, side by side.

Only for a file (an in-memory database has no second connection), without a
passphrase (the second process would need it), with enough sessions to pay for
starting a process (:data:`MIN_SESSIONS`). When the second process cannot start or
fails, the write connection computes the other half itself: the same rows, later.
The second process is always waited for (killed when the build fails first).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from ...analysis.windows import DEFAULT_WINDOWS, Window
from ..db import connect
from ..file.cipher import passphrase
from ..records import bulk
from . import points as outcome_points

PARTS = 2
MIN_SESSIONS = 20_000  # below this, starting a process costs about what it saves
PART_SCHEMA = "oc_part"  # the second process's rows, attached to the write connection
CACHE_MIB = 64  # the second process's page cache (as cache.BUILD_CACHE_MIB)
_ROOT = str(Path(__file__).resolve().parents[3])  # the folder holding the package


def usable(path: str, sessions: int, windows: tuple[Window, ...]) -> bool:
    """Whether a full build of ``sessions`` session rows of ``path`` runs in parts."""
    return (
        path != ":memory:"
        and sessions >= MIN_SESSIONS
        and windows == DEFAULT_WINDOWS  # what the second process computes
        and passphrase() is None
        and hasattr(sqlite3.Connection, "deserialize")  # Python 3.11+, SQLite with it
    )


def command(path: str) -> list[str]:
    """How the second process is started: this Python, computing part 1 of ``path``."""
    run = "from sessionlog.store.outcomes.parallel import main; main()"
    return [sys.executable, "-c", run, path]


def compute(
    conn: sqlite3.Connection,
    path: str,
    windows: tuple[Window, ...],
    progress: Callable[[int], None],
) -> str:
    """Every patient's rows into ``outcome_session`` (emptied by the caller, inside its
    write transaction on ``conn``): part 0 here, part 1 in a second process at the same
    time. Returns the table that holds them. The caller detaches :data:`PART_SCHEMA`
    after its transaction (:func:`detach`). ``progress`` as :func:`.points.compute`'s."""
    other = _start(path)
    try:
        outcome_points.compute(conn, windows, everyone=True, progress=progress, part=(0, PARTS))
        rows = _result(other)
    finally:
        if other is not None and other.poll() is None:  # this side failed: stop it
            other.kill()
            other.communicate()
    if rows is None:  # no second process: this connection does its part too
        outcome_points.compute(conn, windows, everyone=True, part=(1, PARTS))
    else:
        if not _attached(conn):  # (still attached if a failed build could not detach it)
            conn.execute(f"ATTACH ':memory:' AS {PART_SCHEMA}")
        conn.deserialize(rows, name=PART_SCHEMA)
        columns = outcome_points.row_columns(windows)
        conn.execute(
            f"INSERT INTO outcome_session ({columns}) SELECT {columns} FROM {PART_SCHEMA}.rows"
        )
    return "outcome_session"


def _start(path: str) -> subprocess.Popen[bytes] | None:
    if not sys.executable:  # an embedded Python: no interpreter to start
        return None
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_ROOT, env.get("PYTHONPATH")) if p)
    try:
        return subprocess.Popen(
            command(path),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
    except OSError:
        return None


def _result(other: subprocess.Popen[bytes] | None) -> bytes | None:
    """The second process's database, or None when it failed."""
    if other is None:
        return None
    out, _ = other.communicate()
    return out if other.returncode == 0 and out else None


def part(path: str, windows: tuple[Window, ...] = DEFAULT_WINDOWS) -> bytes:
    """The rows of the patients of part 1 of :data:`PARTS`, computed on a connection of
    its own, as an in-memory database's bytes (table ``rows``)."""
    other = connect(path)
    try:
        with bulk.big_cache(other, CACHE_MIB):
            other.execute(f"ATTACH ':memory:' AS {PART_SCHEMA}")
            other.execute(
                f"CREATE TABLE {PART_SCHEMA}.rows AS SELECT * FROM main.outcome_session WHERE false"
            )
            other.execute("BEGIN")  # one snapshot for every step
            outcome_points.compute(
                other, windows, everyone=True, part=(1, PARTS), target=f"{PART_SCHEMA}.rows"
            )
            other.execute("COMMIT")
            outcome_points.drop_temp_tables(other)
            return other.serialize(name=PART_SCHEMA)
    finally:
        other.close()


def main() -> None:
    """The second process: part 1's rows of the database named by the first argument,
    to standard output; on failure one line on standard error and exit status 1."""
    try:
        rows = part(sys.argv[1])
    except Exception as exc:
        print(f"outcome part: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    sys.stdout.buffer.write(rows)
    sys.stdout.buffer.flush()


def _attached(conn: sqlite3.Connection) -> bool:
    return PART_SCHEMA in {row[1] for row in conn.execute("PRAGMA database_list")}


def detach(conn: sqlite3.Connection) -> None:
    """Remove :data:`PART_SCHEMA` from ``conn`` if attached, once its transaction ended
    (inside one SQLite refuses; the next build then reuses it)."""
    if not conn.in_transaction and _attached(conn):
        conn.execute(f"DETACH {PART_SCHEMA}")
