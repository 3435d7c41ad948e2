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
