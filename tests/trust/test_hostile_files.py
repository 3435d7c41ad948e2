"""Files made to hurt: formula cells for a spreadsheet, zip bombs, huge fields, deep
or huge JSON, devices. Each is refused in one line with exit status 1, within
bounded memory (the peak of the importing process is measured and printed), and a
refused import into a new path leaves no database behind."""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest
from helpers_cli import make_clinic, ok, run, run_process
from trust_figures import FIGURES

from sessionlog.domain import parse_follow_up, parse_patient, parse_session
from sessionlog.exchange.csvfiles import neutralise, restore_text
from sessionlog.store import Store

PEAK_LIMIT_MB = 512
# (a name or note cannot start with a tab or a carriage return: the domain trims them)
FORMULAS = ["=HYPERLINK(\"http://evil\",\"x\")", "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3",
            "'quoted"]  # fmt: skip


def test_every_formula_start_is_neutralised_and_reversed() -> None:
    for text in [*FORMULAS, "\tx", "\rx", "plain", "-", "'"]:
        written = neutralise(text)
        assert written == (text if text == "plain" else "'" + text)
        assert restore_text(written) == text


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("manifest")
    db = make_clinic(folder / "m.db")
    ok(db, f"export --format csv -o {folder / 'm.zip'}")
    with zipfile.ZipFile(folder / "m.zip") as zf:
        return zf.read("manifest.json").decode()


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised_and_come_back(
    tmp_path: Path,
) -> None:
    db = make_clinic(tmp_path / "clinic.db")
    store = Store.open(db)
    for n, text in enumerate(FORMULAS):
        store.add_patient(parse_patient({"chart_id": f"F{n}", "name": text}))
    saved = store.save_session(
        parse_session(
            {
                "patient_id": 1,
                "practitioner_id": 1,
                "pain_before": 5,
                "technique": "acupuncture",
                "consent": True,
                "started_at": "2025-06-10 09:00",
                "notes": FORMULAS[0],
                "sites": [{"target": "st36", "side": "left"}],
            }
        )
    )
    store.add_follow_up(
        parse_follow_up(
            {
                "patient_id": 1,
                "session_record_id": saved.record_id,
                "pain": 2,
                "groc": -3,
                "at": "2025-06-12 09:00",
            }
        ),
        1,
    )
    store.close()
    ok(db, f"export --format csv -o {tmp_path / 'e.zip'}")
    with zipfile.ZipFile(tmp_path / "e.zip") as zf:
        patients = list(csv.DictReader(io.StringIO(zf.read("patient.csv").decode())))
        sessions = list(csv.DictReader(io.StringIO(zf.read("session.csv").decode())))
        follow_ups = list(csv.DictReader(io.StringIO(zf.read("follow_up.csv").decode())))
    assert [p["name"] for p in patients[2:]] == ["'" + f for f in FORMULAS]
    assert sessions[0]["notes"] == "'" + FORMULAS[0]
    assert follow_ups[0]["groc"] == "-3"  # a number stays a number
    again = tmp_path / "again.db"
    ok(again, f"import {tmp_path / 'e.zip'}")
    before, after = (json.loads(ok(p, "export"))["tables"] for p in (db, again))
    assert [p["name"] for p in after["patient"]] == [p["name"] for p in before["patient"]]
    assert after["session"][0]["notes"] == FORMULAS[0]
    assert after["follow_up"][0]["groc"] == -3


