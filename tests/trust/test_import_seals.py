"""An edited export is refused: each row is compared with the seal its audit log recorded.

A clean export into a new database keeps the file's audit log; every record row must then
match the seal the file's audit log recorded for it (the file carries the seals, whose
digests the audit rows hold and their chained hashes cover). An edited, added or removed
row is named by table and id, and nothing is written.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from trust_clinic import clock

from sessionlog.errors import ValidationError
from sessionlog.exchange import export, import_file
from sessionlog.store import Store
from sessionlog.store.integrity import audit as chain
from sessionlog.store.integrity import sealahead


def _export(clinic: Store, path: Path) -> dict[str, Any]:
    export(clinic, "json", path, actor_id=1)
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def _write(data: dict[str, Any], path: Path) -> Path:
    path.write_text(json.dumps(data), "utf-8")
    return path


def _import(path: Path, db: Path) -> Any:
    store = Store.open(db, clock=clock)
    try:
        return import_file(path, store)
    finally:
        store.close()


def _refused(path: Path, db: Path) -> str:
    with pytest.raises(ValidationError) as err:
        _import(path, db)
    store = Store.open(db, clock=clock)
    try:  # nothing half-saved
        assert store.conn.execute("SELECT count(*) FROM session").fetchone()[0] == 0
        assert store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 0
    finally:
        store.close()
    return str(err.value)


def test_a_clean_export_imports_and_says_its_rows_match(clinic: Store, tmp_path: Path) -> None:
    _export(clinic, tmp_path / "a.json")
    report = _import(tmp_path / "a.json", tmp_path / "copy.db")
    assert "every record row matches the seal it recorded" in report.summary()
    # and again, from the copy (its rows are sealed by its import's audit row)
    copy = Store.open(tmp_path / "copy.db", clock=clock)
    try:
        export(copy, "json", tmp_path / "b.json", actor_id=1)
    finally:
        copy.close()
    again = _import(tmp_path / "b.json", tmp_path / "copy2.db")
    assert "every record row matches the seal it recorded" in again.summary()


@pytest.mark.parametrize("sealer", ["sql", "second process"])
def test_an_edited_session_row_is_refused_and_named(
    clinic: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sealer: str
) -> None:
    # The import's own seals (made in SQL for a small file, or by the second process
    # that seals a large one while it is written) are what the file's are compared with.
    if sealer == "second process":
        monkeypatch.setattr(sealahead, "SHARED_MIN_ROWS", 1)
    data = _export(clinic, tmp_path / "a.json")
    row = data["tables"]["session"][0]
    row["pain_after"] = 0 if row["pain_after"] != 0 else 1
    message = _refused(_write(data, tmp_path / "t.json"), tmp_path / "t.db")
    assert message.splitlines()[0] == (
        "import: nothing was imported: 1 row of the file does not match the seal its audit"
        f" log recorded (changed after it was written): session {row['id']} (altered)"
    )
    assert row["notes"] not in message if row["notes"] else True


def test_an_edited_row_in_a_csv_export_is_refused(clinic: Store, tmp_path: Path) -> None:
    export(clinic, "csv", tmp_path / "a.zip", actor_id=1)
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    rows = list(csv.reader(io.StringIO(members["follow_up.csv"].decode("utf-8"))))
    pain = rows[0].index("pain")
    rows[1][pain] = "0" if rows[1][pain] != "0" else "1"
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    members["follow_up.csv"] = out.getvalue().encode("utf-8")
    with zipfile.ZipFile(tmp_path / "t.zip", "w") as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    message = _refused(tmp_path / "t.zip", tmp_path / "t.db")
    assert message.splitlines()[0].endswith(f"follow_up {rows[1][0]} (altered)")


def test_an_edited_row_and_its_seal_break_the_audit_rows_digest(
    clinic: Store, tmp_path: Path
) -> None:
    data = _export(clinic, tmp_path / "a.json")
    row = data["tables"]["patient"][0]
    row["name"] = row["name"] + " X"
    # the attacker writes the new row's seal into the file too
    for seal in data["tables"]["record_seal"]:
        if seal["tbl"] == "patient" and seal["row_id"] == row["id"]:
            seal["hash"] = "ab" * 32
            audit_id = seal["audit_id"]
    message = _refused(_write(data, tmp_path / "t.json"), tmp_path / "t.db")
    assert f"audit_log {audit_id} (its seals' digest differs)" in message.splitlines()[0]
    assert "X" not in message


def test_editing_the_audit_rows_digest_too_breaks_the_chain(clinic: Store, tmp_path: Path) -> None:
    data = _export(clinic, tmp_path / "a.json")
    sealing = next(a for a in data["tables"]["audit_log"] if '"seal":' in a["detail"])
    detail = json.loads(sealing["detail"])
    detail["seal"] = "cd" * 32
    sealing["detail"] = json.dumps(detail, sort_keys=True, separators=(",", ":"))
    message = _refused(_write(data, tmp_path / "t.json"), tmp_path / "t.db")
    assert "does not match the row's content: the row was altered" in message


@pytest.mark.parametrize("what", ["removed", "added"])
def test_a_removed_or_added_row_is_refused(clinic: Store, tmp_path: Path, what: str) -> None:
    data = _export(clinic, tmp_path / "a.json")
    sites = data["tables"]["site"]
    last = sites[-1]
    if what == "removed":
        sites.pop()
        name = f"site {last['id']} (removed)"
    else:
        sites.append({**last, "id": last["id"] + 1000, "seq": last["seq"] + 50})
        name = f"site {last['id'] + 1000} (added)"
    message = _refused(_write(data, tmp_path / "t.json"), tmp_path / "t.db")
    assert message.splitlines()[0].endswith(name)


def test_reordered_rows_import_as_they_were(clinic: Store, tmp_path: Path) -> None:
    data = _export(clinic, tmp_path / "a.json")
    data["tables"]["site"].reverse()
    data["tables"]["record_seal"].reverse()
    report = _import(_write(data, tmp_path / "t.json"), tmp_path / "t.db")
    assert "every record row matches the seal it recorded" in report.summary()


def test_a_file_without_an_audit_log_is_not_vouched_for(clinic: Store, tmp_path: Path) -> None:
    data = _export(clinic, tmp_path / "a.json")
    data["tables"]["session"][0]["notes"] = "edited"
    del data["tables"]["audit_log"]
    del data["tables"]["record_seal"]
    report = _import(_write(data, tmp_path / "t.json"), tmp_path / "t.db")
    text = report.summary()
    assert "intact" not in text
    assert text.splitlines()[-1] == (
        "The file has no audit log: nothing in it vouches for its rows (they are sealed"
        " as this import brought them)."
    )


def test_an_old_export_without_seals_says_its_rows_were_not_compared(
    clinic: Store, tmp_path: Path
) -> None:
    data = _export(clinic, tmp_path / "a.json")
    data["format_version"] = 5  # as the exports before record seals were carried
    del data["tables"]["record_seal"], data["practitioner_roles"]
    report = _import(_write(data, tmp_path / "t.json"), tmp_path / "t.db")
    assert report.summary().splitlines()[-1] == (
        f"The file's audit log ({report.audit_copied:,} rows) was kept, its chain intact,"
        " but the file holds no record seals (an export made before they were written),"
        " so its rows could not be compared with it: they are sealed as this import"
        " brought them."
    )
    store = Store.open(tmp_path / "t.db", clock=clock)
    try:
        assert chain.verify(store.conn).ok
        last = store.conn.execute("SELECT detail FROM audit_log ORDER BY id DESC LIMIT 1")
        assert json.loads(last.fetchone()[0])["rows_match_file_seals"] is False
    finally:
        store.close()


def _edit_seal_line(path: Path, out: Path, table: str, edit: Any) -> Path:
    """The export as written (a row a line: the line reader's path), with the first seal
    line of ``table`` changed by ``edit``."""
    lines = path.read_text("utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith(f'{{"tbl":"{table}",'))
    lines[at] = edit(lines[at])
    out.write_text("".join(lines), "utf-8")
    return out


def test_a_seal_line_spelled_otherwise_reads_the_same(clinic: Store, tmp_path: Path) -> None:
    # The reader takes seal lines as the export writes them by a pattern; any other
    # spelling of the same seal (capital hexadecimal digits, spaces) is the same seal.
    export(clinic, "json", tmp_path / "a.json", actor_id=1)

    def respell(line: str) -> str:
        seal = json.loads(line.rstrip(",\n"))
        seal["hash"] = seal["hash"].upper()
        return json.dumps(seal) + ",\n"

    edited = _edit_seal_line(tmp_path / "a.json", tmp_path / "b.json", "session", respell)
    report = _import(edited, tmp_path / "copy.db")
    assert "every record row matches the seal it recorded" in report.summary()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda line: line.replace('"tbl":"session"', '"tbl":"nosuch"'),
            "record_seal row {n}: tbl 'nosuch' is not a record table",
        ),
        (
            lambda line: line.replace('"row_id":1,', '"row_id":9999999999999999999,'),
            "record_seal row {n}: row_id must be a whole number from 1",
        ),
    ],
)
def test_a_seal_line_out_of_bounds_is_refused(
    clinic: Store, tmp_path: Path, edit: Any, message: str
) -> None:
    export(clinic, "json", tmp_path / "a.json", actor_id=1)
    lines = (tmp_path / "a.json").read_text("utf-8").splitlines()
    seals = [line for line in lines if line.startswith('{"tbl":')]
    n = next(i for i, line in enumerate(seals, 1) if line.startswith('{"tbl":"session",'))
    edited = _edit_seal_line(tmp_path / "a.json", tmp_path / "t.json", "session", edit)
    assert _refused(edited, tmp_path / "t.db").splitlines()[0] == message.format(n=n)


def test_an_altered_seal_line_is_refused_line_by_line(clinic: Store, tmp_path: Path) -> None:
    export(clinic, "json", tmp_path / "a.json", actor_id=1)

    def other_seal(line: str) -> str:
        seal = json.loads(line.rstrip(",\n"))
        seal["hash"] = "0" * 64
        return json.dumps(seal, separators=(",", ":")) + ",\n"

    edited = _edit_seal_line(tmp_path / "a.json", tmp_path / "t.json", "session", other_seal)
    message = _refused(edited, tmp_path / "t.db")
    assert "session 1 (altered)" in message and "its seals' digest differs" in message


def test_a_format_6_export_with_its_seals_taken_out_is_refused(
    clinic: Store, tmp_path: Path
) -> None:
    # Taking the seals out of a file turned the comparison off, and the import said the
    # file was "an export made before they were written" (found by review14).
    data = _export(clinic, tmp_path / "a.json")
    data["tables"]["session"][0]["pain_after"] = 0
    del data["tables"]["record_seal"]
    message = _refused(_write(data, tmp_path / "t.json"), tmp_path / "t.db")
    assert message == (
        "tables.record_seal: is missing: every export of format 6 carries the record seals"
        " that vouch for its rows (taken out of this file?): nothing was imported"
    )
    export(clinic, "csv", tmp_path / "a.zip", actor_id=1)
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        members = {n: zf.read(n) for n in zf.namelist() if n != "record_seal.csv"}
    with zipfile.ZipFile(tmp_path / "t.zip", "w") as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    assert _refused(tmp_path / "t.zip", tmp_path / "t2.db").startswith(
        "record_seal.csv: is missing: every export of format 6"
    )
