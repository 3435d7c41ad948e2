"""Generated clinic databases for the benchmarks, cached under ``benchmarks/data/``.

A database is made by the app's own ``Store.open`` (so it carries every migration and
the application id), then filled with :func:`benchmarks.clinic.simulate`'s rows in one
transaction of ``executemany`` calls, with foreign keys on and every CHECK and trigger
active, and a correctly chained audit log. Files are keyed by size, seed, the schema's
content and this generator's version, so a re-run reuses them and a schema change
regenerates them.

    python -m benchmarks.generate 100000       # make (or find) the 100k database
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
import time
from pathlib import Path

from sessionlog.store import Store
from sessionlog.store.db import migration_files
from sessionlog.store.integrity.audit import GENESIS, row_hash
from sessionlog.store.integrity.seal import seal_existing
from sessionlog.store.rows import IMS_COLUMNS, SESSION_COLUMNS, SITE_COLUMNS

from .clinic import Rows, simulate

# 2: bilateral sites hold insertions per side (1), as the app now counts them.
# 3: the rows are sealed into the audit chain (schema 0005), as a migrated database's are.
# 4: patients differ in responsiveness (clinic.py), as the demo clinic does.
# 5: chronic patients with 400 weekly sessions (one per 25,000 sessions).
# 6: outcome scales (NDI/ODI, PSFS, GROC) for half the patients, as the demo clinic's.
GENERATOR_VERSION = 6
# $SESSIONLOG_BENCH_DATA moves the cache (the quick test uses a temporary folder).
DATA_DIR = Path(os.environ.get("SESSIONLOG_BENCH_DATA") or Path(__file__).resolve().parent / "data")
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}


def _insert(table: str, columns: tuple[str, ...] | list[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


SESSION_INSERT = _insert(
    "session",
    [
        "id",
        "record_id",
        "version",
        "supersedes_id",
        "status",
        "amend_reason",
        *SESSION_COLUMNS,
        "recorded_by",
        "recorded_at",
    ],
)
SITE_INSERT = _insert("site", ["session_id", "seq", *SITE_COLUMNS])
INSERTS = {
    "practitioners": _insert(
        "practitioner", ["id", "name", "profession", "credential", "created_at"]
    ),
    "patients": _insert("patient", ["id", "chart_id", "name", "birth_year", "sex", "created_at"]),
    "episodes": _insert(
        "episode", ["id", "patient_id", "complaint", "body_region", "started_on", "created_at"]
    ),
    "records": _insert("session_record", ["id", "uid", "patient_id", "created_at"]),
    "sessions": SESSION_INSERT,
    "sites": SITE_INSERT,
    "adverse_events": _insert(
        "adverse_event", ["session_id", "follow_up_id", "tier", "kind", "description"]
    ),
    "ims_findings": _insert("ims_finding", ["session_id", *IMS_COLUMNS]),
    "follow_ups": _insert(
        "follow_up",
        [
            "id",
            "patient_id",
            "session_record_id",
            "supersedes_id",
            "status",
            "amend_reason",
            "at",
            "pain",
            "soreness",
            "groc",
            "notes",
            "recorded_by",
            "recorded_at",
        ],
    ),
    "scale_readings": _insert(
        "scale_reading",
        [
            "id",
            "patient_id",
            "session_record_id",
            "follow_up_id",
            "scale",
            "at",
            "items",
            "labels",
            "score",
            "recorded_by",
            "recorded_at",
        ],
    ),  # fmt: skip
}
AUDIT_INSERT = _insert(
    "audit_log", ["at", "actor_id", "action", "entity", "entity_id", "detail", "prev_hash", "hash"]
)


def schema_version() -> str:
    """A short digest of the migrations' names and text: a new migration means new files."""
    digest = hashlib.sha256()
    for path in migration_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:10]


def audit_rows(events: list[tuple]) -> list[tuple]:
    """The hash-chained audit rows for ``events``, computed as ``store.integrity.audit`` does."""
    out, prev = [], GENESIS
    for at, actor, action, entity, entity_id, detail in events:
        text = json.dumps(detail, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        digest = row_hash(prev, at, actor, action, entity, entity_id, text)
        out.append((at, actor, action, entity, entity_id, text, prev, digest))
        prev = digest
    return out


def write_rows(conn: sqlite3.Connection, rows: Rows) -> None:
    """Insert every row in one transaction (the caller has the schema in place)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        for name, sql in INSERTS.items():
            conn.executemany(sql, getattr(rows, name))
        conn.executemany(AUDIT_INSERT, audit_rows(rows.events))
        # One audit row seals every row, as the migration to schema 0005 does for a
        # database made before it (so `check` passes on a generated clinic).
        seal_existing(conn, at=rows.events[-1][0], reason="generated benchmark clinic")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def build(path: Path, sessions: int, seed: int = 1) -> None:
    """Create the database at ``path`` holding a clinic of ``sessions`` sessions."""
    Store.open(path).close()  # the app's own way: WAL, migrations, application id
    rows = simulate(sessions, seed)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = OFF")  # generation only; the app uses FULL
        write_rows(conn, rows)
    finally:
        conn.close()


def database(sessions: int, seed: int = 1, *, quiet: bool = False) -> Path:
    """The cached database for ``sessions`` and ``seed``, made first if it is missing."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / f"clinic-{sessions}-s{seed}-{schema_version()}-g{GENERATOR_VERSION}.db"
    if path.exists():
        return path
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    began = time.perf_counter()
    build(tmp, sessions, seed)
    os.replace(tmp, path)  # the last close checkpointed the WAL into the file
    for stale in DATA_DIR.glob(f"clinic-{sessions}-s{seed}-*"):
        if not stale.name.startswith(path.stem):  # an older schema or generator (and
            stale.unlink(missing_ok=True)  # its export): never used again
    if not quiet:
        print(f"generated {path.name} in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    return path


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.generate SIZE...`` (1k, 10k, 100k or a number)."""
    for arg in argv if argv is not None else sys.argv[1:]:
        path = database(SIZES.get(arg) or int(arg))
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
