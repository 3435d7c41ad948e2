"""Saving one session with 8 sites into the big database, against a raw transaction.

The figure is ``Store.save_session`` (checks of the patient and practitioner, one
``BEGIN IMMEDIATE`` transaction with the record, the version, the sites, the chained
audit row and the rows' seals). The baseline is one raw sqlite3 transaction inserting
the same rows (record, version, 8 sites, an audit row with a precomputed hash, the ten
seal rows) on a connection with the same pragmas (WAL, ``synchronous=FULL``, foreign
keys on) and, like the app's, with checkpoints off its commit path: automatic
checkpoints off, a passive checkpoint on a thread of its own every 25 commits (the
app's ``Store.CHECKPOINT_EVERY``). Without that, one raw commit in a few dozen copies
the WAL into the database inside the timed commit, and the baseline's p99 is that
copy, not the transaction. Both run alternately, each on its own scratch copy of the
generated database (the cached file stays untouched): a user saves alone, and on one
shared file each side's commit emptied the other connection's page cache (SQLite
drops it when another connection has written), so every save read its pages again
from the OS, and the app's also re-read where each record table ends (its seal marks,
kept while no other connection writes): at 100k, alone, the app's CPU per save was
~0.6 ms and the raw one's ~0.26 ms, alternating on one file ~1.1 and ~0.56 ms (CPU
time, medians of 400 at synchronous=NORMAL, session 20).
The copies are made durable (fsynced) before any save is timed, so their hundreds of
MB of write-back do not queue in front of the timed commits' fsyncs.

The saves are paced as a user's are: before each timed save (ours and the raw one
alike) the benchmark waits, untimed, for a checkpoint still running on either side
to finish. A user saves once in several seconds at most, and a checkpoint of 25
saves takes a few ms, so no save of theirs meets one. Back to back (the figure
before session 12, kept as an info row) a save overlapped the previous save's
checkpoint thread, its commit's fsync waiting on the disk while the checkpoint wrote
and fsynced the database file: 13 (ours) and 14 (raw) of the 15 slowest saves in 500
did, and those that did had a p99 of 67 ms (ours) and 6.3 ms (raw) against 2.3 and
1.9 ms for the others. The checkpoints, never finding the WAL quiet, also never let
it restart (it grew to 100 MB in 1,000 saves; paced, it stays at 5 MB).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sessionlog.domain import parse_session
from sessionlog.store import Store
from sessionlog.store.db import BUSY_TIMEOUT_MS, Checkpoints
from sessionlog.store.rows import session_values, site_values

from .clinic import END
from .generate import AUDIT_INSERT, SESSION_INSERT, SITE_INSERT
from .measure import Row, ms, paired, percentile, ratio, timed, verdict

POINTS = ["LI4", "ST36", "SP6", "LR3", "GB20", "GV20", "PC6", "KI3"]
TARGET_P99 = 0.001
SITE_IDS = "SELECT id FROM site WHERE session_id = ?"
# What one save's commit appends to the WAL at 100k: ~25 frames (4 KiB page + header).
SAVE_WAL_BYTES = 25 * 4096
SEAL_INSERT = "INSERT INTO record_seal (tbl, row_id, audit_id, hash) VALUES (?, ?, ?, ?)"


def session_input(patient_id: int, practitioner_id: int) -> dict:
    """A typical acupuncture session with 8 sites, as the session form hands it over."""
    return {
        "patient_id": patient_id,
        "practitioner_id": practitioner_id,
        "technique": "acupuncture",
        "started_at": END.replace(hour=11),
        "consent": True,
        "pain_before": 6,
        "pain_after": 3,
        "soreness_after": 1,
        "sites": [
            {
                "target": p,
                "side": "midline" if p == "GV20" else "bilateral",
                "depth_value": 15,
                "deqi_obtained": True,
                "deqi_quality": "heaviness",
            }
            for p in POINTS
        ],
        "notes": "Benchmark session.",
    }


def scratch_copy(db: Path, into: Path) -> Path:
    """A throw-away copy of a generated database (the cache stays pristine)."""
    target = into / db.name
    shutil.copyfile(db, target)
    return target


def scratch_pair(db: Path, into: Path) -> tuple[Path, Path]:
    """Two durable scratch copies of ``db``: the app's saves go to the first, the raw
    baseline's to the second. A user saves alone: on one shared file each side's
    commit made the other's connection drop its page cache (and the app's re-read
    where its tables end), which neither pays when saving alone."""
    copies = []
    for side in ("app", "raw"):
        (into / side).mkdir()
        copies.append(scratch_copy(db, into / side))
        durable(copies[-1])
    return copies[0], copies[1]


def _raw_connection(path: Path, *, autocheckpoint: bool = True) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    if not autocheckpoint:
        conn.execute("PRAGMA wal_autocheckpoint = 0")
    return conn


class Checkpointer:
    """The app's way with checkpoints, for the raw baseline: every ``Store.CHECKPOINT_EVERY``
    commits, the app's own :class:`Checkpoints` asked for a passive checkpoint (on a
    thread of its own with its own connection, which a commit only wakes)."""

    def __init__(self, path: Path) -> None:
        self.commits = 0
        self.checkpoints = Checkpoints(str(path))

    def committed(self) -> None:
        self.commits += 1
        if not self.commits % Store.CHECKPOINT_EVERY:
            self.checkpoints.ask()

    def join(self) -> None:
        self.checkpoints.wait()

    def close(self) -> None:
        self.checkpoints.close()


def paced(
    fn: Callable[[], object],
    base: Callable[[], object],
    repeat: int,
    settle: Callable[[], object],
    warmup: int = 3,
    cpu: tuple[list[float], list[float]] | None = None,
) -> tuple[list[float], list[float]]:
    """Time ``fn`` and ``base`` alternately ``repeat`` times each, calling ``settle``
    (untimed) before every timed call: both sides wait alike for what a user's
    pause between two saves lets finish (the previous checkpoint). ``cpu`` receives
    each call's CPU time on this thread (what the machine's other work and the disk
    do not lengthen)."""
    for _ in range(warmup):
        fn()
        base()
    a: list[float] = []
    b: list[float] = []
    for _ in range(repeat):
        for f, times, used in ((fn, a, cpu and cpu[0]), (base, b, cpu and cpu[1])):
            settle()
            began = time.thread_time()
            times.append(timed(f))
            if used is not None:
                used.append(time.thread_time() - began)
    return a, b


def durable(path: Path) -> None:
    """Flush a freshly copied file to the disk (its write-back would otherwise compete
    with the timed commits' fsyncs)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def raw_transaction(
    raw: sqlite3.Connection, patient: int, values: tuple[Any, ...], sites: list[tuple[Any, ...]]
) -> None:
    """The baseline's save: the rows ``Store.save_session`` writes (record, version,
    sites, an audit row, a seal per record row), as plain inserts in one transaction."""
    at = "2026-11-20 11:30:00"
    # The random values (a uid, hashes and seals, unique as the app's are) in one call:
    # a getrandom per value was 13 system calls (~1 us each here) the app does not make.
    noise = os.urandom(80 + 32 * (len(sites) + 2))
    raw.execute("BEGIN IMMEDIATE")
    rid = raw.execute(
        "INSERT INTO session_record (uid, patient_id, created_at) VALUES (?, ?, ?)",
        (noise[:16].hex(), patient, at),
    ).lastrowid
    sid = raw.execute(
        SESSION_INSERT, (None, rid, 1, None, "active", None, *values, 1, at)
    ).lastrowid
    raw.executemany(SITE_INSERT, [(sid, i, *s) for i, s in enumerate(sites, start=1)])
    site_ids = [r[0] for r in raw.execute(SITE_IDS, (sid,))]
    detail = '{"row_id":0,"sites":8,"version":1,"sealed":10,"seals":"' + noise[16:48].hex() + '"}'
    aid = raw.execute(
        AUDIT_INSERT,
        (at, 1, "create", "session", rid, detail, "0" * 64, noise[48:80].hex()),
    ).lastrowid
    sealed = [("session", sid), ("session_record", rid), *(("site", n) for n in site_ids)]
    raw.executemany(
        SEAL_INSERT,
        [(t, i, aid, noise[80 + 32 * k : 112 + 32 * k]) for k, (t, i) in enumerate(sealed)],
    )
    raw.execute("COMMIT")


