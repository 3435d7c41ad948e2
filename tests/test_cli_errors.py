"""Bad input on the command line: one line on stderr naming the field and what is
allowed, exit status 1, no traceback, and the database exactly as it was.

The messages are checked through click's runner (fast); exit status and the absence
of a traceback also through a real ``python -m sessionlog`` process.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from helpers_cli import fingerprint, make_clinic, ok, run, run_process, run_processes

SESSION = "log --patient C001 --technique acupuncture --consent --at '2025-06-10 09:00'"
SITE_KEYS = (
    "depth, depth_tissue, depth_unit, depth_value, deqi, deqi_obtained, deqi_quality, diameter,"
    " estim_frequency_2_hz, estim_frequency_hz, estim_intensity, estim_lead, grasp, hz,"
    " insertions, kind, lead, length, n,"
    " needle_diameter_mm, needle_length_mm, needle_material, quality, retention, retention_s,"
    " stim, stimulation, twitch, twitch_count, twitches"
)

BAD_FLAGS = {
    "pain 11": (
        f"{SESSION} --site st36:left --pain-before 11",
        "pain_before: 11 is out of range: a whole number from 0 to 10",
    ),
    "negative count": (
        f"{SESSION} --site st36:left:insertions=-1 --pain-before 5",
        "sites[1].insertions: -1 is out of range: a whole number from 1 to 50",
    ),
    "unknown point": (
        f"{SESSION} --site st99:left --pain-before 5",
        "sites[1].target: 'st99' is not a known point, muscle or spinal level;"
        " did you mean ST45, ST9, ST39?",
    ),
    "unknown technique": (
        "log --patient C001 --technique reiki --consent --site st36:left --pain-before 5",
        "technique: 'reiki' is not allowed: one of acupuncture, electroacupuncture,"
        " dry_needling, electrical_dry_needling, ims",
    ),
    "missing patient": (
        "log --patient C999 --technique acupuncture --consent --site st36:left --pain-before 5",
        "patient: no patient with chart id, id or name 'C999' (see `sessionlog patients`)",
    ),
    "no patient given": (
        "log --technique acupuncture --consent --site st36:left --pain-before 5",
        "patient: is required: --patient CHART_ID",
    ),
    "text for a number": (
        f"{SESSION} --site st36:left --pain-before abc",
        "pain_before: 'abc' is not a whole number: a whole number from 0 to 10",
    ),
    "two signs": (
        f"{SESSION} --site st36:left --pain-before +-5",
        "pain_before: '+-5' is not a whole number: a whole number from 0 to 10",
    ),
    "text for a site number": (
        f"{SESSION} --site st36:left:depth=deep --pain-before 5",
        "sites[1].depth_value: 'deep' is not a number: a number from 0 to 150",
    ),
    "no consent": (
        "log --patient C001 --technique acupuncture --no-consent --site st36:left --pain-before 5",
        "consent: informed consent must be obtained before needling",
    ),
    "unknown site key": (
        f"{SESSION} --site st36:left:twich=3 --pain-before 5",
        f"site: 'twich' in 'st36:left:twich=3' is not a site field: one of {SITE_KEYS}",
    ),
    "several problems": (
        f"{SESSION} --site st36 --pain-before 12",
        "pain_before: 12 is out of range: a whole number from 0 to 10 (and 1 more problem)",
    ),
    "future date": (
        "log --patient C001 --technique acupuncture --consent --at 2999-01-01"
        " --site st36:left --pain-before 5",
        "started_at: 2999-01-01 00:00 is in the future",
    ),
    "unknown practitioner": (
        f"{SESSION} --practitioner 'Dr Who' --site st36:left --pain-before 5",
        "practitioner: 'Dr Who' is not a practitioner: give an id or a name (1 Ann Lee)",
    ),
    "follow-up pain 12": (
        "follow-up --patient C001 --pain 12 --session 1",
        "pain: 12 is out of range: a whole number from 0 to 10",
    ),
    "follow-up before its session": (
        "follow-up --patient C001 --pain 2 --session 1 --at 2025-06-01",
        "at: 2025-06-01 00:00:00 is before the session it follows (2025-06-10 09:00:00)",
    ),
    "bad birth year": (
        "patients add --chart-id C009 --name Dee --birth-year 19x0",
        "birth_year: '19x0' is not a whole number: a whole number from 1900 to "
        + str(date.today().year),
    ),
    "bad profession": (
        "practitioners add --name Zed --profession wizard",
        "profession: 'wizard' is not allowed: one of acupuncturist, physiotherapist,"
        " chiropractor, physician, other",
    ),
}


def _doc(**fields: object) -> str:
    base = {"patient": "C001", "technique": "ims", "consent": True, "pain_before": 5,
            "sites": [{"target": "L4-L5", "side": "left"}]}  # fmt: skip
    return json.dumps({**base, **fields})


BAD_JSON = {
    "not json": (
        "{pain: 5",
        "the JSON document is not valid JSON"
        " (line 1, column 2: Expecting property name enclosed in double quotes)",
    ),
    "not an object": (
        "[1, 2]",
        "json: the document must be a JSON object with the session's fields",
    ),
    "sites not a list": (_doc(sites=5), "sites: 5 is not a list of sites"),
    "adverse events not records": (
        _doc(adverse_events=["mild"]),
        "adverse_events[1]: 'mild' is not a record with fields",
    ),
    "NaN pain": (
        _doc().replace('"pain_before": 5', '"pain_before": NaN'),
        "pain_before: nan is not allowed: a whole number from 0 to 10",
    ),
    "bool pain": (
        _doc(pain_before=True),
        "pain_before: True is not a whole number: a whole number from 0 to 10",
    ),
    "huge depth": (
        _doc(sites=[{"target": "L4-L5", "side": "left", "depth_value": 10**400}]),
        "sites[1].depth_value: is too large: a number from 0 to 150",
    ),
    "practitioner as a number": (
        _doc(practitioner=7),
        "practitioner: '7' is not a practitioner: give an id or a name (1 Ann Lee)",
    ),
}


@pytest.fixture
def clinic(tmp_path: Path) -> Path:
    """The CLI-made clinic with one acupuncture session (so session 1 exists)."""
    db = make_clinic(tmp_path / "clinic.db")
    ok(db, f"{SESSION} --site st36:left --pain-before 5")
    return db


@pytest.mark.parametrize("case", BAD_FLAGS)
def test_bad_flags(clinic: Path, case: str) -> None:
    command, message = BAD_FLAGS[case]
    before = fingerprint(clinic)
    result = run(clinic, command)
    assert (result.exit_code, result.stderr, result.stdout) == (1, f"error: {message}\n", "")
    assert fingerprint(clinic) == before


@pytest.mark.parametrize("case", BAD_JSON)
def test_bad_json_document(clinic: Path, case: str) -> None:
    document, message = BAD_JSON[case]
    before = fingerprint(clinic)
    result = run(clinic, "log --json -", input=document)
    assert (result.exit_code, result.stderr, result.stdout) == (1, f"error: {message}\n", "")
    assert fingerprint(clinic) == before


def test_bad_input_in_a_real_process(clinic: Path) -> None:
    """The same refusals from `python -m sessionlog`: status 1, one line, no traceback."""
    before = fingerprint(clinic)
    cases: list[tuple[str, str | None, str]] = [
        (command, None, message) for command, message in BAD_FLAGS.values()
    ]
    cases += [("log --json -", document, message) for document, message in BAD_JSON.values()]
    results = run_processes(clinic, [(command, document) for command, document, _ in cases])
    for (command, _, message), proc in zip(cases, results, strict=True):
        assert (proc.returncode, proc.stderr, proc.stdout) == (1, f"error: {message}\n", ""), (
            command
        )
        assert "Traceback" not in proc.stderr
    assert fingerprint(clinic) == before


# --- files that are not ours ---------------------------------------------------------


def test_text_file_as_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("shopping: needles, alcohol swabs\n")
    for command in ("sessions", "patients add --chart-id X --name Y", "demo"):
        proc = run_process(path, command)
        assert (proc.returncode, proc.stdout) == (1, "")
        assert proc.stderr == (
            f"error: {path} is not a sessionlog database (not an SQLite file): it was left as"
            " it is. If it is the clinic's database, it is damaged: restore the latest good"
            " backup with `sessionlog restore BACKUP_FILE` (this file is kept beside it); if it"
            " is another file, give the database's path with --db.\n"
        )
    assert path.read_text() == "shopping: needles, alcohol swabs\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]  # no -wal, no -shm


def test_foreign_sqlite_database(tmp_path: Path) -> None:
    path = tmp_path / "recipes.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipe (name TEXT)")
    conn.execute("INSERT INTO recipe VALUES ('soup')")
    conn.commit()
    conn.close()
    before = fingerprint(path)
    proc = run_process(path, f"{SESSION} --site st36:left --pain-before 5")
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr == (
        f"error: {path} is not a sessionlog database (it holds other data);"
        " give a new file name or a sessionlog database\n"
    )
    assert fingerprint(path) == before


def test_demo_refuses_a_non_empty_database(clinic: Path) -> None:
    before = fingerprint(clinic)
    result = run(clinic, "demo")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {clinic} already holds patients: the demo clinic goes into an empty "
        "database only (use --db with a new file name)\n"
    )
    assert fingerprint(clinic) == before


def test_demo_run_again_on_the_demo_leaves_it_and_succeeds(tmp_path: Path) -> None:
    # The README's first command ends in `demo && sessionlog --db demo.db`: run twice,
    # the second demo must succeed (exit 0) so the chain goes on into the app.
    db = tmp_path / "demo.db"
    ok(db, "demo --patients 3 --months 1")
    before = fingerprint(db)
    result = run(db, "demo --patients 3 --months 1")
    assert (result.exit_code, result.stdout) == (
        0,
        f"{db} already holds the demo clinic: left as it is\n"
        "Sign in to the app (pick the name, type the secret, Enter) as any demo practitioner:\n"
        "  Mei Lin Chen (admin): secret 111111\n"
        "  Sara Novak: secret 333333\n"
        "  Tom Okafor: secret 222222\n",
    )  # the sign-ins again: whoever runs the first command twice still needs them
    assert fingerprint(db) == before