def run_measured(db: Path, source: Path) -> tuple[subprocess.CompletedProcess, float]:
    """``sessionlog --db DB import SOURCE`` in a process of its own, and its peak
    resident memory in MB (wait4 gives the resource usage of that process alone)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sessionlog", "--db", str(db), "import", str(source)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    err = proc.stderr.read().decode()  # to its end: the process has ended or is ending
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return subprocess.CompletedProcess(proc.args, proc.returncode, "", err), usage.ru_maxrss / 1024


def refused_within_memory(tmp_path: Path, source: Path, message: str, what: str) -> None:
    db = tmp_path / "new.db"
    proc, peak = run_measured(db, source)
    FIGURES.append(f"hostile import, {what}: refused, peak {peak:.0f} MB")
    print(FIGURES[-1])
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert message in proc.stderr, proc.stderr
    assert peak < PEAK_LIMIT_MB
    assert not list(tmp_path.glob("new.db*"))  # no empty database left behind


HEADER = "id,chart_id,name,birth_year,sex,created_at\n"


def test_a_zip_bomb_is_refused_before_it_inflates(tmp_path: Path, manifest: str) -> None:
    bomb = tmp_path / "bomb.zip"
    row = "1,C001,Bo Kim,1980,female,2025-01-01 00:00:00\n"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", manifest)
        with zf.open("patient.csv", "w") as fh:
            fh.write(HEADER.encode())
            block = (row * 20_000).encode()
            for _ in range(200 * 2**20 // len(block)):
                fh.write(block)
    assert bomb.stat().st_size < 2 * 2**20
    refused_within_memory(
        tmp_path, bomb, "patient.csv: expands far beyond an export of its size", "200 MB zip bomb"
    )


def test_a_200_mb_field_is_refused(tmp_path: Path, manifest: str) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "manifest.json").write_text(manifest)
    with (folder / "patient.csv").open("w") as fh:
        fh.write(HEADER + '1,C001,"')
        chunk = "a" * 2**20
        for _ in range(200):
            fh.write(chunk)
        fh.write('",1980,female,2025-01-01 00:00:00\n')
    refused_within_memory(tmp_path, folder, "patient.csv: has a line over 4 MB", "200 MB field")


def test_a_field_over_128_kb_is_refused(tmp_path: Path, manifest: str) -> None:
    source = tmp_path / "big.zip"
    with zipfile.ZipFile(source, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("manifest.json", manifest)
        zf.writestr("patient.csv", HEADER + f"1,C001,{'a' * 200_000},1980,female,2025-01-01\n")
    refused_within_memory(
        tmp_path, source, "patient.csv row 1: has a cell over 128 KB", "200 KB field"
    )


@pytest.mark.parametrize("second", ["evil/patient.csv", "patient.csv"])
def test_a_zip_with_two_files_of_one_name_is_refused(
    tmp_path: Path, manifest: str, second: str
) -> None:
    source = tmp_path / "two.zip"
    with (
        zipfile.ZipFile(source, "w") as zf,
        pytest.warns(UserWarning) if (second == "patient.csv") else _nothing(),
    ):
        zf.writestr("manifest.json", manifest)
        zf.writestr("patient.csv", HEADER)
        zf.writestr(second, HEADER + "1,C001,Mallory,1980,female,2025-01-01 00:00:00\n")
    message = (
        "holds files in more than one folder"
        if "/" in second
        else "holds patient.csv twice: which one is meant is unclear"
    )
    refused_within_memory(tmp_path, source, message, f"zip with {second} twice")


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_deep_or_huge_json_and_devices_are_refused(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    refused_within_memory(tmp_path, deep, "nests values deeper than any export", "deep JSON")
    huge = tmp_path / "huge.json"
    huge.write_text('{"format": ' + "9" * 5_000 + "}")
    refused_within_memory(tmp_path, huge, "is not a sessionlog export (Exceeds", "5,000 digits")
    refused_within_memory(tmp_path, Path("/dev/zero"), "/dev/zero: is not a file", "/dev/zero")


def test_a_refused_import_into_a_new_path_leaves_nothing(tmp_path: Path, manifest: str) -> None:
    source = tmp_path / "bad.zip"
    with zipfile.ZipFile(source, "w") as zf:
        zf.writestr("manifest.json", manifest)
        zf.writestr("patient.csv", HEADER + "1,C001,Bo Kim,1780,female,2025-01-01 00:00:00\n")
    result = run(tmp_path / "new.db", f"import {source}")
    assert result.exit_code == 1 and "birth_year" in result.stderr, result.stderr
    assert not list(tmp_path.glob("new.db*"))


def test_log_json_on_stdin_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    db = make_clinic(tmp_path / "clinic.db")
    proc = subprocess.run(
        [sys.executable, "-m", "sessionlog", "--db", str(db), "log", "--json", "-"],
        input='{"patient_id": 1, "notes": "caf\xe9"}'.encode("latin-1"),
        capture_output=True,
    )
    assert (proc.returncode, proc.stderr.decode()) == (
        1,
        "error: json: the document is not UTF-8 text (byte 32); save it as UTF-8"
        " (e.g. `iconv -f latin1 -t utf-8`)\n",
    )
    for document, message in (
        ("[" * 100_000, "error: json: the document nests values too deeply\n"),
        ('{"pain_before": ' + "9" * 5_000 + "}", "error: json: the document holds a value"),
    ):
        result = run_process(db, "log --json -", input=document)
        assert result.returncode == 1 and result.stderr.startswith(message), result.stderr


def test_sessions_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    ok(db, "demo")
    shell = f"{sys.executable} -m sessionlog --db {db} sessions | head -1"
    proc = subprocess.run(
        ["bash", "-c", f"{shell}; echo status ${{PIPESTATUS[0]}} >&2"],
        capture_output=True,
        text=True,
        # as the demo's admin, as a script signs in (README: the non-interactive route)
        env={
            **os.environ,
            "SESSIONLOG_PRACTITIONER": "Mei Lin Chen",
            "SESSIONLOG_PRACTITIONER_SECRET": "111111",
        },  # fmt: skip
    )
    assert proc.stdout.startswith("SESSION"), proc.stderr
    assert proc.stderr in ("status 0\n", "status 1\n")  # no "Broken pipe" line


def _json_export_with(path: Path, middle: Callable[[IO[str]], object], *, lines: bool) -> None:
    """An export-like JSON file (one row per line, or all on one line) whose one
    patient row's name is written by ``middle``, streamed to disk."""
    nl = "\n" if lines else ""
    with path.open("w") as fh:
        fh.write(f'{{{nl}"format":"sessionlog-export",{nl}"format_version":5,{nl}"tables":{{{nl}')
        fh.write(f'"patient":[{nl}{{"id":1,"chart_id":"C1","name":')
        middle(fh)
        fh.write(f',"birth_year":1980,"sex":"female","created_at":"2025-01-01 00:00:00"}}{nl}')
        fh.write(f"]{nl}}}{nl}}}\n")


