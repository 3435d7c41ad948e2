"""A merge-back compares the file's rows with the file's own seals before anything merges.

A laptop copy of the clinic (a backup) records on; its export is imported back into the
clinic, which already has records (the merge path: only what the clinic lacks is added,
under new ids). Every row of the file must match the newest seal the file gives it, and
each audit row's digest its seals, as into a new database: an edited, added or removed
row is named by table and id (never its text), and nothing is imported.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers_cli import make_clinic, ok, refused_in_one_line, run
from test_restore_merge_back import LATER, LOGGED
from trust_clinic import edit_csv_zip

from sessionlog.store.integrity import sealahead
from sessionlog.store.integrity.seal import columns
from sessionlog.store.integrity.sealahead import row_form

NDI = "scale record --patient C001 --scale NDI --items 1,1,1,1,1,1,1,1,1,1 --session 1"
REFUSED = (
    "error: import: nothing was imported: 1 row of the file does not match the seal its"
    " audit log recorded (changed after it was written): "
)


@pytest.fixture
def laptop(tmp_path: Path) -> tuple[Path, Path]:
    """The clinic (one session), and the export of its laptop copy, which holds a new
    session, a later version of the clinic's session and a scale reading."""
    clinic = make_clinic(tmp_path / "clinic.db")
    ok(clinic, LOGGED)
    ok(clinic, f"backup {tmp_path / 'laptop.db'}")
    copy = tmp_path / "laptop.db"
    ok(copy, LATER)
    ok(copy, "amend 1 --pain-after 2 --reason 'pain after was 2, not 4'")
    ok(copy, NDI)
    ok(copy, f"export -o {tmp_path / 'laptop.json'}")
    return clinic, tmp_path / "laptop.json"


