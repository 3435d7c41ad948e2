"""Importing a whole clinic's export into a new database, against raw executemany.

The file is the app's own JSON export of the generated database (made once from a
scratch copy and cached beside it). The figure is what ``sessionlog import FILE``
does after start-up: ``read_source`` (read and parse the file) then ``import_tables``
(every row checked through the domain, then one transaction) into a new database.
The import runs with its progress bar, as ``sessionlog import`` shows it on a big file
(drawn into memory: click draws only on a terminal, so it is told it has one). The
baseline inserts the very same rows, read from the generated database beforehand (the
rows' seals too: the import must write a seal for every row it adds), with one
``executemany`` per table in one transaction, into a new database with the same
pragmas (WAL, ``synchronous=FULL``, foreign keys on), the same page cache as the
import's and, like the import, no checkpoint on its commit path; and, as the
import into a new database does, its tables' secondary indexes dropped first and built
again before the commit (``bulk.indexes_built_after``, the import's own function). An
info row times the same baseline with the indexes kept while the rows go in (what
building them row by row would cost).
"""

from __future__ import annotations

import io
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sessionlog.store.integrity.seal import RECORD_TABLES

from .bench_save import _raw_connection, scratch_copy
from .clinic import END
from .measure import Row, ratio, secs, timed, unavailable, verdict

# Every record table (in the order rows depend on each other), then the audit log and
# the seals: the import seals every row it writes, so the baseline writes seals too.
TABLES = (*RECORD_TABLES, "audit_log", "record_seal")
TARGET_RATIO = 1.3  # x raw executemany of the same rows (issue 17; it was <= 2 s)


def export_file(db: Path) -> Path:
    """The JSON export of ``db`` (cached beside it; made from a scratch copy)."""
    from sessionlog.exchange import export
    from sessionlog.exchange.export import JSON_LAYOUT
    from sessionlog.exchange.tables import FORMAT_VERSION
    from sessionlog.store import Store

    # Keyed on the format and its layout: a file cached by an older sessionlog (laid
    # out otherwise) is not what `sessionlog export` writes now.
    path = db.with_name(f"{db.stem}.export-v{FORMAT_VERSION}-{JSON_LAYOUT}.json")
    if path.exists():
        return path
    with tempfile.TemporaryDirectory(prefix="sessionlog-bench-") as tmp:
        store = Store.open(scratch_copy(db, Path(tmp)), clock=lambda: END)
        try:
            export(store, "json", path)
        finally:
            store.close()
    return path


