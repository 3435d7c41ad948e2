"""A full build of the outcome cache on two cores: half the patients in a second process.

A full build computes every session's row (:mod:`.points`, set-based SQL), reads them
back and counts them (:mod:`.tally`, Python). The write connection, holding the write
lock (nothing can change), computes the rows of the patients with the lower ids (about
:data:`SHARE` of the sessions: :func:`cut`) into ``outcome_session`` and counts them,
while a second Python process, started at the same moment, does the same for the
others on a connection of its own that only reads the file, into an in-memory
database (its temporary tables are its own: it needs no write lock). It sends back
that database as bytes (SQLite's ``serialize``) as soon as its rows are in, then its
days and dose rows, then its other counts before their divisions (:class:`.tally.Part`):
the write connection adds the rows (from an attached copy, :data:`PART_SCHEMA`) and
writes the days and doses while the second process still counts, so that after it only
the totals and the groups are left. A patient's rows
depend only on that patient's records, and the counts' sums are exact integers until
the end, so the cache is the very one one connection builds. The parts are ranges of
patient ids, not odd and even ones: each side then reads only its range of the session
and follow-up indexes (by patient), where by parity both read every row to keep half.

A process, not a thread: two connections stepping at once in one process share
SQLite's memory-allocation lock, and at 100,000 sessions each then took half as long
again (1.1 s -> 1.6 s of CPU each), together no faster than one alone (1.7 s), while
two processes took 1.0 s each, side by side; and the count is Python (the GIL).

Only for a file (an in-memory database has no second connection), without a
passphrase (the second process would need it), with enough sessions to pay for
starting a process (:data:`MIN_SESSIONS`) and a spare core (:func:`spare_core`). When
the second process cannot start or fails, the write connection computes and counts
what it did not send itself: the same cache, later. The second process is always
waited for (killed when the build fails first).
"""

from __future__ import annotations

import os
import pickle
import queue
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from ...analysis.windows import DEFAULT_WINDOWS, Window
from ..db import connect
from ..file.cipher import passphrase
from ..records import bulk
from . import counts as outcome_counts
from . import points as outcome_points
from .tally import Part, read_sql, tally_part

MIN_SESSIONS = 20_000  # below this, starting a process costs about what it saves
PART_SCHEMA = "oc_part"  # the second process's rows, attached to the write connection
LOWEST, HIGHEST = -(2**63), 2**63 - 1  # SQLite's integers: every patient id is between
# The write connection's share of the sessions: the second process's part costs it the
# start of an interpreter, the write connection its part's writes and the tail after both.
SHARE = 0.5
_LENGTH = 8  # bytes of the rows' length, before them on the second process's output
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
        and spare_core()
    )


