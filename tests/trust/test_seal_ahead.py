"""Seals computed ahead in a second process (an import into a new database) are the
seals SQLite's canonical form gives, byte for byte; the audit chain walked aside gives
what the check in place gives; a child that gives up changes nothing but the speed."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from test_tamper import triggers_dropped
from trust_clinic import clock, dump

from sessionlog.exchange import aside as exchange_aside
from sessionlog.exchange import export, import_file, importer
from sessionlog.store import Store
from sessionlog.store.file.health import check
from sessionlog.store.integrity import sealahead
from sessionlog.store.integrity.seal import RECORD_TABLES, canonical_sql, columns

# Every code point (surrogates aside), so each one SQLite's json_quote escapes is seen.
EVERY_CHAR = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)


def test_text_quoting_is_sqlites_json_quote_for_every_character() -> None:
    conn = sqlite3.connect(":memory:")
    quoted = conn.execute("SELECT json_quote(?)", (EVERY_CHAR,)).fetchone()[0]
    assert sealahead._text(EVERY_CHAR) == quoted
    for ch in EVERY_CHAR[:0x80]:  # (one at a time where they are escaped)
        assert sealahead._text(ch) == conn.execute("SELECT json_quote(?)", (ch,)).fetchone()[0]


def test_the_python_form_is_the_sql_form_on_every_row(clinic_path: Path) -> None:
    conn = sqlite3.connect(clinic_path)
    real = sealahead._reals()
    seen = 0
    for table in RECORD_TABLES:
        cols = columns(conn, table)
        order = [c[0] for c in cols]
        form = sealahead.row_form(table, cols, order, real)
        sql = canonical_sql(table, cols)
        for row in conn.execute(f"SELECT {sql}, * FROM {table} ORDER BY id"):
            assert form(row[1:]) == row[0]
            seen += 1
    assert seen > 30


@pytest.mark.parametrize(
    ("declared", "value"),
    [("INTEGER", 2.0), ("INTEGER", "2"), ("TEXT", 2), ("REAL", float("nan")), ("REAL", "1")],
)
def test_a_value_sqlite_would_convert_is_not_formed_in_python(declared: str, value: Any) -> None:
    form = sealahead.row_form(
        "t", [("id", "INTEGER", True), ("v", declared, False)], ["id", "v"], sealahead._reals()
    )
    with pytest.raises(sealahead.Unsupported):
        form((1, value))


def test_a_real_given_as_an_integer_is_formed_as_sqlite_stores_it() -> None:
    form = sealahead.row_form("t", [("v", "REAL", False)], ["v"], sealahead._reals())
    assert form((30,)) == '["t","v",30.0]'
    assert form((0.1,)) == '["t","v",0.10000000000000001]'


def _import(source: Path, target: Path) -> dict[str, list[tuple]]:
    store = Store.open(target, clock=clock)
    try:
        import_file(source, store)
        # Its next write seals only its own rows (none): the import's rows are noted.
        import_file(source, store)
    finally:
        store.close()
    rows = dump(target)
    conn = sqlite3.connect(target)
    rows["record_seal"] = conn.execute("SELECT * FROM record_seal ORDER BY 1, 2, 3").fetchall()
    conn.close()
    return rows


@pytest.fixture
def source(clinic: Store, tmp_path: Path) -> Path:
    path = tmp_path / "clinic.json"
    export(clinic, "json", path)
    return path


@pytest.fixture
def in_sql(source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    """The database the import makes with every seal made in SQL; after it, the seals
    of any import are made ahead (whatever its size)."""
    monkeypatch.setattr(sealahead, "SHARED_MIN_ROWS", 10**9)
    rows = _import(source, tmp_path / "sql.db")
    monkeypatch.setattr(sealahead, "SHARED_MIN_ROWS", 0)
    return rows


def test_seals_made_ahead_are_the_seals_sql_makes(
    source: Path, in_sql: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results: list[Any] = []
    finish = sealahead.SealsAhead.finish

    def spy(self: sealahead.SealsAhead, conn: sqlite3.Connection, audit_id: int) -> Any:
        results.append(finish(self, conn, audit_id))
        return results[-1]

    monkeypatch.setattr(sealahead.SealsAhead, "finish", spy)
    ahead = _import(source, tmp_path / "ahead.db")
    assert results and results[0] is not None and results[0][0] == len(in_sql["record_seal"])
    assert ahead == in_sql
    health = check(tmp_path / "ahead.db")
    assert health.problems == [] and not health.tampered
    # ... and a row changed afterwards is still caught by its seal.
    conn = sqlite3.connect(tmp_path / "ahead.db", isolation_level=None)
    with triggers_dropped(conn, "site"):
        conn.execute("UPDATE site SET target = 'GB21' WHERE id = 2")
    conn.close()
    assert any("site 2 was changed" in p for p in check(tmp_path / "ahead.db").problems)


def test_a_child_that_gives_up_leaves_the_seals_to_sql(
    source: Path, in_sql: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(v: Any) -> str:
        raise sealahead.Unsupported("no")

    monkeypatch.setattr(sealahead, "_text", refuse)
    assert _import(source, tmp_path / "given_up.db") == in_sql
    assert check(tmp_path / "given_up.db").problems == []


def test_seals_from_a_form_that_differs_from_sqls_are_not_written(
    source: Path, in_sql: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The Python form is a shortcut to SQL's: if it ever differed (a quoting rule, a
    # real's digits), the import wrote seals that `check` then called tampering. A sample
    # of each table's rows is checked against SQL's own seal first.
    monkeypatch.setattr(sealahead, "_text", lambda v: json.dumps(v, ensure_ascii=True))
    assert _import(source, tmp_path / "differs.db") == in_sql
    assert check(tmp_path / "differs.db").problems == []


def test_an_intact_audit_chain_passes_aside(
    source: Path, in_sql: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exchange_aside, "MIN_ROWS", 0)
    answers: list[bool] = []
    passed = exchange_aside.Aside.passed

    def spy(self: exchange_aside.Aside) -> bool:
        answers.append(passed(self))
        return answers[-1]

    monkeypatch.setattr(exchange_aside.Aside, "passed", spy)
    assert _import(source, tmp_path / "aside.db") == in_sql
    assert answers == [True, True]  # (the import, then the same file again)


def test_a_failing_child_leaves_the_chain_to_be_checked_here(
    source: Path, in_sql: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exchange_aside, "MIN_ROWS", 0)
    monkeypatch.setattr(importer, "_chain_intact", lambda out: 1 / 0)
    assert _import(source, tmp_path / "checked_here.db") == in_sql