def run(db: Path, repeat: int = 500) -> list[Row]:
    """The save figure (p50 and p99) on a scratch copy of ``db``."""
    with tempfile.TemporaryDirectory(prefix="sessionlog-bench-") as tmp:
        path, raw_path = scratch_pair(db, Path(tmp))
        store = Store.open(path, clock=lambda: END)
        patient = store.conn.execute(
            "SELECT id FROM patient ORDER BY id LIMIT 1 OFFSET ?",
            (store.counts()["patients"] // 2,),
        ).fetchone()[0]
        parsed = parse_session(session_input(patient, 1), now=END)
        raw = _raw_connection(raw_path, autocheckpoint=False)
        checkpoints = Checkpointer(raw_path)
        values = session_values(parsed)
        sites = [site_values(s) for s in parsed.sites]

        def save() -> None:
            store.save_session(parsed)

        def raw_save() -> None:
            raw_transaction(raw, patient, values, sites)
            checkpoints.committed()

        def validate_and_save() -> None:
            store.save_session(parse_session(session_input(patient, 1), now=END))

        def settle() -> None:
            store.wait_for_checkpoint()
            checkpoints.join()

        cpu: tuple[list[float], list[float]] = ([], [])
        saves, raws = paced(save, raw_save, repeat, settle, cpu=cpu)
        full, raws2 = paced(validate_and_save, raw_save, max(50, repeat // 5), settle)
        settle()
        rushed, raws4 = paired(save, raw_save, repeat)
        settle()
        disk = fsync_times(Path(tmp), repeat)
        disk_save = fsync_times(Path(tmp), repeat, SAVE_WAL_BYTES)
        # The same saves without the commit's fsync, to tell the software's share of
        # the p99 from the disk's. The app itself always runs synchronous=FULL.
        for conn in (store.conn, raw):
            conn.execute("PRAGMA synchronous = NORMAL")
        nosync, raws3 = paced(save, raw_save, repeat, settle)
        settle()
        checkpoints.close()
        raw.close()
        store.close()
    p50, p99 = percentile(saves, 50), percentile(saves, 99)
    b50, b99 = percentile(raws, 50), percentile(raws, 99)
    f50, f99 = percentile(full, 50), percentile(full, 99)
    c50, c99 = percentile(raws2, 50), percentile(raws2, 99)
    n50, n99 = percentile(nosync, 50), percentile(nosync, 99)
    r50, r99 = percentile(raws3, 50), percentile(raws3, 99)
    u50, u99 = percentile(cpu[0], 50), percentile(cpu[0], 99)
    v50, v99 = percentile(cpu[1], 50), percentile(cpu[1], 99)
    q50, q99 = percentile(rushed, 50), percentile(rushed, 99)
    s50, s99 = percentile(raws4, 50), percentile(raws4, 99)
    return [
        Row(
            f"save 1 session + 8 sites, paced as a user's, p50 (n={repeat})",
            ms(p50),
            ms(b50),
            ratio(p50, b50),
            "-",
            "",
        ),
        Row(
            f"save 1 session + 8 sites, paced as a user's, p99 (n={repeat})",
            ms(p99),
            ms(b99),
            ratio(p99, b99),
            "<= 1 ms",
            verdict(p99 <= TARGET_P99),
        ),
        Row(
            f"  (info) the same saves' CPU time on their thread, p50 / p99 (n={repeat})",
            f"{ms(u50)} / {ms(u99)}",
            f"{ms(v50)} / {ms(v99)}",
            ratio(u99, v99),
            "-",
            "",
        ),
        Row(
            f"  (info) validate + save, p50 / p99 (n={len(full)})",
            f"{ms(f50)} / {ms(f99)}",
            f"{ms(c50)} / {ms(c99)}",
            ratio(f99, c99),
            "-",
            "",
        ),
        Row(
            f"  (info) saves back to back (each may meet the last one's checkpoint),"
            f" p50 / p99 (n={len(rushed)})",
            f"{ms(q50)} / {ms(q99)}",
            f"{ms(s50)} / {ms(s99)}",
            ratio(q99, s99),
            "-",
            "",
        ),
        Row(
            f"  (info) this disk's fsync of a {SAVE_WAL_BYTES // 1024} KiB write (a save's"
            f" WAL frames), p50 / p99 (n={len(disk_save)})",
            f"{ms(percentile(disk_save, 50))} / {ms(percentile(disk_save, 99))}",
            "-",
            "-",
            "-",
            "",
        ),
        Row(
            f"  (info) this disk's fsync of a 4 KiB write, p50 / p99 (n={len(disk)})",
            f"{ms(percentile(disk, 50))} / {ms(percentile(disk, 99))}",
            "-",
            "-",
            "-",
            "",
        ),
        Row(
            f"  (info) save, no fsync at commit (synchronous=NORMAL), p50 / p99 (n={repeat})",
            f"{ms(n50)} / {ms(n99)}",
            f"{ms(r50)} / {ms(r99)}",
            ratio(n99, r99),
            "<= 1 ms",
            verdict(n99 <= TARGET_P99),
        ),
    ]


def fsync_times(folder: Path, repeat: int, size: int = 4096) -> list[float]:
    """How long this disk takes to make a write of ``size`` bytes durable: the floor
    under any ``synchronous=FULL`` commit, which fsyncs the write-ahead log once (a
    save writes ~25 frames of 4 KiB there: ``SAVE_WAL_BYTES``)."""
    path = folder / "fsync-probe"
    times = []
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        block = os.urandom(size)
        for i in range(repeat):
            os.pwrite(fd, block, (i % 64) * size)
            start = time.perf_counter()
            os.fsync(fd)
            times.append(time.perf_counter() - start)
    finally:
        os.close(fd)
        path.unlink()
    return times