def _doc(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def _save(data: dict[str, Any], path: Path) -> Path:
    path.write_text(json.dumps(data), "utf-8")
    return path


def _sessions(db: Path) -> list[tuple[object, ...]]:
    return [
        (s["patient_id"], s["started_at"], s["version"], s["pain_after"], s["amend_reason"])
        for s in json.loads(ok(db, "sessions --json"))
    ]


def _new_session(data: dict[str, Any]) -> dict[str, Any]:
    """The session logged on the laptop only (record 2, version 1)."""
    return next(s for s in data["tables"]["session"] if s["record_id"] == 2)


def _later_version(data: dict[str, Any]) -> dict[str, Any]:
    """The clinic's session as amended on the laptop (version 2)."""
    return next(s for s in data["tables"]["session"] if s["version"] == 2)


def _reading(data: dict[str, Any]) -> dict[str, Any]:
    return dict(data["tables"]["scale_reading"][0])


@pytest.fixture(params=["here", "second process"])
def sealer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Where the file's rows are sealed: in the importing process (a small file), or in
    a second process while the merge matches them (a large one: sealahead.py)."""
    if request.param == "second process":
        monkeypatch.setattr(sealahead, "SHARED_MIN_ROWS", 1)
    return str(request.param)


def test_an_honest_merge_back_compares_and_merges(laptop: tuple[Path, Path], sealer: str) -> None:
    clinic, file = laptop
    result = run(clinic, f"import {file}")
    assert result.exit_code == 0, result.output
    assert "1 session, 2 session versions" in result.stdout
    assert result.stdout.splitlines()[-1].endswith(
        "every record row of the file matches the seal its audit log recorded."
    )
    assert _sessions(clinic) == _sessions(clinic.with_name("laptop.db"))
    assert run(clinic, "check").exit_code == 0
    again = run(clinic, f"import {file}")  # nothing added twice, still compared
    assert again.exit_code == 0 and "Nothing new to import." in again.stdout


@pytest.mark.parametrize(
    ("pick", "table", "field", "value"),
    [
        (_new_session, "session", "pain_after", 0),
        (_later_version, "session", "pain_after", 0),
        (_reading, "scale_reading", "entered_by", "patient"),
    ],
    ids=["new session", "later version", "scale reading"],
)
def test_an_edited_row_is_refused_and_named(
    laptop: tuple[Path, Path],
    tmp_path: Path,
    sealer: str,
    pick: Callable[[dict[str, Any]], dict[str, Any]],
    table: str,
    field: str,
    value: Any,
) -> None:
    clinic, file = laptop
    data = _doc(file)
    row = next(r for r in data["tables"][table] if r["id"] == pick(data)["id"])
    assert row[field] != value
    row[field] = value
    edited = _save(data, tmp_path / "edited.json")
    before = _sessions(clinic)
    refused_in_one_line(clinic, f"import {edited}", f"{REFUSED}{table} {row['id']} (altered)\n")
    assert _sessions(clinic) == before


def test_an_edited_line_of_the_export_as_written_is_refused(
    laptop: tuple[Path, Path], tmp_path: Path
) -> None:
    # sed on the export as `export` writes it (a row a line: the line reader's path)
    clinic, file = laptop
    sid = _later_version(_doc(file))["id"]
    lines = file.read_text("utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith(f'{{"id":{sid},"record_id"'))
    assert '"pain_after":2,' in lines[at]
    lines[at] = lines[at].replace('"pain_after":2,', '"pain_after":0,')
    (tmp_path / "sed.json").write_text("".join(lines), "utf-8")
    refused_in_one_line(
        clinic, f"import {tmp_path / 'sed.json'}", f"{REFUSED}session {sid} (altered)\n"
    )


def test_an_edited_row_in_a_csv_zip_is_refused(laptop: tuple[Path, Path], tmp_path: Path) -> None:
    clinic, _ = laptop
    ok(clinic.with_name("laptop.db"), f"export --format csv -o {tmp_path / 'laptop.zip'}")
    edited: list[str] = []

    def later_pain(rows: list[list[str]]) -> None:
        version, pain = rows[0].index("version"), rows[0].index("pain_after")
        row = next(r for r in rows[1:] if r[version] == "2")
        row[pain] = "0"
        edited.append(row[0])

    edit_csv_zip(tmp_path / "laptop.zip", tmp_path / "edited.zip", "session.csv", later_pain)
    refused_in_one_line(
        clinic, f"import {tmp_path / 'edited.zip'}", f"{REFUSED}session {edited[0]} (altered)\n"
    )


def _true_seal(db: Path, table: str, row_id: int, field: str, value: Any) -> str:
    """What an attacker computes: the seal of the row as edited (the canonical form)."""
    conn = sqlite3.connect(db)
    try:
        cur = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,))
        order = [d[0] for d in cur.description]
        values = list(cur.fetchone())
        values[order.index(field)] = value
        form = row_form(table, columns(conn, table), order, float.__repr__)
        return hashlib.sha256(form(values).encode("utf-8")).hexdigest()
    finally:
        conn.close()


def test_a_row_edited_with_its_seal_breaks_its_audit_rows_digest(
    laptop: tuple[Path, Path], tmp_path: Path, sealer: str
) -> None:
    clinic, file = laptop
    data = _doc(file)
    row = _later_version(data)
    row = next(r for r in data["tables"]["session"] if r["id"] == row["id"])
    row["pain_after"] = 0
    new_seal = _true_seal(clinic.with_name("laptop.db"), "session", row["id"], "pain_after", 0)
    [seal] = [
        s
        for s in data["tables"]["record_seal"]
        if s["tbl"] == "session" and s["row_id"] == row["id"]
    ]
    seal["hash"] = new_seal
    edited = _save(data, tmp_path / "edited.json")
    refused_in_one_line(
        clinic,
        f"import {edited}",
        f"{REFUSED}audit_log {seal['audit_id']} (its seals' digest differs)\n",
    )


def test_a_removed_row_is_refused(laptop: tuple[Path, Path], tmp_path: Path, sealer: str) -> None:
    clinic, file = laptop
    data = _doc(file)
    [reading] = data["tables"].pop("scale_reading")
    edited = _save(data, tmp_path / "edited.json")
    refused_in_one_line(
        clinic, f"import {edited}", f"{REFUSED}scale_reading {reading['id']} (removed)\n"
    )


def test_a_row_added_without_a_seal_is_refused(
    laptop: tuple[Path, Path], tmp_path: Path, sealer: str
) -> None:
    clinic, file = laptop
    data = _doc(file)
    sid = _new_session(data)["id"]
    sites = data["tables"]["site"]
    mine = next(s for s in sites if s["session_id"] == sid)
    added = {**mine, "id": max(s["id"] for s in sites) + 1, "seq": mine["seq"] + 1}
    sites.append(added)
    edited = _save(data, tmp_path / "edited.json")
    refused_in_one_line(clinic, f"import {edited}", f"{REFUSED}site {added['id']} (added)\n")


def test_a_file_with_its_seals_taken_out_is_refused(
    laptop: tuple[Path, Path], tmp_path: Path
) -> None:
    _refused_cut(
        laptop,
        tmp_path,
        "record_seal",
        "error: tables.record_seal: is missing: every export of format 6 carries the record"
        " seals that vouch for its rows (taken out of this file?): nothing was imported\n",
    )


def test_the_second_process_seals_what_the_merge_compares(
    laptop: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The merge's comparison took the second process's seals (not the fallback here).
    monkeypatch.setattr(sealahead, "SHARED_MIN_ROWS", 1)
    used: list[str] = []
    pairs = sealahead.SealsAhead.pairs

    def spy(self: sealahead.SealsAhead, table: str) -> Any:
        used.append(table)
        return pairs(self, table)

    monkeypatch.setattr(sealahead.SealsAhead, "pairs", spy)
    clinic, file = laptop
    assert run(clinic, f"import {file}").exit_code == 0
    assert "session" in used


def test_seals_without_the_audit_log_they_point_at_are_refused(
    laptop: tuple[Path, Path], tmp_path: Path
) -> None:
    # The audit log emptied and the seals left in: the import said "The file has no audit
    # log: nothing in it vouches for its rows" and merged an edited session (review16).
    _refused_cut(
        laptop,
        tmp_path,
        "audit_log",
        "error: tables.record_seal: the file carries record seals but not the audit log"
        " they belong to (taken out of this file?): nothing was imported\n",
    )


def _refused_cut(laptop: tuple[Path, Path], tmp_path: Path, table: str, message: str) -> None:
    """The laptop's new session edited and ``table`` taken out of its export: refused."""
    clinic, file = laptop
    data = _doc(file)
    _new_session(data)["pain_after"] = 0
    del data["tables"][table]
    edited = _save(data, tmp_path / "edited.json")
    refused_in_one_line(clinic, f"import {edited}", message)


def test_a_record_the_clinic_corrected_since_the_copy_does_not_stop_the_merge(
    tmp_path: Path,
) -> None:
    # The clinic amended session 1 after the laptop copy was made; the laptop's export
    # still holds session 1 as it was (version 1 of the clinic's 1 and 2). The merge
    # refused the whole file ("already in this database with other content"), so the
    # laptop's new session could not come back (review16).
    clinic = make_clinic(tmp_path / "clinic.db")
    ok(clinic, LOGGED)
    ok(clinic, f"backup {tmp_path / 'laptop.db'}")
    ok(clinic, "amend 1 --pain-after 2 --reason 'pain after was 2, not 4'")
    laptop = tmp_path / "laptop.db"
    ok(laptop, LATER)
    ok(laptop, f"export -o {tmp_path / 'laptop.json'}")
    ok(clinic, f"import {tmp_path / 'laptop.json'}")
    assert sorted(_sessions(clinic)) == [  # the current versions: the clinic's correction
        (1, "2025-06-10 09:00:00", 2, 2, "pain after was 2, not 4"),
        (2, "2025-06-12 09:00:00", 1, 3, None),
    ]
    assert "Nothing new to import" in ok(clinic, f"import {tmp_path / 'laptop.json'}")
