"""The sign-in screen prepares the first write while the secret is typed
(``Store.prepare_writes``): it writes nothing, and the writes after it (the sign-in's
audit row, then a new patient and its seal) are sealed and chained as without it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from trust_clinic import clock

from sessionlog.domain import parse_patient
from sessionlog.store import Store
from sessionlog.store.file.health import check


def test_preparing_writes_nothing_and_the_writes_after_it_are_sealed(
    clinic_path: Path, table_counts: Callable[[sqlite3.Connection | Path], dict[str, int]]
) -> None:
    store = Store.open(clinic_path, clock=clock)
    before = table_counts(store.conn)
    store.prepare_writes()
    store.prepare_writes()  # twice: still nothing
    assert table_counts(store.conn) == before and not store.conn.in_transaction
    # Another connection writes in between: the next write still seals only its own rows.
    other = Store.open(clinic_path, clock=clock)
    other.record_sign_in(1, "cli")
    other.close()
    store.record_sign_in(1, "app")
    store.add_patient(parse_patient({"chart_id": "P900", "name": "Ana Ruiz"}))
    store.close()
    after = table_counts(clinic_path)
    assert after["audit_log"] == before["audit_log"] + 3
    assert after["record_seal"] == before["record_seal"] + 1  # the new patient's row
    assert check(clinic_path).problems == []
