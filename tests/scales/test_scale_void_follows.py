"""A reading recorded with a follow-up (or at a session) counts only while that record
does (review17 #2): after the follow-up is corrected the reading reads through to its
current version; after it is voided, or its session is, the reading counts in no figure
(report, scale list, compare, take-home page, the due list), and its rows stay as they
were. A reading is corrected or voided on its own by ``scale amend`` and ``scale void``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers_cli import ok, run
from helpers_domain import fixed_clock
from helpers_store import dry_needling

from sessionlog.cli import common
from sessionlog.store import Store


@pytest.fixture(autouse=True)
def fixed_cli_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common.Context.__init__, "__defaults__", (fixed_clock,))


PSFS = "--scale PSFS --activity sleeping --activity lifting --activity gardening"
IMPROVED = "a change most people notice"


def _seed(db: Path) -> None:
    """C001: a session 2026-11-20 09:15 with a PSFS before it (reading 1); a follow-up
    the next day (1) with a PSFS taken with it (reading 2)."""
    s = Store.open(db, clock=fixed_clock)
    from sessionlog.domain import Patient, Practitioner

    s.add_practitioner(Practitioner("Ann Lee", "physiotherapist", "PT"))
    s.add_patient(Patient("C001", "Bo Kim", 1980, "female"))
    s.save_session(dry_needling(1))
    s.close()
    ok(db, f"scale record --patient C001 {PSFS} --items 1,1,1 --at '2026-11-20 09:00'")
    ok(db, "follow-up --patient C001 --pain 4 --at '2026-11-21 10:00'")
    ok(db, f"scale record --patient C001 {PSFS} --items 5,5,5 --follow-up 1"
           " --at '2026-11-21 10:00'")  # fmt: skip


def _readings(db: Path) -> list[tuple[int, str, int | None]]:
    return [
        (r["id"], r["at"], r["follow_up_id"])
        for r in json.loads(ok(db, "scale list --patient C001 --json"))
    ]


def _raw(db: Path) -> list[tuple[object, ...]]:
    s = Store.open(db)
    try:
        return [tuple(r) for r in s.conn.execute("SELECT * FROM scale_reading ORDER BY id")]
    finally:
        s.close()


def _functional(db: Path) -> str:
    return " ".join(
        line for line in ok(db, "report --patient C001").splitlines() if "Functional" in line
    )


def test_a_voided_follow_up_takes_its_readings_out_of_every_figure(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _seed(db)
    assert IMPROVED in _functional(db)
    ok(db, "follow-up-amend 1 --reason x --pain 5")  # now follow-up 2
    assert _readings(db) == [(1, "2026-11-20 09:00:00", None), (2, "2026-11-21 10:00:00", 2)]
    assert IMPROVED in _functional(db)
    raw = _raw(db)
    ok(db, "follow-up-void 2 --reason 'wrong patient'")
    assert _readings(db) == [(1, "2026-11-20 09:00:00", None)]
    words = _functional(db)
    assert IMPROVED not in words and "improved" not in words, words
    out = tmp_path / "take-home.html"
    ok(db, f"report --patient C001 --format html -o {out}")
    page = out.read_text(encoding="utf-8")
    assert "Patient-Specific" in page and "5.0 of 10" not in page
    assert "Functional Scale has improved" not in page and "1 reading" in page
    facts = json.loads(ok(db, "scale compare --json"))
    assert [(g["scale"], g["baseline_patients"]) for g in facts] == [("PSFS", 1)]
    assert all(c["patients"] == 0 for g in facts for c in g["cells"])
    s = Store.open(db)
    assert [f.at.isoformat(sep=" ") for f in s.scale_facts()] == ["2026-11-20 09:00:00"]
    assert [v.readings_after for v in s.last_visits()] == [()]  # the due list: nothing since
    s.close()
    # Nothing of the reading was rewritten or added: it is read through its follow-up.
    assert _raw(db) == raw


def test_a_voided_session_takes_its_readings_out_too(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _seed(db)
    ok(db, "void 1 --reason 'wrong patient'")
    assert _readings(db) == []
    assert "Functional" not in ok(db, "report --patient C001")
    r = run(db, "scale void 1 --reason x")
    assert r.stderr == (
        "error: reading: scale reading 1 counts in no figure already: its session 1 was voided\n"
    )
    s = Store.open(db)
    assert s.scale_facts() == [] and s.reading_courses() == []
    s.close()


def test_a_follow_up_moved_to_another_session_takes_its_reading_along(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _seed(db)
    s = Store.open(db, clock=fixed_clock)
    s.save_session(dry_needling(1, started_at="2026-11-21 08:00"))  # session 2
    s.close()
    ok(db, "follow-up-amend 1 --reason 'after the second' --session 2")
    [one, two] = json.loads(ok(db, "scale list --patient C001 --json"))
    assert (two["follow_up_id"], two["session_record_id"]) == (2, 2)
    ok(db, "void 2 --reason 'never happened'")  # its session: the reading goes with it
    assert _readings(db) == [(1, "2026-11-20 09:00:00", None)]


def _audit(db: Path) -> list[tuple[object, ...]]:
    s = Store.open(db)
    try:
        return s.conn.execute(
            "SELECT action, entity, entity_id, json_extract(detail, '$.supersedes'),"
            " json_extract(detail, '$.reason') FROM audit_log WHERE entity = 'scale_reading'"
            " ORDER BY id"
        ).fetchall()
    finally:
        s.close()


def test_scale_amend_and_void_keep_the_original_with_who_and_why(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    _seed(db)
    out = ok(db, "scale amend 2 --reason 'gardening was 3' --items 5,5,3")
    assert out == "scale reading 2 amended: now scale reading 3 (PSFS 4.3 of 10)\n"
    [one, three] = json.loads(ok(db, "scale list --patient C001 --json"))
    assert (three["id"], three["items"], three["labels"], three["follow_up_id"]) == (
        3, [5, 5, 3], ["sleeping", "lifting", "gardening"], 1,
    )  # fmt: skip
    assert three["supersedes_id"] == 2 and three["at"] == "2026-11-21 10:00:00"
    # A refusal names what is wrong and writes nothing.
    refusals = {
        "scale amend 2 --reason x --items 1,1,1": "error: reading: scale reading 2 was"
        " corrected since: scale reading 3 holds it now\n",
        "scale amend 3 --reason x --items 5,5,3": "error: amend: nothing changed: scale"
        " reading 3 already holds these values\n",
        "scale amend 3 --reason x": "error: amend: name what to correct: --items, --total,"
        " --activity or --at (see --help)\n",
        "scale amend 3 --reason ' ' --items 1,1,1": "error: reason: say why the reading is"
        " being corrected\n",
        "scale amend 3 --reason x --items 5,5": "error: labels: 3 activities named for 2"
        " answers: name one activity for each answer, in the answers' order (scale record:"
        " one --activity per answer of --items)\n",
        "scale amend 3 --reason x --items 1,2,3 --activity a --activity b --activity A": (
            "error: labels: A is named twice: name each activity once\n"
        ),
        "scale amend 9 --reason x --items 1": "error: reading: there is no scale reading 9\n",
    }
    for command, said in refusals.items():
        r = run(db, command)
        assert (r.exit_code, r.stderr) == (1, said), command
    assert ok(db, "scale void 1 --reason 'another patient'") == "scale reading 1 voided\n"
    assert [r["id"] for r in json.loads(ok(db, "scale list --patient C001 --json"))] == [3]
    r = run(db, "scale void 4 --reason again")
    assert (
        r.stderr == "error: reading: scale reading 4 is the void of scale reading 1: a void"
        " is final\n"
    )
    r = run(db, "scale void 1 --reason again")
    assert r.stderr == "error: reading: scale reading 1 was voided\n"
    assert _audit(db) == [
        ("create", "scale_reading", 1, None, None),
        ("create", "scale_reading", 2, None, None),
        ("amend", "scale_reading", 3, 2, "gardening was 3"),
        ("void", "scale_reading", 4, 1, "another patient"),
    ]
    # With its follow-up voided, a reading counts nowhere already: nothing to correct.
    ok(db, "follow-up-void 1 --reason 'wrong patient'")
    r = run(db, "scale void 3 --reason x")
    assert (
        r.stderr == "error: reading: scale reading 3 counts in no figure already: its follow-up"
        " 1 was voided\n"
    )
    assert "The database is healthy" in ok(db, "check")


@pytest.mark.parametrize("name", ["out.json", "out.zip"])
def test_an_amended_and_a_voided_reading_travel_and_merge_back(tmp_path: Path, name: str) -> None:
    db, copy, file = tmp_path / "s.db", tmp_path / "copy.db", tmp_path / name
    _seed(db)
    ok(db, "scale amend 2 --reason 'gardening was 3' --items 5,5,3 --at '2026-11-21 11:00'")
    ok(db, "scale void 1 --reason 'another patient'")
    fmt = "json" if name.endswith("json") else "csv"
    ok(db, f"export --format {fmt} -o {file}")
    ok(copy, f"import {file}")
    assert _raw(copy) == _raw(db)
    listed = ok(db, "scale list --patient C001 --json")
    assert ok(copy, "scale list --patient C001 --json") == listed
    assert [(r["id"], r["at"]) for r in json.loads(listed)] == [(3, "2026-11-21 11:00:00")]
    assert _functional(copy) == _functional(db)
    ok(db, f"import {file}")  # merging back: nothing new, nothing refused
    assert len(_raw(db)) == 4
    assert "The database is healthy" in ok(copy, "check")


def test_a_reading_is_not_recorded_with_a_follow_up_voided_or_corrected(tmp_path: Path) -> None:
    # It was saved, and counted nowhere at once (voided) or was read through (corrected).
    db = tmp_path / "s.db"
    _seed(db)
    ok(db, "follow-up-amend 1 --reason x --pain 5")
    r = run(db, "scale record --patient C001 --scale NDI --total 10 --follow-up 1")
    assert (
        r.stderr == "error: follow_up: follow-up 1 was corrected since: follow-up 2 holds it now\n"
    )
    ok(db, "follow-up-void 2 --reason x")
    r = run(db, "scale record --patient C001 --scale NDI --total 10 --follow-up 2")
    assert r.stderr == "error: follow_up: follow-up 2 was voided\n"
    assert len(_raw(db)) == 2


def test_fhir_carries_only_the_readings_that_count(tmp_path: Path) -> None:
    # "Only current versions go out": a reading of a voided follow-up went out too.
    db, out = tmp_path / "s.db", tmp_path / "out.fhir"
    _seed(db)
    ok(db, "follow-up-amend 1 --reason x --pain 5")
    ok(db, "follow-up-void 2 --reason 'wrong patient'")
    ok(db, f"export --format fhir -o {out}")
    doc = json.loads(out.read_text(encoding="utf-8"))
    scores = [
        e["resource"]["valueQuantity"]["value"]
        for e in doc["entry"]
        if "urn:sessionlog:scale" in json.dumps(e["resource"].get("code", {}))
    ]
    assert scores == [1.0]
