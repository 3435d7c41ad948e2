"""A contact note is a history (schema 0012): each change is a new patient_contact row,
never an overwrite; the due list and the patient read the latest; it travels."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from helpers_cli import ok
from helpers_domain import fixed_clock
from helpers_store import dry_needling

from sessionlog.cli import common
from sessionlog.errors import ValidationError
from sessionlog.exchange import ImportRefused, export, import_file
from sessionlog.store import Store
from sessionlog.store.file.health import check

HISTORY = "SELECT patient_id, contact, at, actor_id FROM patient_contact ORDER BY id"


@pytest.fixture(autouse=True)
def fixed_cli_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common.Context.__init__, "__defaults__", (fixed_clock,))


def _rows(db: Path, sql: str = HISTORY) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _seed(db: Path) -> None:
    s = Store.open(db, clock=fixed_clock)
    from sessionlog.domain import Patient, Practitioner

    s.add_practitioner(Practitioner("Ann Lee", "physiotherapist", "PT"))
    s.add_patient(Patient("C001", "Bo Kim", 1980, "female"))
    s.save_session(dry_needling(1))  # 2026-11-20 09:15; the clock says 2026-11-22 10:00
    s.close()


def test_contact_twice_keeps_both_rows_and_the_due_list_shows_the_latest(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _seed(db)
    assert ok(db, "contact --patient C001 --note '555 0101'").strip() == "contact saved for C001"
    ok(db, "contact --patient C001 --note 'mobile 555 0202 (mornings)'")
    assert _rows(db) == [
        (1, "555 0101", "2026-11-22 10:00:00", 1),
        (1, "mobile 555 0202 (mornings)", "2026-11-22 10:00:00", 1),
    ]
    [row] = json.loads(ok(db, "due --json"))
    assert (row["chart_id"], row["contact"]) == ("C001", "mobile 555 0202 (mornings)")
    assert ok(db, "contact --patient C001 --note ''").strip() == "contact cleared for C001"
    assert _rows(db)[-1][1] is None  # cleared: a row saying so, the others kept
    assert len(_rows(db)) == 3
    assert json.loads(ok(db, "due --json"))[0]["contact"] is None
    # The patient row itself is never written again.
    assert _rows(db, "SELECT contact FROM patient") == [(None,)]
    audit = _rows(db, "SELECT action, entity, entity_id FROM audit_log WHERE entity ="
                      " 'patient_contact' ORDER BY id")  # fmt: skip
    assert audit == [("create", "patient_contact", 1), ("create", "patient_contact", 2),
                     ("create", "patient_contact", 3)]  # fmt: skip


def test_the_store_reads_the_latest_and_refuses_bad_notes(store: Store) -> None:
    store.set_contact(1, "  555 0101 ", 1)
    store.set_contact(1, "555 0303", 1)
    assert store.patient(1)["contact"] == "555 0303"  # type: ignore[index]
    assert store.patient_by_chart("C001")["contact"] == "555 0303"  # type: ignore[index]
    assert [h.contact for h in store.contact_history(1)] == ["555 0101", "555 0303"]
    for bad in ("a\nb", "x" * 201):
        with pytest.raises(ValidationError, match="^contact: one line of at most 200"):
            store.set_contact(1, bad, 1)
    assert len(store.contact_history(1)) == 2  # nothing half-saved


def test_the_table_is_append_only(store: Store, db_path: Path) -> None:
    store.set_contact(1, "555 0101", 1)
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        for sql in (
            "UPDATE patient_contact SET contact = 'x'",
            "DELETE FROM patient_contact",
            "INSERT OR REPLACE INTO patient_contact SELECT * FROM patient_contact",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="contact notes are"):
                conn.execute(sql)
    finally:
        conn.close()


@pytest.mark.parametrize("fmt,name", [("json", "out.json"), ("csv", "out.zip")])
def test_export_and_import_keep_the_contact_history(
    store: Store, db_path: Path, tmp_path: Path, fmt: str, name: str
) -> None:
    store.save_session(dry_needling(1))
    store.set_contact(1, "555 0101", 1)
    store.set_contact(1, "555 0202", None)
    store.set_contact(2, "", 1)
    export(store, fmt, tmp_path / name, actor_id=1)
    copy = Store.open(tmp_path / "copy.db", clock=fixed_clock)
    assert import_file(tmp_path / name, copy).added["patient_contact"] == 3
    assert import_file(tmp_path / name, copy).added["patient_contact"] == 0  # not twice
    assert copy.patient(1)["contact"] == "555 0202"  # type: ignore[index]
    copy.close()
    every = "SELECT * FROM patient_contact ORDER BY id"
    assert _rows(tmp_path / "copy.db", every) == _rows(db_path, every)
    assert len(_rows(db_path, every)) == 3
    assert check(tmp_path / "copy.db").ok  # the imported notes are sealed


def test_an_export_says_format_6(store: Store, tmp_path: Path) -> None:
    # 5 added patient_contact; 6, the record seals (exchange/sealcheck.py)
    store.set_contact(1, "555 0101", 1)
    export(store, "json", tmp_path / "out.json", actor_id=1)
    doc = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert doc["format_version"] == 6
    assert [r["contact"] for r in doc["tables"]["patient_contact"]] == ["555 0101"]


def test_a_format_4_file_without_the_table_imports(store: Store, tmp_path: Path) -> None:
    store.set_contact(1, "555 0101", 1)
    export(store, "json", tmp_path / "new.json", actor_id=1)
    doc = json.loads((tmp_path / "new.json").read_text(encoding="utf-8"))
    doc["format_version"] = 4
    del doc["tables"]["patient_contact"], doc["tables"]["audit_log"]
    # nor seals or roles, which came after (format 6) and need the audit log
    del doc["tables"]["record_seal"], doc["practitioner_roles"]
    doc["tables"]["patient"][0]["contact"] = "given at import"
    (tmp_path / "old.json").write_text(json.dumps(doc), encoding="utf-8")
    copy = Store.open(tmp_path / "copy.db", clock=fixed_clock)
    report = import_file(tmp_path / "old.json", copy)
    assert report.added["patient_contact"] == 0
    assert copy.patient(1)["contact"] == "given at import"  # type: ignore[index]
    copy.close()


def test_a_later_export_adds_only_the_new_note(store: Store, tmp_path: Path) -> None:
    store.set_contact(1, "555 0101", 1)
    export(store, "json", tmp_path / "first.json", actor_id=1)
    copy = Store.open(tmp_path / "copy.db", clock=fixed_clock)
    import_file(tmp_path / "first.json", copy)
    store.set_contact(1, "555 0202", 1)
    export(store, "json", tmp_path / "second.json", actor_id=1)
    assert import_file(tmp_path / "second.json", copy).added["patient_contact"] == 1
    assert [h.contact for h in copy.contact_history(1)] == ["555 0101", "555 0202"]
    copy.close()
    assert check(tmp_path / "copy.db").ok


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"contact": "x" * 201}, "contact: is 201 characters long: at most 200 allowed"),
        ({"actor_id": 9}, "actor_id: there is no practitioner with id 9 in the file"),
        ({"patient_id": 7}, "patient_id: there is no patient with id 7 in the file"),
        ({"at": "yesterday"}, "at:"),
    ],
)
def test_a_bad_note_in_a_file_is_refused_whole(
    store: Store, tmp_path: Path, change: dict[str, object], message: str
) -> None:
    store.set_contact(1, "555 0101", 1)
    export(store, "json", tmp_path / "out.json", actor_id=1)
    doc = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    doc["tables"]["patient_contact"][0].update(change)
    (tmp_path / "bad.json").write_text(json.dumps(doc), encoding="utf-8")
    copy = Store.open(tmp_path / "copy.db", clock=fixed_clock)
    try:
        with pytest.raises(ImportRefused) as refused:
            import_file(tmp_path / "bad.json", copy)
        assert message in str(refused.value)
        assert copy.patient(1) is None  # nothing half-saved
    finally:
        copy.close()