def _rows(db: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    try:
        order = {"record_seal": "tbl, row_id, audit_id"}
        return {
            t: conn.execute(f"SELECT * FROM {t} ORDER BY {order.get(t, 'id')}").fetchall()
            for t in TABLES
        }
    finally:
        conn.close()


def _raw_connection_as_import(path: Path) -> sqlite3.Connection:
    """A raw connection set as the import's is while it writes: the same pragmas, the
    same page cache (``importer.CACHE_MIB``), and no checkpoint on its commit path."""
    from sessionlog.exchange.importer import CACHE_MIB

    conn = _raw_connection(path, autocheckpoint=False)
    conn.execute(f"PRAGMA cache_size = {-1024 * CACHE_MIB}")
    conn.execute(f"PRAGMA temp.cache_size = {-1024 * CACHE_MIB}")
    return conn


def _raw_insert(
    conn: sqlite3.Connection, rows: dict[str, list[tuple]], indexes_after: bool = True
) -> None:
    """The baseline's one transaction, on ``conn``; timed from BEGIN to COMMIT, as the
    import is (its store is open before and closed after the timing). As the import
    into a new database does, the secondary indexes are dropped first and built once
    the rows are in (the same function); ``indexes_after=False`` keeps them (info)."""
    from sessionlog.store.records.bulk import indexes_built_after

    conn.execute("BEGIN IMMEDIATE")
    with indexes_built_after(conn, list(rows) if indexes_after else []):
        for table, batch in rows.items():
            if batch:
                marks = ", ".join("?" * len(batch[0]))
                conn.executemany(f"INSERT INTO {table} VALUES ({marks})", batch)
    conn.execute("COMMIT")


def _timed_raw(path: Path, rows: dict[str, list[tuple]], indexes_after: bool = True) -> float:
    """Seconds of the baseline's transaction into a new database at ``path`` (removed
    after). The connection is opened before and closed after the timing: closing the
    last connection copies the WAL into the database, which the import's timing does
    not include either (its store stays open, its checkpoints run off its commits)."""
    from sessionlog.store import Store

    Store.open(path).close()  # the same schema, made the app's way
    conn = _raw_connection_as_import(path)
    try:
        return timed(lambda: _raw_insert(conn, rows, indexes_after))
    finally:
        conn.close()
        for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
            (path.parent / name).unlink(missing_ok=True)


class _Terminal(io.StringIO):
    """Where the progress bar draws: a terminal to click (it draws on a tty only)."""

    def isatty(self) -> bool:
        return True


def _import_with_bar(import_tables: Callable[..., Any], loaded: dict[str, Any], store: Any) -> Any:
    """``import_tables`` as ``sessionlog import`` runs it on a big file: with its bar."""
    import click

    from sessionlog.exchange.importer import work_units

    total = work_units(loaded["tables"])
    with click.progressbar(length=total, label="Importing", file=_Terminal()) as bar:
        return import_tables(loaded["tables"], store, csv=loaded["csv"], progress=bar.update)


def run(db: Path, sessions: int) -> list[Row]:
    """The import row for the generated database ``db`` (``sessions`` sessions)."""
    figure = f"import {sessions:,} sessions with sites (JSON export), with its progress bar"
    try:
        from sessionlog.exchange.importer import import_tables, read_source
        from sessionlog.store import Store
        from sessionlog.store.outcomes import cache as outcome_cache
    except ImportError as exc:
        return [unavailable(figure, f"sessionlog.exchange: {exc}", f"<= {TARGET_RATIO:.2f}x")]
    source = export_file(db)
    rows = _rows(db)
    with tempfile.TemporaryDirectory(prefix="sessionlog-bench-") as tmp:
        raw_db, app_db = Path(tmp) / "raw.db", Path(tmp) / "import.db"
        base = _timed_raw(raw_db, rows)
        base_kept = _timed_raw(raw_db, rows, indexes_after=False)
        store = Store.open(app_db, clock=lambda: END)
        loaded: dict = {}
        read = timed(
            lambda: loaded.update(zip(("tables", "csv"), read_source(source), strict=True))
        )
        write = timed(lambda: _import_with_bar(import_tables, loaded, store))
        imported = store.conn.execute("SELECT count(*) FROM session").fetchone()[0]
        # What `sessionlog import` does next (after the commit), so that the first
        # comparison afterwards opens at once: shown apart, it is not the import.
        prepare = timed(lambda: outcome_cache.refresh(store))
        store.close()
    if imported != len(rows["session"]):
        raise RuntimeError(f"import wrote {imported} sessions, expected {len(rows['session'])}")
    total = read + write
    return [
        Row(
            figure,
            secs(total),
            secs(base),
            ratio(total, base),
            f"<= {TARGET_RATIO:.2f}x",
            verdict(total <= TARGET_RATIO * base),
        ),
        Row(
            "  (info) of which: read the file / check + write",
            f"{secs(read)} / {secs(write)}",
            "-",
            "-",
            "-",
            "",
        ),
        Row(
            "  (info) then prepare the outcome figures (sessionlog import does it)",
            secs(prepare),
            "-",
            "-",
            "-",
            "",
        ),
        Row(
            "  (info) raw executemany, secondary indexes kept while the rows go in",
            secs(base_kept),
            secs(base),
            ratio(base_kept, base),
            "-",
            "",
        ),
    ]
