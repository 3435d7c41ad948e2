"""A transaction's rows are sealed by one INSERT ... SELECT (SQLite reads each row's
canonical form, Python hashes it): the same seals, digest, count and marks as sealing
row by row, and row by row again, with nothing half-written, when that statement fails."""

from __future__ import annotations

from typing import Any

import pytest
from helpers_store import dry_needling, ims

from sessionlog.store import Store
from sessionlog.store.integrity import seal


def _filled(store: Store) -> None:
    for _ in range(3):
        store.save_session(dry_needling())
    store.save_session(ims())


def _seal_all(
    store: Store, audit_id: int, *, row_by_row: bool
) -> tuple[tuple[int, str] | None, dict[str, int]]:
    """Seal every record row under ``audit_id`` (in one statement, or row by row as
    seal_rows does when that refuses); the seals stay written."""
    conn = store.conn
    names = {t: seal.columns(conn, t) for t in seal.RECORD_TABLES}
    marks = dict.fromkeys(seal.RECORD_TABLES, 0)
    if not row_by_row:
        return seal._seal_in_sql(conn, marks, names, audit_id), marks
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(seal, "_seal_in_sql", lambda *args: None)
        return seal.seal_rows(conn, marks, names, (), audit_id), marks


def _seals(store: Store, audit_id: int) -> list[tuple[Any, ...]]:
    return store.conn.execute(
        "SELECT tbl, row_id, hash FROM record_seal WHERE audit_id = ? ORDER BY tbl, row_id",
        (audit_id,),
    ).fetchall()


class _Undo(Exception):
    """Raised at the end of a test's write: the seals it wrote are rolled back."""


def test_one_statement_seals_as_row_by_row_does(store: Store) -> None:
    _filled(store)
    with pytest.raises(_Undo), store.write():
        by_rows, marks_rows = _seal_all(store, 10_001, row_by_row=True)
        in_sql, marks_sql = _seal_all(store, 10_002, row_by_row=False)
        assert in_sql == by_rows
        assert by_rows is not None
        assert by_rows[0] == len(_seals(store, 10_001)) > 20
        assert marks_sql == marks_rows == seal.max_ids(store.conn)
        assert _seals(store, 10_002) == _seals(store, 10_001)
        raise _Undo
    assert _seals(store, 10_001) == []


def test_a_failing_statement_leaves_nothing_and_rows_are_sealed_one_by_one(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _filled(store)
    calls = []
    real = seal._Sink.__call__

    def flaky(self: Any, table: str, rid: int, text: str) -> bytes:
        calls.append(rid)
        if len(calls) >= 5:  # part-way through each statement
            raise ValueError("refused")
        return real(self, table, rid, text)

    monkeypatch.setattr(seal._Sink, "__call__", flaky)
    with pytest.raises(_Undo), store.write():
        names = {t: seal.columns(store.conn, t) for t in seal.RECORD_TABLES}
        marks = dict.fromkeys(seal.RECORD_TABLES, 0)
        assert seal._seal_in_sql(store.conn, dict(marks), names, 10_003) is None
        assert _seals(store, 10_003) == []  # the failed statement wrote nothing
        got = seal.seal_rows(store.conn, marks, names, (), 10_004)
        monkeypatch.undo()
        expected, _ = _seal_all(store, 10_005, row_by_row=True)
        assert got == expected
        assert _seals(store, 10_004) == _seals(store, 10_005)
        assert marks == seal.max_ids(store.conn)
        raise _Undo


def test_a_connection_where_a_closed_one_was_gets_its_own_seal_function(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if a closed connection had had this one's id: its function is not registered here.
    monkeypatch.setitem(seal._SINKS, id(store.conn), seal._Sink())
    saved = store.save_session(dry_needling())
    sealed = store.conn.execute(
        "SELECT count(*) FROM record_seal WHERE tbl = 'session' AND row_id = ?", (saved.row_id,)
    ).fetchone()[0]
    assert sealed == 1
    assert seal._SINKS[id(store.conn)] is not None
    store.close()
    assert id(store.conn) not in seal._SINKS