def spare_core() -> bool:
    """Whether another core is free for the second process: this process may use two
    or more, and (where the system says) the processes running in the last minute,
    this one among them, kept at most all but half a core busy. On a busy machine the
    second process only competes with this one: at a load of 3-4 on 2 cores a build in
    parts took 5.0-5.4 s against 4.0-4.4 s.

    The 1-minute average lags: after a busy minute (this very process's, or a job that
    just ended) it stays high while the cores are idle. So over it, a core counts as
    free when no more than all but one of them were running a task (this one among
    them) at each of :data:`SAMPLES` moments over a few milliseconds
    (:func:`_running_now`)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if (cores or 1) < 2:
        return False
    try:
        if os.getloadavg()[0] <= (cores or 1) - 0.5:
            return True
    except (AttributeError, OSError):  # no load average (Windows): assume a spare core
        return True
    running = _running_now()
    return running is not None and running <= (cores or 1) - 1


SAMPLES, SAMPLE_GAP = 5, 0.002  # moments _running_now looks at, seconds apart
_LOADAVG = "/proc/loadavg"


def _running_now() -> int | None:
    """The most tasks runnable at once (this one among them) over :data:`SAMPLES`
    readings of the kernel's count (Linux: the fourth field of ``/proc/loadavg``,
    ``running/total``), or None where there is no such count."""
    most = 0
    try:
        for i in range(SAMPLES):
            if i:
                time.sleep(SAMPLE_GAP)
            with open(_LOADAVG, encoding="ascii") as f:
                most = max(most, int(f.read().split()[3].split("/")[0]))
    except (OSError, IndexError, ValueError):
        return None
    return most


def cut(conn: sqlite3.Connection) -> int:
    """The first patient id of the second part: the patient at :data:`SHARE` of the
    session rows, in patient order (from the patient index)."""
    sessions = conn.execute("SELECT count(*) FROM session").fetchone()[0]
    row = conn.execute(
        "SELECT patient_id FROM session ORDER BY patient_id LIMIT 1 OFFSET ?",
        (int(sessions * SHARE),),
    ).fetchone()
    return HIGHEST if row is None else int(row[0])


def parts(first: int) -> tuple[outcome_points.Part, outcome_points.Part]:
    """The write connection's part and the second process's, the second from ``first``."""
    return (LOWEST, first - 1), (first, HIGHEST)


def command(path: str, first: int) -> list[str]:
    """How the second process is started: this Python, computing the part of ``path``
    from patient ``first`` on."""
    run = "from sessionlog.store.outcomes.parallel import main; main()"
    return [sys.executable, "-c", run, path, str(first)]


class Second:
    """Part 1 of a full build: a second process's rows and counts, or else this
    connection's (:meth:`counts`). :meth:`close` stops the process if still running."""

    def __init__(
        self, conn: sqlite3.Connection, path: str, windows: tuple[Window, ...], first: int
    ) -> None:
        self.conn, self.windows = conn, windows
        self.mine, self.theirs = parts(first)
        self.process = _start(path, first)
        self.sent = False  # whether it sent all its part

    def counts(self) -> Part:
        """Part 1's rows added to ``outcome_session``, its days and dose rows written,
        and its counts (those not written yet: totals and groups' sums). The second
        process sends its rows, then its days and dose rows, then the rest, so that this
        connection writes the first two while it counts the slots. Whatever it did not
        send (it failed or never started) is computed here from the rows: the same
        counts, later."""
        conn, windows = self.conn, self.windows
        specs = outcome_counts.slot_specs(windows)
        rows = _frame(self.process)
        if rows is None:  # this connection does part 1 too
            outcome_points.compute(conn, windows, everyone=True, part=self.theirs)
        else:
            columns = outcome_points.row_columns(windows)
            if not _attached(conn):  # (still attached if a failed build could not detach it)
                conn.execute(f"ATTACH ':memory:' AS {PART_SCHEMA}")
            conn.deserialize(rows, name=PART_SCHEMA)
            conn.execute(
                f"INSERT INTO outcome_session ({columns}) SELECT {columns} FROM {PART_SCHEMA}.rows"
            )
        early = _frame(self.process) if rows is not None else None
        if early is not None:
            days, doses = pickle.loads(early)  # our own process's output
            outcome_counts.write_counts(conn, Counter(), days, doses, 1)
        rest = _frame(self.process) if early is not None else None
        if rest is not None:
            counted: Part = pickle.loads(rest)
            self.sent = True
            return counted
        theirs = outcome_points.part_sql(self.theirs)
        read = conn.execute(read_sql(specs, "outcome_session", theirs)).fetchall()
        counted = tally_part(read, specs, lambda n: None)
        if early is not None:  # written already
            counted.days, counted.doses = Counter(), []
        return counted

    def close(self) -> None:
        """Wait for the second process to end: stopped first unless it sent everything."""
        if self.process is None:
            return
        if not self.sent and self.process.poll() is None:
            self.process.kill()
        self.process.communicate()


def start(
    conn: sqlite3.Connection,
    path: str,
    windows: tuple[Window, ...],
    progress: Callable[[int], None],
) -> Second:
    """Start a full build in parts: the second process, then part 0's rows into
    ``outcome_session`` (emptied by the caller, inside its write transaction on
    ``conn``). The caller then counts the rows of
    :attr:`Second.mine`, adds :meth:`Second.counts` (which adds part 1's rows), closes
    the :class:`Second` and, after its transaction, detaches :data:`PART_SCHEMA`
    (:func:`detach`). ``progress`` as :func:`.points.compute`'s."""
    second = Second(conn, path, windows, cut(conn))
    try:
        outcome_points.compute(conn, windows, everyone=True, progress=progress, part=second.mine)
        outcome_points.drop_temp_tables(conn)  # (now, not after the commit: 13 ms at 100k)
    except BaseException:
        second.close()
        raise
    return second


