"""The access log on the command line: reports, a patient's sessions and exports leave a
row; ``audit access --patient`` lists who looked at that patient."""

from __future__ import annotations

import gc
import json
import os
import re
from pathlib import Path

import pytest
from helpers_cli import make_clinic, ok, run


@pytest.fixture
def clinic(tmp_path: Path) -> Path:
    return make_clinic(tmp_path / "clinic.db")


def looked(db: Path, chart: str) -> list[dict[str, object]]:
    rows = json.loads(ok(db, f"audit access --patient {chart} --json"))
    for row in rows:
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", str(row.pop("at")))
    return rows


def test_reports_sessions_and_exports_are_listed_for_the_patient_they_show(
    clinic: Path, tmp_path: Path
) -> None:
    ok(clinic, "report --patient C001 --practitioner 'Ann Lee' --no-color")
    ok(clinic, "report --patient C002 --json")
    ok(clinic, "sessions --patient C001 --practitioner 1")
    ok(clinic, f"export -o {tmp_path / 'all.json'} --practitioner 1")
    ann = {"practitioner_id": 1, "practitioner": "Ann Lee"}
    assert looked(clinic, "C001") == [
        {**ann, "action": "report", "what": "report"},
        {**ann, "action": "view", "what": "record"},
        {**ann, "action": "export", "what": "export of every patient (json)"},
    ]
    assert looked(clinic, "C002") == [
        {**ann, "action": "report", "what": "report"},  # the clinic's only practitioner
        {**ann, "action": "export", "what": "export of every patient (json)"},
    ]


def test_the_access_list_as_text_and_for_a_patient_never_seen(clinic: Path) -> None:
    assert ok(clinic, "audit access --patient C002") == (
        "Nobody has looked at C002 (Cy Doe) through sessionlog.\n"
    )
    ok(clinic, "report --patient C002 --practitioner 1 --no-color")
    lines = ok(clinic, "audit access --patient C002").splitlines()
    assert lines[0] == "Who looked at C002 (Cy Doe):"
    assert lines[1].split() == ["WHEN", "WHO", "ACTION", "WHAT"]
    assert lines[2].split()[2:] == ["Ann", "Lee", "report", "report"]


def test_a_comparison_is_audited_as_a_report_on_the_clinic(clinic: Path) -> None:
    ok(clinic, "compare --json")
    out = ok(clinic, "audit verify")
    assert "intact" in out
    import sqlite3

    conn = sqlite3.connect(clinic)
    rows = conn.execute(
        "SELECT action, entity FROM audit_log WHERE action = 'report' ORDER BY id"
    ).fetchall()
    conn.close()
    assert rows == [("report", "clinic")]


def test_an_unknown_patient_is_one_line(clinic: Path) -> None:
    result = run(clinic, "audit access --patient C404")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: patient: no patient with chart id, id or name 'C404' (see `sessionlog patients`)\n"
    )


def test_a_command_run_in_this_process_closes_its_database(tmp_path: Path) -> None:
    # (a command that left its store to the garbage collector kept the file open: a
    # restore in this same process waited for it)
    db = make_clinic(tmp_path / "clinic.db")
    gc.collect()
    gc.disable()
    try:
        ok(db, "patients")
        assert open_here(db) == []
        run(db, "patients --nonsense")  # refused by click, after the store was opened
        assert open_here(db) == []
    finally:
        gc.enable()


def open_here(db: Path) -> list[str]:
    """The files of ``db`` (with its -wal and -shm) this process holds open."""
    fds = Path("/proc/self/fd")
    links = []
    for fd in fds.iterdir():
        try:
            links.append(os.readlink(fd))
        except OSError:
            continue  # closed meanwhile (the one iterdir used)
    return [link for link in links if link.startswith(str(db))]


def test_a_listing_of_several_patients_sessions_is_a_look_at_each(clinic: Path) -> None:
    # `sessions --json` without --patient printed every patient's full records (sites,
    # notes, adverse events) and the access log named none of them.
    for chart, technique, site in (("C001", "dry_needling", "upper trap:left"),
                                   ("C002", "acupuncture", "LI4:left")):  # fmt: skip
        ok(clinic, f"log --patient {chart} --technique {technique} --site '{site}'"
                   " --pain-before 6 --pain-after 3 --consent --practitioner 1")  # fmt: skip
    shown = json.loads(ok(clinic, "sessions --json --practitioner 1"))
    charts = sorted({s["patient_chart_id"] for s in shown})
    assert len(charts) >= 2
    ok(clinic, "sessions --technique dry_needling --practitioner 1")
    ann = {"practitioner_id": 1, "practitioner": "Ann Lee"}
    for chart in charts:
        seen = looked(clinic, chart)
        assert seen[0] == {**ann, "action": "view", "what": "record"}, chart
    dry = {s["patient_chart_id"] for s in shown if s["technique"] == "dry_needling"}
    for chart in charts:
        assert len(looked(clinic, chart)) == (2 if chart in dry else 1), chart


def test_a_take_home_report_and_a_backup_are_listed_for_the_patient_they_carry(
    clinic: Path, tmp_path: Path
) -> None:
    # The take-home page shows one patient's data; a backup carries every patient's.
    ok(clinic, f"report --patient C001 --format html -o {tmp_path / 'c001.html'}")
    ok(clinic, f"backup {tmp_path / 'b1.db'}")
    ann = {"practitioner_id": 1, "practitioner": "Ann Lee"}
    assert looked(clinic, "C001") == [
        {**ann, "action": "export", "what": "take-home report (html)"},
        {**ann, "action": "backup", "what": "backup of every patient"},
    ]
    assert looked(clinic, "C002") == [
        {**ann, "action": "backup", "what": "backup of every patient"},
    ]
