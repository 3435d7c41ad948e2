"""Export then import gives back the same database: every table, every row, every link."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from helpers_store import sql_rows
from trust_clinic import TABLES, clock, counts, dump

from sessionlog.domain import parse_patient, parse_practitioner
from sessionlog.exchange import ImportRefused, export, import_file
from sessionlog.exchange.tables import FORMAT_VERSION, is_derived
from sessionlog.exchange.tables import TABLES as FORMAT_TABLES
from sessionlog.store import Store
from sessionlog.store.integrity import audit as chain
from sessionlog.store.records import bulk

DESTINATIONS = {"json": "clinic.json", "csv-zip": "clinic.zip", "csv-folder": "clinic-csv"}


def _export(clinic: Store, tmp_path: Path, kind: str) -> Path:
    dest = tmp_path / DESTINATIONS[kind]
    export(clinic, "json" if kind == "json" else "csv", dest, actor_id=1)
    return dest


def _import(path: Path, db: Path, **kw: Any) -> Any:
    store = Store.open(db, clock=clock)
    try:
        return import_file(path, store, **kw)
    finally:
        store.close()


def test_the_format_covers_every_table_and_column(clinic: Store) -> None:
    # A migration that adds a table or a column must extend the export format too.
    recorded = {t for t in bulk.all_tables(clinic.conn) if not is_derived(t)}
    recorded.discard("practitioner_access")  # secrets' hashes never leave the database
    assert recorded == set(FORMAT_TABLES)
    for table, columns in FORMAT_TABLES.items():
        assert bulk.schema_columns(clinic.conn, table) == [c.name for c in columns]


@pytest.mark.parametrize("kind", list(DESTINATIONS))
def test_round_trip_into_an_empty_database_is_exact(
    clinic: Store, tmp_path: Path, kind: str
) -> None:
    before = dump(clinic.conn)
    source = _export(clinic, tmp_path, kind)
    report = _import(source, tmp_path / "copy.db")
    after = dump(tmp_path / "copy.db")
    for table in TABLES:
        if table != "audit_log":
            assert after[table] == before[table], table  # ids, uids, text: byte for byte
    # The history came along with its hashes (up to the export, whose own row is written
    # after the file), then one row for the import: the chain still verifies.
    assert after["audit_log"][: len(before["audit_log"])] == before["audit_log"]
    assert [r[3] for r in after["audit_log"][len(before["audit_log"]) :]] == ["import"]
    conn = sqlite3.connect(tmp_path / "copy.db")
    assert chain.verify(conn).ok
    assert report.added["session"] == 6 and report.added["session_record"] == 4
    assert report.audit_copied == len(before["audit_log"])


def test_every_version_and_void_travels(clinic: Store, tmp_path: Path) -> None:
    doc = json.loads(_export(clinic, tmp_path, "json").read_text())
    sessions = doc["tables"]["session"]
    assert [(s["record_id"], s["version"], s["status"]) for s in sessions] == [
        (1, 1, "active"),
        (1, 2, "active"),
        (2, 1, "active"),
        (3, 1, "active"),
        (4, 1, "active"),
        (4, 2, "void"),
    ]
    assert sessions[1]["amend_reason"] == "typed 3 instead of 2"
    assert sessions[0]["co_interventions"] == ["exercise", "heat"]
    assert sessions[0]["consent"] is True
    follow = doc["tables"]["follow_up"]
    assert [(f["status"], f["supersedes_id"], f["pain"]) for f in follow] == [
        ("active", None, 4),
        ("active", 1, 5),
        ("active", None, 3),
        ("void", 3, 3),
    ]
    site = doc["tables"]["site"][4]
    assert (site["target"], site["deqi_quality"], site["depth_unit"], site["thorax_risk"]) == (
        "LI4",
        ["heaviness", "ache"],
        "cun",
        False,
    )
    assert doc["format"] == "sessionlog-export" and doc["format_version"] == FORMAT_VERSION
    assert doc["schema"][0] == "0001_initial"


def _natural(db: Path) -> dict[str, list[tuple]]:
    """The clinical rows with every id replaced by what it points at (for databases whose
    ids differ)."""
    conn = sqlite3.connect(db)
    q = lambda sql: sorted(conn.execute(sql).fetchall(), key=repr)  # noqa: E731
    out = {
        "session": q(
            "SELECT r.uid, s.version, s.status, s.amend_reason, p.chart_id, pr.name, s.started_at,"
            " s.technique, s.pain_before, s.pain_after, s.notes, rb.name, e.complaint,"
            " (SELECT v.version FROM session v WHERE v.id = s.supersedes_id)"
            " FROM session s JOIN session_record r ON r.id = s.record_id"
            " JOIN patient p ON p.id = s.patient_id"
            " JOIN practitioner pr ON pr.id = s.practitioner_id"
            " JOIN practitioner rb ON rb.id = s.recorded_by"
            " LEFT JOIN episode e ON e.id = s.episode_id"
        ),
        "site": q(
            "SELECT r.uid, s.version, t.seq, t.kind, t.target, t.side, t.insertions, t.depth_value,"
            " t.deqi_quality, t.thorax_risk FROM site t JOIN session s ON s.id = t.session_id"
            " JOIN session_record r ON r.id = s.record_id"
        ),
        "follow_up": q(
            "SELECT r.uid, f.at, f.pain, f.status, f.amend_reason, p.chart_id,"
            " (SELECT g.pain FROM follow_up g WHERE g.id = f.supersedes_id)"
            " FROM follow_up f JOIN session_record r ON r.id = f.session_record_id"
            " JOIN patient p ON p.id = f.patient_id"
        ),
        "adverse_event": q(
            "SELECT a.kind, a.tier, (SELECT r.uid FROM session s JOIN session_record r"
            " ON r.id = s.record_id WHERE s.id = a.session_id), (SELECT f.pain FROM follow_up f"
            " WHERE f.id = a.follow_up_id) FROM adverse_event a"
        ),
        "ims_finding": q("SELECT i.level, i.coldness, i.notes FROM ims_finding i"),
        "protocol": q(
            "SELECT p.name, pr.name, p.sites FROM protocol p"
            " JOIN practitioner pr ON pr.id = p.practitioner_id"
        ),
    }
    conn.close()
    return out


def test_round_trip_into_a_database_in_use_remaps_ids(
    clinic: Store, clinic_path: Path, tmp_path: Path
) -> None:
    source = _export(clinic, tmp_path, "csv-zip")
    other = Store.open(tmp_path / "other.db", clock=clock)
    other.add_practitioner(parse_practitioner({"name": "Zed Ng", "profession": "other"}))
    other.add_patient(parse_patient({"chart_id": "Z9", "name": "Zoe"}))
    other.close()
    _import(source, tmp_path / "other.db")
    theirs = _natural(tmp_path / "other.db")
    ours = _natural(clinic_path)
    assert theirs == ours
    ids = (
        sqlite3.connect(tmp_path / "other.db")
        .execute("SELECT id, chart_id FROM patient ORDER BY id")
        .fetchall()
    )
    assert ids == [(1, "Z9"), (2, "C001"), (3, "C002")]


def test_importing_the_same_file_twice_adds_nothing(clinic: Store, tmp_path: Path) -> None:
    source = _export(clinic, tmp_path, "json")
    _import(source, tmp_path / "copy.db")
    before = counts(tmp_path / "copy.db")
    report = _import(source, tmp_path / "copy.db")
    after = counts(tmp_path / "copy.db")
    assert {t: after[t] - before[t] for t in after} == {t: 0 for t in TABLES} | {"audit_log": 1}
    assert sum(report.added.values()) == 0
    assert report.already_there["session_record"] == 4
    assert report.already_there["follow_up"] == 4
    assert report.summary().splitlines()[0] == "Nothing new to import."


def test_one_audit_row_per_import_with_the_counts(clinic: Store, tmp_path: Path) -> None:
    source = _export(clinic, tmp_path, "json")
    target = Store.open(tmp_path / "copy.db", clock=clock)
    target.add_practitioner(parse_practitioner({"name": "Zed Ng", "profession": "other"}))
    import_file(source, target, actor_id=1)
    rows = sql_rows(target, "SELECT * FROM audit_log WHERE action = 'import'")
    target.close()
    assert len(rows) == 1
    detail = json.loads(rows[0]["detail"])
    assert detail["added"]["site"] == 10 and detail["added"]["session"] == 6
    assert detail["audit_rows_copied"] == 0  # this database has its own history
    assert (
        detail["file_audit_head"]
        == json.loads(source.read_text())["tables"]["audit_log"][-1]["hash"]
    )
    assert rows[0]["actor_id"] == 1 and rows[0]["entity"] == "database"


def test_every_export_is_audited(clinic: Store, tmp_path: Path) -> None:
    for fmt, name in (("json", "a.json"), ("csv", "b.zip"), ("fhir", "c.json")):
        export(clinic, fmt, tmp_path / name, actor_id=2)
    rows = sql_rows(
        clinic, "SELECT actor_id, action, detail FROM audit_log WHERE action = 'export'"
    )
    assert [(r["actor_id"], json.loads(r["detail"])["format"]) for r in rows] == [
        (2, "json"),
        (2, "csv"),
        (2, "fhir"),
    ]
    assert json.loads(rows[0]["detail"])["counts"]["session"] == 6
    assert chain.verify(clinic.conn).ok


def test_a_patient_with_the_same_chart_but_other_name_is_refused(
    clinic: Store, tmp_path: Path
) -> None:
    source = _export(clinic, tmp_path, "json")
    target = Store.open(tmp_path / "copy.db", clock=clock)
    target.add_patient(parse_patient({"chart_id": "C002", "name": "Somebody Else"}))
    before = dump(target.conn)
    with pytest.raises(ImportRefused) as err:
        import_file(source, target)
    assert dump(target.conn) == before
    target.close()
    assert str(err.value.problems[0]).startswith(
        "patient row 2: chart_id: 'C002' is already in this database for a patient with another"
    )


def test_a_session_whose_uid_exists_with_other_content_is_refused(
    clinic: Store, tmp_path: Path
) -> None:
    source = _export(clinic, tmp_path, "json")
    _import(source, tmp_path / "copy.db")
    doc = json.loads(source.read_text())
    doc["tables"]["session"][2]["notes"] = "changed after export"
    # A file that claims no history (no audit log, no seals: made by hand): the rule
    # refuses it. (An edited export is refused by its seals first: test_merge_seals.py.)
    del doc["tables"]["audit_log"], doc["tables"]["record_seal"]
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(doc))
    before = counts(tmp_path / "copy.db")
    with pytest.raises(ImportRefused) as err:
        _import(changed, tmp_path / "copy.db")
    assert counts(tmp_path / "copy.db") == before
    uid = doc["tables"]["session_record"][1]["uid"]
    assert [str(p) for p in err.value.problems] == [
        f"session_record row 2: uid: session {uid} is already in this database with other"
        " content (different versions or values): nothing is overwritten"
    ]


def test_a_new_follow_up_for_a_session_already_there_is_added(
    clinic: Store, tmp_path: Path
) -> None:
    source = _export(clinic, tmp_path, "json")
    _import(source, tmp_path / "copy.db")
    doc = json.loads(source.read_text())
    doc["tables"]["follow_up"].append(
        {**doc["tables"]["follow_up"][2], "id": 99, "at": "2026-11-12 10:00:00", "pain": 1}
    )
    # A file made by hand: no audit log, so no seals or roles either (both are refused
    # without the audit log that vouches for them).
    doc["tables"].pop("audit_log"), doc["tables"].pop("record_seal"), doc.pop("practitioner_roles")
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(doc))
    report = _import(newer, tmp_path / "copy.db")
    assert report.added["follow_up"] == 1 and report.already_there["follow_up"] == 4
    assert sum(report.added.values()) == 1