def _text_of(mb: int) -> Callable[[IO[str]], None]:
    def write(fh: IO[str]) -> None:
        fh.write('"')
        chunk = "a" * 2**20
        for _ in range(mb):
            fh.write(chunk)
        fh.write('"')

    return write


@pytest.mark.parametrize("lines", [True, False], ids=["row per line", "one line"])
def test_a_300_mb_json_field_is_refused_within_memory(tmp_path: Path, lines: bool) -> None:
    source = tmp_path / "field.json"
    _json_export_with(source, _text_of(300), lines=lines)
    message = (
        "line 6 is over 4 MB: no row of an export is so long"
        if lines
        else "is over 64 MB on lines over 4 MB"
    )
    refused_within_memory(
        tmp_path, source, message, f"300 MB JSON field ({'rows' if lines else 'one line'})"
    )


def test_a_json_field_over_128_kb_is_refused(tmp_path: Path) -> None:
    for lines in (True, False):
        source = tmp_path / f"field{lines}.json"
        _json_export_with(source, lambda fh: fh.write('"' + "a" * 200_000 + '"'), lines=lines)
        refused_within_memory(
            tmp_path,
            source,
            "patient row 1: name: is over 128 KB: no sessionlog field is so long",
            "200 KB JSON field",
        )


def test_json_nested_in_a_row_is_refused(tmp_path: Path) -> None:
    for depth in (25, 100_000):
        source = tmp_path / f"deep{depth}.json"
        nest = "[" * depth + "]" * depth
        _json_export_with(source, functools.partial(_write, nest), lines=True)
        refused_within_memory(
            tmp_path, source, "nests values deeper than any export does", f"JSON row {depth} deep"
        )


def test_a_json_file_over_1_gb_is_refused_unread(tmp_path: Path) -> None:
    source = tmp_path / "huge.json"
    _json_export_with(source, lambda fh: fh.write('"x"'), lines=True)
    with source.open("r+b") as fh:  # sparse: nothing is written, nothing to read
        fh.truncate(1 << 31)
    refused_within_memory(tmp_path, source, "is over 1 GB: larger than any export", "2 GB JSON")


def test_json_that_would_inflate_when_read_whole_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "lists.json"
    _json_export_with(source, lambda fh: fh.write("[" + "[]," * 15_000_000 + "[]]"), lines=False)
    refused_within_memory(
        tmp_path, source, "is too large to read whole", "45 MB of empty lists on one line"
    )


def _write(text: str, fh: IO[str]) -> None:
    fh.write(text)
