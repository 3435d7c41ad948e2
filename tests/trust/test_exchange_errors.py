"""A bad import file is refused whole, with every problem named by row and field."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from trust_clinic import clock, counts

from sessionlog.errors import ValidationError
from sessionlog.exchange import ImportRefused, export, import_file
from sessionlog.exchange import aside as exchange_aside
from sessionlog.exchange.tables import FORMAT_VERSION
from sessionlog.store import Store


@pytest.fixture
def doc(clinic: Store, tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "clinic.json"
    export(clinic, "json", path)
    return json.loads(path.read_text())


def _refused(doc: Any, tmp_path: Path, name: str = "bad.json") -> list[str]:
    """Import ``doc`` into a fresh database; return the problems; check nothing was written."""
    path = tmp_path / name
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    store = Store.open(tmp_path / "target.db", clock=clock)
    before = counts(tmp_path / "target.db")
    try:
        with pytest.raises(ImportRefused) as err:
            import_file(path, store)
    finally:
        store.close()
    assert counts(tmp_path / "target.db") == before  # all or nothing
    return [str(p) for p in err.value.problems]


def test_a_bad_pain_score_names_the_row_and_the_field(doc: dict, tmp_path: Path) -> None:
    doc["tables"]["session"][4]["pain_before"] = 11
    assert _refused(doc, tmp_path) == [
        "session row 5: pain_before: 11 is out of range: a whole number from 0 to 10"
    ]


def test_every_problem_is_reported_at_once(doc: dict, tmp_path: Path) -> None:
    t = doc["tables"]
    t["session"][0]["technique"] = "reiki"
    t["site"][3]["side"] = "up"
    t["site"][4]["target"] = "XX99"
    t["follow_up"][0]["pain"] = "a lot"
    t["adverse_event"][0]["tier"] = "fatal"
    t["patient"][1]["birth_year"] = 1850
    problems = _refused(doc, tmp_path)
    assert (
        problems[0]
        == "patient row 2: birth_year: 1850 is out of range: a whole number from 1900 to 2026"
    )
    assert "session row 1: technique: 'reiki' is not allowed: one of acupuncture," in problems[1]
    assert (
        problems[2]
        == "site row 4: side: 'up' is not allowed: one of left, right, bilateral, midline"
    )
    assert problems[3].startswith("site row 5: target: 'XX99' is not a known point")
    assert (
        problems[4]
        == "follow_up row 1: pain: 'a lot' is not a whole number: a whole number from 0 to 10"
    )
    assert problems[5] == (
        "adverse_event row 1: tier: 'fatal' is not allowed: one of mild, significant, serious"
    )
    assert len(problems) == 6


def test_csv_rows_are_named_by_file(clinic: Store, tmp_path: Path) -> None:
    path = tmp_path / "clinic.zip"
    export(clinic, "csv", path)
    with zipfile.ZipFile(path) as zf:
        files = {n: zf.read(n).decode() for n in zf.namelist()}
    rows = list(csv.reader(io.StringIO(files["session.csv"], newline="")))
    rows[3][rows[0].index("pain_after")] = "-1"
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    files["session.csv"] = buffer.getvalue()
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    store = Store.open(tmp_path / "target.db", clock=clock)
    with pytest.raises(ImportRefused) as err:
        import_file(bad, store)
    store.close()
    assert [str(p) for p in err.value.problems] == [
        "session.csv row 3: pain_after: -1 is out of range: a whole number from 0 to 10"
    ]


def test_broken_references_and_chains(doc: dict, tmp_path: Path) -> None:
    t = doc["tables"]
    t["site"][0]["session_id"] = 77
    t["session"][1]["supersedes_id"] = 3  # version 2 of record 1 must follow its version 1
    t["follow_up"][2]["session_record_id"] = 1  # record 1 is another patient's
    t.pop("audit_log")
    # (row 4, voiding row 3, now names another session than row 3: a correction may
    # link a follow-up to another session of its patient, so only row 3 is at fault;
    # a correction of another patient's follow-up: test_follow_up_relinked_travels.py)
    assert _refused(doc, tmp_path) == [
        "session row 2: supersedes_id: must be version 1 of the same session",
        "site row 1: session_id: there is no session with id 77 in the file",
        "follow_up row 3: patient_id: is not the patient of the session it follows",
    ]


@pytest.mark.parametrize("aside", [False, True])
def test_a_file_with_an_altered_audit_log_is_refused(
    doc: dict, tmp_path: Path, aside: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if aside:  # the chain walked in a second process, as on a large file
        monkeypatch.setattr(exchange_aside, "MIN_ROWS", 0)
    doc["tables"]["audit_log"][3]["detail"] = '{"chart_id":"C999"}'
    assert _refused(doc, tmp_path) == [
        "audit_log row 4: hash: does not match the row's content: the row was altered"
    ]


def test_shape_problems(doc: dict, tmp_path: Path) -> None:
    t = doc["tables"]
    t["patient"][0]["colour"] = "blue"
    t["practitioner"].append("not a row")
    t["site"][1]["id"] = t["site"][0]["id"]
    t.pop("audit_log")
    problems = _refused(doc, tmp_path)
    assert problems[:3] == [
        "practitioner row 3: 'not a row' is not a row with named columns",
        "patient row 1: colour: is not a column of this table",
        "site row 2: id: 1 is used by row 1 too",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[]", "document: the file must hold one JSON object (an export)"),
        (
            '{"format": "other"}',
            "document: this is not a sessionlog export (its format is 'other')",
        ),
        (
            '{"format": "sessionlog-export", "format_version": 9, "tables": {}}',
            "document: the file is format version 9; this sessionlog reads up to"
            f" {FORMAT_VERSION}:"
            " upgrade sessionlog to import it",
        ),
        (
            '{"format": "sessionlog-export", "format_version": 1}',
            "tables: is missing: an object with one list of rows per table",
        ),
        (
            '{"format": "sessionlog-export", "format_version": 1, "tables": {"x": []}}',
            "tables.x: is not a table of this format: one of practitioner, patient,"
            " patient_contact, episode,"
            " session_record, session, site, ims_finding, follow_up, adverse_event,"
            " scale_reading, protocol, audit_log",
        ),
    ],
)
def test_not_an_export(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(content)
    store = Store.open(tmp_path / "t.db", clock=clock)
    with pytest.raises(ValidationError) as err:
        import_file(path, store)
    store.close()
    assert str(err.value) == message


def test_invalid_json_says_where(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"format": ')
    store = Store.open(tmp_path / "t.db", clock=clock)
    with pytest.raises(ValidationError) as err:
        import_file(path, store)
    store.close()
    assert str(err.value).endswith("is not valid JSON (line 1, column 12: Expecting value)")