def _start(path: str, first: int) -> subprocess.Popen[bytes] | None:
    if not sys.executable:  # an embedded Python: no interpreter to start
        return None
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_ROOT, env.get("PYTHONPATH")) if p)
    try:
        return subprocess.Popen(
            command(path, first),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # (its one line on failure: nobody reads it)
            env=env,
        )
    except OSError:
        return None


def _frame(other: subprocess.Popen[bytes] | None) -> bytes | None:
    """The second process's next output (its length, then it), or None when it failed
    before sending it whole."""
    if other is None or other.stdout is None:
        return None
    head = other.stdout.read(_LENGTH)
    if len(head) < _LENGTH:
        return None
    length = int.from_bytes(head, "big")
    body = other.stdout.read(length)
    return body if len(body) == length else None


class _Sender:
    """Writes the second process's outputs (:func:`_frame`) on a thread of its own: the
    write connection reads the rows only once it has counted its own, and the second
    process goes on counting meanwhile."""

    def __init__(self, out: BinaryIO) -> None:
        self.out, self.queue = out, queue.SimpleQueue[bytes | None]()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def send(self, data: bytes) -> None:
        self.queue.put(data)

    def _run(self) -> None:
        while (data := self.queue.get()) is not None:
            self.out.write(len(data).to_bytes(_LENGTH, "big"))
            self.out.write(data)
            self.out.flush()

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()


def part(
    path: str,
    first: int,
    send: Callable[[bytes], None],
    windows: tuple[Window, ...] = DEFAULT_WINDOWS,
) -> None:
    """Compute the rows of the patients from ``first`` on (the second part) on a
    connection of its own, and ``send`` them as an in-memory database's bytes (table
    ``rows``), then their days and dose rows (pickled), then the rest of their counts
    (a :class:`.tally.Part` without them)."""
    other = connect(path)
    try:
        with bulk.big_cache(other, CACHE_MIB):
            other.execute(f"ATTACH ':memory:' AS {PART_SCHEMA}")
            other.execute(
                f"CREATE TABLE {PART_SCHEMA}.rows AS SELECT * FROM main.outcome_session WHERE false"
            )
            other.execute("BEGIN")  # one snapshot for every step
            outcome_points.compute(
                other, windows, everyone=True, part=parts(first)[1], target=f"{PART_SCHEMA}.rows"
            )
            other.execute("COMMIT")
            outcome_points.drop_temp_tables(other)
            send(other.serialize(name=PART_SCHEMA))
            specs = outcome_counts.slot_specs(windows)
            read = other.execute(read_sql(specs, f"{PART_SCHEMA}.rows", "true")).fetchall()

            def early(counted: Part) -> None:
                send(pickle.dumps((counted.days, counted.doses), pickle.HIGHEST_PROTOCOL))

            counted = tally_part(read, specs, lambda n: None, early)
            counted.days, counted.doses = Counter(), []  # sent
            send(pickle.dumps(counted, pickle.HIGHEST_PROTOCOL))
    finally:
        other.close()


def main() -> None:
    """The second process: the rows of the database named by the first argument of the
    patients from the second argument on, and their counts, to standard output
    (:func:`part`); on failure one line on standard error and exit status 1."""
    sender = _Sender(sys.stdout.buffer)
    try:
        part(sys.argv[1], int(sys.argv[2]), sender.send)
    except Exception as exc:
        print(f"outcome part: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    finally:
        sender.close()


def _attached(conn: sqlite3.Connection) -> bool:
    return PART_SCHEMA in {row[1] for row in conn.execute("PRAGMA database_list")}


def detach(conn: sqlite3.Connection) -> None:
    """Remove :data:`PART_SCHEMA` from ``conn`` if attached, once its transaction ended
    (inside one SQLite refuses; the next build then reuses it)."""
    if not conn.in_transaction and _attached(conn):
        conn.execute(f"DETACH {PART_SCHEMA}")
